"""The 部门预算绩效文本 as a Word document: export in the official layout, import back.

The tables are drawn from the same layouts as the workbook sheets (every
label, merge and value in the same place), and read back through the same
reader, so workbook → docx → workbook loses nothing. What the printed form
does not show (地区编码, the profile, the milestone columns, 填表人 …) travels in
the document's properties. A Word file from elsewhere is read by its labels
(the tables) and headings (the text part).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import JixiaoError
from ..fsutil import atomic_path
from ..forms.grid import SheetData
from ..forms.layouts import (
    OVERALL_LAYOUT, SheetLayout, Static, a1, forms_of, parse_range, project_layout,
)
from ..forms.model import DepartmentTargets, Measure, SubTarget, Unit, UnitWorkbook
from ..forms.reader import bind_fields, read_block, read_project
from ..forms.textsafe import xml_text
from ..forms.values import squeeze

BODY_FONT, TITLE_FONT = "仿宋", "宋体"
NUMBERS = "一二三四五六七八九十"


class NotAPerformanceText(JixiaoError):
    """The document holds no 绩效目标表 and no 部门整体绩效目标: not a 绩效文本 (or cannot be read)."""

    code = "JX-D03"


def _docx():
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - a declared dependency of jixiao[docs]
        raise JixiaoError("需要 python-docx：请执行 pip install python-docx") from exc
    return docx


# --- the layout as a table ---------------------------------------------------------------

def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}" if kind == "money" else (f"{value.normalize():f}%" if kind == "percent"
                                                        else f"{value.normalize():f}")
    return str(value)


def form_grid(layout: SheetLayout, obj: Any, blocks: dict[str, list[Any]], unit: Unit | None,
              top: int) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """The cells of a form from row ``top`` down (values and labels) and its merges (0-based)."""
    from ..forms.template import _field_value, _scaled, excel_text

    def get(name: str) -> str:
        return excel_text(_field_value(unit, name[5:]) if name.startswith("unit.") else _field_value(obj, name))

    cells: dict[tuple[int, int], str] = {}
    merges = []

    def put(ref: str, text: str) -> None:
        r1, c1, r2, c2 = parse_range(ref)
        cells[(r1, c1)] = text
        if (r1, c1) != (r2, c2):
            merges.append((r1, c1, r2, c2))

    for item in (*layout.statics, *layout.formulas):
        put(item.ref, item.text if isinstance(item, Static) else (item.compute(get) if item.compute else ""))
    for f in layout.fields:
        value = _field_value(obj, f.name)
        raw = obj.raw.get(f.name) if obj is not None else None
        put(f.ref, raw if value is None and raw else _shown(_scaled(value, f.scale), f.kind))
    last = max(r2 for (r1, c1, r2, c2) in [parse_range(i.ref) for i in (*layout.statics, *layout.fields)])
    for block in layout.blocks:
        items = blocks.get(block.name, [])
        rows = len(items) if block.open_ended else block.rows
        for i in range(rows):
            row = block.first_row + i
            item = items[i] if i < len(items) else None
            if block.numbering:
                cells[(row, parse_range(block.numbering + "1")[1])] = str(i + 1)
            for col in block.columns:
                value = _field_value(item, col.name)
                raw = item.raw.get(col.name) if item is not None else None
                ref = a1(row, col.index) if col.span == 1 else f"{a1(row, col.index)}:{a1(row, col.index + col.span - 1)}"
                put(ref, raw if value is None and raw else _shown(_scaled(value, col.scale), col.kind))
        end = block.first_row + rows
        for line in block.footer:
            for cell in line.cells:
                r1, c1, r2, c2 = parse_range(cell.ref)
                shift = end + line.offset - 1
                ref = a1(r1 + shift, c1) if (r1, c1) == (r2, c2) else f"{a1(r1 + shift, c1)}:{a1(r2 + shift, c2)}"
                put(ref, cell.text if isinstance(cell, Static) else (cell.compute(get) if cell.compute else ""))
        last = max(last, end - 1 + (max((l.offset for l in block.footer), default=-1) + 1))
    width = layout.print_width
    grid = [[cells.get((r, c), "") for c in range(1, width + 1)] for r in range(top, last + 1)]
    spans = [(r1 - top, c1 - 1, r2 - top, min(c2, width) - 1) for r1, c1, r2, c2 in merges
             if r1 >= top and c1 <= width]
    return grid, spans


def _font(run, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)


def _para(doc, text: str, size: float = 12, bold: bool = False, align: str | None = None, font: str = BODY_FONT):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = doc.add_paragraph()
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    _font(p.add_run(xml_text(text)), font, size, bold)  # XML takes no control characters (JX-X02)
    return p


def _table(doc, grid: list[list[str]], merges, widths_cm: list[float]) -> Any:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    table = doc.add_table(rows=len(grid), cols=len(grid[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.width = Cm(widths_cm[c])
            if text:
                _font(cell.paragraphs[0].add_run(xml_text(text)), BODY_FONT, 10.5)
    from docx.oxml import OxmlElement

    for row in table.rows:  # a row never breaks across pages: the form stays readable, and PDFs re-import
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for r1, c1, r2, c2 in merges:
        a, b = table.cell(r1, c1), table.cell(r2, c2)
        if a._tc is not b._tc:
            keep = [p for p in a.paragraphs]
            merged = a.merge(b)
            # merge() concatenates the paragraphs of the merged cells: keep only the anchor's text
            for p in merged.paragraphs[len(keep):]:
                p._element.getparent().remove(p._element)
    return table


def _widths(layout: SheetLayout, total_cm: float) -> list[float]:
    cols = layout.widths[: layout.print_width]
    return [w / sum(cols) * total_cm for w in cols]


# --- the metadata part -----------------------------------------------------------------------

META_REL = "http://schemas.jixiao/relationships/metadata"
META_URI = "/customXml/jixiao.json"


def _attach_meta(doc, meta: dict[str, Any]) -> None:
    """What the printed form does not show, as a JSON part of the package (core properties cap at 255)."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    blob = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    part = Part(PackURI(META_URI), "application/json", blob, doc.part.package)
    doc.part.relate_to(part, META_REL)


