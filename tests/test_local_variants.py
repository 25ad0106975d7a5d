"""Built-in local variants (issue 15): each profile's blank template, filled as a clerk fills it with the
values of the real document it is based on, reads back, validates, totals and exports to Word.

The values are those of the published documents in tests/data/wild/ (docs/forms/supported.md).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import requires_poppler, requires_soffice

from jixiao.cli import main
from jixiao.forms.reader import read_workbook

# 井研县马踏镇人民政府 2023, project 村组干部报酬 (sc_jingyan_mtz_2023_targets.txt), in its row order
SICHUAN = [  # 一级, 二级, 三级, 指标性质, 指标值, 度量单位, 权重, 指标方向性
    ("效益指标", "社会效益指标", "维护社会稳定", "≥", 95, "%", 10, "正向指标"),
    ("产出指标", "时效指标", "维持时效", "≥", 1, "年", 20, "正向指标"),
    ("产出指标", "质量指标", "按时发放", "≥", 1, "人/年", 10, "正向指标"),
    ("效益指标", "经济效益指标", "促进村集体经济发展", "≥", 95, "%", 10, "正向指标"),
    ("产出指标", "数量指标", "村组干部230人", "≥", 230, "个", 10, "正向指标"),
    ("效益指标", "生态效益指标", "保护生态环境卫生", "≥", 95, "%", 10, "正向指标"),
    ("效益指标", "可持续影响指标", "项目维持时效", "≥", 95, "%", 10, "正向指标"),
    ("满意度指标", "服务对象满意度指标", "人民群众满意度", "≥", 95, "%", 10, "正向指标"),
]


def _build(profile: str, out: Path) -> Path:
    result = CliRunner().invoke(main, ["templates", "build", "--profile", profile, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / f"jixiao-unit-{profile}.xlsx"


def _unit(wb, code: str, name: str, year: int) -> None:
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B6"], unit["B7"] = code, name, year, "王会计"


def _issues(path: Path) -> list[tuple[str, str]]:
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return [(i["code"], i["cell"]) for f in json.loads(result.output)["files"] for i in f["issues"]]


def _docx_cells(path: Path, tmp_path: Path) -> tuple[list[str], list[str]]:
    import docx

    out = tmp_path / (path.stem + ".docx")
    result = CliRunner().invoke(main, ["export", str(path), "--to", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    return [p.text for p in doc.paragraphs], [c.text for t in doc.tables for r in t.rows for c in r.cells]


# --- 四川 -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sichuan(tmp_path_factory) -> tuple[Path, Path]:
    built = _build("sichuan", tmp_path_factory.mktemp("sichuan"))
    wb = openpyxl.load_workbook(built)
    _unit(wb, "820001", "井研县马踏镇人民政府", 2023)
    sheet = wb["项目1"]
    sheet["B4"], sheet["G4"], sheet["B5"] = "村组干部报酬", 3309840.00, "按时发放村组干部报酬"  # 元
    for i, row in enumerate(SICHUAN):
        for col, value in zip("ABCDEFGH", row):
            sheet[f"{col}{7 + i}"] = value
    filled = tmp_path_factory.mktemp("clerk") / "井研县马踏镇人民政府.xlsx"
    wb.save(filled)
    return built, filled


def test_sichuan_template_is_the_published_form(sichuan):
    built, _ = sichuan
    sheet = openpyxl.load_workbook(built)["项目1"]
    assert sheet["G2"].value == "金额单位：元"
    assert [sheet[f"{c}6"].value for c in "ABCDEFGH"] == [
        "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向性"]
    assert (sheet["A3"].value, sheet["A4"].value, sheet["F4"].value, sheet["A5"].value) == (
        "单位名称", "项目名称", "预算数", "年度目标")
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize in (9, "9")
    assert not sheet["G4"].protection.locked and sheet["F4"].protection.locked
    rules = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert (rules["A7:A18"], rules["B7:B18"], rules["D7:D18"], rules["F7:F18"]) == (
        "jx_level1", "INDIRECT($A7)", "jx_operators", "jx_units")
    texts = {c.value for row in sheet.iter_rows() for c in row}
    assert not [t for t in texts if "资金支出计划" in str(t)] and "项目编码" not in texts


def test_sichuan_reads_back_in_wanyuan_exactly(sichuan):
    _, filled = sichuan
    book = read_workbook(filled)
    assert book.profile == "sichuan"
    project, = book.projects
    assert project.budget == Decimal("330.984") and project.loc("budget").cell == "G4"
    assert project.fiscal is None and project.other is None  # the form has no split: no false zeros
    assert len(project.indicators) == 8
    fifth = project.indicators[4]
    assert (fifth.level3, fifth.operator, fifth.number, fifth.unit, fifth.weight, fifth.remark) == (
        "村组干部230人", "≥", Decimal("230"), "个", Decimal("10"), "正向指标")
    assert sum(i.weight for i in project.indicators) == Decimal("90")  # + 10 for 预算执行率 in the 自评


def test_sichuan_validates_totals_and_exports(sichuan, tmp_path):
    _, filled = sichuan
    codes = {code for code, _ in _issues(filled)}
    assert not {c for c in codes if c.startswith(("JX-P", "JX-B", "JX-C", "JX-L"))}, codes
    result = CliRunner().invoke(main, ["totals", str(filled), "--format", "json"])
    assert result.exit_code == 0, result.output
    total = json.loads(result.output)["total"]
    assert total["budget"] == "330.98"
    paragraphs, cells = _docx_cells(filled, tmp_path)
    assert "单位：元" in paragraphs
    assert "3309840.00" in cells and "指标方向性" in cells and "正向指标" in cells and "人/年" in cells
    assert "820001-井研县马踏镇人民政府" in cells

    out = tmp_path / "指标.csv"  # the form's own indicator columns, 权重 and 指标方向性 with them
    assert CliRunner().invoke(main, ["export", str(filled), "--to", "csv", "-o", str(out)]).exit_code == 0
    header, *rows = csv.reader(out.open(encoding="utf-8-sig", newline=""))
    assert header == ["工作表", "项目名称", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重",
                      "指标方向性", "运算符", "数值", "单位"]
    assert len(rows) == len(SICHUAN) and rows[4][2:10] == ["产出指标", "数量指标", "村组干部230人", "≥", "230", "个",
                                                          "10", "正向指标"]


def test_sichuan_what_a_tired_clerk_types(sichuan, tmp_path):
    """The export's own ``3,309,840.00`` reads as 元; ``20分`` in 权重 and a 一级 not on the list are named at their cells."""
    _, filled = sichuan
    wb = openpyxl.load_workbook(filled)
    sheet = wb["项目1"]
    sheet["G4"], sheet["G8"], sheet["A9"] = "3,309,840.00", "20分", "产出"
    changed = tmp_path / "错.xlsx"
    wb.save(changed)
    assert read_workbook(changed).projects[0].budget == Decimal("330.984")
    found = _issues(changed)
    assert ("JX-L03", "G8") in found and any(cell == "A9" for _, cell in found), found
    assert not any(cell == "G4" for _, cell in found), found

    fixed = tmp_path / "修正.xlsx"  # --fix takes the 分 off: the number alone, as a number
    result = CliRunner().invoke(main, ["validate", str(changed), "--fix", "-o", str(fixed)])
    assert "G8" in result.output, result.output
    assert openpyxl.load_workbook(fixed)["项目1"]["G8"].value == 20
    assert ("JX-L03", "G8") not in _issues(fixed)


