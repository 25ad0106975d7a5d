"""A Word document read as Word shows it: a reviewer's tracked changes (修订) accepted, a form filled through
content controls, a line break inside a cell. python-docx's ``.text`` sees none of these, and a 指标值
corrected with 修订 on came back empty. Real .docx files: jixiao's own export and a county's 自评表
(tests/variant_docs.py), marked up the way Word writes the XML."""

from __future__ import annotations

import copy
import docx
from docx.oxml.ns import qn
from lxml import etree

import variant_docs as V
from jixiao.converters import export_docx, import_any
from jixiao.converters.wordml import REVISIONS_NOTICE, paragraph_text
from jixiao.forms.reader import read_workbook


def _el(tag: str, **attrs: str):
    el = etree.Element(qn(tag))
    for key, value in attrs.items():
        el.set(qn(key), value)
    return el


def _tracked_replace(cell, new: str) -> None:
    """What Word writes when a reviewer with 修订 on selects a cell's text and types ``new``."""
    p = cell.paragraphs[0]._p
    runs = p.findall(qn("w:r"))
    deleted = _el("w:del", **{"w:id": "901", "w:author": "财政局审核", "w:date": "2026-12-01T00:00:00Z"})
    for r in runs:
        p.remove(r)
        for t in r.findall(qn("w:t")):
            t.tag = qn("w:delText")
        deleted.append(r)
    inserted = _el("w:ins", **{"w:id": "902", "w:author": "财政局审核", "w:date": "2026-12-01T00:00:00Z"})
    run = copy.deepcopy(runs[0])
    for t in run.findall(qn("w:delText")):
        run.remove(t)
    etree.SubElement(run, qn("w:t")).text = new
    inserted.append(run)
    p.extend([deleted, inserted])


def _in_content_control(parent, children) -> None:
    """``children`` of ``parent`` moved into one content control (w:sdt / w:sdtContent), in place."""
    children = list(children)
    sdt = _el("w:sdt")
    parent.insert(parent.index(children[0]), sdt)
    etree.SubElement(sdt, qn("w:sdtPr"))
    content = etree.SubElement(sdt, qn("w:sdtContent"))
    for child in children:
        content.append(child)


def _value_cell(doc, row: int = 1):
    """The 指标值 cell of an indicator row of the first project's indicator table (jixiao's export)."""
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "一级指标")
    header = [c.text for c in table.rows[0].cells]
    return table.rows[row].cells[header.index("指标值")]


def _values(book) -> list[str | None]:
    return [i.value_text for i in book.projects[0].indicators]


def test_a_tracked_change_in_jixiaos_own_document_is_imported_as_changed(tmp_path, example_files):
    original = read_workbook(example_files["luanping_xinfang_2026"])
    path = export_docx(original, tmp_path / "绩效文本.docx")
    doc = docx.Document(str(path))
    _tracked_replace(_value_cell(doc), "≥99%")
    doc.save(path)

    got = import_any(path)
    expected = _values(original)
    expected[0] = "≥99%"
    assert _values(got.book) == expected  # the reviewer's value, and nothing else changed
    notice = [u for u in got.unplaced if u == REVISIONS_NOTICE]
    assert notice and notice[0].kind == "read"  # listed under 请核对, and the import is not partial
    assert not got.incomplete, got.unplaced


def test_a_form_filled_through_content_controls_keeps_its_values(tmp_path, example_files):
    original = read_workbook(example_files["luanping_xinfang_2026"])
    path = export_docx(original, tmp_path / "绩效文本.docx")
    doc = docx.Document(str(path))
    cell = _value_cell(doc, row=2)._tc
    _in_content_control(cell, cell.findall(qn("w:p")))  # a cell-level content control
    first = doc.tables[0]._tbl
    _in_content_control(first.getparent(), [first])  # a whole table inside one (a block-level control)
    doc.save(path)

    got = import_any(path)
    assert _values(got.book) == _values(original)
    assert [p.budget for p in got.book.projects] == [p.budget for p in original.projects]
    assert not any(u == REVISIONS_NOTICE for u in got.unplaced)  # a content control is no revision


def test_a_countys_selfeval_reads_the_reviewers_changes_and_its_controls(tmp_path):
    plain = import_any(V.selfeval_national(tmp_path / "原稿.docx")).selfeval
    path = V.selfeval_national(tmp_path / "修订稿.docx")
    doc = docx.Document(str(path))
    table = doc.tables[0]
    row = next(r for r in table.rows if r.cells[2].text == "培训农户人次")
    _tracked_replace(row.cells[4], "490人次")  # 实际完成值 480人次 → 490人次
    body = doc.element.body
    _in_content_control(body, [table._tbl])
    doc.save(path)

    got = import_any(path)
    assert REVISIONS_NOTICE in got.unplaced
    rows = {r.level3: r for r in got.selfeval.projects[0].indicators}
    before = {r.level3: r for r in plain.projects[0].indicators}
    assert rows["培训农户人次"].actual == "490人次" and before["培训农户人次"].actual == "480人次"
    assert rows.keys() == before.keys()
    assert got.selfeval.projects[0].initial_total == plain.projects[0].initial_total == 120


def test_deleted_text_moved_text_and_breaks():
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    p = etree.fromstring(
        f'<w:p xmlns:w="{w}"><w:pPr><w:rPr><w:ins w:id="1"/></w:rPr></w:pPr>'
        '<w:r><w:t>年度主要目标</w:t><w:br/><w:t>和成果</w:t></w:r>'
        '<w:moveFrom><w:r><w:t>挪走的</w:t></w:r></w:moveFrom>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:moveTo><w:r><w:t>挪来的</w:t></w:r></w:moveTo>'
        '<w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink>'
        '<w:smartTag><w:r><w:t>智能</w:t></w:r></w:smartTag></w:p>')
    assert paragraph_text(p) == "年度主要目标\n和成果3挪来的链接智能"


def test_has_revisions_tells_a_table_border_from_an_insertion(tmp_path):
    from jixiao.converters.wordml import has_revisions

    path = V.selfeval_national(tmp_path / "自评.docx")
    doc = docx.Document(str(path))
    borders = _el("w:tblBorders")
    borders.append(_el("w:insideH", **{"w:val": "single", "w:sz": "4"}))  # <w:ins… as text, no revision
    doc.tables[0]._tbl.tblPr.append(borders)
    doc.save(path)
    assert not has_revisions(path)
    _tracked_replace(doc.tables[0].rows[0].cells[1], "高素质农民培训（修订）")
    doc.save(path)
    assert has_revisions(path)
    assert not has_revisions(tmp_path / "没有.docx")
