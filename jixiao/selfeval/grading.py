"""Scoring a 自评表 (domain §5): each sheet's rows scored, what is left 未评, the findings (JX-E01 … E06).

The arithmetic is :mod:`.scoring`'s; this module applies it to the model, row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..checks.issues import FileReport, Issue
from ..forms.layouts import form_set, has_field
from ..forms.model import Loc, Located
from ..forms.taxonomy import normalize_level1
from ..forms.values import (
    MONEY_SCALE, OPERATORS, identity_key, in_money_unit, money_in, nfkc, parse_decimal, parse_indicator_value,
    squeeze,
)
from ..profiles import Profile, profile_for
from .model import DepartmentEval, EvalIndicator, ProjectEval, SelfEvaluation, eval_forms
from .scoring import (
    CATEGORY_WEIGHT, category_weights,
    BANDS, ONE, ZERO, band_range, execution_score, grade, indicator_score, percent, qualitative_score, rate_text,
    satisfaction_score, split_weight,
)


HUNDRED = Decimal(100)
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
    unit: str | None = None  # the 年度指标值's unit (``%`` of ``≥95%``)


@dataclass
class SheetScore:
    sheet: ProjectEval
    rate: Decimal | None  # None when 全年预算数 is 0 or blank (shown “—”)
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


def _number(text: str | None, target_unit: str | None = None) -> Decimal | None:
    """An actual value as a number: ``96%``, ``80次``, ``78万元``; None for ``八十``, a date, ``#REF!``.

    An amount in another money unit than the target's is given in the target's (``785,000元`` against
    ``≤80万元`` is 78.5): compared as it stands it was 785000, scored 0 and "completed" 981250 %.
    """
    if text is None:
        return None
    value = parse_decimal(text, percent_sign=True)
    if value is not None:
        return value
    parsed = parse_indicator_value(str(text))
    if parsed.number is None or parsed.rest.strip():
        return None
    converted = in_money_unit(parsed.number, parsed.unit, target_unit)
    return parsed.number if converted is None else converted


def _other_unit(ind: EvalIndicator) -> tuple[str, str] | None:
    """(actual's unit, target's unit) when the 实际完成值 is written in another unit than the 年度指标值
    and is not the same money in another scale (元 / 万元, converted by :func:`_number`)."""
    if parse_decimal(ind.actual) is not None:  # a bare number: in the target's unit
        return None
    mine, theirs = parse_indicator_value(nfkc(str(ind.actual))).unit, parse_indicator_value(nfkc(ind.target or "")).unit
    if not mine or not theirs or mine == theirs or (mine in MONEY_SCALE and theirs in MONEY_SCALE):
        return None
    return mine, theirs


def _name(ind: EvalIndicator) -> str:
    return f"“{squeeze(ind.level3)}”" if squeeze(ind.level3) else "本行指标"


def _pending(obj: Located, field_name: str, detail: str) -> Issue:
    return Issue.at("JX-E06", obj, field_name, getattr(obj, field_name, None), detail=detail)


def _shared_weights(sheet: ProjectEval, profile: Profile) -> list[tuple[Decimal | None, bool]]:
    """Each row's weight: as filled in, else its 一级 category's weight left over, shared as by ``prefill``."""
    levels = [normalize_level1(ind.level1).name or ind.level1 for ind in sheet.indicators]
    out: list[tuple[Decimal | None, bool]] = [(ind.weight, False) for ind in sheet.indicators]
    totals = category_weights(levels, profile.weights)
    for level1 in CATEGORY_WEIGHT:
        rows = [i for i, l1 in enumerate(levels) if l1 == level1]
        blank = [i for i in rows if sheet.indicators[i].weight is None]
        total = totals[level1]
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
    # 全年执行数 blank: no 执行率 (“—”) rather than 0 %, which read as a unit that spent nothing
    rate, ex_score = execution_score(sheet.executed_total, sheet.full_total, weight)
    result = SheetScore(sheet, rate, ex_score, weight)
    result.pending += _money_findings(sheet)
    for name, label in (("full_total", "全年预算数"), ("executed_total", "全年执行数")):
        if getattr(sheet, name) is None and name not in sheet.raw:
            result.pending.append(_pending(sheet, name, f"{label}未填写，请填写{label}（万元）；填写前不评定等级。"))
    if sheet.full_total is not None and sheet.full_total <= 0:
        # nothing to divide by: no 执行率 (shown “—”), its points not given, and not graded meanwhile
        result.pending.append(_pending(sheet, "full_total", (
            f"全年预算数为 {money_in(sheet.full_total)}，无法计算预算执行率（显示为“—”），执行率 {weight:.2f} 分未计；"
            f"请核对全年预算数，填写前不评定等级。")))
    if not sheet.indicators:
        result.pending.append(Issue.make("JX-E06", loc=Loc(sheet=sheet.sheet or "", cell="C" + str(
            (forms or form_set(profile))["selfeval_department" if isinstance(sheet, DepartmentEval)
                                         else "selfeval_project"].blocks[-1]
            .first_row)) if sheet.sheet else None, field="indicators",
            detail="本表没有绩效指标，请填写各项绩效指标（三级指标、年度指标值、实际完成值）。"))
    bands = [(Decimal(t), Decimal(s)) for t, s in profile.satisfaction_bands]
    for ind, (w, shared) in zip(sheet.indicators, _shared_weights(sheet, profile)):
        parsed = parse_indicator_value(ind.target)
        actual = _number(ind.actual, parsed.unit)
        level1 = normalize_level1(ind.level1).name or ind.level1
        band = squeeze(ind.band)
        if not band and squeeze(ind.actual) in BANDS and not (parsed.operator in OPERATORS and parsed.number is not None):
            band = squeeze(ind.actual)  # the grade typed as the 实际完成值 of a 定性 row: unambiguous, taken
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
            lowest, highest = band_range(band, w)
            qualitative = qualitative_score(band, w, ind.score)
            if qualitative is not None:
                score, computed = qualitative, ind.score is None
            elif ind.score is not None:
                pending = pending or Issue.at("JX-E03", ind, "score", ind.score, detail=(
                    f"定性档次“{band}”的得分应在分值的 {low * 100:.0f}%–{high * 100:.0f}% 之间"
                    f"（{lowest:.2f}–{highest:.2f}），现为 {ind.score}。"))
            else:
                needs.append(("score", f"在得分栏填写 {lowest:.2f} 至 {highest:.2f} 之间的得分"
                                       f"（定性档次为“{band}”）"))
        elif ind.score is not None and parsed.operator is not None:
            score, computed = min(ind.score, w), False  # a clerk's score for a row scored by hand
        elif parsed.operator is None:
            needs.append(("target", "填写年度指标值（如 ≥95%；定性指标可只选定性档次）"))
            if ind.actual is None:
                needs.append(("actual", "填写实际完成值"))
        elif band:
            needs.append(("band", f"定性档次“{band}”不是可选的档次，请从下拉列表中选择 达成 / 部分达成 / 未达成"))
        elif squeeze(ind.actual):
            needs.append(("band", f"按实际完成值“{squeeze(ind.actual)}”在定性档次栏选择 达成 / 部分达成 / 未达成"
                                  f"（定性指标按档次计分）"))
        else:
            needs.append(("actual", "填写实际完成值（完成情况的文字说明）"))
            needs.append(("band", "在定性档次栏选择 达成 / 部分达成 / 未达成（定性指标按档次计分）"))
        if pending is None and needs:
            pending = _pending(ind, needs[0][0], f"{_name(ind)}未评：请" + "，".join(t for _, t in needs) + "。")
        if pending is not None:
            score, computed = ZERO, False
            result.pending.append(pending)
        result.rows.append(RowScore(ind, level1, ind.level2, parsed.operator, parsed.number, actual, w,
                                    max(score, ZERO), computed, pending, shared, parsed.unit))
    weights = sum((r.weight for r in result.rows), ZERO)
    expected = _profile_total(profile) - weight
    all_weighted = all(ind.weight is not None or shared for ind, (_, shared)
                       in zip(sheet.indicators, _shared_weights(sheet, profile)))
    if result.rows and (weights > expected or (weights < expected and all_weighted)):
        # 分值 carried from a target table whose weights were never right (JX-W01 there): scored as they
        # stand the report said 总分 105.50 and 优, or a project whose 分值 add up to 85 was graded out of
        # 95 as if out of 100; not graded until the weights and 执行率 make the profile's total
        result.pending.append(Issue.at("JX-W01", sheet.indicators[0], "weight", _points(weights),
                                       total=_points(expected), label="分值"))
    return result


def _profile_total(profile: Profile) -> Decimal:
    """The points of a sheet: 执行率 and the 一级 categories' weights (100 unless a province says otherwise)."""
    w = profile.weights
    return w.execution + w.output + w.effect + w.satisfaction + w.cost


