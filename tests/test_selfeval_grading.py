"""Issue 18: self-evaluation that grades right — department rows from 分项绩效目标, 未评 rows get no grade,
the 定性档次 list, 达成 scores full weight, the seed-004 report; issue 14 point 23 (text in a number cell)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.reader import read_workbook
from jixiao.selfeval.grading import score
from jixiao.selfeval.model import DEPARTMENT_SHEET, SUBTARGET_SHEET
from jixiao.selfeval.prefill import prefill
from jixiao.selfeval.reading import read_selfeval
from jixiao.selfeval.writer import write_scores, write_selfeval
from jixiao.forms.values import parse_indicator_value

from conftest import requires_soffice

TEMPLATES = Path(__file__).parent.parent / "workbook_templates"


def _met(target: str) -> str:
    """The actual value that exactly meets a quantitative target (≥75次 → 75次)."""
    p = parse_indicator_value(target)
    return f"{p.number}{p.unit or ''}"


def fill_all(ev):
    """Every budget spent and every target met; department rows get a category and a target."""
    kinds = [("产出指标", "质量指标")] * 6 + [("效益指标", "社会效益指标")] * 3
    for sheet in (ev.department, *ev.projects):
        sheet.executed_total = sheet.full_total
        unnamed = iter(kinds)
        for ind in sheet.indicators:
            if ind.level1 is None:
                ind.level1, ind.level2 = next(unnamed)
            if ind.target is None:
                ind.target = "≥95%"
            p = parse_indicator_value(ind.target)
            if p.number is not None:
                ind.actual = _met(ind.target)
            else:
                ind.band = "达成"
    return ev


@pytest.fixture
def luanping(example_files):
    return read_workbook(example_files["luanping_xinfang_2026"])


def test_luanping_department_rows_from_sub_targets(luanping, example_files, tmp_path):
    out = tmp_path / "自评.xlsx"
    example = example_files["luanping_xinfang_2026"]
    result = CliRunner().invoke(main, ["selfeval", "new", str(example), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ev = read_selfeval(out)
    rows = ev.department.indicators
    assert [r.level3 for r in rows] == [
        "信访事项及时受理率", "信访事项处理群众满意率", "网上信访事项受理率", "网上信访事项办结率", "网上信访事项满意率",
        "省、市领导包联信访案件办结率", "县级领导包联案件办结率", "信访隐患排查率", "信访隐患化解率",
        "信访事项受理率", "信访事项办结率", "信访事项满意率"]
    # targets where the text gives them (the third sub-target's 绩效目标), blank for the clerk elsewhere
    assert [r.target for r in rows] == [None] * 5 + ["100%", "100%"] + [None] * 5
    # 满意率 is plainly 满意度; the rest is left for the clerk to choose; 满意度's 10 shared exactly
    assert [r.level1 for r in rows if r.level1] == ["满意度指标"] * 3
    assert [r.weight for r in rows if r.weight is not None] == [D("3.33"), D("3.33"), D("3.34")]
    assert [t.title for t in ev.department.sub_targets] == [t.title for t in luanping.department.sub_targets]
    assert ev == prefill(read_workbook(example))  # the 自评表 reads back as it was pre-filled


def test_seed004_texts_give_targets():
    from jixiao.selfeval.subtargets import indicators_of

    assert indicators_of("国家、省、市交办的信访案件按期结案率达到 95%以上，年终结案率达到 95%以上，"
                         "区级交办的信访积案结案率达到 80%以上。") == [
        ("国家、省、市交办的信访案件按期结案率", "≥95%"), ("年终结案率", "≥95%"), ("区级交办的信访积案结案率", "≥80%")]
    assert indicators_of("全年发放信访明白纸等宣传材料不少于 6000 份。") == [("全年发放信访明白纸等宣传材料", "≥6000份")]
    assert indicators_of("充分发挥“一站式接待、一条龙办理、一揽子解决”的作用，成为群众信访事项的“终结站”。"
                         "初信初访办结率达到95%以上。") == [("初信初访办结率", "≥95%")]
    assert indicators_of("及时受理人民群众来电来信业务。") == [("及时受理人民群众来电来信业务", None)]
    assert indicators_of("隐患排查率、隐患化解率; 群众满意率") == [("隐患排查率", None), ("隐患化解率", None),
                                                                ("群众满意率", None)]


def test_unfilled_form_exits_1_with_no_grade(luanping, tmp_path):
    path = write_selfeval(tmp_path / "空.xlsx", prefill(luanping))
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 1, result.output
    assert "未完成评分" in result.output and "等级 差" not in result.output
    assert "已评部分" in result.output  # the totals shown are marked partial
    assert f"{DEPARTMENT_SHEET}!D6 JX-E06" in result.output  # 全年执行数 未填写
    assert "项目1!E10 JX-E06" in result.output  # the first indicator's 实际完成值
    data = json.loads(CliRunner().invoke(main, ["score", str(path), "--format", "json"]).output)
    assert data["grade"] is None and data["complete"] is False
    assert all(p["grade"] is None and p["complete"] is False for p in data["projects"])
    assert {"sheet": "项目1", "cell": "E10", "code": "JX-E06"}.items() <= data["projects"][0]["pending"][1].items()


def test_all_targets_met_gives_100(luanping, tmp_path):
    path = write_selfeval(tmp_path / "满分.xlsx", fill_all(prefill(luanping)))
    report = score(read_selfeval(path))
    assert report.complete and not report.issues
    for s in (report.department, *report.projects):
        assert (s.total, s.grade) == (D("100.00"), "优"), s.sheet.sheet
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 0 and "总分 100.00，等级 优" in result.output, result.output


def test_partial_cases_by_hand(luanping, tmp_path):
    ev = fill_all(prefill(luanping))
    a, b = ev.projects
    a.executed_total = D("76")                                    # 76 / 80 × 10 = 9.50
    a.execution_reason = None
    for ind, actual in zip(a.indicators, ["60次", "90%", "100%", "100万元", None, "95%"]):
        ind.actual = actual
        ind.reason = "已说明"
    a.indicators[4].band, a.indicators[4].score = "部分达成", D(20)  # 20 of 30 = 66.7 %: in its band
    b.indicators[4].band = "未达成"                                # no manual score yet: 未评
    path = write_selfeval(tmp_path / "部分.xlsx", ev)
    report = score(read_selfeval(path))
    pa, pb = report.projects
    # 60/75 × 12.5 = 10.00; 90/95 × 12.5 = 11.84; met 12.50; ≤80 with 100: (1 − 20/80) × 12.5 = 9.375 → 9.38
    assert [r.score for r in pa.rows] == [D("10.00"), D("11.84"), D("12.50"), D("9.38"), D("20.00"), D("10.00")]
    assert pa.execution_score == D("9.50") and pa.total == D("83.22") and pa.grade == "良"
    assert not pb.complete and pb.grade is None and pb.total == D("70.00")  # 10 + 4 × 12.5 + 10, partial
    (pending,) = pb.pending
    assert (pending.code, pending.sheet, pending.cell) == ("JX-E06", "项目2", "G14")
    assert "0.00 至 17.99" in pending.message  # says what to fill: a score inside 未达成's band
    assert not report.complete
    b.indicators[4].score = D(15)                                   # 15 of 30 = 50 %: 未达成
    report = score(read_selfeval(write_selfeval(tmp_path / "部分2.xlsx", ev)))
    assert report.projects[1].complete and report.projects[1].total == D("85.00")
    b.indicators[4].score = D(20)                                   # 66.7 % is not 未达成: JX-E03, 未评
    report = score(read_selfeval(write_selfeval(tmp_path / "部分3.xlsx", ev)))
    assert [i.code for i in report.projects[1].pending] == ["JX-E03"] and report.projects[1].grade is None


def test_text_date_or_error_in_a_number_cell_is_a_finding(luanping, tmp_path):
    """Issue 14 point 23: 八十 in 全年执行数 is JX-L03, never a silent 0 (nor a date, nor #REF!)."""
    path = write_selfeval(tmp_path / "满分.xlsx", fill_all(prefill(luanping)))
    wb = openpyxl.load_workbook(path)
    wb["项目1"]["D6"] = "八十"
    wb["项目1"]["E10"] = dt.datetime(2026, 3, 1)  # a date in an actual value
    wb["项目2"]["D6"] = "#REF!"                    # an error value in 全年执行数
    wb["项目2"]["E11"] = "九十五%"
    wb.save(tmp_path / "坏.xlsx")
    result = CliRunner().invoke(main, ["score", str(tmp_path / "坏.xlsx")])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "项目1!D6 JX-L03 全年执行数应填数字，现为“八十”" in out
    assert "项目1!E10 JX-L03 实际完成值应填数字，现为“2026-03-01”" in out
    assert "项目2!E11 JX-L03" in out
    assert "项目2!D6 JX-L03" in out or "项目2!D6 JX-E06" in out  # L03 once the reader keeps error values
    assert "[项目1] 信访工作保障经费：未完成评分（已评部分" in out and "[项目2] 信访维稳经费：未完成评分" in out


def _national_selfeval(book) -> bool:
    """A template of a profile that uses the national 自评表 sheets (national, 四川): header on row 12."""
    from jixiao.profiles import BUILTIN, load_profile

    name = book.stem.removeprefix("jixiao-selfeval-")
    return name in BUILTIN and load_profile(name).forms.get("selfeval_project") == "selfeval-national-project"


def test_band_list_on_every_sheet_and_in_the_templates(luanping, tmp_path):
    path = write_selfeval(tmp_path / "自评.xlsx", prefill(luanping))
    for book in (path, *sorted(TEMPLATES.glob("jixiao-selfeval-*.xlsx"))):
        wb = openpyxl.load_workbook(book)
        lists = {}
        for name, defined in wb.defined_names.items():
            sheet, ref = next(defined.destinations)
            lists[name] = [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]
        assert lists["jx_bands"] == ["达成", "部分达成", "未达成"], book
        sheets = [ws for ws in wb.worksheets if ws.title == DEPARTMENT_SHEET or ws.title.startswith("项目")]
        assert len(sheets) >= 2, book
        for ws in sheets:
            # the indicator header: row 20 / 9 on the Hebei sheets, 12 on the national ones (the national template)
            header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "一级指标")
            assert header == (20 if ws.title == DEPARTMENT_SHEET else 9) or _national_selfeval(book), (book, ws.title)
            dvs = ws.data_validations.dataValidation
            band = [dv for dv in dvs if dv.formula1 == "jx_bands"]
            assert band and f"H{header + 1}" in str(band[0].sqref) and band[0].errorStyle in (None, "stop"), ws.title
            manual = [dv for dv in dvs if dv.type == "custom" and f"G{header + 1}" in str(dv.sqref)]
            assert manual and "部分达成" in manual[0].formula1, ws.title  # 得分 checked against the band
    assert SUBTARGET_SHEET in openpyxl.load_workbook(path).sheetnames


