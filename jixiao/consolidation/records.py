"""The small records consolidation decides with: what a worker returns, what the cache keeps.

Kept apart from the worker (``extract``), so that the parent process, which
only reads cached records on a re-run, never imports the reader, the rules or
pydantic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..checks.catalogue import CATALOGUE, SEVERITY_ZH
from ..forms.values import MILESTONES, identity_key

# A unit's money, in this order, as exact decimal strings (万元): ``summary["money"]``.
# ``weighted`` is Σ budget × cumulative percent of its projects: the county percent is
# Σ weighted / Σ planned, exact. ``planned`` is the budget of the projects whose form has a
# 资金支出计划 (all, on the Hebei form; none, on the national 申报表); ``mid_*`` the 中期 amounts.
MONEY = ("budget", "fiscal", "other", *(f"amount:{m}" for m in MILESTONES),
         *(f"weighted:{m}" for m in MILESTONES), "planned", "mid_budget", "mid_fiscal", "mid_other")
MID_MONEY = ("mid_budget", "mid_fiscal", "mid_other")
_AT = {name: i for i, name in enumerate(MONEY)}


def finding_row(unit_code: str | None, unit_name: str | None, source: str, code: str, message: str, *,
                severity: str | None = None, sheet: str | None = None, cell: str | None = None,
                field: str | None = None, value: str | None = None, fix: str | None = None) -> list[Any]:
    """A 校验问题 row: the unit, the file, and the finding as the validate JSON has it."""
    severity = severity or CATALOGUE[code].severity
    return [unit_code, unit_name, source, code, SEVERITY_ZH[severity], sheet, cell, field, value, message, fix]


def rejected(path: str, code: str, reason: str, stat: os.stat_result | None = None) -> dict[str, Any]:
    """The record of a file that is not consolidated, with its JX-D code and reason."""
    return {"path": path, "status": "rejected", "code": code, "reason": reason,
            "size": stat.st_size if stat else None, "mtime": stat.st_mtime if stat else None}


def unit_label(unit: dict[str, Any]) -> str:
    """``单位编码 单位名称`` as the summary names a unit (either may be missing)."""
    return f"{unit['code'] or ''} {unit['name'] or ''}".strip()


def identity(unit: dict[str, Any]) -> str:
    """Who a file is from: the same unit in two files (JX-D01) has the same 单位编码, or 单位名称 when the code
    is empty, each compared by :func:`~jixiao.forms.values.identity_key` (width and spacing folded)."""
    code = identity_key(unit["code"])
    return f"code:{code}" if code else f"name:{identity_key(unit['name'])}"


@dataclass
class UnitRecord:
    """One consolidated unit: its cached summary and extra findings from consolidation."""

    key: str
    summary: dict[str, Any]
    extra_issues: list[list[Any]] = field(default_factory=list)  # D01 / D02 rows (errors, both)

    def __post_init__(self) -> None:
        # made once (while the workers read, for the cached units): what the county decides and sorts with
        self.vector: tuple[Decimal, ...] = tuple(map(Decimal, self.summary["money"]))  # summed by column
        unit = self.summary["unit"]
        self.identity = identity(unit)
        # the summary's order
        self.order = (identity_key(unit["code"]), identity_key(unit["name"]), self.summary["path"])

    @property
    def errors(self) -> int:
        return self.summary["errors"] + len(self.extra_issues)

    def money(self, name: str) -> Decimal:
        return self.vector[_AT[name]]

    def amount(self, m: str) -> Decimal:
        return self.vector[_AT["amount:" + m]]

    def weighted(self, m: str) -> Decimal:
        return self.vector[_AT["weighted:" + m]]


ZERO = Decimal(0)


def pct(value: Decimal) -> Decimal:
    """A percent as shown: one decimal, half up."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def unit_row(u: UnitRecord) -> list[Any]:
    """A unit's 单位汇总 row (rendered by the worker; again by the parent when consolidation adds findings).

    A unit whose form has no 资金支出计划 shows its milestone cells blank, and one without 中期 amounts
    its 中期 cells blank, one without 财政拨款 / 其他资金 (四川) those: a blank is "not on the form", never a
    0 that was not declared.
    """
    s = u.summary
    budget = u.money("budget")
    planned = u.money("planned")
    amounts: list[Any] = []
    for m in MILESTONES:
        if s.get("plan", True):
            amounts += [u.amount(m), pct(u.weighted(m) / planned) if planned else ZERO]
        else:
            amounts += [None, None]
    mid = [u.money(n) for n in MID_MONEY] if s.get("mid") else [None] * 3
    sources = [u.money("fiscal"), u.money("other")] if s.get("sources", True) else [None, None]
    return [s["unit"]["code"], s["unit"]["name"], s["n_projects"], s["n_indicators"], budget,
            *sources, *amounts, *mid, u.errors, s["warnings"], s["path"]]


def schedule_row(u: UnitRecord, targets: dict[str, Decimal]) -> list[Any]:
    """A unit's 支出计划汇总 row against the 序时进度 ``targets``."""
    s = u.summary
    budget = u.money("budget")
    planned = u.money("planned")
    cells: list[Any] = [s["unit"]["code"], s["unit"]["name"], budget]
    for m in MILESTONES:
        if not s.get("plan", True):  # no plan on its form: the 序时进度 is shown, nothing is compared
            cells += [None, None, targets[m], None]
            continue
        share = u.weighted(m) / planned if planned else ZERO
        cells += [u.amount(m), pct(share), targets[m], pct(share - targets[m])]
    return cells
