"""Which files a run sees, and how it names them (issue 14, points 7, 9, 10, 18, 25).

Real folders, real links, FIFOs, sockets and GBK file names, each run through the
real command line. Whatever could hang (a FIFO, a device) runs in a subprocess
with a timeout, so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from jixiao.cli import main
from jixiao.consolidation.sheets import ISSUES, REJECTED
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook

TEMPLATES = Path(__file__).resolve().parents[1] / "workbook_templates"
GBK = "单位".encode("gbk") + b".xlsx"  # how a zip from Chinese Windows names 单位.xlsx

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets and byte file names are POSIX")


@pytest.fixture(scope="module")
def units(tmp_path_factory) -> list[Path]:
    """Eight small unit workbooks (100001 … 100008), written once; tests copy them."""
    folder = tmp_path_factory.mktemp("units")
    paths = []
    for i in range(8):
        book = generate_unit(i, n_projects=1, n_indicators=3)
        paths.append(write_workbook(folder / f"{book.unit.code}.xlsx", book))
    return paths


def _folder(tmp_path: Path, units: list[Path], n: int, name: str = "交来的文件") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for p in units[:n]:
        shutil.copy(p, folder / p.name)
    return folder


def _cli(*args, timeout: int = 60) -> tuple[int, str, str]:
    """The real ``jixiao`` in a subprocess; arguments may be bytes (file names that are not UTF-8)."""
    proc = subprocess.run([sys.executable, "-m", "jixiao.cli", *map(os.fsencode, args)], capture_output=True,
                          timeout=timeout, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def _consolidate(out: Path, *inputs, runner: bool = True) -> tuple[int, dict]:
    args = ["consolidate", *map(os.fspath, inputs), "-o", str(out), "--format", "json", "--workers", "1",
            "--no-cache"]
    if runner:
        result = CliRunner().invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        code, stdout = result.exit_code, result.stdout
    else:
        code, stdout, stderr = _cli(*args)
        assert "Traceback" not in stderr, stderr
    data = json.loads(stdout)
    assert data["files_found"] == data["consolidated"] + data["not_consolidated"]
    return code, data


def _rows(out: Path, sheet: str) -> list[list]:
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(sheet).to_python()
    return [r for r in rows[1:] if any(v != "" for v in r)]


def _sources(out: Path) -> list[str]:
    """单位汇总's 来源文件 column (the totals row has none)."""
    return [r[-1] for r in _rows(out, "单位汇总") if r[-1]]


def _not_consolidated(out: Path) -> dict[str, tuple[str, str]]:
    """未纳入文件 as file name → (code, reason)."""
    return {os.path.basename(r[0]): (r[1], r[2]) for r in _rows(out, REJECTED)}


# --- 7: one file is one file -----------------------------------------------------------------------

@pytest.mark.parametrize("how", ["folder twice", "relative and absolute", "folder and a file in it",
                                 "symlink and hard link inside"])
def test_a_file_reached_twice_is_counted_once(tmp_path, units, how, monkeypatch):
    folder = _folder(tmp_path, units, 8)
    monkeypatch.chdir(tmp_path)
    inputs = {"folder twice": [folder.name, f"{folder.name}/../{folder.name}"],  # two spellings of one folder
              "relative and absolute": [Path(folder.name), folder.resolve()],
              "folder and a file in it": [Path(folder.name), folder.resolve() / units[0].name],
              "symlink and hard link inside": [folder]}[how]
    if how.startswith("symlink"):
        os.symlink(units[0].name, folder / "链接.xlsx")
        os.link(folder / units[1].name, folder / "硬链接.xlsx")
        (folder / "下级").mkdir()
        os.symlink(folder / units[2].name, folder / "下级" / "另一个链接.xlsx")
    code, data = _consolidate(tmp_path / "汇总.xlsx", *inputs)
    assert (data["files_found"], data["consolidated"], data["not_consolidated"]) == (8, 8, 0)
    assert "JX-D01" not in data["codes"] and code == 0
    assert sorted(os.path.basename(p) for p in _sources(tmp_path / "汇总.xlsx")) == sorted(p.name for p in units)  # the own names, not the links


def test_units_without_code_or_name_are_not_duplicates(tmp_path, units):
    folder = _folder(tmp_path, units, 1)
    for i in (20, 21):
        book = generate_unit(i, n_projects=1, n_indicators=3)
        book.unit.code = book.unit.name = None
        write_workbook(folder / f"无名{i}.xlsx", book)
    out = tmp_path / "汇总.xlsx"
    code, data = _consolidate(out, folder)
    assert (data["files_found"], data["consolidated"], data["units"]) == (3, 3, 3)
    assert "JX-D01" not in data["codes"] and code == 1  # the JX-L02 errors
    l02 = {os.path.basename(r[2]) for r in _rows(out, ISSUES) if r[3] == "JX-L02"}
    assert l02 == {"无名20.xlsx", "无名21.xlsx"}  # each listed with its own finding


# --- 9: file names from Windows zips -----------------------------------------------------------------

