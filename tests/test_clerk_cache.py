"""What clerks do to a county folder between runs, and what disks do to a run (issue 14: 4, 5, 8, 17, 24).

A re-run with the cache equals a clean run cell for cell whatever happened to the files (4); identity
folds width and spacing (5); outputs are all or nothing and a killed run leaves nothing that the next
one miscounts (8); a damaged or unusable cache never loops nor locks a county out (17); links to
source files survive deep Chinese paths (24).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.cli import main
from jixiao.consolidation import consolidate
from jixiao.consolidation.sheets import ISSUES, PROJECTS, REJECTED, UNITS
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook

from test_consolidate import _cells

FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}  # ASCII digits → full-width digits


def _undated(seed: int, extra: int = 0):
    """A small unit with no 填表日期 (so JX-D01 decides by the files' times); ``extra`` 万元 more budget."""
    book = generate_unit(seed, n_projects=1, n_indicators=2)
    book.unit.fill_date = None
    book.projects[0].fiscal += extra
    book.projects[0].budget += extra
    return book


def _winners(path: Path) -> list[str]:
    return sorted(Path(r[-1]).name for r in _cells(path)[UNITS][1:] if r[0] != "合计")


# --- 4: a re-run equals a clean run ------------------------------------------------------------

def test_recopied_older_file_wins_with_and_without_cache(tmp_path):
    """Two files of one unit, no 填表日期: the newer file wins. Copying the older one again (same bytes,
    new time) makes it the newer one: the cached run must see that, as --no-cache does."""
    folder = tmp_path / "单位"
    folder.mkdir()
    write_workbook(folder / "旧稿.xlsx", _undated(3))
    write_workbook(folder / "新稿.xlsx", _undated(3, extra=7))
    os.utime(folder / "旧稿.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(folder / "新稿.xlsx", (1_700_000_500, 1_700_000_500))
    out = tmp_path / "汇总.xlsx"
    first = consolidate([folder], out, workers=1)
    assert _winners(out) == ["新稿.xlsx"]
    kept = tmp_path / "旧稿副本.xlsx"
    shutil.copy2(folder / "旧稿.xlsx", kept)
    shutil.copy(kept, folder / "旧稿.xlsx")  # re-copied: same bytes, modified now
    again = consolidate([folder], out, workers=1)
    assert again.read == 0, "same bytes: nothing read again, only hashed"
    fresh = consolidate([folder], tmp_path / "clean.xlsx", workers=1, use_cache=False)
    assert _winners(tmp_path / "clean.xlsx") == ["旧稿.xlsx"]
    assert _winners(out) == ["旧稿.xlsx"], "the winner is decided by the file as it is now"
    assert again.budget == fresh.budget == first.budget - 7
    assert _cells(out) == _cells(tmp_path / "clean.xlsx")


_BOOKS: dict[tuple[int, int], bytes] = {}


def _book_bytes(seed: int, variant: int) -> bytes:
    """Unit ``seed`` in one of a few versions (made once per session: writing workbooks is the slow part)."""
    if (seed, variant) not in _BOOKS:
        with tempfile.TemporaryDirectory() as tmp:
            write_workbook(Path(tmp) / "u.xlsx", _undated(seed, extra=variant))
            _BOOKS[seed, variant] = (Path(tmp) / "u.xlsx").read_bytes()
    return _BOOKS[seed, variant]


NAMES = ["甲.xlsx", "乙.xlsx", "丙.xlsx", "子/丁.xlsx"]
STEP = st.one_of(
    st.tuples(st.just("edit"), st.sampled_from(NAMES), st.integers(0, 1), st.integers(0, 2)),
    st.tuples(st.just("copy"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.tuples(st.just("touch"), st.sampled_from(NAMES), st.integers(0, 3)),
    st.tuples(st.just("rename"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.tuples(st.just("delete"), st.sampled_from(NAMES)),
)
EXAMPLES = int(os.environ.get("JIXIAO_PROPERTY_EXAMPLES", "12"))


def _apply(folder: Path, step: tuple) -> None:
    kind, name, *rest = step
    path = folder / name
    path.parent.mkdir(exist_ok=True)
    if kind == "edit":  # a unit's file (re)written: one of two units, in one of three versions
        seed, variant = rest
        path.write_bytes(_book_bytes(seed, variant))
    elif not path.exists():
        return
    elif kind == "copy" and rest[0] != name:
        shutil.copy(path, folder / rest[0])
    elif kind == "touch":  # equal times too: then the path decides
        os.utime(path, (1_700_000_000 + 100 * rest[0],) * 2)
    elif kind == "rename" and rest[0] != name:
        os.replace(path, folder / rest[0])
    elif kind == "delete":
        path.unlink()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=int(os.environ.get("JIXIAO_PROPERTY_STEPS", "4"))))
def test_cached_summary_equals_clean_summary_after_any_changes(steps):
    """Random edits, copies, touches, renames and deletions, a cached run after each: every summary
    equals the one a --no-cache run makes of the same files, cell for cell (JX-D01 winners included)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder, out, clean = Path(tmp) / "单位", Path(tmp) / "汇总.xlsx", Path(tmp) / "clean.xlsx"
        (folder / "子").mkdir(parents=True)
        for name, seed in zip(NAMES[:2], (0, 0)):  # two files of one unit to begin with
            _apply(folder, ("edit", name, seed, NAMES.index(name)))
        consolidate([folder], out, workers=1)
        for step in steps:
            _apply(folder, step)
            cached = consolidate([folder], out, workers=1)
            fresh = consolidate([folder], clean, workers=1, use_cache=False)
            assert cached.to_json() | {"output": "", "files_read": 0} == \
                fresh.to_json() | {"output": "", "files_read": 0}, step
            assert _cells(out) == _cells(clean), step


# --- 5: identity folds width and spacing ---------------------------------------------------------

def test_full_width_codes_are_the_same_unit_and_project(tmp_path):
    folder = tmp_path / "单位"
    folder.mkdir()
    a = generate_unit(1, n_projects=2, n_indicators=4)
    a.unit.fill_date = "2026-01-10"
    b = a.model_copy(deep=True)
    b.unit.code = " " + a.unit.code.translate(FULL)  # １００００２, pasted with a space
    b.unit.fill_date = "2025-12-01"
    write_workbook(folder / "半角.xlsx", a)
    write_workbook(folder / "全角.xlsx", b)
    other = generate_unit(30, n_projects=1, n_indicators=2)
    other.projects[0].code = a.projects[0].code.translate(FULL)[:6] + " " + a.projects[0].code[6:]
    write_workbook(folder / "别的单位.xlsx", other)
    result = consolidate([folder], tmp_path / "汇总.xlsx", workers=1)
    assert result.units == 2, "１０００ ０２ and 100002 are one unit"
    rejected = {Path(r[0]).name: r[1] for r in _cells(tmp_path / "汇总.xlsx")[REJECTED][1:]}
    assert rejected == {"全角.xlsx": "JX-D01"}
    issues = _cells(tmp_path / "汇总.xlsx")[ISSUES][1:]
    d02 = {Path(r[2]).name for r in issues if r[3] == "JX-D02"}
    assert d02 == {"半角.xlsx", "别的单位.xlsx"}, "a project code is compared width- and space-folded"


def test_full_width_project_codes_in_one_workbook_are_duplicates(tmp_path):
    book = generate_unit(2, n_projects=2, n_indicators=4)
    book.projects[1].code = book.projects[0].code.translate(FULL) + "\u3000"
    write_workbook(tmp_path / "单位.xlsx", book)
    done = CliRunner().invoke(main, ["validate", str(tmp_path / "单位.xlsx"), "--format", "json"])
    assert '"JX-C03"' in done.output


def test_identity_key_is_one_function_without_pydantic():
    code = ("import sys; from jixiao.forms.values import identity_key; "
            "from jixiao.consolidation.records import identity; "
            "assert identity_key('１５４ ００１') == identity_key('154001\\n') == '154001'; "
            "assert identity({'code': '１５４００１', 'name': 'x'}) == identity({'code': '154001', 'name': 'y'}); "
            "assert 'pydantic' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- 8: all or nothing -----------------------------------------------------------------------------

@contextmanager
def _small_disk(path: Path, size: str):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small disk needs root")
    path.mkdir(parents=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]).returncode:
        pytest.skip("cannot mount tmpfs here")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` so that about ``leave`` bytes stay free."""
    free = shutil.disk_usage(disk).free
    with open(disk / "填满.bin", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


def _snapshot(disk: Path) -> dict[str, bytes]:
    return {str(p.relative_to(disk)): p.read_bytes() for p in sorted(disk.rglob("*"))
            if p.is_file() and p.name != "填满.bin" and "jixiao-cache" not in p.name}


def _county(folder: Path, n: int = 6) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    books = [generate_unit(60 + i, n_projects=2, n_indicators=4) for i in range(n)]
    for b in books:
        write_workbook(folder / f"{b.unit.code}.xlsx", b)
    return books


@pytest.mark.parametrize("no_cache", [False, True])
def test_full_disk_replaces_no_output_and_leaves_no_temporary(tmp_path, no_cache):
    folder = tmp_path / "单位"
    books = _county(folder)
    with _small_disk(tmp_path / "盘", "3m") as disk:
        out, tables = disk / "汇总.xlsx", disk / "表格"
        args = ["consolidate", str(folder), "-o", str(out), "--csv-dir", str(tables)]
        args += ["--no-cache"] * no_cache
        assert CliRunner().invoke(main, args).exit_code == 0
        before = _snapshot(disk)
        changed = books[0].model_copy(deep=True)
        changed.projects[0].purpose = "重报" * 200
        write_workbook(folder / f"{changed.unit.code}.xlsx", changed)
        # room for the new summary but not for all of the CSV/Parquet set (or for the cache's growth)
        _fill(disk, leave=len(before["汇总.xlsx"]) + 24_000)
        done = CliRunner().invoke(main, args)
        assert done.exit_code == 2, done.output
        assert "磁盘已满" in done.output and "Traceback" not in done.output
        assert _snapshot(disk) == before, "no previous output replaced, no mixed set"
        left = [str(p.relative_to(disk)) for p in disk.rglob("*") if str(p.relative_to(disk)) not in before
                and p.name not in ("填满.bin", "表格") and not p.name.startswith(".汇总.jixiao-cache")]
        assert left == [], "temporary files are removed"
        (disk / "填满.bin").unlink()
        assert CliRunner().invoke(main, args).exit_code == 0
        assert _snapshot(disk) != before


def test_full_disk_while_writing_the_summary(tmp_path):
    folder = tmp_path / "单位"
    _county(folder)
    with _small_disk(tmp_path / "盘", "2m") as disk:
        out = disk / "汇总.xlsx"
        out.write_bytes(b"previous summary")
        _fill(disk, leave=8_000)
        done = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(out), "--no-cache"])
        assert done.exit_code == 2 and "磁盘已满" in done.output and str(out) in done.output, done.output
        assert out.read_bytes() == b"previous summary"
        assert sorted(p.name for p in disk.iterdir()) == ["填满.bin", "汇总.xlsx"]


def test_a_first_run_on_a_full_disk_leaves_nothing_behind(tmp_path):
    """-o into a new folder on a full disk: the run fails (JX-D05) and takes back what it made, the
    folder and its new cache (hidden on Linux, not on Windows), instead of leaving them to fill the disk
    further. A run that succeeds without the cache it could not create leaves no broken cache beside it."""
    folder = tmp_path / "单位"
    _county(folder)
    with _small_disk(tmp_path / "盘", "2m") as disk:
        _fill(disk, leave=8_000)
        done = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(disk / "新建" / "汇总.xlsx")])
        assert done.exit_code == 2 and "磁盘已满" in done.output, done.output
        assert sorted(p.name for p in disk.iterdir()) == ["填满.bin"]
        (disk / "填满.bin").unlink()
        summary = len(CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(disk / "量.xlsx"),
                                                "--no-cache"]).output) and (disk / "量.xlsx").stat().st_size
        (disk / "量.xlsx").unlink()
        _fill(disk, leave=summary + 20_000)  # room for the summary, not for a cache of its records
        done = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(disk / "汇总.xlsx")])
        assert done.exit_code in (0, 1) and "无法使用缓存文件" in done.output, done.output
        assert sorted(p.name for p in disk.iterdir()) == ["填满.bin", "汇总.xlsx"]


