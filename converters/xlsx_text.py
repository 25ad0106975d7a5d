"""A workbook that is not jixiao's own, as text the structural importer reads.

Counties have their targets and self-evaluations as Excel files too: an export of the 预算一体化
system, a county's own form, a table a colleague typed. Each visible sheet's rows become pipe rows
(``| a | b |``), as :mod:`.docx_text` does for a Word table: a merged cell's continuation cells are
empty, so the reader carries the value above down; a number is written as the cell shows it (``95%``
for 0.95 with a percent format, ``3309840`` not ``3309840.0``, to Excel's 15 digits), a date as 2025年3月31日. A hidden sheet,
row or column is not read (what a clerk sees is what is imported), nor is a jixiao workbook: that
needs no import.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from ..errors import UnreadableFile
from ..forms.grid import check_readable
from ..forms.layouts import META_SHEET
from .where import Derived


def own_workbook() -> UnreadableFile:
    """A jixiao unit or 自评表 workbook given to import: what to do with it instead."""
    return UnreadableFile("这是 jixiao 的工作簿，不需要导入",
                          "单位工作簿可直接用 jixiao validate / jixiao show 打开，自评表工作簿用 jixiao score")


def _number(value: float | int, number_format: str) -> str:
    # a float as Excel shows it, to 15 significant digits (0.1 + 0.2 in a formula's result is 0.3)
    d = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    if "%" in (number_format or ""):
        return f"{(d * 100).normalize():f}%"
    return f"{d.normalize():f}" if d != d.to_integral_value() else f"{d.to_integral_value():f}"


def cell_text(value, number_format: str = "General") -> str:
    """A cell's value as the sheet shows it, on one line of a pipe row."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return _number(value, number_format)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return f"{value.year}年{value.month}月{value.day}日"
    text = str(value).strip().replace("|", "｜")
    return "<br>".join(line.strip() for line in text.splitlines() if line.strip())


def _hidden_columns(ws) -> set[int]:
    """The sheet's hidden columns (an export's internal ids, a county's working columns), by number."""
    from openpyxl.utils import column_index_from_string

    out: set[int] = set()
    for key, dim in ws.column_dimensions.items():
        if dim.hidden:
            first = dim.min or column_index_from_string(key)
            out.update(range(first, (dim.max or first) + 1))
    return out


def xlsx_text(path: str | Path, active_only: bool = False) -> Derived:
    """The workbook's visible sheets as pipe rows, a blank line after each sheet, each row with where it sits
    (工作表“项目1”第 5 行) (``active_only``: the sheet it opens on, all a worksheet object pasted into Word
    shows)."""
    import openpyxl

    check_readable(path)  # a lock file, a .et, an encrypted or damaged file: said in Chinese
    try:
        with open(path, "rb") as fh:  # a file object: openpyxl refuses a name not ending .xlsx (--format xlsx)
            wb = openpyxl.load_workbook(fh, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad package
        raise UnreadableFile("无法读取工作簿：文件已损坏或不是 Excel 工作簿",
                             "请在 Excel 或 WPS 中打开它并“另存为”.xlsx 后再导入") from exc
    try:
        if META_SHEET in wb.sheetnames:
            raise own_workbook()
        if any(name.startswith(META_SHEET) for name in wb.sheetnames):  # _jixiao_summary: 汇总, 对比
            raise UnreadableFile("这是 jixiao 生成的汇总工作簿，不是单位的绩效目标表或自评表，不能导入",
                                 "请导入单位发布的 Word / PDF / Excel 绩效目标表或自评表")
        out: list[tuple[str, str]] = []
        for ws in [wb.active] if active_only else wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            hidden = _hidden_columns(ws)
            rows = [(row[0].row, [cell_text(c.value, c.number_format) for c in row if c.column not in hidden])
                    for row in ws.iter_rows() if row and not ws.row_dimensions[row[0].row].hidden]
            # every row as wide as the sheet's widest filled one: a row's empty cells keep their places, as
            # a Word table's do (井研's department subtotal “820-马踏镇部门 | 8827620.53” is then no indicator)
            width = max((max((k + 1 for k, t in enumerate(r) if t), default=0) for _, r in rows), default=0)
            for number, cells in rows:
                if any(cells):
                    out.append(("| " + " | ".join((cells + [""] * width)[:width]) + " |",
                                f"工作表“{ws.title}”第 {number} 行"))
            out.append(("", ""))
        return Derived(out)
    finally:
        wb.close()
