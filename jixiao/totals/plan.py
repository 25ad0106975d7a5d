"""Spending-plan totals: project, unit and county schedules (Decimal, 万元).

Pure functions on the model. The plan is cumulative percent of 预算数 at each
milestone; a form with three columns implies 12月底 = 100 %. A blank
percentage counts as 0, as a spreadsheet formula would count it (validation
reports it separately).

Rounding: each project's milestone amount is 预算数 × percent rounded half-up
to 0.01, except that 100 % is 预算数 exactly. The split by funding source is
pro rata, with 其他资金 taking the remainder so that 财政 + 其他 = amount at
every milestone. Unit totals are sums of the project amounts, so they
reconcile with the project table to the cent.

>>> from jixiao.examples import load_example
>>> unit = unit_schedule(load_example("luanping_xinfang_2026"))
>>> [str(unit.amounts[m]) for m in MILESTONES]
['27.88', '55.75', '91.50', '111.50']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from ..forms.layouts import forms_of
from ..forms.model import Project, UnitWorkbook
from ..profiles import Profile, profile_for
from ..forms.values import MILESTONES  # noqa: F401 - re-exported: totals is where callers look for it

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def money(value: Decimal) -> Decimal:
    """Round half-up to 0.01 万元."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plan_amount(budget: Decimal, percent: Decimal) -> Decimal:
    """The cumulative amount at a milestone: ``budget × percent / 100`` to the cent; 100 % is the budget.

    >>> plan_amount(Decimal("31.50"), Decimal("25"))
    Decimal('7.88')
    """
    if percent == HUNDRED:
        return budget
    return money(budget * percent / HUNDRED)


@dataclass
class ProjectSchedule:
    """One project's cumulative plan in percent and in 万元, split by source."""

    code: str | None
    name: str | None
    sheet: str | None
    budget: Decimal
    fiscal: Decimal
    other: Decimal
    percent: dict[str, Decimal]
    amounts: dict[str, Decimal]
    fiscal_amounts: dict[str, Decimal]
    other_amounts: dict[str, Decimal]
    classified: bool = False
    # False on a form without a 资金支出计划 (the national 申报表): the milestone dicts then hold zeros
    # for arithmetic only, and every view shows them blank, never as 0
    planned: bool = True
    mid: tuple[Decimal, Decimal, Decimal] | None = None  # 中期 资金总额, 财政拨款, 其他资金 (national form)


def project_budget(project: Project) -> tuple[Decimal, Decimal, Decimal]:
    """预算数, 财政资金, 其他资金 with blanks as 0 (预算数 blank → 财政 + 其他)."""
    fiscal = project.fiscal or ZERO
    other = project.other or ZERO
    budget = project.budget if project.budget is not None else fiscal + other
    return budget, fiscal, other


def project_percents(project: Project, milestones: Iterable[str]) -> dict[str, Decimal]:
    """The cumulative percent at all four milestones (12月底 implied 100 on a 3-column form)."""
    present = set(milestones)
    out = {}
    for m in MILESTONES:
        if m in present:
            out[m] = project.plan.get(m) or ZERO
        else:
            out[m] = HUNDRED if m == "12月底" else ZERO
    return out


def mid_budget(project: Project) -> tuple[Decimal, Decimal, Decimal] | None:
    """中期 资金总额, 财政拨款, 其他资金 (blanks as 0, 总额 blank → 财政 + 其他), None when no 中期 is filled."""
    if all(getattr(project, n, None) is None for n in ("mid_budget", "mid_fiscal", "mid_other")):
        return None
    fiscal, other = project.mid_fiscal or ZERO, project.mid_other or ZERO
    return (project.mid_budget if project.mid_budget is not None else fiscal + other), fiscal, other


def project_schedule(project: Project, milestones: Iterable[str], *, planned: bool = True) -> ProjectSchedule:
    """Amounts per milestone and funding source for one project (``planned=False``: its form has no plan)."""
    budget, fiscal, other = project_budget(project)
    if not planned:
        zeros = dict.fromkeys(MILESTONES, ZERO)
        return ProjectSchedule(project.code, project.name, project.sheet, budget, fiscal, other, dict(zeros),
                               dict(zeros), dict(zeros), dict(zeros), project.classified, planned=False,
                               mid=mid_budget(project))
    percent = project_percents(project, milestones)
    sources = fiscal + other
    amounts, fiscal_amounts, other_amounts = {}, {}, {}
    for m in MILESTONES:
        amount = plan_amount(budget, percent[m])
        if sources == ZERO:
            fiscal_part = amount
        elif amount == budget and sources == budget:
            fiscal_part = fiscal  # the full budget splits exactly as declared
        else:
            fiscal_part = money(amount * fiscal / sources)
        amounts[m] = amount
        fiscal_amounts[m] = fiscal_part
        other_amounts[m] = amount - fiscal_part
    return ProjectSchedule(project.code, project.name, project.sheet, budget, fiscal, other, percent,
                           amounts, fiscal_amounts, other_amounts, project.classified, mid=mid_budget(project))


