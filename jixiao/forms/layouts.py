"""Where every field of every official table sits: the layouts, as data.

One :class:`SheetLayout` per official table. The template builder
(:mod:`jixiao.forms.template`) draws a sheet from it and the reader
(:mod:`jixiao.forms.reader`) reads a filled sheet with it, so the two cannot drift
apart. Nothing else in jixiao knows a cell address of a form.

Addresses are A1 strings; a range (``"B3:C3"``) is a merged cell whose value
sits in its top-left cell. Repeating rows (the indicator table, the lists of
分项绩效目标) are :class:`Block` s; an open-ended block grows with its content
and pushes the rows below it (a footer) down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
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

    ``compute`` is the same formula in Python: it gives the cached result written
    with the formula (what calamine reads, what a viewer shows before it
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

    def footer(self, name: str | None = None) -> str:
        """The footer code: the unit's or county's name left, the page number centred."""
        name = (name or "").replace("&", "&&").replace("\n", " ")[:60]
        return f"&L{name}&C{self.page_text}" if name else f"&C{self.page_text}"

    @staticmethod
    def for_width(width: float, repeat_rows: tuple[int, int] | None = None) -> "PrintSetup":
        """Portrait unless the columns (``width`` in character units) do not fit an A4 portrait page."""
        return PrintSetup(landscape=width > PORTRAIT_WIDTH, repeat_rows=repeat_rows)


PORTRAIT_WIDTH = 100  # character units that fit A4 portrait at 100% between the margins (about 7.3 in)


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

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def print_setup(self) -> PrintSetup:
        return PrintSetup(landscape=self.landscape, repeat_rows=self.repeat_rows, breaks=self.page_breaks)

    def block(self, name: str) -> Block:
        return next(b for b in self.blocks if b.name == name)

    @property
    def last_col(self) -> int:
        return len(self.widths)


# --- 单位信息 ----------------------------------------------------------------

UNIT_LAYOUT = SheetLayout(
    key="unit",
    sheet=UNIT_SHEET,
    widths=(18, 16, 16, 24),
    statics=(
        Static("A1:D1", "单位信息", "title"),
        Static("A2:D2", "请填写本单位信息（带 * 为必填），项目请在“项目1”等工作表填写。", "note"),
        Static("A3", "单位编码 *"), Static("A4", "单位名称 *"), Static("A5", "地区编码"),
        Static("A6", "预算年度 *"), Static("A7", "填表人"), Static("A8", "联系电话"),
        Static("A9", "填表日期"), Static("A10", "单位负责人"), Static("A11", "业务股室审核"),
        Static("A12", "绩效股审核"),
    ),
    fields=(
        Field("code", "B3:D3", "单位编码", required=True),
        Field("name", "B4:D4", "单位名称", required=True),
        Field("region_code", "B5:D5", "地区编码"),
        Field("year", "B6:D6", "预算年度", kind="int", required=True),
        Field("filler", "B7:D7", "填表人"),
        Field("phone", "B8:D8", "联系电话"),
        Field("fill_date", "B9:D9", "填表日期"),
        Field("head", "B10:D10", "单位负责人"),
        Field("business_review", "B11:D11", "业务股室审核"),
        Field("performance_review", "B12:D12", "绩效股审核"),
    ),
    heights={1: 30, 2: 30},
    signature=(("A3", "单位编码 *"),),
)


def unit_ref(name: str) -> str:
    """An absolute reference to a 单位信息 field, for formulas on other sheets."""
    row, col = UNIT_LAYOUT.field(name).anchor
    return f"'{UNIT_SHEET}'!${col_letter(col)}${row}"


def unit_formula(ref: str, name: str, style: str = "footer") -> Formula:
    """A cell that shows a 单位信息 field as text (an empty cell shows nothing, not 0)."""
    return Formula(ref, f'{unit_ref(name)}&""', style, compute=lambda get: get(f"unit.{name}"))


# --- 部门整体绩效目标 (第一部分 of the 绩效文本) -------------------------------

DEPARTMENT_LAYOUT = SheetLayout(
    key="department",
    sheet=DEPARTMENT_SHEET,
    widths=(6, 22, 44, 30),
    statics=(
        Static("A1:D1", "部门整体绩效目标", "title"),
        Static("A2:D2", "一、总体绩效目标", "heading"),
        Static("A4:D4", "二、分项绩效目标", "heading"),
        Static("A5", "序号"), Static("B5", "标题"), Static("C5", "绩效目标"), Static("D5", "绩效指标"),
        Static("A18:D18", "三、工作保障措施", "heading"),
        Static("A19", "序号"), Static("B19", "标题"), Static("C19:D19", "内容"),
    ),
    fields=(Field("overall_goal", "A3:D3", "总体绩效目标", style="input_text", height=150),),
    blocks=(
        Block("sub_targets", header_row=5, first_row=6, rows=12, numbering="A", row_height=42,
              columns=(Column("title", "B", "标题"), Column("goal", "C", "绩效目标"),
                       Column("indicators", "D", "绩效指标"))),
        Block("measures", header_row=19, first_row=20, rows=12, numbering="A", row_height=42,
              columns=(Column("title", "B", "标题"), Column("text", "C", "内容", span=2))),
    ),
    heights={1: 30},
    signature=(("A2", "一、总体绩效目标"),),
    # two pages, one section each: 一、二 then 三 (blank rows sized so that 一、二 fit one A4 page);
    # no lone row of 三 spills onto a third page
    page_breaks=(18,),
)


# --- 项目绩效目标表 (Hebei layout, seed 000 / 001) ----------------------------

_PLAN_COLUMNS = {
    3: ("B{r}:C{r}", "D{r}:E{r}", "F{r}:G{r}"),
    4: ("B{r}:C{r}", "D{r}", "E{r}", "F{r}:G{r}"),
}
INDICATOR_ROWS = 15


@lru_cache(maxsize=None)
def project_layout(milestones: tuple[str, ...] = ("3月底", "6月底", "10月底"), sheet: str = "项目1") -> SheetLayout:
    """The 项目绩效目标表 with 3 or 4 spending-plan milestones."""
    if len(milestones) not in _PLAN_COLUMNS:
        raise ValueError(f"a project form has 3 or 4 milestones, not {milestones}")
    label_refs = [ref.format(r=6) for ref in _PLAN_COLUMNS[len(milestones)]]
    value_refs = [ref.format(r=7) for ref in _PLAN_COLUMNS[len(milestones)]]
    plan_fields = tuple(Field(f"plan.{m}", ref, f"资金支出计划 {m}", kind="percent")
                        for m, ref in zip(milestones, value_refs))
    checks = [Check("C4", "AND(ISNUMBER({budget}),ROUND({budget}-N({fiscal})-N({other}),2)<>0)",
                    "预算数不等于财政资金与其他资金之和")]
    for field_ in plan_fields:
        checks.append(Check(field_.ref.split(":")[0],
                            f"AND(ISNUMBER({{{field_.name}}}),OR({{{field_.name}}}<0,{{{field_.name}}}>100))",
                            "支出计划百分比应在 0–100 之间"))
    for prev, cur in zip(plan_fields, plan_fields[1:]):
        checks.append(Check(cur.ref.split(":")[0],
                            f"AND(ISNUMBER({{{cur.name}}}),ISNUMBER({{{prev.name}}}),{{{cur.name}}}<{{{prev.name}}})",
                            "累计支出计划不应比上一时点小"))
    if "12月底" in milestones:
        dec = plan_fields[milestones.index("12月底")]
        checks.append(Check(dec.ref.split(":")[0], f"AND(ISNUMBER({{{dec.name}}}),{{{dec.name}}}<>100)",
                            "12月底累计支出计划应为 100%"))
    return SheetLayout(
        key="project",
        sheet=sheet,
        widths=(12, 11, 14, 22, 14, 10, 10),
        statics=(
            Static("F2:G2", "单位：万元", "note_right"),
            Static("A3", "项目编码"), Static("D3", "项目名称"),
            Static("A4:A5", "预算规模及资金用途"), Static("B4", "预算数"),
            Static("D4", "其中：财政资金"), Static("F4", "其他资金"),
            Static("A6:A7", "资金支出计划（%）"),
            *(Static(ref, m) for m, ref in zip(milestones, label_refs)),
            Static("A8", "绩效目标"),
            Static("A9", "一级指标"), Static("B9", "二级指标"), Static("C9", "三级指标"),
            Static("D9", "绩效指标描述"), Static("E9", "指标值"), Static("F9:G9", "指标值确定依据"),
        ),
        formulas=(
            Formula("A1:G1", 'IF({name}="","项目绩效目标表",{name}&"绩效目标表")', "title",
                    compute=lambda get: f"{get('name')}绩效目标表" if get("name") else "项目绩效目标表"),
            Formula("A2:E2", f'{unit_ref("code")}&" "&{unit_ref("name")}', "note",
                    compute=lambda get: f"{get('unit.code')} {get('unit.name')}"),
        ),
        fields=(
            Field("code", "B3:C3", "项目编码", required=True, style="input_center"),
            Field("name", "E3:G3", "项目名称", required=True, style="input_center"),
            Field("budget", "C4", "预算数", kind="money", required=True),
            Field("fiscal", "E4", "财政资金", kind="money"),
            Field("other", "G4", "其他资金", kind="money"),
            Field("purpose", "B5:G5", "资金用途", height=45),
            *plan_fields,
            Field("goals", "B8:G8", "绩效目标", height=60),
        ),
        blocks=(
            Block("indicators", header_row=9, first_row=10, rows=INDICATOR_ROWS, open_ended=True,
                  row_height=30,
                  columns=(Column("level1", "A", "一级指标", dropdown="level1", strict=True),
                           Column("level2", "B", "二级指标", dropdown="level2:A", strict=True),
                           Column("level3", "C", "三级指标"),
                           Column("description", "D", "绩效指标描述"),
                           Column("value_text", "E", "指标值"),
                           Column("basis", "F", "指标值确定依据", span=2, dropdown="basis"))),
        ),
        checks=tuple(checks),
        heights={1: 30, 2: 20},
        repeat_rows=(9, 9),
        signature=(("A3", "项目编码"), ("A9", "一级指标")),
        panel=_prior_panel(milestones),
    )


def _prior_panel(milestones: tuple[str, ...]) -> Panel:
    """上年数 in H:I, row by row beside the inputs: code, money (row 4 onwards), then the plan."""
    money = (("budget", "预算数"), ("fiscal", "财政资金"), ("other", "其他资金"))
    statics = [Static("H2:I2", "上年数（仅供参考）", "prior_heading"), Static("H3", "项目编码", "prior_label")]
    fields = [Field("prior.code", "I3", "上年项目编码", style="prior_text")]
    for row, (name, label) in enumerate(money, start=4):
        statics.append(Static(f"H{row}", label, "prior_label"))
        fields.append(Field(f"prior.{name}", f"I{row}", f"上年{label}", kind="money", style="prior_money"))
    for row, m in enumerate(milestones, start=7):
        statics.append(Static(f"H{row}", f"支出计划 {m}", "prior_label"))
        fields.append(Field(f"prior.plan.{m}", f"I{row}", f"上年支出计划 {m}", kind="percent",
                            style="prior_percent"))
    return Panel(widths=(13, 24), statics=tuple(statics), fields=tuple(fields))


# --- 部门(单位)整体支出绩效目标表 (Hunan layout, seed 003) ----------------------

OVERALL_LAYOUT = SheetLayout(
    key="overall",
    sheet=OVERALL_SHEET,
    widths=(10, 11, 13, 24, 9, 9, 9, 18, 26, 8, 8),
    statics=(
        Static("A1:J1", "部门(单位)整体支出绩效目标表", "title"),
        Static("A3", "部门(单位)名称"), Static("A4", "部门(单位)职责"), Static("A5", "年度履职目标"),
        Static("A6", "绩效指标"), Static("B6", "一级指标"), Static("C6", "二级指标"),
        Static("D6", "三级指标"), Static("E6", "指标值类型"), Static("F6", "指标值"),
        Static("G6", "计量单位"), Static("H6", "指标解释"), Static("I6", "评(扣)分标准"),
        Static("J6", "备注"), Static("K6", "分值"),
    ),
    formulas=(Formula("A2:J2", f'"（"&{unit_ref("year")}&"）年度"', "note_center",
                      compute=lambda get: f"（{get('unit.year')}）年度"),),
    fields=(
        Field("name", "B3:J3", "部门(单位)名称"),
        Field("duties", "B4:J4", "部门(单位)职责", height=120),
        Field("annual_goal", "B5:J5", "年度履职目标", height=60),
    ),
    blocks=(
        Block("indicators", header_row=6, first_row=7, rows=20, open_ended=True, row_height=36,
              columns=(Column("level1", "B", "一级指标", dropdown="level1", strict=True),
                       Column("level2", "C", "二级指标", dropdown="level2:B", strict=True),
                       Column("level3", "D", "三级指标"),
                       Column("value_type", "E", "指标值类型", dropdown="operators", strict=True,
                              style="input_center"),
                       Column("value_text", "F", "指标值", style="input_center"),
                       Column("measure_unit", "G", "计量单位", dropdown="units", style="input_center"),
                       Column("explanation", "H", "指标解释", dropdown=None),
                       Column("scoring", "I", "评(扣)分标准"),
                       Column("remark", "J", "备注"),
                       Column("weight", "K", "分值", kind="number", style="input_number")),
              footer=(
                  FooterLine(0, (Static("A1", "业务股室审核:", "footer"),
                                 unit_formula("B1:D1", "business_review"),
                                 Static("E1:F1", "绩效股审核:", "footer"),
                                 unit_formula("G1:J1", "performance_review"))),
                  FooterLine(1, (Static("A1", "填表人:", "footer"),
                                 unit_formula("B1:C1", "filler"),
                                 Static("D1", "联系电话:", "footer"),
                                 unit_formula("E1:F1", "phone"),
                                 Static("G1", "填表日期:", "footer"),
                                 unit_formula("H1", "fill_date"),
                                 Static("I1", "单位负责人:", "footer"),
                                 unit_formula("J1:K1", "head"))),
              )),
    ),
    heights={1: 30},
    landscape=True,
    repeat_rows=(6, 6),
    signature=(("A3", "部门(单位)名称"), ("B6", "一级指标")),
)


def layouts_for(milestones: tuple[str, ...]) -> dict[str, SheetLayout]:
    """Every layout a unit workbook uses, by key."""
    return {"unit": UNIT_LAYOUT, "department": DEPARTMENT_LAYOUT,
            "project": project_layout(tuple(milestones)), "overall": OVERALL_LAYOUT}


def layout_of_sheet(name: str, milestones: tuple[str, ...]) -> SheetLayout | None:
    """The layout a unit workbook's sheet is drawn from, by its name."""
    fixed = {UNIT_SHEET: UNIT_LAYOUT, DEPARTMENT_SHEET: DEPARTMENT_LAYOUT, OVERALL_SHEET: OVERALL_LAYOUT}
    if name in fixed:
        return fixed[name]
    if name == PROJECT_MASTER_SHEET or name.startswith(PROJECT_SHEET_PREFIX):
        return project_layout(tuple(milestones))
    return None


def is_input_cell(layout: SheetLayout, row: int, col: int) -> bool:
    """Whether (row, col) is an input cell of the layout (the template draws it unlocked, pale yellow)."""
    for f in layout.fields:
        r1, c1, r2, c2 = parse_range(f.ref)
        if r1 <= row <= r2 and c1 <= col <= c2:
            return True
    for block in layout.blocks:
        last = None if block.open_ended else block.first_row + block.rows - 1
        if row >= block.first_row and (last is None or row <= last):
            if any(c.index <= col < c.index + c.span for c in block.columns):
                return True
    return False
