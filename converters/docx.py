"""The 部门预算绩效文本 as a Word document: export in the official layout, import back.

The tables are drawn from the same layouts as the workbook sheets (every
label, merge and value in the same place), and read back through the same
reader, so workbook → docx → workbook loses nothing. What the printed form
does not show (地区编码, the profile, the milestone columns, 填表人 …) travels in
the document's properties. A Word file from elsewhere is read by its labels
(the tables) and headings (the text part).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from ..errors import JixiaoError
from ..fsutil import atomic_path
from ..forms.grid import SheetData
from ..forms.layouts import (
    SheetLayout, Static, a1, forms_of, parse_range, project_layout,
)
from ..forms.model import DepartmentTargets, Measure, SubTarget, Unit, UnitWorkbook
from ..forms.reader import bind_fields, matches_signature, read_block, read_project
from ..forms.textsafe import xml_text
from ..forms.values import nfkc, parse_decimal, squeeze
from . import docxprint as pp
from .classified import redacted
from .shapes import contents_rows
from .wordml import W, blocks, cell_text, paragraph_text

BODY_FONT, TITLE_FONT = "仿宋_GB2312", "方正小标宋简体"
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

CENT = Decimal("0.01")


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if kind == "money":  # two places as the form prints them, every further digit the amount has (exact)
            return f"{value:.2f}" if value == value.quantize(CENT) else f"{value.normalize():f}"
        return f"{value.normalize():f}%" if kind == "percent" else f"{value.normalize():f}"
    return str(value)


def printed_rows(layout: SheetLayout, blocks: dict[str, list[Any]]) -> Callable[[int], int]:
    """Where each row of the sheet prints: a fixed block (the 10 年度主要任务, the 12 中期 indicator
    rows) prints its filled rows only, at least one, and what lies below it moves up. Twelve blank
    中期 rows of a 一次性项目 would push the 年度 table to a page of its own."""
    cuts: list[tuple[int, int]] = []  # (first row below a fixed block, rows it does not print)
    for block in layout.blocks:
        if not block.open_ended:
            unused = block.rows - max(1, len(blocks.get(block.name, [])))
            if unused > 0:
                cuts.append((block.first_row + block.rows, unused))

    def moved(row: int) -> int:
        return row - sum(n for below, n in cuts if row >= below)
    return moved


def reexpanded(rows: list[list[Any]], layout: SheetLayout) -> list[list[Any]]:
    """The rows of a printed form back at the sheet's own rows (:func:`printed_rows` reversed): below
    each fixed block the row that follows it on the form is found by its label, and blank rows are
    put back before it. A document that printed every row comes back as it was."""
    rows = list(rows)
    labels = {parse_range(s.ref)[:2]: squeeze(s.text) for s in layout.statics}
    for block in sorted((b for b in layout.blocks if not b.open_ended), key=lambda b: b.first_row):
        below = block.first_row + block.rows  # 1-based, on the sheet
        label = labels.get((below, 1))
        if not label:
            continue
        for at in range(block.first_row, min(below, len(rows) + 1)):
            if rows[at - 1] and squeeze(str(rows[at - 1][0])) == label:
                rows[at - 1:at - 1] = [[] for _ in range(below - at)]
                break
    return rows


#: how a cell prints: labels bold and centred, amounts right-aligned on one line, codes on one line
LABEL, FOOTER, MONEY, NUMBER, CODE, NAME, TEXT, CENTER = ("label", "footer", "money", "number", "code", "name",
                                                          "text", "center")
FIGURE = "figure"  # the number of a split 指标值 (四川 指标性质 | 指标值 | 度量单位): centred, on one line
_ONE_LINE = {"code", "name", "level1", "level2", "level3"}  # what JX-X01 cleans of every space and break


def _role(name: str, kind: str) -> str:
    if kind in ("money", "percent", "number"):
        return MONEY if kind == "money" else NUMBER
    if name == "code":
        return CODE
    return NAME if name in _ONE_LINE else TEXT


def form_cells(layout: SheetLayout, obj: Any, blocks: dict[str, list[Any]], unit: Unit | None, top: int):
    """The cells of a form from row ``top`` down (values and labels), its merges and how each cell
    prints (``{(row, col): role}``), 0-based; the rows as :func:`printed_rows` places them."""
    from ..forms.template import _field_value, _scaled, formula_values

    get = formula_values(obj, unit)
    cells: dict[tuple[int, int], str] = {}
    roles: dict[tuple[int, int], str] = {}
    merges = []

    moved = printed_rows(layout, blocks)

    def put(ref: str, text: str, role: str, *, placed: bool = False) -> None:
        r1, c1, r2, c2 = parse_range(ref)
        if not placed:  # a sheet row: where it prints
            r1, r2 = moved(r1), moved(r2)
        cells[(r1, c1)] = text
        roles[(r1, c1)] = role
        if (r1, c1) != (r2, c2):
            merges.append((r1, c1, r2, c2))

    for item in (*layout.statics, *layout.formulas):
        if isinstance(item, Static):
            put(item.ref, item.text, LABEL if item.style == "label" else FOOTER)
        else:
            put(item.ref, item.compute(get) if item.compute else "", TEXT)
    for f in layout.fields:
        value = _field_value(obj, f.name)
        raw = obj.raw.get(f.name) if obj is not None else None
        put(f.ref, raw if value is None and raw else _shown(_scaled(value, f.scale), f.kind), _role(f.name, f.kind))
    last = max(moved(r2) for (r1, c1, r2, c2) in [parse_range(i.ref) for i in (*layout.statics, *layout.fields)])
    for block in layout.blocks:
        items = blocks.get(block.name, [])
        rows = len(items) if block.open_ended else max(1, len(items))
        for i in range(rows):
            row = moved(block.first_row) + i
            item = items[i] if i < len(items) else None
            if block.numbering:
                col = parse_range(block.numbering + "1")[1]
                cells[(row, col)], roles[(row, col)] = (str(i + 1) if item is not None else ""), CENTER
            for col in block.columns:
                value = _field_value(item, col.name)
                raw = item.raw.get(col.name) if item is not None else None
                ref = a1(row, col.index) if col.span == 1 else f"{a1(row, col.index)}:{a1(row, col.index + col.span - 1)}"
                text = raw if value is None and raw else _shown(_scaled(value, col.scale), col.kind)
                # a split 指标值 in 元 (1200000) in its narrow column: on one line, as amounts print
                role = FIGURE if col.part == "num" and parse_decimal(text) is not None else _role(col.name, col.kind)
                put(ref, text, role, placed=True)
        end = moved(block.first_row) + rows
        for line in block.footer:
            for cell in line.cells:
                r1, c1, r2, c2 = parse_range(cell.ref)
                shift = end + line.offset - 1
                ref = a1(r1 + shift, c1) if (r1, c1) == (r2, c2) else f"{a1(r1 + shift, c1)}:{a1(r2 + shift, c2)}"
                put(ref, cell.text if isinstance(cell, Static) else (cell.compute(get) if cell.compute else ""),
                    FOOTER if isinstance(cell, Static) else TEXT, placed=True)
        last = max(last, end - 1 + (max((l.offset for l in block.footer), default=-1) + 1))
    width = layout.print_width
    grid = [[cells.get((r, c), "") for c in range(1, width + 1)] for r in range(top, last + 1)]
    spans = [(r1 - top, c1 - 1, r2 - top, min(c2, width) - 1) for r1, c1, r2, c2 in merges
             if r1 >= top and c1 <= width]
    shown = {(r - top, c - 1): role for (r, c), role in roles.items() if r >= top and c <= width}
    return grid, spans, shown


def _font(run, name: str, size: float, bold: bool = False) -> None:
    """A run in font ``name`` (named for CJK text too) — kept for callers of the older helpers."""
    font = next((f for f in (pp.BODY, pp.HEI, pp.KAI, pp.TITLE) if name in f), (name, name))
    pp.run_font(run, font, size, bold)


def _para(doc, text: str, size: float = 12, bold: bool = False, align: str | None = None, font: str = BODY_FONT):
    p = pp.paragraph(doc, text, align=align)
    for run in p.runs:
        _font(run, font, size, bold)
    return p


def printed_text(text: str, role: str = TEXT) -> str:
    """What a cell prints: without a published PDF's stray line breaks (:func:`~.docxprint.as_meant`);
    a code typed in full-width digits (``４３１００１``) in ASCII, or its 21 digits broke over two lines."""
    shown = pp.as_meant(text, one_line=role in (CODE, NAME))
    return nfkc(shown) if role == CODE and not shown.isascii() else shown


def _strings(obj: Any, path: str = ""):
    """Every text of the model with its path (``projects.0.indicators.4.level2``) and field name."""
    from pydantic import BaseModel

    if isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _strings(item, f"{path}.{i}")
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            if isinstance(value, str):
                yield f"{path}.{name}", name, value
            elif isinstance(value, (BaseModel, list)):
                yield from _strings(value, f"{path}.{name}")
        for name, value in (getattr(obj, "raw", None) or {}).items():
            if isinstance(value, str):
                yield f"{path}.raw.{name}", name, value


def _changed_by_print(book: UnitWorkbook) -> dict[str, list[str]]:
    """{path: [printed, original]} of each text the document prints differently (kept in its metadata,
    so that workbook → docx → workbook still loses nothing)."""
    out = {}
    for path, name, value in _strings(book):
        shown = printed_text(value, _role(name, "text"))
        if shown != value:
            out[path] = [shown, value]
    return out


def _restore(book: UnitWorkbook, changed: dict[str, list[str]]) -> None:
    """Put back each original whose printed text came back unchanged (a clerk's edit in Word wins)."""
    current = {path: value for path, _, value in _strings(book)}
    for path, (shown, original) in changed.items():
        if current.get(path) != shown:
            continue
        *parents, name = path.strip(".").split(".")
        obj: Any = book
        for part in parents:
            obj = obj[int(part)] if isinstance(obj, list) else getattr(obj, part)
        if isinstance(obj, dict):
            obj[name] = original
        else:
            setattr(obj, name, original)


def _restore_weights(indicators: list[Any], kept: list[list[Any]]) -> None:
    """The 分值 the document does not print, put back on the rows that came back under the same
    三级指标 in the same place (a row a clerk added or removed in Word gets none, not a neighbour's)."""
    for indicator, (name, weight) in zip(indicators, kept):
        if indicator.weight is None and weight is not None and indicator.level3 == name:
            indicator.weight = Decimal(weight)


def _table(doc, grid: list[list[str]], merges, roles, widths: list[float],
           header_row: int | None = None) -> list[Any]:
    """The form as one table, or two (1 pt apart) when the indicator block's header row must repeat on a
    continued page: Word and LibreOffice repeat only a table's first rows."""
    split = header_row if header_row and not any(r1 < header_row <= r2 for r1, _, r2, _ in merges) else None
    parts = [(0, len(grid))] if split is None else [(0, split), (split, len(grid))]
    tables = []
    for first, end in parts:
        if tables:  # LibreOffice joins touching tables into one (and drops the repeat): 1 pt between them
            pp.spacer(doc)
        rows = grid[first:end]
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        from docx.enum.table import WD_TABLE_ALIGNMENT

        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        spans = [(r1 - first, c1, r2 - first, c2) for r1, c1, r2, c2 in merges if first <= r1 < end]
        width_of = {}
        for r1, c1, r2, c2 in spans:
            width_of[(r1, c1)] = pp.spans_width(widths, c1, c2)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                role = roles.get((r + first, c), TEXT)
                cell = table.cell(r, c)
                p = cell.paragraphs[0]
                p.style = doc.styles[pp.STYLES["table"][0]]
                if not text:
                    pp.cell_setup(cell)
                    continue
                shown = printed_text(text, role)
                p.add_run(xml_text(shown))
                one_line = role in (CODE, MONEY, NUMBER, FIGURE)
                # a code or an amount on one line: smaller type rather than 10606.752 over 2
                fitted = role in (CODE, MONEY, FIGURE)
                size = pp.fitting_size(shown, width_of.get((r, c), widths[c])) if fitted else None
                pp.cell_setup(cell, center=role in (LABEL, CENTER, CODE, FIGURE), right=role in (MONEY, NUMBER),
                              bold=role == LABEL, nowrap=one_line, size=size)
        for r1, c1, r2, c2 in spans:
            a, b = table.cell(r1, c1), table.cell(r2, c2)
            if a._tc is not b._tc:
                keep = len(a.paragraphs)
                merged = a.merge(b)
                # merge() concatenates the paragraphs of the merged cells: keep only the anchor's text
                for p in merged.paragraphs[keep:]:
                    p._element.getparent().remove(p._element)
        pp.table_setup(table, widths, header_rows=1 if first == split else 0, row_height_pt=pp.ROW_PT)
        for row in list(table.rows)[-3:-1]:  # the form's last row never stands alone on a page
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
        tables.append(table)
    return tables


def _widths(layout: SheetLayout, total_mm: float) -> list[float]:
    """The layout's column widths (the sheets' own, so table and sheet cannot drift) across ``total_mm``."""
    return pp.widths_mm(layout.widths[: layout.print_width], total_mm)


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

PART1, PART2 = "第一部分 部门整体绩效目标", "第二部分 预算项目绩效目标"
DEPT_HEADINGS = ("一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施")
OVERALL_TITLE = "部门(单位)整体支出绩效目标表"


def sheet_title(layout: SheetLayout, obj: Any = None, unit: Unit | None = None) -> str:
    """The form's own title, as its sheet prints it in A1 (``项目支出绩效目标申报表``, the 四川
    ``部门预算项目绩效目标申报表(2023年度)``, the national ``部门(单位)整体支出绩效目标申报表``)."""
    from ..forms.template import formula_values

    get = formula_values(obj, unit)
    for item in (*layout.statics, *layout.formulas):
        if parse_range(item.ref)[:2] == (1, 1):
            text = item.text if isinstance(item, Static) else (item.compute(get) if item.compute else "")
            return squeeze(text) or OVERALL_TITLE
    return OVERALL_TITLE


def _blocks(layout: SheetLayout, obj: Any) -> dict[str, list[Any]]:
    """Each block's rows: the indicators, and the national forms' 中期 table and 年度主要任务."""
    return {b.name: list(getattr(obj, b.name, None) or []) for b in layout.blocks}


def toc_entries(book: UnitWorkbook) -> list[pp.TocEntry]:
    """The 目录's lines, as seed 000 lists them (and the 部门整体 form where there is one)."""
    entries = []
    if not book.department.is_empty() or book.overall is not None:
        entries.append(pp.TocEntry(1, PART1))
    if not book.department.is_empty():  # no empty headings on a page of their own (the Hunan seed has none)
        entries += [pp.TocEntry(2, h) for h in DEPT_HEADINGS]
    if book.overall is not None:  # the heading the page prints, or the 目录 cannot find its page
        entries.append(pp.TocEntry(2, sheet_title(forms_of(book).overall, book.overall, book.unit)))
    if book.projects:
        entries.append(pp.TocEntry(1, PART2))
        entries += [pp.TocEntry(2, f"{i}.{p.name or ''}绩效目标表") for i, p in enumerate(book.projects, start=1)]
    return entries


def export_docx(book: UnitWorkbook, path: str | Path, *, pages: str = "auto") -> Path:
    """The 部门预算绩效文本 in the official layout (see :mod:`.docxprint`).

    ``pages``: ``"auto"`` fills the 目录's page numbers from a first LibreOffice render when
    LibreOffice is installed (Word refreshes them on opening in any case); ``"none"`` leaves
    them for Word to fill.
    """
    book = redacted(book)  # a 涉密 project prints nothing but 涉密
    entries = toc_entries(book)
    if pages == "auto":
        from ..excel.office import soffice, writer_missing

        if soffice() is not None and not writer_missing():
            import tempfile

            from ..excel.office import convert

            # the draft in a temporary folder only numbers the 目录: a full /tmp (or a file size limit) skips it,
            # and the message, if any, names the clerk's output, not the draft
            with contextlib.suppress(JixiaoError, OSError, subprocess.SubprocessError), \
                    tempfile.TemporaryDirectory(prefix="jixiao-toc-") as tmp:
                draft = _write(book, Path(tmp) / "draft.docx", entries)
                # no render, no poppler: the 目录 without numbers, which Word fills on opening
                entries = pp.toc_pages(convert(draft, "pdf", tmp), entries)
    return _write(book, path, entries)


def _write(book: UnitWorkbook, path: str | Path, entries: list[pp.TocEntry]) -> Path:
    docx = _docx()
    doc = docx.Document()
    pp.setup_document(doc)
    unit = book.unit
    doc.core_properties.title = xml_text(f"{unit.name or ''}{unit.year or ''} 年部门预算绩效文本")
    # the cover, as seed 000: the unit, the title, (草案); then the 目录 — neither page numbered
    cover = doc.sections[0]
    pp.no_footer(cover)
    for _ in range(5):
        pp.paragraph(doc, indent=False)
    pp.paragraph(doc, unit.name or "", "title")
    pp.paragraph(doc, f"{unit.year or ''} 年部门预算绩效文本", "title")
    pp.paragraph(doc, "(草案)", align="center")
    doc.add_page_break()
    pp.paragraph(doc, "目 录", "toc_title")
    pp.paragraph(doc, indent=False)
    pp.add_toc(doc, entries)
    # the body: numbered from 1
    dept = book.department
    text = not dept.is_empty()
    body = pp.new_section(doc, landscape=not text and book.overall is not None)
    pp.page_number_footer(body, start=1)
    if text or book.overall is not None:
        pp.paragraph(doc, PART1, "part")
    if text:
        pp.paragraph(doc, DEPT_HEADINGS[0], "h1")
        pp.paragraph(doc, printed_text(dept.overall_goal or ""))
        pp.paragraph(doc, DEPT_HEADINGS[1], "h1")
        for i, item in enumerate(dept.sub_targets):
            pp.paragraph(doc, f"（{NUMBERS[i % 10]}）{item.title or ''}", "h2")
            pp.paragraph(doc, f"绩效目标：{printed_text(item.goal or '')}")
            pp.paragraph(doc, f"绩效指标：{printed_text(item.indicators or '')}")
        pp.paragraph(doc, DEPT_HEADINGS[2], "h1")
        for i, item in enumerate(dept.measures):
            pp.paragraph(doc, f"（{NUMBERS[i % 10]}）{item.title or ''}", "h2")
            pp.paragraph(doc, printed_text(item.text or ""))
    forms = forms_of(book)
    if book.overall is not None:  # the Hunan form is landscape, as its sheet prints
        overall = forms.overall
        # the Ministry's 申报表 (docs/forms/national-*.md) has 年度主要任务; Hunan prints （2026）年度
        national = any(b.name == "tasks" for b in overall.blocks)
        if text:
            pp.new_section(doc, landscape=True)
        pp.paragraph(doc, sheet_title(overall, book.overall, unit), "h1", align="center")
        pp.paragraph(doc, f"（{unit.year or ''}年度）" if national else f"（{unit.year or ''}）年度", "note",
                     align="center")
        blocks = _blocks(overall, book.overall)
        grid, merges, roles = form_cells(overall, book.overall, blocks, unit, 3)
        header = printed_rows(overall, blocks)(overall.block("indicators").header_row) - 3
        _table(doc, grid, merges, roles, _widths(overall, pp.LANDSCAPE_TEXT_WIDTH_MM), header)
        if book.projects:
            pp.new_section(doc)
    elif book.projects and text:
        doc.add_page_break()
    if book.projects:
        pp.paragraph(doc, PART2, "part")
    layout = forms_of(book).project
    for i, project in enumerate(book.projects, start=1):
        if i > 1:
            doc.add_page_break()
        pp.paragraph(doc, f"{i}.{project.name or ''}绩效目标表", "h1", align="center")
        if layout.periods:  # the national and 四川 申报表: the form's own name and year under the project's
            title = sheet_title(layout, project, unit)
            pp.paragraph(doc, title if "年度" in title else f"{title}（{unit.year or ''}年度）", "note",
                         align="center")
        else:
            pp.paragraph(doc, f"{printed_text(unit.code or '', CODE)} {unit.name or ''}", "note", indent=False)
        pp.paragraph(doc, f"单位：{layout.money_unit}", "note", align="right")
        blocks = _blocks(layout, project)
        grid, merges, roles = form_cells(layout, project, blocks, unit, 3)
        header = printed_rows(layout, blocks)(layout.block("indicators").header_row) - 3
        _table(doc, grid, merges, roles, _widths(layout, pp.TEXT_WIDTH_MM), header)
    meta = {"profile": book.profile, "milestones": book.milestones, **({"forms": book.forms} if book.forms else {}),
            "unit": unit.model_dump(mode="json", exclude={"raw"}) | {"raw": unit.raw},
            "printed": _changed_by_print(book)}
    if book.overall is not None and any(i.weight is not None for i in book.overall.indicators):
        # the Hunan 分值 column is beside the form, not printed on it: kept here, or the import lost them
        meta["weights"] = [[i.level3, None if i.weight is None else str(i.weight)] for i in book.overall.indicators]
    _attach_meta(doc, meta)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)


