"""The national forms end to end, as a clerk in a province that uses them works (issue 15).

The 项目支出绩效目标申报表 (中期 and 年度: amounts, goals, one indicator table each; no plan, no
项目编码) and the 部门整体支出绩效目标申报表 (年度主要任务 by source): a blank template built by
``jixiao templates build --profile national``, filled cell by cell with openpyxl as Excel would,
then validated, totalled, consolidated with a Hebei unit, exported to Word and back, and
self-evaluated on the national 自评表. And the pre-2027 ``national`` workbooks (the Hebei form with
four milestones) still read, validate and total as they did.
"""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.layouts import forms_of
from jixiao.forms.reader import read_workbook
from jixiao.checks.validate import validate_file

LEGACY = Path(__file__).parent / "data" / "legacy" / "national-2026-hebei-form.xlsx"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tpl")
    result = run("templates", "build", "--profile", "national", "--out", out)
    assert result.exit_code == 0, result.output
    return out / "jixiao-unit-national.xlsx"


def _fill(template: Path, path: Path, *, year_budget=120, mid_budget=360) -> Path:
    """What a clerk types into the blank national template (numbers as numbers, text as text)."""
    wb = openpyxl.load_workbook(template)
    u = wb["单位信息"]
    u["B3"], u["B4"], u["B6"] = "404001", "永济市文化和旅游局本级", 2026
    p = wb["项目1"]
    p["B3"], p["B4"], p["F4"] = "文物保护修缮", "404-永济市文化和旅游局", "404001-永济市文化和旅游局本级"
    p["B5"], p["F5"] = "延续项目", "2026年—2028年"
    p["E7"], p["E8"], p["E9"] = mid_budget, mid_budget - 60, 60
    p["G7"], p["G8"], p["G9"] = year_budget, year_budget - 20, 20
    p["B11"], p["F11"] = "三年完成 12 处文物修缮。", "完成 4 处文物修缮，游客满意度不低于 90%。"
    mid = [("产出指标", "数量指标", "修缮文物处数", "12处"), ("效益指标", "社会效益指标", "文物安全", "无重大事故"),
           ("满意度指标", "服务对象满意度指标", "游客满意度", "≥90%")]
    year = [("产出指标", "数量指标", "修缮文物处数", "4处"), ("产出指标", "成本指标", "修缮成本", f"≤{year_budget}万元"),
            ("效益指标", "社会效益指标", "文物安全", "无重大事故"),
            ("满意度指标", "服务对象满意度指标", "游客满意度", "≥90%")]
    for first, rows in ((14, mid), (28, year)):
        for i, row in enumerate(rows):
            for col, value in zip("ABCF", row):
                p[f"{col}{first + i}"] = value
    o = wb["整体支出绩效目标表"]
    o["B3"], o["B4"], o["B17"] = "永济市文化和旅游局本级", "负责全市文物保护和文化旅游工作。", "全年完成文物保护任务。"
    o["B7"], o["C7"], o["F7"], o["G7"], o["H7"] = "文物保护", "修缮 4 处文物", year_budget, year_budget - 20, 20
    for i, row in enumerate(year):
        for col, value in zip("ABCF", row):
            o[f"{col}{20 + i}"] = value
    wb.save(path)
    return path


