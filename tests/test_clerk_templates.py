"""The committed fill-in templates filled the way a tired clerk fills them (openpyxl writes what Excel
stores), then validated, fixed and totalled through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import sichuan_workbook
from jixiao.cli import main
from jixiao.forms.values import parse_indicator_value

TEMPLATES = Path(__file__).resolve().parents[1] / "workbook_templates"


def _hebei(tmp_path: Path, indicators: list[tuple], name: str = "单位.xlsx") -> Path:
    wb = openpyxl.load_workbook(TEMPLATES / "jixiao-unit-hebei.xlsx")
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B5"], unit["B6"] = "154001", "滦平县信访局本级", "130824", 2026
    ws = wb["项目1"]
    ws["B3"], ws["E3"] = "13082426P000327100327", "信访维稳专项经费"
    ws["C4"], ws["E4"], ws["G4"] = 100, 100, 0
    ws["B5"], ws["B7"], ws["D7"], ws["F7"] = "信访接待", 25, 50, 75
    ws["B8"] = "及时受理信访事项。"
    for i, row in enumerate(indicators):
        for j, value in enumerate(row):
            ws.cell(10 + i, 1 + j, value)
    path = tmp_path / name
    wb.save(path)
    return path


def _issues(path: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.output)
    files = data["files"] if isinstance(data, dict) and "files" in data else data
    return [i for f in files for i in f["issues"]]


FULL = [("产出指标", "数量指标", "接待来访人次", "全年接待", "≥300人次", "计划标准"),
        ("效益指标", "社会效益指标", "社会稳定", "维护稳定", "有效维护", "计划标准"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "满意度", "≥90%", "计划标准")]


@pytest.mark.parametrize("typed, meant", [("95%以上", "≥"), ("3次以下", "≤"), ("80万元以内", "≤")])
def test_a_number_then_yishang_is_an_operator_not_mixed_text(tmp_path, typed, meant):
    """“95%以上” is ≥95%: no JX-V05, and --fix leaves it alone (it used to rewrite it to “95”, dropping
    the %, move “以上” to 绩效指标描述 and so make a JX-V03 the clerk never had)."""
    path = _hebei(tmp_path, FULL + [("产出指标", "质量指标", "办结率", "按期办结", typed, "计划标准")])
    assert not [i for i in _issues(path) if i["cell"] == "E13"]
    assert parse_indicator_value(typed).operator == meant
    out = tmp_path / "修正.xlsx"
    CliRunner().invoke(main, ["validate", str(path), "--fix", "-o", str(out)])
    if out.exists():
        assert openpyxl.load_workbook(out)["项目1"]["E13"].value == typed


def test_fix_of_mixed_text_keeps_the_unit(tmp_path):
    """“≥300人次及时接待” splits into “≥300人次” and the text: the unit stays with the number."""
    path = _hebei(tmp_path, FULL + [("产出指标", "质量指标", "接待量", "接待", "≥300人次及时接待", "计划标准")])
    mixed = [i for i in _issues(path) if i["cell"] == "E13"]
    assert [i["code"] for i in mixed] == ["JX-V05"]
    out = tmp_path / "修正.xlsx"
    result = CliRunner().invoke(main, ["validate", str(path), "--fix", "-o", str(out)])
    assert out.exists(), result.output
    ws = openpyxl.load_workbook(out)["项目1"]
    assert ws["E13"].value == "≥300人次"
    assert "及时接待" in ws["D13"].value
    assert not [i for i in _issues(out) if i["cell"] == "E13"]


def _sichuan(tmp_path: Path, budget, name: str = "四川.xlsx") -> Path:
    return sichuan_workbook(tmp_path / name, budget)


@pytest.mark.parametrize("typed, shown", [(-5000, "-5000"), (-1234.5, "-1234.5")])
def test_negative_amount_on_a_yuan_form_is_shown_in_yuan(tmp_path, typed, shown):
    """四川 forms are in 元: a clerk who typed -5000 reads -5000, not the model's -0.50000 (万元)."""
    negative = [i for i in _issues(_sichuan(tmp_path, typed)) if i["code"] == "JX-B02"]
    assert [(i["cell"], i["value"]) for i in negative] == [("G4", shown)]
    assert f"（{shown}）" in negative[0]["message"]


