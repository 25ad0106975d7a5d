"""The Ministry of Finance's standard forms, as layouts (the vocabulary of :mod:`jixiao.forms.layouts`).

- :func:`national_project_layout`: 项目支出绩效目标申报表 (财预〔2015〕88号 attachment, as adopted
  by the provinces; ``docs/forms/national-project-targets.md``): 项目名称, 主管部门及代码,
  实施单位, 项目属性, 项目期; 项目资金 in a 中期 and a 年度 column (资金总额, 其中：财政拨款,
  其他资金); 总体目标 for both periods; one indicator table per period. No 资金支出计划, no
  项目编码 row.
- :data:`NATIONAL_OVERALL_LAYOUT`: 部门(单位)整体支出绩效目标申报表
  (``docs/forms/national-overall-targets.md``): 部门(单位)名称, 部门职能概述, 年度主要任务 with
  each task's 预算 by source, 年度总体目标, the indicator table.

The rows and columns are jixiao's choice for a printable A4 sheet; the cells and labels are the
form's. The two indicator tables sit one below the other (中期 first, a fixed number of rows; then
年度, open-ended), so that each is a plain 一级 / 二级 / 三级 / 指标值 table that its period's rules
check on its own.
"""

from __future__ import annotations

from functools import lru_cache

from .layouts import Block, Check, Column, Field, Formula, SheetLayout, Static, unit_ref

PROJECT_TITLE = "项目支出绩效目标申报表"
OVERALL_TITLE = "部门(单位)整体支出绩效目标申报表"
ATTRIBUTES = ("新增项目", "延续项目", "一次性项目")
MID_INDICATOR_ROWS = 12
INDICATOR_ROWS = 15
TASK_ROWS = 10

#: the dropdown lists these forms add to the ``_jixiao`` sheet (name, header, values)
EXTRA_LISTS = (("jx_attributes", "项目属性", ATTRIBUTES),)


def _indicator_columns() -> tuple[Column, ...]:
    return (Column("level1", "A", "一级指标", dropdown="level1", strict=True),
            Column("level2", "B", "二级指标", dropdown="level2:A", strict=True),
            Column("level3", "C", "三级指标", span=3),
            Column("value_text", "F", "指标值", span=3))


def _header(row: int) -> tuple[Static, ...]:
    return (Static(f"A{row}", "一级指标"), Static(f"B{row}", "二级指标"),
            Static(f"C{row}:E{row}", "三级指标"), Static(f"F{row}:H{row}", "指标值"))


_MID_HEAD, _MID_FIRST = 13, 14
_YEAR_TITLE = _MID_FIRST + MID_INDICATOR_ROWS  # 26
_YEAR_HEAD, _YEAR_FIRST = _YEAR_TITLE + 1, _YEAR_TITLE + 2


@lru_cache(maxsize=None)
def national_project_layout(sheet: str = "项目1") -> SheetLayout:
    """The national 项目支出绩效目标申报表 (sheet ``项目N``)."""
    sum_check = "AND(ISNUMBER({{{p}budget}}),ROUND({{{p}budget}}-N({{{p}fiscal}})-N({{{p}other}}),2)<>0)"
    return SheetLayout(
        key="project",
        sheet=sheet,
        widths=(12, 14, 12, 12, 12, 10, 10, 10),
        statics=(
            Static("A1:H1", PROJECT_TITLE, "title"),
            Static("G2:H2", "单位：万元", "note_right"),
            Static("A3", "项目名称"),
            Static("A4", "主管部门及代码"), Static("E4", "实施单位"),
            Static("A5", "项目属性"), Static("E5", "项目期"),
            Static("A6:A9", "项目资金（万元）"), Static("B6:D6", ""),
            Static("E6:F6", "中期资金总额"), Static("G6:H6", "年度资金总额"),
            Static("B7:D7", "资金总额"), Static("B8:D8", "其中：财政拨款"), Static("B9:D9", "其他资金"),
            Static("A10:A11", "总体目标"), Static("B10:E10", "中期目标（实施期目标）"), Static("F10:H10", "年度目标"),
            Static("A12:H12", "中期绩效指标", "heading"), *_header(_MID_HEAD),
            Static(f"A{_YEAR_TITLE}:H{_YEAR_TITLE}", "年度绩效指标", "heading"), *_header(_YEAR_HEAD),
        ),
        formulas=(
            Formula("A2:F2", f'"（"&{unit_ref("year")}&"年度）"', "note_center",
                    compute=lambda get: f"（{get('unit.year')}年度）"),
        ),
        fields=(
            Field("name", "B3:H3", "项目名称", required=True, style="input_center"),
            Field("department", "B4:D4", "主管部门及代码"),
            Field("implementer", "F4:H4", "实施单位"),
            Field("attribute", "B5:D5", "项目属性", dropdown="attributes", style="input_center"),
            Field("term", "F5:H5", "项目期", style="input_center"),
            Field("mid_budget", "E7:F7", "中期资金总额", kind="money"),
            Field("mid_fiscal", "E8:F8", "中期财政拨款", kind="money"),
            Field("mid_other", "E9:F9", "中期其他资金", kind="money"),
            Field("budget", "G7:H7", "年度资金总额", kind="money", required=True),
            Field("fiscal", "G8:H8", "年度财政拨款", kind="money"),
            Field("other", "G9:H9", "年度其他资金", kind="money"),
            Field("mid_goals", "B11:E11", "中期目标", height=90),
            Field("goals", "F11:H11", "年度目标", height=90),
        ),
        blocks=(
            Block("mid_indicators", header_row=_MID_HEAD, first_row=_MID_FIRST, rows=MID_INDICATOR_ROWS,
                  row_height=30, columns=_indicator_columns()),
            Block("indicators", header_row=_YEAR_HEAD, first_row=_YEAR_FIRST, rows=INDICATOR_ROWS,
                  open_ended=True, row_height=30, columns=_indicator_columns()),
        ),
        checks=(
            Check("E7", sum_check.format(p="mid_"), "中期资金总额不等于财政拨款与其他资金之和"),
            Check("G7", sum_check.format(p=""), "年度资金总额不等于财政拨款与其他资金之和"),
            Check("G7", "AND(ISNUMBER({budget}),ISNUMBER({mid_budget}),{budget}>{mid_budget})",
                  "年度资金总额大于中期资金总额"),
        ),
        heights={1: 30, 2: 20, 12: 22, _YEAR_TITLE: 22},
        signature=(("A3", "项目名称"), ("A4", "主管部门及代码")),
        page_breaks=(_YEAR_TITLE,),
    )


