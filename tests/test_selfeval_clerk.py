"""A 自评表 filled the way a tired clerk fills it (QA round, session 28): a 项目 sheet copied, a 定性 score
typed at the edge of its band, the 自评表 printed to PDF and imported back. Real files throughout."""

from __future__ import annotations

import json
from decimal import Decimal as D

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.reader import read_workbook
from jixiao.selfeval.grading import score
from jixiao.selfeval.prefill import prefill
from jixiao.selfeval.reading import read_selfeval
from jixiao.selfeval.writer import write_selfeval

from conftest import requires_soffice
from test_selfeval_grading import fill_all


@pytest.fixture
def complete(example_files, tmp_path):
    """滦平县信访局's 自评表 with every budget spent and every target met (总分 100, 优)."""
    return write_selfeval(tmp_path / "自评表.xlsx", fill_all(prefill(read_workbook(
        example_files["luanping_xinfang_2026"]))))


def test_a_copied_project_sheet_is_not_scored_twice(complete, tmp_path):
    """Excel's 移动或复制 → 建立副本 gives 项目2 (2): the same project again. It was scored as a third
    project: listed twice in the 自评报告 and in the summary's 各项目得分, and counted twice in 项目平均分."""
    wb = openpyxl.load_workbook(complete)
    wb.copy_worksheet(wb["项目2"]).title = "项目2 (2)"
    wb.save(tmp_path / "复制.xlsx")
    report = score(read_selfeval(tmp_path / "复制.xlsx"))
    assert not report.complete
    copy = report.projects[-1]
    assert copy.sheet.sheet == "项目2 (2)" and copy.grade is None
    (dup,) = copy.pending
    assert (dup.code, dup.sheet, dup.cell) == ("JX-C03", "项目2 (2)", "G3")
    assert "另见 项目2" in dup.message
    assert report.projects[1].complete and report.projects[1].grade == "优"  # the original is untouched
    result = CliRunner().invoke(main, ["score", str(tmp_path / "复制.xlsx"), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["projects"][2]["grade"] is None and data["projects"][2]["pending"][0]["code"] == "JX-C03"
    assert data["projects"][1]["grade"] == "优"


def _qualitative(path, tmp_path, band: str, weight: str, manual: str | None):
    """项目1's 定性 row (G14) with ``band``, 分值 ``weight`` and a manual score (None: left blank)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    ws["H14"], ws["F14"] = band, float(weight)
    ws["G14"] = None if manual is None else float(manual)
    out = tmp_path / f"{band}-{weight}-{manual}.xlsx"
    wb.save(out)
    return next(r for r in score(read_selfeval(out)).projects[0].rows if r.indicator.loc("score").cell == "G14")


@pytest.mark.parametrize("band, weight, lowest, highest", [
    ("部分达成", "5.71", "3.43", "4.56"),   # 60 % = 3.426, 80 % = 4.568 (not in the band)
    ("未达成", "5.71", "0.00", "3.42"),     # 60 % = 3.426 (not in the band)
    ("达成", "5.71", "4.57", "5.71"),
    ("部分达成", "30", "18.00", "23.99"),   # 80 % = 24 exactly: 24.00 is 达成
])
def test_the_band_range_a_clerk_is_told_holds_only_scores_it_accepts(complete, tmp_path, band, weight,
                                                                      lowest, highest):
    """A clerk typed 4.57 for 部分达成 of 5.71 and was told “应在 3.43–4.57 之间，现为 4.57”: the bounds
    were rounded half up, so the top one shown was itself outside the band. Every bound shown is a
    score that is accepted, and one cent past it is not."""
    blank = _qualitative(complete, tmp_path, band, weight, None)
    if band != "达成":  # 达成 without a score is the full weight; the others ask for one
        assert f"{lowest} 至 {highest} 之间" in blank.pending.message, blank.pending.message
    for inside in (lowest, highest):
        row = _qualitative(complete, tmp_path, band, weight, inside)
        assert row.pending is None and row.score == D(inside), (inside, row.pending)
    for outside in (D(lowest) - D("0.01"), D(highest) + D("0.01")):
        if outside < 0 or outside > D(weight):
            continue
        row = _qualitative(complete, tmp_path, band, weight, str(outside))
        assert row.pending is not None and row.pending.code == "JX-E03", outside
        assert f"（{lowest}–{highest}）" in row.pending.message, row.pending.message


@requires_soffice
def test_a_printed_selfeval_workbook_imports_back_as_a_selfeval(complete, tmp_path):
    """The 自评表 workbook printed to PDF (文件 → 导出 PDF) and imported: it came back as a 绩效目标表
    unit workbook (“已导入：…3 个项目，含整体支出绩效目标表”, 57 errors, every 实际完成值 gone), since
    the 单位信息 page's 单位编码 made it look like a 绩效文本 of the seeds' shape."""
    from jixiao.excel.office import convert

    wb = openpyxl.load_workbook(complete)
    dept = wb["部门整体支出绩效自评表"]
    for row in (23, 24):  # two rows the clerk has not come to yet: only their 三级指标, as prefilled
        for col in "ABDEF":
            dept[f"{col}{row}"] = None
    wb.save(tmp_path / "自评表2.xlsx")
    pdf = convert(tmp_path / "自评表2.xlsx", "pdf", tmp_path / "printed")
    out = tmp_path / "导入.xlsx"
    result = CliRunner().invoke(main, ["import", str(pdf), "-o", str(out)])
    assert "已导入自评表" in result.output, result.output
    back, original = read_selfeval(out), read_selfeval(tmp_path / "自评表2.xlsx")
    assert [i.level3 for i in back.department.indicators] == [i.level3 for i in original.department.indicators]
    # the rows still to fill came back, so the imported 自评表 is as ungraded as the printed one
    assert not score(back).department.complete and not score(original).department.complete
    assert "滦平县信访局本级 第" not in str([i.level3 for i in back.department.indicators])  # the page footer
    # (the 项目编码 is not kept: an imported 自评表 is drawn on the national form, which has no such cell)
    assert [p.name for p in back.projects] == [p.name for p in original.projects]
    for new, old in zip((back.department, *back.projects), (original.department, *original.projects)):
        assert [i.actual for i in new.indicators] == [i.actual for i in old.indicators]
        assert (new.full_total, new.executed_total) == (old.full_total, old.executed_total)
    assert len(back.department.indicators) == len(original.department.indicators) > 0


def test_report_tables_do_not_break_a_category_name(complete, tmp_path):
    """The 自评报告's score tables printed “产出指\\n标”, “满意度\\n指标”: every column was scaled by its
    longest text, so the 一级指标 column got 12 mm. A column of short words (the 一级 names, 分值, 得分)
    is as wide as its longest word; the long-text columns share the rest."""
    import docx

    from jixiao.converters import docxprint as pp
    from jixiao.converters.selfeval_docx import export_selfeval_docx

    out = export_selfeval_docx(score(read_selfeval(complete)), tmp_path / "自评报告.docx")
    tables = [t for t in docx.Document(str(out)).tables if t.rows[0].cells[0].text == "一级指标"]
    assert tables
    for table in tables:
        widths = [col.width.mm for col in table.columns]
        assert abs(sum(widths) - pp.TEXT_WIDTH_MM) < 1  # still the text width
        for c, col in enumerate(table.columns):
            words = {cell.text for cell in col.cells[1:]}  # (a header may take two lines)
            if max(len(cell.text) for cell in col.cells) <= 5:
                need = max(pp.text_width_pt(w, pp.TABLE_PT) for w in words) / 72 * 25.4 + 2 * pp.CELL_MARGIN_MM
                assert widths[c] >= need, (table.rows[0].cells[c].text, widths[c], need)
