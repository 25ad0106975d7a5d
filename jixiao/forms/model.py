"""The typed model of a unit's performance-target workbook (pydantic v2).

The model knows no Excel. Every object read from a sheet remembers where each
of its values came from in ``cells`` (field name → :class:`Loc`), so rules and
annotations point at the exact cell without computing addresses. ``raw`` keeps
the text of a value that could not be typed (``80万`` in a money cell), so the
rules can report it and a rewrite loses nothing.

Equality compares content only: two models read from different cells but
holding the same values are equal.

>>> p = Project(code="13082426P000327100327", name="信访工作保障经费", budget="80.00", fiscal="80.00")
>>> p.budget + (p.other or 0)
Decimal('80.00')
"""

from __future__ import annotations

from decimal import Decimal
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, computed_field, model_serializer

from .values import CLASSIFIED, ParsedValue, normalize_operator, parse_decimal, parse_indicator_value, squeeze

MILESTONES_ALL = ("3月底", "6月底", "10月底", "12月底")
_object_setattr = object.__setattr__


class Loc(BaseModel):
    """Where a value sits: sheet name and A1 cell address."""

    model_config = ConfigDict(frozen=True)
    sheet: str
    cell: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


_DEFAULTS: dict[type, tuple[dict[str, Any], tuple[tuple[str, Any], ...]]] = {}


def _defaults(cls: type[BaseModel]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    known = _DEFAULTS.get(cls)
    if known is None:
        plain = {name: f.default for name, f in cls.model_fields.items()
                 if f.default_factory is None and not f.is_required()}
        if any(not isinstance(v, (str, int, float, bool, Decimal, type(None))) for v in plain.values()):
            raise TypeError(f"{cls.__name__}: a mutable default needs a default_factory")
        factories = tuple((name, f.default_factory) for name, f in cls.model_fields.items()
                          if f.default_factory is not None)
        known = _DEFAULTS[cls] = (plain, factories)
    return known


class Located(BaseModel):
    """Base of every model object read from a sheet."""

    model_config = ConfigDict(validate_assignment=False, extra="forbid")

    cells: dict[str, Loc] = Field(default_factory=dict, exclude=True, repr=False)
    raw: dict[str, str] = Field(default_factory=dict, repr=False)

    @classmethod
    def from_cells(cls, values: dict[str, Any]):
        """``model_construct`` for the reader's hot path: ``values`` holds every field, already typed.

        A unit workbook has hundreds of indicator rows and a county tens of
        thousands of workbooks; pydantic's own ``model_construct`` resolves
        aliases and defaults field by field, which the reader has done once.
        """
        m = cls.__new__(cls)
        _object_setattr(m, "__dict__", values)
        _object_setattr(m, "__pydantic_fields_set__", set(values))
        _object_setattr(m, "__pydantic_extra__", None)
        _object_setattr(m, "__pydantic_private__", None)
        return m

    @classmethod
    def from_read(cls, **values: Any):
        """``model_construct`` with the defaults of the fields not given, without pydantic's per-call cost.

        pydantic 2.1x asks ``inspect.signature`` of every ``default_factory`` each time it fills a
        default (whether the factory takes the validated data): a quarter of reading a workbook.
        The defaults are worked out once per class here; ``model_fields_set`` is what was given, as
        ``model_construct`` would leave it.
        """
        plain, factories = _defaults(cls)
        full = dict(plain)
        for name, factory in factories:
            if name not in values:
                full[name] = factory()
        full.update(values)
        m = cls.from_cells(full)
        _object_setattr(m, "__pydantic_fields_set__", set(values))
        return m

    def loc(self, field: str) -> Loc | None:
        """The cell a field was read from, ``None`` for a model built in code."""
        return self.cells.get(field)

    def content(self) -> dict[str, Any]:
        """The values without locations: what equality compares."""
        return self.model_dump(exclude_computed_fields=True)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return self.content() == other.content()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


class Unit(Located):
    """单位信息: who submits the workbook and for which year."""

    code: str | None = None  # 单位编码, 6 digits
    name: str | None = None  # 单位名称
    region_code: str | None = None  # 地区编码 (6-digit fiscal region)
    year: int | None = None  # 预算年度
    filler: str | None = None  # 填表人
    phone: str | None = None  # 联系电话
    fill_date: str | None = None  # 填表日期, as written
    head: str | None = None  # 单位负责人
    business_review: str | None = None  # 业务股室审核
    performance_review: str | None = None  # 绩效股审核


class SubTarget(Located):
    """One 分项绩效目标: a title, its 绩效目标 and 绩效指标 text."""

    title: str | None = None
    goal: str | None = None
    indicators: str | None = None


class Measure(Located):
    """One 工作保障措施: a title and its paragraph."""

    title: str | None = None
    text: str | None = None


class DepartmentTargets(Located):
    """第一部分 部门整体绩效目标: the text part of the 绩效文本."""

    overall_goal: str | None = None
    sub_targets: list[SubTarget] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.overall_goal or self.sub_targets or self.measures)


