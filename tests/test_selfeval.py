"""Self-evaluation: worked scores per operator, bounds, grades, the 自评表 workbook and its rules."""

from __future__ import annotations

import json
from decimal import Decimal as D

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from jixiao.cli import main
from jixiao.profiles import load_profile
from jixiao.forms.reader import read_workbook
from jixiao.selfeval.scoring import (
    execution_score, grade, indicator_score, qualitative_score, satisfaction_score, split_weight,
)
from jixiao.selfeval.grading import score
from jixiao.selfeval.prefill import prefill
from jixiao.selfeval.reading import read_selfeval
from jixiao.selfeval.writer import write_scores, write_selfeval

from conftest import requires_soffice


@pytest.mark.parametrize("op, target, actual, weight, expected", [
    ("≥", "100", "90", "10", "9.00"),     # 90/100 × 10
    ("≥", "100", "120", "10", "10.00"),   # met
    (">", "95", "-5", "10", "0.00"),      # a negative actual counts as 0
    ("≤", "80", "100", "10", "7.50"),     # (1 − 20/80) × 10
    ("≤", "80", "70", "10", "10.00"),
    ("≤", "80", "160", "10", "0.00"),     # A ≥ 2T
    ("<", "0", "0", "5", "5.00"),
    ("=", "0", "0", "5", "5.00"),         # T = 0: A ≤ 0 → full
    ("=", "0", "1", "5", "0.00"),
    ("=", "100", "50", "20", "10.00"),    # as ≥
    ("≥", "95", "90", "12.5", "11.84"),   # 90/95 × 12.5 = 11.842…
])
def test_worked_scores(op, target, actual, weight, expected):
    assert indicator_score(op, D(target), D(actual), D(weight)) == D(expected)


def test_qualitative_and_satisfaction_bands():
    assert qualitative_score("部分达成", D(15), D(10)) == D("10.00")  # 10/15 = 66.7 % is in its band
    assert qualitative_score("部分达成", D(15), D(13)) is None       # out of band: 未评 (JX-E03), not a floor
    assert qualitative_score("部分达成", D(15)) is None              # 部分达成 needs its manual score
    assert qualitative_score("达成", D(30)) == D("30.00")            # 达成 without one: the full weight
    bands = [(D(t), D(s)) for t, s in load_profile("hunan").satisfaction_bands]
    assert [satisfaction_score(D(a), D(10), bands) for a in ("96", "95", "85", "60", "59")] == \
           [D("10.00"), D("10.00"), D("8.00"), D("5.00"), D(0)]
    assert execution_score(D(90), D(100), D(10)) == (D("0.9"), D("9.00"))
    assert execution_score(D(120), D(100), D(10))[1] == D("10.00")


@pytest.mark.parametrize("total, expected", [
    ("59.99", "差"), ("60", "中"), ("79.99", "中"), ("80", "良"), ("89.99", "良"), ("90", "优"), ("100", "优")])
def test_grade_boundaries(total, expected):
    assert grade(D(total)) == expected


decimals = st.decimals(min_value=-1000, max_value=100000, places=2)


@settings(max_examples=500)
@given(op=st.sampled_from(["≥", ">", "=", "≤", "<"]), target=decimals, actual=decimals,
       weight=st.decimals(min_value=0, max_value=100, places=2))
def test_score_never_negative_never_above_weight(op, target, actual, weight):
    s = indicator_score(op, target, actual, weight)
    assert D(0) <= s <= weight


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 3000), actual=st.lists(st.decimals(min_value=0, max_value=1000, places=1),
                                                     min_size=20, max_size=20),
       executed=st.decimals(min_value=0, max_value=10**6, places=2))
def test_total_never_above_100(seed, actual, executed):
    from jixiao.synth import generate_unit

    ev = prefill(generate_unit(seed, n_projects=2, n_indicators=9))
    for p in ev.projects:
        p.executed_total = executed
        for ind, a in zip(p.indicators, actual):
            ind.actual = str(a)
            ind.band = "达成"
    report = score(ev)
    for s in report.projects:
        assert sum(r.weight for r in s.rows) + s.execution_weight == D(100)
        assert D(0) <= s.total <= D(100)
    assert sum(split_weight(D(50), 7)) == D(50)


