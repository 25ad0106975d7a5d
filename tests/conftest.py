"""Shared fixtures: real workbooks written to a temporary folder."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

# xlwings registers its remote engine (xw.Book(json=…)) when first imported, and only with a key: set
# before any test module imports it, in every pytest worker, whichever tests it runs first
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from jixiao.examples import EXAMPLES, load_example
from jixiao.forms.template import write_workbook

requires_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                      reason="LibreOffice (soffice) is not installed")


def as_at_a_terminal() -> None:
    """``preexec_fn`` for a child the test will Ctrl-C: SIGINT handled by default, as at a terminal.

    A suite started in the background (``pytest &`` without job control, ``nohup``) runs with SIGINT
    ignored, and a Python started that way keeps ignoring it: the Ctrl-C tests would then see the
    command run to its end and say nothing about what a clerk's Ctrl-C does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def windows_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip as Chinese Windows' "发送到 → 压缩文件夹" writes it: names in GBK bytes, no UTF-8 flag.

    Python's zipfile writes any non-ASCII name as UTF-8 with the flag set, so each entry is written
    under an ASCII stand-in of its GBK name's length (``aaa…``, ``bbb…``), and the bytes are put in its place afterwards."""
    buf = io.BytesIO()
    names = [name.encode("gbk") for name, _ in entries]
    with zipfile.ZipFile(buf, "w") as zf:
        for i, (name, (_, data)) in enumerate(zip(names, entries)):
            zf.writestr(chr(ord("a") + i) * len(name), data)
    raw = buf.getvalue()
    for i, name in enumerate(names):
        stand_in = chr(ord("a") + i).encode() * len(name)
        assert raw.count(stand_in) == 2, "a stand-in name also occurs in an entry's data"  # local header + directory
        raw = raw.replace(stand_in, name)
    assert not any(info.flag_bits & 0x800 for info in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    return raw


def sichuan_workbook(path: Path, budget, weights: tuple = (40, 30, 30)) -> Path:
    """The committed 四川 template filled as a clerk fills it (openpyxl writes what Excel stores): one
    project with ``budget`` typed into its 预算数 (in 元) and three indicators weighted ``weights``."""
    import openpyxl

    wb = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook_templates" / "jixiao-unit-sichuan.xlsx")
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B5"], unit["B6"] = "154001", "成都市某局", "510100", 2026
    ws = wb["项目1"]
    ws["B4"], ws["G4"], ws["B5"] = "信息化运维", budget, "保障系统稳定运行"
    rows = [("产出指标", "数量指标", "运维系统数", "≥", "5", "个", weights[0], "正向"),
            ("效益指标", "社会效益指标", "服务保障", "定性", "有效保障", None, weights[1], None),
            ("满意度指标", "服务对象满意度指标", "用户满意度", "≥", "95", "%", weights[2], "正向")]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.cell(7 + i, 1 + j, value)
    wb.save(path)
    return path


requires_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                      reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture(scope="session")
def example_books():
    return {name: load_example(name) for name in EXAMPLES}


@pytest.fixture(scope="session")
def example_files(tmp_path_factory, example_books) -> dict[str, Path]:
    """Each seed example written as a unit workbook."""
    folder = tmp_path_factory.mktemp("examples")
    return {name: write_workbook(folder / f"{name}.xlsx", book) for name, book in example_books.items()}


@pytest.fixture
def foreign_xlsx(tmp_path) -> Path:
    """A workbook that was not made from a jixiao template."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目编码"
    wb.active["B1"] = "13082426P000327100327"
    path = tmp_path / "foreign.xlsx"
    wb.save(path)
    return path


@contextmanager
def tmpfs(disk: Path, options: str = "size=64k"):
    """A small tmpfs mounted at ``disk`` (a real disk of its own: full, read-only …), unmounted on leaving;
    the test is skipped where mounting needs root and the process has none."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount tmpfs here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.fixture
def full_disk(tmp_path):
    """A 64 KB tmpfs filled to the last byte, with an earlier output (旧.json) and an empty folder (out)."""
    with tmpfs(tmp_path / "满盘") as disk:
        (disk / "旧.json").write_text('{"old": true}', encoding="utf-8")  # an earlier output, to keep
        (disk / "out").mkdir()
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 512)
        except OSError:
            pass
        finally:
            os.close(fd)
        yield disk
