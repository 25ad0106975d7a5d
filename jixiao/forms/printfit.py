"""How tall a row must be to print its text, and which rows of a filled workbook are too short.

Excel and LibreOffice do not grow a row for wrapped text in a merged cell (the 绩效目标 B8:G8, the
资金用途, the 依据 F:G), and a row with a fixed height grows for nothing. A clerk who types a long
绩效目标 into the template sees it cut off on paper, on the screen too if the cell is not selected.
jixiao's own writer sizes rows from their text (:mod:`.template`); for a workbook the clerk filled,
:func:`cramped_rows` names the rows that need more height than the form gives them, from the model
and the layout alone. The adapters that write a copy (``--fix``, ``--annotate``, the 校验 button)
set those rows' heights; ``jixiao validate`` compares them with the file's own heights and says so.

>>> text_height("一二三四五", 11)  # 10 width units in 10 usable: one line
18.5
>>> text_height("一二三四五六", 11)  # 12 units: two lines
33.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

from .a1 import parse_a1, parse_range
from .layouts import SheetLayout, forms_of
from .model import Located, UnitWorkbook

LINE_HEIGHT = 14.5  # points per line of 11 pt 仿宋
#: a row up to half a line shorter than the estimate still shows its text (the estimate is generous:
#: two lines of 11 pt are drawn in a 30 pt row)
SLACK = LINE_HEIGHT / 2


def text_height(text: str | None, width: float) -> float:
    """Row height (points) that shows ``text`` wrapped in a column ``width`` characters wide.

    A CJK character is two width units, anything else 1.1.
    """
    if not text:
        return 0.0
    usable = max(width - 1.0, 2.0)
    lines = 0
    for line in str(text).split("\n"):
        units = sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in line)
        lines += max(1, math.ceil(units / usable))
    return lines * LINE_HEIGHT + 4


def span_width(layout: SheetLayout, ref: str) -> float:
    """The width (characters) of a cell or merged range on the layout's columns."""
    _, c1, _, c2 = parse_range(ref)
    return sum(layout.widths[c - 1] for c in range(c1, c2 + 1) if c - 1 < len(layout.widths))


@dataclass(frozen=True)
class Cramped:
    """A row whose text needs ``needed`` points where the form gives it ``given``."""

    sheet: str
    row: int
    needed: float
    given: float
    label: str  # what is long, as the form names it (绩效目标, 指标值确定依据 …)


def fits(needed: float, height: float) -> bool:
    """Whether a row ``height`` points tall shows text that needs ``needed``."""
    return needed <= height + SLACK


def cramped_rows(book: UnitWorkbook) -> list[Cramped]:
    """The rows of ``book``'s sheets whose text would be cut off at the form's row height, one per row
    (the tallest need), in sheet and row order.

    Only rows Excel does not fit by itself count: a field, or a merged column of a table; a single
    cell of a table whose rows fit their text (``fit_rows``) grows in Excel as it is typed.
    """
    forms = forms_of(book)
    sheets: list[tuple[SheetLayout, Located | None]] = [(forms.unit, book.unit), (forms.department, book.department)]
    if book.overall is not None:
        sheets.append((forms.overall, book.overall))
    sheets += [(forms.project, p) for p in book.projects]
    by_sheet: dict[str, dict[int, Cramped]] = {}  # in the workbook's order of sheets, then by row
    for layout, obj in sheets:
        if obj is None:
            continue
        for c in _needs(layout, obj):
            rows = by_sheet.setdefault(c.sheet, {})
            if c.row not in rows or c.needed > rows[c.row].needed:
                rows[c.row] = c
    return [rows[r] for rows in by_sheet.values() for r in sorted(rows)]


def _needs(layout: SheetLayout, obj: Located) -> Iterator[Cramped]:
    for f in layout.fields:
        r1, _, r2, _ = parse_range(f.ref)
        if f.kind != "text" or r1 != r2:
            continue
        given = max(layout.heights.get(r1, 0.0), f.height or 0.0)
        yield from _one(obj, f.name, f.label, span_width(layout, f.ref), given)
    for block in layout.blocks:
        given = block.row_height or 0.0
        for item in getattr(obj, block.name, None) or []:
            if not isinstance(item, Located):
                continue
            for col in block.columns:
                if col.kind != "text" or (block.fit_rows and col.span == 1):
                    continue
                width = sum(layout.widths[col.index - 1:col.index - 1 + col.span])
                yield from _one(item, col.name, col.label, width,
                                max(given, layout.heights.get(_row_of(item, col.name) or 0, 0.0)))


def _one(obj: Located, name: str, label: str, width: float, given: float) -> Iterator[Cramped]:
    value = getattr(obj, name, None)
    text = value if isinstance(value, str) else obj.raw.get(name)
    loc = obj.cells.get(name)
    if not text or loc is None or not given:
        return
    needed = text_height(text, width)
    if not fits(needed, given):
        yield Cramped(loc.sheet, parse_a1(loc.cell)[0], needed, given, label)


def _row_of(obj: Located, name: str) -> int | None:
    loc = obj.cells.get(name)
    return parse_a1(loc.cell)[0] if loc is not None else None


def short_rows(path: str, book: UnitWorkbook) -> list[Cramped]:
    """The :func:`cramped_rows` of ``book`` that the workbook at ``path`` (the file it was read from) leaves
    too short, each with ``given`` the height the file gives it."""
    from .cellscan import DEFAULT_ROW_HEIGHT, file_row_heights

    cramped = cramped_rows(book)
    if not cramped:
        return []
    wanted: dict[str, set[int]] = {}
    for c in cramped:
        wanted.setdefault(c.sheet, set()).add(c.row)
    heights = file_row_heights(path, wanted)
    out = []
    for c in cramped:
        height = heights.get((c.sheet, c.row))
        height = DEFAULT_ROW_HEIGHT if height is None else height
        if not fits(c.needed, height):
            out.append(Cramped(c.sheet, c.row, c.needed, height, c.label))
    return out


def new_heights(rows: list[Cramped]) -> dict[str, dict[int, float]]:
    """sheet → {row → points}: the heights that make ``rows`` show their text (whole points, rounded up)."""
    out: dict[str, dict[int, float]] = {}
    for c in rows:
        out.setdefault(c.sheet, {})[c.row] = float(math.ceil(c.needed))
    return out


def describe(c: Cramped) -> str:
    """One line for the clerk: where, what, and how tall the row is and must be."""
    return f"[{c.sheet}] 第 {c.row} 行（{c.label}）：文字需要约 {math.ceil(c.needed)} 磅行高，现为 {c.given:g} 磅"

