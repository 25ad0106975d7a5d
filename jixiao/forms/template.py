"""Draw unit workbooks from the layouts: blank templates and filled copies alike.

A template is a unit workbook with no data, so one builder serves both: the
``jixiao templates build`` command and the writer that turns a model into a
fresh workbook. It uses xlsxwriter (fast, writes protection, data validation,
conditional formats and print setup; openpyxl cannot write buttons).

Text is always written as text: a value that starts with ``=`` stays a string.

>>> from jixiao.profiles import load_profile
>>> write_workbook("/tmp/t.xlsx", profile=load_profile("hebei"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..fsutil import atomic_path
from .layouts import (
    META_SHEET, PROJECT_MASTER_SHEET, PROJECT_SHEET_PREFIX, TEMPLATE_ID, TEMPLATE_VERSION, Block, FormSet, Formula,
    DEFAULT_FORMS, SheetLayout, Static, a1, col_letter, form_set, forms_of, meta_rows, parse_a1, parse_range,
)
from ..errors import TemplateCapacityError
from .model import Located, UnitWorkbook
from .printfit import span_width as _span_width, text_height
from .printsetup import apply_xlsxwriter
from .textsafe import excel_escape
from ..profiles import Profile, load_profile
from .taxonomy import BASIS_CHOICES, LEVEL1, UNIT_SUGGESTIONS, allowed_level2
from .values import OPERATORS, QUALITATIVE

BODY_FONT = "仿宋"
LABEL_FONT = "宋体"
INPUT_FILL = "#FFFBE6"  # a pale fill marks input cells on screen; printing is black and white
PRIOR_FILL, PRIOR_FONT = "#EDEDED", "#595959"  # 上年数: visibly not an input

_BASE = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
_STYLES: dict[str, dict[str, Any]] = {
    "title": {"font_name": LABEL_FONT, "font_size": 16, "bold": True, "align": "center"},
    "heading": {"font_name": LABEL_FONT, "font_size": 12, "bold": True, "align": "left"},
    "note": {"align": "left"},
    "note_right": {"align": "right"},
    "note_center": {"align": "center"},
    "footer": {"align": "left"},
    "label": {"font_name": LABEL_FONT, "align": "center", "border": 1},
    "formula": {"align": "left", "border": 1},
    "formula_percent": {"align": "center", "border": 1, "num_format": "0.0%"},
    "formula_number": {"align": "center", "border": 1, "num_format": "0.00"},
    "number_cell": {"align": "center", "border": 1},
    "input_text": {"align": "left", "border": 1, "locked": False, "bg_color": INPUT_FILL, "num_format": "@"},
    "input_center": {"align": "center", "border": 1, "locked": False, "bg_color": INPUT_FILL,
                     "num_format": "@"},
    "input_money": {"align": "right", "border": 1, "locked": False, "bg_color": INPUT_FILL,
                    "num_format": "0.00"},
    "input_percent": {"align": "center", "border": 1, "locked": False, "bg_color": INPUT_FILL,
                      "num_format": '0.00"%"'},
    "input_int": {"align": "center", "border": 1, "locked": False, "bg_color": INPUT_FILL,
                  "num_format": "0"},
    "input_number": {"align": "center", "border": 1, "locked": False, "bg_color": INPUT_FILL,
                     "num_format": "General"},
    # 上年数 (a layout's Panel): grey, locked, beside the form
    "prior_heading": {"font_name": LABEL_FONT, "bold": True, "align": "center", "font_color": PRIOR_FONT},
    "prior_label": {"align": "center", "border": 1, "font_color": PRIOR_FONT, "bg_color": PRIOR_FILL},
    "prior_text": {"align": "center", "border": 1, "font_color": PRIOR_FONT, "bg_color": PRIOR_FILL,
                   "num_format": "@"},
    "prior_money": {"align": "right", "border": 1, "font_color": PRIOR_FONT, "bg_color": PRIOR_FILL,
                    "num_format": "0.00"},
    "prior_percent": {"align": "center", "border": 1, "font_color": PRIOR_FONT, "bg_color": PRIOR_FILL,
                      "num_format": '0.00"%"'},
}
_KIND_STYLE = {"text": "input_text", "money": "input_money", "percent": "input_percent",
               "int": "input_int", "number": "input_number"}
# A string that looks like a number in a money cell stays a string: the rules must see it.
_PLACEHOLDER = re.compile(r"\{([^}]+)\}")


def input_style(kind: str, style: str | None) -> str:
    return style or _KIND_STYLE[kind]


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        self._wb = wb
        self._cache: dict[str, Any] = {}

    def __getitem__(self, key: str):
        if key not in self._cache:
            self._cache[key] = self._wb.add_format({**_BASE, **_STYLES[key]})
        return self._cache[key]

    def extra(self, key: str, props: dict[str, Any]):
        if key not in self._cache:
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]


def _field_value(obj: Located | None, name: str) -> Any:
    if obj is None:
        return None
    if "." in name:
        head, key = name.split(".", 1)
        return getattr(obj, head).get(key)
    return getattr(obj, name)


def _scaled(value: Any, scale: int) -> Any:
    """万元 as the form prints it: × 10^scale (元 is scale 4), exactly, never through a float."""
    return value.scaleb(scale) if scale and isinstance(value, Decimal) else value


def _write_cell(ws, row: int, col: int, value: Any, raw: str | None, fmt) -> None:
    """Write one input value (1-based) as its type; text never becomes a formula."""
    r, c = row - 1, col - 1
    if value is None and raw is not None:
        ws.write_string(r, c, raw, fmt)
    elif value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, Decimal)):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _place(ws, ref: str, fmt, write=None) -> None:
    """Merge a range (or format one cell) and let ``write(row, col)`` fill its top-left cell."""
    r1, c1, r2, c2 = parse_range(ref)
    if (r1, c1) != (r2, c2):
        ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", fmt)
    if write is None:
        ws.write_blank(r1 - 1, c1 - 1, None, fmt)
    else:
        write(r1, c1)


def _shift(ref: str, rows: int) -> str:
    r1, c1, r2, c2 = parse_range(ref)
    first = a1(r1 + rows, c1)
    return first if (r1, c1) == (r2, c2) else f"{first}:{a1(r2 + rows, c2)}"


def excel_text(value: Any) -> str:
    """What Excel's ``&`` makes of a value: empty for a blank, ``2026`` for a whole number."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


