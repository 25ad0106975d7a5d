"""Self-evaluation (绩效自评): the 自评表 workbook, pre-filled from the targets, scored per domain §5.

Sheets: ``单位信息`` (the same layout as the target workbook), ``部门整体支出绩效自评表``,
one ``项目N`` per project (项目支出绩效自评表), the hidden ``_jixiao``. The layouts are
data like the target forms', drawn by the same builder and read by the same reader.

>>> from jixiao.examples import load_example
>>> ev = prefill(load_example("luanping_xinfang_2026"))
>>> [p.name for p in ev.projects]
['信访工作保障经费', '信访维稳经费']
"""

from __future__ import annotations

import datetime as _dt

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from pydantic import Field as PField, PrivateAttr, model_serializer

from ..fsutil import atomic_path, guard_output
from ..forms.grid import open_grid
from ..checks.issues import FileReport, Issue
from ..forms.formfile import builtin_form
from ..forms.layouts import SheetLayout, form_set, form_set_from_meta, forms_of, has_field
from ..forms.model import Loc, Located, SubTarget, Unit, UnitWorkbook
from ..profiles import Profile, load_profile, profile_for
from ..forms.reader import bind_fields, read_block, read_meta
from ..checks.context import effective_rows
from .scoring import (
    BANDS, ZERO, execution_score, grade, indicator_score, qualitative_score, satisfaction_score, split_weight,
)
from .subtargets import category, indicators_of
from ..forms.taxonomy import normalize_level1
from ..forms.values import OPERATORS, parse_decimal, parse_indicator_value, squeeze

TEMPLATE_ID = "jixiao.selfeval-workbook"
DEPARTMENT_SHEET = "部门整体支出绩效自评表"
SUBTARGET_SHEET = "分项绩效目标"
PROJECT_PREFIX = "项目"

# --- model ----------------------------------------------------------------------------


class EvalIndicator(Located):
    """One scored indicator row."""

    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    target: str | None = None  # 年度指标值 as on the target form (≥95%)
    actual: str | None = None  # 实际完成值
    weight: Decimal | None = None  # 分值
    score: Decimal | None = None  # 得分 entered by hand (定性) or written by `jixiao score --write`
    band: str | None = None  # 定性档次: 达成 / 部分达成 / 未达成
    reason: str | None = None  # 偏差原因分析及改进措施


class TeamMember(Located):
    role: str | None = None  # 组长 / 成员
    name: str | None = None
    org: str | None = None
    title: str | None = None
    rank: str | None = None


class ProjectEval(Located):
    """项目支出绩效自评表 (and the shared part of the 部门整体 sheet)."""

    sheet: str | None = PField(default=None, exclude=True)
    name: str | None = None
    code: str | None = None
    initial_total: Decimal | None = None  # 年初预算数
    initial_fiscal: Decimal | None = None
    initial_other: Decimal | None = None
    full_total: Decimal | None = None  # 全年预算数
    full_fiscal: Decimal | None = None
    full_other: Decimal | None = None
    executed_total: Decimal | None = None  # 全年执行数
    executed_fiscal: Decimal | None = None
    executed_other: Decimal | None = None
    execution_weight: Decimal | None = None  # 分值 of 执行率
    execution_reason: str | None = None  # 执行率偏低的原因
    indicators: list[EvalIndicator] = PField(default_factory=list)
    # the national form (selfeval/national.py): 主管部门, 实施单位, 上年结转资金, 年度总体目标 预期 | 实际
    department: str | None = None
    implementer: str | None = None
    initial_carry: Decimal | None = None
    full_carry: Decimal | None = None
    executed_carry: Decimal | None = None
    goal: str | None = None  # 年度总体目标 (预期目标)
    goal_actual: str | None = None  # 实际完成情况

    @model_serializer(mode="wrap")
    def _drop_empty_national(self, handler):
        data = handler(self)
        for name in _NATIONAL_FIELDS:
            if data.get(name) is None and name in data and (name != "goal" or type(self) is ProjectEval):
                del data[name]
        return data


_NATIONAL_FIELDS = ("department", "implementer", "initial_carry", "full_carry", "executed_carry", "goal",
                    "goal_actual")


