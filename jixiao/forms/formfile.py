"""Load a form file (TOML) into a :class:`~jixiao.forms.vocabulary.SheetLayout`.

One file per official table, under ``jixiao/forms/tables/`` for the built-in forms or beside a
user's profile file for a county's own variant. ``docs/forms/README.md`` walks through the
format; every key is listed in :data:`_KEYS` and anything else is refused with its place named,
so a typo in a form file fails at load time, never as a silently missing cell.

>>> layout = builtin_form("hebei-project", ("3月底", "6月底", "10月底", "12月底"))
>>> layout.field("plan.12月底").ref, len(layout.checks)
('F7:G7', 9)
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ProfileError
from ..oserror import os_reason
from .a1 import col_index, col_letter, parse_range
from .formula import FormulaError, text_formula
from .vocabulary import (
    KINDS, Block, Check, Column, Field, FooterLine, Formula, Panel, Period, SheetLayout, Static,
)

BUILTIN_DIR = "tables"
ROLES = ("unit", "department", "project", "overall", "selfeval_project", "selfeval_department",
         "selfeval_subtargets")
MONEY_UNITS = {"万元": 0, "元": 4}
MONEY_ROLES = ("total", "fiscal", "other", "source")
PARTS = ("op", "num", "unit")

_KEYS = {
    "": {"form", "print", "cells", "block", "plan", "panel", "period", "import"},
    "form": {"key", "role", "sheet", "title", "money_unit", "signature", "source", "version"},
    "print": {"widths", "heights", "landscape", "repeat_rows", "page_breaks", "columns"},
    "cells": {"static", "formula", "field", "check"},
    "static": {"ref", "text", "style", "from"},
    "formula": {"ref", "formula", "style"},
    "field": {"name", "ref", "label", "kind", "required", "style", "dropdown", "height", "period", "role",
              "synonyms", "parse", "from"},
    "check": {"ref", "formula", "message"},
    "block": {"name", "header_row", "first_row", "rows", "open_ended", "row_height", "numbering", "label_col",
              "fit_rows", "columns", "footer"},
    "column": {"name", "col", "label", "kind", "span", "style", "dropdown", "strict", "check", "check_message",
               "period", "part", "role", "synonyms"},
    "footer": {"offset", "cells"},
    "plan": {"label_row", "value_row", "field_label", "placements", "checks"},
    "plan_check": {"each", "formula", "message"},
    "panel": {"widths", "static", "field", "plan"},
    "panel_plan": {"first_row", "label_col", "value_col", "label", "field_label", "label_style", "style"},
    "period": {"key", "label"},
    "import": {"titles", "furniture"},
}


class FormFileError(ProfileError):
    """A form file that cannot be loaded (its place and reason named, in Chinese)."""


def _check_keys(table: dict[str, Any], kind: str, where: str) -> None:
    unknown = set(table) - _KEYS[kind]
    if unknown:
        raise FormFileError(f"{where}：不认识的键 {'、'.join(sorted(unknown))}")


def _static(d: dict[str, Any], where: str, default_style: str = "label") -> Static:
    _check_keys(d, "static", where)
    return Static(d["ref"], d["text"], d.get("style", default_style))


def _formula(d: dict[str, Any], where: str, unit_refs: dict[str, str]) -> Formula:
    _check_keys(d, "formula", where)
    text = d["formula"]
    try:
        twin = text_formula(text)
    except FormulaError as exc:
        raise FormFileError(f"{where}：公式 {text} 无法由程序计算：{exc}") from None
    excel = text
    for name, ref in unit_refs.items():
        excel = excel.replace("{unit.%s}" % name, ref)
    if "{unit." in excel:
        raise FormFileError(f"{where}：公式 {text} 引用了单位信息中没有的字段")
    return Formula(d["ref"], excel, d.get("style", "formula"), compute=twin)


def _field(d: dict[str, Any], where: str, scale: int, **over: Any) -> Field:
    _check_keys(d, "field", where)
    kind = d.get("kind", "text")
    if kind not in KINDS:
        raise FormFileError(f"{where}：kind 应为 {'、'.join(KINDS)} 之一，而不是“{kind}”")
    if d.get("role") is not None and d["role"] not in MONEY_ROLES:
        raise FormFileError(f"{where}：role 应为 {'、'.join(MONEY_ROLES)} 之一")
    values = {k: d[k] for k in ("name", "ref", "label") if k in d}
    values.update({k: d[k] for k in ("required", "style", "dropdown", "height", "period", "role", "parse") if k in d})
    return Field(**values, kind=kind, synonyms=tuple(d.get("synonyms", ())),
                 scale=scale if kind == "money" else 0, **over)


def _column(d: dict[str, Any], where: str, scale: int) -> Column:
    _check_keys(d, "column", where)
    if d.get("part") is not None and d["part"] not in PARTS:
        raise FormFileError(f"{where}：part 应为 {'、'.join(PARTS)} 之一")
    kind = d.get("kind", "text")
    check = (d["check"], d["check_message"]) if "check" in d else None
    values = {k: d[k] for k in ("span", "style", "dropdown", "strict", "period", "part", "role") if k in d}
    return Column(d["name"], d["col"], d["label"], kind=kind, check=check, synonyms=tuple(d.get("synonyms", ())),
                  scale=scale if kind == "money" else 0, **values)


def _plan(plan: dict[str, Any], milestones: tuple[str, ...], where: str, scale: int):
    """The 资金支出计划 cells for the profile's milestones: label statics, percent fields, checks."""
    _check_keys(plan, "plan", where)
    placements = plan["placements"].get(str(len(milestones)))
    if placements is None:
        counts = "、".join(plan["placements"])
        raise ValueError(f"a project form has {counts} milestones, not {milestones}")

    def ref(cols: str, row: int) -> str:
        first, _, last = cols.partition(":")
        return f"{first}{row}:{last}{row}" if last else f"{first}{row}"

    statics = tuple(Static(ref(c, plan["label_row"]), m) for m, c in zip(milestones, placements))
    fields = tuple(Field(f"plan.{m}", ref(c, plan["value_row"]), plan["field_label"].format(m=m), kind="percent")
                   for m, c in zip(milestones, placements))
    checks = []
    for i, rule in enumerate(plan.get("checks", ())):
        _check_keys(rule, "plan_check", f"{where}.checks[{i}]")
        each = rule["each"]
        for j, f in enumerate(fields):
            if each == "pair" and j == 0 or each not in ("milestone", "pair") and milestones[j] != each:
                continue
            text = rule["formula"].replace("{this}", "{%s}" % f.name)
            if each == "pair":
                text = text.replace("{prev}", "{%s}" % fields[j - 1].name)
            checks.append(Check(f.ref.split(":")[0], text, rule["message"]))
    return statics, fields, tuple(checks)


