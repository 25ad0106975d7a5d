"""On paper (issue 17): the 绩效文本 and the 自评报告 print as the official documents.

Structural checks only: the document's XML read back (page, fonts, fields, table properties) and
the text of each page LibreOffice prints (page numbers, the 目录, a code on one line). No pixels.
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal as D

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from jixiao.cli import main
from jixiao.converters import export_pdf
from jixiao.converters import docxprint as pp
from jixiao.converters.docx import export_docx, form_tables, import_docx, toc_entries
from jixiao.forms.layouts import forms_of
from jixiao.forms.model import Indicator
from jixiao.forms.values import squeeze

from conftest import requires_poppler, requires_soffice


@pytest.fixture(scope="module")
def luanping_doc(tmp_path_factory, example_books):
    path = export_docx(example_books["luanping_xinfang_2026"], tmp_path_factory.mktemp("doc") / "lp.docx",
                       pages="none")
    return docx.Document(str(path))


# ---- the document's setup, read back ---------------------------------------------------------

def test_a4_portrait_with_the_official_margins(luanping_doc):
    def mm(*lengths):
        return [round(x.mm, 1) for x in lengths]

    for section in luanping_doc.sections:
        assert sorted(mm(section.page_width, section.page_height)) == [210, 297]
    body = luanping_doc.sections[1]
    assert mm(body.page_width) == [210]  # portrait
    assert mm(body.top_margin, body.bottom_margin, body.left_margin, body.right_margin) == [37, 35, 28, 26]


def test_fonts_spacing_and_indent(luanping_doc):
    normal = luanping_doc.styles["Normal"]
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing_rule is not None
    assert normal.paragraph_format.line_spacing.pt == pp.LINE_PT  # fixed, not "single"
    ind = normal.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert luanping_doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert luanping_doc.styles["Heading 3"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    # the fallback each font names for a machine without it
    table = next(r.target_part for r in luanping_doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    from lxml import etree

    alt = {f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
           for f in etree.fromstring(table.blob).findall(qn("w:font")) if f.find(qn("w:altName")) is not None}
    assert alt["仿宋_GB2312"] == "仿宋" and alt["楷体_GB2312"] == "楷体" and alt["方正小标宋简体"] == "宋体"


def test_page_numbers_and_toc_fields(luanping_doc):
    settings = luanping_doc.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"  # Word refreshes the 目录 on opening
    cover, body = luanping_doc.sections[0], luanping_doc.sections[1]
    assert not "".join(p.text for p in cover.footer.paragraphs).strip()
    footer = body.footer.paragraphs[0]
    assert "PAGE" in "".join(footer._p.itertext()) and footer.text.startswith("—") and footer.text.endswith("—")
    assert body._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    instr = [el.text for el in luanping_doc.element.body.iter(qn("w:instrText"))]
    assert any(t.strip().startswith("TOC ") for t in instr), instr


def test_form_table_properties(luanping_doc, example_books):
    book = example_books["luanping_xinfang_2026"]
    layout = forms_of(book).project  # the same SheetLayout the sheet is drawn from
    forms = [g for g in form_tables(luanping_doc) if squeeze(g[0].rows[0].cells[0].text) == "项目编码"]
    assert len(forms) == len(book.projects)
    for (top, block), project in zip(forms, book.projects):
        for table in (top, block):
            grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
            # the layout's widths, the very numbers the sheet uses, scaled to the text width
            ratios = [w / sum(grid) for w in grid]
            assert ratios == pytest.approx([w / sum(layout.widths) for w in layout.widths], abs=0.002)
            assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
            assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
        assert block.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        label = top.cell(0, 0)
        assert label.paragraphs[0].alignment == 1 and label.paragraphs[0].runs[0].font.bold  # centred, bold
        assert label._tc.tcPr.find(qn("w:vAlign")).get(qn("w:val")) == "center"
        code = top.cell(0, 1)
        assert code.text == project.code and code._tc.tcPr.find(qn("w:noWrap")) is not None
        budget = top.cell(1, 2)
        assert budget.text == f"{project.budget:.2f}" and budget.paragraphs[0].alignment == 2  # right
        assert budget._tc.tcPr.find(qn("w:noWrap")) is not None
        # the code is printed at a size that fits its cell on one line
        width_mm = sum(pp.widths_mm(layout.widths, pp.TEXT_WIDTH_MM)[1:3])
        size = code.paragraphs[0].runs[0].font.size.pt
        assert pp.text_width_pt(project.code, size) <= (width_mm - 2 * pp.CELL_MARGIN_MM) / 25.4 * 72


def test_pdf_line_breaks_print_as_the_text_meant(luanping_doc, example_books, tmp_path):
    book = example_books["luanping_xinfang_2026"]
    assert book.projects[0].indicators[0].level3 == "完成维稳任\n务"  # as the seed's PDF broke it
    cells = {c.text for t in luanping_doc.tables for row in t.rows for c in row.cells}
    assert "完成维稳任务" in cells and "各级省市安保文件。" in cells and "维护社会稳定，促进城市知名度和美誉度" in cells
    assert not any("\n" in c and "任\n务" in c for c in cells)
    # a clerk's own break between numbered goals stays
    assert "1.保证信访局工作正常运转，信访工作有序推进。\n2.通过驻京驻秦驻石家庄等地值班值守，维护社会大局稳定" in cells
    # and the workbook comes back as it was
    path = tmp_path / "lp.docx"
    luanping_doc.save(str(path))
    back, _ = import_docx(path)
    assert back.projects[0].indicators[0].level3 == "完成维稳任\n务"


def test_as_meant():
    assert pp.as_meant("完成维稳任\n务") == "完成维稳任务"
    assert pp.as_meant("切实加强基\n层基础建\n设，社会和\n谐稳定。") == "切实加强基层基础建设，社会和谐稳定。"
    assert pp.as_meant("目标一。\n目标二") == "目标一。\n目标二"  # a sentence ends: the clerk's break
    assert pp.as_meant("甲\n（二）乙") == "甲\n（二）乙"  # a numbered item starts
    assert pp.as_meant("1308 2426\nP0003", one_line=True) == "13082426P0003"


# ---- on paper, through LibreOffice ----------------------------------------------------------------

def _page_size(pdf, page: int) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", "-f", str(page), "-l", str(page), str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(rf"Page\s+{page} size:\s+([\d.]+) x ([\d.]+)", out)
    return float(m.group(1)), float(m.group(2))


@pytest.fixture(scope="module")
def national_book(tmp_path_factory):
    """The national 申报表 filled as tests/test_national.py fills it (its 整体 form's title is the 申报表's)."""
    from test_national import _fill
    from jixiao.forms.reader import read_workbook

    out = tmp_path_factory.mktemp("national")
    result = CliRunner().invoke(main, ["templates", "build", "--profile", "national", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return read_workbook(_fill(out / "jixiao-unit-national.xlsx", out / "永济.xlsx"))


def _toc_lines(text: str) -> dict[str, int]:
    """{heading: page} of a printed 目录 (dot leaders, the number at the line's end)."""
    found = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(\S.*?)[.·…\s]{3,}(\d+)\s*$", line)
        if m:
            found[squeeze(m.group(1))] = int(m.group(2))
    return found


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["luanping_xinfang_2026", "zhijiang_xinfang_2026", "national"])
def test_printed_document(name, example_books, national_book, tmp_path):
    book = national_book if name == "national" else example_books[name]
    pdf = export_pdf(book, tmp_path / f"{name}.pdf")
    pages = pp.printed_pages(pdf)
    assert len(pages) <= 10, len(pages)  # luanping 8, zhijiang 7 (5 and 6 before issue 17, unnumbered)
    # the cover and the 目录 unnumbered; every page after them numbered 1, 2, 3 … in the footer
    assert pages[0][0] is None and pages[1][0] is None
    assert [n for n, _ in pages[2:]] == list(range(1, len(pages) - 1))
    # the 目录 carries the page where each heading stands
    toc = _toc_lines(pages[1][1])
    assert toc and all(n >= 1 for n in toc.values()), pages[1][1]
    assert len(toc) == len(toc_entries(book)), pages[1][1]  # a line with no number is no line of _toc_lines
    for heading, page in toc.items():
        assert heading in squeeze(pages[page + 1][1]), (heading, page)
    # each 21-character code on one line, each amount whole
    text = "\n".join(t for _, t in pages)
    for p in book.projects:
        assert p.code is None or any(p.code in line for line in text.splitlines()), p.code  # national: no code
        assert f"{p.budget:.2f}" in text
    if book.overall is not None:  # the Hunan and national forms print landscape, as their sheets do
        first = next(i for i, (_, t) in enumerate(pages, start=1) if i > 2 and "部门(单位)整体支出绩效目标" in t)
        width, height = _page_size(pdf, first)
        assert width > height


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_long_form_repeats_its_header_and_splits_no_row(example_books, tmp_path):
    book = example_books["luanping_xinfang_2026"].model_copy(deep=True)
    project = book.projects[1]
    project.indicators = [Indicator(level1="产出指标", level2="数量指标", level3=f"指标{i}",
                                    description="按时完成各项活动相关工作，" * 3, value_text="≥95%", basis="年度工作计划")
                          for i in range(1, 31)]
    pdf = export_pdf(book, tmp_path / "long.pdf")
    pages = [t for _, t in pp.printed_pages(pdf)]
    flat = [squeeze(t) for t in pages]  # pdftotext sets a space between 指标 and its number
    mine = [i for i, t in enumerate(flat) if any(f"指标{k}" in t for k in (1, 30))]
    continued = [i for i in range(mine[0], mine[-1] + 1)]
    assert len(continued) >= 2
    for i in continued:  # the indicator header on the form's every page
        assert "一级指标" in pages[i] and "指标值确定依据" in pages[i], i
    # no row split: each indicator's name stands on exactly one page
    for k in range(1, 31):
        assert sum(bool(re.search(rf"指标{k}(?!\d)", flat[i])) for i in continued) == 1, k


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_selfeval_report_pages_are_numbered(tmp_path, example_files):
    from jixiao.converters.selfeval_docx import export_selfeval_docx
    from jixiao.excel.office import convert
    from jixiao.forms.reader import read_workbook
    from jixiao.selfeval.grading import score
    from jixiao.selfeval.prefill import prefill
    from jixiao.selfeval.reading import read_selfeval
    from jixiao.selfeval.writer import write_selfeval

    ev = prefill(read_workbook(example_files["luanping_xinfang_2026"]))
    ev.projects[0].executed_total = D("76.00")
    report = score(read_selfeval(write_selfeval(tmp_path / "自评.xlsx", ev)))
    doc = export_selfeval_docx(report, tmp_path / "报告.docx")
    pages = pp.printed_pages(convert(doc, "pdf", tmp_path))
    assert [n for n, _ in pages] == list(range(1, len(pages) + 1))
    assert all(_page_size(tmp_path / "报告.pdf", i) == pytest.approx((595.3, 841.9), abs=1)
               for i in (1, len(pages)))
    text = "\n".join(t for _, t in pages)
    for p in report.projects:
        assert any(p.sheet.code in line for line in text.splitlines())


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_selfeval_report_exports_to_pdf(tmp_path, example_files):
    """``jixiao export 自评表.xlsx --to pdf``: the 自评报告 printed (it said Word only), the same pages as its
    Word document gives, and the 自评表 itself untouched."""
    import hashlib

    from jixiao.forms.reader import read_workbook
    from jixiao.selfeval.prefill import prefill
    from jixiao.selfeval.writer import write_selfeval

    source = write_selfeval(tmp_path / "自评.xlsx", prefill(read_workbook(example_files["luanping_xinfang_2026"])))
    before = hashlib.sha256(source.read_bytes()).digest()
    out = tmp_path / "自评报告.pdf"
    result = CliRunner().invoke(main, ["export", str(source), "--to", "pdf", "-o", str(out)])
    assert result.exit_code == 1 and "已导出自评报告" in result.output and "未评" in result.output, result.output
    pages = pp.printed_pages(out)
    assert [n for n, _ in pages] == list(range(1, len(pages) + 1)) and len(pages) >= 2
    assert "整体支出绩效自评报告" in pages[0][1] and "滦平县信访局" in pages[0][1]
    assert hashlib.sha256(source.read_bytes()).digest() == before
    assert CliRunner().invoke(main, ["export", str(source), "--to", "json", "-o", str(tmp_path / "x.json")]).exit_code == 2


