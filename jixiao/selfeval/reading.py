"""Reading a 自评表 workbook into its model, through the target forms' reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..forms.grid import open_grid
from ..forms.layouts import SheetLayout, form_set_from_meta
from ..forms.model import SubTarget, Unit
from ..forms.reader import bind_fields, read_block, read_meta
from .model import PROJECT_PREFIX, TEMPLATE_ID, DepartmentEval, EvalIndicator, ProjectEval, SelfEvaluation, TeamMember


def _read_eval(sheet, layout: SheetLayout, cls: type[ProjectEval]) -> ProjectEval:
    data: dict[str, Any] = {}
    raw: dict[str, str] = {}
    cells: dict[str, Any] = {}
    bind_fields(sheet, layout, data, raw, cells)
    for block in layout.blocks:
        data[block.name] = read_block(sheet, block, TeamMember if block.name == "team" else EvalIndicator)
    return cls.from_read(sheet=sheet.name, raw=raw, cells=cells,
                               **{k: v for k, v in data.items() if k in cls.model_fields})


def read_selfeval(path: str | Path) -> SelfEvaluation:
    """Read a 自评表 workbook (JX-L01 when it is not one)."""
    grid = open_grid(path)
    meta = read_meta(grid, TEMPLATE_ID)
    ev = SelfEvaluation(profile=meta.get("profile") or "hebei")
    forms = form_set_from_meta(meta, ())
    ev._forms, ev._profile_text = forms, meta.get("profile.toml") or None
    unit_l, dept_l, sub_l, proj_l = (forms.unit, forms["selfeval_department"], forms["selfeval_subtargets"],
                                     forms["selfeval_project"])
    ev._forms = forms
    data: dict[str, Any] = {}
    raw: dict[str, str] = {}
    cells: dict[str, Any] = {}
    bind_fields(grid.sheet(unit_l.sheet), unit_l, data, raw, cells)
    ev.unit = Unit(raw=raw, cells=cells, **data)
    if grid.has(dept_l.sheet):
        ev.department = _read_eval(grid.sheet(dept_l.sheet), dept_l, DepartmentEval)
    if grid.has(sub_l.sheet):  # a 自评表 made before the sheet existed has none
        ev.department.sub_targets = read_block(grid.sheet(sub_l.sheet), sub_l.block("sub_targets"), SubTarget)
    for name in grid.sheet_names:
        if name.startswith(PROJECT_PREFIX):
            project = _read_eval(grid.sheet(name), proj_l, ProjectEval)
            if project.name or project.code or project.indicators:
                ev.projects.append(project)
    return ev
