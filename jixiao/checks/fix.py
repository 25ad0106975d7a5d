"""Autofix: apply the fixes the catalogue names (JX-X01, JX-X02, JX-V05, JX-T03, and JX-L03 where a
number was typed with its unit: ``20分``, ``80万元``, ``2026年``) to a copy.

Fixes are computed on the model (each finding carries its changes with their
cells), applied to the model, and the model validated again until nothing
fixable is left — so a cell with two problems (``效果\\n指标``: spaces and a
legacy name) ends up right. The changed cells are then written straight into
the sheet XML of a copy of the original package (:mod:`jixiao.excel.zippatch`), so
everything else is kept byte for byte: formulas' saved results, the VBA
project, buttons and macro content type of an ``.xlsm``, styles, notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


from ..outputs import guard_output
from ..forms.grid import sniff
from ..forms.model import Located, UnitWorkbook
from ..profiles import Profile
from .validate import validate_book

FIXABLE = ("JX-X01", "JX-X02", "JX-V05", "JX-V09", "JX-T03", "JX-L03")


@dataclass
class Change:
    code: str
    sheet: str
    cell: str
    field: str
    old: str | None
    new: str | int | Decimal | None


def _objects(book: UnitWorkbook) -> dict[tuple[str, str], tuple[Located, str]]:
    """(sheet, cell) → (model object, field) for every value read from the workbook."""
    found: list[Located] = [book.unit, book.department, *book.department.sub_targets,
                            *book.department.measures]
    for project in book.projects:
        found += [project, *project.indicators]
    if book.overall is not None:
        found += [book.overall, *book.overall.indicators]
    index = {}
    for obj in found:
        for name, loc in obj.cells.items():
            index[(loc.sheet, loc.cell)] = (obj, name)
    return index


def _typed(change: dict):
    """A change's new value as the cell takes it: text, or a number the fix marked as one (JX-L03)."""
    kind = change.get("number")
    if kind is None:
        return change["new"]
    return int(change["new"]) if kind == "int" else Decimal(change["new"])


def plan_fixes(book: UnitWorkbook, profile: Profile | None = None, *, rounds: int = 4,
               codes: tuple[str, ...] = FIXABLE) -> list[Change]:
    """Apply fixable findings (of ``codes``) to ``book`` (in place) and return the cell changes, last value wins."""
    index = _objects(book)
    changes: dict[tuple[str, str], Change] = {}
    for _ in range(rounds):
        todo = [i for i in validate_book(book, profile) if i.code in codes and i.fix]
        if not todo:
            break
        for issue in todo:
            for ch in issue.fix["changes"]:
                key = (ch["sheet"], ch["cell"])
                if key not in index:
                    continue
                obj, name = index[key]
                new = _typed(ch)
                # an amount in a 元 cell: the model holds it in 万元 (``model``), the cell in 元
                setattr(obj, name, Decimal(ch["model"]) if "model" in ch else new)
                obj.raw.pop(name, None)  # typed now: no longer text that could not be read
                previous = changes.get(key)
                changes[key] = Change(issue.code, ch["sheet"], ch["cell"], name,
                                      previous.old if previous else ch["old"], new)
    return [c for c in changes.values() if c.old != c.new]


def plan_fixes_and_results(book: UnitWorkbook, profile: Profile | None = None
                           ) -> tuple[list[Change], dict[str, dict[str, str]]]:
    """:func:`plan_fixes`, and the new saved results of the text formulas the fixed cells feed (sheet →
    {A1 → text}: a project sheet's title after its 项目名称 lost a stray space), for :func:`write_fixed`."""
    before = _formula_results(book)
    changes = plan_fixes(book, profile)
    after = _formula_results(book)
    results: dict[str, dict[str, str]] = {}
    for (sheet, cell), text in after.items():
        if before.get((sheet, cell)) != text:
            results.setdefault(sheet, {})[cell] = text
    return changes, results


def _formula_results(book: UnitWorkbook) -> dict[tuple[str, str], str]:
    """(sheet, A1) → what each of the forms' text formulas shows for ``book`` (the project sheet's title
    ``信访工作保障经费绩效目标表``, from its 项目名称): computed as the template computes its saved results."""
    from ..forms.a1 import a1
    from ..forms.layouts import forms_of, parse_range
    from ..forms.template import formula_values

    forms = forms_of(book)
    sheets = [(forms.unit, book.unit), (forms.department, book.department),
              *((forms.project, p) for p in book.projects if p.sheet)]
    if book.overall is not None:
        sheets.append((forms.overall, book.overall))
    found = {}
    for layout, obj in sheets:
        sheet = getattr(obj, "sheet", None) or layout.sheet
        get = formula_values(obj, book.unit)
        for formula in layout.formulas:
            if formula.compute is not None:
                row, col = parse_range(formula.ref)[:2]
                found[(sheet, a1(row, col))] = formula.compute(get)
    return found


def write_fixed(source: str | Path, out: str | Path, changes: list[Change],
                heights: dict[str, dict[int, float]] | None = None,
                results: dict[str, dict[str, str]] | None = None) -> Path:
    """Copy ``source`` to ``out`` with ``changes`` written into their cells (text stays text), the rows
    of ``heights`` (sheet → {row → points}, see :func:`jixiao.forms.printfit.new_heights`) made that tall,
    and ``results`` (:func:`plan_fixes_and_results`) saved as the results of the formulas they feed."""
    from ..excel.zippatch import check_macro_output, patch_cells

    guard_output(source, out)
    sniff(source)
    check_macro_output(source, out)
    by_sheet: dict[str, dict[str, str | None]] = {}
    for ch in changes:
        by_sheet.setdefault(ch.sheet, {})[ch.cell] = ch.new
    return patch_cells(source, out, by_sheet, heights, results)
