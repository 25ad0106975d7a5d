"""Write the county summary workbook: an xlsxwriter skeleton with the data rows spliced in.

The skeleton holds what is small and rich: the 概览 sheet with its tables and
native charts, every sheet's header row, formats, widths, frozen header and
autofilter. The rows of the six data sheets are streamed in as compressed
chunks (cached ones for the per-unit sheets), so memory grows with nothing
but the per-unit summaries.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import heapq
import io
import itertools
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import xlsxwriter

from ..checks.catalogue import CATALOGUE
from ..forms.layouts import PrintSetup
from ..forms.printsetup import apply_xlsxwriter
from ..forms.a1 import col_letter
from ..forms.textsafe import xml_text
from ..forms.values import MILESTONES
from .cache import Cache
from .records import MONEY, ZERO, UnitRecord, pct, schedule_row, unit_label, unit_row
from .sheets import (
    COUNTIES, INDICATORS, ISSUES, META, MID_MONEY_OF, OVERVIEW, PROJECTS, REJECTED, SCHEDULE, SELFEVAL, STYLES, UNITS,
    ROW_OPEN, columns, plain, printed_columns, render_row, sheet_names,
)
from .xlsxstream import Chunk, Placement, Span, cell_xml, compress, crc32_combine, formula_xml, row_xml, splice

BATCH = 2000  # rows per chunk for the sheets rendered here
CACHED = (UNITS, PROJECTS, INDICATORS, SCHEDULE, ISSUES)  # the sheets made of the units' cached chunks


@dataclass
class County:
    """What the summary shows: consolidated units, rejected files, targets, counts."""

    units: list[UnitRecord]
    rejected: list[dict[str, Any]]
    found: int
    year: int | None
    targets: dict[str, Decimal]
    evaluations: list[dict[str, Any]] = field(default_factory=list)  # scored 自评表, best first
    #: a roll-up of county summaries: every data sheet has 县区 first, and 县区汇总 subtotals by county
    rollup: bool = False
    name: str | None = None  # the county's name (``--county``), kept in the summary's own records

    @functools.cached_property
    def _sums(self) -> dict[str, Decimal]:
        # column by column over the units' money vectors: exact, and no Python loop per unit
        columns = zip(*(u.vector for u in self.units))
        sums = dict.fromkeys(MONEY, ZERO)
        sums.update(zip(MONEY, (sum(column, ZERO) for column in columns)))
        return sums

    @property
    def budget(self) -> Decimal:
        return self._sums["budget"]

    def total(self, name: str) -> Decimal:
        return self._sums[name]

    @property
    def unsourced(self) -> Decimal:
        """The 预算数 of units whose form has no 财政资金 / 其他资金 (四川's): not split by source at all."""
        return sum((u.money("budget") for u in self.units if not u.summary.get("sources", True)), ZERO)

    def amount(self, m: str) -> Decimal:
        return self._sums["amount:" + m]

    def percent(self, m: str) -> Decimal:
        """The county's cumulative plan: of the budget of the units whose form has a plan."""
        planned = self._sums["planned"]
        return self._sums["weighted:" + m] / planned if planned else ZERO

    @functools.cached_property
    def _counts(self) -> Counter[str]:
        # every per-unit count in one pass: projects, indicators, findings, rows by sheet, findings by code
        counts: Counter[str] = Counter()
        codes: Counter[str] = Counter()
        for u in self.units:
            s = u.summary
            counts.update(s["rows"])
            codes.update(s["issue_codes"])
            counts["projects"] += s["n_projects"]
            counts["indicators"] += s["n_indicators"]
            counts["errors"] += u.errors
            counts["warnings"] += s["warnings"]
            if u.extra_issues:
                counts[ISSUES] += len(u.extra_issues)
                codes.update(row[3] for row in u.extra_issues)
        codes.update(r["code"] for r in self.rejected)
        counts.update({"code:" + code: n for code, n in codes.items()})
        return counts

    def rows(self, sheet: str) -> int:
        """Data rows of ``sheet`` (of the per-unit sheets)."""
        return self._counts[sheet]

    @property
    def projects(self) -> int:
        return self._counts["projects"]

    @property
    def indicators(self) -> int:
        return self._counts["indicators"]

    @property
    def errors(self) -> int:
        return self._counts["errors"]

    @property
    def warnings(self) -> int:
        return self._counts["warnings"]

    def code_counts(self) -> dict[str, int]:
        """Findings by JX code (the units', consolidation's own, and the files not consolidated)."""
        return {key[5:]: n for key, n in sorted(self._counts.items()) if key.startswith("code:") and n}


def county_of(record: dict[str, Any]) -> str:
    """The 县区 a unit (or a file not consolidated) came from in a roll-up ("" for one given directly)."""
    return record.get("county") or ""


def unit_rows(county: County) -> Iterator[list[Any]]:
    if county.rollup:
        return ([county_of(u.summary), *unit_row(u)] for u in county.units)
    return (unit_row(u) for u in county.units)


def schedule_rows(county: County) -> Iterator[list[Any]]:
    if county.rollup:
        return ([county_of(u.summary), *schedule_row(u, county.targets)] for u in county.units)
    return (schedule_row(u, county.targets) for u in county.units)


def rejected_rows(county: County) -> Iterator[list[Any]]:
    import datetime as dt

    for r in county.rejected:
        mtime = dt.datetime.fromtimestamp(r["mtime"]).strftime("%Y-%m-%d %H:%M") if r.get("mtime") else None
        row = [r["path"], r["code"], r["reason"], r.get("unit_code"), r.get("unit_name"), r.get("size"), mtime]
        yield [county_of(r), *row] if county.rollup else row


UNDECLARED = "（直接汇总的单位）"  # the 县区汇总 label of units given as workbooks beside the summaries


def county_rows(county: County) -> Iterator[list[Any]]:
    """县区汇总: one subtotal row per county, in name order (exact sums of the units' money)."""
    groups: dict[str, list[UnitRecord]] = {}
    for u in county.units:
        groups.setdefault(county_of(u.summary), []).append(u)
    rejected = Counter(county_of(r) for r in county.rejected)
    for name in sorted(set(groups) | set(rejected)):
        units = groups.get(name, [])
        sums = [sum(column, ZERO) for column in zip(*(u.vector for u in units))] or [ZERO] * len(MONEY)
        total = dict(zip(MONEY, sums))
        budget, planned = total["budget"], total["planned"]
        milestones: list[Any] = []
        for m in MILESTONES:  # of the budget whose form has a plan, as 单位汇总 and 概览 count it
            milestones += [total["amount:" + m], pct(total["weighted:" + m] / planned)] if planned else [None, None]
        yield [name or UNDECLARED, len(units), sum(u.summary["n_projects"] for u in units),
               sum(u.summary["n_indicators"] for u in units), budget, total["fiscal"], total["other"],
               *milestones, sum(u.errors for u in units), sum(u.summary["warnings"] for u in units),
               rejected.get(name, 0)]


def selfeval_rows(county: County) -> Iterator[list[Any]]:
    """Department and project scores side by side; only complete 自评表 are ranked (they come first),
    the incomplete ones follow unranked, with no score shown as if final and the reason why."""
    rank = 0
    for e in county.evaluations:
        scores = e["project_scores"]
        # no 执行率 when 全年预算数 is 0 or blank: “—”, not 0 %
        rate = "—" if e.get("rate") is None else pct(Decimal(e["rate"]))
        shown = "；".join(f"{name} {Decimal(total):.2f}（{grade or '未完成评分'}）" for name, total, grade in scores)
        if e["complete"]:
            rank += 1
            # half up, as every score is rounded (quantize's default, half even, made 84.125 84.12)
            average = (sum((Decimal(t) for _, t, _ in scores), Decimal(0)) / len(scores)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP) if scores else None
            row = [rank, e["unit"]["code"], e["unit"]["name"], Decimal(e["total"]), e["grade"], average, shown,
                   rate, e["projects"], "已完成", None, e["path"]]
        else:
            row = [None, e["unit"]["code"], e["unit"]["name"], None, "未完成评分", None, shown,
                   rate, e["projects"], "未完成评分（不排名）", e["why"], e["path"]]
        yield [county_of(e), *row] if county.rollup else row


def _chunks(sheet: str, rows: Iterable[list[Any]], rollup: bool = False) -> Iterator[Chunk]:
    batch: list[str] = []
    for row in rows:
        batch.append(render_row(sheet, row, rollup))
        if len(batch) >= BATCH:
            yield compress("".join(batch).encode("utf-8"), len(batch), level=1)
            batch = []
    if batch:
        yield compress("".join(batch).encode("utf-8"), len(batch), level=1)


def _totals_row(sheet: str, label: str, sums: dict[int, Decimal], first: int, last: int,
                rollup: bool = False) -> Chunk:
    """A totals row: SUM formulas over the data rows with Python's exact sums cached (``sums`` by the
    column's number in the plain layout: a roll-up's 县区 column shifts them by one)."""
    cells = []
    shift = rollup and sheet != COUNTIES
    sums = {i + 1: v for i, v in sums.items()} if shift else sums
    for i, col in enumerate(columns(sheet, rollup), start=1):
        style = STYLES.money if col.kind == "money" else STYLES.header
        if i == 1:
            cells.append(f'<c s="{STYLES.header}" t="inlineStr"><is><t>{label}</t></is></c>')
        elif i in sums:
            letter = col_letter(i)
            cells.append(formula_xml(f"SUM({letter}{first}:{letter}{last})", sums[i], style))
        else:
            cells.append(f'<c s="{STYLES.header}"/>')
    return compress(row_xml(cells).encode("utf-8"), 1, level=1)


def _mid_sums(sheet: str, county: "County") -> dict[int, Decimal]:
    """The 中期 columns' totals, by column number (found by title)."""
    return {i: county.total(MID_MONEY_OF[c.title]) for i, c in enumerate(columns(sheet), start=1)
            if c.title in MID_MONEY_OF}


def _money_cols(sheet: str) -> list[int]:
    return [i for i, c in enumerate(columns(sheet), start=1) if c.kind == "money"]


OVERVIEW_PRINT = PrintSetup(landscape=True)
_KEY_TITLES = ("县区", "单位编码", "单位名称")


def _key_columns(cols: list) -> list:
    """The leading columns that say whose a row is (县区 in a roll-up, 单位编码, 单位名称)."""
    keys = []
    for col in cols:
        if col.title not in _KEY_TITLES:
            break
        keys.append(col)
    return keys
OVERVIEW_COLS = 17  # A:Q, the tables and the charts beside them (from column I)
OVERVIEW_BREAK = 51  # page 2 (0-based row) starts with the findings by code and their chart, past the top 20
CHART_ROWS = 15  # rows a chart at y_scale 0.9 covers (288 px × 0.9 / 20 px), and a spare one


def plan_note(county: "County") -> list[str]:
    """Under the county's plan, when some units' forms have none (national, 四川): its amounts and
    percents are of the planned budget only, so its 12月底 is not the 预算数 printed above it."""
    unplanned = county.total("budget") - county.total("planned")
    if not unplanned:
        return []
    n = sum(1 for u in county.units if u.money("planned") != u.money("budget"))
    return [f"注：累计金额、累计% 只含有资金支出计划的表样（预算 {county.total('planned'):,.2f} 万元）；",
            f"{n} 个单位的表样没有资金支出计划（预算 {unplanned:,.2f} 万元），不在此表中。"]


def county_title(county: "County") -> str:
    """The summary's name, in every page's footer."""
    year = f"{county.year} 年度" if county.year else ""
    return f"预算绩效目标汇总 {year}".strip()


# --- the skeleton --------------------------------------------------------------------------

def _overview(wb: xlsxwriter.Workbook, ws, fmts: dict[str, Any], county: County, n_units: int) -> int:
    """Draw the 概览; returns the number of rows it uses (tables and charts)."""
    title = wb.add_format({"bold": True, "font_size": 16, "font_name": "宋体"})
    bold = wb.add_format({"bold": True, "font_name": "宋体"})
    ok = wb.add_format({"bold": True, "font_color": "#006100", "bg_color": "#C6EFCE"})
    bad = wb.add_format({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"})
    ws.set_column(0, 0, 22)
    ws.set_column(1, 6, 14)
    year = f"{county.year} 年度" if county.year else ""
    ws.write_string(0, 0, f"预算绩效目标汇总 {year}".strip(), title)
    consolidated, rejected = len(county.units) + len(county.evaluations), len(county.rejected)
    balanced = county.found == consolidated + rejected
    ws.write_string(2, 0, "文件核对", bold)
    ws.write_row(3, 0, ["找到文件", "纳入汇总", "未纳入汇总"], fmts["header"])
    ws.write_row(4, 0, [county.found, consolidated, rejected])
    ws.write_string(5, 0, f"找到 {county.found} = 纳入 {consolidated} + 未纳入 {rejected}"
                          f"{'，核对一致' if balanced else '，核对不一致！'}", ok if balanced else bad)
    ws.write_string(7, 0, "统计", bold)
    unfinished = sum(1 for e in county.evaluations if not e["complete"])
    stats = [("单位数", len(county.units)), ("自评表", len(county.evaluations)), ("项目数", county.projects), ("指标数", county.indicators),
             ("错误", county.errors), ("提示", county.warnings)]
    for i, (label, value) in enumerate(stats):
        ws.write_string(8 + i, 0, label)
        ws.write_number(8 + i, 1, value)
    if unfinished:  # beside the 自评表 count: the ones that are not ranked
        ws.write_string(9, 2, f"其中 {unfinished} 份未完成评分（不排名，原因见“自评得分”）", bad)
    ws.write_string(15, 0, "预算（万元）", bold)
    last = n_units + 1
    for i, (label, name, col) in enumerate([("预算数", "budget", 5), ("财政资金", "fiscal", 6),
                                            ("其他资金", "other", 7)]):
        ws.write_string(16 + i, 0, label)
        letter = col_letter(col + county.rollup)
        ws.write_formula(16 + i, 1, f"=SUM('{UNITS}'!{letter}2:{letter}{last})", fmts["money"],
                         float(county.total(name)))
    if any(u.summary.get("mid") for u in county.units) or county.total("mid_budget"):  # the national 申报表's
        ws.write_string(15, 3, "中期（实施期）资金（万元）", bold)  # 中期 amounts, beside the 年度 ones
        mids = [(c.title, MID_MONEY_OF[c.title], i) for i, c in enumerate(columns(UNITS), start=1)
                if c.title in MID_MONEY_OF]
        for k, (label, name, col) in enumerate(mids):
            ws.write_string(16 + k, 3, label)  # a column apart from the 年度 amounts
            letter = col_letter(col + county.rollup)
            ws.write_formula(16 + k, 4, f"=SUM('{UNITS}'!{letter}2:{letter}{last})", fmts["money"],
                             float(county.total(name)))
    # county schedule against 序时进度
    ws.write_string(19, 0, "各县区合计支出计划与序时进度" if county.rollup else "全县支出计划与序时进度", bold)
    ws.write_row(20, 0, ["时点", "累计金额", "累计%", "序时进度%", "差距"], fmts["header"])
    for i, m in enumerate(MILESTONES):
        share = county.percent(m)
        ws.write_string(21 + i, 0, m)
        ws.write_number(21 + i, 1, float(county.amount(m)), fmts["money"])
        ws.write_number(21 + i, 2, float(pct(share)), fmts["percent"])
        ws.write_number(21 + i, 3, float(county.targets[m]), fmts["percent"])
        ws.write_number(21 + i, 4, float(pct(share - county.targets[m])), fmts["percent"])
    for i, text in enumerate(plan_note(county)):  # rows 25-26, above the top 20
        ws.write_string(25 + i, 0, text)
    line = wb.add_chart({"type": "line"})
    for col, name in ((2, "计划累计%"), (3, "序时进度%")):
        line.add_series({"name": name, "categories": [OVERVIEW, 21, 0, 24, 0],
                         "values": [OVERVIEW, 21, col, 24, col], "marker": {"type": "circle"}})
    line.set_title({"name": "累计支出计划与序时进度"})
    line.set_y_axis({"min": 0, "max": 100})
    ws.insert_chart(2, 8, line, {"x_scale": 1.1, "y_scale": 0.9})
    # budget by unit: the 20 largest
    top = heapq.nlargest(20, county.units, key=lambda u: u.money("budget"))  # (the first of equals first, as sorted)
    ws.write_string(27, 0, "预算数前 20 名单位", bold)
    ws.write_row(28, 0, ["单位", "预算数"], fmts["header"])
    for i, u in enumerate(top):
        ws.write_string(29 + i, 0, unit_label(u.summary["unit"]))
        ws.write_number(29 + i, 1, float(u.money("budget")), fmts["money"])
    if top:
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({"name": "预算数（万元）", "categories": [OVERVIEW, 29, 0, 28 + len(top), 0],
                        "values": [OVERVIEW, 29, 1, 28 + len(top), 1]})
        bar.set_title({"name": "各单位预算数（前 20）"})
        bar.set_y_axis({"reverse": True})
        bar.set_legend({"none": True})
        ws.insert_chart(20, 8, bar, {"x_scale": 1.1, "y_scale": 1.3})
    # findings by code
    codes = county.code_counts()
    start = max(29 + max(len(top), 1) + 2, OVERVIEW_BREAK)  # on page 2, with its chart
    ws.write_string(start, 0, "问题按代码统计", bold)
    ws.write_row(start + 1, 0, ["代码", "名称", "数量"], fmts["header"])
    for i, (code, n) in enumerate(codes.items()):
        ws.write_row(start + 2 + i, 0, [code, CATALOGUE[code].title if code in CATALOGUE else "", n])
    if codes:
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "问题数", "categories": [OVERVIEW, start + 2, 0, start + 1 + len(codes), 0],
                          "values": [OVERVIEW, start + 2, 2, start + 1 + len(codes), 2]})
        chart.set_title({"name": "问题按代码统计"})
        chart.set_legend({"none": True})
        ws.insert_chart(start, 8, chart, {"x_scale": 1.1, "y_scale": 0.9})
    return max(start + CHART_ROWS, start + 2 + len(codes))


def write_skeleton(path: Path | BinaryIO, county: County, counts: dict[str, int]) -> dict[str, str]:
    """The workbook without data rows (to a file or a buffer); returns sheet name → zip part name."""
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                    "strings_to_numbers": False, "in_memory": True})
    fmts = {"header": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "valign": "vcenter"}),
            # data cells at the top: a row grown for a wrapped 绩效目标 reads from its first line across
            "text": wb.add_format({"valign": "top"}),
            "money": wb.add_format({"num_format": "#,##0.00", "valign": "top"}),
            "percent": wb.add_format({"num_format": "0.0", "valign": "top"}),
            "link": wb.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"}),
            "wrap": wb.add_format({"text_wrap": True, "valign": "top"})}
    for name, fmt in fmts.items():
        # the rows rendered elsewhere refer to these xf indices
        assert fmt._get_xf_index() == getattr(STYLES, name), name
    parts = {}
    title = county_title(county)
    for i, sheet in enumerate(sheet_names(county.rollup), start=1):
        ws = wb.add_worksheet(sheet)
        parts[sheet] = f"xl/worksheets/sheet{i}.xml"
        if sheet == OVERVIEW:
            rows = _overview(wb, ws, fmts, county, counts[UNITS])
            apply_xlsxwriter(ws, OVERVIEW_PRINT, title)
            ws.print_area(0, 0, rows - 1, OVERVIEW_COLS - 1)
            ws.set_h_pagebreaks([OVERVIEW_BREAK])  # charts whole: the first two above, the third below
            continue
        cols = columns(sheet, county.rollup)
        # per sheet, not per row: the spliced rows inherit it
        shown = printed_columns(cols)  # a long 来源文件 path would shrink the whole printed table
        keys = _key_columns(shown)  # who each row is: on every page of a list too wide for one
        apply_xlsxwriter(ws, PrintSetup.for_width(sum(c.width for c in shown), repeat_rows=(1, 1),
                                                  key=(len(keys), sum(c.width for c in keys))), title)
        if len(shown) < len(cols):  # the header, the data rows and the 合计 row, as far as the printed columns
            last = counts.get(sheet, 0) + (sheet in (UNITS, PROJECTS, SCHEDULE))
            ws.print_area(0, 0, max(last, 1), len(shown) - 1)
        ws.set_row(0, 30)  # two lines: a header such as 10月底累计金额 wraps in its column
        for c, col in enumerate(cols):
            ws.set_column(c, c, col.width)
            ws.write_string(0, c, col.title, fmts["header"])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(counts[sheet], 1), len(cols) - 1)
    # the summary's own records, for a roll-up (see .rollup): very hidden, so Excel keeps it but shows nothing
    meta = wb.add_worksheet(META)
    meta.very_hidden()
    apply_xlsxwriter(meta, PrintSetup.for_width(60, repeat_rows=(1, 1)), title)  # (never printed: every sheet has it)
    parts[META] = f"xl/worksheets/sheet{len(parts) + 1}.xml"
    wb.worksheets()[0].activate()
    wb.close()
    return parts


