"""On paper (issue 17): every workbook jixiao writes prints as a clerk would submit it.

Structural checks only (page counts, page setup read back, text per page); no pixels.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from jixiao.forms.layouts import PROJECT_MASTER_SHEET
from jixiao.forms.template import write_workbook

from conftest import requires_poppler, requires_soffice

ROOT = Path(__file__).parent.parent


def pdf_pages(path: Path, outdir: Path) -> list[str]:
    """The text of each page of ``path`` printed by LibreOffice."""
    from jixiao.excel.office import convert

    pdf = convert(path, "pdf", outdir)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for i in range(1, pages + 1)]


# ---- 1. hidden sheets never print -------------------------------------------------------------

def test_hidden_sheets_have_no_print_area(tmp_path, example_files):
    for path in (ROOT / "workbook_templates" / "jixiao-unit-hebei.xlsx", example_files["luanping_xinfang_2026"]):
        wb = openpyxl.load_workbook(path)
        hidden = [ws for ws in wb.worksheets if ws.sheet_state != "visible"]
        assert PROJECT_MASTER_SHEET in [ws.title for ws in hidden]
        for ws in hidden:
            assert not ws.print_area, f"{path.name} {ws.title} would print: {ws.print_area}"
        # every visible sheet keeps its print area
        assert all(ws.print_area for ws in wb.worksheets if ws.sheet_state == "visible")


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["template", "filled"])
def test_no_page_holds_only_the_hidden_master(tmp_path, example_books, which):
    book = None if which == "template" else example_books["luanping_xinfang_2026"]
    path = write_workbook(tmp_path / f"{which}.xlsx", book)
    visible = [ws.title for ws in openpyxl.load_workbook(path).worksheets
               if ws.title.startswith("项目") and ws.sheet_state == "visible"]
    pages = pdf_pages(path, tmp_path / "pdf")
    # each project form fits one page and carries its header label once
    forms = [i for i, text in enumerate(pages) if "项目编码" in text]
    assert len(forms) == len(visible), (which, len(forms), visible)
    if book is not None:  # and each printed form is a filled project, none the blank master
        for i in forms:
            assert any(p.code in pages[i] for p in book.projects), pages[i][:300]


# ---- 2. page setup on every sheet jixiao writes -------------------------------------------------

def assert_prints(ws, *, titles: bool = True) -> None:
    """A4, fitted to one page wide (any height) or a wide list to a few with its key columns repeated, page
    numbers in the footer, header rows repeated."""
    where = ws.title
    assert ws.page_setup.paperSize == 9, where
    assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage, where
    wide = ws.page_setup.fitToWidth not in (None, 1)  # a list over pages side by side: who, on each
    assert not wide or (ws.print_title_cols and ws.page_setup.orientation == "landscape"
                        and ws.page_setup.pageOrder == "overThenDown"), where  # halves of the same rows in turn
    assert ws.page_setup.fitToHeight == 0, where
    assert ws.page_setup.orientation in ("portrait", "landscape"), where
    assert "&P" in (ws.oddFooter.center.text or "") and "&N" in ws.oddFooter.center.text, where
    assert ws.page_margins.left >= 0.3 and ws.page_margins.bottom >= 0.5, where
    if titles:
        assert ws.print_title_rows, where


def _visible(wb):
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"]


def test_unit_workbook_and_template_sheets_print(tmp_path, example_books):
    book = example_books["luanping_xinfang_2026"]
    for path in (write_workbook(tmp_path / "filled.xlsx", book), ROOT / "workbook_templates" / "jixiao-unit-hunan.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in _visible(wb):
            assert_prints(ws, titles=ws.title.startswith("项目"))
    wb = openpyxl.load_workbook(tmp_path / "filled.xlsx")
    assert wb["项目1"].oddFooter.left.text == book.unit.name  # whose form it is, on every page
    assert wb["部门整体绩效目标"].oddFooter.left.text == book.unit.name


def test_selfeval_sheets_print(tmp_path):
    from jixiao.selfeval.writer import write_selfeval

    wb = openpyxl.load_workbook(write_selfeval(tmp_path / "自评表.xlsx"))
    for ws in _visible(wb):
        assert_prints(ws, titles=False)


def test_annotated_result_sheet_prints(tmp_path, example_files):
    from jixiao.checks.annotate import RESULT_SHEET, annotate_file
    from jixiao.checks.validate import validate_file

    src = example_files["zhijiang_xinfang_2026"]
    report = validate_file(src)
    wb = openpyxl.load_workbook(annotate_file(src, tmp_path / "annotated.xlsx", report))
    ws = wb[RESULT_SHEET]
    assert_prints(ws)
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
    assert ws.print_area == f"'{RESULT_SHEET}'!$A$1:$I${len(report.issues) + 2}"
    # a long message gets the height its wrapped lines need
    longest = max(range(len(report.issues)), key=lambda i: len(report.issues[i].message))
    assert ws.row_dimensions[longest + 3].height > 15


def _anchor_row_col(chart) -> tuple[int, int]:
    marker = chart.anchor._from
    return marker.row + 1, marker.col + 1


def test_schedule_sheet_prints_with_its_chart(tmp_path, example_files):
    from openpyxl.utils.cell import range_boundaries

    from jixiao.forms.reader import read_workbook
    from jixiao.totals.sheet import SHEET, write_totals_workbook

    src = example_files["luanping_xinfang_2026"]
    out = write_totals_workbook(src, tmp_path / "totals.xlsx", read_workbook(src))
    ws = openpyxl.load_workbook(out)[SHEET]
    assert_prints(ws)
    min_col, min_row, max_col, max_row = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    charts = _charts(out, SHEET)
    assert charts
    for top, left, bottom, right in charts:
        assert min_row <= top and bottom <= max_row and min_col <= left and right <= max_col, (charts, ws.print_area)


def _charts(path: Path, sheet: str) -> list[tuple[int, int, int, int]]:
    """(top row, left col, bottom row, right col), 1-based, of each chart anchored on ``sheet``, from the XML."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        book = z.read("xl/workbook.xml").decode()
        rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="(rId\d+)"' % re.escape(sheet), book).group(1)
        target = re.search(r'Id="%s"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="%s"' % (rid, rid),
                           z.read("xl/_rels/workbook.xml.rels").decode())
        part = (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")
        rels = "xl/" + part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels not in names:
            return []
        drawing = re.search(r'Target="[^"]*drawings/(drawing\d+\.xml)"', z.read(rels).decode())
        if not drawing:
            return []
        xml = z.read(f"xl/drawings/{drawing.group(1)}").decode()
    found = []
    x = "(?:xdr:)?"
    for anchor in re.findall(rf"<{x}(?:twoCellAnchor|oneCellAnchor)[^>]*>(.*?)</{x}(?:twoCellAnchor|oneCellAnchor)>",
                             xml, re.S):
        if "chart" not in anchor:
            continue
        frm = re.search(rf"<{x}from><{x}col>(\d+)</{x}col>.*?<{x}row>(\d+)</{x}row>", anchor, re.S)
        to = re.search(rf"<{x}to><{x}col>(\d+)</{x}col>.*?<{x}row>(\d+)</{x}row>", anchor, re.S)
        top, left = int(frm.group(2)) + 1, int(frm.group(1)) + 1
        if to is None:  # a one-cell anchor (openpyxl's): its extent in EMU, at 20 px a row and 64 px a column
            ext = re.search(rf'<{x}ext cx="(\d+)" cy="(\d+)"', anchor)
            cols, rows = int(ext.group(1)) / 9525 / 64, int(ext.group(2)) / 9525 / 20
            found.append((top, left, top + int(rows) + 1, left + int(cols) + 1))
        else:
            found.append((top, left, int(to.group(2)) + 1, int(to.group(1)) + 1))
    return found


@pytest.fixture(scope="module")
def demo_summary(tmp_path_factory):
    """The 7-unit demo (``jixiao demo``) consolidated into a county summary."""
    import os

    from click.testing import CliRunner

    from jixiao.cli import main

    folder = tmp_path_factory.mktemp("demo")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        runner = CliRunner()
        assert runner.invoke(main, ["demo"]).exit_code == 0
        result = runner.invoke(main, ["consolidate", "jixiao-demo/units", "-o", "s.xlsx"])
        assert result.exit_code in (0, 1), result.output
    finally:
        os.chdir(cwd)
    return folder / "s.xlsx"


def test_summary_sheets_print(demo_summary):
    from openpyxl.utils.cell import range_boundaries

    wb = openpyxl.load_workbook(demo_summary)
    for ws in wb.worksheets:
        assert_prints(ws, titles=ws.title != "概览")
        assert ws.oddFooter.left.text.startswith("预算绩效目标汇总")
    ws = wb["概览"]
    min_col, min_row, max_col, max_row = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    breaks = [b.id for b in ws.row_breaks.brk]
    charts = _charts(demo_summary, "概览")
    assert len(charts) == 3
    for top, left, bottom, right in charts:
        assert min_row <= top and bottom <= max_row and min_col <= left and right <= max_col, (charts, ws.print_area)
        # not cut by the page break: a chart lies wholly above or below it
        assert all(bottom <= b or top > b for b in breaks), (charts, breaks)


def test_summary_prints_without_the_source_path(demo_summary):
    """来源文件 (a long path) stays on screen: with it the 单位汇总 printed at 63% of the rest's size."""
    from openpyxl.utils import get_column_letter

    from jixiao.consolidation.sheets import COLUMNS, SELFEVAL, UNITS, printed_columns

    wb = openpyxl.load_workbook(demo_summary)
    for sheet in (UNITS, SELFEVAL):
        ws = wb[sheet]
        shown = printed_columns(COLUMNS[sheet])
        assert len(shown) == len(COLUMNS[sheet]) - 1 and COLUMNS[sheet][-1].title == "来源文件"
        area = ws.print_area.split("!")[-1].replace("$", "")
        assert area.startswith("A1:" + get_column_letter(len(shown))), (sheet, area)
        assert ws.cell(1, len(shown) + 1).value == "来源文件"
    ws = wb[UNITS]
    last = int(ws.print_area.split("!")[-1].replace("$", "").split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert ws.cell(last, 1).value == "合计"  # the total row is printed


def test_wide_lists_print_over_pages_with_whose_rows_they_are(demo_summary):
    """项目清单 (24 columns) and 指标明细 fitted to one page printed at 4 pt: they go over two pages side by side,
    单位编码 and 单位名称 on each; the narrower sheets stay one page wide."""
    from jixiao.consolidation.sheets import INDICATORS, PROJECTS, UNITS

    wb = openpyxl.load_workbook(demo_summary)
    for sheet in (PROJECTS, INDICATORS):
        ws = wb[sheet]
        assert ws.page_setup.fitToWidth == 2 and ws.page_setup.orientation == "landscape", sheet
        assert ws.print_title_cols == "$A:$B" and (ws["A1"].value, ws["B1"].value) == ("单位编码", "单位名称")
    assert wb[UNITS].page_setup.fitToWidth in (None, 1) and not wb[UNITS].print_title_cols


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_wide_list_pages_each_name_the_unit(demo_summary, tmp_path):
    """Each half of 项目清单 on paper (项目编码 and 资金用途 on the first, 指标数 and 涉密 on the second, which
    单位汇总 does not have) says whose rows they are, and the right half follows the left half of the same rows
    (across, then down: the two pages laid side by side make the list; down first, the halves were apart)."""
    pages = pdf_pages(demo_summary, tmp_path)
    first = [t for t in pages if "资金用途" in t and "项目编码" in t]
    second = [t for t in pages if "指标数" in t and "涉密" in t and "项目编码" not in t and "项目数" not in t]
    assert first and second, [t[:80] for t in pages]
    assert pages.index(second[0]) == pages.index(first[0]) + 1, [t[:80] for t in pages]
    heads = [next((line for line in t.splitlines() if "单位编码" in line), "") for t in pages]
    halves = [("三级指标" in h, "指标值确定依据" in h) for h in heads if "三级指标" in h or "指标值确定依据" in h]
    assert halves[:4] == [(True, False), (False, True)] * 2, halves  # 指标明细, over several pages
    for text in (first[0], second[0]):
        assert "单位名称" in text and "示例县教育局本级" in text, text[:300]


def _duplicate_unit_summary(tmp_path: Path) -> Path:
    """A summary whose 未纳入文件 has a long reason: a unit resubmitted from a deep folder (JX-D01)."""
    import os
    import shutil

    from jixiao.consolidation import consolidate
    from jixiao.synth import generate_unit

    book = generate_unit(1, n_projects=1, n_indicators=3)
    first = write_workbook(tmp_path / "交来的文件" / f"{book.unit.code}.xlsx", book)
    again = tmp_path / "交来的文件" / "教育局各单位第二次报送" / f"{book.unit.code}_{book.unit.name}_修改后重报.xlsx"
    again.parent.mkdir()
    shutil.copy(first, again)
    os.utime(first, (1_700_000_000, 1_700_000_000))  # the resubmission is the newer file
    out = tmp_path / "汇总.xlsx"
    consolidate([tmp_path / "交来的文件"], out, use_cache=False, workers=1)
    return out


def test_rejected_reasons_wrap_in_rows_tall_enough(tmp_path):
    """未纳入文件's 原因 (a JX-D01 reason names the file taken, a long path) wraps in a row tall enough for
    it: in one line it ran past its column and the end, 本文件未纳入汇总, was cut off on paper."""
    from jixiao.consolidation.sheets import REJECTED

    ws = openpyxl.load_workbook(_duplicate_unit_summary(tmp_path))[REJECTED]
    assert ws.cell(1, 3).value == "原因"
    reason = ws.cell(2, 3)
    assert reason.value.endswith("本文件未纳入汇总") and len(reason.value) > 60, reason.value
    assert reason.alignment.wrap_text and ws.cell(2, 1).alignment.wrap_text
    assert ws.row_dimensions[2].height >= 30


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_rejected_reason_prints_whole(tmp_path):
    pages = pdf_pages(_duplicate_unit_summary(tmp_path), tmp_path / "pdf")
    page = next(text for text in pages if "原因" in text and "大小（字节）" in text)
    # wrapped, not cut off: the reason's last words print, on one line or across two (where the wrap falls
    # depends on the length of the path before them, a temporary folder's here)
    assert _prints(page, "本文件未纳入汇总"), page
    assert _prints(page, "修改后重报", tail=1), page


def _prints(page: str, words: str, *, tail: int = 3) -> bool:
    """Whether ``words`` print on the page, on one line or wrapped across two (a line ending in its head, a
    later one holding the rest, ``tail`` characters or more: 3 by default, so the footer's 汇总 does not count)."""
    ends = {line.rstrip() for line in page.splitlines()}
    return words in page or any(any(e.endswith(words[:i]) for e in ends) and words[i:] in page
                                for i in range(1, len(words) - tail + 1))


def test_long_texts_of_the_lists_wrap_in_rows_tall_enough(demo_summary):
    """项目清单's 绩效目标 of two lines (1. … 2. …) printed its lines over each other in a one-line row, and a long
    三级指标 of 指标明细 was cut at the next column: each wraps, top-aligned, in a row of its lines' height."""
    from jixiao.consolidation.sheets import INDICATORS, PROJECTS, ROW_HEIGHT

    wb = openpyxl.load_workbook(demo_summary)
    checked = 0
    for sheet, title in ((PROJECTS, "绩效目标"), (INDICATORS, "三级指标")):
        ws = wb[sheet]
        col = [c.value for c in ws[1]].index(title) + 1
        for row in range(2, ws.max_row + 1):
            text = ws.cell(row, col).value
            if not text or ("\n" not in text and len(text) <= 12):
                continue
            cell = ws.cell(row, col)
            assert cell.alignment.wrap_text and cell.alignment.vertical == "top", (sheet, row)
            assert ws.cell(row, 1).alignment.vertical == "top", (sheet, row)  # the row reads from its first line
            assert (ws.row_dimensions[row].height or ROW_HEIGHT) >= ROW_HEIGHT * max(text.count("\n") + 1, 2), \
                (sheet, row, text)
            checked += 1
    assert checked >= 20, checked  # the demo has them: the test would pass on nothing otherwise


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_two_line_goals_print_line_under_line(demo_summary, tmp_path):
    pages = pdf_pages(demo_summary, tmp_path)
    text = "\n".join(pages)
    goals = [line.strip() for line in text.splitlines() if line.strip().startswith("2.提升服务质量和群众满意度")]
    assert len(goals) >= 10, goals  # each second line on a line of its own, not over the first


# ---- 3. the demo summary on paper ------------------------------------------------------------------

@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_demo_summary_prints_on_few_pages(demo_summary, tmp_path):
    pages = pdf_pages(demo_summary, tmp_path)
    # 48 before issue 17; 17 until the long texts of 项目清单, 指标明细 and 校验问题 wrapped in rows tall
    # enough for them (a 绩效目标 of two lines printed its lines over each other, a long 三级指标 was cut)
    assert len(pages) <= 26, len(pages)
    overview = [i for i, text in enumerate(pages) if "预算绩效目标汇总" in text and "单位编码" not in text]
    assert overview and len(overview) <= 2, overview
    assert "问题按代码统计" in pages[1]  # the second page of 概览, with its chart
    for i, text in enumerate(pages, start=1):
        assert f"第 {i} 页 共 {len(pages)} 页" in text, i


# ---- 4. 部门整体绩效目标 without a lone row on a page of its own -------------------------------

@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["template", "luanping_xinfang_2026", "zhijiang_xinfang_2026"])
def test_department_sheet_prints_on_two_whole_pages(tmp_path, example_books, which):
    from jixiao.forms.layouts import DEPARTMENT_SHEET

    book = None if which == "template" else example_books[which]
    path = write_workbook(tmp_path / f"{which}.xlsx", book)
    pages = pdf_pages(path, tmp_path / "pdf")
    first = next(i for i, text in enumerate(pages) if DEPARTMENT_SHEET in text)
    end = next(i for i, text in enumerate(pages) if i > first and ("项目编码" in text or "整体支出绩效目标表" in text))
    assert end - first == 2, [p[:200] for p in pages[first:end]]
    lines = [line.strip() for line in pages[first + 1].splitlines() if line.strip()]
    assert lines[0] == "三、工作保障措施", lines[:3]  # page 2 is section 三, whole; page 1 is 一 and 二
    assert "二、分项绩效目标" in pages[first]


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_national_overall_form_prints_on_one_page(tmp_path):
    """The national 部门(单位)整体支出绩效目标申报表 (10 task rows + the indicator table) is one page,
    blank and as the demo fills it: no page of empty indicator rows after it."""
    from jixiao.synth import generate_national_unit

    title = "部门(单位)整体支出绩效目标申报表"
    blank = pdf_pages(ROOT / "workbook_templates" / "jixiao-unit-national.xlsx", tmp_path / "blank")
    unit = write_workbook(tmp_path / "national.xlsx", generate_national_unit(0))
    filled = pdf_pages(unit, tmp_path / "filled")
    for pages in (blank, filled):
        first = next(i for i, text in enumerate(pages) if title in text)
        assert "项目支出绩效目标申报表" in pages[first + 1], pages[first + 1][:200]


def test_department_rows_fit_their_text(tmp_path, example_books):
    from jixiao.forms.layouts import DEPARTMENT_SHEET
    from jixiao.forms.printfit import text_height

    book = example_books["zhijiang_xinfang_2026"]
    ws = openpyxl.load_workbook(write_workbook(tmp_path / "dept.xlsx", book))[DEPARTMENT_SHEET]
    for i, sub in enumerate(book.department.sub_targets):
        assert ws.row_dimensions[6 + i].height >= text_height(sub.goal, 44) - 0.01
    assert ws.row_breaks.brk and ws.row_breaks.brk[0].id == 17


def test_schedule_chart_of_a_long_table_starts_a_page(tmp_path):
    from jixiao.synth import generate_unit
    from jixiao.totals.sheet import SHEET, write_totals_workbook

    book = generate_unit(5, n_projects=40, n_indicators=3)
    src = write_workbook(tmp_path / "many.xlsx", book)
    out = write_totals_workbook(src, tmp_path / "totals.xlsx", book)
    ws = openpyxl.load_workbook(out)[SHEET]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks, "40 projects and the chart do not fit one page"
    (top, _, bottom, _), = _charts(out, SHEET)
    assert all(bottom <= b or top > b for b in breaks), (top, bottom, breaks)
    # a short table keeps table and chart on one page, without a break
    short = generate_unit(5, n_projects=2, n_indicators=3)
    src = write_workbook(tmp_path / "short.xlsx", short)
    ws = openpyxl.load_workbook(write_totals_workbook(src, tmp_path / "t2.xlsx", short))[SHEET]
    assert not ws.row_breaks.brk


# ---- 5. what a clerk adds below the drawn rows prints -------------------------------------------

def _typed_below(tmp_path: Path, profile: str) -> tuple[Path, list[str]]:
    """The profile's template with a project of 18 indicators typed in, 3 below its 15 drawn rows (as a clerk
    who unprotected the sheet, or whose software ignores protection, types them)."""
    from jixiao.profiles import load_profile

    path = write_workbook(tmp_path / f"{profile}.xlsx", profile=load_profile(profile))
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    ws["B3"], ws["E3"], ws["C4"], ws["E4"] = "13082426P000327100327", "信访工作保障经费", 10, 10
    names = [f"第{i}个三级指标" for i in range(1, 19)]
    for row, name in enumerate(names, start=10):
        ws.cell(row, 1, "产出指标"), ws.cell(row, 2, "数量指标"), ws.cell(row, 3, name), ws.cell(row, 5, "≥1次")
    wb.save(path)
    return path, names


def _area(ws) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))


