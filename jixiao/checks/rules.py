"""The rule catalogue's rules for one unit workbook (families L, C, B, P, G, T, V, K, W, X, S).

A rule is a small function over the model, registered with its code and scope;
it yields :class:`~jixiao.checks.issues.Issue` s and never computes a cell address
(locations come from the values). Adding a rule is one function and one
decorator line. Scopes:

- ``unit``: the 单位信息 (``ctx.book.unit``);
- ``project``: one 项目绩效目标表 (``ctx.project``), skipped content rules on 涉密;
- ``indicator``: one row of a project's indicator table (``ctx.project``, ``ctx.row``);
- ``overall``: the 部门整体支出绩效目标表 and its rows;
- ``book``: rules across the workbook (duplicates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from .issues import Issue
from ..forms.layouts import PROJECT_MASTER_SHEET, SheetLayout, forms_of, has_column, has_field
from ..forms.model import Indicator, Located, OverallTargets, Project, UnitWorkbook
from ..profiles import Profile
from ..forms.taxonomy import LEVEL1, allowed_level2, level1_of_level2, normalize_level1, normalize_level2
from ..forms.values import (
    OPERATORS, QUALITATIVE, formula_or_error, identity_key, normalize_operator, parse_decimal, parse_indicator_value,
    squeeze,
)

STRICT_CODE = re.compile(r"^(\d{6})(\d{2})[A-Z](\d{12})$")
UNIT_CODE = re.compile(r"^\d{6}$")
REQUIRED_CATEGORIES = ("产出指标", "效益指标", "满意度指标")
_WS = re.compile(r"[^\S\x0b\x0c\x1c-\x1f]")  # whitespace, but not the control characters JX-X02 reports


@dataclass
class Row:
    """An indicator row with its 一级 / 二级 as they apply (a blank cell inherits the row above)."""

    indicator: Indicator
    level1: str | None  # as written, here or inherited
    level1_from: Indicator  # the row whose cell holds it
    level2: str | None
    level2_from: Indicator
    canonical1: str | None = None
    canonical2: str | None = None


def effective_rows(indicators: list[Indicator], *, cost_under_output: bool = True) -> list[Row]:
    """Rows with inherited levels, as the forms' merged 一级 / 二级 cells mean them."""
    rows: list[Row] = []
    prev: Row | None = None
    for ind in indicators:
        if squeeze(ind.level1):
            l1, l1_from = ind.level1, ind
            inherit2 = False
        elif prev is not None:
            l1, l1_from = prev.level1, prev.level1_from
            inherit2 = True
        else:
            l1, l1_from, inherit2 = None, ind, False
        if squeeze(ind.level2) or not inherit2 or prev is None:
            l2, l2_from = ind.level2, ind
        else:
            l2, l2_from = prev.level2, prev.level2_from
        row = Row(ind, l1, l1_from, l2, l2_from)
        row.canonical1 = normalize_level1(l1).name
        row.canonical2 = normalize_level2(row.canonical1, l2, cost_under_output=cost_under_output).name
        rows.append(row)
        prev = row
    return rows


@dataclass
class Context:
    book: UnitWorkbook
    profile: Profile
    project: Project | None = None
    overall: OverallTargets | None = None
    row: Row | None = None
    rows: list[Row] = field(default_factory=list)
    period: str = "year"  # the indicator table being checked: "year", or "mid" on the national form

    @property
    def layout(self) -> SheetLayout:
        """The project form of the workbook (rules that need a field run only where the form has it)."""
        return forms_of(self.book).project

    @property
    def overall_layout(self) -> SheetLayout:
        return forms_of(self.book).overall

    @property
    def budget(self) -> Decimal | None:
        """The budget a cost indicator is compared with: the project's (of the period), or the unit's on the
        overall form."""
        if self.project is not None:
            return self.project.mid_budget if self.period == "mid" else self.project.budget
        budgets = [p.budget for p in self.book.projects if p.budget is not None]
        return sum(budgets, Decimal(0)) if budgets else None