# --- import ---------------------------------------------------------------------------------

def _table_sheet(table, name: str, top: int, layout: SheetLayout | None = None) -> SheetData:
    """A printed form as the sheet it was drawn from (``layout``: its fixed blocks' rows put back)."""
    rows: list[list[Any]] = [[] for _ in range(top - 1)]
    for part in table if isinstance(table, list) else [table]:
        for row in part.rows:
            rows.append(_texts(row))
    return SheetData(name, rows if layout is None else reexpanded(rows, layout))


def _texts(row) -> list[str]:
    """A row's cells as python-docx spreads them (a merged cell once per grid column), read as Word
    shows them (:mod:`.wordml`: a tracked change, a content control)."""
    return [cell_text(cell._tc) for cell in row.cells]


def form_tables(doc) -> list[list[Any]]:
    """The document's tables, a form printed as two tables (so that its indicator header repeats on a
    continued page) joined again: a table right after another, or after one empty paragraph (in the
    order Word shows them: a table inside a content control follows what precedes the control)."""
    from docx.table import Table

    groups: list[list[Any]] = []
    previous: list[Any] = []  # the blocks since the last table, up to two
    for el in blocks(doc.element.body):
        if el.tag != f"{W}tbl":
            previous.append(el)
            continue
        table = Table(el, doc._body)
        joined = groups and (not previous or len(previous) == 1 and not paragraph_text(previous[0]).strip())
        if joined:
            groups[-1].append(table)
        else:
            groups.append([table])
        previous = []
    return groups


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
        if key.startswith("第二部分") or key.startswith("部门(单位)整体支出绩效目标"):
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