@posix_only
def test_gbk_names_are_read_and_shown_readably(tmp_path, units):
    folder = _folder(tmp_path, units, 1)
    raw = os.fsencode(folder)
    shutil.copy(units[1], raw + b"/" + GBK)
    os.mkdir(raw + b"/" + "乡镇".encode("gbk"))
    shutil.copy(units[2], raw + b"/" + "乡镇".encode("gbk") + b"/" + "新报".encode("gbk") + b".xlsx")
    (Path(os.fsdecode(raw + b"/\xff\xfe.docx"))).write_bytes(b"not a workbook")  # not GBK either
    out = tmp_path / "汇总.xlsx"
    code, data = _consolidate(out, folder, runner=False)
    assert (data["files_found"], data["consolidated"], data["not_consolidated"]) == (4, 3, 1)
    rejected = data["not_consolidated_files"]
    assert [os.path.basename(r["path"]) for r in rejected] == ["\\xff\\xfe.docx"]
    assert {str(folder / "单位.xlsx"), str(folder / "乡镇" / "新报.xlsx")} <= set(_sources(out))
    assert _not_consolidated(out) == {"\\xff\\xfe.docx": ("JX-D03", "不是 Excel 工作簿（扩展名 .docx），未汇总")}

    # with the cache, twice (its keys hold the names): the same, the second run from the cache
    args = ["consolidate", str(folder), "-o", str(tmp_path / "缓存" / "汇总.xlsx"), "--workers", "1"]
    first, second = _cli(*args), _cli(*args)
    assert first[0] == second[0] == 1 and "来自缓存" not in first[1] and "Traceback" not in first[2]
    assert "找到 4 = 纳入 3 + 未纳入 1" in second[1] and "本次读取 0 个文件（其余 3 个来自缓存）" in second[1]


@posix_only
def test_a_gbk_name_that_reads_like_another_file_stays_apart(tmp_path, units):
    folder = _folder(tmp_path, [], 0)
    shutil.copy(units[0], folder / "单位.xlsx")
    shutil.copy(units[1], os.fsencode(folder) + b"/" + GBK)
    out = tmp_path / "汇总.xlsx"
    code, data = _consolidate(out, folder, runner=False)
    assert (data["files_found"], data["consolidated"], data["units"]) == (2, 2, 2) and code == 0
    names = sorted(os.path.basename(p) for p in _sources(out))
    assert names[1] == "单位.xlsx" and names[0].startswith("\\xb5\\xa5")  # its bytes escaped, so it stays apart


@posix_only
def test_a_summary_in_a_gbk_folder(tmp_path, units):
    folder = _folder(tmp_path, units, 2)
    out = os.fsencode(tmp_path) + b"/" + "解压".encode("gbk") + b"/" + "汇总".encode("gbk") + b".xlsx"
    args = ["consolidate", str(folder), "-o", out, "--workers", "1"]
    first, second = _cli(*args), _cli(*args)  # the cache beside it too
    assert first[0] == second[0] == 0, first[2] + second[2]
    assert f"汇总完成：{tmp_path}/解压/汇总.xlsx" in first[1] and "其余 2 个来自缓存" in second[1]
    assert os.path.exists(out)


@posix_only
@pytest.mark.parametrize("command", [["validate"], ["validate", "--format", "json"], ["totals"], ["show"],
                                     ["export", "--to", "json", "-o", "OUT"]])
def test_single_file_commands_read_a_gbk_name(tmp_path, units, command):
    path = os.fsencode(tmp_path) + b"/" + GBK
    shutil.copy(units[0], path)
    args = [os.fsencode(a) if a != "OUT" else os.fsencode(tmp_path / "导出.json") for a in command]
    code, stdout, stderr = _cli(args[0], path, *args[1:])
    assert code == 0, stderr
    assert "Traceback" not in stderr
    if command[0] == "validate":
        assert str(tmp_path / "单位.xlsx") in stdout  # the readable name
    if command[0] == "export":
        stdout = (tmp_path / "导出.json").read_text(encoding="utf-8")
    assert "100001" in stdout


# --- 10: only regular files are opened ---------------------------------------------------------------

def _special_files(folder: Path) -> None:
    os.mkfifo(folder / "管道.xlsx")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "套接字.xlsx"))
    sock.close()  # the socket file stays
    os.symlink("/dev/zero", folder / "零.xlsx")


@posix_only
def test_fifo_socket_and_device_are_listed_never_opened(tmp_path, units, monkeypatch):
    folder = _folder(tmp_path, units, 2)
    monkeypatch.chdir(folder)  # a socket's path must be short
    _special_files(Path("."))
    out = tmp_path / "汇总.xlsx"
    code, data = _consolidate(out, folder, runner=False)
    assert (data["files_found"], data["consolidated"], data["not_consolidated"]) == (5, 2, 3) and code == 1
    assert _not_consolidated(out) == {
        "管道.xlsx": ("JX-D03", "不是普通文件（命名管道），未打开读取"),
        "套接字.xlsx": ("JX-D03", "不是普通文件（套接字），未打开读取"),
        "零.xlsx": ("JX-D03", "不是普通文件（字符设备），未打开读取")}


