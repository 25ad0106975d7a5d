"""A PDF's text layer as the text importer reads it.

Tables are found by their ruling lines (pdfplumber) and become ``| a | b |`` rows, one per table row,
with a cell's wrapped lines joined again; the prose around them is re-joined where the page wrapped
it. A table printed *without* ruling lines has no rows to find: its cells wrap onto several lines,
a cell centred in a tall row sits between the lines of its neighbours, and the gap between two rows
is the gap between two lines of one cell. Read line by line it became indicators named after the
halves of words (“年度指”, “实际完”) or, in a 绩效文本, vanished without a word. Such a table is set
apart here (:func:`unruled_tables`), and the importer lists it instead of reading it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .where import Derived

_TOC_LINE = re.compile(r"(?:\.{4,}|…{2,}|·{4,})\s*\d+\s*$")  # a 目录 line: its dot leader and page
_PAGE_NUMBER = re.compile(r"^\s*[—–-]{1,2}\s*\d{1,4}\s*[—–-]{1,2}\s*$")
#: the footer jixiao's workbooks print (forms.printsetup): the unit's name, then 第 &P 页 共 &N 页
_SHEET_FOOTER = re.compile(r"[^|]{0,60}?第\s*\d{1,4}\s*页\s*[,，]?\s*共\s*\d{1,4}\s*页")
#: a gap between two characters of one line wider than this many character widths separates two cells
#: (a table cell's padding is two 0.19 cm margins, 10.8 pt, about one character); prose, numbers with a
#: space and a justified line stay well under it
CELL_GAP = 0.9
#: lines of three cells or more that make a page's text a table (a signature line 填表人 … 联系电话 …
#: 填表日期 … is one, a cover's 单位名称 … 二〇二五年 none)
TABLE_LINES = 3


class Unruled(NamedTuple):
    """A table printed without ruling lines: its first page (1-based) and its text lines, top to bottom."""

    page: int
    lines: list[str]
    #: the page it ends on (one it runs over)
    last: int = 0
    #: it runs to the foot of its page, and goes on at the top of the next
    open: bool = False


def pdf_lines(pdf) -> tuple[Derived, list[Unruled]]:
    """The text the importer reads (an open pdfplumber document), each line with where it is (第 3 页, 第 3
    页表 1 第 2 行), and the unruled tables left out of it."""
    lines: list[tuple[str, str]] = []
    unruled: list[Unruled] = []
    for number, page in enumerate(pdf.pages, 1):
        tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])  # by their ruling lines
        margins = _margins(page)
        at = f"第 {number} 页"
        # the text above, between and below the tables, each part by where its characters' middles are: a
        # line just under a table's last rule overlaps the rule and was dropped with the table, as was a
        # title between two tables
        above = 0.0
        for k, table in enumerate(tables, 1):
            region = _between(page, tables, above, table.bbox[1])
            lines += [(t, at) for t in _prose_lines(region, margins, number, unruled)]
            for r, row in enumerate(table.extract(), 1):
                # a PDF wraps CJK text anywhere: join a cell's lines again
                cells = [(c or "").replace("\n", "") for c in row]
                lines.append(("| " + " | ".join(cells) + " |", f"{at}表 {k} 第 {r} 行" if len(tables) > 1 else
                              f"{at}表格第 {r} 行"))
            above = max(above, table.bbox[3])
        region = _between(page, tables, above, page.height + 1)
        lines += [(t, at) for t in _prose_lines(region, margins, number, unruled)]
    # the footer's "— 3 —" is no content, nor a printed workbook's "滦平县信访局本级 第 2 页 共 7 页" (read as
    # an indicator row of the table it interrupts)
    return Derived((ln, at) for ln, at in lines if not _furniture(ln)), unruled


def _between(page, tables, top: float, bottom: float):
    """The page's text whose characters' middles lie between ``top`` and ``bottom`` and in no table."""
    boxes = [t.bbox for t in tables]

    def keep(obj) -> bool:
        if obj.get("object_type") != "char":
            return False
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return top <= y < bottom and not any(x0 <= x <= x1 and t <= y <= b for x0, t, x1, b in boxes)

    return page.filter(keep)


def _furniture(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line) or _SHEET_FOOTER.fullmatch(line.strip()))


def _margins(page) -> tuple[float, float]:
    """The left and right edges of the page's text (its type area)."""
    rows = page.extract_text_lines()
    return (min(r["x0"] for r in rows), max(r["x1"] for r in rows)) if rows else (0.0, 0.0)


