"""Read a filled unit workbook into the model, through the layouts.

Works on any :class:`~jixiao.forms.grid.Grid` (calamine, openpyxl, a live xlwings
book). Only the layouts' input cells are read — never a formula cell — and
every value keeps the cell it came from.

>>> book = read_workbook("examples_out/154001.xlsx")  # doctest: +SKIP
>>> book.projects[0].loc("budget")                     # doctest: +SKIP
Loc(sheet='项目1', cell='C4')
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from ..errors import NotAJixiaoWorkbook, UnknownTemplateVersion
from .a1 import parse_range
from .grid import Grid, SheetData, open_grid
from .layouts import (
    META_SHEET, PROJECT_MASTER_SHEET, SUPPORTED_VERSIONS, TEMPLATE_ID, Block, SheetLayout, a1, form_set_from_meta,
    parse_a1,
)
from .model import (
    DepartmentTargets, Indicator, Loc, Located, Measure, OverallTargets, Project, SubTarget, Task, Unit,
    UnitWorkbook,
)
from .values import cell_text, parse_decimal, parse_int, percent_from_fraction, squeeze



def _text(value: Any) -> str | None:
    if isinstance(value, _dt.datetime) and value.time() == _dt.time(0):
        return value.date().isoformat()
    return cell_text(value)


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "money": parse_decimal,
    "number": parse_decimal,
    "percent": lambda v: parse_decimal(v, percent_sign=True),
    "int": parse_int,
}


@functools.lru_cache(maxsize=1 << 14)
def _loc(sheet: str, row: int, col: int) -> Loc:
    """Locations repeat across every unit of a run; build each once."""
    return Loc.model_construct(sheet=sheet, cell=a1(row, col))


def _read_value(sheet: SheetData, row: int, col: int, kind: str) -> tuple[Any, str | None]:
    """The typed value and, when it could not be typed, the raw text.

    An error value (``#REF!``) is never input, nor is a formula whose result the
    engine does not know (openpyxl never does; calamine gives ``''`` for an error
    and for a formula saved without its result): each is kept as raw text for
    the rules (JX-L05), never read as a blank. A formula's saved result is read.
    """
    if (row, col) in sheet.formulas or (row, col) in sheet.errors:
        return None, sheet.shown(row, col)
    value = sheet.value(row, col)
    if value is None:
        return None, None
    typed = _CONVERT[kind](value)
    if typed is None and kind != "text":
        return None, _text(value)
    if kind == "number":
        typed = _as_shown(sheet, row, col, value, typed)
    return typed, None


def _as_shown(sheet: SheetData, row: int, col: int, value: Any, typed: Decimal) -> Decimal:
    """A score or weight (``kind = "number"``) as its cell shows it: ``25%`` typed into 权重.

    Excel stores ``25%`` as 0.25 and formats the cell as percent; the clerk meant 25
    points, and 0.25 would put the weights 99.75 short of 100 (JX-W01). A number from
    0 to 1 in a percent-formatted cell is read × 100, as :func:`percent_plan` reads the plan.
    """
    if 0 < typed <= 1 and not isinstance(value, str) and sheet.is_percent(row, col):
        return percent_from_fraction(typed)
    return typed


def _text_as_shown(sheet: SheetData, row: int, col: int, value: float, text: str) -> str:
    """A number in a text field (指标值) as its cell shows it: ``95%`` typed the Excel way.

    Excel stores ``95%`` as 0.95 in a percent-formatted cell; read as text that was ``0.95``,
    a target of 0.95 %, and the printed form said ``≥ 0.95 %``. Only numbers a percent could
    be are looked up (0 < v < 100: ``120%`` is 1.2), so the common ``1200`` never pays.
    """
    if 0 < value < 100 and sheet.is_percent(row, col):
        return f"{percent_from_fraction(Decimal(repr(float(value))))}%"
    return text


def _typed_piece(sheet: SheetData, ref: str) -> tuple[int, int] | None:
    """The cell of a merged input (``F7:G7``) the clerk typed into after unmerging it, its top-left empty.

    Unmerged, the range is cells again, each shown in its own column: a 10月底 typed into G7 shows
    under 10月底 and was read as 未填写 (and 0 % in the totals). The first cell holding anything, row by row.
    """
    r1, c1, r2, c2 = parse_range(ref)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            if (r, c) != (r1, c1) and (sheet.value(r, c) is not None or (r, c) in sheet.formulas
                                       or (r, c) in sheet.errors):
                return r, c
    return None


def bind_fields(sheet: SheetData, layout: SheetLayout, data: dict[str, Any], raw: dict[str, str],
                cells: dict[str, Loc]) -> None:
    """Read a layout's fields from a sheet into ``data`` (typed), ``raw`` (untypable text) and ``cells``."""
    for field in layout.fields:
        row, col = field.anchor
        value, bad = _read_value(sheet, row, col, field.kind)
        if value is None and bad is None and ":" in field.ref:
            row, col = _typed_piece(sheet, field.ref) or (row, col)
            value, bad = _read_value(sheet, row, col, field.kind)
        if field.scale and value is not None:  # printed in 元: the model is 万元, exactly
            value = value.scaleb(-field.scale)
        cells[field.name] = _loc(sheet.name, row, col)
        if bad is not None:
            raw[field.name] = bad
        if "." in field.name:
            head, key = field.name.split(".", 1)
            data.setdefault(head, {})[key] = value
        else:
            data[field.name] = value


@functools.lru_cache(maxsize=1 << 12)
def _row_cells(sheet: str, row: int, columns: tuple[tuple[str, int], ...]) -> dict[str, Loc]:
    return {name: _loc(sheet, row, col) for name, col in columns}


def _scaled(convert: Callable[[Any], Any], scale: int) -> Callable[[Any], Any]:
    """A money column printed in 元 (scale 4) reads into 万元 exactly (Decimal, no float)."""
    if not scale:
        return convert

    def read(value: Any) -> Any:
        typed = convert(value)
        return typed.scaleb(-scale) if typed is not None else None
    return read


@functools.lru_cache(maxsize=64)
def _block_plan(block: Block, make: type[Located]):
    """What reading a block needs, worked out once per layout rather than once per cell."""
    specs = tuple((c.name, c.index - 1, _scaled(_CONVERT[c.kind], c.scale), c.kind != "text", c.kind == "number")
                  for c in block.columns)
    blank = {name: None for name in make.model_fields if name not in ("raw", "cells")}
    missing = {c.name for c in block.columns} - set(blank)
    if missing:  # pragma: no cover - a layout naming a field the model lacks is a programming error
        raise TypeError(f"{make.__name__} has no field(s) {sorted(missing)}")
    stops = frozenset(squeeze(s) for s in block.stop_labels)
    return specs, tuple((c.name, c.index) for c in block.columns), blank, stops


def read_block(sheet: SheetData, block: Block, make: type[Located]) -> list[Located]:
    """The non-empty rows of a repeating block as ``make`` objects, each value with its cell.

    The same reading as :func:`bind_fields` (formula → raw text, untypable → raw
    text), written as one loop per row: this is where a consolidation of ten
    thousand workbooks spends its reading time.
    """
    specs, columns, blank, stops = _block_plan(block, make)
    items: list[Located] = []
    rows, name = sheet.rows, sheet.name
    last = min(sheet.max_row if block.open_ended else block.first_row + block.rows - 1, len(rows))
    # formula and error cells inside the block (a template's own formulas lie outside it)
    odd = {k for k in (*sheet.formulas, *sheet.errors) if block.first_row <= k[0] <= last}
    for row in range(block.first_row, last + 1):
        line = rows[row - 1]
        width = len(line)
        if stops and width and squeeze(_text(line[0] if line[0] != "" else None)) in stops:
            break
        data: dict[str, Any] = dict(blank)
        raw: dict[str, str] = {}
        filled = False
        for field, index, convert, typed, shown in specs:
            if odd and (row, index + 1) in odd:  # an error value or a formula: never input (JX-L05)
                raw[field] = sheet.shown(row, index + 1)
                filled = True
                continue
            if index >= width:
                continue
            value = line[index]
            if value is None or value == "":
                continue
            converted = convert(value)
            if converted is None:
                text = _text(value) if typed else None
                if text is not None:  # a value that is not of its kind: kept as written
                    raw[field] = text
                    filled = True
                continue
            if shown:
                converted = _as_shown(sheet, row, index + 1, value, converted)
            elif not typed and isinstance(value, (int, float)) and not isinstance(value, bool):
                converted = _text_as_shown(sheet, row, index + 1, value, converted)
            data[field] = converted
            filled = True
        if not filled:
            continue
        # the values are typed already: construct without validating them again
        data["raw"] = raw
        data["cells"] = dict(_row_cells(name, row, columns))
        items.append(make.from_cells(data))
    return items


#: a jixiao workbook of the other kind names the command that reads it (issue 14, point 21)
_WRONG_KIND = {
    "jixiao.selfeval-workbook": "这是自评表，不是绩效目标表；打分请用 jixiao score",
    TEMPLATE_ID: "这是单位填报的绩效目标表，不是自评表；校验请用 jixiao validate，"
                 "由它生成自评表请用 jixiao selfeval new",
}


def read_meta(grid: Grid, template_id: str = TEMPLATE_ID) -> dict[str, str]:
    """The ``_jixiao`` sheet as a dict; JX-L01 when it is missing or of an unknown version."""
    if not grid.has(META_SHEET):
        raise NotAJixiaoWorkbook(
            "这不是 jixiao 模板生成的工作簿（缺少模板标识），请使用 workbook_templates 中的模板填写；"
            "一体化系统导出或自制的 Excel 绩效目标表、自评表可用 jixiao import 转成 jixiao 工作簿")
    sheet = grid.sheet(META_SHEET)
    meta = {}
    for row in range(1, min(sheet.max_row, 50) + 1):
        key, value = _text(sheet.value(row, 1)), _text(sheet.value(row, 2))
        if key:
            meta[key] = value or ""
    if meta.get("template_id") != template_id:
        raise NotAJixiaoWorkbook(_WRONG_KIND.get(meta.get("template_id") or "",
                                                 "这不是 jixiao 模板生成的工作簿（模板标识不符），请使用 jixiao 模板填写"))
    if meta.get("template_version") not in SUPPORTED_VERSIONS:
        raise UnknownTemplateVersion(
            f"模板版本“{meta.get('template_version')}”无法识别（本程序支持：{'、'.join(SUPPORTED_VERSIONS)}），"
            "请下载最新模板或升级 jixiao")
    return meta


def matches_signature(sheet: SheetData, layout: SheetLayout) -> bool:
    """Whether every label of the form's signature (部门(单位)名称 in A3, 一级指标 in B6 …) is in its cell."""
    return all(squeeze(_text(sheet.value(*parse_a1(ref)))) == squeeze(text) for ref, text in layout.signature)


def _looks_like(sheet: SheetData, layout: SheetLayout) -> bool:
    """A sheet whose first signature label is the form's (项目编码 in A3 for Hebei), rows moved or not."""
    if not layout.signature:
        return False
    ref, text = layout.signature[0]
    return squeeze(_text(sheet.value(*parse_a1(ref)))) == squeeze(text)


def percent_plan(sheet: SheetData, layout: SheetLayout, plan: dict[str, Any]) -> bool:
    """Read the 资金支出计划 the way it was typed (the rule is in the README); True when the row rule applied.

    ``25%`` typed the Excel way is stored as 0.25 in a cell with a percent
    number format: such a cell holding a number from 0 to 1 means that number
    × 100 (the format decides, as the cell shows it). A number above 1 is a
    percent already (``25`` in a percent cell), and text (``25``, ``25%``) always
    is. Then the row: 12月底 = 1 with every number in the row between 0 and 1
    means the row is fractions, whatever the formats (or where an engine cannot
    see them); that is read × 100 too, and JX-L06 tells the clerk.
    """
    numbers: dict[str, tuple[Any, int, int]] = {}
    for field in layout.fields:
        if field.name.startswith("plan.") and plan.get(field.name[5:]) is not None:
            row, col = field.anchor
            if sheet.value(row, col) is None:  # typed into an unmerged piece, read from there
                row, col = _typed_piece(sheet, field.ref) or (row, col)
            if not isinstance(sheet.value(row, col), str):  # typed as text: a percent as written
                numbers[field.name[5:]] = (plan[field.name[5:]], row, col)
    plain = []
    for m, (value, row, col) in numbers.items():
        if 0 < value <= 1 and sheet.is_percent(row, col):
            plan[m] = percent_from_fraction(value)
        else:
            plain.append(m)
    december = numbers.get("12月底")
    if (december is not None and "12月底" in plain and december[0] == 1
            and all(0 <= v <= 1 for v, _, _ in numbers.values())):
        for m in plain:
            plan[m] = percent_from_fraction(plan[m])
        return True
    return False


def read_project(sheet: SheetData, layout: SheetLayout) -> Project:
    data: dict[str, Any] = {}
    raw: dict[str, str] = {}
    cells: dict[str, Loc] = {}
    bind_fields(sheet, layout, data, raw, cells)
    if data.get("plan") and percent_plan(sheet, layout, data["plan"]):
        data["plan_fractions"] = True
    if sheet.state != "visible":
        data["hidden"] = True
    for block in _shifted_blocks(sheet, layout.blocks):  # "indicators", and "mid_indicators" on the national form
        data[block.name] = read_block(sheet, block, Indicator)
    return Project.from_read(sheet=sheet.name, raw=raw, cells=cells, **data)


def _is_header(sheet: SheetData, block: Block, row: int) -> bool:
    line = sheet.rows[row - 1] if 0 < row <= len(sheet.rows) else ()
    return all(c.index <= len(line) and squeeze(_text(line[c.index - 1] or None)) == squeeze(c.label)
               for c in block.columns)


def _shifted_blocks(sheet: SheetData, blocks: tuple[Block, ...]) -> list[Block]:
    """The blocks where the clerk's inserted rows moved them: a row inserted into the national form's
    中期绩效指标 pushed its last row below the table and the 年度 table's header into its first row
    (read as an indicator “一级指标”). A block after the first is found by its header; the one before
    it grows by as many rows."""
    out = list(blocks)
    for i in range(1, len(out)):
        block = out[i]
        if block.header_row is None or _is_header(sheet, block, block.header_row):
            continue
        shift = next((d for d in range(1, 61) if _is_header(sheet, block, block.header_row + d)), 0)
        if shift:
            out[i] = dataclasses.replace(block, header_row=block.header_row + shift, first_row=block.first_row + shift)
            before = out[i - 1]
            if not before.open_ended:
                out[i - 1] = dataclasses.replace(before, rows=before.rows + shift)
    return out


#: the model each block of the 部门整体 forms reads into
_OVERALL_ROWS = {"indicators": Indicator, "tasks": Task}


def read_grid(grid: Grid, *, department: bool = True) -> UnitWorkbook:
    """Read a unit workbook from any grid engine (``department=False`` skips the text part)."""
    meta = read_meta(grid)
    milestones = [m for m in meta.get("milestones", "").split("|") if m] or ["3月底", "6月底", "10月底"]
    if milestones not in (["3月底", "6月底", "10月底"], ["3月底", "6月底", "10月底", "12月底"]):
        raise NotAJixiaoWorkbook(f"模板信息被改动（资金支出时点“{'|'.join(milestones)}”无法识别），"
                                 "请使用 jixiao 模板重新填写")
    book = UnitWorkbook(profile=meta.get("profile") or "hebei", milestones=milestones, source=grid.source)
    forms = form_set_from_meta(meta, tuple(milestones))
    book._forms = forms
    book.forms = dict(forms.named)
    book._profile_text = meta.get("profile.toml") or None
    unit_layout, dept_layout, overall_layout = forms.unit, forms.department, forms.overall

    if grid.has(unit_layout.sheet):
        data: dict[str, Any] = {}
        raw: dict[str, str] = {}
        cells: dict[str, Loc] = {}
        bind_fields(grid.sheet(unit_layout.sheet), unit_layout, data, raw, cells)
        book.unit = Unit(raw=raw, cells=cells, **data)
    if department and grid.has(dept_layout.sheet):
        sheet = grid.sheet(dept_layout.sheet)
        data, raw, cells = {}, {}, {}
        bind_fields(sheet, dept_layout, data, raw, cells)
        book.department = DepartmentTargets(
            raw=raw, cells=cells, **data,
            sub_targets=read_block(sheet, dept_layout.block("sub_targets"), SubTarget),
            measures=read_block(sheet, dept_layout.block("measures"), Measure))
    if grid.has(overall_layout.sheet):
        sheet = grid.sheet(overall_layout.sheet)
        data, raw, cells = {}, {}, {}
        bind_fields(sheet, overall_layout, data, raw, cells)
        # the blocks by name: "indicators", and the national form's "tasks" (年度主要任务)
        rows = {b.name: read_block(sheet, b, _OVERALL_ROWS[b.name]) for b in overall_layout.blocks}
        if any(rows.values()) or any(v is not None for v in data.values()) or raw:
            book.overall = OverallTargets(raw=raw, cells=cells, **rows, **data)

    layout = forms.project
    # 项目模板 is not among them: a master a clerk filled in instead of copying is read as a project (JX-L04)
    fixed = forms.fixed_sheets()
    for name in grid.sheet_names:
        if name in fixed:
            continue
        sheet = grid.sheet(name)
        if not matches_signature(sheet, layout):
            if name == PROJECT_MASTER_SHEET and read_project(sheet, layout).is_blank():
                continue  # an untouched master whose rows were changed: nothing to count
            if name.startswith("项目") or _looks_like(sheet, layout):
                book.altered_sheets.append(name)  # a project sheet whose rows moved: say so, never skip quietly
            continue
        project = read_project(sheet, layout)
        if not project.is_blank():
            book.projects.append(project)
    return book


def read_workbook(path: str | Path, engine: str = "calamine", *, department: bool = True) -> UnitWorkbook:
    """Read a unit workbook file (``calamine`` is the fast engine, ``openpyxl`` sees formulas)."""
    return read_grid(open_grid(path, engine), department=department)