def test_sichuan_whole_value_typed_into_the_value_cell_is_split(tmp_path):
    """四川 splits 指标性质 / 指标值 / 度量单位; a clerk typed “≥5个” into 指标值 and left the other two
    blank, as on the 河北 form. Nothing was said, and the form was handed in with no 指标性质. JX-V09 names
    the blank 指标性质, --fix splits what it can (≥ | 5 | 个, 定性 for a text) and leaves a bare “95” to the clerk."""
    path = _sichuan(tmp_path, 300000)
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    ws["D7"], ws["E7"], ws["F7"] = None, "≥5个", None
    ws["D8"] = None                                   # 有效保障: a text, so 定性
    ws["D9"] = None                                   # 95 | %: ≥ or =? the clerk's to say
    wb.save(path)
    found = {i["cell"]: i for i in _issues(path) if i["code"] == "JX-V09"}
    assert sorted(found) == ["D7", "D8", "D9"], sorted(found)
    assert "指标性质未填写" in found["D7"]["message"] and "“≥”" in found["D7"]["message"], found["D7"]["message"]
    assert "“定性”" in found["D8"]["message"] and found["D9"]["fix"] is None
    out = tmp_path / "修正.xlsx"
    result = CliRunner().invoke(main, ["validate", str(path), "--fix", "-o", str(out)])
    assert out.exists(), result.output
    fixed = openpyxl.load_workbook(out)["项目1"]
    assert [fixed[c].value for c in ("D7", "E7", "F7", "D8", "E8", "D9")] == ["≥", "5", "个", "定性", "有效保障", None]
    assert [i["cell"] for i in _issues(out) if i["code"] == "JX-V09"] == ["D9"]


@pytest.mark.parametrize("template, typed, cell, meant", [
    ("sichuan", "80万元", 800000, "80"), ("sichuan", "８０万", 800000, "80"), ("sichuan", "785,000元", 785000, "78.5"),
    ("hebei", "785000元", 78.5, "78.5"), ("hebei", "0.8亿元", 8000, "8000")])
def test_fix_converts_an_amount_typed_in_another_unit_exactly(tmp_path, template, typed, cell, meant):
    """A clerk types an amount with its unit into a money cell. On a 元 form (四川) ``80万元`` is 800000 元,
    not 80 (which --fix used to leave to the clerk), and on a 万元 form ``785000元`` is 78.5 万元: the unit
    was typed, so the conversion is exact and the form's totals agree after the fix."""
    if template == "sichuan":
        path, money = _sichuan(tmp_path, typed), "G4"
    else:
        path, money = _hebei(tmp_path, FULL), "C4"
        wb = openpyxl.load_workbook(path)
        wb["项目1"]["C4"], wb["项目1"]["E4"] = typed, None
        wb.save(path)
    found = [i for i in _issues(path) if i["cell"] == money]
    assert [i["code"] for i in found] == ["JX-L03"] and found[0]["fix"], found
    out = tmp_path / "修正.xlsx"
    result = CliRunner().invoke(main, ["validate", str(path), "--fix", "-o", str(out)])
    assert out.exists(), result.output
    assert openpyxl.load_workbook(out)["项目1"][money].value == cell
    from jixiao.forms.reader import read_workbook
    from decimal import Decimal
    assert read_workbook(out).projects[0].budget == Decimal(meant)
    assert not [i for i in _issues(out) if i["cell"] == money and i["code"] == "JX-L03"]


