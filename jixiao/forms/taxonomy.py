"""The indicator taxonomy (一级 / 二级 指标) and its legacy aliases.

Names are compared after removing spaces and line breaks (the documents wrap
long names: ``社会效益指\\n标``). An alias is normalised *and reported*, never
silently (JX-T03).

>>> normalize_level1("效果指标")
Normalized(name='效益指标', alias='效果指标')
>>> normalize_level2("满意度指标", "社会公众或服务对象满意度指标").name
'服务对象满意度指标'
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from .values import squeeze

TAXONOMY: dict[str, tuple[str, ...]] = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
    "成本指标": ("经济成本指标", "社会成本指标", "生态环境成本指标"),
}
LEVEL1 = tuple(TAXONOMY)

LEVEL1_ALIASES = {"效果指标": "效益指标"}
LEVEL2_ALIASES = {
    "环境效益指标": "生态效益指标",
    "社会公众或服务对象满意度指标": "服务对象满意度指标",
}
BASIS_CHOICES = ("计划标准", "行业标准", "历史标准", "其他标准")
UNIT_SUGGESTIONS = ("%", "个", "次", "人", "人次", "件", "批次", "所", "项", "户", "天", "万元", "元")


class Normalized(NamedTuple):
    """A taxonomy name and the alias it was written as (``None`` when it was already canonical)."""

    name: str | None
    alias: str | None


def _full(name: str) -> str:
    return name if name.endswith("指标") else name + "指标"


@functools.lru_cache(maxsize=4096)  # pure, and the same few names fill every indicator table
def normalize_level1(raw: str | None) -> Normalized:
    """Map a 一级指标 as written to its canonical name; ``name`` is ``None`` if unknown."""
    text = squeeze(raw)
    if not text:
        return Normalized(None, None)
    if text in TAXONOMY:
        return Normalized(text, None)
    full = _full(text)
    if full in TAXONOMY:
        return Normalized(full, text)
    for alias in (text, full):
        if alias in LEVEL1_ALIASES:
            return Normalized(LEVEL1_ALIASES[alias], text)
    return Normalized(None, None)


@functools.lru_cache(maxsize=4096)
def normalize_level2(level1: str | None, raw: str | None, *, cost_under_output: bool = True) -> Normalized:
    """Map a 二级指标 under a canonical 一级 to its canonical name; ``name`` is ``None`` if it does not belong."""
    text = squeeze(raw)
    if not text or level1 not in TAXONOMY:
        return Normalized(None, None)
    allowed = allowed_level2(level1, cost_under_output=cost_under_output)
    candidates = [text, _full(text)]
    for candidate in candidates:
        if candidate in allowed:
            return Normalized(candidate, None if candidate == text else text)
    for candidate in candidates:
        target = LEVEL2_ALIASES.get(candidate)
        if target in allowed:
            return Normalized(target, text)
    if level1 == "满意度指标" and "满意度" in text:
        return Normalized("服务对象满意度指标", text)
    return Normalized(None, None)


def allowed_level2(level1: str, *, cost_under_output: bool = True) -> tuple[str, ...]:
    """The 二级 names a canonical 一级 admits (成本指标 under 产出 is a profile setting)."""
    names = TAXONOMY.get(level1, ())
    if level1 == "产出指标" and not cost_under_output:
        names = tuple(n for n in names if n != "成本指标")
    return names


def level1_of_level2(raw: str | None) -> str | None:
    """Which 一级 a 二级 name belongs to (used to explain a 二级 name in the 一级 column)."""
    text = _full(squeeze(raw)) if raw else ""
    for level1, names in TAXONOMY.items():
        if text in names and text != "成本指标":
            return level1
    return None