def _panel(panel: dict[str, Any], milestones: tuple[str, ...], where: str) -> Panel:
    _check_keys(panel, "panel", where)
    statics = [_static(s, f"{where}.static[{i}]") for i, s in enumerate(panel.get("static", ()))]
    fields = [_field(f, f"{where}.field[{i}]", 0) for i, f in enumerate(panel.get("field", ()))]
    if "plan" in panel:
        p = panel["plan"]
        _check_keys(p, "panel_plan", f"{where}.plan")
        for row, m in enumerate(milestones, start=p["first_row"]):
            statics.append(Static(f"{p['label_col']}{row}", p["label"].format(m=m), p.get("label_style", "label")))
            fields.append(Field(f"prior.plan.{m}", f"{p['value_col']}{row}", p["field_label"].format(m=m),
                                kind="percent", style=p.get("style")))
    return Panel(widths=tuple(float(w) if isinstance(w, float) else w for w in panel["widths"]),
                 statics=tuple(statics), fields=tuple(fields))


def _splice(items: list[Any], marker: str, generated: tuple[Any, ...]) -> list[Any]:
    """Put generated cells where the file says ``{ from = "plan" }`` (or at the end)."""
    out: list[Any] = []
    placed = False
    for item in items:
        if item == marker:
            out.extend(generated)
            placed = True
        else:
            out.append(item)
    return out if placed else out + list(generated)


