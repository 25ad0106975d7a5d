"""The summary workbook's sheets (names are a contract) and their columns, as data.

One description per sheet serves the header row, the XML rows of the xlsx and
the CSV/Parquet tables, so they cannot disagree.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from decimal import Decimal
from typing import Any

from ..forms.values import MILESTONES
from .xlsxstream import Styles, cell_xml, formula_xml, text_cell

OVERVIEW = "概览"
UNITS = "单位汇总"
PROJECTS = "项目清单"
INDICATORS = "指标明细"
SCHEDULE = "支出计划汇总"
ISSUES = "校验问题"
REJECTED = "未纳入文件"
SELFEVAL = "自评得分"
SHEETS = (OVERVIEW, UNITS, PROJECTS, INDICATORS, SCHEDULE, ISSUES, REJECTED, SELFEVAL)
#: a roll-up of county summaries only: one subtotal row per county (县区), after 概览
COUNTIES = "县区汇总"
#: the summary's own records (very hidden), what a roll-up of summaries reads: see :mod:`.rollup`
META = "_jixiao_summary"
COUNTY = "县区"  # the column a roll-up adds, first, to every data sheet


def sheet_names(rollup: bool) -> tuple[str, ...]:
    """The visible sheets of a summary, in order (a roll-up has 县区汇总 after 概览)."""
    return (OVERVIEW, COUNTIES, *SHEETS[1:]) if rollup else SHEETS

#: xf indices registered first, in this order, by the skeleton (checked there).
STYLES = Styles(header=1, text=2, money=3, percent=4, link=5, wrap=6)
_STYLE = {"text": STYLES.text, "money": STYLES.money, "percent": STYLES.percent, "int": STYLES.text,
          "link": STYLES.link, "number": STYLES.text, "wrap": STYLES.wrap}


@dataclass(frozen=True)
class Col:
    title: str
    kind: str = "text"  # text | money | percent | int | number | link | wrap (a long text, wrapped when printed)
    width: float = 12
    printed: bool = True  # False: on screen only, outside the print area (a trailing column)


def printed_columns(cols: list[Col]) -> list[Col]:
    """The leading columns a sheet prints (up to the first screen-only one)."""
    shown = []
    for col in cols:
        if not col.printed:
            break
        shown.append(col)
    return shown


def _milestone_cols(*parts: tuple[str, str]) -> list[Col]:
    return [Col(f"{m}{label}", kind, 11) for m in MILESTONES for label, kind in parts]


#: the 中期 (实施期) amounts of the national 申报表, blank for a form without them; by title → money name
MID_COLS = (Col("中期资金总额", "money"), Col("中期财政拨款", "money"), Col("中期其他资金", "money"))
MID_MONEY_OF = {"中期资金总额": "mid_budget", "中期财政拨款": "mid_fiscal", "中期其他资金": "mid_other"}

COLUMNS: dict[str, list[Col]] = {
    UNITS: [Col("单位编码", width=10), Col("单位名称", width=28), Col("项目数", "int", 8), Col("指标数", "int", 8),
            Col("预算数", "money"), Col("财政资金", "money"), Col("其他资金", "money"),
            *_milestone_cols(("累计金额", "money"), ("累计%", "percent")), *MID_COLS,
            Col("错误", "int", 7), Col("提示", "int", 7), Col("来源文件", width=40, printed=False)],
    PROJECTS: [Col("单位编码", width=10), Col("单位名称", width=24), Col("工作表", width=8),
               Col("项目编码", width=24), Col("项目名称", width=24), Col("预算数", "money"),
               Col("财政资金", "money"), Col("其他资金", "money"), Col("资金用途", "wrap", 30),
               *_milestone_cols(("累计%", "percent")), *_milestone_cols(("累计金额", "money")),
               Col("绩效目标", "wrap", 40), Col("指标数", "int", 8), Col("涉密", width=6), *MID_COLS,
               Col("来源", "link", 12)],
    INDICATORS: [Col("单位编码", width=10), Col("单位名称", width=24), Col("工作表", width=10),
                 Col("项目编码", width=24), Col("项目名称", width=20), Col("序号", "int", 6),
                 Col("一级指标"), Col("二级指标", width=16), Col("三级指标", "wrap", 20),
                 Col("绩效指标描述", "wrap", 24), Col("指标值", "wrap", 14), Col("指标值确定依据", "wrap", 14),
                 Col("指标值类型", width=8), Col("计量单位", width=8), Col("指标解释", "wrap", 20),
                 Col("评(扣)分标准", "wrap", 20), Col("分值", "number", 6), Col("备注", width=10),
                 Col("运算符", width=6), Col("数值", "number", 10), Col("单位", width=6),
                 Col("期间", width=6)],
    SCHEDULE: [Col("单位编码", width=10), Col("单位名称", width=28), Col("预算数", "money"),
               *_milestone_cols(("累计金额", "money"), ("累计%", "percent"), ("序时进度%", "percent"),
                                ("差距", "percent"))],
    ISSUES: [Col("单位编码", width=10), Col("单位名称", width=24), Col("文件", "wrap", 30), Col("代码", width=8),
             Col("严重程度", width=8), Col("工作表", "wrap", 12), Col("单元格", width=8), Col("字段", width=14),
             Col("值", "wrap", 20), Col("说明", "wrap", 60), Col("修正建议", "wrap", 30)],
    # the long texts wrap (and their rows grow): 各项目得分 and 未完成原因 ran off the printed page
    SELFEVAL: [Col("排名", "int", 6), Col("单位编码", width=10), Col("单位名称", "wrap", 28),
               Col("部门整体总分", "number", 10), Col("部门整体等级", width=10), Col("项目平均分", "number", 10),
               Col("各项目得分", "wrap", 40), Col("预算执行率%", "percent", 10), Col("项目数", "int", 8),
               Col("评分状态", "wrap", 12), Col("未完成原因", "wrap", 60), Col("来源文件", width=40, printed=False)],
    REJECTED: [Col("文件", "wrap", 50), Col("代码", width=8), Col("原因", "wrap", 60), Col("单位编码", width=10),
               Col("单位名称", width=24), Col("大小（字节）", "int", 12), Col("修改时间", width=20)],
}


COLUMNS[COUNTIES] = [Col(COUNTY, width=16), Col("单位数", "int", 8), Col("项目数", "int", 8), Col("指标数", "int", 8),
                     Col("预算数", "money"), Col("财政资金", "money"), Col("其他资金", "money"),
                     *_milestone_cols(("累计金额", "money"), ("累计%", "percent")),
                     Col("错误", "int", 7), Col("提示", "int", 7), Col("未纳入文件", "int", 10)]
#: the sheets of a roll-up: 县区 first in every data sheet (县区汇总 has it already)
ROLLUP_COLUMNS: dict[str, list[Col]] = {sheet: cols if sheet == COUNTIES else [Col(COUNTY, width=12), *cols]
                                        for sheet, cols in COLUMNS.items()}


def columns(sheet: str, rollup: bool = False) -> list[Col]:
    return (ROLLUP_COLUMNS if rollup else COLUMNS)[sheet]


@functools.lru_cache(maxsize=1024)
def file_uri(path: str) -> str:
    """``file:`` URI of a path (resolved once per path: every project row of a unit links the same file)."""
    return Path(path).resolve().as_uri()


#: Excel's limit on a text in a formula (HYPERLINK's target included): a longer one makes Excel refuse it.
FORMULA_TEXT_MAX = 255


@dataclass(frozen=True)
class Link:
    """A link to a file (and a sheet in it), written as a HYPERLINK formula so rows stay position-free.

    A target too long for a formula (a deep Chinese path: every character is nine in a ``file:``
    URI) is a cell hyperlink instead: the row holds only the text, and the summary's
    ``<hyperlinks>`` part points its cell at the target (see :func:`.xlsxstream.splice`).
    """

    path: str
    sheet: str | None = None
    text: str = "打开"

    def target(self) -> str:
        uri = file_uri(self.path)
        return f"{uri}#'{self.sheet}'!A1" if self.sheet else uri

    def fits(self) -> bool:
        """Whether the target fits in a HYPERLINK formula."""
        return len(self.target()) <= FORMULA_TEXT_MAX


_STYLES_BY_SHEET = {sheet: [_STYLE[c.kind] for c in cols] for sheet, cols in COLUMNS.items()}
_ROLLUP_STYLES = {sheet: [_STYLE[c.kind] for c in cols] for sheet, cols in ROLLUP_COLUMNS.items()}
#: the wrapped columns of a sheet, (index, width): their rows get the height of their longest text
_WRAPPED = {rollup: {sheet: [(i, c.width) for i, c in enumerate(cols) if c.kind == "wrap"]
                     for sheet, cols in (ROLLUP_COLUMNS if rollup else COLUMNS).items()} for rollup in (False, True)}
ROW_HEIGHT = 15  # points, the sheets' default row height
MAX_ROW_HEIGHT = 409  # points: Excel's limit (a longer text is kept whole in its cell, cut on paper)


@functools.lru_cache(maxsize=1 << 14)
def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (a Chinese character is two),
    each of its own lines (a 绩效目标 of 1. … 2. …) starting a new one. Memoised: units repeat their
    indicator names and 评分标准, and this runs for every row of 指标明细."""
    room = max(width - 1, 1)
    if 2 * len(text) <= room and "\n" not in text:  # the common short text
        return 1
    # display width without a Python loop per character: a CJK character is 3 bytes in UTF-8 and 2 wide
    return sum(max(1, math.ceil((len(line) + (len(line.encode("utf-8")) - len(line)) // 2) / room))
               for line in text.split("\n"))


#: the start of a data row as :func:`render_row` writes it (what a roll-up finds again in a summary's XML)
ROW_OPEN = re.compile(rb'<row(?: ht="\d+" customHeight="1")?>')


def _row_open(sheet: str, values: list[Any], rollup: bool) -> str:
    """``<row>``, or with a height when a wrapped text needs more than one line (Excel and WPS do not
    grow a row for it, and LibreOffice prints the lines over each other)."""
    wrapped = _WRAPPED[rollup].get(sheet)
    if not wrapped:
        return "<row>"
    lines, n = 1, len(values)
    for i, w in wrapped:  # (a plain loop: this runs for every row of 指标明细)
        v = values[i] if i < n else None
        if v:
            text = v if v.__class__ is str else str(v)
            if 2 * len(text) > w - 1 or "\n" in text:
                lines = max(lines, _lines(text, w))
    return "<row>" if lines == 1 else f'<row ht="{min(lines * ROW_HEIGHT, MAX_ROW_HEIGHT)}" customHeight="1">'

# Rendered text cells, one memo per style. Units repeat most of their text (unit and project
# names, the indicator categories, the same 指标值 wording), so a row is mostly lookups.
# Bounded, and only short texts are kept.
_MEMO_LIMIT, _MEMO_TEXT = 1 << 15, 64
_TEXT_CELLS: dict[int, dict[str, str]] = {style: {} for style in set(_STYLE.values())}
_EMPTY_CELLS = {style: f'<c s="{style}"/>' for style in set(_STYLE.values())}


def _text_cell(style: int, value: str) -> str:
    xml = text_cell(value, style) if value else _EMPTY_CELLS[style]
    if len(value) <= _MEMO_TEXT:
        memo = _TEXT_CELLS[style]
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[value] = xml
    return xml


def render_row(sheet: str, values: list[Any], rollup: bool = False) -> str:
    """One data row of ``sheet`` as position-free XML (``rollup``: of a roll-up's sheet, 县区 first)."""
    cells: list[str] = []
    add = cells.append
    memos, empty = _TEXT_CELLS, _EMPTY_CELLS
    for style, value in zip((_ROLLUP_STYLES if rollup else _STYLES_BY_SHEET)[sheet], values):
        if value.__class__ is str:  # the common case first
            xml = memos[style].get(value)
            add(xml if xml is not None else _text_cell(style, value))
        elif value is None:
            add(empty[style])
        elif value.__class__ is Link:
            if value.fits():
                target = value.target().replace('"', '""')
                add(formula_xml(f'HYPERLINK("{target}","{value.text}")', value.text, style))
            else:  # the cell's hyperlink comes with the sheet (where the row lands is known only there)
                add(text_cell(value.text, style))
        else:
            add(cell_xml(value, style))
    return _row_open(sheet, values, rollup) + "".join(cells) + "</row>"


def plain(value: Any) -> Any:
    """A value as it goes to CSV / JSON: links become paths, Decimals strings."""
    if isinstance(value, Link):
        return value.target()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def money_sum_formula(col_index: int, first: int, last: int) -> str:
    from ..forms.a1 import col_letter

    letter = col_letter(col_index)
    return f"SUM({letter}{first}:{letter}{last})"