class Indicator(Located):
    """One row of an indicator table.

    On the 项目绩效目标表 ``value_text`` holds operator, number and unit in one
    cell (``≥75次``). On the 整体支出绩效目标表 they sit in three cells:
    ``value_type`` (指标值类型), ``value_text`` (指标值, a number) and
    ``measure_unit`` (计量单位). ``operator`` / ``number`` / ``unit`` give the
    parsed form for either layout.
    """

    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    description: str | None = None  # 绩效指标描述
    value_text: str | None = None  # 指标值 as written
    basis: str | None = None  # 指标值确定依据
    # Only on the 部门整体支出绩效目标表:
    value_type: str | None = None  # 指标值类型: ≥ > = ≤ < 定性
    measure_unit: str | None = None  # 计量单位
    explanation: str | None = None  # 指标解释
    scoring: str | None = None  # 评(扣)分标准
    weight: Decimal | None = None  # 分值
    remark: str | None = None  # 备注

    def parsed(self) -> ParsedValue:
        """Operator, number, unit and leftover text of the 指标值."""
        if self.value_type is not None or self.measure_unit is not None:
            number = parse_decimal(self.value_text)
            unit = self.measure_unit
            if number is None and self.value_text is not None:
                # the unit typed after the number as well (``95%`` the Excel way, ``274.6万元``) with
                # 计量单位 saying the same or nothing: the number is still the target (JX-V05 asks to split)
                typed = parse_indicator_value(self.value_text)
                bare = self.value_text.strip()[:1].isdigit()  # no 指标值类型 typed again in the cell
                if (typed.number is not None and typed.unit and not typed.rest and bare
                        and squeeze(unit) in ("", typed.unit)):
                    number, unit = typed.number, unit or typed.unit
            rest = "" if number is not None or self.value_text is None else self.value_text
            return ParsedValue(normalize_operator(self.value_type), number, unit, rest)
        return parse_indicator_value(self.value_text)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def operator(self) -> str | None:
        return self.parsed().operator

    @computed_field  # type: ignore[prop-decorator]
    @property
    def number(self) -> Decimal | None:
        return self.parsed().number

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unit(self) -> str | None:
        return self.parsed().unit

    def is_classified(self) -> bool:
        texts = [self.level3, self.description, self.value_text]
        return any(squeeze(t) == CLASSIFIED for t in texts)


#: the periods a target form may have: 中期 (实施期, 长期) and 年度
PERIODS = ("mid", "year")
PERIOD_LABELS = {"mid": "中期", "year": "年度"}


