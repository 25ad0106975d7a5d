"""``1,200,000元`` typed into the 预算数 of a form in 元 (四川): ``--fix`` keeps the number, as it keeps
80 of ``80万元`` in a 万元 cell. ``120万`` in a cell in 元 is 1200000: the unit was typed, so the
conversion is exact and nothing is guessed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.reader import read_workbook

TEMPLATES = Path(__file__).resolve().parent.parent / "workbook_templates"


def _sichuan(path: Path, budget) -> Path:
    wb = openpyxl.load_workbook(TEMPLATES / "jixiao-unit-sichuan.xlsx")
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B5"], unit["B6"] = "154001", "成都市某局", "510100", 2026
    ws = wb["项目1"]
    ws["B4"], ws["G4"], ws["B5"] = "信息化运维", budget, "保障系统稳定运行"
    rows = [("产出指标", "数量指标", "运维系统数", "≥", "5", "个", 40, "正向"),
            ("效益指标", "社会效益指标", "服务保障", "定性", "有效保障", None, 30, None),
            ("满意度指标", "服务对象满意度指标", "用户满意度", "≥", "95", "%", 20, "正向")]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.cell(7 + i, 1 + j, value)
    wb.save(path)
    return path


@pytest.mark.parametrize("typed", ["1,200,000元", "1200000 元", "１２０００００元"])
def test_fix_keeps_the_number_of_yuan_typed_in_a_yuan_cell(tmp_path, typed):
    path = _sichuan(tmp_path / "四川.xlsx", typed)
    assert read_workbook(path).projects[0].budget is None  # text: not counted until fixed
    out = tmp_path / "修正.xlsx"
    result = CliRunner().invoke(main, ["validate", str(path), "--fix", "-o", str(out)])
    assert "已修正 项目1!G4（JX-L03）" in result.output, result.output
    assert openpyxl.load_workbook(out)["项目1"]["G4"].value == 1200000
    assert read_workbook(out).projects[0].budget == Decimal(120)  # 万元 in the model


@pytest.mark.parametrize("typed", ["120万", "120万元"])
def test_fix_converts_wan_typed_in_a_yuan_cell(tmp_path, typed):
    path = _sichuan(tmp_path / "四川.xlsx", typed)
    out = tmp_path / "修正.xlsx"
    result = CliRunner().invoke(main, ["validate", str(path), "--fix", "-o", str(out)])
    assert "已修正 项目1!G4（JX-L03）" in result.output, result.output
    assert openpyxl.load_workbook(out)["项目1"]["G4"].value == 1200000
    assert read_workbook(out).projects[0].budget == Decimal(120)