def test_a_killed_runs_leftovers_are_not_units_and_are_cleaned(tmp_path):
    """The summary written into the input folder; a killed run left its temporary summary and (with
    --no-cache) its temporary cache: neither is listed next time, and both are cleaned up."""
    folder = tmp_path / "单位"
    _county(folder, n=3)
    out = folder / "全县汇总.xlsx"
    first = consolidate([folder], out, workers=1)
    stale = folder / ".全县汇总.jixiao-tmp-k1ll3d00.xlsx"  # what a run killed while writing leaves
    shutil.copy(out, stale)
    tables = folder / ".表格.jixiao-tmp-k1ll3d00"
    tables.mkdir()
    (tables / "单位汇总.csv").write_text("x")
    again = consolidate([folder], out, workers=1)
    assert again.found == first.found and again.not_consolidated == first.not_consolidated == 0
    os.utime(stale, (time.time() - 7200,) * 2)
    consolidate([folder], out, workers=1)
    assert not stale.exists(), "a killed run's temporary summary (over an hour old) is removed"
    # a --no-cache run killed half-way leaves its temporary cache; the next run removes it
    many = tmp_path / "多"
    many.mkdir()
    unit = next(folder.glob("1*.xlsx"))
    for i in range(40):
        shutil.copy(unit, many / f"{i}.xlsx")
    private = tmp_path / "tmp"  # a temp folder of this test's own (/tmp is shared with other runs)
    private.mkdir()
    env = {**os.environ, "TMPDIR": str(private)}
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "consolidate", str(many), "-o",
                             str(tmp_path / "k.xlsx"), "--no-cache", "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.time() + 60
    while not list(private.glob("jixiao-cache-*/pid")) and time.time() < deadline:  # made, and said whose
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    leftover = list(private.glob("jixiao-cache-*"))
    assert leftover and all(p.is_dir() for p in leftover), "killed: it could not remove its temporary cache"
    subprocess.run([sys.executable, "-m", "jixiao.cli", "consolidate", str(folder), "-o", str(tmp_path / "n.xlsx"),
                    "--no-cache"], env=env, capture_output=True)
    assert list(private.iterdir()) == [], "the next run removes a dead run's temporary cache, and its own"
    assert not list(tmp_path.glob(".k.jixiao-tmp-*"))
    # a cached run, its summary and cache in the input folder, killed while its SQLite WAL is open
    wal = many / ".汇总.jixiao-cache.sqlite-wal"
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "consolidate", str(many), "-o",
                             str(many / "汇总.xlsx"), "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not wal.exists() and time.time() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    result = consolidate([many], many / "汇总.xlsx", workers=1)
    assert result.found == 40 and {r["code"] for r in result.rejected} == {"JX-D01"}, \
        "the WAL, its index and temporaries are not units (the 40 copies are one unit)"
    assert sorted(p.name for p in many.iterdir() if not p.name.endswith(".xlsx") or p.name.startswith(".")) \
        == [".汇总.jixiao-cache.sqlite"], "a normal run leaves no WAL or temporary behind"