# --- assembling -----------------------------------------------------------------------------

def _cached(cache: Cache, county: County, sheet: str, placed: Placement | None) -> Iterator[Chunk | Span]:
    if county.rollup:
        return _rolled_up(cache, county, sheet, placed)
    return _plain_cached(cache, county, sheet, placed)


def _plain_cached(cache: Cache, county: County, sheet: str, placed: Placement | None) -> Iterator[Chunk | Span]:
    """The units' cached chunks of ``sheet`` in order: from the previous summary where they sit there already.

    Units that were neighbours there and still are make one span. A unit with findings made here
    (D01/D02) gets its 单位汇总 row rendered again, unkeyed: that row is not the cached one, so the
    next run must not copy it. A unit without rows in ``sheet`` yields an empty keyed chunk, so
    that the next run knows it has none. In a roll-up, a unit workbook given beside the summaries
    has its cached rows (made without 县区) given an empty 县区 cell, unkeyed too.
    """
    placed = placed or Placement()
    index = {key: i for i, key in enumerate(placed.keys)}
    redo = sheet == UNITS
    missing = [u.key for u in county.units if u.key not in index and not (redo and u.extra_issues)]
    fetched = dict(zip(missing, cache.blobs(missing, sheet))) if missing else {}
    offsets, csizes = placed.offsets, placed.csizes
    first = last = -1  # the run of old units being gathered, if first >= 0
    end = 0  # where the run ends in the old file

    def span() -> Span:
        crc = size = 0
        for a, b in placed.pieces(first, last):  # a piece's CRC from its ends, then one combine per piece
            piece, n = placed.crc(a, b)
            crc = crc32_combine(crc, piece, n) if size else piece
            size += n
        return Span(offsets[first], end - offsets[first], crc, size, placed.slice(first, last))

    for u in county.units:
        i = None if redo and u.extra_issues else index.get(u.key)
        if i is not None:
            if first >= 0 and i == last + 1 and offsets[i] == end:
                last, end = i, end + csizes[i]
                continue
            if first >= 0:
                yield span()
            first = last = i
            end = offsets[i] + csizes[i]
            continue
        if first >= 0:
            yield span()
            first = -1
        if redo and u.extra_issues:
            row = [county_of(u.summary), *unit_row(u)] if county.rollup else unit_row(u)
            yield compress(render_row(UNITS, row, county.rollup).encode("utf-8"), 1, level=1)
        else:
            blob = fetched[u.key]
            chunk = Chunk.unpack(blob) if blob else Chunk(b"", 0, 0)
            chunk.key = u.key
            yield chunk
    if first >= 0:
        yield span()