_TASK_HEAD, _TASK_FIRST = 6, 7
_GOAL_ROW = _TASK_FIRST + TASK_ROWS  # 17
_IND_TITLE, _IND_HEAD, _IND_FIRST = _GOAL_ROW + 1, _GOAL_ROW + 2, _GOAL_ROW + 3

NATIONAL_OVERALL_LAYOUT = SheetLayout(
    key="overall_national",
    sheet="整体支出绩效目标表",
    widths=(12, 16, 14, 14, 12, 11, 11, 11),
    statics=(
        Static("A1:H1", OVERALL_TITLE, "title"),
        Static("G2:H2", "单位：万元", "note_right"),
        Static("A3", "部门(单位)名称"), Static("A4", "部门职能概述"),
        Static("A5:H5", "年度主要任务", "heading"),
        Static(f"A{_TASK_HEAD}", "序号"), Static(f"B{_TASK_HEAD}", "任务名称"),
        Static(f"C{_TASK_HEAD}:E{_TASK_HEAD}", "主要内容"), Static(f"F{_TASK_HEAD}", "预算总额"),
        Static(f"G{_TASK_HEAD}", "财政拨款"), Static(f"H{_TASK_HEAD}", "其他资金"),
        Static(f"A{_GOAL_ROW}", "年度总体目标"),
        Static(f"A{_IND_TITLE}:H{_IND_TITLE}", "年度绩效指标", "heading"), *_header(_IND_HEAD),
    ),
    formulas=(Formula("A2:F2", f'"（"&{unit_ref("year")}&"年度）"', "note_center",
                      compute=lambda get: f"（{get('unit.year')}年度）"),),
    fields=(
        Field("name", "B3:H3", "部门(单位)名称"),
        Field("duties", "B4:H4", "部门职能概述", height=80),
        Field("annual_goal", f"B{_GOAL_ROW}:H{_GOAL_ROW}", "年度总体目标", height=80),
    ),
    blocks=(
        Block("tasks", header_row=_TASK_HEAD, first_row=_TASK_FIRST, rows=TASK_ROWS, numbering="A",
              row_height=30,
              columns=(Column("name", "B", "任务名称"), Column("detail", "C", "主要内容", span=3),
                       Column("budget", "F", "预算总额", kind="money"),
                       Column("fiscal", "G", "财政拨款", kind="money"),
                       Column("other", "H", "其他资金", kind="money"))),
        Block("indicators", header_row=_IND_HEAD, first_row=_IND_FIRST, rows=20, open_ended=True,
              row_height=30, columns=_indicator_columns()),
    ),
    heights={1: 30, 5: 22, _IND_TITLE: 22},
    repeat_rows=(_IND_HEAD, _IND_HEAD),
    signature=(("A3", "部门(单位)名称"), ("A5", "年度主要任务")),
)
