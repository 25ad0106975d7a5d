"""Compare two years (``jixiao diff``): two unit workbooks, or two county summaries.

Pure functions on the model: :func:`diff_books` matches projects by 项目编码, then by
项目名称 (both compared as NFKC text without whitespace), and lists projects added and
removed, and for each continuing project the fields that changed (money, plan,
资金用途, 绩效目标, a new name or code) and its indicators added, removed and changed
(matched by 三级指标). :func:`diff_units` does the same for the units of two
summaries (the ``单位汇总`` sheet of ``jixiao consolidate``, read by its header names).

``to_json()`` is ``jixiao diff --format json``, a contract::

    {"projects": {"added": [...], "removed": [...],
                  "changed": [{"code", "name", "fields": {name: [old, new]},
                               "indicators": {"added", "removed", "changed": [{"name", "value": [old, new]}]}}]}}

money and plan percent as strings with two decimals. For summaries the key is ``units``.

>>> from jixiao.examples import load_example
>>> old = load_example("luanping_xinfang_2026")
>>> new = old.model_copy(deep=True); new.projects[0].budget = new.projects[0].fiscal = Decimal("90")
>>> diff_books(old, new).to_json()["projects"]["changed"][0]["fields"]
{'budget': ['80.00', '90.00'], 'fiscal': ['80.00', '90.00']}
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from ..forms.model import Indicator, Project, UnitWorkbook
from ..forms.values import MILESTONES, format_money, identity_key, parse_decimal, parse_int, squeeze

T = TypeVar("T")
CENT = Decimal("0.01")
MONEY = ("budget", "fiscal", "other")
LABELS = {"code": "项目编码", "name": "项目名称", "budget": "预算数", "fiscal": "财政资金", "other": "其他资金",
          "purpose": "资金用途", "goals": "绩效目标", "projects": "项目数", "county": "县区"}
UNITS_SHEET = "单位汇总"  # the summary's sheet (a contract of jixiao consolidate)


def _key(text: Any) -> str:
    """Identity of a code or name: the one rule every command uses (``values.identity_key``)."""
    return identity_key(str(text)) if text not in (None, "") else ""


def label(name: str) -> str:
    if name.startswith("plan."):
        return f"支出计划 {name[5:]}（%）"
    return LABELS.get(name, name)


def match(old: list[T], new: list[T], keys: Iterable[Callable[[T], str]]) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pair items by each key in turn (first by code, then by name); the same key twice pairs in order.

    Returns the pairs (in the new list's order), the removed (old order) and the added (new order).
    """
    pairs: dict[int, T] = {}  # index in new → old item
    left = list(range(len(old)))
    for key in keys:
        queues: dict[str, list[int]] = {}
        for i in left:
            k = key(old[i])
            if k:
                queues.setdefault(k, []).append(i)
        taken: set[int] = set()
        for j, item in enumerate(new):
            if j in pairs:
                continue
            queue = queues.get(key(item))
            if queue:
                i = queue.pop(0)
                pairs[j] = old[i]
                taken.add(i)
        left = [i for i in left if i not in taken]
    return ([(pairs[j], new[j]) for j in sorted(pairs)], [old[i] for i in left],
            [item for j, item in enumerate(new) if j not in pairs])


def _money_text(value: Any) -> Any:
    return format_money(value) if isinstance(value, Decimal) else value


def change(old: Any, new: Any) -> tuple[Decimal | None, Decimal | None]:
    """Difference and percentage (of the old) of two amounts; ``None`` where it has no meaning."""
    if not isinstance(old, Decimal) or not isinstance(new, Decimal):
        return None, None
    diff = (new - old).quantize(CENT)
    return diff, ((new - old) * 100 / old).quantize(CENT) if old else None


# --- unit workbooks ----------------------------------------------------------------

def _value(obj: Project, name: str) -> Any:
    if name.startswith("plan."):
        value = obj.plan.get(name[5:])
    else:
        value = getattr(obj, name)
    return obj.raw.get(name) if value is None else value  # untypable text is compared as written


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return _key(a) == _key(b)  # line breaks and stray spaces are not a change


def _indicator_name(i: Indicator) -> str:
    return i.level3 or i.description or ""


