"""The worker: one unit file in, one small record out.

Runs in a process pool. It reads the workbook with calamine, validates it,
computes its schedule, and returns a JSON-able summary (what consolidation
decides with) plus the unit's rows for the big sheets, already rendered and
compressed (what the summary workbook is assembled from) and as a compressed
JSON table (what CSV/Parquet are written from). Nothing returned is a whole
sheet or a model, so the pool pays.

涉密 projects leave the worker as ``涉密`` in every content field: nothing else
of theirs can reach the summary, the CSV or the cache.
"""

from __future__ import annotations

import json
import os
import zlib
from decimal import Decimal
from typing import Any

from ..errors import JixiaoError, UnreadableFile
from ..oserror import os_reason
from ..checks.context import field_label
from ..checks.issues import Issue
from ..forms.layouts import forms_of
from ..forms.model import Indicator, Project, UnitWorkbook
from ..profiles import Profile, load_profile, load_profile_file, profile_for
from ..forms.reader import read_workbook
from ..totals.plan import MILESTONES, unit_schedule
from ..checks.validate import validate_book
from ..forms.values import CLASSIFIED, identity_key
from .records import UnitRecord, finding_row, rejected, schedule_row, unit_row
from .sheets import INDICATORS, ISSUES, PROJECTS, SCHEDULE, UNITS, Link, plain, render_row
from .xlsxstream import compress



def _profile(book: UnitWorkbook, option: tuple[str, str] | None) -> Profile:
    if option is not None:
        kind, value = option
        return load_profile_file(value) if kind == "file" else load_profile(value)
    return profile_for(book)


def _project_row(book: UnitWorkbook, p: Project, schedule, source: str | None) -> list[Any]:
    secret = p.classified
    planned = schedule.planned  # a form without a plan: the milestone cells stay blank, not 0
    sources = forms_of(book).project.has_sources()  # a form with a 预算数 only (四川): blank, not 0
    return [book.unit.code, book.unit.name, p.sheet, p.code, p.name, schedule.budget,
            schedule.fiscal if sources else None, schedule.other if sources else None, CLASSIFIED if secret else p.purpose,
            *[schedule.percent[m] if planned else None for m in MILESTONES],
            *[schedule.amounts[m] if planned else None for m in MILESTONES],
            CLASSIFIED if secret else p.goals, len(p.indicators) + len(p.mid_indicators), "是" if secret else "",
            *(schedule.mid if schedule.mid is not None else (None, None, None)),
            Link(source, p.sheet) if source is not None else None]


def _indicator_row(book: UnitWorkbook, sheet: str | None, code: str | None, name: str | None, n: int,
                   ind: Indicator, secret: bool, period: str | None = None) -> list[Any]:
    if secret:
        return [book.unit.code, book.unit.name, sheet, code, name, n] + [CLASSIFIED] * 12 + \
               [None, CLASSIFIED, None, None, period]
    parsed = ind.parsed()
    return [book.unit.code, book.unit.name, sheet, code, name, n, ind.level1, ind.level2, ind.level3,
            ind.description, ind.value_text, ind.basis, ind.value_type, ind.measure_unit, ind.explanation,
            ind.scoring, ind.weight, ind.remark, parsed.operator, parsed.number, parsed.unit, period]


def issue_row(code: str | None, name: str | None, source: str, issue: Issue, field: str | None = None) -> list[Any]:
    return finding_row(code, name, source, issue.code, issue.message, severity=issue.severity, sheet=issue.sheet,
                       cell=issue.cell, field=field or issue.field, value=issue.value,
                       fix=issue.fix.get("description") if issue.fix else None)


def _pack(sheet: str, rows: list[list[Any]]) -> bytes:
    raw = "".join(render_row(sheet, r) for r in rows).encode("utf-8")
    # level 3: half the CPU of the default 6 for a quarter more bytes (measured on generated units)
    return compress(raw, rows=len(rows), level=3).pack()