def test_report_docx_follows_seed004(luanping, tmp_path):
    import docx

    ev = fill_all(prefill(luanping))
    ev.department.conclusion = "部门整体工作开展有序，实现了绩效目标。"
    path = write_selfeval(tmp_path / "满分.xlsx", ev)
    out = tmp_path / "报告.docx"
    result = CliRunner().invoke(main, ["export", str(path), "--to", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    text = [p.text for p in doc.paragraphs]
    from jixiao.converters.selfeval_docx import SECTIONS

    assert [t for t in text if t in SECTIONS] == list(SECTIONS)  # seed 004's sections, in its order
    third = text[text.index("（二）分项绩效目标实现情况及指标分析"):text.index("四、评价结论和评价等级")]
    first = next(t for t in third if t.startswith("绩效指标："))
    # 第三部分: each 分项绩效目标 restated with its 绩效指标 and the values achieved, from the sheet
    assert first == ("绩效指标：信访事项及时受理率：实际完成 95%（年度指标值 ≥95%），得分 8.33（分值 8.33）；"
                     "信访事项处理群众满意率：实际完成 95%（年度指标值 ≥95%），得分 3.33（分值 3.33）。")
    assert third[1].startswith("1、围绕“近民情”") and sum(t.startswith("绩效指标：") for t in third) == 5
    assert "经自评，部门整体支出绩效总分 100.00 分。通过评价，部门整体综合绩效评定结论为优秀。" in text
    assert "部门整体工作开展有序，实现了绩效目标。" in text


@pytest.mark.parametrize("sub_targets", [True, False])
def test_report_lists_each_department_indicator_in_one_table_row(luanping, tmp_path, sub_targets):
    """The department's indicators outside every 分项绩效目标 (all of them, for a sheet without any) were a
    table of their own and then again the 评分表, row for row: each is one row of one table now."""
    import docx

    from jixiao.converters.selfeval_docx import export_selfeval_docx

    ev = fill_all(prefill(luanping))
    if not sub_targets:
        ev.department.sub_targets = []
    report = score(read_selfeval(write_selfeval(tmp_path / "自评.xlsx", ev)))
    assert report.department.rows
    doc = docx.Document(str(export_selfeval_docx(report, tmp_path / "报告.docx")))
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    for r in report.department.rows:
        name = r.indicator.level3
        assert sum(name in cells for cells in rows) == 1, name
    text = [p.text for p in doc.paragraphs]
    assert any(t.endswith("完成情况见下表。") for t in text) or sub_targets, text


def _recalculated(path, tmp_path):
    from jixiao.excel.office import convert

    return openpyxl.load_workbook(convert(path, "xlsx", tmp_path / "lo"), data_only=True)


def _footer(ws, first: int) -> dict[str, object]:
    return {ws.cell(r, 1).value: (ws.cell(r, 6).value, ws.cell(r, 7).value) for r in range(first, ws.max_row + 1)}


@requires_soffice
def test_the_sheet_does_not_grade_weights_over_100(luanping, tmp_path):
    """分值 that leave no room for 执行率 (a 湖南 clerk's 20 × 5 + 10): jixiao score says 未完成评分 (JX-W01),
    and so does the sheet's own 评价等级 once Excel or LibreOffice recalculates it (it said 优 at 105.50)."""
    ev = fill_all(prefill(luanping))
    project = ev.projects[0]
    project.indicators[0].weight = (project.indicators[0].weight or D(0)) + D(10)
    path = write_selfeval(tmp_path / "超分.xlsx", ev)
    report = score(read_selfeval(path))
    assert report.projects[0].grade_text == "未完成评分" and report.projects[1].grade_text == "优"
    out = write_scores(path, tmp_path / "已打分.xlsx", report)
    wb = _recalculated(out, tmp_path)
    grades = [_footer(wb[s.sheet.sheet], 10)["评价等级"][1] for s in report.projects]
    assert grades == ["未完成评分", "优"], grades


@requires_soffice
def test_libreoffice_recalculates_the_sheet_totals_as_python(luanping, tmp_path):
    ev = fill_all(prefill(luanping))
    a = ev.projects[0]
    a.executed_total = D("76")
    a.execution_reason = "部分支出跨年"
    a.indicators[0].actual, a.indicators[0].reason = "60次", "任务调整"
    a.indicators[4].band, a.indicators[4].score, a.indicators[4].actual = "部分达成", D(20), None
    ev.projects[1].indicators[4].band = "未达成"  # 未评: the sheet's own grade must say so too
    for ind in ev.department.indicators:
        if ind.level1 != "满意度指标":
            ind.weight = None  # shared out by scoring and written into 分值 by --write
    path = write_selfeval(tmp_path / "自评.xlsx", ev)
    report = score(read_selfeval(path))
    out = write_scores(path, tmp_path / "已打分.xlsx", report)
    wb = _recalculated(out, tmp_path)
    for s, first in ((report.department, 21), (report.projects[0], 10), (report.projects[1], 10)):
        ws = wb[s.sheet.sheet]
        values = _footer(ws, first)
        assert D(str(ws["G6"].value)) == s.execution_score, s.sheet.sheet
        assert D(str(values["合计"][1])) == s.indicator_total, s.sheet.sheet
        assert D(str(values["合计"][0])) == sum(r.weight for r in s.rows), s.sheet.sheet
        assert D(str(values["总分（执行率得分 + 指标得分）"][1])) == s.total, s.sheet.sheet
        assert values["评价等级"][1] == s.grade_text, s.sheet.sheet
    assert [s.grade_text for s in (report.department, *report.projects)] == ["优", "良", "未完成评分"]


def test_consolidation_ranks_only_complete_evaluations(luanping, tmp_path):
    from jixiao.consolidation import consolidate

    folder = tmp_path / "in"
    folder.mkdir()
    best = fill_all(prefill(luanping))
    write_selfeval(folder / "甲-自评.xlsx", best)
    second = fill_all(prefill(luanping))
    second.unit.code, second.unit.name = "154002", "滦平县第二单位"
    second.projects[0].executed_total = D("40")        # 50 %: 执行率 5.00, so that project scores 95.00
    second.projects[0].execution_reason = "跨年支付"
    write_selfeval(folder / "乙-自评.xlsx", second)
    unfinished = prefill(luanping)                      # nothing filled in
    unfinished.unit.code, unfinished.unit.name = "154003", "滦平县未填单位"
    write_selfeval(folder / "丙-自评.xlsx", unfinished)
    out = tmp_path / "汇总.xlsx"
    result = consolidate([folder], out, workers=1, use_cache=False)
    assert result.found == 3 == result.consolidated and result.selfevaluations == 3
    ws = openpyxl.load_workbook(out)["自评得分"]
    header = [c.value for c in ws[1]]
    assert header[:7] == ["排名", "单位编码", "单位名称", "部门整体总分", "部门整体等级", "项目平均分", "各项目得分"]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [(r["排名"], r["单位编码"]) for r in rows] == [(1, "154001"), (2, "154002"), (None, "154003")]
    assert rows[0]["部门整体总分"] == 100 and rows[0]["部门整体等级"] == "优" and rows[0]["项目平均分"] == 100
    assert rows[1]["各项目得分"] == "信访工作保障经费 95.00（优）；信访维稳经费 100.00（优）"
    assert rows[1]["项目平均分"] == 97.5 and rows[1]["部门整体总分"] == 100
    last = rows[2]
    assert last["部门整体总分"] is None and last["部门整体等级"] == "未完成评分" and last["评分状态"] == "未完成评分（不排名）"
    assert "部门整体支出绩效自评表 " in last["未完成原因"] and "项未评" in last["未完成原因"]
    assert "项目1 " in last["未完成原因"] and "全年执行数未填写" in last["未完成原因"]
    overview = openpyxl.load_workbook(out)["概览"]
    assert "其中 1 份未完成评分" in overview["C10"].value


def test_money_actual_in_another_unit_is_converted_exactly(luanping, tmp_path):
    """A clerk writes the 成本 actual as the 决算 prints it, in 元 (``785,000元``) against a target in 万元
    (``≤80万元``): it is 78.5 万元, met. It was read as 785000 万元 (0 points, completion 981250%)."""
    ev = fill_all(prefill(luanping))
    a, b = ev.projects
    assert a.indicators[3].target == "≤80万元"
    a.indicators[3].actual = "785,000元"   # 78.5 万元 ≤ 80: full 12.50
    b_cost = next(i for i in b.indicators if parse_indicator_value(i.target).unit == "万元")
    b_cost.actual = f"{parse_indicator_value(b_cost.target).number * 12500}元"  # 1.25 × the target
    path = write_selfeval(tmp_path / "元.xlsx", ev)
    report = score(read_selfeval(path))
    pa, pb = report.projects
    assert pa.rows[3].actual == D("78.5") and pa.rows[3].score == D("12.50")
    row = next(r for r in pb.rows if r.indicator.level3 == b_cost.level3)
    assert row.actual == D("39.375") and row.score == D("9.38")  # ≤ missed by 25 %: 75 % of 12.5
    e04 = [i for i in report.issues if i.code == "JX-E04" and i.sheet == "项目2"]
    assert e04 and "125.0%" in e04[0].message, [i.message for i in e04]
    assert not [i for i in report.issues if i.code == "JX-E04" and i.sheet == "项目1"]  # 98.1 %: met, no reason asked


def test_actual_in_another_unit_than_the_target_is_said(luanping, tmp_path):
    """``80%`` against ``≥75次`` was scored as 80 ≥ 75, full marks, without a word: the clerk is told the
    units differ (JX-E07, a warning at the 实际完成值) instead of a completion percentage of nothing."""
    ev = fill_all(prefill(luanping))
    a = ev.projects[0]
    assert parse_indicator_value(a.indicators[0].target).unit == "次"
    a.indicators[0].actual = "80%"
    a.indicators[1].actual = "96％"  # the full-width sign is the same %
    report = score(read_selfeval(write_selfeval(tmp_path / "单位.xlsx", ev)))
    found = [i for i in report.issues if i.sheet == "项目1" and i.code in ("JX-E07", "JX-E04")]
    assert [(i.code, i.cell) for i in found] == [("JX-E07", "E10")], [(i.code, i.cell, i.message) for i in found]
    assert "“次”" in found[0].message and "“%”" in found[0].message, found[0].message
    assert found[0].severity == "warning" and report.complete
