"""Self-evaluation scoring (domain §5): pure Decimal functions, no Excel.

>>> indicator_score("≥", Decimal(100), Decimal(90), Decimal(10))
Decimal('9.00')
>>> indicator_score("≤", Decimal(80), Decimal(100), Decimal(10))
Decimal('7.50')
>>> grade(Decimal("89.99")), grade(Decimal("90"))
('良', '优')
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
CENT = Decimal("0.01")

#: 定性 bands as fractions of the weight: 达成 [80 %, 100 %], 部分达成 [60 %, 80 %), 未达成 [0, 60 %).
BANDS: dict[str, tuple[Decimal, Decimal]] = {
    "达成": (Decimal("0.8"), ONE),
    "部分达成": (Decimal("0.6"), Decimal("0.8")),
    "未达成": (ZERO, Decimal("0.6")),
}
GRADES = (("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)), ("差", ZERO))
#: the grade as a report writes it (seed 004: "综合绩效评定结论为良好")
GRADE_WORDS = {"优": "优秀", "良": "良好", "中": "中", "差": "差"}
#: each 一级 category's share of the points, by its name in the profile's [weights]
CATEGORY_WEIGHT = {"产出指标": "output", "效益指标": "effect", "满意度指标": "satisfaction", "成本指标": "cost"}


def category_weights(levels: list[str | None], weights: Any) -> dict[str, Decimal]:
    """Each 一级 category's weight for a sheet whose rows are of ``levels`` (the profile's ``weights``).

    A profile that gives 成本指标 its own weight (湖南: 成本 20 / 产出 40) and a sheet with no 成本 row:
    the 20 points go to 产出, whose share 成本 was before it became a 一级 of its own. Else a project that
    met every target scored 80 (良), its 成本 points on no row.
    """
    out = {level1: Decimal(getattr(weights, attr)) for level1, attr in CATEGORY_WEIGHT.items()}
    if out["成本指标"] and "成本指标" not in levels and "产出指标" in levels:
        out["产出指标"] += out["成本指标"]
        out["成本指标"] = Decimal(0)
    return out


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def share_of(weight: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``weight × part / whole`` in cents, half up: multiplied before dividing, rounded once.

    ``part / whole × weight`` rounded the quotient to 28 digits first: 1.35 × 13 / 90 is 0.195
    exactly, but 13 / 90 × 1.35 is 0.19499…, so a half-cent score came out a cent short.

    >>> share_of(Decimal("1.35"), Decimal(13), Decimal(90)), share_of(Decimal(15), Decimal("54.03"), Decimal(90))
    (Decimal('0.20'), Decimal('9.01'))
    """
    return cents(weight * part / whole)


def percent(part: Decimal, whole: Decimal, places: int = 1) -> Decimal:
    """``part / whole`` as a percent with ``places`` decimals, half up (as the sheets and reports show it).

    >>> percent(Decimal("0.0875"), Decimal(1)), percent(Decimal("54.03"), Decimal(90), 2)
    (Decimal('8.8'), Decimal('60.03'))
    """
    return (HUNDRED * part / whole).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def indicator_score(operator: str, target: Decimal, actual: Decimal, weight: Decimal) -> Decimal:
    """A quantitative indicator's score: never negative, never above ``weight``; rounded once to 0.01.

    >>> indicator_score("≥", Decimal(90), Decimal(13), Decimal("1.35"))
    Decimal('0.20')
    """
    a = max(actual, ZERO)  # a negative actual counts as 0
    if operator in ("≥", ">"):
        score = weight if a >= target or target <= 0 else weight * a / target
    elif operator in ("≤", "<"):
        if target <= 0:
            score = weight if a <= 0 else ZERO
        elif a <= target:
            score = weight
        elif a < 2 * target:
            score = weight * (2 * target - a) / target  # (1 − (A − T) / T) · w, divided last
        else:
            score = ZERO
    elif operator == "=":
        if target == 0:
            score = weight if a <= 0 else ZERO
        else:
            score = weight if a >= target else weight * a / target
    else:
        raise ValueError(f"not a quantitative operator: {operator!r}")
    return cents(min(max(score, ZERO), weight))


