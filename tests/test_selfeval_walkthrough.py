"""The 绩效自评 walked through as a clerk does it (session 30): the demo's 滦平县信访局 targets made into a
自评表 (`jixiao selfeval new`), filled with openpyxl the way a clerk types, scored (`jixiao score`).
Each test names the slip it is about; real files throughout."""

from __future__ import annotations

import json
from decimal import Decimal as D

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.reader import read_workbook
from jixiao.selfeval.grading import score
from jixiao.selfeval.prefill import prefill
from jixiao.selfeval.reading import read_selfeval
from jixiao.selfeval.scoring import execution_score, indicator_score
from jixiao.selfeval.writer import write_selfeval

from test_selfeval_grading import fill_all


@pytest.fixture
def complete(example_files, tmp_path):
    """滦平县信访局's 自评表 with every budget spent and every target met (总分 100, 优)."""
    return write_selfeval(tmp_path / "自评表.xlsx", fill_all(prefill(read_workbook(
        example_files["luanping_xinfang_2026"]))))


def _edit(path, tmp_path, name="改.xlsx", **cells):
    """The 自评表 with ``项目1`` cells typed (``D6=850000``); a copy, the input kept."""
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        sheet, _, cell = ref.rpartition("_")
        wb[sheet or "项目1"][cell].value = value
    out = tmp_path / name
    wb.save(out)
    return out


def _score(path):
    return score(read_selfeval(path))


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# 1. multiply before dividing, round once --------------------------------------------------------

def test_half_cent_scores_round_half_up_once():
    # 1.35 × 13 / 90 = 0.195 exactly; 13 / 90 × 1.35 was 0.19499… and gave 0.19
    assert indicator_score("≥", D(90), D(13), D("1.35")) == D("0.20")
    # ≤: (1 − (23 − 12) / 12) × 1.02 = 0.085; the early quotient gave 0.08
    assert indicator_score("≤", D(12), D(23), D("1.02")) == D("0.09")
    # 执行率: 15 × 54.03 / 90 = 9.005 → 9.01 (min(54.03 / 90, 1) × 15 was 9.00499…)
    assert execution_score(D("54.03"), D(90), D(15))[1] == D("9.01")


def test_half_cent_indicator_score_on_the_sheet(complete, tmp_path):
    # 完成维稳任务 ≥90次 for 1.35 of the 12.5 points (the rest moved to the next row), 13 done: 0.195 → 0.20
    path = _edit(complete, tmp_path, D10="≥90次", E10=13, F10=D("1.35"), F11=D("23.65"), I10="上级任务调整")
    p = _score(path).projects[0]
    assert p.rows[0].score == D("0.20")
    assert p.complete and p.total == D("98.85")


# 2. 分值 not adding up -------------------------------------------------------------------------

def test_weights_under_the_total_are_jx_w01_and_not_graded(complete, tmp_path):
    # the six rows' 分值 are 12.5 × 4, 30, 10 = 90; a clerk lowers 效益 to 25: out of 95, graded as of 100
    path = _edit(complete, tmp_path, F14=25)
    p = _score(path).projects[0]
    w01 = [i for i in p.pending if i.code == "JX-W01"]
    assert [i.message for i in w01] == ["指标分值合计 85，应为 90；请调整各指标分值。"]
    assert p.grade is None
    assert all(i.code != "JX-W01" for i in _score(complete).issues)


# 3. 执行率 that cannot be computed ---------------------------------------------------------------

def test_execution_rate_without_a_budget_is_a_dash(complete, tmp_path):
    path = _edit(complete, tmp_path, C6=0, 部门整体支出绩效自评表_D6=None)
    report = _score(path)
    p = report.projects[0]
    assert p.rate is None and p.execution_score == 0 and p.grade is None
    assert any("无法计算预算执行率（显示为“—”）" in i.message and i.cell == "C6" for i in p.pending)
    data = json.loads(_cli("score", path, "--format", "json").output)
    assert data["projects"][0]["execution"]["rate"] is None
    assert data["execution"]["rate"] is None  # 部门整体: 全年执行数 blank
    out = _cli("score", path).output
    assert "执行率 — 得 0.00" in out and "0.0%" not in out


# 4. 定性 rows --------------------------------------------------------------------------------

def test_qualitative_row_messages(complete, tmp_path):
    # 项目1 row 14 (维护社会稳定) is 定性: its 档次 typed as 良好, then left blank with only a text
    wrong = _score(_edit(complete, tmp_path, "a.xlsx", H14="良好")).projects[0].pending
    assert any("定性档次“良好”不是可选的档次" in i.message and i.cell == "H14" for i in wrong)
    text_only = _score(_edit(complete, tmp_path, "b.xlsx", H14=None, E14="基本完成")).projects[0].pending
    assert any("按实际完成值“基本完成”在定性档次栏选择" in i.message and i.cell == "H14" for i in text_only)
    blank = _score(_edit(complete, tmp_path, "c.xlsx", H14=None, E14=None)).projects[0].pending
    assert any("填写实际完成值（完成情况的文字说明）" in i.message for i in blank)
    # the 档次 typed into 实际完成值 is unambiguous: scored
    typed = _score(_edit(complete, tmp_path, "d.xlsx", H14=None, E14="达成")).projects[0]
    assert typed.complete and typed.total == D(100)


