"""The Python twin of a form's text formulas: one definition, the Excel text in the form file.

A form file states each computed cell once, as Excel formula text with ``{field}`` (a field of
the same sheet) and ``{unit.field}`` (a field of 单位信息) placeholders. Formulas that only put
fields and literals together (titles, the unit's name in a footer) are evaluated here, in Python,
to give the cached result written with the formula (what calamine reads, what a viewer shows
before it recalculates, what the Word export prints). The subset is small on purpose:

    "literal"   {field}   {unit.field}   a & b   a = b   a <> b   IF(cond, then, else)

A formula that refers to cells by address or to block rows (``SUM(F{first}:F{last})``,
``IF(N(C6)=0,"",D6/C6)``) is the spreadsheet's own: it has no twin and its cached value is 0 until
the spreadsheet recalculates, as before. A formula without cell references that uses anything
outside the subset is refused when the form is loaded, naming what is not understood, so a
maintainer never ships a cell whose printed value Python cannot produce.

>>> twin = text_formula('IF({name}="","项目绩效目标表",{name}&"绩效目标表")')
>>> twin(lambda n: {"name": "信访经费"}[n])
'信访经费绩效目标表'
>>> text_formula('SUM(F{first}:F{last})') is None
True
"""

from __future__ import annotations

import re
from typing import Callable

Getter = Callable[[str], str]
Twin = Callable[[Getter], str]

#: placeholders a block footer fills with row numbers: their formulas are the spreadsheet's
ROW_PLACEHOLDERS = ("first", "last", "row", "total", "grand")

_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<ph>\{[^}]+\})|(?P<op><>|[&=(),])|(?P<name>[A-Za-z_$][\w$.:!\']*))')
_CELL = re.compile(r"^\$?[A-Z]{1,3}\$?\d+(:\$?[A-Z]{1,3}\$?\d+)?$")


class FormulaError(ValueError):
    """A text formula outside the subset the Python twin understands."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            rest = text[pos:].strip()
            if not rest:
                break
            raise FormulaError(f"无法识别“{rest[:20]}”")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def is_spreadsheet_formula(text: str) -> bool:
    """Whether the formula refers to cells by address or to block rows (no Python twin)."""
    bare = re.sub(r'"(?:[^"]|"")*"', '""', text)
    if any("{" + p + "}" in bare for p in ROW_PLACEHOLDERS):
        return True
    bare = re.sub(r"\{[^}]+\}", "", bare)
    return any(_CELL.match(tok) for tok in re.findall(r"[\w$:]+", bare) if not tok.isdigit())


def _parse(tokens: list[tuple[str, str]]):
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take(value: str | None = None) -> tuple[str, str]:
        nonlocal pos
        tok = peek()
        if tok is None or (value is not None and tok[1] != value):
            raise FormulaError(f"此处应为“{value}”" if value else "公式不完整")
        pos += 1
        return tok

    def atom():
        kind, value = take()
        if kind == "str":
            text = value[1:-1].replace('""', '"')
            return lambda get: text
        if kind == "ph":
            name = value[1:-1]
            return lambda get: get(name)
        if kind == "op" and value == "(":
            inner = comparison()
            take(")")
            return inner
        if kind == "name" and value.upper() == "IF":
            take("(")
            cond = comparison()
            take(",")
            then = comparison()
            take(",")
            other = comparison()
            take(")")
            return lambda get: then(get) if cond(get) else other(get)
        raise FormulaError(f"不支持“{value}”（文字公式只能用 文字、{{字段}}、&、=、<>、IF）")

    def concat():
        parts = [atom()]
        while peek() == ("op", "&"):
            take()
            parts.append(atom())
        if len(parts) == 1:
            return parts[0]
        return lambda get: "".join(_text(p(get)) for p in parts)

    def comparison():
        left = concat()
        tok = peek()
        if tok in (("op", "="), ("op", "<>")):
            take()
            right = concat()
            if tok[1] == "=":
                return lambda get: _text(left(get)) == _text(right(get))
            return lambda get: _text(left(get)) != _text(right(get))
        return left

    expr = comparison()
    if peek() is not None:
        raise FormulaError(f"多余的“{peek()[1]}”")
    return expr


def _text(value) -> str:
    return value if isinstance(value, str) else ("TRUE" if value else "FALSE")


def text_formula(text: str) -> Twin | None:
    """The Python twin of a text formula; None for a spreadsheet formula (cell references)."""
    if is_spreadsheet_formula(text):
        return None
    expr = _parse(_tokens(text))
    return lambda get: _text(expr(get))