def _points(value: Decimal) -> str:
    """Points as a clerk reads them: ``90``, ``85.5``, not ``9E+1``."""
    return f"{value.normalize():f}"


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
                                       detail=_over_budget(sheet.executed_total, sheet.full_total)))
            elif s.rate is not None and s.rate < Decimal("0.9") and not squeeze(sheet.execution_reason) and explain:
                # (the national form has no 执行率偏低的原因 cell to explain it in)
                issues.append(Issue.at("JX-E01", sheet, "executed_total", sheet.executed_total,
                                       detail=f"预算执行率 {rate_text(s.rate)} 低于 90%，请在“执行率偏低的原因”中说明。"))
        for r in s.rows:
            ind = r.indicator
            if ind.score is not None and ind.score > r.weight:
                issues.append(Issue.at("JX-E02", ind, "score", ind.score,
                                       detail=f"得分 {ind.score} 超过该指标分值 {r.weight}。"))
            other = _other_unit(ind) if r.operator in OPERATORS and r.actual is not None else None
            if other is not None:
                # 80% against ≥75次 is scored as 80 against 75: said, and no completion percentage of it
                issues.append(Issue.at("JX-E07", ind, "actual", ind.actual, detail=(
                    f"实际完成值“{ind.actual}”的单位“{other[0]}”与年度指标值“{ind.target}”的单位“{other[1]}”不同，"
                    f"得分按数字计算；请按年度指标值的单位填写。")))
            elif _fraction_for_percent(r):
                # 0.96 typed for 96 % (48 / 50 worked out, in a cell not formatted as percent): scored as typed
                # (0.96 %), so said at the cell instead of JX-E04's "完成 1.0%"
                meant = f"{percent(r.actual, ONE, 2).normalize():f}%"
                issues.append(Issue.at("JX-E08", ind, "actual", ind.actual, detail=(
                    f"实际完成值 {ind.actual} 像是按小数填写的（年度指标值 {ind.target}）：现按 {ind.actual}% 计分；"
                    f"若实际完成 {meant}，请填写 {meant}。")))
            elif r.operator in OPERATORS and r.target and r.actual is not None and not squeeze(ind.reason):
                ratio = r.actual / r.target
                off = (ratio < 1 or ratio > Decimal("1.2")) if r.operator in ("≥", ">", "=") else ratio > 1
                if off:
                    issues.append(Issue.at("JX-E04", ind, "actual", ind.actual,
                                           detail=f"完成值 {ind.actual} 与目标 {ind.target} 偏离"
                                                  f"（完成 {percent(r.actual, r.target)}%），请填写偏差原因分析及改进措施。"))
    return issues


