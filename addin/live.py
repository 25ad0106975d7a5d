"""A workbook open in Excel, through the xlwings Book/Range API only.

The same code runs in desktop Excel (RunPython, ``xw.Book.caller()``), in
xlwings Server and xlwings Lite (the remote engine, whose writes are recorded
as actions). Reading takes one bulk read per sheet. Engines that cannot read a
fill colour back (the remote one) are why clearing marks restores each marked
cell's look from the layout instead of from what was there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..checks.annotate import FILLS, MARK_SHEET, RESULT_SHEET
from ..forms.grid import Grid, SheetData
from ..checks.issues import ERROR, SEVERITY_ZH, FileReport, Issue
from ..forms.layouts import (
    META_SHEET, PROJECT_MASTER_SHEET, PROJECT_SHEET_PREFIX, form_set_from_meta, is_input_cell, layout_of_sheet,
)
from ..forms.model import UnitWorkbook
from ..profiles import profile_for
from ..forms.reader import read_grid
from ..forms.template import INPUT_FILL
from ..forms.values import EXCEL_ERRORS

_PROJECT_SHEET = re.compile(rf"^{PROJECT_SHEET_PREFIX}(\d+)$")
RESULT_HEADERS = ["序号", "严重程度", "代码", "工作表", "单元格", "字段", "值", "说明", "修正建议"]


def hex_color(argb: str) -> str:
    return "#" + argb[-6:]


def sheet_values(sheet: Any) -> list[list[Any]]:
    """All of a sheet's values from A1, in one read."""
    last = sheet.used_range.last_cell
    value = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return value or []


def sheet_data(sheet: Any) -> SheetData:
    """A sheet's values in one read, error values (``#REF!``) kept apart as the file engines keep them:
    an error in a money cell is a finding (JX-L05), never a blank."""
    last = sheet.used_range.last_cell
    rows = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value or []
    errors: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if isinstance(v, str) and v in EXCEL_ERRORS:
                errors[(r, c)] = v
                row[c - 1] = None
    return SheetData(sheet.name, rows, errors=errors)


def book_grid(book: Any) -> Grid:
    """A live book as a :class:`~jixiao.forms.grid.Grid`; each sheet is read once, when first needed."""
    names = [s.name for s in book.sheets]
    return Grid(names, lambda name: sheet_data(book.sheets[name]), source=book.name)


def read_book(book: Any) -> UnitWorkbook:
    return read_grid(book_grid(book))


def _note(rng: Any, text: str | None) -> None:
    """Replace a cell's note; engines without notes (older clients) keep the fill and the list only."""
    try:
        existing = rng.note
        if existing is not None:
            existing.delete()
        if text:
            rng.add_note(text)
    except NotImplementedError:
        pass


def clear_marks(book: Any) -> int:
    """Undo the marks jixiao made: fills back to the template's, notes removed, result sheet removed."""
    names = [s.name for s in book.sheets]
    restored = 0
    if MARK_SHEET in names:
        meta = read_book_meta(book)
        forms = book_forms(book, meta)
        marks = book.sheets[MARK_SHEET]
        for (ref,) in (r for r in sheet_values(marks) if r and r[0]):
            sheet_name, _, cell = str(ref).rpartition("!")
            if sheet_name not in names:
                continue
            rng = book.sheets[sheet_name][cell]
            layout = layout_of_sheet(sheet_name, meta, forms)
            input_cell = layout is not None and is_input_cell(layout, rng.row, rng.column)
            rng.color = INPUT_FILL if input_cell else None
            _note(rng, None)
            restored += 1
        marks.clear_contents()
    if RESULT_SHEET in names:
        book.sheets[RESULT_SHEET].delete()
    return restored


def read_book_meta(book: Any) -> tuple[str, ...]:
    """The milestones recorded in the book's _jixiao sheet (they decide the project layout)."""
    for row in sheet_values(book.sheets[META_SHEET]):
        if row and row[0] == "milestones" and row[1]:
            return tuple(str(row[1]).split("|"))
    return ("3月底", "6月底", "10月底")


def book_forms(book: Any, milestones: tuple[str, ...]):
    """The forms the book was drawn from, as its _jixiao sheet records them (a county's own travel in it)."""
    meta = {str(row[0]): str(row[1]) for row in sheet_values(book.sheets[META_SHEET])
            if row and len(row) > 1 and row[0] and row[1] is not None}
    return form_set_from_meta(meta, milestones)


