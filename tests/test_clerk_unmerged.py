"""A merged input the clerk unmerged (开始 → 合并后居中, clicked off) and then typed into its right piece.

Unmerged, ``F7:G7`` (10月底) is two cells, both under the 10月底 heading: a clerk clicking the middle
types into G7. jixiao read the empty F7 only, so the plan said 10月底 未填写 (JX-P01) and the totals
counted 0 % there; the project code in C3 and the goals in C8 were 必填项为空. The typed piece is read.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.reader import read_workbook
from jixiao.forms.template import write_workbook
from jixiao.synth import generate_unit
from jixiao.checks.validate import validate_file


def _unmerge_and_retype(path: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    october = Decimal(str(ws["F7"].value))
    ws["G7"], ws["F7"] = float(october / 100), None  # typed as 75% the Excel way: 0.75, percent format
    ws["G7"].number_format = "0%"
    for left, right in (("B3", "C3"), ("B8", "C8")):
        ws[right], ws[left] = ws[left].value, None
    wb.save(path)
    return path


def test_value_typed_into_an_unmerged_piece_is_read(tmp_path):
    good = write_workbook(tmp_path / "原表.xlsx", generate_unit(23, n_projects=2, n_indicators=5))
    edited = _unmerge_and_retype(write_workbook(tmp_path / "取消合并.xlsx", generate_unit(23, n_projects=2,
                                                                                        n_indicators=5)))
    before, after = read_workbook(good).projects[0], read_workbook(edited).projects[0]
    assert after.plan == before.plan and after.code == before.code and after.goals == before.goals
    assert after.loc("plan.10月底").cell == "G7" and after.loc("code").cell == "C3"

    codes = sorted(i.code for i in validate_file(edited).issues)
    assert codes == sorted(i.code for i in validate_file(good).issues)  # no 未填写, no 0 %

    totals = [json.loads(CliRunner().invoke(main, ["totals", str(p), "--format", "json"]).output)["total"]
              for p in (good, edited)]
    assert totals[0] == totals[1]


def test_empty_unmerged_range_is_still_empty(tmp_path):
    path = write_workbook(tmp_path / "单位.xlsx", generate_unit(23, n_projects=1, n_indicators=5))
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws["F7"] = None
    wb.save(path)
    p01 = [i for i in validate_file(path).issues if i.code == "JX-P01"]
    assert [i.cell for i in p01] == ["F7"]  # nothing typed in F7:G7: still 未填写, at the form's cell