@dataclass
class Lag:
    """How far a project's plan falls behind 序时进度."""

    code: str | None
    name: str | None
    milestone: str
    percent: Decimal
    target: Decimal
    behind_amount: Decimal  # 万元 the plan is behind the target at that milestone


@dataclass
class UnitSchedule:
    """A unit's (or a county's) schedule: sums of project amounts, weighted percent, gap to 序时进度."""

    unit_code: str | None
    unit_name: str | None
    budget: Decimal
    fiscal: Decimal
    other: Decimal
    amounts: dict[str, Decimal]
    fiscal_amounts: dict[str, Decimal]
    other_amounts: dict[str, Decimal]
    percent: dict[str, Decimal]
    target_percent: dict[str, Decimal]
    gap: dict[str, Decimal]
    projects: list[ProjectSchedule] = field(default_factory=list)
    lagging: list[Lag] = field(default_factory=list)
    planned_budget: Decimal = ZERO  # Σ 预算数 of the projects with a plan: what the percent is of
    mid: tuple[Decimal, Decimal, Decimal] | None = None  # Σ 中期 amounts, None when no project has them

    @property
    def has_plan(self) -> bool:
        """Whether any project has a 资金支出计划 (a unit of the national forms has none)."""
        return any(s.planned for s in self.projects) or not self.projects


def _targets(profile: Profile) -> dict[str, Decimal]:
    return {m: Decimal(profile.progress.get(m, HUNDRED if m == "12月底" else ZERO)) for m in MILESTONES}


def combine(schedules: list[ProjectSchedule], profile: Profile, *, unit_code: str | None = None,
            unit_name: str | None = None, lagging: int = 5) -> UnitSchedule:
    """Sum project schedules into a unit (or county) schedule."""
    budget = sum((s.budget for s in schedules), ZERO)
    planned = [s for s in schedules if s.planned]
    planned_budget = sum((s.budget for s in planned), ZERO)
    targets = _targets(profile)
    amounts = {m: sum((s.amounts[m] for s in schedules), ZERO) for m in MILESTONES}
    fiscal_amounts = {m: sum((s.fiscal_amounts[m] for s in schedules), ZERO) for m in MILESTONES}
    other_amounts = {m: sum((s.other_amounts[m] for s in schedules), ZERO) for m in MILESTONES}
    weighted = {m: sum((s.budget * s.percent[m] for s in planned), ZERO) for m in MILESTONES}
    percent = {m: (weighted[m] / planned_budget if planned_budget else ZERO) for m in MILESTONES}
    gap = {m: percent[m] - targets[m] for m in MILESTONES}
    mids = [s.mid for s in schedules if s.mid is not None]
    mid = tuple(sum((m[i] for m in mids), ZERO) for i in range(3)) if mids else None
    lags = []
    for s in planned:
        worst = max(MILESTONES, key=lambda m: (targets[m] - s.percent[m]) * s.budget)
        behind = money((targets[worst] - s.percent[worst]) * s.budget / HUNDRED)
        if behind > ZERO:
            lags.append(Lag(s.code, s.name, worst, s.percent[worst], targets[worst], behind))
    lags.sort(key=lambda lag: lag.behind_amount, reverse=True)
    return UnitSchedule(unit_code, unit_name, budget, sum((s.fiscal for s in schedules), ZERO),
                        sum((s.other for s in schedules), ZERO), amounts, fiscal_amounts, other_amounts,
                        percent, targets, gap, schedules, lags[:lagging], planned_budget, mid)


def unit_schedule(book: UnitWorkbook, profile: Profile | None = None) -> UnitSchedule:
    """The unit's schedule from its workbook model (涉密 projects count)."""
    profile = profile or profile_for(book)
    planned = forms_of(book).project.has_plan
    schedules = [project_schedule(p, book.milestones, planned=planned) for p in book.projects]
    return combine(schedules, profile, unit_code=book.unit.code, unit_name=book.unit.name)


