"""Parsing of the values clerks type into the forms.

Pure functions, no Excel. Every parser accepts what a cell engine hands over
(``None``, ``str``, ``int``, ``float``, ``Decimal``, ``bool``, dates) and never
raises on bad input: it says "not a number" by returning ``None`` so the reader
can keep the raw text for the rules (JX-L03, JX-V02 …).

>>> parse_indicator_value("≥95%")
ParsedValue(operator='≥', number=Decimal('95'), unit='%', rest='')
>>> parse_indicator_value("≥90及时协调处理进京访率。").rest
'及时协调处理进京访率。'
>>> parse_indicator_value("95%以上")
ParsedValue(operator='≥', number=Decimal('95'), unit='%', rest='')
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

#: The four points of the cumulative 资金支出计划, in order (a form shows three or all four).
MILESTONES = ("3月底", "6月底", "10月底", "12月底")

QUALITATIVE = "定性"
OPERATORS = ("≥", ">", "=", "≤", "<")
CLASSIFIED = "涉密"

# Longest spellings first so "大于等于" wins over "大于".
_OPERATOR_ALIASES: list[tuple[str, str]] = sorted(
    [
        ("≥", "≥"), (">=", "≥"), ("≧", "≥"), ("大于等于", "≥"), ("不低于", "≥"), ("不少于", "≥"),
        ("不小于", "≥"), ("≤", "≤"), ("<=", "≤"), ("≦", "≤"), ("小于等于", "≤"), ("不高于", "≤"),
        ("不超过", "≤"), ("不大于", "≤"), ("不多于", "≤"), (">", ">"), ("大于", ">"), ("高于", ">"),
        ("<", "<"), ("小于", "<"), ("低于", "<"), ("=", "="), ("==", "="), ("等于", "="),
        ("定性", QUALITATIVE),
    ],
    key=lambda p: -len(p[0]),
)

# Units seen on the forms. Anything else after a number that is short and has no
# punctuation is taken as a unit too; longer text is "mixed" (JX-V05).
KNOWN_UNITS = (
    "%", "‰", "万元", "元", "亿元", "千元", "个", "次", "人次", "人", "件", "批次", "批", "所", "只",
    "天", "日", "个月", "月", "年", "项", "户", "家", "份", "篇", "场", "期", "名", "小时",
    "分钟", "平方米", "亩", "公里", "千米", "米", "吨", "台", "套", "辆", "册", "本", "部",
    "座", "处", "条", "分", "起", "宗", "万人", "人/次", "元/人", "万元/人",
)
#: An operator written after the number and its unit: ``95%以上`` is ``≥95%``, ``80万元以内`` is ``≤80万元``.
_SUFFIX_OPERATORS = {"以上": "≥", "及以上": "≥", "或以上": "≥", "以下": "≤", "及以下": "≤", "或以下": "≤",
                     "以内": "≤"}
_UNITS_LONGEST_FIRST = sorted(KNOWN_UNITS, key=len, reverse=True)
_PUNCT = re.compile(r"[\s，,。.;；:：、（）()“”\"'！!？?]")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def nfkc(text: str) -> str:
    """Fold full-width digits and symbols (``８０．００``, ``％``) to their ASCII forms."""
    folded = unicodedata.normalize("NFKC", text)
    # NFKC leaves these comparison signs alone; the forms use both spellings, and a published page may
    # print = as a box-drawing ═ (永德 2022)
    return folded.replace("≧", "≥").replace("≦", "≤").replace("═", "=")


def squeeze(text: str | None) -> str:
    """Remove every space and line break: how names are compared with the taxonomy.

    ``str.split()`` splits on exactly the characters ``\\s`` matches (Unicode
    whitespace), and is twice as fast as a regex: this runs for every cell.
    """
    return "".join(text.split()) if text else ""


def identity_key(text: str | None) -> str:
    """What decides that two 单位编码 (or 项目编码, 单位名称) name the same thing: NFKC folds full-width
    digits and letters (``１５４００１`` is ``154001``), then every space and line break goes.

    The one definition used wherever identity is decided: JX-D01 / JX-D02 across a county, JX-C03
    in one workbook, and the consolidation cache's records. Pure, no imports beyond the standard
    library (the consolidation parent uses it without loading the reader).

    >>> identity_key("１５４ ００１") == identity_key("154001")
    True
    """
    if not text:
        return ""
    if text.isascii():  # the common case: NFKC changes nothing ASCII
        return "".join(text.split())
    return "".join(unicodedata.normalize("NFKC", text).split())


def cell_text(value: Any) -> str | None:
    """A cell value as the text a clerk sees, ``None`` for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() != "" else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:  # beyond, the digits of int() are not what was typed
            return str(int(value))
        return repr(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    return str(value)


#: Numbers at or beyond this size are not amounts anyone typed (``1E+30``, an overflowed ``1e309``):
#: Excel itself keeps only 15 significant digits. They read as "not a number" (JX-L03), never as a crash.
MAX_NUMBER = Decimal("1e15")

#: Excel's error values (and LibreOffice's ``Err:nnn``) as a cell shows them.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#错误"})


def formula_or_error(raw: str | None) -> str | None:
    """``"公式"`` for a formula's text (``=E4+G4``), ``"错误值"`` for ``#REF!`` and the like, else ``None``."""
    if not raw:
        return None
    text = raw.strip()
    if text.startswith("="):
        return "公式"
    if text.upper() in EXCEL_ERRORS or text.startswith("Err:"):
        return "错误值"
    return None


def parse_decimal(value: Any, *, percent_sign: bool = False) -> Decimal | None:
    """A number cell as an exact Decimal, or ``None`` when it is not a number.

    Floats come from the cell engines; ``repr`` is their shortest exact spelling,
    so ``80.0`` becomes ``Decimal('80.0')``, never ``80.0000000001``.
    With ``percent_sign`` a trailing ``%`` is allowed (``"25%"`` → 25).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value if value.is_finite() else None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = nfkc(value).strip().replace(",", "")
        if percent_sign and text.endswith("%"):
            text = text[:-1].strip()
        if not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", text):
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
            return None
    else:
        return None
    if number is not None and abs(number) >= MAX_NUMBER:
        return None
    return number


def number_before_unit(value: Any, units: tuple[str, ...]) -> tuple[Decimal, str] | None:
    """A number typed with its unit into a number cell, and the unit: ``20分`` in 权重,
    ``80万元`` in 预算数, ``2026年`` in 预算年度 (full-width digits and thousands commas too).

    >>> number_before_unit("２０ 分", ("分",)), number_before_unit("1,280.5万元", ("万元", "万"))
    ((Decimal('20'), '分'), (Decimal('1280.5'), '万元'))
    >>> number_before_unit("80元", ("万元",)) is None, number_before_unit("约20分", ("分",)) is None
    (True, True)
    """
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(\S+)", nfkc(value).strip().replace(",", ""))
    if match is None or match.group(2) not in units:
        return None
    number = parse_decimal(match.group(1))
    return None if number is None else (number, match.group(2))


def percent_from_fraction(value: Decimal) -> Decimal:
    """A fraction held by a percent-formatted cell as the percent it shows: ``0.25`` → ``25``.

    Excel keeps 15 significant digits and writes 7 % as ``7.0000000000000007E-2``;
    rounding to 15 digits first gives 7, not 7.000000000000001.

    >>> percent_from_fraction(Decimal("0.25")), percent_from_fraction(Decimal("0.07000000000000001"))
    (Decimal('25'), Decimal('7'))
    """
    scaled = Decimal(f"{float(value):.15g}") * 100
    return scaled.quantize(Decimal(1)) if scaled == scaled.to_integral_value() else scaled.normalize()


def parse_int(value: Any) -> int | None:
    """A whole number (a year), or ``None``."""
    number = parse_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def normalize_operator(text: str | None) -> str | None:
    """``>=``, ``＞＝``, ``大于等于``, ``不低于`` → ``≥`` and so on; ``None`` if not an operator."""
    if text is None:
        return None
    folded = squeeze(nfkc(text))
    for spelling, op in _OPERATOR_ALIASES:
        if folded == spelling:
            return op
    return None


class ParsedValue(NamedTuple):
    """An 指标值 split into its parts; ``rest`` is text that is neither number nor unit."""

    operator: str | None
    number: Decimal | None
    unit: str | None
    rest: str


def _split_unit(tail: str) -> tuple[str | None, str]:
    """The unit at the start of what follows a number, and the rest.

    >>> _split_unit("人/年"), _split_unit("%以上"), _split_unit("元/平方米"), _split_unit("次/")
    (('人/年', ''), ('%', '以上'), ('元/平方米', ''), ('次', '/'))
    """
    tail = tail.strip()
    if not tail:
        return None, ""
    for unit in _UNITS_LONGEST_FIRST:
        if tail.startswith(unit):
            rest = tail[len(unit):].strip()
            if rest[:1] == "/" and "/" not in unit:  # a rate: 人/年, 元/次, 次/月 (a 四川 度量单位)
                per, after = _split_unit(rest[1:])
                if per is not None and "/" not in per:
                    return f"{unit}/{per}", after
            # "95%以上" keeps "%" as the unit and "以上" as the rest.
            return unit, rest
    if len(tail) <= 3 and not _PUNCT.search(tail) and not any(c.isdigit() for c in tail):
        return tail, ""
    return None, tail


@functools.lru_cache(maxsize=1 << 16)
def parse_indicator_value(text: str | None) -> ParsedValue:
    """Split a combined 指标值 (``≥75次``, ``≤80万元``, ``100%``) into operator, number, unit.

    A bare number means ``=``; text with no number is qualitative (``定性``);
    ``涉密`` is qualitative too. An empty value gives all ``None``. Memoized: the
    rules ask for the same values many times, and units repeat each other's.
    """
    if text is None or not text.strip():
        return ParsedValue(None, None, None, "")
    folded = nfkc(text).strip()
    if squeeze(folded) == CLASSIFIED:
        return ParsedValue(QUALITATIVE, None, None, "")
    operator = None
    body = folded
    for spelling, op in _OPERATOR_ALIASES:
        if op != QUALITATIVE and body.startswith(spelling):
            operator, body = op, body[len(spelling):].lstrip()
            break
    match = _NUMBER.match(body.replace(",", ""))
    if not match:
        return ParsedValue(QUALITATIVE if operator is None else operator, None, None,
                           folded if operator is None else body)
    number = Decimal(match.group(0))
    unit, rest = _split_unit(body.replace(",", "")[match.end():])
    if operator is None and unit in _SUFFIX_OPERATORS and not rest:  # "90以上": no unit at all
        return ParsedValue(_SUFFIX_OPERATORS[unit], number, None, "")
    if operator is None and rest.rstrip("。.") in _SUFFIX_OPERATORS:
        # "95%以上" is how a clerk writes ≥95% (以上/以下 include the number itself)
        return ParsedValue(_SUFFIX_OPERATORS[rest.rstrip("。.")], number, unit, "")
    return ParsedValue(operator or "=", number, unit, rest)


#: money units by power of ten of 元: an amount in one is exactly an amount in another
MONEY_SCALE = {"元": 0, "万元": 4, "亿元": 8}


def in_money_unit(number: Decimal, unit: str | None, target: str | None) -> Decimal | None:
    """``number`` ``unit`` in ``target`` (元 / 万元 / 亿元), exactly; None when either is no money unit.

    >>> in_money_unit(Decimal("785000"), "元", "万元"), in_money_unit(Decimal(2), "亿元", "万元")
    (Decimal('78.5000'), Decimal('2E+4'))
    """
    if unit not in MONEY_SCALE or target not in MONEY_SCALE:
        return None
    return number.scaleb(MONEY_SCALE[unit] - MONEY_SCALE[target])


def money_in(amount: Decimal | None, unit: str = "万元") -> str:
    """An amount of the model (万元) as a form in ``unit`` prints it, with the unit: a 四川 clerk
    reads ``3309840.55 元``, the figure on the sheet, not ``330.98 万元``. Blank is ``—``.

    >>> money_in(Decimal("330.984055"), "元"), money_in(Decimal("80")), money_in(None)
    ('3309840.55 元', '80.00 万元', '—')
    """
    if amount is None:
        return "—"
    return f"{format_money(amount.scaleb(4) if unit == '元' else amount)} {unit}"


def format_money(amount: Decimal | None) -> str:
    """Two decimals, as on the forms: ``Decimal('80') → '80.00'``."""
    if amount is None:
        return ""
    return f"{amount.quantize(Decimal('0.01')):f}"