def _prose_lines(region, margins: tuple[float, float], page: int, unruled: list[Unruled]) -> list[str]:
    """The region's text lines, with a paragraph's wrapped lines joined again; an unruled table in
    it goes to ``unruled`` instead.

    A PDF wraps prose at the right margin; read line by line, every wrap became a line break
    inside the imported 绩效目标 or 保障措施. A line that starts at the left margin right after
    a line that reached the right margin is the same paragraph (a new one is indented, or
    follows a line that ended short)."""
    rows = region.extract_text_lines()
    continued = bool(unruled) and unruled[-1].open and unruled[-1].page == page - 1
    first, last = unruled_span(rows, continued)
    if first is not None:
        table = [r["text"] for r in rows[first:last + 1] if not _furniture(r["text"])]
        foot = all(_furniture(r["text"]) for r in rows[last + 1:])
        if continued and first == 0:  # the rest of the table the page before ended with
            unruled[-1] = unruled[-1]._replace(lines=unruled[-1].lines + table, last=page, open=foot)
        else:
            unruled.append(Unruled(page, table, page, foot))
        return (_joined(rows[:first], margins) + _joined(rows[last + 1:], margins))
    return _joined(rows, margins)


def _joined(rows: list[dict], margins: tuple[float, float]) -> list[str]:
    left, right = margins
    out: list[str] = []
    prev = None
    for row in rows:
        size = _size(row)
        wide = right - left >= 15 * size  # a body of text, not a narrow column
        if (prev is not None and out and wide and row["x0"] <= left + size / 2 and prev["x1"] >= right - 2.5 * size
                and not any(_PAGE_NUMBER.match(t) or _TOC_LINE.search(t) for t in (prev["text"], row["text"]))):
            gap = " " if re.match(r"[A-Za-z0-9]", row["text"]) and re.search(r"[A-Za-z0-9,.;]$", out[-1]) else ""
            out[-1] += gap + row["text"]
        else:
            out.append(row["text"])
        prev = row
    return out


def _size(row: dict) -> float:
    return row["chars"][0]["size"] if row.get("chars") else 10.0


def cells(row: dict) -> int:
    """How many cells a text line's characters fall in: runs parted by gaps of a cell's padding."""
    chars = sorted((c for c in row.get("chars", ()) if c["text"].strip()), key=lambda c: c["x0"])
    size = _size(row)
    return 1 + sum(1 for a, b in zip(chars, chars[1:]) if b["x0"] - a["x1"] >= CELL_GAP * size) if chars else 0


def unruled_span(rows: list[dict], continued: bool = False) -> tuple[int | None, int | None]:
    """The first and last of ``rows`` (a region's text lines, top to bottom) that belong to a table
    without ruling lines, or (None, None). ``continued``: the page before ended inside one, so one
    line of three cells here is its rest.

    It runs from the first line of three cells to the last, and on over the lines next to it: each
    group of lines that touch (a row's wrapped cells: nearer than half a line) that is a row away and
    has two cells on a line (项目名称 and its value above, 总分 below)."""
    tabular = [i for i, r in enumerate(rows) if cells(r) >= 3 and not _furniture(r["text"])]
    if len(tabular) < (1 if continued else TABLE_LINES):
        return None, None
    groups = _touching(rows)
    at = {i: g for g, members in enumerate(groups) for i in members}
    first, last = at[tabular[0]], at[tabular[-1]]
    while first > 0 and _next_to(rows, groups[first - 1], groups[first]):
        first -= 1
    while last + 1 < len(groups) and _next_to(rows, groups[last + 1], groups[last]):
        last += 1
    return groups[first][0], groups[last][-1]


def _touching(rows: list[dict]) -> list[list[int]]:
    """``rows``' indices in runs of lines nearer each other than half a line (furniture alone)."""
    groups: list[list[int]] = []
    for i, row in enumerate(rows):
        if groups and not _furniture(row["text"]) and not _furniture(rows[i - 1]["text"]) \
                and row["top"] - rows[i - 1]["bottom"] < _size(row) / 2:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _next_to(rows: list[dict], group: list[int], table: list[int]) -> bool:
    """Whether the group of lines next to a group of the table's is in the table too."""
    if any(_furniture(rows[i]["text"]) for i in group):
        return False
    above = group[0] < table[0]
    near, far = (rows[group[-1]], rows[table[0]]) if above else (rows[table[-1]], rows[group[0]])
    gap = far["top"] - near["bottom"]
    return gap < 2 * _size(far) and max(cells(rows[i]) for i in group) >= 2