#: Findings that mean a project's money or plan was not counted as written (a sheet that could not be
#: read, text / a date / an out-of-range number, a formula or an error value in a number cell).
UNCOUNTED = frozenset({"JX-L01", "JX-L03", "JX-L05", "JX-P01"})
_COUNTED_FIELDS = frozenset({"budget", "fiscal", "other", "mid_budget", "mid_fiscal", "mid_other"})


def uncounted(book: UnitWorkbook, profile: Profile | None = None, issues: list | None = None) -> list:
    """The findings a total of this workbook must be printed with: what it could not count, plus JX-L04
    and JX-L07 (a project counted from the hidden 项目模板 or another hidden sheet: not on the printout).

    A total shown beside an error among these is incomplete (exit status 1); JX-L04 (a filled-in
    项目模板, counted) is a warning. ``issues``: the workbook's findings, when the caller has them.
    """
    from ..checks.validate import validate_book

    unreadable = {(loc.sheet, loc.cell) for p in book.projects for name in p.raw  # money cells that held no number
                  if (name in _COUNTED_FIELDS or name.startswith("plan.")) and (loc := p.loc(name)) is not None}
    out = []
    for issue in validate_book(book, profile) if issues is None else issues:
        if issue.code in ("JX-L04", "JX-L07") or (issue.code == "JX-L01" and issue.cell is None):
            out.append(issue)
        elif issue.code in UNCOUNTED and (issue.sheet, issue.cell) in unreadable:
            out.append(issue)
    return out


def miscounted(issues: list) -> list:
    """The findings that make a total wrong though every amount in it was read.

    A sheet copied as 项目1 (2) and never changed is the same project counted twice (JX-C03), and a blank
    6月底 between 25 and 75 is no 0 % the total may print as the unit's plan (JX-P01 of an empty cell).
    """
    return [i for i in issues if i.code == "JX-C03" or (i.code == "JX-P01" and i.value is None)]


def _m(value: Decimal) -> str:
    return f"{money(value):f}"


def _pct(value: Decimal) -> str:
    return f"{value.quantize(TENTH, rounding=ROUND_HALF_UP):f}"


def to_json(schedule: UnitSchedule) -> dict:
    """The ``jixiao totals --format json`` object (a contract): money as strings of two decimals."""
    total = {
        "budget": _m(schedule.budget), "fiscal": _m(schedule.fiscal), "other": _m(schedule.other),
        "amounts": {m: _m(schedule.amounts[m]) for m in MILESTONES},
        "percent": {m: _pct(schedule.percent[m]) for m in MILESTONES},
        "target_percent": {m: _pct(schedule.target_percent[m]) for m in MILESTONES},
        "gap": {m: _pct(schedule.gap[m]) for m in MILESTONES},
        "fiscal_amounts": {m: _m(schedule.fiscal_amounts[m]) for m in MILESTONES},
        "other_amounts": {m: _m(schedule.other_amounts[m]) for m in MILESTONES},
    }
    projects = [{"code": p.code, "name": p.name, "sheet": p.sheet, "budget": _m(p.budget),
                 "fiscal": _m(p.fiscal), "other": _m(p.other),
                 "amounts": {m: _m(p.amounts[m]) for m in MILESTONES},
                 "percent": {m: _pct(p.percent[m]) for m in MILESTONES}} for p in schedule.projects]
    if not schedule.has_plan:  # the national forms: no plan, so no milestone figures at all (not zeros)
        for key in ("amounts", "percent", "target_percent", "gap", "fiscal_amounts", "other_amounts"):
            total[key] = {}
        for p, s in zip(projects, schedule.projects):
            p["amounts"], p["percent"] = {}, {}
    for p, s in zip(projects, schedule.projects):
        if s.mid is not None:
            p["mid"] = {"budget": _m(s.mid[0]), "fiscal": _m(s.mid[1]), "other": _m(s.mid[2])}
    if schedule.mid is not None:
        total["mid"] = {"budget": _m(schedule.mid[0]), "fiscal": _m(schedule.mid[1]), "other": _m(schedule.mid[2])}
    lagging = [{"code": lag.code, "name": lag.name, "milestone": lag.milestone, "percent": _pct(lag.percent),
                "target_percent": _pct(lag.target), "behind_amount": _m(lag.behind_amount)}
               for lag in schedule.lagging]
    return {"unit_code": schedule.unit_code, "unit_name": schedule.unit_name,
            "milestones": list(MILESTONES) if schedule.has_plan else [],
            "total": total, "projects": projects, "lagging": lagging}
