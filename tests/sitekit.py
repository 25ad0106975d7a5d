"""Support for the 报送站 tests: a throwaway PostgreSQL cluster, a real server in a subprocess, unit workbooks.

Missing PostgreSQL or chromium skips the tests locally; under CI=true it fails them (CI installs both).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook

IN_CI = os.environ.get("CI", "").lower() == "true"


def absent(what: str) -> None:
    """Skip locally, fail in CI, when a tool the test needs is missing."""
    if IN_CI:
        pytest.fail(f"{what} is missing in CI (.ci/run should install it)")
    pytest.skip(f"{what} is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- PostgreSQL -------------------------------------------------------------------------------------------
def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PgCluster:
    """initdb + pg_ctl in a temporary folder, listening on a unix socket only; as `postgres` when we are root."""

    def __init__(self):
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="jixiao-pg-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self.user = "postgres"
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def start(self) -> None:
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", self.user, "-E", "UTF8", "--no-locale")
        self._run("pg_ctl", "-D", str(data), "-w", "-l", str(self.root / "log"), "-o",
                  f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off", "start")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{self.user}@/{db}?host={self.root}&port={self.port}"

    def create_db(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=str(self.root), port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def postgres_cluster():
    """A started cluster, or a skip (a failure in CI) when PostgreSQL is not installed."""
    if _pg_bin() is None:
        absent("PostgreSQL (initdb, pg_ctl)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        absent("psycopg")
    cluster = PgCluster()
    cluster.start()
    return cluster


# -- workbooks ----------------------------------------------------------------------------------------------
def unit_book(seed: int, *, mistakes: bool = False, code: str | None = None):
    book = generate_unit(seed, n_projects=2, n_indicators=6, mistakes=mistakes)
    if code:
        book.unit.code = code
    return book


def unit_file(folder: Path, seed: int, *, mistakes: bool = False, code: str | None = None,
              name: str | None = None, budget_delta: str | None = None, warning_only: bool = False) -> Path:
    """A unit workbook: clean; with an error at 项目1!C4 and a warning (``mistakes``); or with a warning only."""
    book = unit_book(seed, mistakes=mistakes, code=code)
    if warning_only:  # a line break in a name: JX-X01, a warning
        book.projects[0].name = book.projects[0].name[:2] + "\n" + book.projects[0].name[2:]
    if budget_delta:
        book.projects[0].budget += Decimal(budget_delta)
        book.projects[0].fiscal += Decimal(budget_delta)
    folder.mkdir(parents=True, exist_ok=True)
    return write_workbook(folder / (name or f"{book.unit.code}-{seed}-{int(mistakes)}{int(warning_only)}"
                                            f"{budget_delta or ''}.xlsx"), book)


def clone_for(source: Path, seed_of_source: int, seed: int, folder: Path) -> Path:
    """``source`` with the 单位编码 of unit ``seed`` (a zip-level edit: many units' workbooks in milliseconds)."""
    import zipfile

    old, new = unit_book(seed_of_source).unit.code, unit_book(seed).unit.code
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{new}-clone.xlsx"
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "xl/sharedStrings.xml":
                assert data.count(f">{old}<".encode()) == 1
                data = data.replace(f">{old}<".encode(), f">{new}<".encode())
            dst.writestr(info, data)
    return out


def roster_for(folder: Path, seeds: list[int]) -> Path:
    from jixiao.site.roster import write_roster

    units = [{"unit_code": b.unit.code, "unit_name": b.unit.name, "department": "示例县教育局",
              "contact": "张三", "phone": "0314-1234567"} for b in (unit_book(s) for s in seeds)]
    return write_roster(folder / "名册.xlsx", units)


# -- a real server ------------------------------------------------------------------------------------------
def jixiao(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def read_codes(path: Path) -> dict[str, str]:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["单位编码", "单位名称", "登录码"]
    return {r[0]: r[2] for r in rows[1:]}


class Server:
    """`jixiao serve` in a subprocess on a loopback port."""

    def __init__(self, data: Path, db: str | None = None, env: dict | None = None, args: list[str] | None = None):
        self.data, self.db, self.env, self.args = data, db, env or {}, args or []
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        args = [sys.executable, "-m", "jixiao.cli", "serve", "--data", str(self.data), "--port", str(self.port)]
        if self.db:
            args += ["--db", self.db]
        args += self.args
        self.log = open(self.data.parent / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log,
                                     env={**os.environ, "JIXIAO_SITE_WORKERS": "1", **self.env})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + (self.data.parent / f"server-{self.port}.log").read_text())
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).json() == {"ok": True}:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


def open_site(tmp: Path, seeds: list[int], *, db: str | None = None, password: str = "bureau-pass-1"):
    """A data folder with a bureau account `cz` and the 2026 task for ``seeds``: (data, codes)."""
    from click.testing import CliRunner

    from jixiao.cli import main

    data = tmp / "site"  # in this process (CliRunner): a second interpreter per command costs seconds here
    r = CliRunner().invoke(main, ["serve", "admin", "--data", str(data), *(["--db", db] if db else []),
                                  "--user", "cz", "--password-stdin"], input=password + "\n")
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["serve", "task", "--data", str(data), *(["--db", db] if db else []),
                                  "--year", "2026", "--roster", str(roster_for(tmp, seeds)),
                                  "--deadline", "2026-01-31"])
    assert r.exit_code == 0, r.output
    return data, read_codes(data / "登录码-2026.xlsx")
