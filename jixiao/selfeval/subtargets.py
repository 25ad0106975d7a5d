"""The department's 绩效指标 named in its 分项绩效目标 text (Hebei has no 整体支出绩效目标表).

Seed 004 (鹿泉) evaluates a Hebei department by restating each 分项绩效目标 with its
绩效指标 and the value achieved. Each sub-target's 绩效指标 text names indicators as a
list ("A；B", "A、B; C") and sometimes gives a target ("办结率达到 100%", "不少于 6000 份",
"90%以上"). Pure text functions, no Excel.

>>> split_names("信访事项及时受理率；信访事项处理群众满意率。")
['信访事项及时受理率', '信访事项处理群众满意率']
>>> split_names("省、市、县领导包联信访案件办结率。")
['省、市、县领导包联信访案件办结率']
>>> [(c.name, c.target) for c in clauses("全年发放宣传材料不少于 6000 份，结案率达到 95%以上。")]
[('全年发放宣传材料', '≥6000份'), ('结案率', '≥95%')]
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..forms.values import squeeze

#: what an indicator's name ends with: a rate, a degree, a count, an amount, a time
_NAME_END = re.compile(r"(率|度|数|量|次数|份数|人数|件数|比例|比重|时间|天数|时限|金额|成本|覆盖面|知晓率)$")
_QUOTED = re.compile(r"[“\"「『][^”\"」』]*[”\"」』]")
_TARGET = re.compile(
    r"^(?P<name>.*?)\s*(?P<verb>达到|达|保持在|保持|控制在|不低于|不少于|不超过|不高于|不多于|为|在)?\s*"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|％|万元|元|人次|个|次|份|件|人|天|日|户|场|期|项)?\s*"
    r"(?P<tail>以上|及以上|以内|以下|左右)?$")
_AT_LEAST = {"不低于", "不少于"}
_AT_MOST = {"不超过", "不高于", "不多于", "控制在"}


class Clause(NamedTuple):
    name: str
    target: str | None  # as the form writes it: ≥90%, ≥6000份, 100%


def _pieces(text: str, seps: str) -> list[str]:
    """``text`` split on ``seps`` outside quotation marks."""
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch in seps and not any(a <= i < b for a, b in quoted):
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [p.strip(" \t\r\n　。.") for p in out if p.strip(" \t\r\n　。.")]


def _target(verb: str | None, num: str, unit: str | None, tail: str | None) -> str:
    unit = "%" if unit == "％" else (unit or "")
    if tail in ("以上", "及以上") or verb in _AT_LEAST:
        op = "≥"
    elif tail in ("以内", "以下") or verb in _AT_MOST:
        op = "≤"
    elif unit == "%" and num in ("100", "100.0"):
        op = ""  # 达到 100%: the form writes 100%
    elif verb in ("达到", "达", "保持在", "保持"):
        op = "≥"
    else:
        op = ""
    return f"{op}{num}{unit}"


def clauses(text: str | None) -> list[Clause]:
    """The clauses of a text (split on ；，。), each with its target when it states one."""
    out = []
    for piece in _pieces(squeeze(text) if text else "", "；;，,。"):
        m = _TARGET.match(piece)
        if m and m.group("name"):
            out.append(Clause(m.group("name").strip(), _target(m.group("verb"), m.group("num"), m.group("unit"),
                                                              m.group("tail"))))
        else:
            out.append(Clause(piece, None))
    return out


def split_names(text: str | None) -> list[str]:
    """Indicator names listed in a 绩效指标 text (targets left in): ``；;，,。`` and ``、`` separate them.

    A ``、`` piece too short to be a name (省、市、县…) belongs to the next piece.
    """
    names: list[str] = []
    for piece in _pieces(squeeze(text) if text else "", "；;，,。"):
        glued: list[str] = []
        first = len(names)
        for part in _pieces(piece, "、"):
            glued.append(part)
            if len(part) > 2:
                names.append("、".join(glued))
                glued = []
        if glued and len(names) > first:
            names[-1] = "、".join([names[-1], *glued])
        elif glued:
            names.append("、".join(glued))
    return names


def _core(name: str) -> str:
    """The kind of an indicator: its last three characters (办结率, 满意率)."""
    return name[-3:]


def indicators_of(indicators_text: str | None, goal_text: str | None = None) -> list[Clause]:
    """The indicators a sub-target names, with the targets its own text or its 绩效目标 gives.

    A name that lists levels (``省、市、县领导包联信访案件办结率``) whose 绩效目标 states separate
    targets for its parts (``省、市领导…办结率达到 100%``, ``县级领导…办结率 100%``) becomes those parts.
    Prose without an indicator's name ("充分发挥…的作用") is dropped when the text names one elsewhere.
    """
    goal = [c for c in clauses(goal_text) if c.target]
    found: list[Clause] = []
    for raw in split_names(indicators_text):
        own = clauses(raw)
        clause = own[0] if own else Clause(raw, None)
        if "、" in clause.name and clause.target is None:
            parts = [c for c in goal if _core(c.name) == _core(clause.name) and c.name != clause.name]
            if len(parts) >= 2:
                found += parts
                continue
        if clause.target is None:
            same = [c for c in goal if c.name == clause.name]
            clause = same[0] if same else clause
        found.append(clause)
    named = [c for c in found if c.target or _NAME_END.search(c.name)]
    return named or found


def category(name: str) -> tuple[str | None, str | None]:
    """(一级, 二级) where the name makes it plain (满意率 → 满意度指标); otherwise (None, None)."""
    if "满意" in name:
        return "满意度指标", "服务对象满意度指标"
    return None, None