_EMPTY_COUNTY = b'<c s="%d"/>' % STYLES.text


def _rolled_up(cache: Cache, county: County, sheet: str, placed: Placement | None) -> Iterator[Chunk | Span]:
    """:func:`_cached` for a roll-up: the units from summaries are cached in the roll-up layout already;
    those given directly get an empty 县区 cell first in each row (and nothing is copied from a previous
    summary then: its chunks of them could be without that cell)."""
    direct = {u.key for u in county.units if "county" not in u.summary}
    if not direct:
        yield from _plain_cached(cache, county, sheet, placed)
        return
    for chunk in _plain_cached(cache, county, sheet, None):
        if isinstance(chunk, Chunk) and chunk.key in direct:
            raw = ROW_OPEN.sub(lambda m: m.group(0) + _EMPTY_COUNTY, zlib.decompressobj(-15).decompress(chunk.data))
            chunk = compress(raw, chunk.rows, level=1)  # unkeyed: not the cached rows
        yield chunk


MAX_LINKS = 65530  # Excel's limit of hyperlinks on one sheet (the cells past it keep their text)


def project_links(county: County) -> list[tuple[str, str]]:
    """The cell hyperlinks of 项目清单: (cell, target) of each link too long for a formula."""
    column = col_letter(len(columns(PROJECTS, county.rollup)))
    found: list[tuple[str, str]] = []
    row = 2  # the first data row
    for u in county.units:
        s = u.summary
        if "links" in s:  # rare: only units in deep folders
            found += [(f"{column}{row + i}", target) for i, target in s["links"]]
        row += s["rows"][PROJECTS]
    return found[:MAX_LINKS]


