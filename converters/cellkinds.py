"""What a cell of a published form can be: a taxonomy level, an operator, a number, a name; which
column of an indicator table would take it. Used by :mod:`.recognise` to read rows by what each column
accepts, so a merged cell a web page or a PDF dropped does not shift the others."""

from __future__ import annotations

import re

from ..forms.values import KNOWN_UNITS, nfkc, squeeze
from . import labels as L
from .shapes import Cell

OPERATOR = re.compile(r"^(≥|≤|=|>|<|＞|＜|≧|≦|═|定性|定量|定性指标|定量指标)$")
NUMBERISH = re.compile(r"^[+-]?[\d,]+(?:\.\d+)?\s*(?:%|分|万元|元|万)?$|^[/—\-–]$")
VALUEISH = re.compile(r"^[≥≤=<>＞＜±]?\s*\d")
ENUM = re.compile(r"^(?:\d+\s*[.、．]|[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*")

TRAILING_TEXT = ("basis", "direction", "explanation", "remark", "reason", "core", "adjusted", "coefficient")


def money_field(hits) -> str | None:
    return next((h.field for h in hits if h.group == "project"
                 and h.field in ("budget", "budget_midterm", "fiscal", "other")), None)


def hits_of(cell: Cell, group: str | None = None) -> tuple[L.Hit, ...]:
    hits = L.lookup(ENUM.sub("", cell.text))
    return tuple(h for h in hits if group is None or h.group == group)


def levels(text: str) -> tuple[set[str], str, str | None]:
    """Which taxonomy levels a cell can be ({"level1"}, {"level2"}, both, or none), its name, its points."""
    got: set[str] = set()
    name, points = text, None
    found = L.level_of(text)
    if found:
        name, points = found[1], found[2]
        for h in L.index().get(L._strip_tail(L.norm(text))[0], ()) or L.index().get(L.norm(name), ()):
            if h.group in ("level1", "level2"):
                got.add(h.group)
        if not got:
            got.add(found[0])
    return got, name, points


def accepts(col: str, text: str, split_value: bool, free: bool, glued: bool = False) -> bool:
    t = nfkc(text).strip()
    if col.startswith("?"):
        return free  # a column with no model field (converters/dropped.py): only where the row's cells tell
    if col == "measure_unit" and glued:
        return t in KNOWN_UNITS  # in run-together text a short word is as likely a value (好, 高)
    if col in ("level1", "level2"):
        return False  # only by levels()
    if col == "level3":
        return name_like(t)
    if col == "value_type":
        return bool(OPERATOR.match(t))
    if col == "band":
        return squeeze(t) in ("达成", "部分达成", "未达成")
    if col == "measure_unit":
        return len(t) <= 5 and not re.search(r"\d", t) and not OPERATOR.match(t) and not levels(t)[0]
    if col in ("weight", "score", "coefficient"):
        return bool(NUMBERISH.match(t))
    if col in ("budget", "fiscal", "other"):
        return bool(re.match(r"^[\d,]+(?:\.\d+)?\s*(万元|元|万)?$", t))
    if col == "value_text":
        if split_value:
            return bool(NUMBERISH.match(t) or VALUEISH.match(t)) or len(t) <= 4
        return True
    if col in TRAILING_TEXT and not free:
        vocab = L.data().get("values", {})
        return t in vocab.get(col, ()) or (col == "core" and t in ("是", "否")) or (col == "basis" and t.startswith("反映"))
    return True


def accepts_none_between(cols: list[str], pos: int, end: int, piece: str) -> bool:
    """No column before ``end`` would take ``piece`` (a number): it is for the 权重/得分 pair."""
    return not any(accepts(cols[k], piece, True, False) for k in range(pos, end) if cols[k])


def name_like(text: str) -> bool:
    t = nfkc(text).strip()
    return len(t) >= 2 and not NUMBERISH.match(t) and not VALUEISH.match(t) and not OPERATOR.match(t)


def join_split_labels(cells: list[Cell]) -> None:
    """A label broken in two by a space or a line (``年度主要目标 和成果``, ``部门(单位) 名称``, 青山's ``主管部门`` /
    ``及编码`` on lines of their own) joined again;
    and a 二级 name a narrow cell wrapped before its 指标 (岳阳: ``经济效益`` / ``指标`` on lines of their own)."""
    wrapped: set[int] = set()
    per_row: dict[int, int] = {}
    for c in cells:
        if c.text:
            per_row[c.row] = per_row.get(c.row, 0) + 1
    for k, (a, b) in enumerate(zip(cells, cells[1:])):
        if not (a.text and b.text) or id(a) in wrapped:
            continue
        joined = squeeze(a.text) + squeeze(b.text)
        ends_row = k + 2 >= len(cells) or cells[k + 2].row != b.row or not cells[k + 2].text
        alone = a.row != b.row and per_row.get(a.row) == 1 and per_row.get(b.row) == 1  # one cell a line (青山)
        if (a.line == b.line or alone) and len(a.text) + len(b.text) <= 16 \
                and L.lookup(a.text + b.text) and not L.lookup(b.text) and not levels(b.text)[0]:
            a.text, b.text, b.used = a.text + b.text, "", True
        elif squeeze(b.text) == "指标" and not levels(a.text)[0] and len(squeeze(a.text)) <= 8 \
                and "level2" in levels(a.text + "指标")[0]:
            a.text = joined
            wrapped.add(id(b))  # gone, not left blank: a blank cell is a column of the row
        elif a.row != b.row and per_row.get(b.row) == 1 and squeeze(b.text) == "指标" and len(joined) <= 6 \
                and {h.field for h in hits_of(a, "indicator")} & {h.field for h in L.lookup(joined)
                                                                  if h.group == "indicator"} - {"level3"}:
            a.text = joined  # a header cell wrapped (天长: “一级” / “指标”), not a 指标 column of its own
            wrapped.add(id(b))
        elif a.row != b.row and per_row.get(b.row) == 1 and re.fullmatch(r"[(（](万元|元)[)）]", nfkc(b.text).strip()) \
                and L.lookup(a.text) and L.lookup(a.text + b.text):
            a.text = a.text + b.text  # 项目资金 / (万元): the label's unit wrapped onto a line of its own
            wrapped.add(id(b))
        elif a.row != b.row and per_row.get(a.row) == 1 and ends_row and len(joined) <= 12 \
                and not levels(a.text)[0] and not L.lookup(a.text) and "level2" in levels(joined)[0] \
                and "level2" not in levels(b.text)[0]:
            # a 二级 name a narrow cell wrapped anywhere (天长: “可持续影” / “响指标”, “服务对象” / “满意度指标”)
            a.text = joined
            wrapped.add(id(b))
    if wrapped:
        cells[:] = [c for c in cells if id(c) not in wrapped]
