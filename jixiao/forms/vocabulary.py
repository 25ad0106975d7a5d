"""The vocabulary of a form: what a form file (``jixiao/forms/tables/*.toml``) loads into.

A :class:`SheetLayout` is one official table as a worksheet: fixed labels (:class:`Static`),
computed cells (:class:`Formula`), input cells (:class:`Field`), repeating rows (:class:`Block`
of :class:`Column`), conditional-format checks (:class:`Check`), a read-only :class:`Panel` and
how it prints (:class:`PrintSetup`). :mod:`jixiao.forms.formfile` builds them from data; the
template builder, the reader, the rules and the Word export read them. Nothing here knows a
province or a cell address.

Addresses are A1 strings; a range (``"B3:C3"``) is a merged cell whose value sits in its
top-left cell. An open-ended block grows with its content and pushes the rows below it (a
footer) down.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from typing import Callable

TEMPLATE_ID = "jixiao.unit-workbook"
TEMPLATE_VERSION = "1"
SUPPORTED_VERSIONS = ("1",)

META_SHEET = "_jixiao"
UNIT_SHEET = "单位信息"
DEPARTMENT_SHEET = "部门整体绩效目标"
OVERALL_SHEET = "整体支出绩效目标表"
PROJECT_MASTER_SHEET = "项目模板"
PROJECT_SHEET_PREFIX = "项目"


from .a1 import a1, col_index, col_letter, parse_a1, parse_range  # noqa: E402,F401 - layouts speak A1


# --- the vocabulary of a layout ---------------------------------------------

#: Kinds of input value. ``text`` keeps line breaks; ``money`` is 万元 (Decimal,
#: two decimals shown); ``percent`` is percent points 0–100; ``int`` a year.
KINDS = ("text", "money", "percent", "int", "number")


@dataclass(frozen=True)
class Field:
    """An input cell bound to a model attribute (``plan.3月底`` is a dict entry)."""

    name: str
    ref: str
    label: str
    kind: str = "text"
    required: bool = False
    style: str | None = None  # overrides the style the kind implies
    dropdown: str | None = None  # a list name in the _jixiao sheet
    height: float | None = None  # row height for long text
    period: str | None = None  # the form period it belongs to (``mid`` / ``year``); None: all
    role: str | None = None  # a money cell's role: ``total`` / ``fiscal`` / ``other`` / ``source``
    synonyms: tuple[str, ...] = ()  # other labels the importer accepts for this cell
    parse: str | None = None  # how the importer splits a cell: ``code_prefix`` (``404-文旅局``)
    scale: int = 0  # a money cell printed in 元 is 万元 × 10^scale (4); the model stays 万元

    @property
    def anchor(self) -> tuple[int, int]:
        r1, c1, _, _ = parse_range(self.ref)
        return r1, c1


@dataclass(frozen=True)
class Static:
    """A fixed label or heading printed on the form."""

    ref: str
    text: str
    style: str = "label"


@dataclass(frozen=True)
class Formula:
    """A computed cell (never read as input).

    ``compute`` is the same formula in Python (:func:`jixiao.forms.formula.text_formula`
    makes it from the formula text when the form is loaded): it gives the cached result
    written with the formula (what calamine reads, what a viewer shows before it
    recalculates) and what LibreOffice's recalculation is tested against.
    Its argument ``get(name)`` returns a field of the sheet (``"name"``) or of
    单位信息 (``"unit.code"``) as the text ``&`` would make of it.
    """

    ref: str
    formula: str
    style: str = "formula"
    compute: Callable[[Callable[[str], str]], str] | None = None


@dataclass(frozen=True)
class Column:
    """One column of a repeating block; ``span`` > 1 merges it across columns."""

    name: str
    col: str
    label: str
    kind: str = "text"
    span: int = 1
    style: str | None = None
    dropdown: str | None = None  # list name, or ``"level2:<col>"`` for the dependent 二级 list
    strict: bool = False  # a dropdown that refuses other entries
    check: tuple[str, str] | None = None  # (custom validation formula with ``{row}``, message) refusing entries
    period: str | None = None  # the form period its table belongs to (``mid`` / ``year``); None: all
    part: str | None = None  # one part of a split 指标值: ``op`` (指标性质) / ``num`` (指标值) / ``unit`` (度量单位)
    role: str | None = None  # a money column's role, as for :class:`Field`
    synonyms: tuple[str, ...] = ()  # other header texts the importer accepts
    scale: int = 0  # as for :class:`Field`
    index: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", col_index(self.col))  # read for every cell of every row


@dataclass(frozen=True)
class FooterLine:
    """Rows printed after an open-ended block; ``offset`` counts from the row after its last row."""

    offset: int
    cells: tuple[Static | Formula, ...]  # refs use row 1, shifted at build time


@dataclass(frozen=True)
class Block:
    """Repeating rows: the indicator table, the lists of 分项绩效目标 / 工作保障措施."""

    name: str
    header_row: int | None
    first_row: int
    rows: int  # rows drawn in a blank template; the capacity when not open-ended
    columns: tuple[Column, ...]
    open_ended: bool = False
    row_height: float | None = None
    numbering: str | None = None  # a column letter that shows 1, 2, 3 …
    # a column left of the block's own, under a label that heads all its rows (湖南 A6 绩效指标): each of
    # its cells is drawn locked and framed like the row's others, so the table prints closed
    label_col: str | None = None
    # rows that fit what a clerk types: written with their height but not as a fixed one (as Excel writes a row
    # it sized itself), so Excel grows a row to a long text typed in. Only where the long texts sit in single
    # cells: Excel never fits a row to a merged cell, and would shrink a row whose only long text is merged.
    fit_rows: bool = False
    footer: tuple[FooterLine, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def width(self) -> int:
        return max(c.index + c.span - 1 for c in self.columns)

    @property
    def stop_labels(self) -> tuple[str, ...]:
        """Column-A texts that end an open-ended block (the footer's labels)."""
        return tuple(c.text for line in self.footer for c in line.cells
                     if isinstance(c, Static) and parse_range(c.ref)[1] == 1)


@dataclass(frozen=True)
class Check:
    """A conditional format that flags a mistake with no add-in; ``{field}`` names are resolved."""

    ref: str
    formula: str
    message: str


@dataclass(frozen=True)
class Panel:
    """Read-only cells beside a form (上年数: last year's values next to this year's inputs).

    Drawn locked, right of the printed form (``widths`` are its extra columns) and
    only when its object has a value for one of its ``fields``; never read as input,
    so a workbook without the panel reads the same. ``fields`` name model
    attributes like input fields do (``prior.budget`` is a dict entry).
    """

    widths: tuple[float, ...]
    statics: tuple[Static, ...]
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints (issue 17): A4, one page wide, header rows repeated, numbered pages.

    Data only; :mod:`jixiao.forms.printsetup` applies it with xlsxwriter or openpyxl, so every
    sheet jixiao writes prints the same way. Margins are in inches, rows 1-based.
    """

    landscape: bool = False
    repeat_rows: tuple[int, int] | None = None
    paper: int = 9  # A4
    margins: tuple[float, float, float, float] = (0.5, 0.5, 0.6, 0.7)  # left, right, top, bottom
    footer_margin: float = 0.3
    center: bool = True
    page_text: str = "第 &P 页 共 &N 页"
    breaks: tuple[int, ...] = ()  # rows (1-based) that start a new page
    pages_wide: int = 1  # a list too wide to read on one page spreads over this many, side by side
    repeat_cols: tuple[int, int] | None = None  # columns (1-based) printed on each of those pages (who it is)

    def footer(self, name: str | None = None) -> str:
        """The footer code: the unit's or county's name left, the page number centred."""
        name = (name or "").replace("&", "&&").replace("\n", " ")[:60]
        return f"&L{name}&C{self.page_text}" if name else f"&C{self.page_text}"

    @staticmethod
    def for_width(width: float, repeat_rows: tuple[int, int] | None = None,
                  key: tuple[int, float] | None = None) -> "PrintSetup":
        """Portrait unless the columns (``width`` in character units) do not fit an A4 portrait page;
        landscape and one page wide unless that would print them below :data:`SMALLEST_SCALE`. A list
        wider still (项目清单's 24 columns printed at 4 pt) goes over pages side by side, each at a
        readable size, with ``key`` (the first ``n`` columns, ``width`` wide: 单位编码, 单位名称) on each."""
        if width <= LANDSCAPE_WIDTH / SMALLEST_SCALE or not key or not key[0]:
            return PrintSetup(landscape=width > PORTRAIT_WIDTH, repeat_rows=repeat_rows)
        n, key_width = key
        room = LANDSCAPE_WIDTH / READABLE_SCALE - key_width  # what each page holds besides the key columns
        pages = max(2, math.ceil((width - key_width) / room))
        return PrintSetup(landscape=True, repeat_rows=repeat_rows, pages_wide=pages, repeat_cols=(1, n))


PORTRAIT_WIDTH = 100  # character units that fit A4 portrait at 100% between the margins (about 7.3 in)
LANDSCAPE_WIDTH = 145  # the same across A4 landscape (about 10.6 in)
SMALLEST_SCALE = 0.6  # one page wide down to 60 % (an 11 pt table at 6.6 pt); smaller is not read
READABLE_SCALE = 0.75  # the size each page of a list spread over pages prints at, at least about


@dataclass(frozen=True)
class Period:
    """A budget period a form states amounts, goals and indicators for (中期 / 实施期, 年度)."""

    key: str  # ``mid`` or ``year``
    label: str


@dataclass(frozen=True)
class SheetLayout:
    """One official table as a worksheet."""

    key: str
    sheet: str
    widths: tuple[float, ...]
    statics: tuple[Static, ...] = ()
    formulas: tuple[Formula, ...] = ()
    fields: tuple[Field, ...] = ()
    blocks: tuple[Block, ...] = ()
    checks: tuple[Check, ...] = ()
    heights: dict[int, float] = field(default_factory=dict)
    landscape: bool = False
    repeat_rows: tuple[int, int] | None = None
    signature: tuple[tuple[str, str], ...] = ()  # (cell, text) that identify the sheet
    panel: Panel | None = None  # read-only reference cells right of the form (not printed, not read)
    page_breaks: tuple[int, ...] = ()  # rows (1-based) that start a printed page
    role: str = ""  # what the sheet reads into: unit / department / project / overall / selfeval_*
    title: str = ""  # the form's name, for people (the sheet's own title is a static or formula)
    money_unit: str = "万元"  # the unit amounts are printed in; the model is always 万元
    print_columns: int | None = None  # columns that print (default: all of ``widths``)
    periods: tuple[Period, ...] = ()  # empty: the single-year forms (Hebei, Hunan)
    source: str = ""  # the form file it was loaded from (a built-in name or a path)
    import_titles: tuple[str, ...] = ()  # title patterns the importer recognises the form by
    furniture: tuple[str, ...] = ()  # row labels that are not data (审核意见, 公章 …), for the importer

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def has_sources(self) -> bool:
        """Whether the form splits a project's amount into 财政拨款 / 其他资金 (the 四川 form has a 预算数 only)."""
        return any(f.name in ("fiscal", "other") for f in self.fields)

    @property
    def print_setup(self) -> PrintSetup:
        return PrintSetup(landscape=self.landscape, repeat_rows=self.repeat_rows, breaks=self.page_breaks)

    def block(self, name: str) -> Block:
        return next(b for b in self.blocks if b.name == name)

    @property
    def last_col(self) -> int:
        return len(self.widths)

    @property
    def print_width(self) -> int:
        """Columns that print (the Hunan 分值 column is beside the form, not on it)."""
        return self.print_columns or self.last_col

    def money(self, period: str | None = None) -> tuple[Field, ...]:
        """The money fields with a role, of one period (or all)."""
        return tuple(f for f in self.fields if f.role and (period is None or f.period in (None, period)))

    @property
    def has_plan(self) -> bool:
        """Whether the form has a 资金支出计划 (fields ``plan.<milestone>``)."""
        return any(f.name.startswith("plan.") for f in self.fields)
