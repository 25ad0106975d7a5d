"""Money labels on one row, their amounts on the next (资金总额 | 其中：财政拨款 | 其他资金, then
120.00 | 100.00 | 20.00): the amounts are read by the column they stand under.

The field reader pairs a run of labels with the values after it from the end, which fits a label
column beside its values; a row of money labels over a row of amounts is the other way round, and
read that way gave the 资金总额 to 其他资金 and dropped the rest. The vertical stack (资金总额 on one
row, 120.00 on the next) already pairs as label and value.
"""

from __future__ import annotations

import re

from ..forms.values import nfkc
from .cellkinds import hits_of, money_field

_AMOUNT = re.compile(r"^[+-]?[\d,]+(?:\.\d+)?\s*(?:万元|元|万)?$|^[/—\-–]$")


def money_over_amounts(reader, run) -> int | None:
    """Read a row of ≥2 money labels and the row of amounts under it; None when the run is not that."""
    money = [(c, money_field(hits)) for c, hits in run if money_field(hits)]
    if len(money) < 2 or len({c.row for c, _ in money}) != 1:
        return None
    cells = reader.cells
    head = reader.row_cells(money[0][0])
    k = cells.index(head[-1]) + 1
    while k < len(cells) and not cells[k].text:
        k += 1
    if k >= len(cells):
        return None
    under = [c for c in reader.row_cells(cells[k]) if c.text]
    if not under or any(hits_of(c) or not _AMOUNT.match(nfkc(c.text).strip()) for c in under):
        return None
    by_col = {reader.column(c): c for c in under}
    placed = {f: by_col.get(reader.column(c)) for c, f in money}
    if any(v is None for v in placed.values()):  # not aligned (a text shape without columns): in order
        if len(under) != len(money):
            return None
        placed = {f: v for (_, f), v in zip(money, under)}
    form = reader.current()
    for f, v in placed.items():
        form.fields.setdefault(f, v.text.strip())
        v.used = True
        reader.doc.found.append(f)
    for c, _ in run:
        if c.row == money[0][0].row:
            c.used = True
    return cells.index(under[-1]) + 1