def parse_form(data: dict[str, Any], origin: str, milestones: tuple[str, ...] = (),
               unit_refs: dict[str, str] | None = None) -> SheetLayout:
    """A layout from a parsed form file; ``unit_refs`` maps 单位信息 fields to absolute references."""
    _check_keys(data, "", origin)
    form, prn, cells = data.get("form", {}), data.get("print", {}), data.get("cells", {})
    _check_keys(form, "form", f"{origin} [form]")
    _check_keys(prn, "print", f"{origin} [print]")
    _check_keys(cells, "cells", f"{origin} [cells]")
    role = form.get("role", "")
    if role not in ROLES:
        raise FormFileError(f"{origin} [form]：role 应为 {'、'.join(ROLES)} 之一，而不是“{role}”")
    unit = form.get("money_unit", "万元")
    if unit not in MONEY_UNITS:
        raise FormFileError(f"{origin} [form]：money_unit 应为 万元 或 元")
    scale = MONEY_UNITS[unit]
    refs = unit_refs if unit_refs is not None else (unit_field_refs() if role != "unit" else {})

    statics: list[Any] = []
    for i, s in enumerate(cells.get("static", ())):
        statics.append("plan" if s.get("from") == "plan" else _static(s, f"{origin} static[{i}]"))
    fields: list[Any] = []
    for i, f in enumerate(cells.get("field", ())):
        fields.append("plan" if f.get("from") == "plan" else _field(f, f"{origin} field[{i}]", scale))
    checks = []
    for i, c in enumerate(cells.get("check", ())):
        _check_keys(c, "check", f"{origin} check[{i}]")
        checks.append(Check(c["ref"], c["formula"], c["message"]))
    if "plan" in data:
        p_statics, p_fields, p_checks = _plan(data["plan"], milestones, f"{origin} [plan]", scale)
        statics = _splice(statics, "plan", p_statics)
        fields = _splice(fields, "plan", p_fields)
        checks += p_checks
    statics = [s for s in statics if s != "plan"]
    fields = [f for f in fields if f != "plan"]

    blocks = []
    for i, b in enumerate(data.get("block", ())):
        where = f"{origin} block[{i}]"
        _check_keys(b, "block", where)
        columns = tuple(_column(c, f"{where}.columns[{j}]", scale) for j, c in enumerate(b["columns"]))
        footer = []
        for j, line in enumerate(b.get("footer", ())):
            _check_keys(line, "footer", f"{where}.footer[{j}]")
            footer.append(FooterLine(line["offset"], tuple(
                _formula(c, f"{where}.footer[{j}]", refs) if "formula" in c else _static(c, f"{where}.footer[{j}]")
                for c in line["cells"])))
        blocks.append(Block(b["name"], header_row=b.get("header_row"), first_row=b["first_row"], rows=b["rows"],
                            columns=columns, open_ended=b.get("open_ended", False), row_height=b.get("row_height"),
                            numbering=b.get("numbering"), label_col=b.get("label_col"),
                            fit_rows=b.get("fit_rows", False), footer=tuple(footer)))
    periods = []
    for i, p in enumerate(data.get("period", ())):
        _check_keys(p, "period", f"{origin} period[{i}]")
        periods.append(Period(p["key"], p["label"]))
    imp = data.get("import", {})
    _check_keys(imp, "import", f"{origin} [import]")
    layout = SheetLayout(
        key=form["key"], sheet=form["sheet"], widths=tuple(prn["widths"]),
        statics=tuple(statics),
        formulas=tuple(_formula(f, f"{origin} formula[{i}]", refs) for i, f in enumerate(cells.get("formula", ()))),
        fields=tuple(fields), blocks=tuple(blocks), checks=tuple(checks),
        heights={int(k): v for k, v in prn.get("heights", {}).items()},
        landscape=prn.get("landscape", False),
        repeat_rows=tuple(prn["repeat_rows"]) if "repeat_rows" in prn else None,
        signature=tuple(tuple(s) for s in form.get("signature", ())),
        panel=_panel(data["panel"], milestones, f"{origin} [panel]") if "panel" in data else None,
        page_breaks=tuple(prn.get("page_breaks", ())),
        role=role, title=form.get("title", ""), money_unit=unit, print_columns=prn.get("columns"),
        periods=tuple(periods), source=origin,
        import_titles=tuple(imp.get("titles", ())), furniture=tuple(imp.get("furniture", ())))
    _validate(layout, origin)
    return layout


EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384  # A1:XFD1048576


def _validate(layout: SheetLayout, origin: str) -> None:
    """Refs that parse, placeholders that name fields, keys the model reads: checked once at load."""
    names = {f.name for f in layout.fields}
    for item in (*layout.statics, *layout.formulas, *layout.fields, *layout.checks):
        try:
            r1, c1, r2, c2 = parse_range(item.ref)
        except (ValueError, KeyError):
            raise FormFileError(f"{origin}：单元格地址“{item.ref}”无法识别") from None
        if max(r1, r2) > EXCEL_ROWS or max(c1, c2) > EXCEL_COLS or min(r1, c1) < 1:
            # a typo (Z99999999 for A4): the cell was silently left out of the template
            raise FormFileError(f"{origin}：单元格地址“{item.ref}”超出 Excel 工作表的范围"
                                f"（最多 {EXCEL_ROWS} 行、{EXCEL_COLS} 列），请检查是否写错")
    for check in layout.checks:
        import re
        for name in re.findall(r"\{([^}]+)\}", check.formula):
            if name not in names:
                raise FormFileError(f"{origin}：检查公式引用了不存在的字段 {{{name}}}")
    for block in layout.blocks:
        for c in block.columns:
            if col_index(c.col) < 1:
                raise FormFileError(f"{origin}：列“{c.col}”无法识别")


