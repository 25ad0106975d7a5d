"""Marks at the cell: the report drawn onto a copy of the workbook (openpyxl adapter).

Each finding's cell gets a fill (red for an error, yellow for a warning) and a
note with the messages; a sheet ``校验结果`` lists every finding with a link to
its cell. What a cell looked like before is kept in a very hidden sheet
``_jixiao_marks``, so annotating again first restores the unit's own fills and
notes exactly, then marks afresh. Sheet protection is left as it was.

A macro workbook is loaded with ``keep_vba`` (VBA project, buttons and macro
content type kept; the output must be ``.xlsm``), and the formulas' saved
results, which openpyxl drops, are put back afterwards
(:func:`jixiao.excel.zippatch.restore_cached_values`). Text written into the copy
goes through :func:`jixiao.forms.textsafe.visible`: control characters pasted from
Word (JX-X02) are shown as symbols, never written raw.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Color, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink

from .context import field_label
from .issues import ERROR, SEVERITY_ZH, FileReport, Issue
from ..forms.layouts import PrintSetup
from ..forms.model import UnitWorkbook
from ..forms.printsetup import apply_openpyxl
from ..forms.textsafe import visible
from ..excel.zippatch import load_copy, save_copy

MARK_SHEET = "_jixiao_marks"
RESULT_SHEET = "校验结果"
AUTHOR = "jixiao"
FILLS = {ERROR: "FFFFC7CE", "warning": "FFFFEB9C"}
_HEADERS = ("序号", "严重程度", "代码", "工作表", "单元格", "字段", "值", "说明", "修正建议")
_WIDTHS = (6, 9, 9, 16, 9, 14, 24, 60, 30)


def _color(c: Color | None) -> dict | None:
    if c is None:
        return None
    return {"type": c.type, "value": c.value, "tint": c.tint}


def _uncolor(d: dict | None) -> Color | None:
    if not d:
        return None
    return Color(**{d["type"]: d["value"]}, tint=d["tint"] or 0)


def clear_marks(wb: Workbook) -> int:
    """Undo jixiao's marks in ``wb`` (restore fills and notes); returns the number of cells restored."""
    restored = 0
    if MARK_SHEET in wb.sheetnames:
        for (record,) in wb[MARK_SHEET].iter_rows(values_only=True, max_col=1):
            if not record:
                continue
            mark = json.loads(record)
            if mark["sheet"] not in wb.sheetnames:
                continue
            cell = wb[mark["sheet"]][mark["cell"]]
            fill = mark["fill"]
            cell.fill = PatternFill(fill_type=fill["patternType"], fgColor=_uncolor(fill["fg"]),
                                    bgColor=_uncolor(fill["bg"])) if fill["patternType"] else PatternFill()
            note = mark["note"]
            cell.comment = Comment(note["text"], note["author"]) if note else None
            restored += 1
        del wb[MARK_SHEET]
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    return restored


def mark(wb: Workbook, issues: list[Issue]) -> int:
    """Fill and note each finding's cell, remembering what was there; returns the cells marked."""
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.sheet in wb.sheetnames and issue.cell:
            by_cell[(issue.sheet, issue.cell)].append(issue)
    records = []
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        fill = cell.fill
        note = cell.comment
        records.append(json.dumps({
            "sheet": sheet, "cell": ref,
            "fill": {"patternType": fill.fill_type, "fg": _color(fill.fgColor), "bg": _color(fill.bgColor)},
            "note": {"text": note.text, "author": note.author} if note else None}, ensure_ascii=False))
        severity = ERROR if any(i.severity == ERROR for i in found) else "warning"
        cell.fill = PatternFill("solid", fgColor=FILLS[severity])
        text = visible("\n".join(f"[{i.code} {SEVERITY_ZH[i.severity]}] {i.message}" for i in found))
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, 40 + 18 * len(text) // 20
        cell.comment = comment
    ws = wb.create_sheet(MARK_SHEET)
    for i, record in enumerate(records, start=1):
        ws.cell(i, 1, record)
    ws.sheet_state = "veryHidden"
    return len(records)


def result_sheet(wb: Workbook, report: FileReport, password: str | None, book: UnitWorkbook | None = None) -> None:
    """The ``校验结果`` sheet: one row per finding, each with a link to its cell (字段 as ``book``'s forms
    label it, when it is given)."""
    from ..forms.printfit import text_height

    ws = wb.create_sheet(RESULT_SHEET, 0)
    ws["A1"] = (f"校验结果：{report.errors} 个错误，{report.warnings} 个提示"
                f"{'（错误须修改后再提交）' if report.errors else '（可以提交）'}")
    ws["A1"].font = Font(name="宋体", size=14, bold=True)
    ws.merge_cells("A1:I1")
    for c, (title, width) in enumerate(zip(_HEADERS, _WIDTHS), start=1):
        ws.cell(2, c, title).font = Font(name="宋体", bold=True)
        ws.column_dimensions[chr(64 + c)].width = width
    for n, issue in enumerate(report.issues, start=1):
        row = n + 2
        fix = issue.fix.get("description") if issue.fix else None
        values = (n, SEVERITY_ZH[issue.severity], issue.code, issue.sheet, issue.cell,
                  field_label(book, issue) if book is not None else issue.field,
                  issue.value, issue.message, fix)
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row, c, visible(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(vertical="top", wrap_text=c >= 7)
        ws.cell(row, 2).fill = PatternFill("solid", fgColor=FILLS[issue.severity])
        # wrapped text needs its height set: LibreOffice and WPS keep the default height otherwise
        ws.row_dimensions[row].height = max(
            [15.0] + [text_height(values[c - 1], _WIDTHS[c - 1]) for c in (7, 8, 9)
                      if isinstance(values[c - 1], str)])
        if issue.sheet in wb.sheetnames and issue.cell:
            link = ws.cell(row, 5)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{issue.sheet}'!{issue.cell}")
            link.font = Font(color="FF0563C1", underline="single")
    ws.freeze_panes = "A3"
    apply_openpyxl(ws, PrintSetup.for_width(sum(_WIDTHS), repeat_rows=(2, 2)), report.unit_name)
    ws.print_area = f"A1:I{len(report.issues) + 2}"
    ws.auto_filter.ref = f"A2:I{max(2, len(report.issues) + 2)}"
    ws.protection.sheet = True
    if password:
        ws.protection.set_password(password)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0


def annotate_file(source: str | Path, out: str | Path, report: FileReport, *,
                  password: str | None = "jixiao", book: UnitWorkbook | None = None,
                  heights: dict[str, dict[int, float]] | None = None) -> Path:
    """Write a copy of ``source`` with the report's marks and the 校验结果 sheet (``book``: the workbook
    read, whose forms name the 字段), and the rows of ``heights`` (sheet → {row → points}) made that tall."""
    wb = load_copy(source, out)
    clear_marks(wb)
    mark(wb, report.issues)
    for sheet, rows in (heights or {}).items():
        if sheet in wb.sheetnames:
            for row, height in rows.items():
                wb[sheet].row_dimensions[row].height = height
    result_sheet(wb, report, password, book)
    return save_copy(wb, source, out, fresh=(RESULT_SHEET, MARK_SHEET))


def clear_file(source: str | Path, out: str | Path) -> Path:
    """Write a copy of ``source`` with jixiao's marks removed."""
    wb = load_copy(source, out)
    clear_marks(wb)
    return save_copy(wb, source, out)
