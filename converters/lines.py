"""Whole lines that are neither data nor a project: 注 / 说明 under a table, a year on its own line.

Which lines these are is data (``labels.toml`` ``[lines]``: regular expressions on a line's text,
spaces removed, NFKC). A note ends the table above it (its words, 金额单位 or 其他资金, are not read
as labels or as an indicator row); a bracketed year (``（2024年度）`` under the title) gives the
budget year. Both are marked placed, so they are not listed as unrecognised.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..forms.values import nfkc, squeeze
from . import labels as L
from .shapes import Cell


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern]]:
    table = L.data().get("lines", {})
    return {kind: [re.compile(p) for p in pats] for kind, pats in table.items()}


def line_text(cells: list[Cell], i: int) -> str | None:
    """The text of the line ``cells[i]`` begins (None when it does not begin a line)."""
    c = cells[i]
    if i > 0 and cells[i - 1].line == c.line:
        return None
    out = []
    k = i
    while k < len(cells) and cells[k].line == c.line:
        out.append(cells[k].text)
        k += 1
    return squeeze(nfkc("".join(out)))


def kind_at(cells: list[Cell], i: int) -> str | None:
    """"notes" / "year" / … when ``cells[i]`` begins a line of that kind."""
    t = line_text(cells, i)
    if not t:
        return None
    for kind, pats in _patterns().items():
        if any(p.search(t) for p in pats):
            return kind
    return None


def note_lines(cells: list[Cell]) -> set[int]:
    """The line numbers of the 注 / 说明 lines (a table stops at them)."""
    return {cells[i].line for i in range(len(cells)) if cells[i].text and kind_at(cells, i) == "notes"}


def take(reader, i: int, kind: str) -> int:
    """Mark the line placed (a year sets the document's year); returns the index after it."""
    cells = reader.cells
    line = cells[i].line
    text = line_text(cells, i) or ""
    k = i
    while k < len(cells) and cells[k].line == line:
        cells[k].used = True
        k += 1
    if kind == "year":
        m = re.search(r"(20\d\d)", text)
        if m and reader.doc.year is None:
            reader.doc.year = int(m.group(1))
    else:
        reader.doc.notes.append((line, text))
    return k
