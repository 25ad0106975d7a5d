"""A project sheet the clerk hid (right-click the tab → 隐藏): counted, but not on the printout (JX-L07).

Excel and WPS print only visible sheets, so the paper a unit hands in would lack a project whose money
every total includes. jixiao keeps counting it (hiding is no way to withdraw a project) and says so.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.consolidation import consolidate
from jixiao.forms.reader import read_workbook
from jixiao.forms.template import write_workbook
from jixiao.synth import generate_unit
from jixiao.checks.validate import validate_file


def _hide(path: Path, name: str) -> Path:
    wb = openpyxl.load_workbook(path)
    wb[name].sheet_state = "hidden"
    wb.save(path)
    return path


def _workbook(tmp_path: Path) -> tuple[Path, Decimal]:
    path = write_workbook(tmp_path / "单位.xlsx", generate_unit(41, n_projects=3, n_indicators=5))
    book = read_workbook(path)
    return path, sum((p.budget for p in book.projects), Decimal(0))


def test_hidden_project_sheet_is_counted_with_a_warning(tmp_path):
    path, budget = _workbook(tmp_path)
    assert not [i for i in validate_file(path).issues if i.code == "JX-L07"]  # all visible: nothing said
    _hide(path, "项目2")
    book = read_workbook(path)
    assert [p.sheet for p in book.projects] == ["项目1", "项目2", "项目3"]
    found = [i for i in validate_file(path).issues if i.code == "JX-L07"]
    assert len(found) == 1 and found[0].sheet == "项目2" and found[0].severity == "warning"
    assert "不会印出" in found[0].message and "取消隐藏" in found[0].message

    result = CliRunner().invoke(main, ["totals", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output  # a warning: the total is complete
    data = json.loads(result.output)
    assert Decimal(data["total"]["budget"]) == budget
    assert [f["code"] for f in data["findings"]] == ["JX-L07"]
    assert "JX-L07" in CliRunner().invoke(main, ["totals", str(path)]).output


def test_hidden_project_sheet_is_listed_in_the_summary(tmp_path):
    (tmp_path / "in").mkdir()
    path, budget = _workbook(tmp_path / "in")
    _hide(path, "项目3")
    out = tmp_path / "汇总.xlsx"
    consolidate([tmp_path / "in"], out, use_cache=False)
    wb = openpyxl.load_workbook(out, read_only=True)
    codes = [row for row in wb["校验问题"].iter_rows(values_only=True) if "JX-L07" in row]
    assert len(codes) == 1 and "项目3" in codes[0]
    units = list(wb["单位汇总"].iter_rows(values_only=True))
    assert Decimal(str(units[1][4])) == budget