# --- 17: the cache cannot loop or lock a county out ------------------------------------------------

RUN = r'''
import json, sys
from jixiao.consolidation import consolidate
result = consolidate([sys.argv[1]], sys.argv[2], workers=1)
print(json.dumps({"read": result.read, "budget": str(result.budget), "notices": getattr(result, "notices", None)}))
'''


def _run_limited(folder: Path, out: Path) -> dict:
    import json

    done = subprocess.run([sys.executable, "-c", RUN, str(folder), str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("damage", ["chunk size", "chunk too short", "placement", "placement columns"])
def test_damaged_lengths_in_the_cache_mean_rebuilding_not_looping(tmp_path, damage):
    folder = tmp_path / "单位"
    _county(folder, n=4)
    out = tmp_path / "汇总.xlsx"
    first = consolidate([folder], out, workers=1)
    clean = tmp_path / "clean.xlsx"
    consolidate([folder], clean, workers=1, use_cache=False)
    import marshal

    with sqlite3.connect(tmp_path / ".汇总.jixiao-cache.sqlite") as db:
        if damage.startswith("chunk"):
            key, blob = db.execute("SELECT key, units FROM records WHERE units IS NOT NULL").fetchone()
            if damage == "chunk size":  # an uncompressed length that wraps to -1 in zlib's crc32_combine
                blob = blob[:4] + struct.pack("<Q", 2 ** 64 - 1) + blob[12:]
            else:
                blob = blob[:9]
            db.execute("UPDATE records SET units = ? WHERE key = ?", (blob, key))
            out.unlink()  # no previous summary to copy from: every chunk comes from the cache
        else:
            (data,) = db.execute("SELECT placements FROM summary").fetchone()
            placements = marshal.loads(data)
            part = next(iter(placements))
            columns = list(placements[part])
            if damage == "placement":
                columns[6] = [-(10 ** 12)] + columns[6][1:]  # a piece's uncompressed start, negative
            else:
                columns[2] = columns[2][:-1]
            placements[part] = tuple(columns)
            db.execute("UPDATE summary SET placements = ?", (marshal.dumps(placements),))
    again = _run_limited(folder, out)  # (looped forever before: the timeout fails it)
    assert Decimal(again["budget"]) == first.budget
    assert _cells(out) == _cells(clean)


def test_a_folder_where_the_cache_goes_is_named_and_the_run_goes_on(tmp_path):
    folder = tmp_path / "单位"
    _county(folder, n=2)
    blocker = tmp_path / ".汇总.jixiao-cache.sqlite"
    blocker.mkdir()
    (blocker / "别人的文件.txt").write_text("留着")
    done = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(tmp_path / "汇总.xlsx")])
    assert done.exit_code == 0, done.output
    assert "是一个文件夹" in done.output and "本次不使用缓存" in done.output and "另一个汇总" not in done.output
    assert (blocker / "别人的文件.txt").read_text() == "留着"
    assert (tmp_path / "汇总.xlsx").exists()