RuleFn = Callable[[Context], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    code: str
    scope: str
    fn: RuleFn


RULES: list[Rule] = []


def rule(code: str, scope: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function for a catalogue code and a scope."""
    def register(fn: RuleFn) -> RuleFn:
        RULES.append(Rule(code, scope, fn))
        return fn
    return register


def _blank(obj: Located, name: str) -> bool:
    return getattr(obj, name) is None and name not in obj.raw


# --- L: required and numeric fields ----------------------------------------------

_UNIT_REQUIRED = (("code", "单位编码"), ("name", "单位名称"), ("year", "预算年度"))


def _money(ctx: Context) -> list[tuple[str, str]]:
    """The form's money fields with their labels (Hebei: 预算数, 财政资金, 其他资金)."""
    return [(f.name, f.label) for f in ctx.layout.fields if f.kind == "money"]


@rule("JX-L02", "unit")
def unit_required(ctx: Context) -> Iterator[Issue]:
    unit = ctx.book.unit
    for name, label in _UNIT_REQUIRED:
        if _blank(unit, name):
            yield Issue.at("JX-L02", unit, name, label=label)


@rule("JX-L03", "unit")
def unit_year_is_number(ctx: Context) -> Iterator[Issue]:
    unit = ctx.book.unit
    if "year" in unit.raw and not formula_or_error(unit.raw["year"]):
        yield Issue.at("JX-L03", unit, "year", unit.raw["year"], label="预算年度", unit="年，如 2026")


@rule("JX-L02", "project")
def project_required(ctx: Context) -> Iterator[Issue]:
    for name, label in ((f.name, f.label) for f in ctx.layout.fields if f.required):
        if _blank(ctx.project, name):
            yield Issue.at("JX-L02", ctx.project, name, label=label)


@rule("JX-L03", "project")
def money_is_number(ctx: Context) -> Iterator[Issue]:
    for name, label in _money(ctx):
        if name in ctx.project.raw and not formula_or_error(ctx.project.raw[name]):
            yield Issue.at("JX-L03", ctx.project, name, ctx.project.raw[name], label=label,
                           unit=ctx.layout.money_unit or "万元")


@rule("JX-L03", "project")
def project_weights_are_numbers(ctx: Context) -> Iterator[Issue]:
    """A 权重 / 分值 column of the project form (四川, a county's form) takes numbers only, as on the 整体 form."""
    for block in ctx.layout.blocks:
        column = next((c for c in block.columns if c.name == "weight"), None)
        if column is None:
            continue
        for indicator in getattr(ctx.project, block.name, None) or []:
            if "weight" in indicator.raw and not formula_or_error(indicator.raw["weight"]):
                yield Issue.at("JX-L03", indicator, "weight", indicator.raw["weight"], label=column.label, unit="分")


@rule("JX-L01", "book")
def altered_sheets(ctx: Context) -> Iterator[Issue]:
    for name in ctx.book.altered_sheets:
        yield Issue.make("JX-L01", loc=None, detail=f"工作表“{name}”的结构被改动（例如插入或删除了行），无法按模板读取，"
                                                    "其中的项目未被检查；请把内容复制到新的“项目模板”副本中")


@rule("JX-L04", "project")
def filled_master(ctx: Context) -> Iterator[Issue]:
    if ctx.project.sheet == PROJECT_MASTER_SHEET:
        yield Issue.make("JX-L04", loc=ctx.project.loc("code") or ctx.project.loc("budget"))


@rule("JX-L06", "project")
def plan_as_fractions(ctx: Context) -> Iterator[Issue]:
    if ctx.project.plan_fractions:
        yield Issue.make("JX-L06", loc=ctx.project.loc("plan.12月底"), field="plan.12月底")


_ADVICE = {"公式": "请改为直接填写内容（可复制后用“选择性粘贴 → 数值”）。",
           "错误值": "公式引用的单元格可能已被删除或移动，请直接填写正确的内容。"}


def _labels(layout: SheetLayout | None) -> dict[str, str]:
    if layout is None:
        return {}
    labels = {f.name: f.label for f in layout.fields}
    for block in layout.blocks:
        labels.update({c.name: c.label for c in block.columns})
    return labels


def _formulas_and_errors(obj: Located | None, layout: SheetLayout | None) -> Iterator[Issue]:
    if obj is None or not obj.raw:
        return
    labels = _labels(layout)
    for name, raw in obj.raw.items():
        what = formula_or_error(raw)
        if what is not None:
            yield Issue.at("JX-L05", obj, name, raw, label=labels.get(name, name), what=what, advice=_ADVICE[what])


@rule("JX-L05", "unit")
def unit_formulas(ctx: Context) -> Iterator[Issue]:
    forms = forms_of(ctx.book)
    yield from _formulas_and_errors(ctx.book.unit, forms.unit)
    department = ctx.book.department
    yield from _formulas_and_errors(department, forms.department)
    for item in (*department.sub_targets, *department.measures):
        yield from _formulas_and_errors(item, forms.department)


@rule("JX-L05", "project")
def project_formulas(ctx: Context) -> Iterator[Issue]:
    if ctx.project.raw:
        yield from _formulas_and_errors(ctx.project, ctx.layout)


@rule("JX-L05", "indicator")
def indicator_formulas(ctx: Context) -> Iterator[Issue]:
    if ctx.row.indicator.raw:
        layout = ctx.layout if ctx.project is not None else ctx.overall_layout
        yield from _formulas_and_errors(ctx.row.indicator, layout)


@rule("JX-L05", "overall")
def overall_formulas(ctx: Context) -> Iterator[Issue]:
    yield from _formulas_and_errors(ctx.overall, ctx.overall_layout)
    for task in ctx.overall.tasks:
        yield from _formulas_and_errors(task, ctx.overall_layout)


# --- X: stray spaces and line breaks (with a fix) -----------------------------------

def _stray(obj: Located, name: str, label: str) -> Iterator[Issue]:
    value = getattr(obj, name)
    if isinstance(value, str) and _WS.search(value):
        clean = _WS.sub("", value)
        loc = obj.loc(name)
        fix = {"description": f"删除{label}中的空格和换行",
               "changes": [{"sheet": loc.sheet if loc else None, "cell": loc.cell if loc else None,
                            "field": name, "old": value, "new": clean}]}
        yield Issue.make("JX-X01", loc=loc, field=name, value=value, fix=fix, label=label,
                         shown=value.replace("\n", "↵"), clean=clean)


@rule("JX-X01", "unit")
def unit_whitespace(ctx: Context) -> Iterator[Issue]:
    yield from _stray(ctx.book.unit, "code", "单位编码")
    yield from _stray(ctx.book.unit, "name", "单位名称")


@rule("JX-X01", "project")
def project_whitespace(ctx: Context) -> Iterator[Issue]:
    yield from _stray(ctx.project, "code", "项目编码")
    yield from _stray(ctx.project, "name", "项目名称")


@rule("JX-X01", "indicator")
def indicator_whitespace(ctx: Context) -> Iterator[Issue]:
    for name, label in (("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标")):
        yield from _stray(ctx.row.indicator, name, label)


def _text_objects(book: UnitWorkbook) -> Iterator[tuple[Located, dict[str, str]]]:
    """Every object read from a sheet, with the labels of its fields."""
    forms = forms_of(book)
    yield book.unit, _labels(forms.unit)
    department = _labels(forms.department)
    for obj in (book.department, *book.department.sub_targets, *book.department.measures):
        yield obj, department
    if len(book.milestones) in (3, 4) or not forms.project.has_plan:
        project = _labels(forms.project)
        for p in book.projects:
            for obj in (p, *p.indicators, *p.mid_indicators):
                yield obj, project
    if book.overall is not None:
        overall = _labels(forms.overall)
        for obj in (book.overall, *book.overall.indicators, *book.overall.tasks):
            yield obj, overall


@rule("JX-X02", "book")
def control_characters(ctx: Context) -> Iterator[Issue]:
    """Control characters pasted from Word (vertical tab …): invisible, and they break the Word export."""
    from ..forms.textsafe import clean_control, control_names, has_control, visible

    for obj, labels in _text_objects(ctx.book):
        for name, loc in obj.cells.items():
            value = getattr(obj, name, None)
            if not has_control(value):
                continue
            label = labels.get(name, "单元格内容")
            clean = clean_control(value)
            fix = {"description": f"删除{label}中的控制字符（垂直制表符、换页符改为换行）",
                   "changes": [{"sheet": loc.sheet, "cell": loc.cell, "field": name, "old": value, "new": clean}]}
            yield Issue.make("JX-X02", loc=loc, field=name, value=value, fix=fix, label=label,
                             chars=control_names(value), shown=visible(value))


# --- C: codes ------------------------------------------------------------------------

@rule("JX-C04", "unit")
def unit_code_form(ctx: Context) -> Iterator[Issue]:
    code = squeeze(ctx.book.unit.code)
    if code and not UNIT_CODE.match(code):
        yield Issue.at("JX-C04", ctx.book.unit, "code", ctx.book.unit.code)


@rule("JX-C01", "project")
def project_code_form(ctx: Context) -> Iterator[Issue]:
    code = squeeze(ctx.project.code)
    if ctx.profile.strict_project_code and code and has_field(ctx.layout, "code") and not STRICT_CODE.match(code):
        yield Issue.at("JX-C01", ctx.project, "code", ctx.project.code)


@rule("JX-C02", "project")
def project_code_matches_unit(ctx: Context) -> Iterator[Issue]:
    match = STRICT_CODE.match(squeeze(ctx.project.code))
    if not match or not has_field(ctx.layout, "code"):
        return
    unit = ctx.book.unit
    region = squeeze(unit.region_code)
    if region and match.group(1) != region:
        yield Issue.at("JX-C02", ctx.project, "code", ctx.project.code, what="区划码", found=match.group(1),
                       expected_label="单位的地区编码", expected=region)
    if unit.year is not None and match.group(2) != f"{unit.year % 100:02d}":
        yield Issue.at("JX-C02", ctx.project, "code", ctx.project.code, what="年度", found=match.group(2),
                       expected_label="预算年度", expected=str(unit.year))


@rule("JX-C03", "book")
def duplicate_project_codes(ctx: Context) -> Iterator[Issue]:
    seen: dict[str, Project] = {}
    for project in ctx.book.projects:
        code = identity_key(project.code)
        if not code:
            continue
        if code in seen:
            first = seen[code]
            yield Issue.at("JX-C03", project, "code", project.code, other=first.sheet or "另一项目表")
        else:
            seen[code] = project


# --- B: money ------------------------------------------------------------------------

def sum_of_sources(obj: Located, labels: dict[str, str], prefix: str = "") -> Iterator[Issue]:
    """JX-B01 on one set of amounts: ``prefix + budget`` = ``fiscal`` + ``other`` (a period, a 年度主要任务).

    Only where the form splits the amount: a form with a 预算数 and no 财政拨款 / 其他资金 cells (四川) has
    nothing to add up.
    """
    if prefix + "fiscal" not in labels and prefix + "other" not in labels:
        return
    budget, fiscal, other = (getattr(obj, prefix + n) for n in ("budget", "fiscal", "other"))
    if budget is None or prefix + "fiscal" in obj.raw or prefix + "other" in obj.raw:
        return
    total = (fiscal or Decimal(0)) + (other or Decimal(0))
    if budget != total:
        yield Issue.at("JX-B01", obj, prefix + "budget", f"{budget:.2f}", fiscal=f"{fiscal or 0:.2f}",
                       other=f"{other or 0:.2f}", sum=f"{total:.2f}", diff=f"{budget - total:.2f}",
                       label=labels[prefix + "budget"], fiscal_label=labels.get(prefix + "fiscal", "财政拨款"),
                       other_label=labels.get(prefix + "other", "其他资金"))


@rule("JX-B01", "project")
def budget_is_sum_of_sources(ctx: Context) -> Iterator[Issue]:
    labels = dict(_money(ctx))
    for period in ctx.project.periods():
        yield from sum_of_sources(ctx.project, labels, period.prefix)


@rule("JX-B02", "project")
def amounts_not_negative(ctx: Context) -> Iterator[Issue]:
    for name, label in _money(ctx):
        value = getattr(ctx.project, name)
        if value is not None and value < 0:
            yield Issue.at("JX-B02", ctx.project, name, value, label=label)


@rule("JX-B03", "project")
def amounts_two_decimals(ctx: Context) -> Iterator[Issue]:
    """Cents of the unit the form prints: 0.01 万元, or 0.01 元 on a form in 元 (shown as typed)."""
    layout = ctx.layout
    scales = {f.name: f.scale for f in layout.fields}
    for name, label in _money(ctx):
        value = getattr(ctx.project, name)
        shown = value.scaleb(scales.get(name, 0)) if value is not None else None
        if shown is not None and shown != shown.quantize(Decimal("0.01")):
            yield Issue.at("JX-B03", ctx.project, name, shown, label=label, unit=layout.money_unit)


# --- P: spending plan ----------------------------------------------------------------

def _plan(ctx: Context) -> list[tuple[str, Decimal | None]]:
    """The milestones and their percent; none where the unit's form has no 资金支出计划 (the national forms)."""
    if not forms_of(ctx.book).project.has_plan:
        return []
    return [(m, ctx.project.plan.get(m)) for m in ctx.book.milestones]


@rule("JX-P01", "project")
def plan_percent_valid(ctx: Context) -> Iterator[Issue]:
    p = ctx.project
    for m, value in _plan(ctx):
        key = f"plan.{m}"
        if key in p.raw and formula_or_error(p.raw[key]):
            continue  # JX-L05 says what it is
        if key in p.raw:
            yield Issue.at("JX-P01", p, key, p.raw[key], milestone=m, problem=f"“{p.raw[key]}”不是数字")
        elif value is None:
            yield Issue.at("JX-P01", p, key, None, milestone=m, problem="未填写")
        elif not (0 <= value <= 100):
            yield Issue.at("JX-P01", p, key, value, milestone=m, problem=f"为 {value}%，超出 0–100")


@rule("JX-P02", "project")
def plan_cumulative(ctx: Context) -> Iterator[Issue]:
    previous: tuple[str, Decimal] | None = None
    for m, value in _plan(ctx):
        if value is None:
            continue
        if previous is not None and value < previous[1]:
            yield Issue.at("JX-P02", ctx.project, f"plan.{m}", value, milestone=m, previous=previous[0],
                           previous_value=previous[1])
        previous = (m, value)


@rule("JX-P03", "project")
def plan_ends_at_100(ctx: Context) -> Iterator[Issue]:
    if "12月底" not in ctx.book.milestones or not forms_of(ctx.book).project.has_plan:
        return
    value = ctx.project.plan.get("12月底")
    if value is not None and value != 100:
        yield Issue.at("JX-P03", ctx.project, "plan.12月底", value)


@rule("JX-P04", "project")
def plan_keeps_pace(ctx: Context) -> Iterator[Issue]:
    for m, value in _plan(ctx):
        target = ctx.profile.progress.get(m)
        if value is not None and target is not None and 0 <= value < target:
            yield Issue.at("JX-P04", ctx.project, f"plan.{m}", value, milestone=m, target=target)


# --- G / S: goals, purpose, 涉密 -------------------------------------------------------

@rule("JX-S01", "project")
def classified(ctx: Context) -> Iterator[Issue]:
    if ctx.project.classified:
        yield Issue.at("JX-S01", ctx.project, "purpose", ctx.project.purpose)


@rule("JX-G01", "project_content")
def goals_present(ctx: Context) -> Iterator[Issue]:
    name = "mid_goals" if ctx.period == "mid" else "goals"
    if not squeeze(getattr(ctx.project, name)):
        if ctx.period == "mid":
            yield Issue.at("JX-G01", ctx.project, name, label="中期目标", what="中期（实施期）绩效目标")
        else:
            yield Issue.at("JX-G01", ctx.project, name, label=ctx.layout.field("goals").label, what="年度绩效目标")


@rule("JX-G02", "project_content")
def purpose_present(ctx: Context) -> Iterator[Issue]:
    if ctx.period != "year" or not has_field(ctx.layout, "purpose"):
        return
    if not squeeze(ctx.project.purpose):
        yield Issue.at("JX-G02", ctx.project, "purpose")


# --- T: taxonomy ---------------------------------------------------------------------

def _alias_fix(obj: Indicator, name: str, alias: str, canonical: str) -> dict:
    loc = obj.loc(name)
    return {"description": f"把“{alias}”改为规范名称“{canonical}”",
            "changes": [{"sheet": loc.sheet if loc else None, "cell": loc.cell if loc else None,
                         "field": name, "old": getattr(obj, name), "new": canonical}]}


@rule("JX-T01", "indicator")
def level1_known(ctx: Context) -> Iterator[Issue]:
    row = ctx.row
    if row.level1_from is not row.indicator and row.level1 is not None:
        return  # inherited: judged where it is written
    if row.canonical1 is None:
        value = row.indicator.level1
        if not squeeze(value):
            hint = "为空"
        elif level1_of_level2(value):
            hint = f"是二级指标名称（属于“{level1_of_level2(value)}”），应填在二级指标列"
        else:
            hint = "不在指标体系中"
        yield Issue.at("JX-T01", row.indicator, "level1", value, hint=hint, allowed="、".join(LEVEL1))


@rule("JX-T02", "indicator")
def level2_belongs(ctx: Context) -> Iterator[Issue]:
    row = ctx.row
    if row.canonical1 is None or row.level2_from is not row.indicator or row.canonical2 is not None:
        return
    value = row.indicator.level2
    owner = level1_of_level2(value)
    hint = "（二级指标为空）" if not squeeze(value) else (f"（它属于“{owner}”）" if owner else "")
    allowed = allowed_level2(row.canonical1, cost_under_output=ctx.profile.cost_under_output)
    yield Issue.at("JX-T02", row.indicator, "level2", value, level1=row.canonical1, hint=hint,
                   allowed="、".join(allowed))


@rule("JX-T03", "indicator")
def legacy_names(ctx: Context) -> Iterator[Issue]:
    row, ind = ctx.row, ctx.row.indicator
    if row.level1_from is ind and row.canonical1:
        alias = normalize_level1(ind.level1).alias
        if alias:
            yield Issue.at("JX-T03", ind, "level1", ind.level1, canonical=row.canonical1,
                           fix=_alias_fix(ind, "level1", ind.level1, row.canonical1))
    if row.level2_from is ind and row.canonical2:
        alias = normalize_level2(row.canonical1, ind.level2,
                                 cost_under_output=ctx.profile.cost_under_output).alias
        if alias:
            yield Issue.at("JX-T03", ind, "level2", ind.level2, canonical=row.canonical2,
                           fix=_alias_fix(ind, "level2", ind.level2, row.canonical2))


def _categories(ctx: Context, owner: Located, scope: str) -> Iterator[Issue]:
    present = {r.canonical1 for r in ctx.rows}
    missing = [c for c in REQUIRED_CATEGORIES if c not in present]
    if missing:
        first = ctx.rows[0].indicator if ctx.rows else None
        obj, name = (first, "level1") if first is not None else (owner, "name")
        yield Issue.at("JX-T04", obj, name, None, scope=scope, missing="、".join(missing))


@rule("JX-T04", "project_content")
def project_categories(ctx: Context) -> Iterator[Issue]:
    if len(ctx.project.periods()) > 1:  # each period's table is checked on its own
        scope = "本项目中期指标" if ctx.period == "mid" else "本项目年度指标"
    else:
        scope = "本项目"
    yield from _categories(ctx, ctx.project, scope)


@rule("JX-T05", "indicator")
def level3_present(ctx: Context) -> Iterator[Issue]:
    if not squeeze(ctx.row.indicator.level3):
        yield Issue.at("JX-T05", ctx.row.indicator, "level3")


def _duplicates(ctx: Context) -> Iterator[Issue]:
    seen: dict[str, Indicator] = {}
    for row in ctx.rows:
        name = squeeze(row.indicator.level3)
        if not name:
            continue
        if name in seen:
            other = seen[name].loc("level3")
            yield Issue.at("JX-T06", row.indicator, "level3", row.indicator.level3,
                           other=other.cell if other else "上文")
        else:
            seen[name] = row.indicator


@rule("JX-T06", "project_content")
def project_duplicate_level3(ctx: Context) -> Iterator[Issue]:
    yield from _duplicates(ctx)


# --- V / K: values and cost ------------------------------------------------------------

_PERCENT_HINTS = ("率", "满意度", "比例", "占比", "%")


def _proposal(operator: str, number: Decimal, rest: str) -> tuple[str, str | None]:
    unit = "%" if any(h in rest for h in _PERCENT_HINTS) else None
    return f"{'' if operator == '=' else operator}{number}{unit or ''}", unit


def _moved_description(ind: Indicator, rest: str) -> str:
    rest = rest.strip().rstrip("。.")
    return f"{ind.description}（{rest}）" if squeeze(ind.description) else rest


def _change(obj: Indicator, name: str, new: str | None) -> dict:
    loc = obj.loc(name)
    return {"sheet": loc.sheet if loc else None, "cell": loc.cell if loc else None, "field": name,
            "old": getattr(obj, name), "new": new}


@rule("JX-V01", "indicator")
def value_present(ctx: Context) -> Iterator[Issue]:
    if not squeeze(ctx.row.indicator.value_text):
        yield Issue.at("JX-V01", ctx.row.indicator, "value_text")


@rule("JX-V02", "indicator")
def value_number(ctx: Context) -> Iterator[Issue]:
    ind = ctx.row.indicator
    parsed = ind.parsed()
    if parsed.operator in OPERATORS and parsed.number is None and squeeze(ind.value_text) \
            and parse_indicator_value(ind.value_text).number is None:
        yield Issue.at("JX-V02", ind, "value_text", ind.value_text)


@rule("JX-V03", "indicator")
def value_unit(ctx: Context) -> Iterator[Issue]:
    ind = ctx.row.indicator
    parsed = ind.parsed()
    if parsed.operator in OPERATORS and parsed.number is not None and not parsed.unit and not parsed.rest:
        field_ = "measure_unit" if ind.value_type is not None else "value_text"
        yield Issue.at("JX-V03", ind, field_, ind.value_text)


@rule("JX-V04", "indicator")
def qualitative_has_no_unit(ctx: Context) -> Iterator[Issue]:
    ind = ctx.row.indicator
    if ind.value_type is not None and normalize_operator(ind.value_type) == QUALITATIVE and squeeze(ind.measure_unit):
        yield Issue.at("JX-V04", ind, "measure_unit", ind.measure_unit)


@rule("JX-V05", "indicator")
def value_mixed_text(ctx: Context) -> Iterator[Issue]:
    ind = ctx.row.indicator
    if ind.value_type is None:
        parsed = parse_indicator_value(ind.value_text)
        if parsed.number is None or not parsed.rest:
            return
        proposal, _ = _proposal(parsed.operator or "=", parsed.number, parsed.rest)
        changes = [_change(ind, "value_text", proposal),
                   _change(ind, "description", _moved_description(ind, parsed.rest))]
    else:
        op = normalize_operator(ind.value_type)
        if op not in OPERATORS or parse_decimal(ind.value_text) is not None:
            return
        parsed = parse_indicator_value(ind.value_text)
        if parsed.number is None or (not parsed.rest and not parsed.unit):
            return
        proposal = f"{parsed.number}"
        changes = [_change(ind, "value_text", proposal)]
        if parsed.unit and not squeeze(ind.measure_unit):
            changes.append(_change(ind, "measure_unit", parsed.unit))
        if parsed.rest:
            changes.append(_change(ind, "explanation", _moved_description_field(ind, parsed.rest)))
    split = {"operator": parsed.operator, "number": str(parsed.number), "unit": parsed.unit, "rest": parsed.rest}
    yield Issue.at("JX-V05", ind, "value_text", ind.value_text, rest=parsed.rest, proposal=proposal,
                   fix={"description": f"指标值改为“{proposal}”，说明文字移到描述", "split": split,
                        "changes": changes})


def _moved_description_field(ind: Indicator, rest: str) -> str:
    rest = rest.strip().rstrip("。.")
    return f"{ind.explanation}（{rest}）" if squeeze(ind.explanation) else rest


@rule("JX-V06", "indicator")
def value_type_valid(ctx: Context) -> Iterator[Issue]:
    ind = ctx.row.indicator
    if ind.value_type is not None and normalize_operator(ind.value_type) is None:
        yield Issue.at("JX-V06", ind, "value_type", ind.value_type)


@rule("JX-V07", "indicator")
def percent_range(ctx: Context) -> Iterator[Issue]:
    parsed = ctx.row.indicator.parsed()
    if parsed.unit == "%" and parsed.number is not None and not (0 <= parsed.number <= 100):
        yield Issue.at("JX-V07", ctx.row.indicator, "value_text", ctx.row.indicator.value_text)


@rule("JX-V08", "indicator")
def basis_present(ctx: Context) -> Iterator[Issue]:
    ind = ctx.row.indicator
    if ctx.overall is not None:
        if has_column(ctx.overall_layout, "explanation") and not squeeze(ind.explanation):
            yield Issue.at("JX-V08", ind, "explanation", label="指标解释")
    elif has_column(ctx.layout, "basis") and not squeeze(ind.basis):
        yield Issue.at("JX-V08", ind, "basis", label="指标值确定依据")


def _is_cost(row: Row) -> bool:
    return row.canonical1 == "成本指标" or row.canonical2 == "成本指标"


def _in_wan(number: Decimal, unit: str | None) -> Decimal | None:
    if unit == "万元":
        return number
    if unit == "元":
        return number / Decimal(10000)
    if unit == "亿元":
        return number * Decimal(10000)
    return None


@rule("JX-K01", "indicator")
def cost_within_budget(ctx: Context) -> Iterator[Issue]:
    parsed = ctx.row.indicator.parsed()
    budget = ctx.budget
    if not _is_cost(ctx.row) or parsed.number is None or budget is None:
        return
    amount = _in_wan(parsed.number, parsed.unit)
    if amount is not None and amount > budget:
        if ctx.project is None:
            label = "各项目预算数合计"
        else:
            label = ctx.layout.field("mid_budget" if ctx.period == "mid" else "budget").label
            label = "项目预算数" if label == "预算数" else label
        yield Issue.at("JX-K01", ctx.row.indicator, "value_text", ctx.row.indicator.value_text,
                       amount=f"{amount:.2f}", budget_label=label, budget=f"{budget:.2f}")


@rule("JX-K02", "indicator")
def cost_direction(ctx: Context) -> Iterator[Issue]:
    parsed = ctx.row.indicator.parsed()
    if _is_cost(ctx.row) and parsed.number is not None and _in_wan(parsed.number, parsed.unit) is not None \
            and parsed.operator not in ("≤", "<"):
        field_ = "value_type" if ctx.row.indicator.value_type is not None else "value_text"
        yield Issue.at("JX-K02", ctx.row.indicator, field_, parsed.operator)


# --- overall form ------------------------------------------------------------------------

@rule("JX-T04", "overall")
def overall_categories(ctx: Context) -> Iterator[Issue]:
    yield from _categories(ctx, ctx.overall, "整体支出绩效目标表")


@rule("JX-T06", "overall")
def overall_duplicate_level3(ctx: Context) -> Iterator[Issue]:
    yield from _duplicates(ctx)


@rule("JX-W01", "overall")
def weights_total(ctx: Context) -> Iterator[Issue]:
    total = ctx.profile.indicator_weight_total
    weighted = [r.indicator for r in ctx.rows if r.indicator.weight is not None]
    if total is None or not weighted:
        return
    got = sum((i.weight for i in weighted), Decimal(0))
    if got != total:
        yield Issue.at("JX-W01", weighted[0], "weight", got, total=total)


@rule("JX-L03", "overall")
def weights_are_numbers(ctx: Context) -> Iterator[Issue]:
    for row in ctx.rows:
        if "weight" in row.indicator.raw and not formula_or_error(row.indicator.raw["weight"]):
            yield Issue.at("JX-L03", row.indicator, "weight", row.indicator.raw["weight"], label="分值", unit="分")
