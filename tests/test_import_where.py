"""What an import lists says where in the document it is: a Word table's row, a sheet's row, a PDF's page.

The list used to number the lines of the text jixiao made from the document (“第 11 行未能识别”), which
no clerk can open; a .txt keeps its own line numbers."""

from __future__ import annotations

import re

import docx
import openpyxl
import pdfplumber

import variant_docs as V
from conftest import requires_soffice
from jixiao.converters import import_any


def _listed(result) -> dict[str, str]:
    """note → where the list says it is."""
    out = {}
    for u in result.unplaced:
        m = re.fullmatch(r"(.+?)未能识别：(.+)", u)
        if m:
            out[m.group(2)] = m.group(1)
    return out


def test_a_word_table_row_and_paragraph_are_named_as_word_shows_them(tmp_path):
    doc = V.notes_under_the_table(tmp_path / "目标表.docx")
    got = import_any(doc)
    listed = _listed(got)
    assert set(listed) == {*V.NOTES, V.UNIT}, got.unplaced
    d = docx.Document(str(doc))
    r = int(re.fullmatch(r"表 1 第 (\d+) 行", listed[V.NOTES[0]]).group(1))
    assert d.tables[0].rows[r - 1].cells[0].text == V.NOTES[0]
    paragraphs = [p.text for p in d.paragraphs if p.text.strip()]
    for text in (V.NOTES[1], V.UNIT):
        k = int(re.fullmatch(r"第 (\d+) 段", listed[text]).group(1))
        assert paragraphs[k - 1] == text
    assert [i.level3 for i in got.book.projects[0].indicators] == [row[2] for row in V.INDICATORS]


def test_a_sheets_row_is_named_by_its_sheet_and_row_number_and_notes_under_the_table_are_no_indicators(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    ws.append(["项目支出绩效目标表（2025年度）"])
    ws.append([])
    for row in V.NOTED:
        ws.append(row)
    ws.append([V.NOTES[0]])  # right under the table, and the 附件 note under it: the note was read as
    ws.append([V.NOTES[1]])  # an indicator 审核意见盖章处 whose 指标值 was the 附件 note
    path = tmp_path / "目标表.xlsx"
    wb.save(path)
    got = import_any(path)
    assert [i.level3 for i in got.book.projects[0].indicators] == [row[2] for row in V.INDICATORS]
    listed = _listed(got)
    assert set(listed) == set(V.NOTES), got.unplaced
    for text, where in listed.items():
        sheet, row = re.fullmatch(r"工作表“(.+)”第 (\d+) 行", where).groups()
        assert openpyxl.load_workbook(path)[sheet].cell(int(row), 1).value == text


def test_a_web_pages_table_row_and_paragraph(tmp_path):
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in [*V.NOTED, [V.NOTES[0], "", "", ""]])
    page = tmp_path / "目标表.html"
    page.write_text(f"<html><body><h1>项目支出绩效目标表（2025年度）</h1><p>{V.UNIT}</p><table border=1>{rows}</table>"
                    f"<p>{V.NOTES[1]}</p></body></html>", encoding="utf-8")
    listed = _listed(import_any(page))
    assert listed == {V.UNIT: "第 2 段", V.NOTES[0]: f"表 1 第 {len(V.NOTED) + 1} 行", V.NOTES[1]: "第 3 段"}


@requires_soffice
def test_a_pdfs_lines_are_named_by_their_page(tmp_path):
    from jixiao.excel.office import convert

    pdf = convert(V.notes_under_the_table(tmp_path / "目标表.docx"), "pdf", tmp_path)
    listed = _listed(import_any(pdf))
    assert set(listed) == {*V.NOTES, V.UNIT}, listed
    with pdfplumber.open(str(pdf)) as opened:
        for text, where in listed.items():
            page = int(re.match(r"第 (\d+) 页", where).group(1))
            assert text in opened.pages[page - 1].extract_text().replace(" ", "")
    assert re.fullmatch(r"第 1 页表格第 \d+ 行", listed[V.NOTES[0]])  # in the ruled table: its row too


def test_a_text_file_keeps_its_own_line_numbers(tmp_path):
    path = tmp_path / "目标表.txt"
    lines = ["项目支出绩效目标表（2025年度）", V.UNIT, *("| " + " | ".join(r) + " |" for r in V.NOTED), "", V.NOTES[1]]
    path.write_text("\n".join(lines), encoding="utf-8")
    listed = _listed(import_any(path))
    assert listed == {V.UNIT: "第 2 行", V.NOTES[1]: f"第 {len(lines)} 行"}


def test_a_sheet_pasted_into_word_is_named_with_the_object_and_its_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    for row in V.NOTED:
        ws.append(row)
    ws.append([V.NOTES[0]])
    book = tmp_path / "表.xlsx"
    wb.save(book)
    doc = V.with_pasted_sheet(tmp_path / "目标表.docx", book.read_bytes(), title="项目支出绩效目标表")
    listed = _listed(import_any(doc))
    assert listed == {V.NOTES[0]: f"文档中第 1 个嵌入的 Excel 表格对象中工作表“绩效目标表”第 {len(V.NOTED) + 1} 行"}