def _selfeval(path: str, name: str, stat: os.stat_result) -> dict[str, Any] | None:
    """A 自评表 scored for the 自评得分 sheet, or None when the file is not one either."""
    from ..selfeval.grading import score
    from ..selfeval.reading import read_selfeval

    try:
        report = score(read_selfeval(path))
    except JixiaoError:
        return None
    d, unit = report.department, report.evaluation.unit
    return {"path": name, "status": "selfeval", "size": stat.st_size, "mtime": stat.st_mtime,
            "unit": {"code": unit.code, "name": unit.name, "year": unit.year, "fill_date": unit.fill_date},
            "total": str(d.total), "grade": d.grade, "rate": None if d.rate is None else str(d.rate * 100), "projects": len(report.projects),
            "complete": report.complete, "why": _why_unfinished(report),
            "project_scores": [[p.sheet.name or p.sheet.sheet, str(p.total), p.grade] for p in report.projects]}


def _why_unfinished(report) -> str | None:
    """Why a 自评表 gets no grade: each sheet's count of 未评 items and the first cells, or None."""
    parts = []
    for s in (report.department, *report.projects):
        if s.pending:
            cells = "、".join(f"{i.cell}" for i in s.pending[:3] if i.cell) + ("…" if len(s.pending) > 3 else "")
            parts.append(f"{s.sheet.sheet or '部门整体支出绩效自评表'} {len(s.pending)} 项未评（{cells}，"
                         f"如：{s.pending[0].message}）")
    return "；".join(parts) or None


