"""The 指标值 parser and the number readers."""

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from jixiao.forms.taxonomy import normalize_level1, normalize_level2
from jixiao.forms.values import normalize_operator, parse_decimal, parse_indicator_value


@pytest.mark.parametrize("text, op, number, unit, rest", [
    ("≥75次", "≥", "75", "次", ""),
    ("≥95%", "≥", "95", "%", ""),
    ("100%", "=", "100", "%", ""),
    ("≤80万元", "≤", "80", "万元", ""),
    ("≥1个", "≥", "1", "个", ""),
    ("≤31.5万元", "≤", "31.5", "万元", ""),
    ("≥90及时协调处理进京访率。", "≥", "90", None, "及时协调处理进京访率。"),
    ("＞＝８０％", "≥", "80", "%", ""),
    ("不低于90%", "≥", "90", "%", ""),
    ("不超过 5 批次", "≤", "5", "批次", ""),
    ("0", "=", "0", None, ""),
    ("涉密", "定性", None, None, ""),
])
def test_parse_indicator_value(text, op, number, unit, rest):
    parsed = parse_indicator_value(text)
    assert parsed.operator == op
    assert parsed.number == (Decimal(number) if number else None)
    assert parsed.unit == unit
    assert parsed.rest == rest


def test_qualitative_value():
    parsed = parse_indicator_value("切实加强基\n层基础建设")
    assert parsed.operator == "定性" and parsed.number is None


@pytest.mark.parametrize("value, expected", [
    (80.0, "80.0"), (31.5, "31.5"), ("８０．００", "80.00"), ("1,234.50", "1234.50"), (7, "7"),
    ("80万", None), ("八十", None), (True, None), (None, None), (float("nan"), None), ("", None),
])
def test_parse_decimal(value, expected):
    got = parse_decimal(value)
    assert got == (Decimal(expected) if expected else None)
    assert got is None or isinstance(got, Decimal)


@pytest.mark.parametrize("spelling", [">=", "＞＝", "大于等于", "不低于", "≧"])
def test_operator_aliases(spelling):
    assert normalize_operator(spelling) == "≥"


def test_taxonomy_aliases():
    assert normalize_level1("效果指标") == ("效益指标", "效果指标")
    assert normalize_level1("产出") == ("产出指标", "产出")
    assert normalize_level1("数量指标").name is None
    assert normalize_level2("效益指标", "社会效益指\n标").name == "社会效益指标"
    assert normalize_level2("效益指标", "环境效益指标") == ("生态效益指标", "环境效益指标")
    assert normalize_level2("满意度指标", "社会公众满意度").name == "服务对象满意度指标"
    assert normalize_level2("产出指标", "社会效益指标").name is None
    assert normalize_level2("产出指标", "成本指标", cost_under_output=False).name is None


@given(st.text(max_size=60))
def test_parser_never_raises(text):
    parsed = parse_indicator_value(text)
    assert parsed.number is None or parsed.number.is_finite()
