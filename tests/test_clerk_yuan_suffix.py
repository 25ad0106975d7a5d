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

from conftest import sichuan_workbook
from jixiao.cli import main
from jixiao.forms.reader import read_workbook

TEMPLATES = Path(__file__).resolve().parent.parent / "workbook_templates"


def _sichuan(path: Path, budget) -> Path:
    return sichuan_workbook(path, budget, weights=(40, 30, 20))


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