class DepartmentEval(ProjectEval):
    """部门整体支出绩效自评表: the project part plus the report's text and the evaluation team."""

    conclusion: str | None = None  # 评价结论
    problems: str | None = None  # 存在的问题
    improvements: str | None = None  # 改进措施
    team: list[TeamMember] = PField(default_factory=list)
    sub_targets: list[SubTarget] = PField(default_factory=list)  # 分项绩效目标 (sheet 分项绩效目标)


class SelfEvaluation(Located):
    profile: str = "hebei"
    unit: Unit = PField(default_factory=Unit)
    department: DepartmentEval = PField(default_factory=DepartmentEval)
    projects: list[ProjectEval] = PField(default_factory=list)
    # a user's profile and form files, as the workbook carries them (see jixiao.profiles.profile_for)
    _profile_text: str | None = PrivateAttr(default=None)
    _forms: Any = PrivateAttr(default=None)


# --- layouts (data: jixiao/forms/tables/selfeval-*.toml) ------------------------------------

PROJECT_EVAL_LAYOUT = builtin_form("selfeval-project")
DEPARTMENT_EVAL_LAYOUT = builtin_form("selfeval-department")
#: the 分项绩效目标 as the target workbook states them: the report's 第三部分 restates each one
#: with its 绩效指标 (rows of the 部门整体 sheet) and the values achieved
SUBTARGET_EVAL_LAYOUT = builtin_form("selfeval-subtargets")


def eval_forms(ev: "SelfEvaluation", profile: Profile | None = None):
    """The forms a 自评表 was read with (or made for): its department and project layouts follow them."""
    forms = getattr(ev, "_forms", None)
    return forms if forms is not None else form_set(profile or load_profile(
        ev.profile if ev.profile in ("hebei", "hunan", "national") else "hebei"))


# --- writing and reading ----------------------------------------------------------------

def write_selfeval(path: str | Path, ev: SelfEvaluation | None = None, profile: Profile | None = None) -> Path:
    """Write a 自评表 workbook (a blank template when ``ev`` is None)."""
    from ..forms.template import _draw_meta, _Formats, draw_sheet

    profile = profile or (profile_for(ev) if ev else load_profile("hebei"))
    password = profile.protection_password
    forms = (getattr(ev, "_forms", None) if ev is not None else None) or form_set(profile)
    unit_l, dept_l, sub_l, proj_l = (forms.unit, forms["selfeval_department"], forms["selfeval_subtargets"],
                                     forms["selfeval_project"])
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                            "strings_to_urls": False})
        # a fixed date keeps the template build reproducible (same input, same bytes), as for unit templates
        wb.set_properties({"title": "预算绩效自评表", "created": _dt.datetime(2026, 1, 1)})
        fmts = _Formats(wb)
        unit = ev.unit if ev else None
        first = draw_sheet(wb, fmts, unit_l, unit_l.sheet, unit, {}, password=password)
        dept = ev.department if ev else None
        draw_sheet(wb, fmts, dept_l, dept_l.sheet, dept,
                   {"team": list(dept.team) if dept else [], "indicators": list(dept.indicators) if dept else []},
                   password=password, unit=unit)
        draw_sheet(wb, fmts, sub_l, sub_l.sheet, None,
                   {"sub_targets": list(dept.sub_targets) if dept else []}, password=password, unit=unit)
        for i, project in enumerate((ev.projects if ev else None) or [None], start=1):
            draw_sheet(wb, fmts, proj_l, f"{PROJECT_PREFIX}{i}", project,
                       {"indicators": list(project.indicators) if project else []}, password=password, unit=unit)
        _draw_meta(wb, profile, list(profile.milestones), password, template_id=TEMPLATE_ID,
                   extra_lists=(("jx_bands", "定性档次", tuple(BANDS)),), forms=forms)
        first.activate()
        wb.close()
    return Path(path)


def _read_eval(sheet, layout: SheetLayout, cls: type[ProjectEval]) -> ProjectEval:
    data: dict[str, Any] = {}
    raw: dict[str, str] = {}
    cells: dict[str, Any] = {}
    bind_fields(sheet, layout, data, raw, cells)
    for block in layout.blocks:
        data[block.name] = read_block(sheet, block, TeamMember if block.name == "team" else EvalIndicator)
    return cls.from_read(sheet=sheet.name, raw=raw, cells=cells,
                               **{k: v for k, v in data.items() if k in cls.model_fields})