def test_indicators_typed_below_the_table_are_in_the_print_area(tmp_path):
    """An indicator table is read down to the sheet's last row, so it prints down to it: what is read is on
    paper. (The area ended at the 15 drawn rows, and a 16th indicator was read and summed but not printed.)"""
    from jixiao.forms.reader import read_workbook

    path, names = _typed_below(tmp_path, "hebei")
    book = read_workbook(path)
    assert [i.level3 for i in book.projects[0].indicators] == names
    ws = openpyxl.load_workbook(path)["项目1"]
    min_col, min_row, max_col, max_row = _area(ws)
    assert (min_col, min_row, max_col) == (1, 1, 7)  # still the form's own columns: not the 上年数 beside it
    for ind in book.projects[0].indicators:
        row = int(ind.loc("level3").cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        assert min_row <= row <= max_row, (ind.level3, ws.print_area)


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_indicators_typed_below_the_table_print(tmp_path):
    path, names = _typed_below(tmp_path, "hebei")
    pages = pdf_pages(path, tmp_path / "pdf")
    text = "\n".join(p for p in pages if "信访工作保障经费" in p)
    assert [n for n in names if n not in text] == []
    # a blank template still prints its form alone: no pages of empty rows after it
    blank = pdf_pages(ROOT / "workbook_templates" / "jixiao-unit-hebei.xlsx", tmp_path / "blank")
    assert len(blank) == 4 and "项目编码" in blank[-1], [p[:60] for p in blank]


def test_hunan_overall_table_is_framed_down_column_a(tmp_path):
    """部门(单位)整体支出绩效目标表: A6 (绩效指标) heads the indicator rows; their A cells are framed (and locked)
    like the row's others, so the printed table has no gap in its left edge."""
    from jixiao.profiles import load_profile

    ws = openpyxl.load_workbook(write_workbook(tmp_path / "hunan.xlsx", profile=load_profile("hunan")))["整体支出绩效目标表"]
    assert ws["A6"].value == "绩效指标"
    for row in range(7, 27):
        a, b = ws.cell(row, 1), ws.cell(row, 2)
        for side in ("left", "right", "top", "bottom"):
            assert getattr(a.border, side).style == getattr(b.border, side).style == "thin", (row, side)
        assert a.protection.locked and not b.protection.locked
    assert ws["A27"].value == "业务股室审核:"  # the footer follows, as before


# ---- 6. rows with long text grow --------------------------------------------------------------

def _rows(path: Path, sheet: str) -> dict[int, dict[str, str]]:
    """Each ``<row>`` element's attributes, by row number, as written (openpyxl reads every height as fixed)."""
    import re
    import zipfile

    part = f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index(sheet) + 1}.xml"
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    return {int(a["r"]): a for a in (dict(re.findall(r'(\w+)="([^"]*)"', m)) for m in re.findall(r"<row ([^>]*)>", xml))}


