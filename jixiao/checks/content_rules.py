"""The rules on a project's content: 涉密 (S), goals and purpose (G), the indicator taxonomy (T),
indicator values and cost (V, K), and the 部门整体 form's weights (W).

The fields and the money are :mod:`.rules`; what a rule is, :mod:`.context`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from .context import Context, Row, field_labels, rule, unit_fix
from .issues import Issue
from ..forms.layouts import has_column, has_field
from ..forms.model import Indicator, Located
from ..forms.taxonomy import LEVEL1, allowed_level2, level1_of_level2, normalize_level1, normalize_level2
from ..forms.values import (
    OPERATORS, QUALITATIVE, formula_or_error, in_money_unit, nfkc, normalize_operator, parse_decimal,
    parse_indicator_value, squeeze,
)

REQUIRED_CATEGORIES = ("产出指标", "效益指标", "满意度指标")


# --- G / S: goals, purpose, 涉密 -------------------------------------------------------

@rule("JX-S01", "project")
def classified(ctx: Context) -> Iterator[Issue]:
    name = ctx.project.classified_field
    if name is not None:
        yield Issue.at("JX-S01", ctx.project, name, getattr(ctx.project, name))


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


def _proposal(operator: str, number: Decimal, rest: str, unit: str | None = None) -> tuple[str, str | None]:
    # the unit typed after the number stays with it ("≥90次及时办结" → "≥90次", never "≥90")
    unit = unit or ("%" if any(h in rest for h in _PERCENT_HINTS) else None)
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
        proposal, _ = _proposal(parsed.operator or "=", parsed.number, parsed.rest, parsed.unit)
        changes = [_change(ind, "value_text", proposal),
                   _change(ind, "description", _moved_description(ind, parsed.rest))]
        what, rest, advice = "说明文字", parsed.rest, "文字移到绩效指标描述"
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
            what, rest, advice = "说明文字", parsed.rest, "文字移到指标解释"
        elif squeeze(ind.measure_unit) and squeeze(nfkc(ind.measure_unit)) != parsed.unit:
            # "≥95%" beside 计量单位 人次: which one the clerk meant is theirs to say; the fix made it 95 人次
            what, rest = "单位", parsed.unit
            advice = f"并核对单位：计量单位列填的是“{ind.measure_unit}”，只在计量单位列填写正确的单位"
            yield Issue.at("JX-V05", ind, "value_text", ind.value_text, what=what, rest=rest, advice=advice,
                           proposal=proposal, fix=None)
            return
        elif squeeze(ind.measure_unit):
            # Only the unit was typed after the number ("274.6万元" with 万元 in 计量单位): there is no
            # text to move, and saying 说明文字“” left the clerk looking for it.
            what, rest, advice = "单位", parsed.unit, f"单位只填在计量单位列（现为“{ind.measure_unit}”）"
        else:
            what, rest, advice = "单位", parsed.unit, "单位移到计量单位列"
    split = {"operator": parsed.operator, "number": str(parsed.number), "unit": parsed.unit, "rest": parsed.rest}
    yield Issue.at("JX-V05", ind, "value_text", ind.value_text, what=what, rest=rest, advice=advice,
                   proposal=proposal,
                   fix={"description": f"指标值改为“{proposal}”，" + ("说明文字移到描述" if parsed.rest
                                                                      else f"计量单位为“{ind.measure_unit or parsed.unit}”"),
                        "split": split,
                        "changes": changes})


def _moved_description_field(ind: Indicator, rest: str) -> str:
    rest = rest.strip().rstrip("。.")
    return f"{ind.explanation}（{rest}）" if squeeze(ind.explanation) else rest


@rule("JX-V06", "indicator")
def value_type_valid(ctx: Context) -> Iterator[Issue]:
    ind = ctx.row.indicator
    if ind.value_type is not None and normalize_operator(ind.value_type) is None:
        yield Issue.at("JX-V06", ind, "value_type", ind.value_type)


@rule("JX-V09", "indicator")
def value_type_present(ctx: Context) -> Iterator[Issue]:
    # A form with its own 指标性质 / 指标值类型 column (四川, 湖南 整体): the whole “≥95%” typed into 指标值,
    # as on the 河北 form, read well but printed a blank 指标性质. The fix splits it where the text says
    # the operator (a text is 定性); a bare “95” is ≥ or =, which only the clerk knows.
    ind = ctx.row.indicator
    layout = ctx.overall_layout if ctx.overall is not None else ctx.layout
    if ind.value_type is not None or not squeeze(ind.value_text) or not has_column(layout, "value_type"):
        return
    labels = field_labels(layout)
    label, unit_label = labels["value_type"], labels.get("measure_unit", "计量单位")
    typed = parse_indicator_value(ind.value_text)
    explicit = not nfkc(ind.value_text).strip()[:1].isdigit()
    changes: list[dict] = []
    fixed = ""
    if typed.number is None and not squeeze(ind.measure_unit):
        changes = [_change(ind, "value_type", QUALITATIVE)]
        fixed = f"{label}选“{QUALITATIVE}”"
        detail = f"；指标值“{ind.value_text}”是文字，建议{fixed}"
    elif typed.number is not None and explicit and not typed.rest and typed.operator in OPERATORS:
        changes = [_change(ind, "value_type", typed.operator), _change(ind, "value_text", f"{typed.number}")]
        split = f"{label}选“{typed.operator}”、指标值填“{typed.number}”"
        if typed.unit and not squeeze(ind.measure_unit):
            changes.append(_change(ind, "measure_unit", typed.unit))
            split += f"、{unit_label}填“{typed.unit}”"
        fixed = f"拆分为 {split}"
        detail = f"；指标值“{ind.value_text}”中写了运算符，建议{fixed}"
    else:
        detail = f"，请选择 ≥、>、=、≤、< 或 {QUALITATIVE}"
    fix = {"description": fixed, "changes": changes} if changes else None
    yield Issue.at("JX-V09", ind, "value_type", None, label=label, detail=detail, fix=fix)


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
    return in_money_unit(number, unit, "万元")


@rule("JX-K01", "indicator")
def cost_within_budget(ctx: Context) -> Iterator[Issue]:
    parsed = ctx.row.indicator.parsed()
    budget = ctx.budget
    if not _is_cost(ctx.row) or parsed.number is None or budget is None:
        return
    amount = _in_wan(parsed.number, parsed.unit)
    if amount is not None and amount > budget:
        unit, scale = "万元", 0
        if ctx.project is None:
            label = "各项目预算数合计"
        else:
            field_ = ctx.layout.field("mid_budget" if ctx.period == "mid" else "budget")
            label = "项目预算数" if field_.label == "预算数" else field_.label
            unit, scale = ctx.layout.money_unit, field_.scale  # a form in 元 (四川) is answered in 元
        yield Issue.at("JX-K01", ctx.row.indicator, "value_text", ctx.row.indicator.value_text,
                       amount=f"{amount.scaleb(scale):.2f}", budget_label=label, budget=f"{budget.scaleb(scale):.2f}",
                       unit=unit)


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
        # As a clerk adds them up: 20 + 20.5 is 40.5, 100 is not "100.0" (a weight read from 20.0)
        layout = ctx.overall_layout if ctx.overall is not None else ctx.layout
        label = field_labels(layout).get("weight") or "分值"  # 四川 prints 权重
        yield Issue.at("JX-W01", weighted[0], "weight", f"{got.normalize():f}", total=f"{total.normalize():f}",
                       label=label)


@rule("JX-W01", "project_content")
def project_weights_total(ctx: Context) -> Iterator[Issue]:
    # A project form with a 权重 column (四川): its weights are the 自评's points, 预算执行率 the rest, so
    # weights off the total were only refused by the 自评表 a year later. A weight still text (JX-L03)
    # is no sum to report.
    if has_column(ctx.layout, "weight") and not any("weight" in r.indicator.raw for r in ctx.rows):
        yield from weights_total(ctx)


@rule("JX-L03", "overall")
def weights_are_numbers(ctx: Context) -> Iterator[Issue]:
    for row in ctx.rows:
        if "weight" in row.indicator.raw and not formula_or_error(row.indicator.raw["weight"]):
            typed = row.indicator.raw["weight"]
            yield Issue.at("JX-L03", row.indicator, "weight", typed, label="分值", unit="分",
                           fix=unit_fix(row.indicator, "weight", typed, ("分",)))