@dataclass
class ProjectChange:
    old: Project
    new: Project
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    added: list[Indicator] = field(default_factory=list)
    removed: list[Indicator] = field(default_factory=list)
    changed: list[tuple[Indicator, Indicator]] = field(default_factory=list)

    @property
    def code(self) -> str | None:
        return self.new.code or self.old.code

    @property
    def name(self) -> str | None:
        return self.new.name or self.old.name

    def __bool__(self) -> bool:
        return bool(self.fields or self.added or self.removed or self.changed)

    def to_json(self) -> dict[str, Any]:
        ind = lambda i: {"name": _indicator_name(i), "value": i.value_text}  # noqa: E731
        return {"code": self.code, "name": self.name,
                "fields": {k: [_money_text(a), _money_text(b)] for k, (a, b) in self.fields.items()},
                "indicators": {"added": [ind(i) for i in self.added], "removed": [ind(i) for i in self.removed],
                               "changed": [{"name": _indicator_name(b), "value": [a.value_text, b.value_text]}
                                           for a, b in self.changed]}}


def _project_json(p: Project) -> dict[str, Any]:
    return {"code": p.code, "name": p.name, "budget": _money_text(_value(p, "budget"))}


def _total(projects: Iterable[Project]) -> Decimal:
    return sum((p.budget for p in projects if p.budget is not None), Decimal(0))


@dataclass
class BookDiff:
    old: UnitWorkbook
    new: UnitWorkbook
    added: list[Project]
    removed: list[Project]
    changed: list[ProjectChange]
    unchanged: int

    @property
    def budgets(self) -> tuple[Decimal, Decimal]:
        return _total(self.old.projects), _total(self.new.projects)

    def to_json(self) -> dict[str, Any]:
        return {"projects": {"added": [_project_json(p) for p in self.added],
                             "removed": [_project_json(p) for p in self.removed],
                             "changed": [c.to_json() for c in self.changed]}}


def diff_project(old: Project, new: Project, milestones: list[str]) -> ProjectChange:
    """The changes of one continuing project. A 涉密 project (either year) shows only its money, plan,
    name, code and 资金用途 (``涉密``), as the county summary does: its goals and indicators stay out."""
    result = ProjectChange(old, new)
    secret = old.classified or new.classified
    for name in ("code", "name", *MONEY, "purpose", *(f"plan.{m}" for m in milestones),
                 *(() if secret else ("goals",))):
        a, b = _value(old, name), _value(new, name)
        if not _same(a, b):
            result.fields[name] = (a, b)
    if secret:
        return result
    pairs, result.removed, result.added = match(old.indicators, new.indicators,
                                                (lambda i: _key(_indicator_name(i)),))
    result.changed = [(a, b) for a, b in pairs if not _same(a.value_text, b.value_text)]
    return result


def diff_books(old: UnitWorkbook, new: UnitWorkbook) -> BookDiff:
    """What changed from ``old`` (last year) to ``new``; projects by code, then by name."""
    pairs, removed, added = match(old.projects, new.projects, (lambda p: _key(p.code), lambda p: _key(p.name)))
    milestones = [m for m in MILESTONES if m in old.milestones or m in new.milestones]
    changes = [diff_project(a, b, milestones) for a, b in pairs]
    changed = [c for c in changes if c]
    return BookDiff(old, new, added, removed, changed, len(changes) - len(changed))


# --- summaries (jixiao consolidate) --------------------------------------------------

@dataclass
class UnitRow:
    """One row of a summary's 单位汇总."""

    code: str | None
    name: str | None
    county: str | None = None
    budget: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None
    projects: int | None = None


_UNIT_COLUMNS = {"单位编码": "code", "单位名称": "name", "县区": "county", "预算数": "budget",
                 "财政资金": "fiscal", "其他资金": "other", "项目数": "projects"}


