"""Hypothesis strategies for random unit workbooks that a sheet can hold."""

from __future__ import annotations


from hypothesis import strategies as st

from jixiao.forms.model import (
    DepartmentTargets, Indicator, Measure, OverallTargets, Project, SubTarget, Unit, UnitWorkbook,
)
from jixiao.profiles import load_profile

# Characters a clerk types: CJK, ASCII, full-width forms, operators, line breaks.
_ALPHABET = st.sampled_from(list("信访维稳经费指标产出效益满意度数量质量时效成本社会涉密万元次个人件批所%")
                            + list("abcXYZ0123456789.-+=≥≤<>（）()，。、：；\n ")
                            + ["８", "％", "＝", "≧"])

text = st.one_of(st.none(), st.text(_ALPHABET, min_size=1, max_size=40).filter(lambda s: s.strip() != ""))
money = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False,
                                         allow_infinity=False))
percent = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2, allow_nan=False,
                                           allow_infinity=False))
not_a_number = st.sampled_from(["80万", "八十", "约50", "待定", "N/A"])


def _some(model, **fields):
    """A model with at least one field filled (an all-empty row is not a row)."""
    return st.builds(model, **fields).filter(
        lambda m: any(v is not None for k, v in m.content().items() if k != "raw"))


indicator = _some(Indicator, level1=text, level2=text, level3=text, description=text, value_text=text,
                  basis=text)
overall_indicator = _some(Indicator, level1=text, level2=text, level3=text, value_type=text, value_text=text,
                          measure_unit=text, explanation=text, scoring=text, remark=text,
                          weight=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1)))


@st.composite
def project(draw, milestones):
    budget = draw(money)
    raw = {}
    if budget is None and draw(st.booleans()):
        raw["budget"] = draw(not_a_number)
    return Project(code=draw(st.text(_ALPHABET, min_size=1, max_size=25).filter(lambda s: s.strip() != "")),
                   name=draw(text), budget=budget, fiscal=draw(money), other=draw(money), raw=raw,
                   purpose=draw(text), plan={m: draw(percent) for m in milestones}, goals=draw(text),
                   indicators=draw(st.lists(indicator, max_size=20)))


@st.composite
def unit_workbook(draw):
    profile = load_profile(draw(st.sampled_from(["hebei", "hunan", "national"])))
    milestones = list(profile.milestones)
    overall = draw(st.one_of(st.none(), st.builds(
        OverallTargets, name=text, duties=text, annual_goal=text,
        indicators=st.lists(overall_indicator, min_size=1, max_size=25))))
    return UnitWorkbook(
        profile=profile.name, milestones=milestones,
        unit=draw(st.builds(Unit, code=text, name=text, region_code=text,
                            year=st.one_of(st.none(), st.integers(1990, 2100)), filler=text, phone=text,
                            fill_date=text, head=text, business_review=text, performance_review=text)),
        department=draw(st.builds(DepartmentTargets, overall_goal=text,
                                  sub_targets=st.lists(_some(SubTarget, title=text, goal=text, indicators=text),
                                                       max_size=12),
                                  measures=st.lists(_some(Measure, title=text, text=text), max_size=12))),
        projects=draw(st.lists(project(milestones), max_size=3)),
        overall=overall)