@pytest.mark.parametrize("profile, role", [("hebei", "project"), ("hunan", "overall"), ("sichuan", "project")])
def test_indicator_rows_of_a_template_grow_with_what_is_typed(tmp_path, profile, role):
    """A fixed row height never grows: a 200-character 绩效指标描述 typed into the template was cut off on paper.
    The indicator rows are written as Excel writes a row it sized itself (their height, not fixed), so Excel
    shows the form's height and fits the row to the text typed in; the form's other rows keep their heights."""
    from jixiao.forms.layouts import form_set
    from jixiao.profiles import load_profile

    layout = form_set(load_profile(profile))[role]
    block = layout.blocks[0]
    assert block.fit_rows and block.row_height
    assert all(c.span == 1 for c in block.columns if c.kind == "text" and c.name != "basis")  # (依据: short)
    path = write_workbook(tmp_path / f"{profile}.xlsx", profile=load_profile(profile))
    sheet = "项目1" if role == "project" else layout.sheet
    rows = _rows(path, sheet)
    for row in range(block.first_row, block.first_row + block.rows):
        assert "customHeight" not in rows[row], (row, rows[row])
        assert float(rows[row]["ht"]) == pytest.approx(block.row_height, abs=0.5), (row, rows[row])
    fixed = [r for r, a in rows.items() if r < block.first_row and "ht" in a]
    assert fixed and all(rows[r].get("customHeight") == "1" for r in fixed), fixed