def mark(book: Any, issues: list[Issue]) -> list[str]:
    """Fill and note each finding's cell; returns the marked cells as ``sheet!cell``."""
    names = {s.name for s in book.sheets}
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.sheet in names and issue.cell:
            by_cell[(issue.sheet, issue.cell)].append(issue)
    marked = []
    for (sheet, cell), found in by_cell.items():
        rng = book.sheets[sheet][cell]
        severity = ERROR if any(i.severity == ERROR for i in found) else "warning"
        rng.color = hex_color(FILLS[severity])
        _note(rng, "\n".join(f"[{i.code} {SEVERITY_ZH[i.severity]}] {i.message}" for i in found))
        marked.append(f"{sheet}!{cell}")
    if MARK_SHEET in names:
        sheet = book.sheets[MARK_SHEET]
    else:
        sheet = book.sheets.add(MARK_SHEET, after=book.sheets[len(book.sheets) - 1])
        sheet.visible = False
    if marked:
        sheet["A1"].value = [[m] for m in marked]
    return marked


def fit_rows(book: Any, model: UnitWorkbook) -> list[str]:
    """Make every row whose text the form's height would cut tall enough to print it (Excel sizes no
    merged cell); returns them as ``sheet!row``. The remote engines cannot read a row's height, so each
    such row is set to what its text needs, whatever it is now: never shorter than the text."""
    from ..forms.printfit import cramped_rows, new_heights

    names = {s.name for s in book.sheets}
    done = []
    for sheet, rows in new_heights(cramped_rows(model)).items():
        if sheet not in names:
            continue
        for row, height in rows.items():
            book.sheets[sheet].range(f"A{row}").row_height = height
            done.append(f"{sheet}!{row}")
    return done


def result_rows(report: FileReport) -> list[list[Any]]:
    rows: list[list[Any]] = [[f"校验结果：{report.errors} 个错误，{report.warnings} 个提示"
                              f"{'（错误须修改后再提交）' if report.errors else '（可以提交）'}"] + [None] * 8,
                             RESULT_HEADERS]
    for n, issue in enumerate(report.issues, start=1):
        fix = issue.fix.get("description") if issue.fix else None
        rows.append([n, SEVERITY_ZH[issue.severity], issue.code, issue.sheet, issue.cell, issue.field,
                     issue.value, issue.message, fix])
    return rows


def write_results(book: Any, report: FileReport) -> Any:
    """The 校验结果 sheet: one write for the table, a link per finding."""
    sheet = book.sheets.add(RESULT_SHEET, before=book.sheets[0])
    # values that start with "=" would become formulas: write them as text
    rows = [[("'" + v) if isinstance(v, str) and v.startswith("=") else v for v in row]
            for row in result_rows(report)]
    sheet["A1"].value = rows
    for n, issue in enumerate(report.issues, start=3):
        if issue.sheet and issue.cell:
            sheet[f"E{n}"].add_hyperlink(f"#'{issue.sheet}'!{issue.cell}", issue.cell, "转到问题单元格")
    sheet.activate()
    return sheet


def project_sheets(book: Any) -> list[tuple[int, str]]:
    found = []
    for s in book.sheets:
        m = _PROJECT_SHEET.match(s.name)
        if m:
            found.append((int(m.group(1)), s.name))
    return sorted(found)


def add_project(book: Any) -> str:
    """Copy the hidden master 项目模板 after the last project sheet as 项目N+1, visible.

    The copy keeps the master's protection, so nothing needs unprotecting; the
    workbook structure is left open by the template for this.
    """
    existing = project_sheets(book)
    number = existing[-1][0] + 1 if existing else 1
    after = book.sheets[existing[-1][1]] if existing else book.sheets[PROJECT_MASTER_SHEET]
    name = f"{PROJECT_SHEET_PREFIX}{number}"
    new = book.sheets[PROJECT_MASTER_SHEET].copy(after=after, name=name)
    new.visible = True
    new.activate()
    return name


def profile_of(book_model: UnitWorkbook):
    return profile_for(book_model)


def folder_of(book: Any) -> Path:
    """The folder of the workbook's file; a remote book (xlwings Server, Lite) has none: it is only a name,
    and its "folder" would be the server's working directory, where nothing of the clerk's belongs."""
    full = Path(book.fullname)
    if not full.is_absolute():
        raise FileNotFoundError(f"工作簿 {book.name} 不在本机的文件夹中")
    return full.parent
