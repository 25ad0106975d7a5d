"""Writing 自评表 workbooks: a blank or pre-filled one (xlsxwriter, the target templates' builder), and a
scored copy (``jixiao score --write``). Neither ever replaces its input."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import xlsxwriter

from ..fsutil import atomic_path
from ..forms.layouts import form_set
from ..outputs import guard_output
from ..profiles import Profile, load_profile, profile_for
from .grading import EvalReport
from .model import PROJECT_PREFIX, TEMPLATE_ID, SelfEvaluation
from .scoring import BANDS


def write_selfeval(path: str | Path, ev: SelfEvaluation | None = None, profile: Profile | None = None) -> Path:
    """Write a 自评表 workbook (a blank template when ``ev`` is None)."""
    from ..forms.template import _draw_meta, _Formats, draw_sheet

    profile = profile or (profile_for(ev) if ev else load_profile("hebei"))
    password = profile.protection_password
    forms = (getattr(ev, "_forms", None) if ev is not None else None) or form_set(profile)
    unit_l, dept_l, sub_l, proj_l = (forms.unit, forms["selfeval_department"], forms["selfeval_subtargets"],
                                     forms["selfeval_project"])
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                            "strings_to_urls": False})
        # a fixed date keeps the template build reproducible (same input, same bytes), as for unit templates
        wb.set_properties({"title": "预算绩效自评表", "created": _dt.datetime(2026, 1, 1)})
        fmts = _Formats(wb)
        unit = ev.unit if ev else None
        first = draw_sheet(wb, fmts, unit_l, unit_l.sheet, unit, {}, password=password)
        dept = ev.department if ev else None
        draw_sheet(wb, fmts, dept_l, dept_l.sheet, dept,
                   {"team": list(dept.team) if dept else [], "indicators": list(dept.indicators) if dept else []},
                   password=password, unit=unit)
        draw_sheet(wb, fmts, sub_l, sub_l.sheet, None,
                   {"sub_targets": list(dept.sub_targets) if dept else []}, password=password, unit=unit)
        for i, project in enumerate((ev.projects if ev else None) or [None], start=1):
            draw_sheet(wb, fmts, proj_l, f"{PROJECT_PREFIX}{i}", project,
                       {"indicators": list(project.indicators) if project else []}, password=password, unit=unit)
        _draw_meta(wb, profile, list(profile.milestones), password, template_id=TEMPLATE_ID,
                   extra_lists=(("jx_bands", "定性档次", tuple(BANDS)),), forms=forms)
        first.activate()
        wb.close()
    return Path(path)


def write_scores(source: str | Path, out: str | Path, report: EvalReport) -> Path:
    """A copy of the workbook with the computed 得分 in each scored row (clerks' 定性 scores kept).

    A row left 未评 keeps its 得分 blank, so the sheet's own 评价等级 formula shows 未完成评分
    just as ``score`` does; a weight shared out at scoring time is written into 分值.
    """
    from ..forms.grid import load_for_edit

    guard_output(source, out)
    wb = load_for_edit(source)
    for s in (report.department, *report.projects):
        for r in s.rows:
            loc = r.indicator.loc("score")
            if loc is not None and r.computed and r.pending is None:
                wb[loc.sheet][loc.cell].value = float(r.score)
            wloc = r.indicator.loc("weight")
            if wloc is not None and r.default_weight:
                wb[wloc.sheet][wloc.cell].value = float(r.weight)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return Path(out)