def test_totals_chart_data_prints_in_columns_wide_enough(tmp_path):
    """The chart's data block under the 支出计划汇总: its labels sat in column A (6 wide) and ran into the
    numbers on the printout (“图表数据3月底”); they stand in the 项目名称 column now, the numbers under
    预算数 …, bordered, and the chart reads its series from there (LibreOffice recalculates them)."""
    import shutil
    import subprocess

    from openpyxl.utils import column_index_from_string

    from jixiao.totals.sheet import SHEET

    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["totals", str(_hebei(tmp_path, FULL)), "--write", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)[SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if "图表数据" in [c.value for c in ws[r]])
    label = next(c for c in ws[row] if c.value == "图表数据")
    width = ws.column_dimensions[label.column_letter].width
    assert width >= 2 * len("计划累计%"), f"labels in a column {width} wide"
    assert [ws.cell(row, label.column + 1 + i).value for i in range(4)] == ["3月底", "6月底", "10月底", "12月底"]
    assert ws.cell(row + 1, label.column).value == "计划累计%"
    assert ws.cell(row + 1, label.column).border.left.style == "thin"
    series = ws._charts[0].series[0]
    ref = series.val.numRef.f
    assert column_index_from_string(ref.split("!")[1].split(":")[0].strip("$").rstrip("0123456789").strip("$")) \
        == label.column + 1, ref
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        conv = tmp_path / "lo"
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                        "--convert-to", "xlsx", "--outdir", str(conv), str(out)], check=True, timeout=180,
                       capture_output=True)
        recalculated = openpyxl.load_workbook(conv / out.name, data_only=True)[SHEET]
        assert [recalculated.cell(row + 1, label.column + 1 + i).value for i in range(4)] == [25, 50, 75, 100]


def test_sum_of_sources_names_the_digits_that_differ(tmp_path):
    """年度资金总额 120.123456 against 财政拨款 120.12: the message read “120.12 不等于 … 120.12 + 0.00 = 120.12，
    相差 0.00 万元”, an error whose figures agree; it shows the typed digits where a form's two do not."""
    wb = openpyxl.load_workbook(TEMPLATES / "jixiao-unit-national.xlsx")
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B5"], unit["B6"] = "154001", "某县教育局", "130824", 2026
    ws = wb["项目1"]
    ws["B3"], ws["E7"], ws["E8"], ws["G7"], ws["G8"] = "学生资助", 300, 300, 120.123456, 120.12
    overall = wb["整体支出绩效目标表"]
    overall["B7"], overall["C7"], overall["F7"], overall["G7"], overall["H7"] = "任务一", "内容", 50, 51, -1
    path = tmp_path / "全国.xlsx"
    wb.save(path)
    issues = {(i["sheet"], i["cell"], i["code"]): i for i in _issues(path)}
    message = issues[("项目1", "G7", "JX-B01")]["message"]
    assert "120.123456 不等于" in message and "= 120.12，相差 0.003456 万元" in message, message
    assert "相差 0.00 万元" not in message
    # an integer typed is shown as typed, not as the cell engine's -1.0
    assert "为负数（-1）" in issues[("整体支出绩效目标表", "H7", "JX-B02")]["message"]


def _soffice() -> str | None:
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def _recalculated(path: Path, tmp_path: Path) -> Path:
    import subprocess

    out = tmp_path / "lo"
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)], check=True, timeout=180,
                   capture_output=True)
    return out / path.name


@pytest.mark.skipif(_soffice() is None, reason="needs LibreOffice")
@pytest.mark.parametrize("typed, red", [
    # 25% / 75% / 100% typed the Excel way (a fraction under a percent format) beside a plain 50
    ({"B7": (0.25, "0%"), "D7": (50, None), "E7": (0.75, "0%"), "F7": (1, "0%")}, set()),
    ({"B7": (25, None), "D7": (50, None), "E7": (75, None), "F7": (100, None)}, set()),
    # really wrong: 6月底 below 3月底, 12月底 not 100 — red, however typed
    ({"B7": (30, None), "D7": (0.2, "0%"), "E7": (75, None), "F7": (0.9, "0%")}, {"D7", "F7"}),
    ({"B7": (30, None), "D7": (20, None), "E7": (75, None), "F7": (90, None)}, {"D7", "F7"}),
])
def test_template_red_marks_read_a_percent_as_jixiao_does(tmp_path, typed, red):
    """The template's red marks (conditional formats, no macro) on the 资金支出计划: 75% typed into 10月底
    after a 50 in 6月底 was red as “比上一时点小” and a 100% in 12月底 red as “应为 100%” — Excel stores
    0.75 and 1 — while validate reads 75 and 100 and passes. LibreOffice evaluates each rule's own
    formula here, in a cell beside the form."""
    wb = openpyxl.load_workbook(TEMPLATES / "jixiao-unit-hunan.xlsx")
    ws = wb["项目1"]
    for ref, (value, fmt) in typed.items():
        ws[ref] = value
        if fmt:
            ws[ref].number_format = fmt
    probes = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            cell = str(cf.sqref)
            if cell in typed:
                probe = ws.cell(60 + len(probes), 20)
                probe.value = f"=IF({rule.formula[0]},1,0)"
                probes[probe.coordinate] = cell
    assert len(probes) >= 8, "range, order and 12月底 rules on the plan cells"
    path = tmp_path / "计划.xlsx"
    wb.save(path)
    got = openpyxl.load_workbook(_recalculated(path, tmp_path), data_only=True)["项目1"]
    assert {cell for probe, cell in probes.items() if got[probe].value == 1} == red
    plan_errors = {i["cell"] for i in _issues(path) if i["code"] in ("JX-P01", "JX-P02", "JX-P03")}
    assert plan_errors == red, "the marks agree with validate"