def _meta_chunks(county: County) -> Iterator[Chunk]:
    from .rollup import meta_rows

    batch: list[str] = []
    for cells in meta_rows(county):
        batch.append(row_xml(cell_xml(c, STYLES.text) for c in cells))
        if len(batch) >= BATCH:
            yield compress("".join(batch).encode("utf-8"), len(batch), level=1)
            batch = []
    if batch:
        yield compress("".join(batch).encode("utf-8"), len(batch), level=1)


def write_summary(out: Path, county: County, cache: Cache, into: Path) -> dict[str, Placement]:
    """Write the summary workbook that will replace ``out`` into the file ``into``; returns what the next
    run can copy from it (for :meth:`Cache.remember_summary`, once it is in place)."""
    counts = {s: county.rows(s) for s in (PROJECTS, INDICATORS, ISSUES)}
    counts[UNITS] = counts[SCHEDULE] = len(county.units)
    counts[REJECTED] = len(county.rejected)
    counts[SELFEVAL] = len(county.evaluations)
    unit_sums = {5: county.budget, 6: county.total("fiscal"), 7: county.total("other"),
                 **{8 + 2 * k: county.amount(m) for k, m in enumerate(MILESTONES)}, **_mid_sums(UNITS, county)}
    project_sums: dict[int, Decimal] = _mid_sums(PROJECTS, county)
    proj_cols = [i for i in _money_cols(PROJECTS) if i not in project_sums]
    budget_cols = {6: "budget", 7: "fiscal", 8: "other"}
    for i in proj_cols:
        if i in budget_cols:
            project_sums[i] = county.total(budget_cols[i])
        else:  # the milestone amount columns, in MILESTONES order
            project_sums[i] = county.amount(MILESTONES[proj_cols.index(i) - 3])
    schedule_sums = {3: county.budget, **{4 + 4 * k: county.amount(m) for k, m in enumerate(MILESTONES)}}
    rollup = county.rollup
    if rollup:
        counts[COUNTIES] = sum(1 for _ in county_rows(county))
    previous = cache.previous_summary(out)  # the last summary written here, if untouched since
    skeleton = io.BytesIO()  # small: the overview, the headers and the styles
    parts = write_skeleton(skeleton, county, counts)

    def cached(sheet: str) -> Iterator[Chunk | Span]:
        return _cached(cache, county, sheet, previous.get(parts[sheet]))

    def dimension(sheet: str, totals: bool) -> str:
        return f"A1:{col_letter(len(columns(sheet, rollup)))}{counts[sheet] + 1 + totals}"

    def totals(chunks: Iterator[Chunk | Span], sheet: str, sums: dict[int, Decimal]) -> Iterator[Chunk | Span]:
        yield from chunks
        yield _totals_row(sheet, "合计", sums, 2, counts[sheet] + 1, rollup)

    extra = (([county_of(u.summary), *row] if rollup else row) for u in county.units for row in u.extra_issues)
    sheets = {
        parts[UNITS]: (totals(cached(UNITS), UNITS, unit_sums), dimension(UNITS, True)),
        parts[PROJECTS]: (totals(cached(PROJECTS), PROJECTS, project_sums), dimension(PROJECTS, True)),
        parts[INDICATORS]: (cached(INDICATORS), dimension(INDICATORS, False)),
        parts[SCHEDULE]: (totals(cached(SCHEDULE), SCHEDULE, schedule_sums), dimension(SCHEDULE, True)),
        parts[ISSUES]: (itertools.chain(cached(ISSUES), _chunks(ISSUES, extra, rollup)), dimension(ISSUES, False)),
        parts[REJECTED]: (_chunks(REJECTED, rejected_rows(county), rollup), dimension(REJECTED, False)),
        parts[SELFEVAL]: (_chunks(SELFEVAL, selfeval_rows(county), rollup), dimension(SELFEVAL, False)),
        parts[META]: (_meta_chunks(county), "A1"),
    }
    if rollup:
        n = 8 + 2 * len(MILESTONES)  # the columns after the milestones: 错误, 提示, 未纳入文件
        county_sums = {2: len(county.units), 3: county.projects, 4: county.indicators, 5: county.budget,
                       6: county.total("fiscal"), 7: county.total("other"),
                       **{8 + 2 * k: county.amount(m) for k, m in enumerate(MILESTONES)},
                       n: county.errors, n + 1: county.warnings, n + 2: len(county.rejected)}
        sheets[parts[COUNTIES]] = (totals(_chunks(COUNTIES, county_rows(county)), COUNTIES, county_sums),
                                   dimension(COUNTIES, True))
    links = {parts[PROJECTS]: project_links(county)}
    with open(into, "wb") as fh, (open(out, "rb") if previous else contextlib.nullcontext()) as source:
        placements = splice(skeleton, fh, sheets, source, links)
    return {parts[sheet]: placements[parts[sheet]] for sheet in CACHED}