def test_a_row_grown_for_its_text_keeps_its_height(tmp_path):
    """Where jixiao writes the text (a filled workbook: carry, import, demo) it sizes the row itself, counting
    the merged cells Excel would not: that row is fixed at its text's height; a row of short texts still fits."""
    from jixiao.forms.layouts import form_set
    from jixiao.forms.printfit import text_height
    from jixiao.profiles import load_profile
    from jixiao.synth import generate_unit

    book = generate_unit(2, n_projects=1, n_indicators=4)
    p = book.projects[0]
    p.indicators[0].description = "对全年受理的信访事项按规定时限办结情况进行统计，" * 9  # 216 characters
    p.indicators[1].basis = "依据《信访工作条例》及省市县有关文件规定确定，" * 6  # merged F:G
    p.indicators[2].value_text = "≥95%，且重复信访事项化解率不低于90%，群众满意度逐年提升" * 4
    p.goals = "提升信访事项办理质量和效率，" * 16
    short = p.indicators[3]
    short.level1, short.level2, short.level3 = "产出指标", "数量指标", "受理率"
    short.description, short.value_text, short.basis = "及时受理", "≥95%", "计划标准"
    path = write_workbook(tmp_path / "long.xlsx", book)
    rows = _rows(path, "项目1")
    layout = form_set(load_profile("hebei")).project
    first = layout.blocks[0].first_row
    widths = {"description": 22, "basis": 24, "value_text": 14}
    for i, (name, width) in enumerate(widths.items()):
        row = rows[first + i]
        assert row.get("customHeight") == "1", (name, row)
        assert float(row["ht"]) >= text_height(getattr(p.indicators[i], name), width) - 0.5 > 60, (name, row)
    for row in (first + 3, first + 4):  # short texts, and a blank row
        assert "customHeight" not in rows[row] and float(rows[row]["ht"]) == 30, rows[row]
    assert float(rows[8]["ht"]) >= text_height(p.goals, sum(layout.widths[1:7])) - 0.5 > 60  # 绩效目标 (B8:G8)