def _draw_static(ws, fmts: _Formats, item: Static | Formula, layout: SheetLayout,
                 get: Callable[[str], str], shift: int = 0, rows: dict[str, int] | None = None) -> None:
    ref = _shift(item.ref, shift) if shift else item.ref
    if rows is not None:
        rows = {**rows, "row": parse_range(ref)[0]}
    fmt = fmts[item.style]
    if isinstance(item, Static):
        _place(ws, ref, fmt, lambda r, c: ws.write_string(r - 1, c - 1, item.text, fmt))
    else:
        # a formula jixiao cannot compute (SUM, ROUND, the 自评表's grade) is saved with an empty result, not
        # xlsxwriter's 0: LibreOffice, which trusts saved results by default, computes it then; it printed
        # 合计 0.00 and 评价等级 0 on a 自评表 whose 分值 added up to 10
        cached = item.compute(get) if item.compute else ""
        if isinstance(cached, str):  # xlsxwriter escapes strings, not formula results: a control character
            cached = excel_escape(cached)  # pasted into a name (JX-X02) would make the sheet XML invalid
        _place(ws, ref, fmt, lambda r, c: ws.write_formula(r - 1, c - 1, _resolve(item.formula, layout, rows),
                                                            fmt, cached))


def has_panel(layout: SheetLayout, obj: Located | None) -> bool:
    """Whether the layout's read-only panel (上年数) is drawn for ``obj``: only when it has a value."""
    return layout.panel is not None and obj is not None and any(
        _field_value(obj, f.name) is not None for f in layout.panel.fields)


def _draw_panel(ws, fmts: _Formats, layout: SheetLayout, obj: Located) -> None:
    panel = layout.panel
    for i, width in enumerate(panel.widths, start=layout.last_col):
        ws.set_column(i, i, width)
    for item in panel.statics:
        fmt = fmts[item.style]
        _place(ws, item.ref, fmt, lambda r, c, t=item.text, f=fmt: ws.write_string(r - 1, c - 1, t, f))
    for f in panel.fields:
        fmt = fmts[f.style or "prior_text"]
        value = _field_value(obj, f.name)
        _place(ws, f.ref, fmt, lambda r, c, v=value, fm=fmt: _write_cell(ws, r, c, v, None, fm))


