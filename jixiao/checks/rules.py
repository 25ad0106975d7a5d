"""The rules on a workbook's fields and money: families L (required, numeric, formulas), X (stray
spaces, control characters), C (codes), B (money) and P (spending plan).

Goals and indicator tables are :mod:`.content_rules`; what a rule is, :mod:`.context`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterator

from .context import Context, blank_field, field_labels, money_fix, rule, unit_fix
from .issues import Issue
from ..forms.layouts import PROJECT_MASTER_SHEET, SheetLayout, forms_of, has_field
from ..forms.model import Located, Project, UnitWorkbook
from ..forms.values import formula_or_error, identity_key, squeeze

STRICT_CODE = re.compile(r"^(\d{6})(\d{2})[A-Z](\d{12})$")
UNIT_CODE = re.compile(r"^\d{6}$")
_WS = re.compile(r"[^\S\x0b\x0c\x1c-\x1f]")  # whitespace, but not the control characters JX-X02 reports


# --- L: required and numeric fields ----------------------------------------------

_UNIT_REQUIRED = (("code", "单位编码"), ("name", "单位名称"), ("year", "预算年度"))


def _money(ctx: Context) -> list[tuple[str, str]]:
    """The form's money fields with their labels (Hebei: 预算数, 财政资金, 其他资金)."""
    return [(f.name, f.label) for f in ctx.layout.fields if f.kind == "money"]


@rule("JX-L02", "unit")
def unit_required(ctx: Context) -> Iterator[Issue]:
    unit = ctx.book.unit
    for name, label in _UNIT_REQUIRED:
        if blank_field(unit, name):
            yield Issue.at("JX-L02", unit, name, label=label)


@rule("JX-L03", "unit")
def unit_year_is_number(ctx: Context) -> Iterator[Issue]:
    unit = ctx.book.unit
    if "year" in unit.raw and not formula_or_error(unit.raw["year"]):
        yield Issue.at("JX-L03", unit, "year", unit.raw["year"], label="预算年度", unit="年，如 2026",
                       fix=unit_fix(unit, "year", unit.raw["year"], ("年",), whole=True))


@rule("JX-L02", "project")
def project_required(ctx: Context) -> Iterator[Issue]:
    for name, label in ((f.name, f.label) for f in ctx.layout.fields if f.required):
        if blank_field(ctx.project, name):
            yield Issue.at("JX-L02", ctx.project, name, label=label)


@rule("JX-L03", "project")
def money_is_number(ctx: Context) -> Iterator[Issue]:
    scales = {f.name: f.scale for f in ctx.layout.fields}
    for name, label in _money(ctx):
        if name in ctx.project.raw and not formula_or_error(ctx.project.raw[name]):
            typed = ctx.project.raw[name]
            # 80万元 in a 万元 cell: the fix keeps 80; in a 元 cell (四川) it writes 800000: the clerk said 万元
            fix = money_fix(ctx.project, name, typed, scales.get(name, 0))
            yield Issue.at("JX-L03", ctx.project, name, typed, label=label, unit=ctx.layout.money_unit or "万元",
                           fix=fix)


@rule("JX-L03", "project")
def project_weights_are_numbers(ctx: Context) -> Iterator[Issue]:
    """A 权重 / 分值 column of the project form (四川, a county's form) takes numbers only, as on the 整体 form."""
    for block in ctx.layout.blocks:
        column = next((c for c in block.columns if c.name == "weight"), None)
        if column is None:
            continue
        for indicator in getattr(ctx.project, block.name, None) or []:
            if "weight" in indicator.raw and not formula_or_error(indicator.raw["weight"]):
                typed = indicator.raw["weight"]
                yield Issue.at("JX-L03", indicator, "weight", typed, label=column.label, unit="分",
                               fix=unit_fix(indicator, "weight", typed, ("分",)))


@rule("JX-L01", "book")
def altered_sheets(ctx: Context) -> Iterator[Issue]:
    for name in ctx.book.altered_sheets:
        yield Issue.make("JX-L01", loc=None, detail=f"工作表“{name}”的结构被改动（例如插入或删除了行），无法按模板读取，"
                                                    "其中的项目未被检查；请把内容复制到新的“项目模板”副本中")


@rule("JX-L04", "project")
def filled_master(ctx: Context) -> Iterator[Issue]:
    if ctx.project.sheet == PROJECT_MASTER_SHEET:
        yield Issue.make("JX-L04", loc=ctx.project.loc("code") or ctx.project.loc("budget"))


@rule("JX-L07", "project")
def hidden_project(ctx: Context) -> Iterator[Issue]:
    # the hidden 项目模板 filled in is JX-L04's; any other hidden project sheet is counted but not printed
    if ctx.project.hidden and ctx.project.sheet != PROJECT_MASTER_SHEET:
        yield Issue.make("JX-L07", loc=ctx.project.loc("code") or ctx.project.loc("name") or ctx.project.loc("budget"),
                         sheet=ctx.project.sheet)


@rule("JX-L06", "project")
def plan_as_fractions(ctx: Context) -> Iterator[Issue]:
    if ctx.project.plan_fractions:
        yield Issue.make("JX-L06", loc=ctx.project.loc("plan.12月底"), field="plan.12月底")


