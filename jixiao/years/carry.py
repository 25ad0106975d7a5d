"""Carry a unit workbook forward to the next budget year (``jixiao carry``).

A county department re-enters most of last year's projects every year. :func:`carry`
makes the new year's workbook from last year's, on the model: 单位信息 kept with the
new year (填表日期 and the reviewers cleared); every project kept with its name,
资金用途, 绩效目标 and indicators; the money and the spending plan emptied for the
clerk, last year's values kept beside them as 上年数 (``Project.prior``, drawn by the
layout's read-only panel, never read back). ``jixiao validate`` on the result lists
what is left to fill (JX-L02).

A 项目编码 in the 21-character 一体化 form carries its year, so last year's code is
emptied (and shown as 上年数) rather than carried into a JX-C02; other codes stay.

On the national 申报表 a 一次性项目, or one whose 项目期 is over, is left behind (named in ``notes``);
the others come as 延续项目 with their 中期 part.

With a scored 自评表 of last year, the 指标值 of continuing projects take last year's
实际完成值, keeping the target's operator and unit (``≥95%`` and an actual ``98%``
give ``≥98%``): how 一体化 proposes 历史值. The 整体支出绩效目标表 (Hunan) takes the
actuals of the 自评表's 部门整体 sheet the same way.

>>> from jixiao.examples import load_example
>>> result = carry(load_example("luanping_xinfang_2026"), 2027)
>>> result.book.unit.year, result.book.projects[0].budget, str(result.book.projects[0].prior["budget"])
(2027, None, '80.00')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import JixiaoError
from ..forms.layouts import (
    DEPARTMENT_SHEET, META_SHEET, OVERALL_SHEET, PROJECT_MASTER_SHEET, TEMPLATE_VERSION, UNIT_SHEET, form_set,
    forms_of,
)
from ..forms.model import Indicator, Project, UnitWorkbook
from ..profiles import Profile, profile_for
from ..forms.values import identity_key, nfkc, parse_decimal, parse_indicator_value

_STRICT_CODE = re.compile(r"^\d{6}(\d{2})[A-Z]\d{12}$")  # the 一体化 form (rules.STRICT_CODE)
_MONEY = ("budget", "fiscal", "other")
_UNIT_CLEARED = ("fill_date", "business_review", "performance_review")
#: the fixes made on the way, as ``jixiao validate --fix`` makes them (the text of names and 指标值 only):
#: last year's hints are not carried into the new year's to-do list
TIDIED = {"JX-X01": "多余的空格或换行", "JX-X02": "控制字符", "JX-T03": "旧指标名称", "JX-V05": "指标值中混有的文字"}
# sheets jixiao itself adds to a copy (校验结果, 支出计划汇总): made again on the new workbook, not lost
_GENERATED_SHEETS = ("校验结果", "_jixiao_marks", "支出计划汇总")


class CarryError(JixiaoError):
    """The workbook cannot be carried to the year asked for (wrong year, a 自评表 of another unit)."""


@dataclass
class CarryResult:
    """The new year's workbook and what the clerk should know about it (Chinese lines)."""

    book: UnitWorkbook
    notes: list[str] = field(default_factory=list)  # what changed on the way (informative)
    lost: list[str] = field(default_factory=list)  # what could not be carried (exit 1)
    codes_cleared: int = 0
    values_from_actuals: int = 0
    ended: list[str] = field(default_factory=list)  # names of the projects left behind (一次性, 项目期 over)

    @property
    def shows_prior(self) -> bool:
        """Whether the new workbook's project form shows last year's values beside the inputs (上年数)."""
        return forms_of(self.book).project.panel is not None

    def emptied(self) -> str:
        """What was emptied for the clerk, and where last year's values are to be seen (one Chinese clause)."""
        what = "金额和支出计划" if forms_of(self.book).project.has_plan else "金额"
        where = "上年数见各项目表右侧" if self.shows_prior else "上年数请对照上年工作簿"
        return f"{what}已清空，{where}"


