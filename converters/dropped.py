"""Columns a published table has and the model has no place for (责任科室, 资金来源说明 …).

A header cell that names no model field (no label in ``labels.toml``) still heads a column: its
cells are read into that column, so they do not shift into the next row's 三级指标, and each is named
in the import report — which column, which row, what it said — instead of vanishing with the rest of
its (imported) row.
"""

from __future__ import annotations

from ..forms.values import squeeze
from .cellkinds import NUMBERISH, hits_of, levels
from .shapes import Cell

PREFIX = "?"  # a column key "?责任科室": the printed label of a column with no model field


def unknown_header_cells(reader, run) -> list[Cell]:
    """The cells after a header run on the header's own row that are labels of no field: short text,
    no number, no 一级/二级 name."""
    last = run[-1][0]
    row = reader.row_cells(last)
    after = row[row.index(last) + 1:]
    out = []
    for c in after:
        t = squeeze(c.text)
        if not t:
            out.append(c)  # a blank header cell keeps its column
            continue
        if hits_of(c) or NUMBERISH.match(t) or levels(t)[0] or len(t) > 12:
            return []  # not a header cell after all: leave the row as it was read
        out.append(c)
    while out and not out[-1].text:
        out.pop()
    return out


def columns_for(cells: list[Cell]) -> list[tuple[Cell, str]]:
    return [(c, PREFIX + c.text.strip() if c.text.strip() else "") for c in cells]


def report_column(reader, label: str, cell: Cell) -> None:
    reader.doc.dropped.append((label, cell.line, cell.text.strip()))
    cell.used = True


def report_rows(reader, rows: list[dict]) -> None:
    for r in rows:
        for key, text in list(r.items()):
            if isinstance(key, str) and key.startswith(PREFIX):
                reader.doc.dropped.append((key[len(PREFIX):], r.get("line"), str(text).strip()))
                del r[key]


def messages(dropped: list[tuple[str, int | None, str]], remark: bool = False) -> list[tuple[str, int | None]]:
    """One report line per column: 第 6 行起“责任科室”一栏（第 6 行“科教股”、第 7 行“计财股”）工作簿没有这一栏，未导入;
    ``remark``: the form has a 备注 column the clerk may copy it into (said only then)."""
    by_label: dict[str, list[tuple[int | None, str]]] = {}
    for label, line, text in dropped:
        if text:
            by_label.setdefault(label, []).append((line, text))
    out = []
    for label, cells in by_label.items():
        shown = "、".join(f"第 {line} 行“{text[:24]}”" for line, text in cells[:6])  # a 21-character 项目编码 whole
        more = f"等 {len(cells)} 行" if len(cells) > 6 else ""
        first = cells[0][0]
        out.append((f"第 {first} 行起“{label}”一栏（{shown}{more}）：工作簿没有这一栏，未导入，请核对原文"
                    + ("（需要保留的内容可抄入备注）" if remark else ""), first))
    return out