def test_the_template_is_the_national_set(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["单位信息", "部门整体绩效目标", "整体支出绩效目标表", "项目1", "项目模板", "_jixiao"]
    p = wb["项目1"]
    assert (p["A1"].value, p["A3"].value, p["A4"].value, p["E6"].value, p["G6"].value) == (
        "项目支出绩效目标申报表", "项目名称", "主管部门及代码", "中期资金总额", "年度资金总额")
    assert (p["A12"].value, p["A26"].value) == ("中期绩效指标", "年度绩效指标")
    assert all(p.cell(r, c).value != "项目编码" for r in range(1, 12) for c in range(1, 9))  # no 项目编码 row
    assert wb["整体支出绩效目标表"]["A5"].value == "年度主要任务"
    book = read_workbook(template)
    assert book.projects == [] and book.overall is None and forms_of(book).project.periods


def test_fill_validate_total(template, tmp_path):
    path = _fill(template, tmp_path / "永济.xlsx")
    book = read_workbook(path)
    p, = book.projects
    assert (p.name, p.department, p.attribute, p.term) == ("文物保护修缮", "404-永济市文化和旅游局", "延续项目",
                                                           "2026年—2028年")
    assert (p.budget, p.fiscal, p.other) == (Decimal(120), Decimal(100), Decimal(20))
    assert (p.mid_budget, p.mid_fiscal, p.mid_other) == (Decimal(360), Decimal(300), Decimal(60))
    assert [i.level3 for i in p.mid_indicators] == ["修缮文物处数", "文物安全", "游客满意度"]
    assert len(p.indicators) == 4 and p.loc("mid_budget").cell == "E7" and p.loc("budget").cell == "G7"
    assert book.overall.tasks[0].budget == Decimal(120) and book.overall.annual_goal == "全年完成文物保护任务。"

    result = run("validate", path, "--format", "json")
    assert result.exit_code == 0, result.output
    codes = {i["code"] for f in json.loads(result.output)["files"] for i in f["issues"]}
    # rules follow the form: no plan (JX-P*), no 项目编码 (JX-C01/02, L02 on it), no 资金用途 (G02),
    # no 指标值确定依据 (V08)
    assert not {c for c in codes if c.startswith("JX-P") or c.startswith("JX-C")} and "JX-G02" not in codes
    assert "JX-V08" not in codes and "JX-L02" not in codes

    result = run("totals", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["milestones"] == [] and data["total"]["amounts"] == {}  # no plan: no figures, not zeros
    assert data["total"]["budget"] == "120.00" and data["total"]["mid"] == {"budget": "360.00", "fiscal": "300.00",
                                                                            "other": "60.00"}
    text = run("totals", path)
    assert "中期资金总额 360.00" in text.output and "没有资金支出计划" in text.output and "3月底" not in text.output
    refused = run("totals", path, "--write", "-o", tmp_path / "汇总.xlsx")
    assert refused.exit_code == 2 and not (tmp_path / "汇总.xlsx").exists()


def test_each_period_is_checked(template, tmp_path):
    path = _fill(template, tmp_path / "错.xlsx", year_budget=400, mid_budget=360)  # 年度 above 中期 (JX-B04)
    wb = openpyxl.load_workbook(path)
    p = wb["项目1"]
    p["A15"] = p["B15"] = p["C15"] = p["F15"] = None  # the 中期 table loses its 效益 row (JX-T04 there)
    p["E7"] = 370  # 中期 370 ≠ 300 + 60 (JX-B01 on the 中期 column)
    p["F29"] = "≤500万元"  # the 年度 cost row above the 年度 budget (JX-K01)
    wb.save(path)
    issues = validate_file(path).issues
    found = {(i.code, i.cell) for i in issues}
    assert ("JX-B04", "G7") in found and ("JX-B04", "G8") in found
    assert ("JX-B01", "E7") in found and not any(c == "JX-B01" and cell == "G7" for c, cell in found)
    t04 = [i for i in issues if i.code == "JX-T04"]
    assert [i.cell for i in t04] == ["A14"] and "中期指标" in t04[0].message
    k01 = [i for i in issues if i.code == "JX-K01"]
    assert [i.cell for i in k01] == ["F29"] and "年度资金总额 400.00" in k01[0].message


def test_consolidate_export_and_selfeval(template, tmp_path, example_files):
    folder = tmp_path / "units"
    folder.mkdir()
    national = _fill(template, folder / "永济.xlsx")
    shutil.copy(example_files["luanping_xinfang_2026"], folder / "滦平.xlsx")
    result = run("consolidate", folder, "-o", tmp_path / "汇总.xlsx")
    assert result.exit_code in (0, 1), result.output
    ws = openpyxl.load_workbook(tmp_path / "汇总.xlsx")["单位汇总"]
    header = [c.value for c in ws[1]]
    rows = {r[1]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0] != "合计"}
    yj, lp = rows["永济市文化和旅游局本级"], rows["滦平县信访局本级"]
    assert yj["预算数"] == 120 and yj["中期资金总额"] == 360 and yj["中期其他资金"] == 60
    assert yj["3月底累计金额"] is None and yj["12月底累计%"] is None  # no plan on its form: blank, not 0
    assert lp["3月底累计金额"] == pytest.approx(27.88) and lp["中期资金总额"] is None
    overview = openpyxl.load_workbook(tmp_path / "汇总.xlsx", data_only=True)["概览"]
    march = next(r for r in overview.iter_rows(values_only=True) if r[0] == "3月底")
    assert march[2] == pytest.approx(25.0)  # the county percent is of the planned budget only (滦平's)
    mid = {r[3]: r[4] for r in overview.iter_rows(min_row=16, max_row=19, values_only=True) if r[3]}
    assert mid == {"中期（实施期）资金（万元）": None, "中期资金总额": 360, "中期财政拨款": 300, "中期其他资金": 60}

    out = tmp_path / "指标.csv"  # both indicator tables, each row with its period
    assert run("export", national, "--to", "csv", "-o", out).exit_code == 0
    header, *lines = csv.reader(out.open(encoding="utf-8-sig", newline=""))
    assert header == ["工作表", "项目名称", "期间", "一级指标", "二级指标", "三级指标", "指标值", "运算符", "数值", "单位"]
    assert [(r[2], r[5]) for r in lines][:4] == [("中期", "修缮文物处数"), ("中期", "文物安全"), ("中期", "游客满意度"),
                                               ("年度", "修缮文物处数")] and len(lines) == 7

    docx = tmp_path / "文本.docx"
    assert run("export", national, "--to", "docx", "-o", docx).exit_code == 0
    back = tmp_path / "回读.xlsx"
    assert run("import", docx, "-o", back).exit_code == 0
    a, b = read_workbook(national), read_workbook(back)
    assert a.projects == b.projects and a.overall == b.overall and b.forms == a.forms

    ev_path = tmp_path / "自评.xlsx"
    assert run("selfeval", "new", national, "-o", ev_path).exit_code == 0
    wb = openpyxl.load_workbook(ev_path)
    p = wb["项目1"]
    assert [p[c].value for c in ("A3", "A4", "F4", "A7", "A8", "B10", "F10", "D12")] == [
        "项目名称", "主管部门", "实施单位", "其中：当年财政拨款", "上年结转资金", "预期目标", "实际完成情况", "年度指标值"]
    assert p["B4"].value == "404-永济市文化和旅游局" and p["B11"].value.startswith("完成 4 处")
    assert "执行率偏低的原因" not in [c.value for row in p.iter_rows(max_row=12) for c in row]
    p["D6"] = 60  # 全年执行数: 50 % executed, and the national form has no cell for a reason (no JX-E01)
    for row, actual in zip(range(13, 17), ("4处", "100万元", "无重大事故", "95%")):
        p[f"E{row}"] = actual
    wb.save(ev_path)
    result = run("score", ev_path, "--format", "json")
    assert "JX-E01" not in result.output


def test_a_pre_2027_national_workbook_reads_as_before():
    """The Hebei form with four milestones that `national` drew until now: nothing in it names a form."""
    book = read_workbook(LEGACY)
    assert book.profile == "national" and not forms_of(book).project.periods and forms_of(book).project.has_plan
    p, = book.projects
    assert p.code == "13082426P120001000001" and p.plan["10月底"] == Decimal("70")
    assert {i.code for i in validate_file(LEGACY).issues} == {"JX-P04"}
    data = json.loads(run("totals", LEGACY, "--format", "json").output)
    assert data["total"]["amounts"]["6月底"] == "36.00" and "mid" not in data["total"]


def test_hebei_models_serialise_as_before(example_books):
    data = example_books["luanping_xinfang_2026"].model_dump()
    assert "forms" not in data
    assert set(data["projects"][0]) == {"raw", "code", "name", "budget", "fiscal", "other", "purpose", "plan",
                                        "goals", "indicators"}


def test_carry_keeps_the_mid_period(template, tmp_path):
    """Next year's 申报表: the 中期 (实施期) part and who run on; the 年度 amounts and the tasks' money are new."""
    path = _fill(template, tmp_path / "2026.xlsx")
    result = run("carry", path, "--year", "2027", "-o", tmp_path / "2027.xlsx")
    assert result.exit_code == 0, result.output
    book = read_workbook(tmp_path / "2027.xlsx")
    p, = book.projects
    assert (p.mid_budget, p.mid_goals, len(p.mid_indicators)) == (Decimal(360), "三年完成 12 处文物修缮。", 3)
    assert p.budget is None and p.attribute == "延续项目" and p.department == "404-永济市文化和旅游局"
    assert book.overall.tasks[0].name == "文物保护" and book.overall.tasks[0].budget is None
    assert forms_of(book).project.periods


def test_a_classified_national_project_is_skipped_and_prints_only_classified(template, tmp_path):
    """The 申报表 has no 资金用途: a clerk marks a project 涉密 in its 年度目标, and forgets the rest.

    Content rules stay silent (JX-S01 on the goal's own cell), the money still counts, and no
    export carries the 中期 goal or any indicator it left filled in."""
    path = _fill(template, tmp_path / "涉密.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["项目1"]["F11"] = "涉密"
    wb["项目1"]["F29"] = "≤999万元"  # would be JX-K01 on an open project
    for row in range(20, 24):  # the 整体 table repeats the project's indicators: other words there
        wb["整体支出绩效目标表"][f"C{row}"], wb["整体支出绩效目标表"][f"F{row}"] = f"整体指标{row}", "按期完成"
    wb.save(path)
    book = read_workbook(path)
    assert book.projects[0].classified
    issues = [i for i in validate_file(path).issues if i.sheet == "项目1"]
    assert [(i.code, i.cell) for i in issues] == [("JX-S01", "F11")]
    data = json.loads(run("totals", path, "--format", "json").output)
    assert data["total"]["budget"] == "120.00" and data["total"]["mid"]["budget"] == "360.00"

    secrets = ("三年完成", "修缮文物处数", "游客满意度", "12处", "≥90%", "999")
    for fmt in ("json", "csv", "docx"):
        out = tmp_path / f"导出.{fmt}"
        result = run("export", path, "--to", fmt, "-o", out)
        assert result.exit_code == 0, result.output
        if fmt == "docx":
            import docx
            d = docx.Document(out)
            text = "\n".join([p.text for p in d.paragraphs]
                             + [c.text for t in d.tables for r in t.rows for c in r.cells])
        else:
            text = out.read_text(encoding="utf-8-sig")
        assert not [s for s in secrets if s in text], fmt
        assert "涉密" in text and "文物保护修缮" in text


def test_word_prints_the_fixed_tables_filled_rows_and_reads_them_back(template, tmp_path):
    """A 一次性项目 has no 中期 part and the unit one 年度主要任务: the Word tables print one blank 中期 row
    and one task, not 12 and 10 (which pushed the 年度 table to a page of its own), and import the same."""
    import docx

    path = _fill(template, tmp_path / "一次性.xlsx")
    wb = openpyxl.load_workbook(path)
    p = wb["项目1"]
    p["B5"], p["F5"] = "一次性项目", "2026年"
    for ref in ("E7", "E8", "E9", "B11"):
        p[ref] = None
    for row in range(14, 17):
        for col in "ABCF":
            p[f"{col}{row}"] = None
    wb.save(path)
    out = tmp_path / "文本.docx"
    assert run("export", path, "--to", "docx", "-o", out).exit_code == 0
    texts = [[c.text for c in r.cells] for t in docx.Document(str(out)).tables for r in t.rows]
    firsts = [r[0] for r in texts]
    assert firsts.count("中期绩效指标") == 1
    mid = firsts.index("中期绩效指标")
    assert firsts[mid + 2] == "" and firsts[mid + 3] == "年度绩效指标"  # header, one blank row, the 年度 table
    tasks = firsts.index("序号")
    assert firsts[tasks + 1] == "1" and firsts[tasks + 2] == "年度总体目标"
    back = tmp_path / "回读.xlsx"
    result = run("import", out, "-o", back)
    assert result.exit_code == 0, result.output
    a, b = read_workbook(path), read_workbook(back)
    assert a.projects == b.projects and a.overall == b.overall and not b.projects[0].mid_indicators