@dataclass(frozen=True)
class Period:
    """One period's part of a project: its amounts, its 总体目标 and its indicator table.

    A view, not stored: the 年度 period is the project's own ``budget`` / ``goals`` /
    ``indicators`` (what every province's form has); the 中期 period is its ``mid_…``
    fields. ``prefix`` is the attribute prefix, so a rule points at ``prefix + "budget"``.
    """

    key: str
    prefix: str
    budget: Decimal | None
    fiscal: Decimal | None
    other: Decimal | None
    goals: str | None
    indicators: list["Indicator"]

    @property
    def label(self) -> str:
        return PERIOD_LABELS[self.key]

    def is_blank(self) -> bool:
        return (self.budget is None and self.fiscal is None and self.other is None
                and not (self.goals or "").strip() and not self.indicators)


# Fields a form of another shape adds; left out of the JSON and of equality when empty, so a
# Hebei or Hunan workbook serialises exactly as before they existed.
_OPTIONAL = ("department", "implementer", "attribute", "term", "mid_budget", "mid_fiscal", "mid_other",
             "mid_goals", "mid_indicators")


class Project(Located):
    """One 项目绩效目标表. Money in 万元 as Decimal; ``plan`` is cumulative percent by milestone.

    The national 项目支出绩效目标申报表 has two periods: the 年度 one is ``budget`` /
    ``fiscal`` / ``other`` / ``goals`` / ``indicators`` like every form's, the 中期 (实施期)
    one the ``mid_…`` fields; :meth:`periods` gives both. It has no 项目编码 and no plan.
    """

    sheet: str | None = Field(default=None, exclude=True)
    code: str | None = None  # 项目编码
    name: str | None = None  # 项目名称
    budget: Decimal | None = None  # 预算数 (年度资金总额)
    fiscal: Decimal | None = None  # 其中：财政资金 (财政拨款)
    other: Decimal | None = None  # 其他资金
    purpose: str | None = None  # 资金用途
    plan: dict[str, Decimal | None] = Field(default_factory=dict)  # 资金支出计划（%）
    goals: str | None = None  # 绩效目标 (年度目标), numbered lines
    indicators: list[Indicator] = Field(default_factory=list)
    # the national form (docs/forms/national-project-targets.md)
    department: str | None = None  # 主管部门及代码
    implementer: str | None = None  # 实施单位
    attribute: str | None = None  # 项目属性: 新增项目 / 延续项目 / 一次性项目
    term: str | None = None  # 项目期
    mid_budget: Decimal | None = None  # 中期资金总额
    mid_fiscal: Decimal | None = None  # 中期 其中：财政拨款
    mid_other: Decimal | None = None  # 中期 其他资金
    mid_goals: str | None = None  # 中期目标 (实施期目标)
    mid_indicators: list[Indicator] = Field(default_factory=list)  # 中期 indicator table
    # 上年数 shown beside the inputs by ``jixiao carry`` (``budget``, ``plan.3月底`` …); never read from a
    # sheet and not content: equality and the JSON leave it out
    prior: dict[str, Any] = Field(default_factory=dict, exclude=True, repr=False)
    # the plan was typed as fractions (12月底 = 1) and read as percent (JX-L06); not content
    plan_fractions: bool = Field(default=False, exclude=True, repr=False)
    # its sheet is hidden: counted, but Excel and WPS do not print it (JX-L07); not content
    hidden: bool = Field(default=False, exclude=True, repr=False)

    @model_serializer(mode="wrap")
    def _drop_empty_optional(self, handler):
        data = handler(self)
        for name in _OPTIONAL:
            if name in data and data[name] in (None, []):
                del data[name]
        return data

    def period(self, key: str) -> Period:
        """The 中期 (``"mid"``) or 年度 (``"year"``) part of the project."""
        prefix = "mid_" if key == "mid" else ""
        get = lambda name: getattr(self, prefix + name, None)  # noqa: E731 - a model built in code may lack one
        return Period(key, prefix, get("budget"), get("fiscal"), get("other"), get("goals"),
                      list(get("indicators") or []))

    def periods(self) -> list[Period]:
        """The periods this project has filled: 年度 always, 中期 when any of it is filled."""
        mid = self.period("mid")
        return ([] if mid.is_blank() else [mid]) + [self.period("year")]

    @property
    def classified(self) -> bool:
        """涉密 project: amounts still count, content rules are skipped, exports print only 涉密.

        The Hebei form marks one in 资金用途; the national 申报表 has no such cell, so its
        年度目标 or 中期目标 reading 涉密 marks it too (:attr:`classified_field` names which)."""
        return self.classified_field is not None

    @property
    def classified_field(self) -> str | None:
        """The first of 资金用途, 年度目标, 中期目标 that reads 涉密, or ``None``."""
        for name in ("purpose", "goals", "mid_goals"):
            value = getattr(self, name, None)
            # a goal is a paragraph: only a short text can squeeze to 涉密 (the rules ask once per row)
            if value and len(value) <= _MARK_LENGTH and squeeze(value) == CLASSIFIED:
                return name
        return None

    @property
    def goal_lines(self) -> list[str]:
        return [line.strip() for line in (self.goals or "").splitlines() if line.strip()]

    def is_blank(self) -> bool:
        """An untouched project sheet (the template's empty 项目1)."""
        return not (self.code or self.name or self.budget is not None or self.raw
                    or self.purpose or self.goals or self.indicators
                    or any(v is not None for v in self.plan.values())
                    or any(getattr(self, n, None) for n in _OPTIONAL))


