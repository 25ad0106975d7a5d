"""Converters: the seeds import to the examples; workbook → docx → workbook is lossless."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.converters import export_csv, export_json, export_pdf, import_document
from jixiao.converters.docx import export_docx, import_docx
from jixiao.forms.model import UnitWorkbook
from jixiao.forms.reader import read_workbook
from jixiao.synth import generate_unit
from jixiao.forms.values import squeeze

from conftest import requires_soffice

SEEDS = Path(__file__).parent / "data" / "seeds"
CASES = [("000_3d591911d7aa19bb.txt", "luanping_xinfang_2026"), ("001_17f52f2f5fe89023.txt", "huailai_xinfang_2020"),
         ("003_fa5ce072b728e4a6.txt", "zhijiang_xinfang_2026")]


@pytest.mark.parametrize("seed, example", CASES)
def test_seed_imports_to_its_example(seed, example, example_books, tmp_path):
    book, unplaced = import_document(SEEDS / seed)
    assert book == example_books[example]
    assert all("未导入" in line or "未能识别" in line for line in unplaced)
    # and through the CLI into a workbook that reads back the same
    out = tmp_path / "imported.xlsx"
    result = CliRunner().invoke(main, ["import", str(SEEDS / seed), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_workbook(out) == example_books[example]


def test_unplaced_tables_are_listed_a_table_of_contents_is_not(example_books, tmp_path):
    """The seed's 目录 is two tables of dot-leader lines: nothing in them to lose, so not listed (a clerk was
    told twice that a table was not imported). A table that is neither form nor 目录 is listed by its line."""
    _, unplaced = import_document(SEEDS / CASES[0][0])
    assert unplaced == []
    text = (SEEDS / CASES[0][0]).read_text(encoding="utf-8")
    extra = tmp_path / "with-extra-table.txt"
    extra.write_text(text + "\n\n| 附件 | 页数 |\n|---|---|\n| 项目批复文件 | 3 |\n", encoding="utf-8")
    book, unplaced = import_document(extra)
    assert book == example_books[CASES[0][1]]
    assert len(unplaced) == 1 and "表格不是绩效目标表" in unplaced[0] and "第" in unplaced[0], unplaced


def test_a_table_of_contents_in_a_word_document_is_not_listed(example_files, tmp_path):
    """The same in a .docx: a 目录 typed as a table before the forms is passed over; another table is listed."""
    path = export_docx(read_workbook(example_files["luanping_xinfang_2026"]), tmp_path / "文本.docx")
    doc = docx.Document(str(path))
    first = doc.paragraphs[0]
    for rows in ([("一、总体绩效目标 ......", "1"), ("二、分项绩效目标 ......", "1")],
                 [("附件", "页数"), ("项目批复文件", "3")]):
        table = doc.add_table(rows=len(rows), cols=2)
        for r, (a, b) in enumerate(rows):
            table.cell(r, 0).text, table.cell(r, 1).text = a, b
        first._p.addprevious(table._tbl)
        first._p.addprevious(doc.add_paragraph("目录" if rows[0][0].startswith("一") else "附件清单")._p)
    doc.save(str(path))
    book, unplaced = import_docx(path)
    assert [p.name for p in book.projects] == ["信访工作保障经费", "信访维稳经费"]
    assert len(unplaced) == 1 and "首格“附件”" in unplaced[0], unplaced


@pytest.mark.parametrize("name", ["luanping_xinfang_2026", "huailai_xinfang_2020", "zhijiang_xinfang_2026"])
def test_workbook_docx_workbook_is_lossless(name, example_files, tmp_path):
    book = read_workbook(example_files[name])
    path = export_docx(book, tmp_path / f"{name}.docx", pages="none")
    back, unplaced = import_docx(path)
    assert back == book and unplaced == []


def test_hunan_weights_survive_the_docx_they_are_not_printed_on(example_files, tmp_path):
    # The 整体支出绩效目标表's 分值 (column K) is beside the form, not printed: workbook → docx → workbook
    # lost every weight, so JX-W01 and the 自评表 no longer saw the clerk's 分值.
    import openpyxl

    path = tmp_path / "分值.xlsx"
    wb = openpyxl.load_workbook(example_files["zhijiang_xinfang_2026"])
    ws = wb["整体支出绩效目标表"]
    for row, weight in zip(range(7, 21), (5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 15, 10, 10, 5)):
        ws.cell(row, 11).value = weight
    wb.save(path)
    book = read_workbook(path)
    assert book.overall.indicators[10].weight == 15
    text = export_docx(book, tmp_path / "分值.docx", pages="none")
    assert not any(c.text == "分值" for t in docx.Document(str(text)).tables for r in t.rows for c in r.cells)
    back, _ = import_docx(text)
    assert [i.weight for i in back.overall.indicators] == [i.weight for i in book.overall.indicators]
    assert back == book
    out = tmp_path / "导回.xlsx"
    assert CliRunner().invoke(main, ["import", str(text), "-o", str(out)]).exit_code in (0, 1)
    assert [i.weight for i in read_workbook(out).overall.indicators] == [i.weight for i in book.overall.indicators]


def test_docx_round_trip_of_generated_units(tmp_path):
    for seed in range(5):
        book = generate_unit(seed, n_projects=3, n_indicators=10, classified=seed == 2, mistakes=seed == 3)
        back, _ = import_docx(export_docx(book, tmp_path / f"{seed}.docx", pages="none"))
        assert back == book


def test_docx_has_one_form_table_per_project(example_books, tmp_path):
    """Each form prints as two tables 1 pt apart (rows 3–8, then the indicator block whose header row
    repeats on a continued page); the importer reads them as one form."""
    from jixiao.converters.docx import form_tables

    book = example_books["luanping_xinfang_2026"]
    doc = docx.Document(str(export_docx(book, tmp_path / "lp.docx", pages="none")))
    forms = [g for g in form_tables(doc) if squeeze(g[0].rows[0].cells[0].text) == "项目编码"]
    assert len(forms) == len(book.projects)
    for (top, block), project in zip(forms, book.projects):
        assert len(top.columns) == len(block.columns) == 7
        assert len(top.rows) == 6 and len(block.rows) == 1 + len(project.indicators)
        assert top.rows[0].cells[1].text == project.code
        assert [c.text for c in block.rows[0].cells][:6] == ["一级指标", "二级指标", "三级指标", "绩效指标描述",
                                                           "指标值", "指标值确定依据"]
        assert block.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in (*top.rows, *block.rows))
    texts = [p.text for p in doc.paragraphs]
    assert "滦平县信访局本级" in texts and "2026 年部门预算绩效文本" in texts
    assert "154001 滦平县信访局本级" in texts and "单位：万元" in texts


def test_classified_project_prints_only_classified(tmp_path):
    book = generate_unit(2, n_projects=2, classified=True)
    doc = docx.Document(str(export_docx(book, tmp_path / "s.docx", pages="none")))
    secret = doc.tables[-1]  # the indicator block of the last form
    content = {c.text for row in secret.rows[1:] for c in row.cells}
    assert content == {"涉密"}
    assert doc.tables[-2].rows[2].cells[1].text == "涉密"  # 资金用途


def test_not_a_performance_text_exits_2(tmp_path):
    note = tmp_path / "会议通知.txt"
    note.write_text("关于召开全县财政工作会议的通知\n各单位：定于下周一召开会议。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(note), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "不是部门预算绩效文本" in result.output
    word = tmp_path / "note.docx"
    d = docx.Document()
    d.add_paragraph("会议纪要")
    d.save(str(word))
    assert CliRunner().invoke(main, ["import", str(word), "-o", str(tmp_path / "y.xlsx")]).exit_code == 2


def test_json_and_csv_exports(example_files, tmp_path):
    book = read_workbook(example_files["huailai_xinfang_2020"])
    assert UnitWorkbook.model_validate(json.loads(export_json(book, tmp_path / "b.json").read_text())) == book
    rows = (tmp_path / "b.csv")
    export_csv(book, rows)
    lines = rows.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + sum(len(p.indicators) for p in book.projects)
    assert lines[1].endswith(",≥,90,")


def _no_whitespace(x):
    if isinstance(x, dict):
        return {k: _no_whitespace(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_no_whitespace(v) for v in x]
    return squeeze(x) if isinstance(x, str) else x


@requires_soffice
@pytest.mark.parametrize("name", ["luanping_xinfang_2026", "huailai_xinfang_2020", "zhijiang_xinfang_2026"])
def test_workbook_docx_pdf_workbook(name, example_files, tmp_path):
    """Lossless through jixiao's own PDF (it carries the model); through the printed tables alone,
    everything but the spaces and line breaks inside cells, which a PDF cannot tell from wrapping."""
    from pypdf import PdfReader, PdfWriter

    book = read_workbook(example_files[name])
    pdf = export_pdf(book, tmp_path / f"{name}.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    back, unplaced = import_document(pdf)
    assert back == book and unplaced == []
    printed = tmp_path / "printed-only.pdf"  # the same PDF without the attachment: only its tables to read
    writer = PdfWriter()
    for page in PdfReader(str(pdf)).pages:
        writer.add_page(page)
    writer.write(str(printed))
    again, unplaced = import_document(printed)
    assert _no_whitespace(again.content()) == _no_whitespace(book.content())


def test_ocr_slips_and_broken_labels(example_books):
    """Labels with an OCR slip or broken over lines still find their values."""
    from jixiao.converters.text import import_text, same_label

    text = (SEEDS / CASES[0][0]).read_text(encoding="utf-8")
    noisy = text.replace("| 项目编码", "| 顶目编码").replace("| 预算数", "| 预箅数").replace("其中：财政<br>资金", "其中:财<br>政资金") \
                .replace("| 一级指标", "| 一級指标")
    assert noisy != text
    book, _ = import_text(noisy)
    assert book == example_books["luanping_xinfang_2026"]
    assert same_label("项目编码 ", "项目编码") and not same_label("项目名称", "项目编码")
    assert not same_label("预算", "预算数") and same_label("资金支出计\n划（%）", "资金支出计划（%）")


@requires_soffice
def test_printed_pdf_prose_is_not_broken_at_every_wrap(example_files, tmp_path):
    """A PDF without jixiao's attachment (a scanned-and-OCRed one has none either): the 部门整体
    绩效目标 came back with a line break wherever the page wrapped it, 12 in one paragraph."""
    from pypdf import PdfReader, PdfWriter

    book = read_workbook(example_files["luanping_xinfang_2026"])
    pdf = export_pdf(book, tmp_path / "a.pdf")
    printed = tmp_path / "printed-only.pdf"
    writer = PdfWriter()
    for page in PdfReader(str(pdf)).pages:
        writer.add_page(page)
    writer.write(str(printed))
    again, _ = import_document(printed)
    dept, back = book.department, again.department
    assert back.overall_goal == dept.overall_goal
    assert ["\n" in m.text for m in back.measures] == ["\n" in m.text for m in dept.measures]
    assert [_no_whitespace(m.text) for m in back.measures] == [_no_whitespace(m.text) for m in dept.measures]
    assert [m.title for m in back.measures] == [m.title for m in dept.measures]  # the 目录 stays out
    for old, new in zip(dept.sub_targets, back.sub_targets):
        assert new.goal.count("\n") <= old.goal.count("\n") and _no_whitespace(new.goal) == _no_whitespace(old.goal)


def test_full_width_codes_print_in_ascii_and_come_back_as_typed(example_files, tmp_path):
    # 单位编码 / 项目编码 typed with a Chinese IME in full-width digits pass validation (NFKC), but the
    # document printed them double-width: the 21-digit 项目编码 broke over two lines of its cell.
    import openpyxl

    path = tmp_path / "全角.xlsx"
    wb = openpyxl.load_workbook(example_files["luanping_xinfang_2026"])
    code = wb["项目1"]["B3"].value
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in code)
    wb["项目1"]["B3"].value = wide
    unit_code = wb["单位信息"]["B3"].value
    wb["单位信息"]["B3"].value = "".join(chr(ord(c) + 0xFEE0) for c in unit_code)
    wb.save(path)
    book = read_workbook(path)
    text = export_docx(book, tmp_path / "全角.docx", pages="none")
    doc = docx.Document(str(text))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert code in cells and wide not in cells
    assert any(p.text.startswith(f"{unit_code} ") for p in doc.paragraphs)
    back, _ = import_docx(text)
    assert back.projects[0].code == wide and back == book