def _fraction_for_percent(r: RowScore) -> bool:
    """A bare 0 < 实际完成值 ≤ 1 against a percent target above 1 % it could not be meant as (``≥95%``):
    a fraction typed for a percentage. A ``≤`` target is left alone (0.5 against ≤3% is plausible)."""
    ind = r.indicator
    return (r.operator in ("≥", ">", "=") and r.actual is not None and ZERO < r.actual <= ONE
            and r.target is not None and r.target > ONE and r.unit == "%"
            and parse_decimal(ind.actual) is not None and "%" not in str(ind.actual))


def _over_budget(executed: Decimal, budget: Decimal) -> str:
    """JX-E05's message: both amounts in 万元 with two decimals, and a hint when 执行数 looks typed in 元."""
    text = f"全年执行数 {money_in(executed)} 超过全年预算数 {money_in(budget)}"
    as_wan = in_money_unit(executed, "元", "万元")
    if budget > 0 and as_wan is not None and executed >= 1000 * budget and as_wan <= budget * Decimal("1.2"):
        # 850000 against 85: the 元 figure of a 万元 amount (the sheet is in 万元)
        return (f"{text}，是预算数的 {(executed / budget).quantize(Decimal(1), rounding='ROUND_HALF_UP')} 倍，"
                f"疑似按元填写：{executed.normalize():f} 元即 {money_in(as_wan)}；表上金额以万元计，请改按万元填写。")
    return f"{text}，请核对。"


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
                    "execution": {"rate": None if s.rate is None else f"{percent(s.rate, Decimal(1), 2)}",
                                  "score": f"{s.execution_score:.2f}",
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


def _copied_sheets(projects: list[SheetScore]) -> None:
    """A project sheet whose 项目编码 an earlier one has (JX-C03) is 未评 until it is removed.

    A clerk who copies 项目2 (Excel names the copy 项目2 (2)) has the project twice: scored as a third
    project it was listed twice in the report and counted twice in the summary's 项目平均分.
    """
    seen: dict[str, SheetScore] = {}
    for s in projects:
        key = identity_key(s.sheet.code)
        if not key:
            continue
        if key in seen:
            s.pending.append(Issue.at("JX-C03", s.sheet, "code", s.sheet.code,
                                      other=seen[key].sheet.sheet or "另一项目表"))
        else:
            seen[key] = s


def score(ev: SelfEvaluation, profile: Profile | None = None) -> EvalReport:
    profile = profile or profile_for(ev)
    forms = eval_forms(ev, profile)
    dept = score_sheet(ev.department, profile, forms)
    projects = [score_sheet(p, profile, forms) for p in ev.projects]
    _copied_sheets(projects)
    return EvalReport(ev, dept, projects, check(ev, [dept, *projects]))


def report_to_file(report: EvalReport, path: str) -> FileReport:
    return FileReport(path=path, unit_code=report.evaluation.unit.code, unit_name=report.evaluation.unit.name,
                      issues=report.issues)