_MARK_LENGTH = 40  # characters: 涉密 with any spaces and line breaks a clerk left around it


class Task(Located):
    """One row of the national 部门整体 form's 年度主要任务: a task and its 预算 by source (万元)."""

    name: str | None = None  # 任务名称
    detail: str | None = None  # 主要内容
    budget: Decimal | None = None  # 预算金额 总额
    fiscal: Decimal | None = None  # 财政拨款
    other: Decimal | None = None  # 其他资金


class OverallTargets(Located):
    """部门(单位)整体支出绩效目标表: the Hunan layout, or the national 申报表 with its 年度主要任务."""

    name: str | None = None  # 部门(单位)名称
    duties: str | None = None  # 部门(单位)职责 (部门职能概述)
    annual_goal: str | None = None  # 年度履职目标 (年度总体目标)
    indicators: list[Indicator] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)  # 年度主要任务 (national form only)

    @model_serializer(mode="wrap")
    def _drop_empty_tasks(self, handler):
        data = handler(self)
        if data.get("tasks") == []:
            del data["tasks"]
        return data


class UnitWorkbook(Located):
    """Everything one unit submits for one year: the content of one unit workbook."""

    profile: str = "hebei"
    milestones: list[str] = Field(default_factory=lambda: ["3月底", "6月底", "10月底"])
    # the built-in forms it is drawn from other than the defaults (the Hebei 项目绩效目标表 …), by role:
    # {"project": "national-project", …} for the national forms. Empty: the default forms, whatever the
    # profile names now, so a pre-2027 "national" model (the Hebei form) reads as it always did.
    forms: dict[str, str] = Field(default_factory=dict)
    unit: Unit = Field(default_factory=Unit)
    department: DepartmentTargets = Field(default_factory=DepartmentTargets)
    projects: list[Project] = Field(default_factory=list)
    overall: OverallTargets | None = None
    source: str | None = Field(default=None, exclude=True)  # the file it was read from
    # sheets that look like a form but no longer match its layout (rows inserted, labels changed)
    altered_sheets: list[str] = Field(default_factory=list, exclude=True)
    # the forms it was read with or is drawn from (a jixiao.forms.layouts.FormSet; the profile's when unset)
    _forms: Any = PrivateAttr(default=None)
    _profile_text: str | None = PrivateAttr(default=None)  # a user's profile file, as the workbook carries it

    @model_serializer(mode="wrap")
    def _drop_default_forms(self, handler):
        data = handler(self)
        if data.get("forms") == {}:
            del data["forms"]
        return data