@pytest.fixture
def filled(tmp_path, example_files):
    ev = prefill(read_workbook(example_files["luanping_xinfang_2026"]))
    p = ev.projects[0]
    p.executed_total = D("76.00")
    for ind, actual in zip(p.indicators, ["80次", "90%", "100%", "78万元", None, "96%"]):
        ind.actual = actual
    p.indicators[1].reason = "个别任务延期"
    p.indicators[4].band = "达成"
    path = write_selfeval(tmp_path / "自评.xlsx", ev)
    return path


def test_luanping_worked_total(filled):
    report = score(read_selfeval(filled))
    p = report.projects[0]
    assert [r.weight for r in p.rows] == [D("12.5")] * 4 + [D(30), D(10)]
    assert [r.score for r in p.rows] == [D("12.50"), D("11.84"), D("12.50"), D("12.50"), D("30.00"), D("10.00")]
    # 达成 without a manual score now scores the full weight (30), not the band's floor (24)
    assert p.execution_score == D("9.50") and p.total == D("98.84") and p.grade == "优"
    assert p.rollup()["产出指标"]["质量指标"] == D("11.84")


def test_rules_e01_to_e05(tmp_path, example_files):
    ev = prefill(read_workbook(example_files["luanping_xinfang_2026"]))
    a, b = ev.projects
    a.executed_total = D("50")                      # 62.5 %, no reason → E01
    b.executed_total = D("40")                      # more than 31.50 → E05
    a.indicators[0].actual, a.indicators[0].score = "60", D("99")  # 60 of 75: E04; 99 > 12.5: E02
    a.indicators[4].band, a.indicators[4].score = "部分达成", D("29")  # 29 of 30 is 达成's band: E03
    path = write_selfeval(tmp_path / "e.xlsx", ev)
    issues = {(i.code, i.sheet, i.cell) for i in score(read_selfeval(path)).issues}
    assert {("JX-E01", "项目1", "D6"), ("JX-E05", "项目2", "D6"), ("JX-E02", "项目1", "G10"),
            ("JX-E04", "项目1", "E10"), ("JX-E03", "项目1", "G14")} <= issues
    a.execution_reason = "部分支出跨年"
    a.indicators[0].reason = "上级任务调整"
    path = write_selfeval(tmp_path / "e2.xlsx", ev)
    codes = {i.code for i in score(read_selfeval(path)).issues}
    assert "JX-E01" not in codes and "JX-E04" not in codes