# --- CSV and Parquet ---------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula (``= + - @``) gets a leading apostrophe; control
    characters pasted from Word (JX-X02) are cleaned, as every exporter does."""
    if isinstance(value, str):
        value = xml_text(value)
        if value[:1] in ("=", "+", "-", "@") and not _NUMBER.match(value):
            return "'" + value
    return value


def tables(county: County, cache: Cache) -> Iterator[tuple[str, Iterator[list[Any]]]]:
    yield UNITS, (list(map(plain, r)) for r in unit_rows(county))

    def cached(sheet: str) -> Iterator[list[Any]]:
        for u, blob in zip(county.units, cache.blobs([u.key for u in county.units], "table")):
            if blob:
                rows = json.loads(zlib.decompress(blob))[sheet]
                if county.rollup and "county" not in u.summary:  # a unit given directly, beside the summaries
                    rows = [["", *r] for r in rows]
                yield from rows
        if sheet == ISSUES:
            for u in county.units:
                prefix = [county_of(u.summary)] if county.rollup else []
                yield from ([*prefix, *map(plain, r)] for r in u.extra_issues)

    yield PROJECTS, cached(PROJECTS)
    yield INDICATORS, cached(INDICATORS)
    yield SCHEDULE, (list(map(plain, r)) for r in schedule_rows(county))
    yield ISSUES, cached(ISSUES)
    yield REJECTED, (list(map(plain, r)) for r in rejected_rows(county))
    yield SELFEVAL, (list(map(plain, r)) for r in selfeval_rows(county))
    if county.rollup:
        yield COUNTIES, (list(map(plain, r)) for r in county_rows(county))


def write_tables(folder: Path, county: County, cache: Cache, into: Path) -> list[Path]:
    """Every data sheet as CSV (UTF-8 with BOM, formulas neutralised) and, with pyarrow, Parquet, written
    into the folder ``into``; returns their paths in ``folder``, where they will be put."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - optional
        pa = pq = None
    written = []
    for sheet, rows in tables(county, cache):
        headers = [c.title for c in columns(sheet, county.rollup)]
        data = [list(r) for r in rows]
        with open(into / f"{sheet}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            writer.writerows([neutralise(v) for v in r] for r in data)
        written.append(folder / f"{sheet}.csv")
        if pa is not None:
            table = {h: [None if r[i] is None else str(r[i]) for r in data] for i, h in enumerate(headers)}
            pq.write_table(pa.table(table, schema=pa.schema([(h, pa.string()) for h in headers])),
                           str(into / f"{sheet}.parquet"))
            written.append(folder / f"{sheet}.parquet")
    return written