def test_a_cache_name_too_long_for_the_file_system_is_named_and_the_run_goes_on(tmp_path):
    folder = tmp_path / "单位"
    _county(folder, n=2)
    out = tmp_path / ("县" * 79 + ".xlsx")  # 242 bytes: fits; its cache's name (258 bytes) does not
    done = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(out), "--format", "json"])
    assert done.exit_code == 0, done.output
    assert "太长" in done.output and "本次不使用缓存" in done.output and "另一个汇总" not in done.output
    assert out.exists() and sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, "单位"])


# --- 24: links to source files from deep Chinese paths ----------------------------------------------

def test_links_from_deep_chinese_paths_are_cell_hyperlinks(tmp_path):
    """A HYPERLINK formula holds at most 255 characters (Excel); a deep Chinese path is longer as a file
    URI (each character is nine). Those links are cell hyperlinks, in the sheet's relationships part."""
    from jixiao.consolidation.sheets import COLUMNS, file_uri

    deep = tmp_path.joinpath("县", "二〇二六年度预算绩效目标", "各乡镇各部门报送材料（第二批）", "教育卫生文化系统",
                             "县教育局及所属学校")
    deep.mkdir(parents=True)
    shallow = tmp_path / "乙"
    shallow.mkdir()
    a, b = generate_unit(70, n_projects=2, n_indicators=3), generate_unit(71, n_projects=1, n_indicators=3)
    write_workbook(deep / "县第一中学二〇二六年度项目支出绩效目标表（定稿）.xlsx", a)
    write_workbook(shallow / "b.xlsx", b)
    out = tmp_path / "汇总.xlsx"
    consolidate([tmp_path / "县", shallow], out, workers=1)
    source = next(deep.glob("*.xlsx"))
    targets = [f"{file_uri(str(source))}#'{p.sheet}'!A1" for p in read_projects(source)]
    assert all(len(t) > 255 for t in targets)
    column = chr(ord("A") + len(COLUMNS[PROJECTS]) - 1)

    def check(path: Path) -> None:
        ws = openpyxl.load_workbook(path)[PROJECTS]
        rows = {r[0].row: r for r in ws.iter_rows(min_row=2) if r[0].value not in (None, "合计")}
        links = {n: ws[f"{column}{n}"].hyperlink for n in rows if ws[f"{column}{n}"].hyperlink}
        linked = {f"{h.target}#{h.location}": n for n, h in links.items()}
        assert sorted(linked) == sorted(targets), "each deep project row links its sheet in its file"
        for target, n in linked.items():
            assert rows[n][2].value in target and ws[f"{column}{n}"].value == "打开"
        formulas = [str(ws[f"{column}{n}"].value) for n in rows if n not in linked.values()]
        assert formulas and all(f.startswith("=HYPERLINK(") for f in formulas), "short links stay formulas"

    check(out)
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        rels = zf.read("xl/worksheets/_rels/sheet3.xml.rels").decode()
        assert all(f'Target="{t.split("#")[0]}" TargetMode="External"' in rels for t in targets)
        sheet = zf.read("xl/worksheets/sheet3.xml").decode()
        assert "<hyperlinks>" in sheet and "location=\"'项目2'!A1\"" in sheet
    # a re-run (rows copied from the previous summary) keeps them, and so does a clean run
    again = consolidate([tmp_path / "县", shallow], out, workers=1)
    assert again.read == 0
    check(out)
    consolidate([tmp_path / "县", shallow], tmp_path / "clean.xlsx", workers=1, use_cache=False)
    check(tmp_path / "clean.xlsx")
    assert _cells(out) == _cells(tmp_path / "clean.xlsx")


def read_projects(path: Path):
    from jixiao.forms.reader import read_workbook

    return read_workbook(path).projects


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_deep_links_open_in_libreoffice(tmp_path):
    from jixiao.excel.office import convert

    deep = tmp_path.joinpath("二〇二六年度预算绩效目标报送材料", "各乡镇各部门（第二批）汇总前的原始文件", "县卫生健康系统")
    deep.mkdir(parents=True)
    write_workbook(deep / "县中心医院二〇二六年度项目支出绩效目标表.xlsx", generate_unit(72, n_projects=1,
                                                                                       n_indicators=2))
    out = tmp_path / "汇总.xlsx"
    consolidate([deep], out, workers=1)
    saved = convert(out, "xlsx", tmp_path / "lo")  # LibreOffice opens it and saves it again
    link = next(c for row in openpyxl.load_workbook(saved)[PROJECTS].iter_rows(min_row=2) for c in row
                if c.hyperlink).hyperlink
    # it keeps the link, as a path relative to where it saved the file
    assert (Path(saved).parent / link.target).resolve() == next(deep.glob("*.xlsx")).resolve()
    assert link.location == "'项目1'!A1"
