"""What every rule works on: the context it is given, the registry, and the indicator rows as they apply.

A rule is a small function over the model, registered with its code and scope
(:func:`rule`); it yields :class:`~jixiao.checks.issues.Issue` s and never computes
a cell address (locations come from the values). Adding a rule is one function
and one decorator line, in :mod:`.rules` (the fields and the money),
:mod:`.content_rules` (goals and indicator tables) or :mod:`.periods`. Scopes:

- ``unit``: the 单位信息 (``ctx.book.unit``);
- ``project``: one 项目绩效目标表 (``ctx.project``), content rules skipped on 涉密;
- ``project_content``: one period's goals and indicator table of a project;
- ``indicator``: one row of an indicator table (``ctx.project`` or ``ctx.overall``, ``ctx.row``);
- ``overall``: the 部门整体支出绩效目标表 and its rows;
- ``book``: rules across the workbook (duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

from .issues import PUBLIC_FIELD, Issue
from ..forms.layouts import FormSet, SheetLayout, forms_of
from ..forms.model import Indicator, Located, OverallTargets, Project, UnitWorkbook
from ..profiles import Profile
from ..forms.taxonomy import normalize_level1, normalize_level2
from ..forms.values import in_money_unit, number_before_unit, squeeze


@dataclass
class Row:
    """An indicator row with its 一级 / 二级 as they apply (a blank cell inherits the row above)."""

    indicator: Indicator
    level1: str | None  # as written, here or inherited
    level1_from: Indicator  # the row whose cell holds it
    level2: str | None
    level2_from: Indicator
    canonical1: str | None = None
    canonical2: str | None = None


def effective_rows(indicators: list[Indicator], *, cost_under_output: bool = True) -> list[Row]:
    """Rows with inherited levels, as the forms' merged 一级 / 二级 cells mean them."""
    rows: list[Row] = []
    prev: Row | None = None
    for ind in indicators:
        if squeeze(ind.level1):
            l1, l1_from = ind.level1, ind
            inherit2 = False
        elif prev is not None:
            l1, l1_from = prev.level1, prev.level1_from
            inherit2 = True
        else:
            l1, l1_from, inherit2 = None, ind, False
        if squeeze(ind.level2) or not inherit2 or prev is None:
            l2, l2_from = ind.level2, ind
        else:
            l2, l2_from = prev.level2, prev.level2_from
        row = Row(ind, l1, l1_from, l2, l2_from)
        row.canonical1 = normalize_level1(l1).name
        row.canonical2 = normalize_level2(row.canonical1, l2, cost_under_output=cost_under_output).name
        rows.append(row)
        prev = row
    return rows


@dataclass
class Context:
    book: UnitWorkbook
    profile: Profile
    project: Project | None = None
    overall: OverallTargets | None = None
    row: Row | None = None
    rows: list[Row] = field(default_factory=list)
    period: str = "year"  # the indicator table being checked: "year", or "mid" on the national form
    forms: FormSet | None = None  # the book's forms (``forms_of``), passed on by the caller that has them

    @property
    def layout(self) -> SheetLayout:
        """The project form of the workbook (rules that need a field run only where the form has it)."""
        return (self.forms or forms_of(self.book)).project

    @property
    def overall_layout(self) -> SheetLayout:
        return (self.forms or forms_of(self.book)).overall

    @property
    def budget(self) -> Decimal | None:
        """The budget a cost indicator is compared with: the project's (of the period), or the unit's on the
        overall form."""
        if self.project is not None:
            return self.project.mid_budget if self.period == "mid" else self.project.budget
        budgets = [p.budget for p in self.book.projects if p.budget is not None]
        return sum(budgets, Decimal(0)) if budgets else None


RuleFn = Callable[[Context], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    code: str
    scope: str
    fn: RuleFn


RULES: list[Rule] = []


def rule(code: str, scope: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function for a catalogue code and a scope."""
    def register(fn: RuleFn) -> RuleFn:
        RULES.append(Rule(code, scope, fn))
        return fn
    return register


def blank_field(obj: Located, name: str) -> bool:
    return getattr(obj, name) is None and name not in obj.raw


def unit_fix(obj: Located, name: str, typed: str, units: tuple[str, ...], *, whole: bool = False) -> dict | None:
    """The fix of a number typed with its unit (``20分``, ``80万元``, ``2026年``): the number alone in
    the cell, as a number (``whole``: an integer, the 预算年度). ``None`` for any other text."""
    found = number_before_unit(typed, units)
    if found is None or (whole and found[0] != found[0].to_integral_value()):
        return None
    number, unit = found
    new = f"{int(number) if whole else number}"  # JSON has no exact decimal: the number as text, marked
    loc = obj.loc(name)
    return {"description": f"改为数字 {new}（去掉“{unit}”）",
            "changes": [{"sheet": loc.sheet if loc else None, "cell": loc.cell if loc else None,
                         "field": name, "old": typed, "new": new, "number": "int" if whole else "decimal"}]}


_MONEY_TYPED = ("万元", "万", "元", "亿元", "亿")  # what a clerk types after an amount
_UNIT_OF = {"万": "万元", "亿": "亿元"}


def money_fix(obj: Located, name: str, typed: str, scale: int) -> dict | None:
    """The fix of an amount typed with its unit into a money cell of a form in 万元 (``scale`` 0) or 元
    (4): ``80万元`` is 80 in a 万元 cell and 800000 in a 元 cell, ``785000元`` is 78.5 in a 万元 cell,
    converted exactly. The cell gets the number in its own unit; the model (万元) gets ``model``."""
    found = number_before_unit(typed, _MONEY_TYPED)
    if found is None:
        return None
    number, unit = found
    unit = _UNIT_OF.get(unit, unit)
    cell_unit = "元" if scale == 4 else "万元"
    cell = in_money_unit(number, unit, cell_unit).normalize()
    new = format(cell.quantize(1) if cell == cell.to_integral_value() else cell, "f")
    said = f"去掉“{found[1]}”" if unit == cell_unit else f"{format(number, 'f')}{found[1]}折合{new}{cell_unit}"
    loc = obj.loc(name)
    return {"description": f"改为数字 {new}（{said}）",
            "changes": [{"sheet": loc.sheet if loc else None, "cell": loc.cell if loc else None,
                         "field": name, "old": typed, "new": new, "number": "decimal",
                         "model": format(in_money_unit(number, unit, "万元"), "f")}]}


def field_labels(layout: SheetLayout | None) -> dict[str, str]:
    """Field and column name → the label the form prints (``{}`` for no form)."""
    if layout is None:
        return {}
    labels = {f.name: f.label for f in layout.fields}
    for block in layout.blocks:
        labels.update({c.name: c.label for c in block.columns})
    return labels


_MODEL_FIELD = {public: name for name, public in PUBLIC_FIELD.items()}  # budget_total → budget


def field_label(book: UnitWorkbook, issue: Issue) -> str | None:
    """A finding's 字段 as the form prints it (项目编码, 二级指标: 校验问题 in a summary, 校验结果 in an annotated
    copy), not its field name (code, level2: the JSON's, which stays); the layout is the one of the
    finding's sheet, a project's otherwise."""
    if not issue.field:
        return None
    forms = forms_of(book)
    layout = next((lay for lay in (forms.unit, forms.department, forms.overall)
                   if lay is not None and lay.sheet == issue.sheet), forms.project)
    return field_labels(layout).get(_MODEL_FIELD.get(issue.field, issue.field)) or issue.field
