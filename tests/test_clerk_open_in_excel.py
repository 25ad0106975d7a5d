"""A workbook still open in Excel (``~$单位.xlsx`` beside it): the command says that it reads the file
as last saved, so a clerk who forgot Ctrl+S knows why the old findings came back. It reads it all the same."""

from __future__ import annotations

from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.template import write_workbook
from jixiao.openlock import open_notices
from jixiao.synth import generate_unit


def test_open_workbook_is_said_and_still_read(tmp_path):
    path = write_workbook(tmp_path / "单位.xlsx", generate_unit(7, n_projects=1, n_indicators=3))
    plain = CliRunner().invoke(main, ["validate", str(path)])
    assert "正在 Excel 或 WPS 中打开" not in plain.output
    (tmp_path / "~$单位.xlsx").write_bytes(b"\x04" + "张三".encode("utf-16-le").ljust(53, b" "))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert "正在 Excel 或 WPS 中打开" in result.output and "~$单位.xlsx" in result.output
    assert result.exit_code == plain.exit_code and "合计：1 个文件" in result.output  # read as before


def test_outputs_and_locks_themselves_are_not_inputs(tmp_path):
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"x")
    (tmp_path / "~$汇总.xlsx").write_bytes(b"x")
    assert open_notices(["consolidate", str(tmp_path), "-o", str(out)]) == []
    assert open_notices(["validate", str(tmp_path / "~$汇总.xlsx")]) == []
    assert len(open_notices(["validate", str(out)])) == 1