def extract(path: str, profile_option: tuple[str, str] | None, tables: bool, targets: dict[str, str],
            digest: bool = False, name: str | None = None,
            linked: bool = True) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Read, validate and summarise one unit file; never raises for a bad file.

    ``targets`` is the 序时进度 (percent by milestone) the unit's 支出计划汇总 row is
    rendered against. ``tables`` adds the rows as compressed JSON (for ``--csv-dir``); ``digest``
    adds the file's content hash (a first run hashes in the workers, not before them). ``name`` is
    the file's name as shown, when it is not ``path`` (a name that is not UTF-8, see :mod:`jixiao.paths`,
    or one the caller gave); ``linked`` False: that name is no path, and 项目清单 gets no 打开 link to it.
    """
    hashed = None
    if digest:
        from .cache import file_hash

        try:
            hashed = file_hash(path)
        except OSError:
            pass  # the reading below says why
    summary, blobs = _extract(path, profile_option, tables, targets, name or path, linked)
    if hashed is not None:
        summary["digest"] = hashed
    return summary, blobs


def _extract(path: str, profile_option: tuple[str, str] | None, tables: bool,
             targets: dict[str, str], name: str, linked: bool = True) -> tuple[dict[str, Any], dict[str, bytes]]:
    # ``path`` opens the file, ``name`` is all that is shown or kept of it
    try:
        stat = os.stat(path)
    except OSError as exc:
        return rejected(name, "JX-D03", f"无法访问文件：{os_reason(exc)}"), {}
    try:
        book = read_workbook(path, department=False)  # the text part is not consolidated
    except UnreadableFile as exc:
        return rejected(name, "JX-D03", str(exc), stat), {}
    except JixiaoError as exc:
        from .rollup import read_summary

        county = read_summary(path, name, stat, tables, {m: Decimal(v) for m, v in targets.items()})
        if county is not None:  # a county's summary, for a roll-up (or one that cannot be, with why)
            return county
        evaluation = _selfeval(path, name, stat)
        if evaluation is not None:
            return evaluation, {}
        return rejected(name, "JX-D03", f"不是 jixiao 单位工作簿：{exc}", stat), {}
    except Exception as exc:  # noqa: BLE001 - a file must never take the run down with it
        return rejected(name, "JX-D03", f"读取时出错：{type(exc).__name__}: {exc}", stat), {}
    try:
        profile = _profile(book, profile_option)
        issues = validate_book(book, profile)
        schedule = unit_schedule(book, profile)
    except Exception as exc:  # noqa: BLE001
        return rejected(name, "JX-D03", f"校验时出错：{type(exc).__name__}: {exc}", stat), {}
    path = name  # from here on the file is named, not opened

    unit = book.unit
    rows: dict[str, list[list[Any]]] = {PROJECTS: [], INDICATORS: [], ISSUES: []}
    for p, s in zip(book.projects, schedule.projects):
        rows[PROJECTS].append(_project_row(book, p, s, path if linked else None))
        # the national form's two tables: 中期 rows then 年度 rows, each numbered, the 期间 column saying which
        periods = p.periods() if p.mid_indicators else [p.period("year")]
        secret = p.classified
        for period in periods:
            label = period.label if len(periods) > 1 or forms_of(book).project.periods else None
            for n, ind in enumerate(period.indicators, start=1):
                rows[INDICATORS].append(_indicator_row(book, p.sheet, p.code, p.name, n, ind, secret, label))
    if book.overall is not None:
        for n, ind in enumerate(book.overall.indicators, start=1):
            rows[INDICATORS].append(_indicator_row(book, "整体支出绩效目标表", None, "（部门整体）", n, ind, False))
    for issue in issues:
        rows[ISSUES].append(issue_row(unit.code, unit.name, path, issue, field_label(book, issue)))

    codes: dict[str, int] = {}
    for issue in issues:
        codes[issue.code] = codes.get(issue.code, 0) + 1
    summary = {
        "path": path, "status": "ok", "size": stat.st_size, "mtime": stat.st_mtime,
        "unit": {"code": unit.code, "name": unit.name, "region_code": unit.region_code, "year": unit.year,
                 "fill_date": unit.fill_date},
        "profile": profile.name,
        "n_projects": len(book.projects), "n_indicators": len(rows[INDICATORS]),
        "errors": sum(1 for i in issues if i.severity == "error"),
        "warnings": sum(1 for i in issues if i.severity == "warning"), "issue_codes": codes,
        "money": [str(schedule.budget), str(schedule.fiscal), str(schedule.other),
                  *(str(schedule.amounts[m]) for m in MILESTONES),
                  *(str(sum((p.budget * p.percent[m] for p in schedule.projects if p.planned), Decimal(0)))
                    for m in MILESTONES),
                  str(schedule.planned_budget), *(str(v) for v in (schedule.mid or (0, 0, 0)))],
        "plan": schedule.has_plan, "mid": schedule.mid is not None,
        **({} if forms_of(book).project.has_sources() else {"sources": False}),
        "rows": {sheet: len(r) for sheet, r in rows.items()},
        "codes": sorted({identity_key(p.code) for p in book.projects} - {""}),  # as JX-D02 compares them
        **({} if linked else {"linked": False}),  # its name is no path: 项目清单 has no link (a roll-up too)
    }
    # links too long for a formula: (row in the unit's 项目清单 rows, target), made cell hyperlinks by the parent
    links = [[i, row[-1].target()] for i, row in enumerate(rows[PROJECTS])
             if row[-1] is not None and not row[-1].fits()]
    if links:
        summary["links"] = links
    # the unit's own 单位汇总 / 支出计划汇总 rows, rendered here once like its other rows
    record = UnitRecord("", summary)
    rows[UNITS] = [unit_row(record)]
    rows[SCHEDULE] = [schedule_row(record, {m: Decimal(v) for m, v in targets.items()})]
    blobs = {sheet: _pack(sheet, r) for sheet, r in rows.items() if r}  # no blob for an empty sheet
    if tables:
        table = {sheet: [[plain(v) for v in row] for row in r] for sheet, r in rows.items()
                 if sheet in (PROJECTS, INDICATORS, ISSUES)}
        blobs["table"] = zlib.compress(json.dumps(table, ensure_ascii=False, default=str).encode("utf-8"), 1)
    return summary, blobs
