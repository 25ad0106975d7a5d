"""The ``支出计划汇总`` sheet: the totals as live formulas in a copy of the unit workbook.

Formulas point at the project sheets' own cells (taken from the model's cell
locations), so the sheet follows the clerk's edits; LibreOffice's
recalculation of them agrees with :mod:`jixiao.totals.plan` to the cent (tested).
Written with openpyxl into a copy: the unit's workbook is never modified.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from decimal import Decimal
from typing import Any, Callable

from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..forms.layouts import PrintSetup
from ..forms.model import Loc, UnitWorkbook
from ..forms.printsetup import apply_openpyxl
from ..forms.values import percent_from_fraction
from ..profiles import Profile, profile_for
from .plan import MILESTONES, unit_schedule

SHEET = "支出计划汇总"
FIRST_ROW = 5  # first project row
#: The column of the chart data's labels (项目名称's); its numbers follow under 预算数 ….
CHART_COL = 3
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = Font(name="仿宋", size=11)
_BOLD = Font(name="宋体", size=11, bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _ref(loc: Loc | None) -> str | None:
    if loc is None:
        return None
    col = "".join(ch for ch in loc.cell if ch.isalpha())
    row = loc.cell[len(col):]
    return f"'{loc.sheet}'!${col}${row}"


def _read_as(ref: str | None, loc: Loc | None, read: Callable[[Loc], Any] | None, value: Decimal | None,
             fallback: Any) -> Any:
    """``=N(cell)`` where Excel's N() gives what jixiao read from the cell, else what jixiao read.

    N() of a cell typed as text (``50%``, full-width ``２０``) is 0, and of ``25%`` typed the Excel way
    0.25: the sheet said 累计 0.3 % and 其他资金 0.00 while ``jixiao totals`` said 25 % and 20.00. A
    fraction jixiao reads as percent is ``=N(cell)*100``; text is written as the number jixiao read.
    """
    if ref is None or loc is None:
        return fallback
    typed = read(loc) if read is not None else None
    if typed is None or isinstance(typed, bool):
        return f"=N({ref})"
    if isinstance(typed, (int, float)):
        if value is not None and value != Decimal(repr(typed)) and percent_from_fraction(Decimal(repr(typed))) == value:
            return f"=N({ref})*100"
        return f"=N({ref})"
    return float(value) if value is not None else 0.0


def _pct_col(i: int) -> int:
    return 7 + 2 * i  # G, I, K, M


@dataclass
class ScheduleTable:
    """The 支出计划汇总 sheet as rows of values and ``=`` formulas, with what styles it needs."""

    rows: list[list[Any]]  # from A1; None is an empty cell
    merges: list[tuple[int, int, int, int]]  # (row1, col1, row2, col2), 1-based
    header_rows: tuple[int, int]
    total_row: int
    target_row: int
    gap_row: int
    chart_row: int  # first row of the chart's data block
    last_col: int


def schedule_table(book: UnitWorkbook, profile: Profile, read: Callable[[Loc], Any] | None = None) -> ScheduleTable:
    """Projects × milestones with live formulas on the project cells, totals, 序时进度, gap
    (``read``: a cell's stored value, to tell where N() would not read what jixiao read)."""
    schedule = unit_schedule(book, profile)
    last_col = _pct_col(len(MILESTONES) - 1) + 1
    n = len(book.projects)
    last = FIRST_ROW + max(n, 1) - 1
    total, target, gap = last + 1, last + 2, last + 3
    data = gap + 2
    rows: list[list[Any]] = [[None] * last_col for _ in range(data + 2)]

    def put(r: int, c: int, v: Any) -> None:
        rows[r - 1][c - 1] = v

    merges = [(1, 1, 1, last_col)]
    put(1, 1, "支出计划汇总")
    put(2, 1, f"{book.unit.code or ''} {book.unit.name or ''}".strip())
    put(2, last_col, "单位：万元")
    for c, text in enumerate(["序号", "项目编码", "项目名称", "预算数", "财政资金", "其他资金"], start=1):
        merges.append((3, c, 4, c))
        put(3, c, text)
    for i, m in enumerate(MILESTONES):
        col = _pct_col(i)
        merges.append((3, col, 3, col + 1))
        put(3, col, m)
        put(4, col, "累计%")
        put(4, col + 1, "累计金额")
    for k, project in enumerate(book.projects):
        r = FIRST_ROW + k
        budget, fiscal, other = (_ref(project.loc(f)) for f in ("budget", "fiscal", "other"))
        code, name = _ref(project.loc("code")), _ref(project.loc("name"))
        put(r, 1, k + 1)
        put(r, 2, f'={code}&""' if code else project.code)
        put(r, 3, f'={name}&""' if name else project.name)
        put(r, 5, _read_as(fiscal, project.loc("fiscal"), read, project.fiscal, float(project.fiscal or 0)))
        put(r, 6, _read_as(other, project.loc("other"), read, project.other, float(project.other or 0)))
        put(r, 4, f"=IF(ISNUMBER({budget}),{budget},E{r}+F{r})" if budget else float(schedule.projects[k].budget))
        for i, m in enumerate(MILESTONES):
            col = _pct_col(i)
            pct = _ref(project.loc(f"plan.{m}"))
            put(r, col, _read_as(pct, project.loc(f"plan.{m}"), read, project.plan.get(m),
                                 float(schedule.projects[k].percent[m])))
            p = f"{get_column_letter(col)}{r}"
            put(r, col + 1, f"=IF({p}=100,D{r},ROUND(D{r}*{p}/100,2))")
    put(total, 1, "合计")
    merges.append((total, 1, total, 3))
    for c in (4, 5, 6):
        letter = get_column_letter(c)
        put(total, c, f"=SUM({letter}{FIRST_ROW}:{letter}{last})")
    put(target, 1, "序时进度")
    merges.append((target, 1, target, 6))
    put(gap, 1, "与序时进度差距（百分点）")
    merges.append((gap, 1, gap, 6))
    for i, m in enumerate(MILESTONES):
        col = _pct_col(i)
        p, a = get_column_letter(col), get_column_letter(col + 1)
        put(total, col, f"=IF(D{total}=0,0,SUMPRODUCT(D{FIRST_ROW}:D{last},{p}{FIRST_ROW}:{p}{last})/D{total})")
        put(total, col + 1, f"=SUM({a}{FIRST_ROW}:{a}{last})")
        put(target, col, float(schedule.target_percent[m]))
        put(gap, col, f"={p}{total}-{p}{target}")
    # labels in the wide 项目名称 column, numbers under 预算数 …: in column A (6 wide) the labels ran
    # into the numbers on the printout (“图表数据3月底”)
    put(data, CHART_COL, "图表数据")
    put(data + 1, CHART_COL, "计划累计%")
    put(data + 2, CHART_COL, "序时进度%")
    for i, m in enumerate(MILESTONES):
        put(data, CHART_COL + 1 + i, m)
        put(data + 1, CHART_COL + 1 + i, f"={get_column_letter(_pct_col(i))}{total}")
        put(data + 2, CHART_COL + 1 + i, f"={get_column_letter(_pct_col(i))}{target}")
    return ScheduleTable(rows, merges, (3, 4), total, target, gap, data, last_col)


CM_PER_ROW = 0.53  # a default 15 pt row


def fits_one_page(setup: PrintSetup, width: float, rows: int) -> bool:
    """Whether ``rows`` default-height rows of ``width`` character units fit one A4 page at fit-to-width scale."""
    left, right, top, bottom = setup.margins
    page_w, page_h = (11.69, 8.27) if setup.landscape else (8.27, 11.69)
    usable_w, usable_h = (page_w - left - right) * 72, (page_h - top - bottom) * 72  # points
    scale = min(1.0, usable_w / (width * 5.6 + 5))  # a character unit is about 7.5 px = 5.6 pt
    return rows * 15 * scale <= usable_h


def is_percent_col(col: int) -> bool:
    return col >= 7 and (col - 7) % 2 == 0


def write_schedule_sheet(ws: Worksheet, book: UnitWorkbook, profile: Profile) -> None:
    """Draw the table into an openpyxl sheet with styles, print setup, protection and a line chart."""
    def read(loc: Loc) -> Any:
        return ws.parent[loc.sheet][loc.cell].value if loc.sheet in ws.parent.sheetnames else None

    table = schedule_table(book, profile, read)
    for r, row in enumerate(table.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for r1, c1, r2, c2 in table.merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = _CENTER
    ws.cell(2, table.last_col).alignment = Alignment(horizontal="right")
    for row in ws.iter_rows(min_row=3, max_row=table.gap_row, max_col=table.last_col):
        for cell in row:
            cell.border = _BORDER
            cell.font = _BOLD if cell.row in (3, 4, table.total_row) else _FONT
            cell.alignment = _CENTER if cell.column != 3 else Alignment(vertical="center", wrap_text=True)
            if cell.column >= 4 and cell.row >= FIRST_ROW:
                cell.number_format = "0.0" if is_percent_col(cell.column) or cell.row > table.total_row else "0.00"
    widths = [6, 24, 22, 12, 12, 12] + [9, 12] * len(MILESTONES)
    for col, width in zip(range(1, table.last_col + 1), widths):
        ws.column_dimensions[get_column_letter(col)].width = width
    data = table.chart_row
    chart = LineChart()
    chart.title = "累计支出计划与序时进度"
    chart.y_axis.title = "%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    for row in ws.iter_rows(min_row=data, max_row=data + 2, min_col=CHART_COL, max_col=CHART_COL + len(MILESTONES)):
        for cell in row:
            cell.border, cell.font = _BORDER, _FONT
            cell.alignment = _CENTER
            if cell.row > data and cell.column > CHART_COL:
                cell.number_format = "0.0"
    last = CHART_COL + len(MILESTONES)
    chart.add_data(Reference(ws, min_col=CHART_COL, max_col=last, min_row=data + 1, max_row=data + 2),
                   from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=CHART_COL + 1, max_col=last, min_row=data))
    chart.height, chart.width = 7.5, 16
    ws.add_chart(chart, f"A{data + 4}")
    ws.freeze_panes = "D5"
    # the chart prints with the table: the print area runs to the rows the chart covers
    chart_rows = math.ceil(chart.height / CM_PER_ROW) + 1
    ws.print_area = f"A1:{get_column_letter(table.last_col)}{data + 4 + chart_rows}"
    setup = PrintSetup.for_width(sum(widths[:table.last_col]), repeat_rows=(3, 4))
    if not fits_one_page(setup, sum(widths[:table.last_col]), data + 4 + chart_rows):
        # the chart and its data start a page, so that no page break cuts the chart
        setup = dataclasses.replace(setup, breaks=(data,))
    apply_openpyxl(ws, setup, getattr(book.unit, "name", None))
    ws.protection.sheet = True
    ws.protection.set_password(profile.protection_password)


def write_totals_workbook(source: str | Path, out: str | Path, book: UnitWorkbook,
                          profile: Profile | None = None) -> Path:
    """Copy ``source`` to ``out`` with the ``支出计划汇总`` sheet added or refreshed."""
    from ..excel.zippatch import load_copy, save_copy

    profile = profile or profile_for(book)
    wb = load_copy(source, out)  # an .xlsm keeps its VBA and buttons
    index = len(wb.sheetnames)
    if SHEET in wb.sheetnames:
        index = wb.sheetnames.index(SHEET)
        del wb[SHEET]
    else:
        visible = [i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible"]
        index = visible[-1] + 1 if visible else index
    ws = wb.create_sheet(SHEET, index)
    write_schedule_sheet(ws, book, profile)
    return save_copy(wb, source, out, fresh=(SHEET,))  # the other sheets' formulas keep their results