def _read_meta(doc) -> dict[str, Any]:
    for rel in doc.part.rels.values():
        if rel.reltype == META_REL:
            try:
                return json.loads(rel.target_part.blob)
            except ValueError:
                return {}
    return {}


# --- export --------------------------------------------------------------------------------

def export_docx(book: UnitWorkbook, path: str | Path) -> Path:
    """The 部门预算绩效文本 in the official layout (A4, 宋体 / 仿宋, one table per project)."""
    docx = _docx()
    from docx.shared import Cm

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.2)
    unit = book.unit
    meta = {"profile": book.profile, "milestones": book.milestones,
            "unit": unit.model_dump(mode="json", exclude={"raw"}) | {"raw": unit.raw}}
    doc.core_properties.title = xml_text(f"{unit.name or ''}{unit.year or ''} 年部门预算绩效文本")
    _attach_meta(doc, meta)
    _para(doc, unit.name or "", 22, True, "center", TITLE_FONT)
    _para(doc, f"{unit.year or ''} 年部门预算绩效文本", 18, True, "center", TITLE_FONT)
    _para(doc, "(草案)", 14, False, "center")
    _para(doc, "目 录", 16, True, "center", TITLE_FONT)
    for line in ["第一部分 部门整体绩效目标", "一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施",
                 "第二部分 预算项目绩效目标",
                 *[f"{i}.{p.name or ''}绩效目标表" for i, p in enumerate(book.projects, start=1)]]:
        _para(doc, line, 12)
    doc.add_page_break()
    dept = book.department
    _para(doc, "第一部分 部门整体绩效目标", 16, True, "center", TITLE_FONT)
    _para(doc, "一、总体绩效目标", 14, True, font=TITLE_FONT)
    _para(doc, dept.overall_goal or "")
    _para(doc, "二、分项绩效目标", 14, True, font=TITLE_FONT)
    for i, item in enumerate(dept.sub_targets):
        _para(doc, f"（{NUMBERS[i % 10]}）{item.title or ''}", 12, True)
        _para(doc, f"绩效目标：{item.goal or ''}")
        _para(doc, f"绩效指标：{item.indicators or ''}")
    _para(doc, "三、工作保障措施", 14, True, font=TITLE_FONT)
    for i, item in enumerate(dept.measures):
        _para(doc, f"（{NUMBERS[i % 10]}）{item.title or ''}", 12, True)
        _para(doc, item.text or "")
    if book.overall is not None:
        doc.add_page_break()
        _para(doc, "部门(单位)整体支出绩效目标表", 16, True, "center", TITLE_FONT)
        _para(doc, f"（{unit.year or ''}）年度", 12, align="center")
        overall = forms_of(book).overall
        grid, merges = form_grid(overall, book.overall, {"indicators": book.overall.indicators}, unit, 3)
        _table(doc, grid, merges, _widths(overall, 17.0))
    if book.projects:
        doc.add_page_break()
        _para(doc, "第二部分 预算项目绩效目标", 16, True, "center", TITLE_FONT)
    layout = forms_of(book).project
    for i, project in enumerate(book.projects, start=1):
        if i > 1:
            doc.add_page_break()
        _para(doc, f"{i}. {project.name or ''}绩效目标表", 14, True, "center", TITLE_FONT)
        _para(doc, f"{unit.code or ''} {unit.name or ''}", 12)
        _para(doc, f"单位：{layout.money_unit}", 12, align="right")
        grid, merges = form_grid(layout, project, {"indicators": project.indicators}, unit, 3)
        _table(doc, grid, merges, _widths(layout, 17.0))
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)