def units_from_rows(rows: list[list[Any]]) -> list[UnitRow]:
    """The units of a 单位汇总 sheet, by its header names (the header within the first rows, so a title
    line above it does no harm); 合计 / 小计 rows are left out."""
    cols: dict[str, int] = {}
    start = 0
    for start, line in enumerate(rows[:10]):
        header = {squeeze(str(v)): i for i, v in enumerate(line) if v not in (None, "")}
        cols = {attr: header[title] for title, attr in _UNIT_COLUMNS.items() if title in header}
        if "code" in cols and "budget" in cols:
            break
    if "code" not in cols or "budget" not in cols:
        from ..errors import NotAJixiaoWorkbook

        raise NotAJixiaoWorkbook("汇总表的“单位汇总”缺少“单位编码”或“预算数”列，无法对比")
    out = []
    for line in rows[start + 1:]:
        get = lambda attr: line[cols[attr]] if attr in cols and cols[attr] < len(line) else None  # noqa: E731
        code = _text(get("code"))
        name = _text(get("name"))
        if (not code and not name) or (code and ("合计" in code or "小计" in code)) or (name and "小计" in name):
            continue  # a unit with no 单位编码 (JX-L02) is still a unit, matched by its name
        money = {a: _cents(get(a)) for a in MONEY}
        out.append(UnitRow(code=code, name=name, county=_text(get("county")), projects=parse_int(get("projects")),
                           **money))
    return out


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _cents(value: Any) -> Decimal | None:
    number = parse_decimal(value)
    return None if number is None else number.quantize(CENT)


@dataclass
class UnitChange:
    old: UnitRow
    new: UnitRow
    fields: dict[str, tuple[Any, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"county": self.new.county, "code": self.new.code, "name": self.new.name or self.old.name,
                "fields": {k: [_money_text(a), _money_text(b)] for k, (a, b) in self.fields.items()}}


def _unit_json(u: UnitRow) -> dict[str, Any]:
    return {"county": u.county, "code": u.code, "name": u.name, "budget": _money_text(u.budget)}


@dataclass
class SummaryDiff:
    old: list[UnitRow]
    new: list[UnitRow]
    added: list[UnitRow]
    removed: list[UnitRow]
    changed: list[UnitChange]
    unchanged: int
    #: the summaries' 预算年度 (from their own records), ``None`` where a summary does not say
    years: tuple[int | None, int | None] = (None, None)

    @property
    def budgets(self) -> tuple[Decimal, Decimal]:
        return tuple(sum((u.budget or Decimal(0) for u in side), Decimal(0)) for side in (self.old, self.new))

    def to_json(self) -> dict[str, Any]:
        return {"units": {"added": [_unit_json(u) for u in self.added],
                          "removed": [_unit_json(u) for u in self.removed],
                          "changed": [c.to_json() for c in self.changed]}}


def diff_units(old: list[UnitRow], new: list[UnitRow]) -> SummaryDiff:
    """Units of two summaries by (县区, 单位编码), then by (县区, 单位名称): budget by unit, new and missing."""
    pairs, removed, added = match(old, new, (lambda u: f"{_key(u.county)}|{_key(u.code)}" if u.code else "",
                                             lambda u: f"{_key(u.county)}|{_key(u.name)}" if u.name else ""))
    changed, unchanged = [], 0
    for a, b in pairs:
        fields = {n: (getattr(a, n), getattr(b, n)) for n in ("code", "name", *MONEY, "projects")
                  if not _same(getattr(a, n), getattr(b, n))}
        if fields:
            changed.append(UnitChange(a, b, fields))
        else:
            unchanged += 1
    return SummaryDiff(old, new, added, removed, changed, unchanged)


# --- files ---------------------------------------------------------------------------

def read_side(path: str | Path) -> UnitWorkbook | list[UnitRow]:
    """A unit workbook (the model) or a summary (its units), told apart by their sheets.

    A summary is a workbook with a 单位汇总 sheet that is not a unit workbook (whatever metadata
    sheet the summary itself may carry).
    """
    from ..errors import NotAJixiaoWorkbook
    from ..forms.grid import open_grid
    from ..forms.reader import read_grid, read_meta

    grid = open_grid(path)
    if grid.has(UNITS_SHEET):
        try:
            read_meta(grid)
        except NotAJixiaoWorkbook:
            return units_from_rows(grid.sheet(UNITS_SHEET).rows)
    return read_grid(grid)  # JX-L01 when it is neither


def diff_files(old: str | Path, new: str | Path) -> BookDiff | SummaryDiff:
    a, b = read_side(old), read_side(new)
    if isinstance(a, UnitWorkbook) and isinstance(b, UnitWorkbook):
        return diff_books(a, b)
    if isinstance(a, list) and isinstance(b, list):
        from ..consolidation.rollup import summary_header

        years = tuple((summary_header(p) or {}).get("year") for p in (old, new))
        return dataclasses.replace(diff_units(a, b), years=years)
    from ..errors import JixiaoError

    raise JixiaoError("一个是单位工作簿，一个是汇总表，无法对比；请选择两个单位工作簿或两个汇总表")
