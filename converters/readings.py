"""Readings of single cells that need more than a regex: a code before a name, amounts run together.

>>> split_code("51000021R000000019951-工资性支出")
('51000021R000000019951', '工资性支出')
>>> solve_glued("202010100.00%10", ["full", "executed", "weight", "rate", "score", "reason"])["full"]
'20'
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..forms.values import nfkc, parse_decimal


def solve_glued(text: str, slots: list[str]) -> dict[str, str] | None:
    """Amounts run together (``202010100.00%10``: 全年预算数 20, 执行数 20, 分值 10, 执行率 100.00%,
    得分 10) read back by the one split in which 执行数 / 预算数 equals the printed 执行率."""
    m = re.fullmatch(r"(\d+)\.(\d{1,2})%(\d*(?:\.\d+)?)", text)
    want = [s for s in slots if s in ("full", "initial", "executed", "weight")]
    if not m or "rate" not in slots or len(want) != 3 or "executed" not in want:
        return None
    digits = m.group(1)
    found: list[list[str]] = []
    for size in (3, 2, 1):  # the 执行率's whole digits: 100.00% first
        if len(digits) <= size + 2 or (size > 1 and digits[-size] == "0"):
            continue
        head, rate = digits[:-size], Decimal(f"{digits[-size:]}.{m.group(2)}")
        for a in range(1, len(head) - 1):
            for b in range(a + 1, len(head)):
                parts = [head[:a], head[a:b], head[b:]]
                if any(len(p) > 1 and p.startswith("0") for p in parts):
                    continue
                total, done = Decimal(parts[0]), Decimal(parts[1])
                if total and (done / total * 100).quantize(rate) == rate:
                    found.append(parts + [f"{rate}%"])
        if found:
            break
    if len(found) != 1:
        return None  # none, or several readings: leave it for the unplaced list
    out = dict(zip(want, found[0]))
    out["rate"] = found[0][3]
    if m.group(3) and "score" in slots:
        out["score"] = m.group(3)
    return out


_CODE = re.compile(r"^\s*(?P<code>[0-9A-Z][0-9A-Z ]{2,30}?)\s*[-—－_]\s*(?P<name>\S.*)$", re.S)
#: the code in brackets before the name, as 内蒙古's forms print it: ``(433001)乌海市供销合作社联合社``
_BRACKETED_CODE = re.compile(r"^\s*[(\[【]\s*(?P<code>[0-9A-Z]{3,30})\s*[)\]】]\s*(?P<name>\S.*)$", re.S)


def split_code(text: str | None) -> tuple[str | None, str | None]:
    """``51000021R000000019951-工资性支出`` → code, name; ``820001-井研县…`` and ``(433001)乌海市…`` too;
    else (None, text)."""
    if not text:
        return None, text
    m = _CODE.match(nfkc(text))
    if m is None:
        m = _BRACKETED_CODE.match(nfkc(text))
        m = None if m and re.fullmatch(r"(?:19|20)\d\d", m.group("code")) else m  # (2021)…: a year, not a code
    if m and re.search(r"\d{3}", m.group("code")):
        return m.group("code").replace(" ", ""), m.group("name").strip()
    return None, text.strip()


def anchored_on_rate(values: dict[str, str], order: list[str]) -> dict[str, str] | None:
    """A 预算执行 row a page printed with a cell missing (永德: ``387664.62 | 387664.62 | 10 | 100% | 10`` under
    年初 | 全年 | 执行 | 分值 | 执行率 | 得分), read again around its 执行率, the one value with ``%``: the
    values before it fill the columns before 执行率 from the right, those after it the columns after.
    Taken only when 全年执行数 / 全年预算数 then equals the printed 执行率 (else ``None``)."""
    texts = [values[s] for s in order if s in values]
    if "rate" not in order or len(texts) >= len(order):
        return None
    pct = [k for k, t in enumerate(texts) if t.strip().endswith("%")]
    r = order.index("rate")
    if len(pct) != 1 or values.get("rate", "").strip().endswith("%"):
        return None  # no 执行率, two, or already in its column
    p = pct[0]
    before, after = texts[:p], texts[p + 1:]
    if len(before) > r or len(after) > len(order) - r - 1:
        return None
    out = dict(zip(order[r - len(before):r], before))
    out["rate"] = texts[p]
    out.update(zip(order[r + 1:], after))
    full, done = parse_decimal(out.get("full")), parse_decimal(out.get("executed"))
    rate = parse_decimal(out["rate"], percent_sign=True)
    if not full or done is None or rate is None:
        return None
    return out if abs(done / full * 100 - rate) <= Decimal("0.5") else None


def anchored_like(values: dict[str, str], order: list[str]) -> dict[str, str] | None:
    """A row under one :func:`anchored_on_rate` re-read, short of a cell the same way (永德's 财政拨款:
    ``387664.62 | 387664.62 | —``): its amounts end where its first dash stands, in 分值 (a sub-row has none)."""
    texts = [values[s] for s in order if s in values]
    if "weight" not in order or len(texts) >= len(order):
        return None
    dash = next((k for k, t in enumerate(texts) if t.strip() in ("—", "-", "－", "/")), None)
    w = order.index("weight")
    if dash is None or dash == 0 or dash > w or any(parse_decimal(t) is None for t in texts[:dash]):
        return None
    out = dict(zip(order[w - dash:w], texts[:dash]))
    out.update(zip(order[w:], texts[dash:]))
    return out