def _read(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormFileError(f"表样文件 {origin} 格式不正确：{toml_problem(exc, text)}") from None


_TOML_PROBLEMS = [
    (r"Unclosed inline table", "{ } 没有闭合（缺少 }，或两项之间缺少英文逗号）"),
    (r"Unclosed array", "[ ] 没有闭合（缺少 ]，或两项之间缺少英文逗号）"),
    (r"Unterminated string", "引号没有闭合"),
    (r"Expected '=' after a key", "键后面缺少 ="),
    (r"Expected newline or end of document", "一行只能写一项（多余的内容）"),
    (r"Expected '\]' at the end of a table", "节名缺少 ]"),
    (r"Cannot overwrite a value|Cannot declare .* twice", "同一个键或节写了两次"),
    (r"Invalid value", "值无效（文字须用英文引号 \"…\" 括起来，数字不加引号）"),
    (r"Invalid statement|Invalid initial character for a key", "无法识别（键须为英文字母、数字、下划线，中文键须加英文引号）"),
]
_CHINESE_PUNCTUATION = re.compile("[“”‘’＝，【】]")


def toml_problem(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's English error as a Chinese sentence with the line (shared with profile files)."""
    msg = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    line = int(where.group(1)) if where else None
    place = f"第 {line} 行第 {where.group(2)} 列" if where else "文件末尾"
    reason = next((zh for pattern, zh in _TOML_PROBLEMS if re.search(pattern, msg)), "格式有误")
    lines = text.splitlines()
    suspect = lines[line - 1] if line and line <= len(lines) else "\n".join(lines)
    hint = ""
    if _CHINESE_PUNCTUATION.search(suspect if line else ""):
        hint = "；注意引号、等号、逗号和方括号须为英文半角（\"  =  ,  [ ]），不能用中文标点（“ ” ＝ ， 【 】）"
    return f"{place}：{reason}{hint}"


@functools.lru_cache(maxsize=None)
def _builtin_text(name: str) -> str:
    try:
        return resources.files(__package__).joinpath(BUILTIN_DIR, f"{name}.toml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormFileError(f"未知的内置表样“{name}”，可选：{'、'.join(builtin_names())}") from None


def builtin_names() -> list[str]:
    folder = resources.files(__package__).joinpath(BUILTIN_DIR)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_form(name: str, milestones: tuple[str, ...] = ()) -> SheetLayout:
    """A built-in form by name (``hebei-project``), parsed once per process and milestone set."""
    return _builtin_form(name, tuple(milestones))


@functools.lru_cache(maxsize=None)
def _builtin_form(name: str, milestones: tuple[str, ...]) -> SheetLayout:
    return parse_form(_read(_builtin_text(name), name), name, milestones)


def form_from_text(text: str, origin: str, milestones: tuple[str, ...] = ()) -> SheetLayout:
    """A form from its file's text (a user's file, or the copy a workbook carries)."""
    return _form_from_text(text, origin, tuple(milestones))


@functools.lru_cache(maxsize=64)
def _form_from_text(text: str, origin: str, milestones: tuple[str, ...]) -> SheetLayout:
    return parse_form(_read(text, origin), origin, milestones)


def read_form_text(path: str | Path) -> str:
    try:
        return decode_toml(Path(path).read_bytes())
    except OSError as exc:
        raise FormFileError(f"无法读取表样文件 {path}：{os_reason(exc)}") from exc


def decode_toml(data: bytes) -> str:
    """A profile or form file as a clerk saves it in Notepad: UTF-8 (with or without BOM), else
    ANSI, which is GBK on Chinese Windows (TOML wants UTF-8, but the clerk cannot know that)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def unit_field_refs() -> dict[str, str]:
    """Each 单位信息 field as an absolute reference for formulas on other sheets."""
    unit = builtin_form("unit")
    out = {}
    for f in unit.fields:
        r1, c1, _, _ = parse_range(f.ref)
        out[f.name] = f"'{unit.sheet}'!${col_letter(c1)}${r1}"
    return out
