"""Text shapes → one stream of cells, each with the line it came from.

Published forms reach us in many shapes (docs/forms/variants.md): Markdown pipe rows with or
without the leading pipe, one cell per line ending in ``|`` (as government sites render their
tables), tab-separated cells, cells separated by runs of spaces (``pdftotext -layout``), single
spaces, or text run together with no separators at all. The recogniser works on cells and labels,
not on positions, so every shape becomes the same thing: a list of :class:`Cell`.

A cell knows its line (for the list of unplaced lines), its *row* (the cells of one line of a
row-shaped text share a row number; a one-cell-per-line text gives every cell its own row), and
whether it was *glued*: cut out of run-together text at a label, where a value may still be stuck
to its neighbour (``安装坡面水标尺10≥266米``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..forms.values import KNOWN_UNITS, nfkc

_BR = re.compile(r"<br\s*/?>", re.I)
_RULE = re.compile(r"^:?-{2,}:?$")  # a Markdown |---|---| rule
_SPACES = re.compile(r"(?:\s{2,}|\u3000+)")
TOC_LINE = re.compile(r"(?:\.{4,}|…{2,}|·{4,})\s*\d*$")  # a 目录 entry's dot leaders and page number


def contents_rows(rows: list[list[str]]) -> bool:
    """Whether a table is a 目录 laid out as one (a Word TOC pasted as a table): every line an entry with
    its dot leader, and nothing else in it to import."""
    lines = [r for r in rows if any(c.strip() for c in r)]
    return bool(lines) and all(any(TOC_LINE.search(c.strip()) for c in r) for r in lines)


@dataclass(eq=False)  # cells are compared by identity: the same text recurs
class Cell:
    text: str
    line: int
    row: int
    glued: bool = False  # cut from run-together text: values may be stuck to names
    used: bool = False  # placed by the recogniser (what is left is listed as unplaced)
    spaced: bool = False  # cut at the spaces of a line without separators: a long text may go on in the next cells
    tabled: bool = False  # a cell of a line with separators (| or tab): a table's own cell, never page furniture

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<{self.line}:{self.text[:20]!r}>"


# the numbering a blank form prints before each indicator's name (指标1：, 指标2:)
NUMBERING = re.compile(r"指标\s*\d{1,2}\s*[:：]")


def split_line(line: str) -> tuple[list[str], bool]:
    """The cells of one line, and whether the line is a row of several cells (True) or one cell."""
    s = _BR.sub("\n", line).strip()
    if "\t" in s:
        parts = s.split("\t")
    elif "|" in s:
        parts = s.strip("|").split("|")
    elif _SPACES.search(s):
        parts = s.split() if re.search(r"[\u4e00-\u9fff]", s) else _SPACES.split(s)
    elif " " in s and re.search(r"[\u4e00-\u9fff]", s):
        parts = s.split(" ")
    else:
        parts = [s]
    cells = [p.strip() for p in parts]
    cells = [c for c in cells if not _RULE.match(c)]
    while cells and not cells[-1]:
        cells.pop()
    return cells, sum(1 for c in cells if c) >= 2


_FRAGMENT = re.compile(r"\S+(?: \S+)*")


def _fragments(line: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _FRAGMENT.finditer(line.replace("\u3000", "  "))]


def _soft(text: str) -> bool:
    """A piece of a wrapped cell: words only (a number, an operator or a 一级/二级 name starts a row)."""
    from .labels import level_of

    return not re.search(r"[\d%≥≤=<>＞＜]", text) and level_of(text) is None


def _is_label(text: str) -> bool:
    from .labels import level_of, lookup

    return bool(lookup(text)) or level_of(text) is not None


def _starts_label(text: str) -> bool:
    """The first characters of a label (本年度绩效 of 本年度绩效目标): a row's first cell, not a wrapped piece."""
    from .labels import index, norm

    t = norm(text)
    return len(t) >= 3 and any(k.startswith(t) for k in index())


def join_layout(text: str) -> str:
    """``pdftotext -layout`` text: cells are runs of text two spaces apart, and a long cell wraps onto
    the next lines at its own column. The wrapped pieces are joined back into their cells (a line of
    fewer pieces, words only, each under a cell of the row above), rows written tab-separated; line
    numbers stay (a joined line is left empty)."""
    lines = text.splitlines()
    out = list(lines)
    prev: list[list] | None = None  # the row being built: [start, text] per cell
    prev_at = -1
    for k, line in enumerate(lines):
        if "|" in line or "\t" in line or not line.strip():
            prev = None
            continue
        frags = _fragments(line)
        several = len(frags) >= 2 and re.search(r"\S {2,}\S", line)
        if prev is not None and len(frags) < len(prev) and all(_soft(t) for _, t in frags):
            starts = [c[0] for c in prev]
            homes = [min(range(len(starts)), key=lambda j: abs(starts[j] - x)) for x, _ in frags]
            if all(abs(starts[h] - x) <= 3 for h, (x, _) in zip(homes, frags)) and len(set(homes)) == len(homes) \
                    and not any(_starts_label(t) and not _is_label(prev[h][1] + t) for h, (_, t) in zip(homes, frags)):
                for h, (_, t) in zip(homes, frags):
                    prev[h][1] += t
                out[prev_at] = "\t".join(c[1] for c in prev)
                out[k] = ""
                continue
        if several:
            prev, prev_at = [[x, t] for x, t in frags], k
            out[k] = "\t".join(t for _, t in frags)
        else:
            prev = None
    return "\n".join(out)