# --- import ---------------------------------------------------------------------------------

def _table_sheet(table, name: str, top: int) -> SheetData:
    rows: list[list[Any]] = [[] for _ in range(top - 1)]
    for row in table.rows:
        rows.append([cell.text for cell in row.cells])
    return SheetData(name, rows)


_ITEM = re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]\s*")


def _department(paragraphs: list[str]) -> DepartmentTargets:
    dept = DepartmentTargets()
    section, current = None, None
    for text in paragraphs:
        key = squeeze(text)
        if key.startswith("一、总体绩效目标"):
            section = "goal"
            continue
        if key.startswith("二、分项绩效目标"):
            section = "sub"
            continue
        if key.startswith("三、工作保障措施"):
            section = "measure"
            continue
        if key.startswith("第二部分") or key.startswith("部门(单位)整体支出绩效目标表"):
            section = None
            continue
        if section == "goal" and text.strip():
            dept.overall_goal = text if dept.overall_goal is None else dept.overall_goal + "\n" + text
        elif section == "sub":
            if _ITEM.match(text):
                current = SubTarget(title=_ITEM.sub("", text) or None)
                dept.sub_targets.append(current)
            elif current is not None and re.match(r"^\s*绩效目标[:：]", text):
                current.goal = re.sub(r"^\s*绩效目标[:：]", "", text) or None
            elif current is not None and re.match(r"^\s*绩效指标[:：]", text):
                current.indicators = re.sub(r"^\s*绩效指标[:：]", "", text) or None
        elif section == "measure":
            if _ITEM.match(text):
                current = Measure(title=_ITEM.sub("", text) or None)
                dept.measures.append(current)
            elif current is not None and text.strip():
                current.text = text if current.text is None else current.text + "\n" + text
    return dept


def import_docx(path: str | Path) -> tuple[UnitWorkbook, list[str]]:
    """Read a 绩效文本 .docx; returns the model and what could not be placed."""
    docx = _docx()
    try:
        doc = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for a bad file
        raise NotAPerformanceText(f"无法读取 Word 文档：{exc}") from exc
    meta = _read_meta(doc)
    unplaced: list[str] = []
    unit = Unit.model_validate(meta["unit"]) if "unit" in meta else Unit()
    paragraphs = [p.text for p in doc.paragraphs]
    if not meta:
        for text in paragraphs:
            m = re.match(r"^\s*(\d{4})\s*年部门预算绩效文本", text)
            if m:
                unit.year = int(m.group(1))
            m = re.match(r"^\s*(\d{6})\s+(\S.*)$", text)
            if m and unit.code is None:
                unit.code, unit.name = m.group(1), m.group(2).strip()
    book = UnitWorkbook(profile=meta.get("profile", "hebei"), unit=unit, department=_department(paragraphs))
    if meta.get("milestones"):
        book.milestones = list(meta["milestones"])
    projects = []
    for n, table in enumerate(doc.tables, start=1):
        first = squeeze(table.rows[0].cells[0].text) if table.rows else ""
        if first == "项目编码":
            labels = {squeeze(c.text) for c in table.rows[3].cells} if len(table.rows) > 3 else set()
            milestones = meta.get("milestones") or (["3月底", "6月底", "10月底", "12月底"] if "12月底" in labels
                                                    else ["3月底", "6月底", "10月底"])
            book.milestones = list(milestones)
            project = read_project(_table_sheet(table, f"项目{len(projects) + 1}", 3),
                                   project_layout(tuple(milestones)))
            projects.append(project)
        elif first == "部门(单位)名称":
            sheet = _table_sheet(table, "整体支出绩效目标表", 3)
            data: dict[str, Any] = {}
            raw: dict[str, str] = {}
            cells: dict[str, Any] = {}
            bind_fields(sheet, OVERALL_LAYOUT, data, raw, cells)
            from ..forms.model import Indicator, OverallTargets

            book.overall = OverallTargets(raw=raw, **data,
                                          indicators=read_block(sheet, OVERALL_LAYOUT.block("indicators"), Indicator))
        else:
            unplaced.append(f"第 {n} 个表格（首格“{first[:20]}”）不是绩效目标表，未导入")
    book.projects = projects
    if not projects and book.overall is None and book.department.is_empty():
        raise NotAPerformanceText("这不是部门预算绩效文本：没有找到“项目绩效目标表”或“部门整体绩效目标”")
    return book, unplaced