def test_prefill_round_trip_and_cli(tmp_path, example_files):
    out = tmp_path / "se.xlsx"
    result = CliRunner().invoke(main, ["selfeval", "new", str(example_files["zhijiang_xinfang_2026"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ev = read_selfeval(out)
    assert ev.department.name == "芷江侗族自治县信访局" and len(ev.department.indicators) == 14
    assert ev.department.indicators[-1].target == "≤274.6万元"
    assert ev == prefill(read_workbook(example_files["zhijiang_xinfang_2026"]))
    data = json.loads(CliRunner().invoke(main, ["score", str(out), "--format", "json"]).output)
    assert set(data) >= {"unit_code", "total", "grade", "execution", "indicators"}
    assert set(data["execution"]) == {"rate", "score", "weight"}
    assert set(data["indicators"][0]) == {"sheet", "cell", "level1", "level2", "level3", "operator", "target",
                                          "actual", "weight", "score"}
    assert data == score(ev).to_json()


@requires_soffice
def test_written_scores_recalculate_to_python(filled, tmp_path):
    from jixiao.excel.office import convert

    report = score(read_selfeval(filled))
    out = write_scores(filled, tmp_path / "scored.xlsx", report)
    ws = openpyxl.load_workbook(convert(out, "xlsx", tmp_path / "lo"), data_only=True)["项目1"]
    values = {ws.cell(r, 1).value: ws.cell(r, 7).value for r in range(10, ws.max_row + 1)}
    p = report.projects[0]
    assert D(str(values["合计"])) == p.indicator_total
    assert D(str(values["总分（执行率得分 + 指标得分）"])) == p.total
    assert values["评价等级"] == p.grade == "优"
    assert D(str(ws["G6"].value)) == p.execution_score


def test_report_docx_has_the_sections_and_the_numbers(filled, tmp_path):
    import docx

    out = tmp_path / "报告.docx"
    result = CliRunner().invoke(main, ["export", str(filled), "--to", "docx", "-o", str(out)])
    assert result.exit_code == 1 and "未完成评分" in result.output, result.output
    doc = docx.Document(str(out))
    text = [p.text for p in doc.paragraphs]
    # the sections are seed 004's now (issue 18); the department sheet is unfilled here, so export exits 1
    for heading in ("一、部门基本情况", "（二）部门收支预决算情况", "（三）部门整体支出绩效目标、指标",
                    "二、自评工作开展情况", "三、部门整体支出绩效目标实现情况及指标分析", "四、评价结论和评价等级",
                    "五、存在的问题及改进措施", "六、评价工作组人员名单及签字（姓名、工作单位、职务、职称）"):
        assert heading in text, heading
    p = score(read_selfeval(filled)).projects[0]
    assert any(f"总分 {p.total:.2f}，等级 {p.grade}" in t for t in text)
    scored = [t for t in doc.tables if t.rows[0].cells[0].text == "一级指标"]
    assert [r.cells[6].text for r in scored[-2].rows[1:-1]] == [f"{r.score:.2f}" for r in p.rows]


def test_hunan_project_without_cost_rows_can_score_100(tmp_path, example_files):
    # 湖南 shares 成本 20 / 产出 40 / 效益 20 / 满意度 10 / 执行率 10. A project with no 成本指标 row
    # (the usual 项目表) got 40 + 20 + 10 + 10 = 80 points at most: every target met was 良, never 优.
    from jixiao.forms.template import write_workbook

    book = read_workbook(example_files["luanping_xinfang_2026"])
    book.profile = "hunan"
    book.milestones = ["3月底", "6月底", "10月底", "12月底"]
    for p in book.projects:
        p.plan = {"3月底": D(25), "6月底": D(50), "10月底": D(75), "12月底": D(100)}
    targets = write_workbook(tmp_path / "湖南目标表.xlsx", book)
    path = tmp_path / "自评.xlsx"
    assert CliRunner().invoke(main, ["selfeval", "new", str(targets), "-o", str(path)]).exit_code == 0
    ev = read_selfeval(path)
    p = ev.projects[0]
    assert "成本指标" not in {i.level1 for i in p.indicators}
    assert sum(i.weight for i in p.indicators) + D(10) == D(100)
    p.executed_total = p.full_total
    for ind in p.indicators:
        ind.actual = ind.target.lstrip("≥≤<>=") if ind.target and ind.target[:1] in "≥≤<>=" else ind.target
        if ind.level1 == "效益指标" or not ind.target or not any(ch.isdigit() for ch in ind.target):
            ind.band = "达成"
    done = write_selfeval(tmp_path / "已填.xlsx", ev)
    s = score(read_selfeval(done)).projects[0]
    assert s.complete, [i.message for i in s.pending]
    assert s.total == D(100) and s.grade == "优"


def test_weights_over_100_with_execution_are_not_graded(tmp_path, example_files):
    # 分值 20 × 5 on the 整体支出绩效目标表 (JX-W01 there: should be 90) came into the 自评表 as they
    # stood; with 执行率 10 the report printed 总分 105.50 and 优.
    wb = openpyxl.load_workbook(example_files["zhijiang_xinfang_2026"])
    ws = wb["整体支出绩效目标表"]
    for row in range(7, 21):
        ws.cell(row, 11).value = 10
    targets = tmp_path / "分值.xlsx"
    wb.save(targets)
    path = tmp_path / "自评.xlsx"
    assert CliRunner().invoke(main, ["selfeval", "new", str(targets), "-o", str(path)]).exit_code == 0
    ev = read_selfeval(path)
    assert sum(i.weight for i in ev.department.indicators) == D(140)
    dept = score(ev).department
    w01 = [i for i in dept.pending if i.code == "JX-W01"]
    assert [i.message for i in w01] == ["指标分值合计 140，应为 90；请调整各指标分值。"]
    assert dept.grade is None
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 1 and "JX-W01" in result.output