def cells_of(text: str, splitter=None) -> list[Cell]:
    """Every non-empty cell of ``text`` in reading order. ``splitter`` cuts run-together text at
    labels (the recogniser passes its label index); long cells of lines without separators go to it."""
    out: list[Cell] = []
    row = 0
    layout = sum(1 for line in text.splitlines() if re.search(r"\S {2,}\S", line) and "|" not in line)
    if layout >= 3:
        text = join_layout(text)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        structured = "|" in raw or "\t" in raw
        if not structured and TOC_LINE.search(raw.strip()):  # one cell: a 目录 line, never a form's title
            row += 1
            out.append(Cell(raw.strip(), number, row))
            continue
        parts, _ = split_line(raw)
        spaced = not structured and len(parts) > 1
        if structured and not any(parts):  # a line of pipes: that many empty cells
            parts = [""] * max(1, raw.count("|") - (1 if raw.strip().startswith("|") and len(raw.strip()) > 1 else 0))
        row += 1
        for part in parts:
            if not part:
                if structured:  # an empty cell keeps its place (a merged or blank cell of the form)
                    out.append(Cell("", number, row, used=True))
                continue
            if splitter is not None and not structured and len(part) >= 8:
                pieces = splitter(re.sub(r"^\d{1,2}、(?=\S)", "", part))  # a sharing site's page number
                if len(pieces) > 1 and NUMBERING.fullmatch(pieces[0]):
                    # the blank form's “指标1:” before a name that holds a label (指标1:服务对象满意度): one cell
                    pieces[:2] = [pieces[0] + pieces[1]]
                if len(pieces) > 1 or len(part) > 60:
                    for piece in pieces:
                        out.append(Cell(piece, number, row, glued=True, spaced=spaced))
                    continue
            out.append(Cell(part, number, row, spaced=spaced, tabled=structured))
    return out


# --- values stuck to names in run-together text --------------------------------------------

_UNITS = "|".join(re.escape(u) for u in sorted(KNOWN_UNITS, key=len, reverse=True) if u != "%")
_TOKEN = re.compile(rf"(?P<value>[≥≤=<>±]?\d+(?:\.\d+)?(?:%|(?:{_UNITS})|(?![是否])[\u4e00-\u9fff]{{1,2}}(?=[≥≤=<>±\d]|$))?)"
                    r"|(?P<pct>%)|(?P<text>[^\d≥≤=<>±%]+)")


def unglue(text: str, starts: tuple[str, ...] = ()) -> list[str]:
    """``安装坡面水标尺10≥266米≥266米10`` → name, 10, ≥266米, ≥266米, 10 (best effort).

    ``starts`` are words that begin a description column (``反映…``): text is cut before them. A text
    printed twice (target and actual run together: ``显著提升显著提升``) is cut in two."""
    out: list[str] = []
    for m in _TOKEN.finditer(nfkc(text)):
        tok = m.group(0).strip()
        if not tok:
            continue
        if m.group("text"):
            if out and re.search(r"\d$", out[-1]) and tok[0] in "是否" and len(tok) > 1:
                out.append(tok[0])  # a 是/否 column stuck to the next row's name
                tok = tok[1:]
            for word in starts:
                k = tok.find(word)
                if k > 0:
                    out.append(tok[:k])
                    tok = tok[k:]
            half = len(tok) // 2
            if len(tok) % 2 == 0 and half >= 2 and tok[:half] == tok[half:]:
                out += [tok[:half], tok[half:]]
                continue
            if len(tok) >= 5 and tok[-1] == tok[-2] and "\u4e00" <= tok[-1] <= "\u9fff":
                out += [tok[:-2], tok[-1], tok[-1]]  # 合规性好好: target 好 and actual 好 run together
                continue
        if re.fullmatch(r"0\d.*", tok):  # a number never starts with 0: "0100%" is 0 and 100%
            out += ["0", tok[1:]]
            continue
        out.append(tok)
    return out or [text]