@posix_only
@pytest.mark.parametrize("command", [["validate"], ["totals"], ["show"], ["validate", "--fix", "-o", "修正.xlsx"],
                                     ["export", "--to", "json", "-o", "导出.json"], ["score"],
                                     ["selfeval", "new", "-o", "自评.xlsx"]])
def test_single_file_commands_refuse_special_files(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _special_files(Path("."))
    for name, kind in (("管道.xlsx", "命名管道"), ("零.xlsx", "字符设备"), ("套接字.xlsx", "套接字")):
        head = command[:2] if command[0] == "selfeval" else command[:1]
        code, stdout, stderr = _cli(*head, name, *command[len(head):])
        assert code == 2 and f"不是普通文件（{kind}）" in stdout + stderr, (name, stdout, stderr)
        assert "JX-D03" in stdout + stderr and "Traceback" not in stderr


@posix_only
def test_import_refuses_a_fifo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("绩效目标.docx")
    code, stdout, stderr = _cli("import", "绩效目标.docx", "-o", "导入.xlsx")
    assert code == 2 and "不是普通文件（命名管道）" in stderr and not Path("导入.xlsx").exists()


# --- 18: folder links ----------------------------------------------------------------------------------

@posix_only
def test_folder_links_are_followed_once_and_never_loop(tmp_path, units):
    folder = _folder(tmp_path, units, 2)
    (folder / "乡镇").mkdir()
    shutil.copy(units[2], folder / "乡镇" / units[2].name)
    elsewhere = _folder(tmp_path, units[3:], 1, name="别处")
    os.symlink(folder / "乡镇", folder / "a 乡镇的链接")  # the same folder again (listed first by name)
    os.symlink("..", folder / "乡镇" / "上一级")  # a loop
    os.symlink(elsewhere, folder / "别处的链接")  # a folder outside: its unit is consolidated
    os.symlink(tmp_path / "不存在", folder / "断开的链接")
    out = tmp_path / "汇总.xlsx"
    code, data = _consolidate(out, folder, runner=False)
    assert (data["files_found"], data["consolidated"], data["not_consolidated"]) == (5, 4, 1)
    listed = _not_consolidated(out)
    assert listed == {"断开的链接": ("JX-D03", "无法访问文件（快捷方式或链接指向的文件不存在）")}
    assert not any("扩展名 无" in reason for _, reason in listed.values())
    sources = _sources(out)
    assert str(folder / "乡镇" / units[2].name) in sources  # by the folder's own name, not the link's
    assert str(folder / "别处的链接" / units[3].name) in sources


# --- 25: empty inputs ------------------------------------------------------------------------------------

def test_an_empty_folder_says_so_and_exits_1(tmp_path):
    (tmp_path / "空").mkdir()
    result = CliRunner().invoke(main, ["consolidate", str(tmp_path / "空"), "-o", str(tmp_path / "汇总.xlsx"),
                                       "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "没有可汇总的单位工作簿：输入中没有找到任何文件" in result.output
    assert "来自缓存" not in result.output


def test_blank_templates_are_listed_as_blank(tmp_path, units):
    folder = _folder(tmp_path, [], 0)
    shutil.copy(TEMPLATES / "jixiao-unit-hebei.xlsx", folder / "新模板.xlsx")
    shutil.copy(TEMPLATES / "jixiao-selfeval-hebei.xlsx", folder / "自评模板.xlsx")
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "找到 2 = 纳入 0 + 未纳入 2" in result.output and "没有可汇总的单位工作簿" in result.output
    listed = _not_consolidated(out)
    assert set(listed) == {"新模板.xlsx", "自评模板.xlsx"}
    for code, reason in listed.values():
        assert code == "JX-L02" and reason.startswith("空白模板（未填写）") and "预算年度" in reason
        assert "未填写预算年度，本次汇总" not in reason
    # with a unit beside them, the templates are still blank, the unit is consolidated
    shutil.copy(units[0], folder / units[0].name)
    code, data = _consolidate(out, folder)
    assert (data["consolidated"], data["not_consolidated"], data["year"]) == (1, 2, 2026)
    assert {r["code"] for r in data["not_consolidated_files"]} == {"JX-L02"}


def test_the_cache_line_appears_only_when_something_came_from_it(tmp_path, units):
    folder = _folder(tmp_path, units, 2)
    args = ["consolidate", str(folder), "-o", str(tmp_path / "汇总.xlsx"), "--workers", "1"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and "本次读取 2 个文件" in first.output and "来自缓存" not in first.output
    shutil.copy(units[2], folder / units[2].name)
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "本次读取 1 个文件（其余 2 个来自缓存）" in second.output
    no_cache = CliRunner().invoke(main, args + ["--no-cache"])
    assert "本次读取 3 个文件" in no_cache.output and "来自缓存" not in no_cache.output