def _code_for(code: str | None, old_year: int | None) -> str | None:
    """Last year's 项目编码 for the new year: a code that carries last year's year is emptied."""
    match = _STRICT_CODE.match(identity_key(code))
    if match and old_year is not None and match.group(1) == f"{old_year % 100:02d}":
        return None
    return code


def _number(text: str | None) -> Decimal | None:
    if not text:
        return None
    value = parse_decimal(text, percent_sign=True)
    return value if value is not None else parse_indicator_value(text).number


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def value_from_actual(target: str | None, actual: str | None) -> str | None:
    """Last year's 实际完成值 in the form of its 指标值, or ``None`` when it does not fit.

    >>> value_from_actual("≥95%", "98%"), value_from_actual("≤80万元", "78.5"), value_from_actual("效果明显", "好")
    ('≥98%', '≤78.5万元', None)
    """
    parsed = parse_indicator_value(target)
    number = _number(actual)
    if parsed.number is None or number is None or number < 0:
        return None
    folded = nfkc(target or "").strip()
    return _NUMBER.sub(format(number, "f"), folded.replace(",", ""), count=1)


def _carry_project(p: Project, milestones: list[str], old_year: int | None) -> tuple[Project, bool]:
    # what the clerk wrote, typed or not (``80万`` in a money cell is shown as written)
    prior = {name: p.raw.get(name) if getattr(p, name) is None else getattr(p, name) for name in ("code", *_MONEY)}
    prior.update({f"plan.{m}": p.raw.get(f"plan.{m}") if p.plan.get(m) is None else p.plan[m] for m in milestones})
    code = _code_for(p.code, old_year)
    cleared = {*_MONEY, *(f"plan.{m}" for m in p.plan)} | ({"code"} if code is None else set())
    new = Project(code=code, name=p.name, purpose=p.purpose, goals=p.goals,
                  plan={m: None for m in milestones},
                  indicators=[Indicator.model_validate(i.content()) for i in p.indicators],
                  raw={k: v for k, v in p.raw.items() if k not in cleared}, prior=prior)
    if p.period("mid").indicators or p.mid_budget is not None or p.department or p.term or p.attribute:
        # the national 申报表: who and the 中期 (实施期) part span years and carry over; a project carried
        # into its next year is a 延续项目. The 年度 amounts are cleared like every form's.
        new.department, new.implementer, new.term = p.department, p.implementer, p.term
        new.attribute = "延续项目" if p.attribute else None
        new.mid_budget, new.mid_fiscal, new.mid_other, new.mid_goals = p.mid_budget, p.mid_fiscal, p.mid_other, p.mid_goals
        new.mid_indicators = [Indicator.model_validate(i.content()) for i in p.mid_indicators]
    return new, code is None and p.code is not None


_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _ended(p: Project, year: int) -> str | None:
    """Why a project of the national 申报表 does not continue into ``year`` (a Chinese clause), or None.

    A 一次性项目, or one whose 项目期 names no year from ``year`` on ("2025年—2026年"), was carried
    marked 延续项目 with last year's goals and indicators, for the clerk to find and delete.
    """
    if p.attribute and "一次性" in p.attribute:
        return "为一次性项目"
    years = [int(y) for y in _YEAR.findall(nfkc(p.term or ""))]
    if years and max(years) < year:
        return f"的项目期（{p.term}）已结束"
    return None


def _take_actuals(indicators: list[Indicator], rows_of_eval: list, result: CarryResult) -> None:
    """Each indicator's 指标值 from the 自评表 row of the same 三级指标 (the same name twice: in order).

    On the 整体支出 form the 指标值 cell holds the number only (operator and unit sit in their own
    cells), which the same replacement of the number serves.
    """
    rows: dict[str, list] = {}
    for row in rows_of_eval:
        rows.setdefault(identity_key(row.level3), []).append(row)
    for ind in indicators:
        queue = rows.get(identity_key(ind.level3)) if identity_key(ind.level3) else None
        if not queue:
            continue
        value = value_from_actual(ind.value_text, queue.pop(0).actual)
        if value is not None and value != ind.value_text:
            ind.value_text = value
            ind.raw.pop("value_text", None)
            result.values_from_actuals += 1