def test_sichuan_docx_imports_back_losslessly(sichuan, tmp_path):
    """The Word document of a 四川 workbook imports back into a 四川 workbook: 元 to 万元 exactly, the
    form's own name under the project's (not the national 申报表's)."""
    _, filled = sichuan
    paragraphs, _ = _docx_cells(filled, tmp_path)
    assert "部门预算项目绩效目标申报表(2023年度)" in paragraphs and "项目支出绩效目标申报表（2023年度）" not in paragraphs
    back = tmp_path / "回读.xlsx"
    result = CliRunner().invoke(main, ["import", str(tmp_path / (filled.stem + ".docx")), "-o", str(back)])
    assert result.exit_code == 0, result.output
    a, b = read_workbook(filled), read_workbook(back)
    assert b.profile == "sichuan" and b.forms == a.forms and b.unit == a.unit
    assert b.projects == a.projects and b.projects[0].budget == Decimal("330.984")


def test_sichuan_next_year_compares_in_yuan(sichuan, tmp_path):
    """carry, then diff: a form in 元 is compared in 元, to the 元 (330.98 万元 → 350.00 hid 40.55 元)."""
    _, filled = sichuan
    nxt = tmp_path / "2024.xlsx"
    assert CliRunner().invoke(main, ["carry", str(filled), "--year", "2024", "-o", str(nxt)]).exit_code == 0
    wb = openpyxl.load_workbook(nxt)
    wb["项目1"]["G4"] = 3500000.55
    wb.save(nxt)
    text = CliRunner().invoke(main, ["diff", str(filled), str(nxt)]).output
    assert "预算数合计 3309840.00 → 3500000.55 元（+190160.55，+5.75%）" in text, text
    assert "预算数：3309840.00 → 3500000.55" in text and "  * 村组干部报酬" in text and "万元" not in text