def _unreadable_docx(path: str | Path) -> str:
    """Why python-docx could not open the file, for a clerk (its own messages are English)."""
    try:
        head = Path(path).read_bytes()[:8]
    except OSError:
        head = b""
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Word 97-2003 .doc, or an encrypted .docx
        return "无法读取 Word 文档：这是旧版 Word（.doc）文件或已加密的文档，请在 Word 中去掉密码并“另存为”.docx 后再导入"
    return "无法读取 Word 文档：文件已损坏或不是 .docx 文件"


def _ours(meta: dict, sheet: SheetData, layout) -> None:
    """A table read by position must be the form whose first label it shares: every label of the form's
    signature in its cell. Another form that starts alike (a province's 部门整体支出绩效自评表 opens with
    部门(单位)名称) came out as indicators named 上年结转资金 without a word; it raises, and the structural
    reader (``read_text``) takes the whole document. A .docx jixiao wrote (its metadata) is taken as it is."""
    if not meta and not matches_signature(sheet, layout):
        raise NotAPerformanceText(f"不是 jixiao 版式的{layout.title or '绩效目标表'}")


def _paragraphs(doc) -> list[Any]:
    """The body's paragraphs, those inside a content control too, as python-docx paragraphs (for their style)."""
    from docx.text.paragraph import Paragraph

    return [Paragraph(p, doc._body) for p in blocks(doc.element.body) if p.tag == f"{W}p"]