def _dropdown_options(dropdown: str, strict: bool, row: int) -> dict[str, Any]:
    if dropdown.startswith("level2:"):
        source = f"=INDIRECT(${dropdown.split(':', 1)[1]}{row})"
    else:
        source = f"=jx_{dropdown}"
    options: dict[str, Any] = {"validate": "list", "source": source, "ignore_blank": True}
    if strict:
        options.update(error_type="stop", error_title="请从下拉列表中选择",
                       error_message="请从下拉列表中选择规范的名称。")
    else:
        options.update(error_type="information", error_title="提示",
                       error_message="不在建议列表中，已按填写内容保留。")
    return options


XL_ROWS = 1_048_575  # a sheet's rows but one: openpyxl (annotate, fix) drops a whole-column area ($A:$G)


def _grow(heights: dict[int, float], row: int, height: float) -> None:
    if height > heights.get(row, 0):
        heights[row] = height


def _draw_block(ws, fmts: _Formats, layout: SheetLayout, block: Block, items: list[Located], *,
                start_row: int, heights: dict[int, float]) -> int:
    """Draw a block's rows (with data when given); returns the number of rows drawn."""
    count = len(items)
    if not block.open_ended and count > block.rows:
        raise TemplateCapacityError(
            f"“{ws.name}”最多可填 {block.rows} 条，当前有 {count} 条；请合并或删减后再写入")
    rows = max(block.rows, count)
    for i in range(rows):
        row = start_row + i
        item = items[i] if i < count else None
        if block.row_height:
            _grow(heights, row, block.row_height)
        if block.numbering:
            ws.write_number(row - 1, parse_a1(block.numbering + "1")[1] - 1, i + 1, fmts["number_cell"])
        if block.label_col:  # a locked cell framed as the row's others (not a tall merge a page break would cut open)
            ws.write_blank(row - 1, parse_a1(block.label_col + "1")[1] - 1, None, fmts["label"])
        for col in block.columns:
            fmt = fmts[input_style(col.kind, col.style)]
            ref = a1(row, col.index) if col.span == 1 else f"{a1(row, col.index)}:{a1(row, col.index + col.span - 1)}"
            value = _scaled(_field_value(item, col.name), col.scale)
            raw = item.raw.get(col.name) if item is not None else None
            if col.kind == "text":
                _grow(heights, row, text_height(value or raw, _span_width(layout, ref)))
            _place(ws, ref, fmt, lambda r, c, v=value, w=raw, f=fmt: _write_cell(ws, r, c, v, w, f))
    last = start_row + rows - 1
    for col in block.columns:
        if col.dropdown:
            opts = _dropdown_options(col.dropdown, col.strict, start_row)
            ws.data_validation(start_row - 1, col.index - 1, last - 1, col.index - 1, opts)
        if col.check:
            formula, text = col.check
            ws.data_validation(start_row - 1, col.index - 1, last - 1, col.index - 1,
                               {"validate": "custom", "value": "=" + formula.format(row=start_row),
                                "ignore_blank": True, "error_type": "stop", "error_title": "填写的内容不在允许范围内",
                                "error_message": text})
    return rows


def _resolve(formula: str, layout: SheetLayout, rows: dict[str, int] | None = None) -> str:
    """``{field}`` → the field's absolute address; ``{first}`` / ``{last}`` / ``{row}`` → row numbers."""
    def ref(m: re.Match[str]) -> str:
        if rows and m.group(1) in rows:
            return str(rows[m.group(1)])
        row, col = layout.field(m.group(1)).anchor
        return f"${col_letter(col)}${row}"
    return "=" + _PLACEHOLDER.sub(ref, formula)


def formula_values(obj: Any, unit: Any) -> Callable[[str], str]:
    """What a layout's text formula reads, as Excel text: the form's own fields (``{name}``) and the
    单位信息's (``{unit.year}``). The sheet's cached results and the Word export's cells both use it."""
    def get(name: str) -> str:
        return excel_text(_field_value(unit, name[5:]) if name.startswith("unit.") else _field_value(obj, name))
    return get