def _apply_actuals(book: UnitWorkbook, evaluation, result: CarryResult) -> None:
    """指标值 of continuing projects from the 自评表's 实际完成值 (matched by code, then by name)."""
    by_code = {identity_key(e.code): e for e in evaluation.projects if identity_key(e.code)}
    by_name = {identity_key(e.name): e for e in evaluation.projects if identity_key(e.name)}
    used: set[int] = set()
    for project in book.projects:
        old_code = project.prior.get("code")
        ev = by_code.get(identity_key(old_code)) if identity_key(old_code) else None
        ev = ev or by_name.get(identity_key(project.name))
        if ev is None or id(ev) in used:
            continue
        used.add(id(ev))
        _take_actuals(project.indicators, ev.indicators, result)
    if book.overall is not None and evaluation.department.indicators:  # 整体支出: the department's own
        _take_actuals(book.overall.indicators, evaluation.department.indicators, result)
    for ev in evaluation.projects:
        if id(ev) not in used and (ev.name or ev.code) and any(r.actual for r in ev.indicators) \
                and identity_key(ev.name) not in result.ended:  # left behind on purpose: said above
            result.notes.append(f"自评表中的项目“{ev.name or ev.code}”在上年工作簿中没有对应项目，其实际完成值未使用")


def _tidy(book: UnitWorkbook, profile: Profile) -> tuple[UnitWorkbook, dict[str, int]]:
    """A copy of ``book`` with the :data:`TIDIED` fixes made, and how many of each (``book`` is left as it is).

    The fixes name the cells they change, so a model read from a workbook is tidied; one built in code
    (no cells) is carried as it is."""
    from ..checks.fix import plan_fixes

    copy = book.model_copy(deep=True)
    counts = Counter(change.code for change in plan_fixes(copy, profile, codes=tuple(TIDIED)))
    return (copy, {code: counts[code] for code in TIDIED if code in counts}) if counts else (book, {})


