"""A county's variant defined only as data: tests/data/forms/county.toml + county-project.toml.

No Python knows this form. jixiao builds its template from the profile file, a clerk's filled copy
reads back (amounts in 元 become 万元 exactly), validates, totals and exports to Word — real files
through the CLI, as a maintainer adding a variant would try it (docs/forms/README.md).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import requires_soffice

from jixiao.cli import main
from jixiao.forms.reader import read_workbook
from jixiao.forms.template import write_workbook

DATA = Path(__file__).parent / "data" / "forms"
PROFILE = DATA / "county.toml"

INDICATORS = [  # 一级, 二级, 三级, 指标性质, 指标值, 度量单位, 分值
    ("产出指标", "数量指标", "培训基层干部", "≥", 200, "人次", 30),
    ("产出指标", "质量指标", "培训合格率", "≥", 95, "%", 20),
    ("效益指标", "社会效益指标", "基层治理能力", "定性", "明显提升", None, 30),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", 90, "%", 20),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("county")
    result = CliRunner().invoke(main, ["templates", "build", "--profile-file", str(PROFILE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "jixiao-unit-county-demo.xlsx"


@pytest.fixture(scope="module")
def filled(built, tmp_path_factory) -> Path:
    """The template filled the way a clerk fills it (openpyxl writes the cells), saved elsewhere."""
    wb = openpyxl.load_workbook(built)
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B6"], unit["B7"] = "610001", "示范县农业农村局", 2026, "王会计"
    sheet = wb["项目1"]
    sheet["B3"], sheet["B4"] = "基层干部培训经费", "610001-2026-001"
    sheet["E5"], sheet["E6"], sheet["E7"] = 123456.78, 100000, 23456.78  # 元
    sheet["B8"], sheet["B9"] = "用于全县基层干部培训。", "1.完成基层干部培训200人次。"
    for i, row in enumerate(INDICATORS):
        for col, value in zip("ABCDEFG", row):
            sheet[f"{col}{11 + i}"] = value
    path = tmp_path_factory.mktemp("clerk") / "示范县农业农村局.xlsx"
    wb.save(path)
    return path


def test_the_template_is_the_form_file(built):
    wb = openpyxl.load_workbook(built)
    sheet = wb["项目1"]
    assert sheet["G2"].value == "单位：元" and sheet["A5"].value == "项目资金（元）"
    assert [sheet[f"{c}10"].value for c in "DEF"] == ["指标性质", "指标值", "度量单位"]
    assert sheet["A19"].value == "填表人:"  # the footer follows the 8 blank indicator rows
    assert sheet.protection.sheet and not sheet["E5"].protection.locked
    meta = {r[0].value: r[1].value for r in wb["_jixiao"].iter_rows(max_col=2) if r[0].value}
    assert meta["profile"] == "county-demo"
    assert "money_unit = \"元\"" in meta["form.project"]  # the workbook carries its form
    assert not [c.value for row in sheet.iter_rows() for c in row if "资金支出计划" in str(c.value)]


def test_a_filled_copy_reads_back_in_wanyuan_exactly(filled, tmp_path):
    moved = tmp_path / "elsewhere.xlsx"  # away from the profile file: the form travels in the workbook
    shutil.copy(filled, moved)
    book = read_workbook(moved)
    project, = book.projects
    assert (project.budget, project.fiscal, project.other) == (Decimal("12.345678"), Decimal("10"),
                                                               Decimal("2.345678"))
    assert project.loc("budget").cell == "E5"
    first = project.indicators[0]
    assert (first.operator, first.number, first.unit, first.weight) == ("≥", Decimal("200"), "人次", Decimal("30"))
    assert project.indicators[2].value_type == "定性"
    again = read_workbook(write_workbook(tmp_path / "rewritten.xlsx", book))  # the model written back
    assert again.projects[0].budget == project.budget
    assert openpyxl.load_workbook(tmp_path / "rewritten.xlsx")["项目1"]["E5"].value == pytest.approx(123456.78)


def test_validate_follows_the_form(filled):
    result = CliRunner().invoke(main, ["validate", str(filled), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    codes = {i["code"] for f in report["files"] for i in f["issues"]}
    assert not {c for c in codes if c.startswith(("JX-P", "JX-L", "JX-B"))}, codes  # no plan, amounts fine in 元


def test_totals_in_wanyuan(filled):
    result = CliRunner().invoke(main, ["totals", str(filled), "--format", "json"])
    assert result.exit_code == 0, result.output
    total = json.loads(result.output)["total"]
    assert (total["budget"], total["fiscal"], total["other"]) == ("12.35", "10.00", "2.35")


def test_export_prints_yuan(filled, tmp_path):
    import docx

    out = tmp_path / "示范县.docx"
    result = CliRunner().invoke(main, ["export", str(filled), "--to", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    assert "单位：元" in [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "123456.78" in cells and "指标性质" in cells and "培训基层干部" in cells


def test_the_profile_travels_with_the_workbook(filled, tmp_path):
    """The county's settings apply without --profile-file: the workbook carries its profile.

    The county puts 成本指标 as a 一级 (``cost_under_output = false``); under 产出指标 it is JX-T02.
    The Hebei settings (what an unknown profile used to fall back to) would accept it.
    """
    wb = openpyxl.load_workbook(filled)
    wb["项目1"]["B12"] = "成本指标"
    changed = tmp_path / "成本.xlsx"
    wb.save(changed)
    result = CliRunner().invoke(main, ["validate", str(changed), "--format", "json"])
    found = [(i["code"], i["cell"]) for f in json.loads(result.output)["files"] for i in f["issues"]]
    assert ("JX-T02", "B12") in found, found
    hebei = CliRunner().invoke(main, ["validate", str(changed), "--format", "json", "--profile", "hebei"])
    assert "JX-T02" not in hebei.output


def test_a_broken_form_file_is_named(tmp_path):
    text = (DATA / "county-project.toml").read_text(encoding="utf-8")
    (tmp_path / "county-project.toml").write_text(text.replace('label = "指标性质"', 'lable = "指标性质"'),
                                                  encoding="utf-8")
    (tmp_path / "county.toml").write_text(PROFILE.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "build", "--profile-file", str(tmp_path / "county.toml"),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "block[0].columns[3]" in result.output and "lable" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_consolidates_beside_a_hebei_unit(filled, tmp_path):
    from jixiao.examples import load_example

    inputs = tmp_path / "收件"
    inputs.mkdir()
    shutil.copy(filled, inputs / filled.name)
    hebei = load_example("luanping_xinfang_2026")
    write_workbook(inputs / "滦平.xlsx", hebei)
    result = CliRunner().invoke(main, ["consolidate", str(inputs), "-o", str(tmp_path / "汇总.xlsx"), "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    expected = sum((p.budget for p in hebei.projects), Decimal("12.345678")).quantize(Decimal("0.01"))
    assert f"预算数 {expected} 万元" in result.output and "纳入 2 + 未纳入 0" in result.output


@requires_soffice
@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_county_formulas_to_their_python_twins(filled, tmp_path):
    """The form file's text formulas (title, 单位信息 cells, footer) have one definition: LibreOffice agrees."""
    from jixiao.excel.office import convert

    written = write_workbook(tmp_path / "county.xlsx", read_workbook(filled))  # cached values from Python
    formulas, cached = openpyxl.load_workbook(written), openpyxl.load_workbook(written, data_only=True)
    expected = {(ws.title, c.coordinate): cached[ws.title][c.coordinate].value
                for ws in formulas.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"}
    assert ("项目1", "A1") in expected and expected[("项目1", "A1")] == "基层干部培训经费项目支出绩效目标表"
    recalculated = openpyxl.load_workbook(convert(written, "xlsx", tmp_path / "lo"), data_only=True)
    for (sheet, cell), value in expected.items():
        assert (recalculated[sheet][cell].value or "") == (value or ""), f"{sheet}!{cell}"


def test_next_year_and_the_selfevaluation_keep_the_county_form(filled, tmp_path):
    elsewhere = tmp_path / "上年.xlsx"
    shutil.copy(filled, elsewhere)  # no profile file beside it
    runner = CliRunner()
    result = runner.invoke(main, ["carry", str(elsewhere), "--year", "2027", "-o", str(tmp_path / "2027.xlsx")])
    assert result.exit_code in (0, 1), result.output
    sheet = openpyxl.load_workbook(tmp_path / "2027.xlsx")["项目1"]
    assert (sheet["G2"].value, sheet["C11"].value, sheet["E5"].value) == ("单位：元", "培训基层干部", None)
    assert read_workbook(tmp_path / "2027.xlsx").profile == "county-demo"
    result = runner.invoke(main, ["selfeval", "new", str(elsewhere), "-o", str(tmp_path / "自评.xlsx")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["score", str(tmp_path / "自评.xlsx")])
    assert "年度指标值 ≥95%" in result.output  # the split 指标性质 / 指标值 / 度量单位 joined again