def test_hunan_overall_name_label_has_room_for_its_two_lines():
    """“部门(单位)名称” wraps to two lines in column A of the 湖南 整体支出绩效目标表: in a one-line row the
    printout showed half of each line, over the border (LibreOffice, the committed template)."""
    ws = openpyxl.load_workbook(TEMPLATES / "jixiao-unit-hunan.xlsx")["整体支出绩效目标表"]
    assert ws["A3"].value == "部门(单位)名称" and ws["A3"].alignment.wrap_text
    label_width = 2 * len("部门单位名称") + len("()")
    assert ws.column_dimensions["A"].width < label_width, "the label does wrap"
    font = ws["A3"].font.sz or 11
    assert (ws.row_dimensions[3].height or 15) >= 2 * font * 1.2


def test_totals_of_a_copied_sheet_never_renamed_says_it_counted_twice(tmp_path):
    """项目1 copied as “项目1 (2)” and left as it was: totals printed 200.00 万元 for one 100.00 project with
    exit 0, the one promise a total makes (it counted every project, once) broken in silence."""
    path = _hebei(tmp_path, FULL)
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["项目1"]).title = "项目1 (2)"
    wb.save(path)
    result = CliRunner().invoke(main, ["totals", str(path)])
    assert result.exit_code == 1, result.output
    assert "同一项目可能计入了两次" in result.output and "[项目1 (2)] B3" in result.output
    data = json.loads(CliRunner().invoke(main, ["totals", str(path), "--format", "json"]).output)
    assert [(f["sheet"], f["cell"], f["code"]) for f in data["findings"]] == [("项目1 (2)", "B3", "JX-C03")]
    # renamed to 项目2 with its own code: one total, no finding, exit 0
    wb = openpyxl.load_workbook(path)
    wb["项目1 (2)"].title = "项目2"
    wb["项目2"]["B3"] = "13082426P000327100328"
    wb.save(path)
    result = CliRunner().invoke(main, ["totals", str(path)])
    assert result.exit_code == 0 and "注意" not in result.output, result.output


def test_totals_with_a_blank_milestone_is_not_a_complete_total(tmp_path):
    """6月底 left blank between 25 and 75: totals printed the unit's 6月底 as 0.00 (0 %) and exited 0, a
    complete-looking total of a plan nobody wrote; the blank is listed (JX-P01, its cell) and exit is 1."""
    path = _hebei(tmp_path, FULL)
    wb = openpyxl.load_workbook(path)
    wb["项目1"]["D7"] = None
    wb.save(path)
    result = CliRunner().invoke(main, ["totals", str(path)])
    assert result.exit_code == 1, result.output
    assert "未能计入" in result.output and "[项目1] D7 错误 JX-P01" in result.output
    data = json.loads(CliRunner().invoke(main, ["totals", str(path), "--format", "json"]).output)
    assert [(f["cell"], f["code"]) for f in data["findings"]] == [("D7", "JX-P01")]


