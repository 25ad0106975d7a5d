"""Run the rules over a unit workbook and build the report.

>>> from jixiao.examples import load_example
>>> [i.code for i in validate_book(load_example("zhijiang_xinfang_2026")) if i.code.startswith("JX-T01")]
['JX-T01', 'JX-T01']
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Iterable

from ..errors import JixiaoError, UnreadableFile
from .issues import FileReport, Issue, Report
from ..forms.layouts import FormSet, forms_of, parse_a1
from ..forms.model import UnitWorkbook
from ..paths import shown
from ..profiles import Profile, load_profile, profile_for
from ..forms.reader import read_workbook
# the rule modules register their rules on import, in this order (the order of findings in one cell)
from . import rules as _rules, content_rules as _content_rules, periods as _periods  # noqa: F401
from .context import RULES, Context, effective_rows


@functools.lru_cache(maxsize=1)
def _by_scope() -> dict[str, list]:
    scopes: dict[str, list] = {}
    for r in RULES:
        scopes.setdefault(r.scope, []).append(r.fn)
    return scopes


def _run(scope: str, ctx: Context) -> list[Issue]:
    out: list[Issue] = []
    for fn in _by_scope().get(scope, ()):
        out.extend(fn(ctx))
    return out


def _order(book: UnitWorkbook, issues: list[Issue]) -> list[Issue]:
    sheets = ["单位信息", "部门整体绩效目标", "整体支出绩效目标表"] + [p.sheet for p in book.projects if p.sheet]

    def key(issue: Issue):
        sheet = sheets.index(issue.sheet) if issue.sheet in sheets else len(sheets)
        row, col = parse_a1(issue.cell) if issue.cell else (0, 0)
        return sheet, row, col

    return sorted(issues, key=key)


def _project(book: UnitWorkbook, profile: Profile, project, forms: FormSet | None = None) -> list[Issue]:
    """One project's findings: its amounts and plan, then each period's goals and indicator table."""
    forms = forms or forms_of(book)
    issues = _run("project", Context(book, profile, project=project, forms=forms))
    if project.classified:
        return issues  # 涉密: amounts and plan only (JX-S01 says so)
    for period in project.periods():  # 年度 always; 中期 too where the form has it and it is filled
        ctx = Context(book, profile, project=project, period=period.key, forms=forms,
                      rows=effective_rows(period.indicators, cost_under_output=profile.cost_under_output))
        issues += _run("project_content", ctx)
        for row in ctx.rows:
            issues += _run("indicator", Context(book, profile, project=project, row=row, rows=ctx.rows,
                                                period=period.key, forms=forms))
    return issues


def validate_book(book: UnitWorkbook, profile: Profile | None = None) -> list[Issue]:
    """Every finding for one unit workbook, in sheet and cell order."""
    profile = profile or profile_for(book)
    cost = profile.cost_under_output
    forms = forms_of(book)
    issues = _run("unit", Context(book, profile, forms=forms))
    for project in book.projects:
        issues += _project(book, profile, project, forms)
    issues += _run("book", Context(book, profile, forms=forms))
    if book.overall is not None:
        ctx = Context(book, profile, overall=book.overall, forms=forms,
                      rows=effective_rows(book.overall.indicators, cost_under_output=cost))
        issues += _run("overall", ctx)
        for row in ctx.rows:
            issues += _run("indicator", Context(book, profile, overall=book.overall, row=row, rows=ctx.rows,
                                                forms=forms))
    return _order(book, issues)


def validate_file(path: str | Path, profile: Profile | None = None, *, engine: str = "calamine") -> FileReport:  # noqa: E501
    """Read and validate one workbook; a file that is not ours or unreadable becomes a finding."""
    return validate_read(path, profile, engine=engine)[0]


def validate_read(path: str | Path, profile: Profile | None = None, *,
                  engine: str = "calamine") -> tuple[FileReport, UnitWorkbook | None]:
    """:func:`validate_file`, and the workbook it read (None when it could not be read as one)."""
    report = FileReport(path=shown(path))  # a name that is not UTF-8 is shown readably
    try:
        book = read_workbook(path, engine)
    except UnreadableFile as exc:
        report.readable = False
        report.issues.append(Issue.make("JX-D03", detail=str(exc)))
        return report, None
    except JixiaoError as exc:  # JX-L01: a workbook, but not ours or of an unknown version
        report.issues.append(Issue.make(exc.code or "JX-L01", detail=str(exc)))
        return report, None
    report.unit_code, report.unit_name = book.unit.code, book.unit.name
    report.issues = validate_book(book, profile)
    return report, book


def validate_files(paths: Iterable[str | Path], profile: Profile | None = None) -> Report:
    """Validate several workbooks into one report."""
    return Report(files=[validate_file(p, profile) for p in paths])


def validate_project(project, milestones: list[str], profile: Profile | None = None) -> list[Issue]:
    """The project-level findings of one project on its own (the JX_CHECK_PROJECT UDF)."""
    profile = profile or load_profile("hebei")
    book = UnitWorkbook(milestones=milestones, projects=[project], profile=profile.name)
    return _project(book, profile, project)