_ADVICE = {"公式": "请改为直接填写内容（可复制后用“选择性粘贴 → 数值”）。",
           "错误值": "公式引用的单元格可能已被删除或移动，请直接填写正确的内容。"}


def _formulas_and_errors(obj: Located | None, layout: SheetLayout | None) -> Iterator[Issue]:
    if obj is None or not obj.raw:
        return
    labels = field_labels(layout)
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
    yield book.unit, field_labels(forms.unit)
    department = field_labels(forms.department)
    for obj in (book.department, *book.department.sub_targets, *book.department.measures):
        yield obj, department
    if len(book.milestones) in (3, 4) or not forms.project.has_plan:
        project = field_labels(forms.project)
        for p in book.projects:
            for obj in (p, *p.indicators, *p.mid_indicators):
                yield obj, project
    if book.overall is not None:
        overall = field_labels(forms.overall)
        for obj in (book.overall, *book.overall.indicators, *book.overall.tasks):
            yield obj, overall


@rule("JX-X02", "book")
def control_characters(ctx: Context) -> Iterator[Issue]:
    """Control characters pasted from Word (vertical tab …): invisible, and they break the Word export."""
    from ..forms.textsafe import CONTROL, clean_control, control_names, has_control, visible

    objects = list(_text_objects(ctx.book))
    texts = [v for obj, _ in objects for name in obj.cells if (v := getattr(obj, name, None)).__class__ is str]
    if not CONTROL.search("\n".join(texts)):
        return  # the common case, told by one search instead of one a cell
    for obj, labels in objects:
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
        detail = "，请核对"
        if code.isascii() and code.isdigit() and len(code) < 6:  # 004001 typed into a General cell is 4001
            detail = (f"；开头的 0 可能被 Excel 去掉了（单元格为“常规”或数值格式时会这样）：请把该格设为“文本”格式后"
                      f"重新输入，如 {code.zfill(6)}")
        yield Issue.at("JX-C04", ctx.book.unit, "code", ctx.book.unit.code, detail=detail)


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

#: 0.01 元 in 万元: amounts that differ by less are the same money. A float's noise is far below it
#: (Excel saves =0.1+0.2 as 0.30000000000000004), a real slip (10.001 against 5 + 5) far above. The
#: forms' red mark for JX-B01 rounds the same way: ROUND(预算数-财政资金-其他资金,6)<>0 on a form in
#: 万元 (,2 on one in 元), so a clerk sees red exactly where the 校验 reports.
FEN = Decimal("0.000001")


def differs(a: Decimal, b: Decimal) -> bool:
    """``a`` and ``b`` are not the same money: their difference, rounded as Excel's ROUND to 0.01 元, is not 0."""
    return (a - b).quantize(FEN, rounding=ROUND_HALF_UP) != 0


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
    if differs(budget, total):
        # two decimals as on the form, more when the amounts have them: 120.123456 against 120.12 read
        # “120.12 不等于 … = 120.12，相差 0.00 万元”
        def money(amount: Decimal) -> str:
            return f"{amount:.{max(2, -amount.normalize().as_tuple().exponent)}f}"

        yield Issue.at("JX-B01", obj, prefix + "budget", money(budget), fiscal=money(fiscal or Decimal(0)),
                       other=money(other or Decimal(0)), sum=money(total), diff=money(budget - total),
                       label=labels[prefix + "budget"], fiscal_label=labels.get(prefix + "fiscal", "财政拨款"),
                       other_label=labels.get(prefix + "other", "其他资金"))


@rule("JX-B01", "project")
def budget_is_sum_of_sources(ctx: Context) -> Iterator[Issue]:
    labels = dict(_money(ctx))
    for period in ctx.project.periods():
        yield from sum_of_sources(ctx.project, labels, period.prefix)


def as_typed(amount: Decimal) -> Decimal:
    """An amount as the clerk typed it: ``-1`` (a cell engine's ``-1.0``), ``-12.5``, ``-5000``."""
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()


@rule("JX-B02", "project")
def amounts_not_negative(ctx: Context) -> Iterator[Issue]:
    """The amount as the form shows it: ``-5000`` on a form in 元, never the model's ``-0.50000`` 万元."""
    scales = {f.name: f.scale for f in ctx.layout.fields}
    for name, label in _money(ctx):
        value = getattr(ctx.project, name)
        if value is not None and value < 0:
            yield Issue.at("JX-B02", ctx.project, name, as_typed(value.scaleb(scales.get(name, 0))), label=label)


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


@rule("JX-B05", "project")
def amounts_typed_in_yuan(ctx: Context) -> Iterator[Issue]:
    """An amount in 万元 of 10 亿 or more (``large_amount``): 800000 typed for 80 万元 on a form in 万元. Only
    on forms in 万元 (a form in 元 expects such numbers); 亿 and the 万元 it would be are said, exact."""
    if ctx.layout.money_unit != "万元":
        return
    limit = ctx.profile.large_amount
    for name, label in _money(ctx):
        value = getattr(ctx.project, name)
        if value is not None and value >= limit:
            yield Issue.at("JX-B05", ctx.project, name, as_typed(value), label=label,
                           yi=as_typed(value / 10000))


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
