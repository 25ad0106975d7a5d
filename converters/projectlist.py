"""A list of projects, one row each: 项目名称 | 资金总额 | 财政拨款 | 其他资金 | 年度绩效目标 (a 汇总表).

The indicator-bearing list (井研: the project's fields on its first indicator row) is read by
:func:`.indicators.read`; this is the list with no indicator columns at all, where
each row is one project and the cells are read by the column they stand in. A 合计 row ends it
(its amounts are the list's totals, not a project); 序号 cells are furniture. A column whose label
names no project field is reported (:mod:`.dropped`), never silently dropped.
"""

from __future__ import annotations

import re

from ..forms.values import squeeze
from . import labels as L
from .cellkinds import NUMBERISH, hits_of
from .dropped import report_column

LIST_FIELDS = ("name", "code", "budget", "fiscal", "other", "goals", "purpose", "department", "implementer")
_MONEY = ("budget", "fiscal", "other")
_NUMBER = re.compile(r"^\d{1,3}$")


def _field(hits) -> str | None:
    return next((h.field for h in hits if h.group == "project" and h.field in LIST_FIELDS), None)


def is_list_header(reader, run) -> bool:
    """项目名称 first, at least two money / goal columns after it on the same row, no indicator column."""
    if not run or _field(run[0][1]) != "name":
        return False
    row = [c for c in reader.row_cells(run[0][0]) if c.text]
    fields = [_field(hits_of(c)) for c in row]
    indicator = any(h.group == "indicator" for c in row for h in hits_of(c))
    unlabelled = [c for c in row if not hits_of(c) and squeeze(c.text) != "序号"]
    # 项目名称 | 高素质农民培训 | 资金总额 | 120: label and value pairs, not a header (a number in it, or as many
    # unlabelled cells as labels)
    return not indicator and sum(1 for f in fields if f in _MONEY + ("goals",)) >= 2 \
        and not any(NUMBERISH.match(c.text.strip()) for c in row) and len(unlabelled) * 2 < len(row)


def _is_total(text: str) -> bool:
    return L.norm(text) in {L.norm(x) for x in L.data()["furniture"]["totals"]} or squeeze(text) in ("小计", "总计")


def read(reader, run) -> int:
    """Read the list under ``run``; returns the index after it."""
    cells = reader.cells
    head_row = run[0][0].row
    header = [c for c in reader.row_cells(run[0][0])]
    columns: dict[int, str | None] = {}
    for c in header:
        if not c.text:
            continue
        col = reader.column(c)
        f = _field(hits_of(c))
        columns[col] = f
        c.used = True
        if f is None and squeeze(c.text) != "序号":
            columns[col] = "?" + c.text.strip()  # a column the model has no field for: reported per row
    reader.doc.tables += 1
    reader.doc.found.append("项目清单")
    i = cells.index(header[-1]) + 1
    first, count = True, 0
    while i < len(cells):
        row = reader.row_cells(cells[i])
        if row[0].row == head_row or reader.title_like(row[0]):
            break
        by_col = {reader.column(c): c for c in row if c.text}
        name_col = next(k for k, f in columns.items() if f == "name")
        name = by_col.get(name_col)
        if name is None and not by_col:
            i = cells.index(row[-1]) + 1
            continue
        texts = [c.text for c in by_col.values()]
        if any(_is_total(t) for t in texts):
            for c in by_col.values():
                c.used = True
            reader.doc.list_totals.append((row[0].line, {columns[k]: c.text.strip() for k, c in by_col.items()
                                                         if columns.get(k) in _MONEY}, count))
            i = cells.index(row[-1]) + 1
            break
        if name is None or hits_of(name) or not any(columns.get(k) in _MONEY for k in by_col):
            break  # not a project row: the list has ended
        form = reader.current()
        if not first or form.has_content():
            form = reader.new_form(name.line)
        first, count = False, count + 1
        for k, c in by_col.items():
            f = columns.get(k)
            if f is None and k not in columns:
                continue  # a cell outside the header's columns: left for the unplaced list
            if f is None:  # 序号
                c.used = bool(_NUMBER.match(c.text.strip()))
                continue
            if f.startswith("?"):
                report_column(reader, f[1:], c)
                continue
            if f in _MONEY and not NUMBERISH.match(c.text.strip()):
                continue
            form.fields.setdefault(f, c.text.strip())
            c.used = True
        i = cells.index(row[-1]) + 1
    return i


def total_row(reader, cell, places: dict[int, str], count: int) -> int:
    """The 合计 row of a list whose projects carry indicator rows (read by :func:`.indicators.read`):
    its money, by column, checked against the ``count`` projects above it as :func:`read` checks a list
    without indicators. Returns the index after the row."""
    row = reader.row_cells(cell)
    printed = {}
    for c in row:
        field = places.get(reader.column(c))
        if c.text.strip() and (c is cell or NUMBERISH.match(c.text.strip())):
            c.used = True
            if field in _MONEY:
                printed[field] = c.text.strip()
    if printed and count:
        reader.doc.list_totals.append((cell.line, printed, count))
    return reader.cells.index(row[-1]) + 1