def carry(book: UnitWorkbook, year: int, profile: Profile | None = None, evaluation=None) -> CarryResult:
    """The new year's workbook made from last year's ``book`` (pure: no files).

    ``evaluation`` is last year's scored :class:`~jixiao.selfeval.model.SelfEvaluation`, whose
    实际完成值 become the 指标值 of the continuing projects.
    """
    old_year = book.unit.year
    if old_year is not None and year <= old_year:
        raise CarryError(f"新年度 {year} 应晚于上年工作簿的预算年度 {old_year}；请检查 --year 或所选文件")
    if evaluation is not None:
        ev_unit = evaluation.unit
        if identity_key(ev_unit.code) and identity_key(book.unit.code) and identity_key(ev_unit.code) != identity_key(book.unit.code):
            raise CarryError(f"自评表的单位编码“{ev_unit.code}”与工作簿的单位编码“{book.unit.code}”不一致，"
                             "请选择本单位的自评表")
        if ev_unit.year is not None and old_year is not None and ev_unit.year != old_year:
            raise CarryError(f"自评表为 {ev_unit.year} 年度，上年工作簿为 {old_year} 年度；"
                             "请选择与上年工作簿同一年度的自评表")
    profile = profile or profile_for(book)
    book, tidied = _tidy(book, profile)
    milestones = list(profile.milestones)
    unit = book.unit.model_copy(deep=True)
    unit.year = year
    for name in _UNIT_CLEARED:
        setattr(unit, name, None)
    unit.raw = {k: v for k, v in unit.raw.items() if k not in (*_UNIT_CLEARED, "year")}
    new = UnitWorkbook(profile=profile.name, milestones=milestones, unit=unit,
                       department=book.department.model_copy(deep=True),
                       overall=book.overall.model_copy(deep=True) if book.overall is not None else None)
    for task in (new.overall.tasks if new.overall is not None else ()):  # 年度主要任务: this year's money is new
        task.budget = task.fiscal = task.other = None
        task.raw = {k: v for k, v in task.raw.items() if k not in ("budget", "fiscal", "other")}
    new._profile_text = profile.text  # a county's own profile and forms travel on to the new year
    new._forms = form_set(profile, tuple(milestones))  # next year's workbook: the profile's forms now
    new.forms = dict(new._forms.named)
    result = CarryResult(new)
    if tidied:
        result.notes.append(f"已顺带修正 {sum(tidied.values())} 处：" + "、".join(
            f"{TIDIED[code]} {n} 处" for code, n in tidied.items()) + "（与 jixiao validate --fix 相同）")
    if old_year is not None and year - old_year > 1:
        result.notes.append(f"上年工作簿为 {old_year} 年度，与 {year} 年度相隔 {year - old_year} 年")
    dropped = [m for m in book.milestones if m not in milestones]
    if dropped and result.shows_prior and forms_of(new).project.has_plan:
        result.notes.append(f"新模板的资金支出计划没有 {'、'.join(dropped)}，这些时点的上年数未显示")
    for p in book.projects:
        ended = _ended(p, year)
        if ended:
            result.notes.append(f"项目“{p.name or p.sheet}”{ended}，未带入；如今年仍安排，请从上年工作簿复制")
            result.ended.append(identity_key(p.name))
            continue
        carried, cleared = _carry_project(p, milestones, old_year)
        new.projects.append(carried)
        result.codes_cleared += cleared
    if result.codes_cleared:
        where = "上年编码显示在“上年数”中" if result.shows_prior else "上年编码见上年工作簿"
        result.notes.append(f"{result.codes_cleared} 个项目编码含上年年度，已清空（{where}），请填写今年的项目编码")
    if evaluation is not None:
        if not any(r.actual for e in (evaluation.department, *evaluation.projects) for r in e.indicators):
            result.notes.append("自评表中没有填写实际完成值，指标值仍为上年目标值")
        _apply_actuals(new, evaluation, result)
    for name in book.altered_sheets:
        result.lost.append(f"工作表“{name}”的结构被改动，无法按模板读取，其中的项目未带入；请手工补入新工作簿")
    return result


def carry_file(source: str | Path, output: str | Path, year: int, selfeval: str | Path | None = None,
               profile: Profile | None = None) -> CarryResult:
    """Read last year's workbook (and 自评表), carry it, write the new workbook atomically."""
    from ..outputs import guard_output
    from ..forms.grid import open_grid
    from ..forms.reader import read_grid, read_meta
    from ..forms.template import write_workbook

    guard_output(source, output)
    if selfeval is not None:
        guard_output(selfeval, output)
    grid = open_grid(source)
    meta = read_meta(grid)
    book = read_grid(grid)
    evaluation = None
    if selfeval is not None:
        from ..selfeval.reading import read_selfeval

        evaluation = read_selfeval(selfeval)
    result = carry(book, year, profile, evaluation)
    version = meta.get("template_version")
    if version != TEMPLATE_VERSION:
        result.notes.insert(0, f"模板已由第 {version} 版升级为第 {TEMPLATE_VERSION} 版")
    known = {UNIT_SHEET, DEPARTMENT_SHEET, OVERALL_SHEET, PROJECT_MASTER_SHEET, META_SHEET,
             *(p.sheet for p in book.projects), *book.altered_sheets}
    for name in grid.sheet_names:
        if name in known or name.startswith("项目"):  # 项目N left blank: nothing to carry
            continue
        if name in _GENERATED_SHEETS:
            result.notes.append(f"工作表“{name}”由 jixiao 生成，未带入（可在新工作簿中重新生成）")
        else:
            result.lost.append(f"工作表“{name}”不是模板的表，未带入；如需保留请手工复制")
    write_workbook(output, result.book, profile)
    return result