# 5 and 8. money in messages, 元 in a 万元 cell --------------------------------------------------

def test_over_budget_money_has_two_decimals_and_unit(complete, tmp_path):
    e05 = [i for i in _score(_edit(complete, tmp_path, C6=85, D6=D("85.5"))).issues if i.code == "JX-E05"]
    assert [i.message for i in e05] == ["全年执行数 85.50 万元 超过全年预算数 85.00 万元，请核对。"]


def test_executed_typed_in_yuan_gets_a_hint(complete, tmp_path):
    e05 = [i for i in _score(_edit(complete, tmp_path, C6=85, D6=850000)).issues if i.code == "JX-E05"]
    assert len(e05) == 1 and e05[0].cell == "D6"
    assert "疑似按元填写：850000 元即 85.00 万元" in e05[0].message


# 6. the 自评报告's prose --------------------------------------------------------------------------

def test_report_joins_a_pdfs_mid_sentence_breaks(complete, tmp_path):
    path = _edit(complete, tmp_path)
    wb = openpyxl.load_workbook(path)
    ev = read_selfeval(path)
    cell = ev.department.loc("conclusion")
    wb[cell.sheet][cell.cell].value = "全年完成维稳任\n务，信访秩序持\n续好转。\n1. 下一步工作"
    wb.save(path)
    out = tmp_path / "自评报告.docx"
    result = _cli("export", path, "--to", "docx", "-o", out)
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "全年完成维稳任务，信访秩序持续好转。" in text and "维稳任\n务" not in text


# a walkthrough slip: the demo made into a 自评表 and scored at once ------------------------------

def test_demo_selfeval_before_anything_is_filled(tmp_path):
    assert _cli("demo", "--out", tmp_path / "d").exit_code == 0
    units = sorted((tmp_path / "d" / "units").glob("154001*.xlsx"))
    out = tmp_path / "自评.xlsx"
    assert _cli("selfeval", "new", units[0], "-o", out).exit_code == 0
    result = _cli("score", out)
    # nothing is spent yet: no 0.0 % for a 执行数 that is not there
    assert "部门整体：未完成评分" in result.output and "执行率 — 得 0.00" in result.output


# 7. the county's 自评得分 sheet on paper --------------------------------------------------------

def test_selfeval_summary_sheet_wraps_long_texts(example_files, tmp_path):
    from jixiao.consolidation import consolidate

    folder = tmp_path / "in"
    folder.mkdir()
    luanping = read_workbook(example_files["luanping_xinfang_2026"])
    write_selfeval(folder / "甲-自评.xlsx", fill_all(prefill(luanping)))
    unfinished = prefill(luanping)  # nothing filled in: a long 未完成原因, no 执行率
    unfinished.unit.code, unfinished.unit.name = "154003", "滦平县未填单位"
    write_selfeval(folder / "丙-自评.xlsx", unfinished)
    out = tmp_path / "汇总.xlsx"
    consolidate([folder], out, workers=1, use_cache=False)
    ws = openpyxl.load_workbook(out)["自评得分"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("单位编码")].value == "154003")
    for name in ("各项目得分", "未完成原因", "单位名称"):
        assert row[header.index(name)].alignment.wrap_text, name
    assert ws.row_dimensions[row[0].row].height > 15  # grown for the wrapped lines
    assert row[header.index("预算执行率%")].value == "—"  # no 执行率 without a 执行数, not 0.0


# 9. a fraction typed for a percentage ------------------------------------------------------------

def test_fraction_typed_for_a_percent_is_said(complete, tmp_path):
    """48 / 50 worked out as 0.96 and typed into a General cell against ≥95%: scored as 0.96 % (almost
    nothing) with JX-E04's "完成 1.0%"; JX-E08 says at the cell what it looks like. 96% typed the Excel way
    (0.96 in a percent cell) is 96 % and gets no JX-E08."""
    ws = openpyxl.load_workbook(complete)["项目1"]
    row = next(r for r in range(1, ws.max_row + 1)
               if str(ws.cell(r, 4).value or "").startswith("≥") and str(ws.cell(r, 4).value).endswith("%"))
    path = _edit(complete, tmp_path, **{f"E{row}": D("0.96"), f"I{row}": None})
    found = [i for i in _score(path).issues if i.sheet == "项目1" and i.cell == f"E{row}"]
    assert [i.code for i in found] == ["JX-E08"], [(i.code, i.message) for i in found]
    assert found[0].severity == "warning" and "若实际完成 96%，请填写 96%" in found[0].message
    wb = openpyxl.load_workbook(path)
    wb["项目1"][f"E{row}"].number_format = "0%"
    wb.save(tmp_path / "百分比.xlsx")
    assert not [i for i in _score(tmp_path / "百分比.xlsx").issues if i.code == "JX-E08"]