def test_fix_never_settles_a_unit_that_disagrees_with_the_unit_column(tmp_path):
    """湖南 整体支出绩效目标表: 指标值 “≥95%” beside 计量单位 “人次”. --fix rewrote the 指标值 to “95” and so made it
    95 人次, a choice only the clerk can make; the finding now asks to check the unit and fixes nothing there."""
    wb = openpyxl.load_workbook(TEMPLATES / "jixiao-unit-hunan.xlsx")
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B5"], unit["B6"] = "431228", "芷江县信访局", "431228", 2026
    ws = wb["整体支出绩效目标表"]
    ws["B3"], ws["B4"], ws["B5"] = "芷江县信访局", "职责", "目标"
    rows = [("产出指标", "数量指标", "接待人次", "≥", "≥95%", "人次", "解释", "标准", None, 30),
            ("效益指标", "社会效益指标", "稳定", "定性", "有效维护", None, "解释", "标准", None, 30),
            ("满意度指标", "服务对象满意度指标", "满意度", "≥", "90%", "%", "解释", "标准", None, 30)]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.cell(7 + i, 2 + j, value)
    path = tmp_path / "湖南.xlsx"
    wb.save(path)
    found = {i["cell"]: i for i in _issues(path) if i["code"] == "JX-V05"}
    assert "人次" in found["F7"]["message"] and found["F7"]["fix"] is None
    assert found["F9"]["fix"] is not None, "90% beside % is only said twice: that split stays a fix"
    out = tmp_path / "修正.xlsx"
    result = CliRunner().invoke(main, ["validate", str(path), "--fix", "-o", str(out)])
    assert out.exists(), result.output
    fixed = openpyxl.load_workbook(out)["整体支出绩效目标表"]
    assert (fixed["F7"].value, fixed["G7"].value) == ("≥95%", "人次")
    assert fixed["F9"].value == "90"


def _insert_row(ws, at: int) -> None:
    """Insert a sheet row as Excel does: everything below moves down, merged ranges too."""
    ranges = list(ws.merged_cells.ranges)
    for r in ranges:
        ws.merged_cells.remove(r)
    ws.insert_rows(at)
    for r in ranges:
        if r.min_row >= at:
            r.shift(0, 1)
        ws.merged_cells.add(r)


def test_a_row_inserted_into_the_national_mid_table_moves_the_annual_table(tmp_path):
    """全国 项目支出绩效目标申报表: 中期绩效指标 full (12 rows) and one row inserted for a 13th. The 12th fell
    below the table and was never read, and the 年度 table's header was read as an indicator (JX-T01
    一级指标“一级指标”). Both tables are found where the insertion put them."""
    wb = openpyxl.load_workbook(TEMPLATES / "jixiao-unit-national.xlsx")
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B5"], unit["B6"] = "154001", "某县教育局", "130824", 2026
    ws = wb["项目1"]
    ws["B3"], ws["E7"], ws["E8"], ws["G7"], ws["G8"] = "学生资助", 300, 300, 100, 100
    ws["B11"], ws["F11"] = "中期目标", "年度目标"
    kinds = [("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]
    for i in range(12):
        level1, level2 = kinds[i % 3]
        for col, value in ((1, level1), (2, level2), (3, f"中期指标{i + 1}"), (6, "≥90%")):
            ws.cell(14 + i, col, value)
    for i, (level1, level2) in enumerate(kinds):
        for col, value in ((1, level1), (2, level2), (3, f"年度指标{i + 1}"), (6, "≥95%")):
            ws.cell(28 + i, col, value)
    _insert_row(ws, 20)
    for col, value in ((1, "产出指标"), (2, "质量指标"), (3, "插入的指标"), (6, "≥80%")):
        ws.cell(20, col, value)
    path = tmp_path / "插入行.xlsx"
    wb.save(path)
    from jixiao.forms.reader import read_workbook

    project = read_workbook(path).projects[0]
    assert [i.level3 for i in project.mid_indicators] == (
        [f"中期指标{k}" for k in range(1, 7)] + ["插入的指标"] + [f"中期指标{k}" for k in range(7, 13)])
    assert [i.level3 for i in project.indicators] == ["年度指标1", "年度指标2", "年度指标3"]
    assert project.indicators[0].loc("level3").cell == "C29"
    assert not [i for i in _issues(path) if i["code"] == "JX-T01"]