def test_project_form_agrees_with_seed_000(luanping_doc):
    """The first project's form against the table of the published document (seed 000): every cell in
    the same row and column with the same text (the PDF's line breaks aside), merges where it has them."""
    from pathlib import Path

    seed = (Path(__file__).parent / "data" / "seeds" / "000_3d591911d7aa19bb.txt").read_text(encoding="utf-8")
    block = seed[seed.index("| 项目编码"):].split("\n\n")[0]
    published = [[squeeze(c.replace("<br>", "")) for c in line.strip().strip("|").split("|")]
                 for line in block.splitlines()]
    top, indicators = next(g for g in form_tables(luanping_doc) if squeeze(g[0].rows[0].cells[0].text) == "项目编码")
    printed = []
    for table in (top, indicators):
        for r, row in enumerate(table.rows):
            cells = []
            for c, cell in enumerate(row.cells):
                # a merged cell's text once, at its anchor, as the published table's extraction shows it
                spanned = c > 0 and cell._tc is row.cells[c - 1]._tc
                continued = r > 0 and cell._tc is table.rows[r - 1].cells[c]._tc
                cells.append("" if spanned or continued else squeeze(cell.text))
            printed.append(cells)
    assert len(printed) == len(published) == 13
    assert printed == published
    # the merges: 项目编码 B:C, 项目名称 E:G, the labels of rows 4–5 and 6–7, the 3 plan columns, F:G of 依据
    assert top.cell(0, 1)._tc is top.cell(0, 2)._tc and top.cell(0, 4)._tc is top.cell(0, 6)._tc
    assert top.cell(1, 0)._tc is top.cell(2, 0)._tc and top.cell(3, 0)._tc is top.cell(4, 0)._tc
    assert top.cell(3, 1)._tc is top.cell(3, 2)._tc and top.cell(3, 5)._tc is top.cell(3, 6)._tc
    assert indicators.cell(0, 5)._tc is indicators.cell(0, 6)._tc