def import_docx(path: str | Path) -> tuple[UnitWorkbook, list[str]]:
    """Read a 绩效文本 .docx; returns the model and what could not be placed."""
    docx = _docx()
    try:
        doc = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for a bad file
        raise NotAPerformanceText(_unreadable_docx(path)) from exc
    meta = _read_meta(doc)
    unplaced: list[str] = []
    unit = Unit.model_validate(meta["unit"]) if "unit" in meta else Unit()
    paragraphs = [paragraph_text(p._p) for p in _paragraphs(doc)
                  if not (p.style is not None and p.style.name.startswith("toc "))]
    if not meta:
        for text in paragraphs:
            m = re.match(r"^\s*(\d{4})\s*年部门预算绩效文本", text)
            if m:
                unit.year = int(m.group(1))
            m = re.match(r"^\s*(\d{6})\s+(\S.*)$", text)
            if m and unit.code is None:
                unit.code, unit.name = m.group(1), m.group(2).strip()
    book = UnitWorkbook(profile=meta.get("profile", "hebei"), unit=unit, department=_department(paragraphs),
                        forms=dict(meta.get("forms") or {}))
    if meta.get("milestones"):
        book.milestones = list(meta["milestones"])
    projects = []
    for n, group in enumerate(form_tables(doc), start=1):
        table = group[0]
        first = squeeze(_texts(table.rows[0])[0]) if table.rows else ""
        layout = forms_of(book).project
        if layout.periods and first == squeeze(layout.signature[0][1]):  # the national or 四川 申报表, by its first label
            sheet = _table_sheet(group, f"项目{len(projects) + 1}", 3, layout)
            _ours(meta, sheet, layout)
            projects.append(read_project(sheet, layout))
        elif first == "项目编码":
            labels = {squeeze(t) for t in _texts(table.rows[3])} if len(table.rows) > 3 else set()
            milestones = meta.get("milestones") or (["3月底", "6月底", "10月底", "12月底"] if "12月底" in labels
                                                    else ["3月底", "6月底", "10月底"])
            book.milestones = list(milestones)
            sheet, layout = _table_sheet(group, f"项目{len(projects) + 1}", 3), project_layout(tuple(milestones))
            _ours(meta, sheet, layout)
            projects.append(read_project(sheet, layout))
        elif first == "部门(单位)名称":
            overall = forms_of(book).overall
            sheet = _table_sheet(group, "整体支出绩效目标表", 3, overall)
            _ours(meta, sheet, overall)
            data: dict[str, Any] = {}
            raw: dict[str, str] = {}
            cells: dict[str, Any] = {}
            bind_fields(sheet, overall, data, raw, cells)
            from ..forms.model import Indicator, OverallTargets, Task

            rows = {b.name: read_block(sheet, b, Task if b.name == "tasks" else Indicator) for b in overall.blocks}
            book.overall = OverallTargets(raw=raw, **data, **rows)
        elif not contents_rows([_texts(row) for t in group for row in t.rows]):  # a 目录: no loss
            unplaced.append(f"第 {n} 个表格（首格“{first[:20]}”）不是绩效目标表，未导入")
    book.projects = projects
    if meta.get("printed"):
        _restore(book, meta["printed"])
    if meta.get("weights") and book.overall is not None:
        _restore_weights(book.overall.indicators, meta["weights"])
    if not projects and book.overall is None and book.department.is_empty():
        raise NotAPerformanceText("这不是部门预算绩效文本：没有找到“项目绩效目标表”或“部门整体绩效目标”")
    return book, unplaced