class _Worksheet(Worksheet):
    """A worksheet whose ``fit_rows`` (0-based) are written as Excel writes a row it sized itself: the height
    without ``customHeight``. Excel shows that height on opening and fits the row again when a cell in it is
    typed in, so a long 绩效指标描述 grows its row instead of being cut off on paper; a fixed height never grows."""

    fit_rows: frozenset[int] = frozenset()

    def _write_row(self, row: int, *args: Any, **kwargs: Any) -> None:
        if row not in self.fit_rows:
            return super()._write_row(row, *args, **kwargs)
        start, empty = self._xml_start_tag_unencoded, self._xml_empty_tag_unencoded

        def unfixed(write):
            return lambda tag, attributes=(): write(tag, [a for a in attributes if a[0] != "customHeight"])
        self._xml_start_tag_unencoded, self._xml_empty_tag_unencoded = unfixed(start), unfixed(empty)
        try:
            super()._write_row(row, *args, **kwargs)
        finally:
            del self._xml_start_tag_unencoded, self._xml_empty_tag_unencoded


def draw_sheet(wb: xlsxwriter.Workbook, fmts: _Formats, layout: SheetLayout, name: str,
               obj: Located | None, blocks: dict[str, list[Located]], *, password: str,
               unit: Located | None = None, printable: bool = True) -> Any:
    """Draw one sheet of a layout, filled from ``obj`` (fields) and ``blocks`` (rows).

    ``unit`` (the 单位信息 model) feeds the cached results of formulas that show unit fields.
    ``printable=False`` (the hidden master) leaves out the print area: LibreOffice, and WPS after
    it, print a hidden sheet that has one. A copy of the master prints its used range, which is the form.
    """
    get = formula_values(obj, unit)
    ws = wb.add_worksheet(name, worksheet_class=_Worksheet)
    for i, width in enumerate(layout.widths):
        ws.set_column(i, i, width)
    heights: dict[int, float] = dict(layout.heights)
    drawn_rows: dict[str, int] = {}
    for item in (*layout.statics, *layout.formulas):
        _draw_static(ws, fmts, item, layout, get)
    for f in layout.fields:
        fmt = fmts[input_style(f.kind, f.style)]
        value = _scaled(_field_value(obj, f.name), f.scale)
        raw = obj.raw.get(f.name) if obj is not None else None
        row = f.anchor[0]
        _grow(heights, row, f.height or 0)
        if f.kind == "text" and parse_range(f.ref)[0] == parse_range(f.ref)[2]:
            _grow(heights, row, text_height(value or raw, _span_width(layout, f.ref)))
        _place(ws, f.ref, fmt, lambda r, c, v=value, w=raw, fm=fmt: _write_cell(ws, r, c, v, w, fm))
        if f.dropdown:  # a suggestion list (项目属性): other entries are kept, with a note
            ws.data_validation(row - 1, f.anchor[1] - 1, row - 1, f.anchor[1] - 1,
                               _dropdown_options(f.dropdown, False, row))
    if has_panel(layout, obj):
        _draw_panel(ws, fmts, layout, obj)
    last_row = max([parse_range(s.ref)[2] for s in (*layout.statics, *layout.formulas)]
                   + [parse_range(f.ref)[2] for f in layout.fields])
    for block in layout.blocks:
        drawn = drawn_rows[block.name] = _draw_block(ws, fmts, layout, block, blocks.get(block.name, []),
                                                     start_row=block.first_row, heights=heights)
        end = block.first_row + drawn
        for line in block.footer:
            for cell in line.cells:
                _draw_static(ws, fmts, cell, layout, get, shift=end + line.offset - 1,
                             rows={"first": block.first_row, "last": end - 1, "total": end, "grand": end + 1})
        last_row = max(last_row, end - 1 + (max((l.offset for l in block.footer), default=-1) + 1))
    for row, height in sorted(heights.items()):
        ws.set_row(row - 1, height)
    # a row the writer grew for its text keeps that height (it counts merged cells, which Excel does not)
    ws.fit_rows = frozenset(row - 1 for block in layout.blocks if block.fit_rows and block.row_height
                            for row in range(block.first_row, block.first_row + drawn_rows[block.name])
                            if heights.get(row) == block.row_height)
    red = fmts.extra("cf_error", {"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    for check in layout.checks:
        ws.conditional_format(check.ref, {"type": "formula", "criteria": _resolve(check.formula, layout),
                                          "format": red})
    # Print: A4, one page wide, the form's own columns only, the unit's name in the footer.
    owner = unit if unit is not None else (obj if layout.key == "unit" else None)
    apply_xlsxwriter(ws, layout.print_setup, getattr(owner, "name", None))
    if printable:  # the form's own columns (the Hunan 分值 is beside the form, not on it)
        # An open-ended table is read down to the sheet's last row, so it prints down to it too. Excel and
        # LibreOffice print such an area only as far as the last row in use (no blank pages after it); an
        # area ending at the drawn rows left the indicators a clerk adds below them off the paper.
        rows = XL_ROWS if any(b.open_ended for b in layout.blocks) else last_row
        ws.print_area(0, 0, rows - 1, layout.print_width - 1)
    ws.print_black_and_white()
    # Formatting and objects stay allowed so that the 校验 button can colour cells and add
    # notes on a protected sheet (the remote engines cannot unprotect); content stays locked.
    ws.protect(password, {"format_cells": True, "format_rows": True, "format_columns": True,
                          "insert_rows": True, "objects": True,
                          "select_locked_cells": True, "select_unlocked_cells": True})
    return ws


def _draw_meta(wb: xlsxwriter.Workbook, profile: Profile, milestones: list[str], password: str,
               template_id: str = TEMPLATE_ID, extra_lists: tuple[tuple[str, str, Iterable[str]], ...] = (),
               forms: FormSet | None = None) -> None:
    ws = wb.add_worksheet(META_SHEET)
    meta = [("template_id", template_id), ("template_version", TEMPLATE_VERSION),
            ("profile", profile.name), ("milestones", "|".join(milestones)),
            ("generator", f"jixiao {__version__}"), *(meta_rows(forms) if forms is not None else ()),
            *((("profile.toml", profile.text),) if profile.text else ())]
    for i, (key, value) in enumerate(meta):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    lists: list[tuple[str, str, Iterable[str]]] = [("jx_level1", "一级指标", LEVEL1)]
    for level1 in LEVEL1:
        lists.append((level1, level1, allowed_level2(level1, cost_under_output=profile.cost_under_output)))
    lists += [("jx_operators", "指标值类型", (*OPERATORS, QUALITATIVE)),
              ("jx_basis", "指标值确定依据", BASIS_CHOICES),
              ("jx_units", "计量单位", UNIT_SUGGESTIONS), *extra_lists]
    for j, (name, header, values) in enumerate(lists):
        col = 3 + j
        values = list(values)
        ws.write_string(0, col, header)
        for i, v in enumerate(values):
            ws.write_string(i + 1, col, v)
        letter = col_letter(col + 1)
        wb.define_name(name, f"='{META_SHEET}'!${letter}$2:${letter}${len(values) + 1}")
    ws.protect(password)
    ws.very_hidden()


#: suggestion lists a form's fields may name (``dropdown = "attributes"``), added to ``_jixiao`` only when one does
FIELD_LISTS = {"attributes": ("项目属性", ("新增项目", "延续项目", "一次性项目"))}


def field_lists(forms: FormSet) -> tuple[tuple[str, str, Iterable[str]], ...]:
    used = {f.dropdown for role in ("unit", "department", "project", "overall") for f in forms[role].fields}
    return tuple((f"jx_{name}", header, values) for name, (header, values) in FIELD_LISTS.items() if name in used)


def block_rows(layout: SheetLayout, obj: Located | None) -> dict[str, list[Located]]:
    """The rows of each of a layout's blocks, from the model object the sheet shows."""
    return {b.name: list(getattr(obj, b.name, None) or []) for b in layout.blocks} if obj is not None else {}


def project_sheet_name(index: int) -> str:
    return f"{PROJECT_SHEET_PREFIX}{index}"


BUTTONS = {  # sheet kind → (caption, VBA Sub) placed right of the printed form
    "unit": [("校验", "JixiaoValidate"), ("清除标记", "JixiaoClearMarks")],
    "project": [("校验", "JixiaoValidate"), ("新增项目", "JixiaoAddProject"), ("支出汇总", "JixiaoRefreshTotals")],
}


def _buttons(ws, layout: SheetLayout, kind: str, panel: bool = False) -> None:
    col = layout.last_col + 1 + (len(layout.panel.widths) if panel and layout.panel else 0)
    for i, (caption, macro) in enumerate(BUTTONS[kind]):
        ws.insert_button(1 + i * 2, col, {"macro": macro, "caption": caption, "width": 96, "height": 30})


def vba_project_for(sheet_count: int, modules: tuple[str, ...] = ("JixiaoButtons",)) -> bytes:
    """The vbaProject.bin of a workbook with ``sheet_count`` sheets (codeNames Sheet1…) and the given modules."""
    from ..macros import source
    from ..excel.vbaproject import WORKBOOK_BASE, Module, build_vba_project

    docs = [Module("ThisWorkbook", "", "doc", WORKBOOK_BASE)]
    docs += [Module(f"Sheet{i}", "", "doc") for i in range(1, sheet_count + 1)]
    return build_vba_project(docs + [Module(name, source(name)) for name in modules])


def write_workbook(path: str | Path, book: UnitWorkbook | None = None, profile: Profile | None = None,
                   *, password: str | None = None) -> Path:
    """Write a unit workbook: a blank template when ``book`` is None, else a filled one.

    A path ending in ``.xlsm`` gets the VBA project and the buttons (校验, 新增项目,
    支出汇总). Written to a temporary file and renamed, so a failure leaves no
    partial file.
    """
    if profile is None:
        from ..profiles import profile_for

        profile = profile_for(book) if book is not None else load_profile("hebei")
    milestones = list(book.milestones) if book is not None else list(profile.milestones)
    password = profile.protection_password if password is None else password
    macros = str(path).lower().endswith(".xlsm")
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                            "strings_to_urls": False})
        wb.set_properties({"title": "预算绩效目标表", "subject": TEMPLATE_ID,
                           "comments": f"jixiao template {TEMPLATE_VERSION} ({profile.name})",
                           # a fixed date keeps the build reproducible: same input, same bytes
                           "created": _dt.datetime(2026, 1, 1)})
        fmts = _Formats(wb)
        unit = book.unit if book else None
        carried = getattr(book, "_forms", None) if book is not None else None  # the forms it was read with
        forms = carried if carried is not None else (forms_of(book) if book is not None else form_set(profile, milestones))
        first = draw_sheet(wb, fmts, forms.unit, forms.unit.sheet, unit, {}, password=password)
        dept = book.department if book else None
        draw_sheet(wb, fmts, forms.department, forms.department.sheet, dept,
                   {"sub_targets": list(dept.sub_targets) if dept else [],
                    "measures": list(dept.measures) if dept else []}, password=password, unit=unit)
        wants = profile.overall_form or "overall" in profile.forms
        own = forms.ref("overall")
        if book is not None and own.text is None and own.name != profile.forms.get("overall", DEFAULT_FORMS["overall"]):
            wants = False  # a workbook of other forms than its profile's now (a pre-2027 "national" one) keeps its sheets
        if wants or (book is not None and book.overall is not None):
            overall = book.overall if book else None
            draw_sheet(wb, fmts, forms.overall, forms.overall.sheet, overall, block_rows(forms.overall, overall),
                       password=password, unit=unit)
        layout = forms.project
        projects = list(book.projects) if book else []
        panels = {project_sheet_name(i) for i, p in enumerate(projects, start=1) if has_panel(layout, p)}
        for i, project in enumerate(projects or [None], start=1):
            draw_sheet(wb, fmts, layout, project_sheet_name(i), project, block_rows(layout, project),
                       password=password, unit=unit)
        master = draw_sheet(wb, fmts, layout, PROJECT_MASTER_SHEET, None, {}, password=password, unit=unit,
                            printable=False)
        master.hide()
        _draw_meta(wb, profile, milestones, password, forms=forms, extra_lists=field_lists(forms))
        first.activate()
        if macros:
            sheets = wb.worksheets()
            wb.set_vba_name("ThisWorkbook")
            for i, ws in enumerate(sheets, start=1):
                ws.set_vba_name(f"Sheet{i}")  # must match the VBA project's document modules
                if ws.name == forms.unit.sheet:
                    _buttons(ws, forms.unit, "unit")
                elif ws.name.startswith(PROJECT_SHEET_PREFIX):
                    _buttons(ws, layout, "project", panel=ws.name in panels)
            wb.add_vba_project(io.BytesIO(vba_project_for(len(sheets))), is_stream=True)
        wb.close()
    return Path(path)
