"""A .docx that is not jixiao's own layout, as text the structural importer reads.

Paragraphs stay lines; each table row becomes one pipe row (``| a | b |``) in document order. A
horizontally merged cell (gridSpan) is one cell; a vertically merged continuation cell is empty, so
the reader carries the value above down, as it does for a web page; a table nested in a cell
follows the row it sits in.
"""

from __future__ import annotations

from pathlib import Path

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(el) -> str:
    """The text of a cell's own paragraphs (not of tables nested in it), lines joined by <br>."""
    lines = []
    for p in el.iterchildren(f"{W}p"):
        lines.append("".join(t.text or "" for t in p.iter(f"{W}t")))
    return "<br>".join(line.strip() for line in lines if line.strip())


def _table(tbl, out: list[str]) -> None:
    for tr in tbl.iterchildren(f"{W}tr"):
        cells, nested = [], []
        for tc in tr.iterchildren(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            vmerge = pr.find(f"{W}vMerge") if pr is not None else None
            continuation = vmerge is not None and vmerge.get(f"{W}val") in (None, "continue")
            cells.append("" if continuation else _text(tc).replace("|", "｜"))
            nested += list(tc.iterchildren(f"{W}tbl"))
        out.append("| " + " | ".join(cells) + " |")
        for inner in nested:
            _table(inner, out)


def docx_text(path: str | Path) -> str | None:
    """The document as text (None when python-docx cannot open it)."""
    try:
        import docx

        doc = docx.Document(str(path))
    except Exception:  # noqa: BLE001 - the caller reports the original reason
        return None
    out: list[str] = []
    for el in doc.element.body.iterchildren():
        if el.tag == f"{W}p":
            text = "".join(t.text or "" for t in el.iter(f"{W}t")).strip()
            if text:
                out.append(text)
        elif el.tag == f"{W}tbl":
            _table(el, out)
            out.append("")
    return "\n".join(out)