def test_sichuan_selfeval_keeps_the_approved_weights(sichuan, tmp_path):
    """The 四川 form states each indicator's 权重: the 自评表 scores on them (10, 20, 10 …, with 预算执行率's 10
    they make 100), not on the profile's category weights shared out (16.66, 7.5 …)."""
    _, filled = sichuan
    ev = tmp_path / "自评.xlsx"
    result = CliRunner().invoke(main, ["selfeval", "new", str(filled), "-o", str(ev)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(ev)
    sheet = wb["项目1"]
    assert [sheet[f"F{r}"].value for r in range(13, 13 + len(SICHUAN))] == [row[6] for row in SICHUAN]
    sheet["D6"] = sheet["C6"].value  # all spent, every target met
    for r, row in zip(range(13, 13 + len(SICHUAN)), SICHUAN):
        sheet[f"E{r}"] = f"{row[4]}{row[5]}"
    wb.save(ev)
    scored = json.loads(CliRunner().invoke(main, ["score", str(ev), "--format", "json"]).output)
    project, = scored["projects"]
    assert (project["total"], project["grade"]) == ("100.00", "优"), project


def test_sichuan_weights_that_leave_no_room_for_execution_are_named_at_validate(sichuan, tmp_path):
    """权重 add up to 90 (预算执行率 takes the other 10 in the 自评): 20 × 5 passed validate and export, and
    only the 自评表 a year later said JX-W01. It is said on the target table now, at the first 权重."""
    _, filled = sichuan
    assert not [c for c, _ in _issues(filled) if c == "JX-W01"]  # the published 90
    wb = openpyxl.load_workbook(filled)
    wb["项目1"]["G7"] = 20  # 10 → 20: 100
    changed = tmp_path / "权重.xlsx"
    wb.save(changed)
    result = CliRunner().invoke(main, ["validate", str(changed), "--format", "json"])
    assert result.exit_code == 1, result.output
    w01 = [i for f in json.loads(result.output)["files"] for i in f["issues"] if i["code"] == "JX-W01"]
    assert [(i["sheet"], i["cell"]) for i in w01] == [("项目1", "G7")]
    assert w01[0]["message"] == "指标权重合计 100，应为 90；请调整各指标权重。", w01[0]["message"]  # the form's word
    wb["项目1"]["G8"] = "20分"  # a weight not yet a number (JX-L03): no sum of the others beside it
    wb.save(changed)
    codes = _issues(changed)
    assert ("JX-L03", "G8") in codes and not [c for c, _ in codes if c == "JX-W01"], codes


def test_sichuan_cost_above_the_budget_is_answered_in_yuan(sichuan, tmp_path):
    """The form is in 元: JX-K01 says 3500000.00 元 against 3309840.00 元, not 330.98 万元 (or 0.00)."""
    _, filled = sichuan
    wb = openpyxl.load_workbook(filled)
    for col, value in zip("ABCDEFGH", ("产出指标", "成本指标", "人员报酬", "≤", 3500000, "元", 10, "反向指标")):
        wb["项目1"][f"{col}15"] = value
    changed = tmp_path / "成本.xlsx"
    wb.save(changed)
    result = CliRunner().invoke(main, ["validate", str(changed), "--format", "json"])
    k01 = [i for f in json.loads(result.output)["files"] for i in f["issues"] if i["code"] == "JX-K01"]
    assert [i["cell"] for i in k01] == ["E15"]
    assert "3500000.00 元" in k01[0]["message"] and "3309840.00 元" in k01[0]["message"], k01[0]["message"]
    assert "万元" not in k01[0]["message"]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_sichuan_weight_typed_as_a_percent_is_its_points(sichuan, tmp_path, engine):
    """``10%`` typed into 权重: Excel keeps 0.1 under a percent format; the clerk meant 10 points."""
    _, filled = sichuan
    wb = openpyxl.load_workbook(filled)
    sheet = wb["项目1"]
    for row in range(7, 7 + len(SICHUAN)):
        if sheet[f"G{row}"].value == 10:
            sheet[f"G{row}"].value, sheet[f"G{row}"].number_format = 0.1, "0%"
    sheet["G15"].value, sheet["G15"].number_format = 0.1, "0.00"  # a plain 0.1 stays 0.1
    changed = tmp_path / "百分号.xlsx"
    wb.save(changed)
    weights = [i.weight for i in read_workbook(changed, engine).projects[0].indicators]
    assert weights == [Decimal(10), Decimal(20), *[Decimal(10)] * 6, Decimal("0.1")]


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_sichuan_project_prints_on_one_landscape_a4_page(sichuan, tmp_path):
    """The filled 项目1 (8 of the 12 rows used, as in the document) is one page, header to last row."""
    from test_print import pdf_pages

    _, filled = sichuan
    pages = [p for p in pdf_pages(filled, tmp_path / "pdf") if "指标方向性" in p]
    assert len(pages) == 1, [p[:200] for p in pages]
    assert "部门预算项目绩效目标申报表(2023年度)" in pages[0] and "人民群众满意度" in pages[0]


def test_sichuan_beside_a_hebei_unit_has_no_false_zeros(sichuan, tmp_path):
    """The form has no 财政拨款 / 其他资金: the summary leaves them blank for this unit, the totals do not print them."""
    from jixiao.examples import load_example
    from jixiao.forms.template import write_workbook

    _, filled = sichuan
    inputs = tmp_path / "收件"
    inputs.mkdir()
    wb = openpyxl.load_workbook(filled)
    wb["单位信息"]["B6"] = 2026  # the Hebei seed's year
    wb.save(inputs / filled.name)
    write_workbook(inputs / "滦平.xlsx", load_example("luanping_xinfang_2026"))
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(inputs), "-o", str(out), "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    assert "纳入 2 + 未纳入 0" in result.output
    # the printed line adds up: 442.48 = 111.50 + 0.00 + the 四川 330.98 that no source column holds
    assert "预算数 442.48 万元（财政资金 111.50，其他资金 0.00，未按来源分列 330.98）" in result.output, result.output
    summary = openpyxl.load_workbook(out)
    units = {r[1]: r[4:7] for r in summary["单位汇总"].iter_rows(min_row=2, values_only=True) if r[0] != "合计"}
    assert units["井研县马踏镇人民政府"] == (pytest.approx(330.984), None, None)
    assert units["滦平县信访局本级"][1] == pytest.approx(111.5)
    projects = [r for r in summary["项目清单"].iter_rows(min_row=2, values_only=True) if r[4] == "村组干部报酬"]
    assert [r[5:8] for r in projects] == [(pytest.approx(330.984), None, None)]
    text = CliRunner().invoke(main, ["totals", str(filled)]).output
    assert "预算数 3309840.00 元" in text and "财政拨款" not in text and "万元" not in text  # in 元, as the form prints