def read_selfeval(path: str | Path) -> SelfEvaluation:
    """Read a 自评表 workbook (JX-L01 when it is not one)."""
    grid = open_grid(path)
    meta = read_meta(grid, TEMPLATE_ID)
    ev = SelfEvaluation(profile=meta.get("profile") or "hebei")
    forms = form_set_from_meta(meta, ())
    ev._forms, ev._profile_text = forms, meta.get("profile.toml") or None
    unit_l, dept_l, sub_l, proj_l = (forms.unit, forms["selfeval_department"], forms["selfeval_subtargets"],
                                     forms["selfeval_project"])
    ev._forms = forms
    data: dict[str, Any] = {}
    raw: dict[str, str] = {}
    cells: dict[str, Any] = {}
    bind_fields(grid.sheet(unit_l.sheet), unit_l, data, raw, cells)
    ev.unit = Unit(raw=raw, cells=cells, **data)
    if grid.has(dept_l.sheet):
        ev.department = _read_eval(grid.sheet(dept_l.sheet), dept_l, DepartmentEval)
    if grid.has(sub_l.sheet):  # a 自评表 made before the sheet existed has none
        ev.department.sub_targets = read_block(grid.sheet(sub_l.sheet), sub_l.block("sub_targets"), SubTarget)
    for name in grid.sheet_names:
        if name.startswith(PROJECT_PREFIX):
            project = _read_eval(grid.sheet(name), proj_l, ProjectEval)
            if project.name or project.code or project.indicators:
                ev.projects.append(project)
    return ev


# --- pre-filling from the targets --------------------------------------------------------

_CATEGORY_WEIGHT = {"产出指标": "output", "效益指标": "effect", "满意度指标": "satisfaction", "成本指标": "cost"}


def default_weights(levels: list[str | None], profile: Profile) -> list[Decimal | None]:
    """Each 一级 category's weight (profile) split evenly over its rows, so they add up exactly."""
    out: list[Decimal | None] = [None] * len(levels)
    for level1, attr in _CATEGORY_WEIGHT.items():
        rows = [i for i, l1 in enumerate(levels) if l1 == level1]
        total = getattr(profile.weights, attr)
        if level1 == "成本指标" and total == 0:  # 成本 as 一级 with no weight of its own: under 产出's
            continue
        for i, w in zip(rows, split_weight(Decimal(total), len(rows))):
            out[i] = w
    return out


def _eval_indicators(indicators, profile: Profile, overall: bool = False) -> list[EvalIndicator]:
    rows = effective_rows(list(indicators), cost_under_output=profile.cost_under_output)
    levels = [r.canonical1 for r in rows]
    weights = default_weights(levels, profile)
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


# --- scoring --------------------------------------------------------------------------------

UNFINISHED = "未完成评分"  # what is shown instead of a grade while anything is 未评


@dataclass
class RowScore:
    indicator: EvalIndicator
    level1: str | None
    level2: str | None
    operator: str | None
    target: Decimal | None
    actual: Decimal | None
    weight: Decimal
    score: Decimal
    computed: bool  # False when the score is a clerk's (定性 within its band)
    pending: Issue | None = None  # the finding that leaves this row 未评 (its score counts 0 meanwhile)
    default_weight: bool = False  # the weight was shared out at scoring time (分值 left blank)


