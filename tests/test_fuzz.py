"""Fuzzing: the grid reader, the value parser and the text importer never crash.

Short in the default run; the long run (≥ 10,000 examples each) is one command:

    JIXIAO_FUZZ_EXAMPLES=10000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from jixiao.converters.docx import NotAPerformanceText
from jixiao.converters.text import import_text
from jixiao.errors import JixiaoError
from jixiao.forms.grid import Grid, SheetData
from jixiao.forms.layouts import META_SHEET, TEMPLATE_ID, TEMPLATE_VERSION
from jixiao.forms.reader import read_grid
from jixiao.checks.validate import validate_book
from jixiao.forms.values import parse_decimal, parse_indicator_value

N = int(os.environ.get("JIXIAO_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=N, deadline=None, suppress_health_check=list(HealthCheck))

cell = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**12, 10**12), st.booleans(),
                 st.floats(allow_nan=True, allow_infinity=True), st.just(""), st.just("#REF!"),
                 st.datetimes(min_value=dt.datetime(1900, 1, 1)), st.sampled_from(["项目编码", "一级指标", "≥95%",
                                                                                  "８０．００", "涉密", "=SUM(A1)"]))
rows = st.lists(st.lists(cell, max_size=12), max_size=40)


@FUZZ
@given(sheets=st.dictionaries(st.sampled_from(["单位信息", "部门整体绩效目标", "项目1", "项目2", "整体支出绩效目标表",
                                              "其他"]), rows, max_size=5),
       milestones=st.sampled_from(["3月底|6月底|10月底", "3月底|6月底|10月底|12月底", "", "乱码"]))
def test_reader_and_rules_on_random_grids(sheets, milestones):
    meta = SheetData(META_SHEET, [["template_id", TEMPLATE_ID], ["template_version", TEMPLATE_VERSION],
                                  ["profile", "hebei"], ["milestones", milestones]])
    grid = Grid.from_sheets([meta, *(SheetData(n, r) for n, r in sheets.items())])
    try:
        book = read_grid(grid)
    except JixiaoError:
        return
    for issue in validate_book(book):
        assert issue.code.startswith("JX-") and issue.message


@FUZZ
@given(st.one_of(st.text(max_size=60), st.floats(), st.integers(), st.none(), st.decimals(allow_nan=True)))
def test_value_parsers(value):
    number = parse_decimal(value)
    assert number is None or (isinstance(number, Decimal) and number.is_finite())
    parsed = parse_indicator_value(value if isinstance(value, str) else None)
    assert parsed.number is None or parsed.number.is_finite()


fragments = st.sampled_from(["| 项目编码 | 13082426P000327100327 | | 项目名称 | 经费 |", "| 预算数 | 80.00 | 其中：财政资金 | 80 |",
                             "| 3月底 | 6月底 | 10月底 |", "| 25% | 50% | 75% |", "| 一级指标 | 二级指标 |",
                             "\t项目编码", "\t预算数", "一、总体绩效目标", "（一）标题", "绩效目标：x", "| --- |",
                             "| 部门(单位)名称 | x |", "| 绩效指标 | 一级指标 | 二级指标 |", "2026 年", "\t", "|", "<br>",
                             # published 自评表 shapes (tests/data/wild): spaced rows, a lost 一级, wrapped cells,
                             # the blank form's placeholders, digits run together, the footer line
                             "项目支出绩效自评表", "年度绩效指标完成情况 一级", "指标", "(50分)", "……", "指标2:",
                             "二级指标 三级指标 年度指标值 实际完成值 分值 得分", "数量指标 指标1:完成 1 1 10 10",
                             "质量指标 指标1:合格 10 10", "可持续影", "响指标", "指标1:/ / /", "项目资金", "(万元)",
                             "三级指标 分值 年度指标值 全年实际值 得分", "质量指标验收合格率20100%100%20",
                             "|  | 年度资金总额： | 120 | 120 | 108 | 10 | 90% | 9 |", "填表人: 张三 联系电话:1 填报日期:"])


@FUZZ
@given(st.lists(st.one_of(fragments, st.text(max_size=40)), max_size=40))
def test_text_importer(lines):
    try:
        book, unplaced = import_text("\n".join(lines))
    except NotAPerformanceText:
        return
    assert isinstance(unplaced, list)
    validate_book(book)


html_fragments = st.sampled_from(["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th colspan=3>",
                                  "<td rowspan=2>", "<td rowspan=9999 colspan=-4>", "<td colspan='x'>", "<br>",
                                  "<p>", "</p>", "<script>", "</script>", "<style>", "<head>", "</head>", "&nbsp;",
                                  "&#x25;", "<!--", "-->", "<td>一级指标", "<td>三级指标", "<td>指标值", "<td>产出指标",
                                  "<td>≥95%", "<h2>项目支出绩效自评表</h2>", "<td>项目名称<td>某项目", "<![CDATA[",
                                  "<meta charset=gb2312>", "<svg><table>", "<td>80.00</td>"])


@FUZZ
@given(st.lists(st.one_of(html_fragments, st.text(max_size=30)), max_size=60))
def test_web_page_reader(parts):
    """Any HTML (cut off, unbalanced, spans out of range) is read to lines, and imported or refused."""
    from jixiao.converters.html_text import html_text
    from jixiao.converters.text import read_text

    text = html_text("".join(parts).encode("utf-8"))
    assert isinstance(text, str)
    try:
        read_text(text)
    except NotAPerformanceText:
        return
