"""A 自评表 pre-filled from the year's targets: indicators, targets and budgets carried over, actuals blank.

>>> from jixiao.examples import load_example
>>> ev = prefill(load_example("luanping_xinfang_2026"))
>>> [p.name for p in ev.projects]
['信访工作保障经费', '信访维稳经费']
"""

from __future__ import annotations

from decimal import Decimal

from ..checks.context import effective_rows
from ..forms.layouts import forms_of, has_field
from ..forms.model import SubTarget, UnitWorkbook
from ..profiles import Profile, profile_for
from .model import DepartmentEval, EvalIndicator, ProjectEval, SelfEvaluation, TeamMember
from .scoring import CATEGORY_WEIGHT, category_weights, split_weight
from .subtargets import category, indicators_of


def default_weights(levels: list[str | None], profile: Profile) -> list[Decimal | None]:
    """Each 一级 category's weight (profile) split evenly over its rows, so they add up exactly."""
    out: list[Decimal | None] = [None] * len(levels)
    totals = category_weights(levels, profile.weights)
    for level1 in CATEGORY_WEIGHT:
        rows = [i for i, l1 in enumerate(levels) if l1 == level1]
        total = totals[level1]
        if level1 == "成本指标" and total == 0:  # 成本 as 一级 with no weight of its own: under 产出's
            continue
        for i, w in zip(rows, split_weight(total, len(rows))):
            out[i] = w
    return out


def _eval_indicators(indicators, profile: Profile, overall: bool = False) -> list[EvalIndicator]:
    rows = effective_rows(list(indicators), cost_under_output=profile.cost_under_output)
    levels = [r.canonical1 for r in rows]
    stated = [r.indicator.weight for r in rows]
    # a form that states each indicator's 权重 / 分值 (四川, the Hunan 分值 column): the approved weights, as
    # given (a blank one gets its category's remainder when scored); else the profile's, shared out
    weights = stated if any(w is not None for w in stated) else default_weights(levels, profile)
    out = []
    for r, w in zip(rows, weights):
        ind = r.indicator
        if ind.value_type is not None:  # a split 指标值 (指标值类型 / 指标性质 in its own column), on any form
            p = ind.parsed()
            target = (f"{'' if p.operator in ('=', '定性', None) else p.operator}{ind.value_text or ''}"
                      f"{ind.measure_unit or ''}") or None
        else:
            target = ind.value_text
        out.append(EvalIndicator(level1=r.canonical1 or r.level1, level2=r.canonical2 or r.level2,
                                 level3=ind.level3, target=target, weight=w))
    return out


def subtarget_indicators(sub_targets: list[SubTarget], profile: Profile) -> list[EvalIndicator]:
    """One row per 绩效指标 a 分项绩效目标 names; target and category where the text makes them plain."""
    rows = []
    for t in sub_targets:
        for clause in indicators_of(t.indicators, t.goal):
            level1, level2 = category(clause.name)
            rows.append(EvalIndicator(level1=level1, level2=level2, level3=clause.name, target=clause.target))
    for row, w in zip(rows, default_weights([r.level1 for r in rows], profile)):
        row.weight = w
    return rows


def prefill(book: UnitWorkbook, profile: Profile | None = None) -> SelfEvaluation:
    """A self-evaluation with indicators, targets and budgets carried over; actuals blank."""
    profile = profile or profile_for(book)
    # the Ministry's 自评表 (主管部门, 实施单位, 年度总体目标 预期 | 实际, no 评价工作组): the profile's forms say
    evforms = forms_of(book)  # the 自评表 of the targets' forms: national 申报表 → national 自评表
    national = has_field(evforms["selfeval_project"], "goal_actual")
    ev = SelfEvaluation(profile=profile.name, unit=book.unit.model_copy())
    ev._profile_text, ev._forms = profile.text, evforms
    weight = profile.weights.execution
    # the national 部门整体 form states the unit's money by 年度主要任务; elsewhere the projects' sum
    budgets = (book.overall.tasks if national and book.overall is not None and book.overall.tasks
               else book.projects)
    budgets = [p for p in budgets if p.budget is not None]
    total = sum((p.budget for p in budgets), Decimal(0)) if budgets else None
    fiscal = sum((p.fiscal or Decimal(0) for p in budgets), Decimal(0)) if budgets else None
    other = sum((p.other or Decimal(0) for p in budgets), Decimal(0)) if budgets else None
    goal = book.overall.annual_goal if national and book.overall is not None else book.department.overall_goal
    dept = DepartmentEval(name=book.unit.name, goal=goal, initial_total=total,
                          initial_fiscal=fiscal, initial_other=other, full_total=total, full_fiscal=fiscal,
                          full_other=other, execution_weight=weight,
                          team=[] if national else [TeamMember(role="组长"), TeamMember(role="成员")])
    dept.sub_targets = [SubTarget(title=t.title, goal=t.goal, indicators=t.indicators)
                        for t in book.department.sub_targets]
    if book.overall is not None:
        dept.indicators = _eval_indicators(book.overall.indicators, profile, overall=True)
    else:  # Hebei: no 整体支出绩效目标表; the 绩效指标 named in the 分项绩效目标 (seed 004)
        dept.indicators = subtarget_indicators(book.department.sub_targets, profile)
    ev.department = dept
    for p in book.projects:
        ev.projects.append(ProjectEval(
            name=p.name, code=p.code, initial_total=p.budget, initial_fiscal=p.fiscal, initial_other=p.other,
            full_total=p.budget, full_fiscal=p.fiscal, full_other=p.other, execution_weight=weight,
            indicators=_eval_indicators(p.indicators, profile),  # the 年度 table: what a year is scored on
            **({"department": p.department, "implementer": p.implementer, "goal": p.goals} if national else {})))
    return ev