def _printed_as_installed(path: Path, outdir: Path) -> str:
    """The text LibreOffice prints for ``path`` with a new profile's settings, as on a clerk's PC: saved
    formula results are trusted, not recalculated (jixiao's own ``convert`` always recalculates)."""
    import shutil

    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{outdir}/profile",
                    "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(path)],
                   check=True, capture_output=True, timeout=240)
    pdf = outdir / f"{path.stem}.pdf"
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_a_prefilled_selfeval_prints_its_totals_in_libreoffice_as_installed(tmp_path, example_books):
    """xlsxwriter saves 0 as every formula's result unless told one, and LibreOffice prints saved results:
    the 自评表's 合计 of 分值 printed 0.00 and its 评价等级 0. Saved without a result, they are computed."""
    from decimal import Decimal

    from jixiao.selfeval.prefill import prefill
    from jixiao.selfeval.writer import write_selfeval

    evaluation = prefill(example_books["luanping_xinfang_2026"])
    path = write_selfeval(tmp_path / "自评表.xlsx", evaluation)
    text = _printed_as_installed(path, tmp_path / "pdf")
    weights = [sum((i.weight or Decimal(0) for i in sheet.indicators), Decimal(0))
               for sheet in (evaluation.department, *evaluation.projects)]
    totals = [line.split() for line in text.splitlines() if line.strip().startswith("合计")]
    assert len(totals) == len(weights) and all(t[1] == f"{w:.2f}" for t, w in zip(totals, weights)), totals
    assert any(w > 0 for w in weights)
    grades = [line.split()[-1] for line in text.splitlines() if "评价等级" in line]
    assert grades and all(g == "未完成评分" for g in grades), grades  # no 实际完成值 yet: not graded
