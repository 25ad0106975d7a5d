"""The national 项目支出绩效自评表 and 部门整体支出绩效自评表 as layouts (``docs/forms/national-selfeval.md``).

The Ministry's form (财预〔2020〕10号 attachment; as reproduced cell for cell by 安徽 贵池 [G] and
金寨 [J]) differs from jixiao's Hebei-derived 自评表 in:

- 项目名称, **主管部门**, **实施单位** as their own fields; no 项目编码 row;
- money rows 年度资金总额 / 其中：**当年财政拨款** / **上年结转资金** / 其他资金 under the same six
  columns 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 (分值, 执行率, 得分 on the total row
  only); no 执行率偏低的原因 column (a jixiao addition, kept on the Hebei sheet only);
- 年度总体目标 as two cells, **预期目标** | **实际完成情况**, on the project sheet too;
- the indicator table: 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
  (plus jixiao's 定性档次, which JX-E03 needs), then 合计 / 总分 / 评价等级 as on the Hebei sheet.

The money block starts on row 5 and the total is row 6 as on the Hebei sheets, so the shared
footer formulas (总分 = ``$G$6`` + 指标得分, 评价等级 on ``$C$6`` / ``$D$6``) hold on both.
"""

from __future__ import annotations

from ..forms.layouts import Field, Formula, SheetLayout, Static, unit_ref
from .workbook import _WIDTHS, _indicator_block

_YEAR = Formula("A2:H2", f'"（"&{unit_ref("year")}&" 年度）"', "note_center",
                compute=lambda get: f"（{get('unit.year')} 年度）")


def _money(first: int = 5) -> tuple[tuple[Static, ...], tuple[Field, ...], tuple[Formula, ...]]:
    h, t = first, first + 1
    rows = ((t, "total", "年度资金总额"), (t + 1, "fiscal", "其中：当年财政拨款"), (t + 2, "carry", "上年结转资金"),
            (t + 3, "other", "其他资金"))
    statics = [Static(f"A{h}", "项目资金（万元）"), Static(f"B{h}", "年初预算数"), Static(f"C{h}", "全年预算数"),
               Static(f"D{h}", "全年执行数"), Static(f"E{h}", "分值"), Static(f"F{h}", "执行率"), Static(f"G{h}", "得分"),
               Static(f"H{h}:J{t + 3}", ""), Static(f"E{t + 1}:G{t + 3}", "", "label")]
    fields = []
    for row, part, label in rows:
        statics.append(Static(f"A{row}", label))
        for col, stage in (("B", "initial"), ("C", "full"), ("D", "executed")):
            fields.append(Field(f"{stage}_{part}", f"{col}{row}", f"{stage} {part}", kind="money"))
    fields.append(Field("execution_weight", f"E{t}", "执行率分值", kind="number", style="input_number"))
    formulas = (Formula(f"F{t}", f'IF(N(C{t})=0,"",D{t}/C{t})', "formula_percent"),
                Formula(f"G{t}", f"IF(N(C{t})=0,0,ROUND(MIN(N(D{t})/C{t},1)*N(E{t}),2))", "formula_number"))
    return tuple(statics), tuple(fields), formulas


_M_STATICS, _M_FIELDS, _M_FORMULAS = _money()
_GOALS = (Static("A10:A11", "年度总体目标"), Static("B10:E10", "预期目标"), Static("F10:J10", "实际完成情况"))
_GOAL_FIELDS = (Field("goal", "B11:E11", "预期目标", height=60), Field("goal_actual", "F11:J11", "实际完成情况", height=60))
_IND_STATICS, _BLOCK = _indicator_block(12)

NATIONAL_PROJECT_EVAL_LAYOUT = SheetLayout(
    key="project_eval", sheet="项目1", widths=_WIDTHS,
    statics=(Static("A1:J1", "项目支出绩效自评表", "title"), Static("I2:J2", "单位：万元", "note_right"),
             Static("A3", "项目名称"), Static("A4", "主管部门"), Static("F4", "实施单位"),
             *_M_STATICS, *_GOALS, *_IND_STATICS),
    formulas=(_YEAR, *_M_FORMULAS),
    fields=(Field("name", "B3:J3", "项目名称", style="input_center"),
            Field("department", "B4:E4", "主管部门"), Field("implementer", "G4:J4", "实施单位"),
            *_M_FIELDS, *_GOAL_FIELDS),
    blocks=(_BLOCK,), heights={1: 30}, landscape=True, repeat_rows=(12, 12),
    signature=(("A3", "项目名称"), ("A12", "一级指标")),
)

NATIONAL_DEPARTMENT_EVAL_LAYOUT = SheetLayout(
    key="department_eval", sheet="部门整体支出绩效自评表", widths=_WIDTHS,
    statics=(Static("A1:J1", "部门整体支出绩效自评表", "title"), Static("I2:J2", "单位：万元", "note_right"),
             Static("A3", "部门(单位)名称"), Static("A4", "主管部门"),
             *(s for s in _M_STATICS if s.ref != "A5"), Static("A5", "预算资金（万元）"), *_GOALS, *_IND_STATICS),
    formulas=(_YEAR, *_M_FORMULAS),
    fields=(Field("name", "B3:J3", "部门(单位)名称"), Field("department", "B4:J4", "主管部门"),
            *_M_FIELDS, *_GOAL_FIELDS),
    blocks=(_BLOCK,), heights={1: 30}, landscape=True, repeat_rows=(12, 12),
    signature=(("A3", "部门(单位)名称"), ("A12", "一级指标")),
)