@dataclass
class SheetScore:
    sheet: ProjectEval
    rate: Decimal
    execution_score: Decimal
    execution_weight: Decimal
    rows: list[RowScore] = field(default_factory=list)
    pending: list[Issue] = field(default_factory=list)  # every finding that leaves the sheet 未评

    @property
    def indicator_total(self) -> Decimal:
        return sum((r.score for r in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        """The sum of what is scored; a partial total while :attr:`complete` is False."""
        return self.execution_score + self.indicator_total

    @property
    def complete(self) -> bool:
        return not self.pending

    @property
    def grade(self) -> str | None:
        """优 / 良 / 中 / 差, or None while anything is 未评 (nothing scored, nothing graded)."""
        return grade(self.total) if self.complete else None

    @property
    def grade_text(self) -> str:
        return self.grade or UNFINISHED

    def rollup(self) -> dict[str, dict[str, Decimal]]:
        """三级 → 二级 → 一级: scores summed by 一级 and by 一级/二级."""
        out: dict[str, dict[str, Decimal]] = {}
        for r in self.rows:
            level1 = r.level1 or "（未分类）"
            out.setdefault(level1, {})
            out[level1][r.level2 or ""] = out[level1].get(r.level2 or "", ZERO) + r.score
        return out


def _number(text: str | None) -> Decimal | None:
    """An actual value as a number: ``96%``, ``80次``, ``78万元``; None for ``八十``, a date, ``#REF!``."""
    if text is None:
        return None
    value = parse_decimal(text, percent_sign=True)
    if value is not None:
        return value
    parsed = parse_indicator_value(str(text))
    return parsed.number if parsed.number is not None and not parsed.rest.strip() else None


def _name(ind: EvalIndicator) -> str:
    return f"“{squeeze(ind.level3)}”" if squeeze(ind.level3) else "本行指标"


def _pending(obj: Located, field_name: str, detail: str) -> Issue:
    return Issue.at("JX-E06", obj, field_name, getattr(obj, field_name, None), detail=detail)


def _shared_weights(sheet: ProjectEval, profile: Profile) -> list[tuple[Decimal | None, bool]]:
    """Each row's weight: as filled in, else its 一级 category's weight left over, shared as by ``prefill``."""
    levels = [normalize_level1(ind.level1).name or ind.level1 for ind in sheet.indicators]
    out: list[tuple[Decimal | None, bool]] = [(ind.weight, False) for ind in sheet.indicators]
    for level1, attr in _CATEGORY_WEIGHT.items():
        rows = [i for i, l1 in enumerate(levels) if l1 == level1]
        blank = [i for i in rows if sheet.indicators[i].weight is None]
        total = Decimal(getattr(profile.weights, attr))
        if not blank or (level1 == "成本指标" and total == 0):
            continue
        left = max(total - sum((sheet.indicators[i].weight for i in rows if i not in blank), ZERO), ZERO)
        for i, w in zip(blank, split_weight(left, len(blank))):
            out[i] = (w, True)
    return out


def _money_findings(sheet: ProjectEval) -> list[Issue]:
    """JX-L03 for text, a date or an error value in a money cell (it is never read as 0)."""
    out = []
    for name, label in (("initial_total", "年初预算数"), ("initial_fiscal", "年初预算数（财政资金）"),
                        ("initial_other", "年初预算数（其他资金）"), ("full_total", "全年预算数"),
                        ("full_fiscal", "全年预算数（财政资金）"), ("full_other", "全年预算数（其他资金）"),
                        ("executed_total", "全年执行数"), ("executed_fiscal", "全年执行数（财政资金）"),
                        ("executed_other", "全年执行数（其他资金）"), ("execution_weight", "执行率分值"),
                        ("initial_carry", "年初预算数（上年结转资金）"), ("full_carry", "全年预算数（上年结转资金）"),
                        ("executed_carry", "全年执行数（上年结转资金）")):
        if name in sheet.raw:
            out.append(Issue.at("JX-L03", sheet, name, sheet.raw[name], label=label,
                                unit="分" if name == "execution_weight" else "万元"))
    return out


def score_sheet(sheet: ProjectEval, profile: Profile, forms=None) -> SheetScore:
    weight = sheet.execution_weight if sheet.execution_weight is not None else Decimal(profile.weights.execution)
    rate, ex_score = execution_score(sheet.executed_total or ZERO, sheet.full_total or ZERO, weight)
    result = SheetScore(sheet, rate, ex_score, weight)
    result.pending += _money_findings(sheet)
    for name, label in (("full_total", "全年预算数"), ("executed_total", "全年执行数")):
        if getattr(sheet, name) is None and name not in sheet.raw:
            result.pending.append(_pending(sheet, name, f"{label}未填写，请填写{label}（万元）；填写前不评定等级。"))
    if not sheet.indicators:
        result.pending.append(Issue.make("JX-E06", loc=Loc(sheet=sheet.sheet or "", cell="C" + str(
            (forms or form_set(profile))["selfeval_department" if isinstance(sheet, DepartmentEval)
                                         else "selfeval_project"].blocks[-1]
            .first_row)) if sheet.sheet else None, field="indicators",
            detail="本表没有绩效指标，请填写各项绩效指标（三级指标、年度指标值、实际完成值）。"))
    bands = [(Decimal(t), Decimal(s)) for t, s in profile.satisfaction_bands]
    for ind, (w, shared) in zip(sheet.indicators, _shared_weights(sheet, profile)):
        parsed = parse_indicator_value(ind.target)
        actual = _number(ind.actual)
        level1 = normalize_level1(ind.level1).name or ind.level1
        band = squeeze(ind.band)
        computed, pending = True, None
        needs: list[tuple[str, str]] = []  # (field, what to fill) while the row is 未评
        if "weight" in ind.raw:
            pending = Issue.at("JX-L03", ind, "weight", ind.raw["weight"], label="分值", unit="分")
        elif w is None:
            needs.append(("level1", "选择一级指标（或填写分值）"))
        w = w or ZERO
        score = ZERO
        if parsed.operator in OPERATORS and parsed.number is not None:
            if actual is None and ind.actual is not None:
                pending = pending or Issue.at("JX-L03", ind, "actual", ind.actual, label="实际完成值",
                                              unit=parsed.unit or "与年度指标值相同")
            elif actual is None:
                needs.append(("actual", f"填写实际完成值（年度指标值 {ind.target}）"))
            elif level1 == "满意度指标" and bands and parsed.operator in ("≥", ">"):
                score = satisfaction_score(actual, w, bands)
            else:
                score = indicator_score(parsed.operator, parsed.number, actual, w)
        elif band in BANDS:
            low, high = BANDS[band]
            qualitative = qualitative_score(band, w, ind.score)
            if qualitative is not None:
                score, computed = qualitative, ind.score is None
            elif ind.score is not None:
                pending = pending or Issue.at("JX-E03", ind, "score", ind.score, detail=(
                    f"定性档次“{band}”的得分应在分值的 {low * 100:.0f}%–{high * 100:.0f}% 之间"
                    f"（{low * w:.2f}–{high * w:.2f}），现为 {ind.score}。"))
            else:
                needs.append(("score", f"在得分栏填写 {low * w:.2f} 至 {high * w:.2f}（不含）之间的得分"
                                       f"（定性档次为“{band}”）"))
        elif ind.score is not None and parsed.operator is not None:
            score, computed = min(ind.score, w), False  # a clerk's score for a row scored by hand
        elif parsed.operator is None:
            needs.append(("target", "填写年度指标值（如 ≥95%；定性指标可只选定性档次）"))
            if ind.actual is None:
                needs.append(("actual", "填写实际完成值"))
        else:
            needs.append(("band", "选择定性档次（达成 / 部分达成 / 未达成）"))
        if pending is None and needs:
            pending = _pending(ind, needs[0][0], f"{_name(ind)}未评：请" + "，".join(t for _, t in needs) + "。")
        if pending is not None:
            score, computed = ZERO, False
            result.pending.append(pending)
        result.rows.append(RowScore(ind, level1, ind.level2, parsed.operator, parsed.number, actual, w,
                                    max(score, ZERO), computed, pending, shared))
    return result


def check(ev: SelfEvaluation, scores: list[SheetScore]) -> list[Issue]:
    """JX-E01 … JX-E06 (and JX-L03 for text in number cells) for each scored sheet."""
    issues: list[Issue] = []
    # JX-E01 asks for the reason in 执行率偏低的原因: a jixiao cell the national form does not have
    explain = has_field(eval_forms(ev)["selfeval_project"], "execution_reason")
    for s in scores:
        sheet = s.sheet
        issues += s.pending
        if sheet.executed_total is not None and sheet.full_total is not None:
            if sheet.executed_total > sheet.full_total:
                issues.append(Issue.at("JX-E05", sheet, "executed_total", sheet.executed_total,
                                       detail=f"全年执行数 {sheet.executed_total} 超过全年预算数 {sheet.full_total}，请核对。"))
            elif s.rate < Decimal("0.9") and not squeeze(sheet.execution_reason) and explain:
                # (the national form has no 执行率偏低的原因 cell to explain it in)
                issues.append(Issue.at("JX-E01", sheet, "executed_total", sheet.executed_total,
                                       detail=f"预算执行率 {s.rate * 100:.1f}% 低于 90%，请在“执行率偏低的原因”中说明。"))
        for r in s.rows:
            ind = r.indicator
            if ind.score is not None and ind.score > r.weight:
                issues.append(Issue.at("JX-E02", ind, "score", ind.score,
                                       detail=f"得分 {ind.score} 超过该指标分值 {r.weight}。"))
            if r.operator in OPERATORS and r.target and r.actual is not None and not squeeze(ind.reason):
                ratio = r.actual / r.target
                off = (ratio < 1 or ratio > Decimal("1.2")) if r.operator in ("≥", ">", "=") else ratio > 1
                if off:
                    issues.append(Issue.at("JX-E04", ind, "actual", ind.actual,
                                           detail=f"完成值 {ind.actual} 与目标 {ind.target} 偏离"
                                                  f"（完成 {ratio * 100:.1f}%），请填写偏差原因分析及改进措施。"))
    return issues


@dataclass
class EvalReport:
    evaluation: SelfEvaluation
    department: SheetScore
    projects: list[SheetScore]
    issues: list[Issue]

    @property
    def complete(self) -> bool:
        return all(s.complete for s in (self.department, *self.projects))

    @property
    def pending(self) -> list[Issue]:
        return [i for s in (self.department, *self.projects) for i in s.pending]

    def to_json(self) -> dict[str, Any]:
        """The ``jixiao score --format json`` object (a contract); ``projects`` adds each project sheet.

        ``grade`` is null and ``complete`` false while anything is 未评; ``total`` is then partial.
        """
        def sheet_json(s: SheetScore) -> dict[str, Any]:
            return {"total": f"{s.total:.2f}", "grade": s.grade, "complete": s.complete,
                    "pending": [{"sheet": i.sheet, "cell": i.cell, "code": i.code, "message": i.message}
                                for i in s.pending],
                    "execution": {"rate": f"{s.rate * 100:.2f}", "score": f"{s.execution_score:.2f}",
                                  "weight": f"{s.execution_weight:.2f}"},
                    "indicators": [{"sheet": (r.indicator.loc("score").sheet if r.indicator.loc("score") else None),
                                    "cell": (r.indicator.loc("score").cell if r.indicator.loc("score") else None),
                                    "level1": r.level1, "level2": r.level2, "level3": r.indicator.level3,
                                    "operator": r.operator, "target": None if r.target is None else str(r.target),
                                    "actual": None if r.actual is None else str(r.actual),
                                    "weight": f"{r.weight:.2f}", "score": f"{r.score:.2f}"} for r in s.rows]}

        out = {"unit_code": self.evaluation.unit.code, **sheet_json(self.department)}
        out["projects"] = [{"sheet": p.sheet.sheet, "code": p.sheet.code, "name": p.sheet.name, **sheet_json(p)}
                           for p in self.projects]
        out["issues"] = [i.model_dump() for i in self.issues]
        return out


def score(ev: SelfEvaluation, profile: Profile | None = None) -> EvalReport:
    profile = profile or profile_for(ev)
    forms = eval_forms(ev, profile)
    dept = score_sheet(ev.department, profile, forms)
    projects = [score_sheet(p, profile, forms) for p in ev.projects]
    return EvalReport(ev, dept, projects, check(ev, [dept, *projects]))


def write_scores(source: str | Path, out: str | Path, report: EvalReport) -> Path:
    """A copy of the workbook with the computed 得分 in each scored row (clerks' 定性 scores kept).

    A row left 未评 keeps its 得分 blank, so the sheet's own 评价等级 formula shows 未完成评分
    just as ``score`` does; a weight shared out at scoring time is written into 分值.
    """
    from ..forms.grid import load_for_edit

    guard_output(source, out)
    wb = load_for_edit(source)
    for s in (report.department, *report.projects):
        for r in s.rows:
            loc = r.indicator.loc("score")
            if loc is not None and r.computed and r.pending is None:
                wb[loc.sheet][loc.cell].value = float(r.score)
            wloc = r.indicator.loc("weight")
            if wloc is not None and r.default_weight:
                wb[wloc.sheet][wloc.cell].value = float(r.weight)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return Path(out)


def report_to_file(report: EvalReport, path: str) -> FileReport:
    return FileReport(path=path, unit_code=report.evaluation.unit.code, unit_name=report.evaluation.unit.name,
                      issues=report.issues)
