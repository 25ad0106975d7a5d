"""Files a clerk picks by mistake, named by what they are: Excel's lock file of an open workbook
(``~$单位.xlsx``) and a WPS 表格 ``.et`` file.

By their bytes alone the first is "not an .xlsx, maybe renamed" and the second "an old .xls": both send
the clerk looking for the wrong thing. Every command that reads one file says what it is and what to
choose instead; consolidation says the same of an .et in the folder.
"""

from __future__ import annotations

import os

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.consolidation import consolidate
from jixiao.forms.template import write_workbook
from jixiao.synth import generate_unit

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # WPS saves .et as a compound file, as Excel saves .xls
# what Excel writes beside an open 单位.xlsx: the user's name, padded (165 bytes, no zip)
LOCK = bytes([4]) + "张三".encode("utf-16-le").ljust(53, b" ") + b"\0" * 111


def _run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.mark.parametrize("command", [["validate"], ["totals"], ["show"], ["export", "--to", "csv", "-o", "x.csv"]])
def test_lock_file_is_named_as_one(tmp_path, command):
    write_workbook(tmp_path / "单位.xlsx", generate_unit(5, n_projects=1, n_indicators=3))
    lock = tmp_path / "~$单位.xlsx"
    lock.write_bytes(LOCK)
    result = _run(command[0], lock, *command[1:])
    assert result.exit_code == 2
    assert "临时锁定文件" in result.output and "不带“~$”" in result.output
    assert "改了扩展名" not in result.output


@pytest.mark.parametrize("command", [["validate"], ["totals"], ["carry", "--year", "2027", "-o", "x.xlsx"]])
def test_et_file_is_named_as_wps(tmp_path, command):
    et = tmp_path / "绩效目标.et"
    et.write_bytes(OLE)
    result = _run(command[0], et, *command[1:])
    assert result.exit_code == 2
    assert "WPS" in result.output and "另存为" in result.output and ".xlsx" in result.output
    assert "旧版 .xls" not in result.output
    xls = tmp_path / "绩效目标.xls"  # the same bytes named .xls are an old Excel file
    xls.write_bytes(OLE)
    assert "旧版 .xls" in _run(command[0], xls, *command[1:]).output


def test_consolidation_names_an_et_file(tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    write_workbook(folder / "单位.xlsx", generate_unit(5, n_projects=1, n_indicators=3))
    (folder / "绩效目标.et").write_bytes(OLE)
    out = tmp_path / "汇总.xlsx"
    consolidate([folder], out, use_cache=False, workers=1)
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = {os.path.basename(str(r[0])): r[2] for r in list(wb["未纳入文件"].iter_rows(values_only=True))[1:] if r[0]}
    assert "WPS" in rows["绩效目标.et"] and "另存为" in rows["绩效目标.et"]
