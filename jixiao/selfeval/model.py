"""The 自评表's model: a self-evaluation as read from (or written to) its workbook, and its forms.

Sheets: ``单位信息`` (the same layout as the target workbook), ``部门整体支出绩效自评表``,
``分项绩效目标``, one ``项目N`` per project (项目支出绩效自评表), the hidden ``_jixiao``. The
layouts are data like the target forms' (jixiao/forms/tables/selfeval-*.toml), drawn by the same
builder (:mod:`.writer`) and read by the same reader (:mod:`.reading`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field as PField, PrivateAttr, model_serializer

from ..forms.formfile import builtin_form
from ..forms.layouts import form_set
from ..forms.model import Located, SubTarget, Unit
from ..profiles import Profile, load_profile

TEMPLATE_ID = "jixiao.selfeval-workbook"
DEPARTMENT_SHEET = "部门整体支出绩效自评表"
SUBTARGET_SHEET = "分项绩效目标"
PROJECT_PREFIX = "项目"

# --- model ----------------------------------------------------------------------------


class EvalIndicator(Located):
    """One scored indicator row."""

    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    target: str | None = None  # 年度指标值 as on the target form (≥95%)
    actual: str | None = None  # 实际完成值
    weight: Decimal | None = None  # 分值
    score: Decimal | None = None  # 得分 entered by hand (定性) or written by `jixiao score --write`
    band: str | None = None  # 定性档次: 达成 / 部分达成 / 未达成
    reason: str | None = None  # 偏差原因分析及改进措施


class TeamMember(Located):
    role: str | None = None  # 组长 / 成员
    name: str | None = None
    org: str | None = None
    title: str | None = None
    rank: str | None = None


class ProjectEval(Located):
    """项目支出绩效自评表 (and the shared part of the 部门整体 sheet)."""

    sheet: str | None = PField(default=None, exclude=True)
    name: str | None = None
    code: str | None = None
    initial_total: Decimal | None = None  # 年初预算数
    initial_fiscal: Decimal | None = None
    initial_other: Decimal | None = None
    full_total: Decimal | None = None  # 全年预算数
    full_fiscal: Decimal | None = None
    full_other: Decimal | None = None
    executed_total: Decimal | None = None  # 全年执行数
    executed_fiscal: Decimal | None = None
    executed_other: Decimal | None = None
    execution_weight: Decimal | None = None  # 分值 of 执行率
    execution_reason: str | None = None  # 执行率偏低的原因
    indicators: list[EvalIndicator] = PField(default_factory=list)
    # the national form (selfeval/national.py): 主管部门, 实施单位, 上年结转资金, 年度总体目标 预期 | 实际
    department: str | None = None
    implementer: str | None = None
    initial_carry: Decimal | None = None
    full_carry: Decimal | None = None
    executed_carry: Decimal | None = None
    goal: str | None = None  # 年度总体目标 (预期目标)
    goal_actual: str | None = None  # 实际完成情况

    @model_serializer(mode="wrap")
    def _drop_empty_national(self, handler):
        data = handler(self)
        for name in _NATIONAL_FIELDS:
            if data.get(name) is None and name in data and (name != "goal" or type(self) is ProjectEval):
                del data[name]
        return data


_NATIONAL_FIELDS = ("department", "implementer", "initial_carry", "full_carry", "executed_carry", "goal",
                    "goal_actual")


class DepartmentEval(ProjectEval):
    """部门整体支出绩效自评表: the project part plus the report's text and the evaluation team."""

    conclusion: str | None = None  # 评价结论
    problems: str | None = None  # 存在的问题
    improvements: str | None = None  # 改进措施
    team: list[TeamMember] = PField(default_factory=list)
    sub_targets: list[SubTarget] = PField(default_factory=list)  # 分项绩效目标 (sheet 分项绩效目标)


class SelfEvaluation(Located):
    profile: str = "hebei"
    unit: Unit = PField(default_factory=Unit)
    department: DepartmentEval = PField(default_factory=DepartmentEval)
    projects: list[ProjectEval] = PField(default_factory=list)
    # a user's profile and form files, as the workbook carries them (see jixiao.profiles.profile_for)
    _profile_text: str | None = PrivateAttr(default=None)
    _forms: Any = PrivateAttr(default=None)


# --- layouts (data: jixiao/forms/tables/selfeval-*.toml) ------------------------------------

PROJECT_EVAL_LAYOUT = builtin_form("selfeval-project")
DEPARTMENT_EVAL_LAYOUT = builtin_form("selfeval-department")
#: the 分项绩效目标 as the target workbook states them: the report's 第三部分 restates each one
#: with its 绩效指标 (rows of the 部门整体 sheet) and the values achieved
SUBTARGET_EVAL_LAYOUT = builtin_form("selfeval-subtargets")


def eval_forms(ev: "SelfEvaluation", profile: Profile | None = None):
    """The forms a 自评表 was read with (or made for): its department and project layouts follow them."""
    forms = getattr(ev, "_forms", None)
    return forms if forms is not None else form_set(profile or load_profile(
        ev.profile if ev.profile in ("hebei", "hunan", "national") else "hebei"))