def test_a_split_value_in_yuan_prints_on_one_line(tmp_path):
    """四川 (元): a 成本指标's 指标值 is 1200000 in its own narrow column; the Word / PDF form printed it as
    “50000” over “0”. It prints on one line now, at a size that fits, as amounts do."""
    from pathlib import Path

    import openpyxl

    from jixiao.forms.reader import read_workbook

    wb = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook_templates" / "jixiao-unit-sichuan.xlsx")
    unit = wb["单位信息"]
    unit["B3"], unit["B4"], unit["B6"] = "512001", "井研县示例镇人民政府", 2026
    ws = wb["项目1"]
    ws["B4"], ws["G4"], ws["B5"] = "乡村道路维护", 3309840, "维护村道30公里"
    rows = [("产出指标", "数量指标", "维护村道里程", "≥", "30", "公里", 40, "正向指标"),
            ("产出指标", "成本指标", "维护成本", "≤", "1234567.89", "元", 30, "反向指标"),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "%", 20, "正向指标")]
    for i, row in enumerate(rows):
        for col, value in zip("ABCDEFGH", row):
            ws[f"{col}{7 + i}"] = value
    src = tmp_path / "四川.xlsx"
    wb.save(src)
    out = tmp_path / "四川.docx"
    result = CliRunner().invoke(main, ["export", str(src), "--to", "docx", "-o", str(out)])
    assert result.exit_code in (0, 1) and out.exists(), result.output
    layout = forms_of(read_workbook(src)).project
    col = next(c for b in layout.blocks for c in b.columns if c.name == "value_text").index - 1
    width_mm = pp.widths_mm(layout.widths, pp.TEXT_WIDTH_MM)[col]
    cells = [c for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells if c.text == "1234567.89"]
    assert cells, "the 指标值 is printed"
    for cell in cells:
        assert cell._tc.tcPr.find(qn("w:noWrap")) is not None
        size = cell.paragraphs[0].runs[0].font.size.pt
        assert pp.text_width_pt("1234567.89", size) <= (width_mm - 2 * pp.CELL_MARGIN_MM) / 25.4 * 72
