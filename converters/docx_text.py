"""A .docx that is not jixiao's own layout, as text the structural importer reads.

Paragraphs stay lines; each table row becomes one pipe row (``| a | b |``) in document order. A
horizontally merged cell (gridSpan) is one cell; a vertically merged continuation cell is empty, so
the reader carries the value above down, as it does for a web page; a table nested in a cell
follows the row it sits in. Text is read as Word shows it with revisions accepted (:mod:`.wordml`).
"""

from __future__ import annotations

from pathlib import Path

from .embedded import chunk_lines, objects, sheet_lines
from .where import Derived
from .wordml import W, blocks, cell_text, cells, paragraph_text, rows


def _text(tc) -> str:
    """The text of a cell's own paragraphs (not of tables nested in it), lines joined by <br>."""
    return "<br>".join(line.strip() for line in cell_text(tc).split("\n") if line.strip())


def _table(tbl, out: list[tuple[str, str]], numbered: list[int]) -> None:
    numbered[0] += 1
    number = numbered[0]
    for r, tr in enumerate(rows(tbl), 1):
        texts, nested = [], []
        for tc in cells(tr):
            pr = tc.find(f"{W}tcPr")
            vmerge = pr.find(f"{W}vMerge") if pr is not None else None
            continuation = vmerge is not None and vmerge.get(f"{W}val") in (None, "continue")
            texts.append("" if continuation else _text(tc).replace("|", "｜"))
            nested += [b for b in blocks(tc) if b.tag == f"{W}tbl"]
        out.append(("| " + " | ".join(texts) + " |", f"表 {number} 第 {r} 行"))
        for inner in nested:
            _table(inner, out, numbered)


def docx_text(path: str | Path, notes: list[str] | None = None) -> Derived | None:
    """The document as text (None when python-docx cannot open it), each line with where it sits (表 2 第 3
    行, counting tables in document order, a nested one too; 第 5 段); an Excel worksheet object pasted in
    is read where it sits (:mod:`.embedded`), and ``notes`` gets a line for each; so is an HTML part
    Word shows in place (``w:altChunk``, how web systems export "Word" documents)."""
    try:
        import docx

        doc = docx.Document(str(path))
    except Exception:  # noqa: BLE001 - the caller reports the original reason
        return None
    out: list[tuple[str, str]] = []
    found = 0
    paragraphs, tables = 0, [0]
    for el in blocks(doc.element.body, (f"{W}p", f"{W}tbl", f"{W}altChunk")):
        if el.tag == f"{W}altChunk":
            out += chunk_lines(doc, el)
        elif el.tag == f"{W}p":
            text = paragraph_text(el).strip()
            if text:
                paragraphs += 1
                out.append((text, f"第 {paragraphs} 段"))
            for rid in objects(el):
                found += 1
                out += sheet_lines(doc, rid, found, notes if notes is not None else [])
        elif el.tag == f"{W}tbl":
            _table(el, out, tables)
            out.append(("", ""))
    return Derived(out)
