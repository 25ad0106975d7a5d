"""The rules that need every file (see the package's docstring): the budget year (JX-D04), one file a
unit (JX-D01), one unit a 项目编码 (JX-D02), and blank templates (JX-L02). Each works on the workers'
small records, never on a workbook."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter, defaultdict
from typing import Any, Callable, TypeVar

from ..checks.catalogue import message
from ..forms.values import identity_key
from .records import UnitRecord, finding_row, identity, rejected, unit_label

_DATE = re.compile(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})")


def fill_date(text: str | None) -> dt.date | None:
    """填表日期 as written (``2025.12.15``, ``2025-12-15``, ``2025年12月15日``) → a date."""
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def choose_year(summaries: list[dict[str, Any]], year: int | None) -> int | None:
    if year is not None:
        return year
    counts = Counter(s["unit"]["year"] for s in summaries if s["unit"]["year"] is not None)
    if not counts:
        return None
    best = max(counts.values())
    return max(y for y, n in counts.items() if n == best)


T = TypeVar("T")


def _rank(summary: dict[str, Any]):
    date = fill_date(summary["unit"].get("fill_date")) or dt.date.min
    return (date, summary["mtime"] or 0.0)


def _choose(group: list[T], summary_of: Callable[[T], dict[str, Any]]) -> tuple[T, list[tuple[T, str]]]:
    """Of one unit's files, the one consolidated (JX-D01): the later 填表日期, then the newer file, then
    the first path; and each other one with why it was not chosen."""
    group = sorted(group, key=lambda item: summary_of(item)["path"])
    ranks = [_rank(summary_of(item)) for item in group]
    best = max(range(len(group)), key=ranks.__getitem__)  # max keeps the first of equals
    return group[best], [(item, "填表日期较新" if ranks[best][0] > rank[0] else
                          "文件修改时间较新" if ranks[best] > rank else "按文件名排序在前")
                         for i, (item, rank) in enumerate(zip(group, ranks)) if i != best]


def _finding(code: str, detail: str, summary: dict[str, Any]) -> list[Any]:
    """A 校验问题 row for a finding consolidation makes (D01, D02): no cell, the whole file."""
    unit = summary["unit"]
    return finding_row(unit["code"], unit["name"], summary["path"], code, message(code, detail=detail))


BLANK = "空白模板（未填写）：单位编码、单位名称、预算年度和项目都未填写，未纳入汇总"


def blank(summary: dict[str, Any]) -> bool:
    """A template copied but not filled in (a unit workbook or a 自评表): nothing in it to consolidate."""
    unit = summary["unit"]
    if identity_key(unit["code"]) or identity_key(unit["name"]) or unit["year"] is not None:
        return False
    if summary["status"] == "selfeval":
        return not summary["projects"]
    return not summary["n_projects"] and not summary["n_indicators"]


def _who(unit: dict[str, Any], path: str, known: str | None = None) -> str:
    """Whom JX-D01 groups by: the unit's identity (``known`` when computed already); a file naming
    neither code nor name is only itself (two such files are two units, each with its own JX-L02,
    not duplicates of each other)."""
    if unit_label(unit):  # empty exactly when both are blank
        return known or identity(unit)
    return "file:" + path


def reject(summary: dict[str, Any], code: str, reason: str) -> dict[str, Any]:
    """The 未纳入文件 record of a file that was read (a unit workbook or a 自评表) but is not consolidated
    (with its 填表日期 and year: a roll-up of this summary decides JX-D01 again with them)."""
    unit = summary["unit"]
    record = {**rejected(summary["path"], code, reason), "size": summary["size"], "mtime": summary["mtime"],
              "unit_code": unit["code"], "unit_name": unit["name"], "fill_date": unit.get("fill_date"),
              "year": unit.get("year")}
    if summary["status"] == "selfeval":
        record["of"] = "selfeval"
    if "county" in summary:
        record["county"] = summary["county"]
    return record


def deduplicate(units: list[UnitRecord], rejected_files: list[dict[str, Any]]) -> list[UnitRecord]:
    groups: dict[str, list[UnitRecord]] = defaultdict(list)
    for u in units:
        groups[_who(u.summary["unit"], u.summary["path"], u.identity)].append(u)
    winners = []
    for group in groups.values():
        if len(group) == 1:
            if "ghost" in group[0].summary:  # (never: a JX-D01 loser's winner is in the same summary)
                rejected_files.append(group[0].summary["ghost"])
            else:
                winners.append(group[0])
            continue
        winner, others = _choose(group, lambda u: u.summary)
        if "ghost" in winner.summary:  # (never: the best of the counties' best is the best of all)
            rejected_files.append(winner.summary["ghost"])
            winner, others = _choose([u for u in group if u is not winner], lambda u: u.summary)
        chosen, name = winner.summary, unit_label(winner.summary["unit"])
        for u, why in others:
            rejected_files.append(reject(u.summary, "JX-D01",
                                          f"单位 {name} 重复：已采用 {chosen['path']}（{why}），本文件未纳入汇总"))
        listing = "、".join(u.summary["path"] for u, _ in others)
        winner.extra_issues.append(_finding("JX-D01", f"单位 {name} 还出现在 {listing}，这些文件未纳入汇总", chosen))
        winners.append(winner)
    return winners


def deduplicate_evaluations(evaluations: list[dict[str, Any]], rejected_files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One 自评表 a unit (JX-D01), chosen as for the unit workbooks; the others are listed, naming it."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in evaluations:
        groups[_who(e["unit"], e["path"])].append(e)
    kept = []
    for group in groups.values():
        chosen, others = _choose(group, lambda e: e)
        while "ghost" in chosen:  # (never, as for the units)
            rejected_files.append(chosen["ghost"])
            group = [e for e in group if e is not chosen]
            if not group:
                break
            chosen, others = _choose(group, lambda e: e)
        if "ghost" in chosen:
            continue
        kept.append(chosen)
        for e, why in others:
            rejected_files.append(reject(e, "JX-D01", f"单位 {unit_label(chosen['unit'])} 的自评表重复：已采用 "
                                                       f"{chosen['path']}（{why}），本文件未纳入汇总"))
    return kept


def cross_unit_codes(units: list[UnitRecord]) -> None:
    counts = Counter(itertools.chain.from_iterable(u.summary["codes"] for u in units))
    shared = {code for code, n in counts.items() if n > 1}  # counted first: a county has few, if any
    if not shared:
        return
    owners: dict[str, list[UnitRecord]] = defaultdict(list)
    for u in units:
        for code in shared.intersection(u.summary["codes"]):
            owners[code].append(u)
    for code in sorted(owners):
        group = owners[code]
        for u in group:
            others = "、".join(unit_label(o.summary["unit"]) for o in group if o is not u)
            u.extra_issues.append(_finding("JX-D02", f"项目编码 {code} 同时出现在单位 {others}", u.summary))