def band_of(score: Decimal, weight: Decimal) -> str | None:
    """The 定性 band a score falls in (80 % belongs to 达成, 60 % to 部分达成)."""
    if weight <= 0 or score < 0 or score > weight:
        return None
    share = score / weight
    if share >= Decimal("0.8"):
        return "达成"
    if share >= Decimal("0.6"):
        return "部分达成"
    return "未达成"


def band_range(band: str, weight: Decimal) -> tuple[Decimal, Decimal]:
    """The lowest and highest score in cents that lie in ``band`` of ``weight``: what a clerk is told to type.

    Rounding the bounds half up told a clerk 部分达成 of 5.71 was “3.43–4.57”, and 4.57 (80.04 %) is 达成.

    >>> band_range("部分达成", Decimal("5.71")), band_range("未达成", Decimal(30))
    ((Decimal('3.43'), Decimal('4.56')), (Decimal('0.00'), Decimal('17.99')))
    """
    low, high = BANDS[band]
    lowest = (low * weight).quantize(CENT, rounding=ROUND_CEILING)
    highest = (high * weight).quantize(CENT, rounding=ROUND_FLOOR)
    if band != "达成" and highest == high * weight:  # the top of 部分达成 / 未达成 belongs to the band above
        highest -= CENT
    return lowest, max(highest, lowest)


def qualitative_score(band: str, weight: Decimal, manual: Decimal | None = None) -> Decimal | None:
    """A 定性 score: the manual score when it lies in its band; 达成 without one scores the full weight.

    None (the row is 未评) for a manual score outside its band, and for 部分达成 / 未达成 until a
    manual score inside the band is given.
    """
    if manual is not None:
        return cents(manual) if band_of(manual, weight) == band else None
    return cents(weight) if band == "达成" else None


def satisfaction_score(actual: Decimal, weight: Decimal, bands: list[tuple[Decimal, Decimal]]) -> Decimal:
    """Score by a printed satisfaction table: ``[(threshold %, share of weight), …]`` highest first.

    Seed 003 prints ≥95 → all, 80–95 → 8 of 10, 60–80 → 5 of 10, <60 → 0.
    """
    for threshold, share in bands:
        if actual >= threshold:
            return cents(share * weight)
    return ZERO


def execution_score(executed: Decimal | None, budget: Decimal | None, weight: Decimal) -> tuple[Decimal | None, Decimal]:
    """执行率 = 全年执行数 / 全年预算数 and its score = min(执行率, 1) × weight (weight × 执行数 / 预算数,
    rounded once).

    No 执行率 (None, shown “—”) and no points when 全年预算数 is 0 or blank (nothing to divide by) or
    全年执行数 is blank: 0 % would read as a unit that spent nothing.

    >>> execution_score(Decimal("54.03"), Decimal(90), Decimal(15))
    (Decimal('0.6003333333333333333333333333'), Decimal('9.01'))
    >>> execution_score(Decimal(5), Decimal(0), Decimal(10))
    (None, Decimal('0'))
    """
    if budget is None or budget <= 0 or executed is None:
        return None, ZERO
    spent = max(executed, ZERO)
    return spent / budget, share_of(weight, min(spent, budget), budget)


def rate_text(rate: Decimal | None, places: int = 1) -> str:
    """执行率 as shown to a clerk: ``87.5%``, or ``—`` when it cannot be computed."""
    if rate is None:
        return "—"
    return f"{percent(rate, ONE, places)}%"


def grade(total: Decimal) -> str:
    """优 ≥ 90, 良 80–89.99, 中 60–79.99, 差 < 60."""
    for name, floor in GRADES:
        if total >= floor:
            return name
    return "差"


def split_weight(total: Decimal, n: int) -> list[Decimal]:
    """``total`` over ``n`` rows in cents, the remainder on the last row, so the parts add up exactly."""
    if n <= 0:
        return []
    part = (total / n).quantize(CENT, rounding="ROUND_DOWN")
    return [part] * (n - 1) + [total - part * (n - 1)]
