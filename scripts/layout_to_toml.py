"""Write a Python-built SheetLayout as a form file (the format of jixiao/forms/tables/*.toml).

For moving a layout that still lives in Python into data, e.g. a helper branch's national forms:

    python scripts/layout_to_toml.py jixiao.forms.national:national_project_layout project > national-project.toml

The first argument names the layout (``module:attribute``, called when it is a function), the second
the role (unit / department / project / overall / selfeval_project / selfeval_department /
selfeval_subtargets). Formulas that show 单位信息 fields are written back as ``{unit.<field>}``.
A 资金支出计划 or a panel is written cell by cell (``[plan]`` placements are for hand-written forms).
Check the result with ``python -c "from jixiao.forms.formfile import form_from_text; form_from_text(open(F).read(), F)"``
and compare the workbooks built before and after with ``scripts/form_fingerprint.py``.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from jixiao.forms.formfile import unit_field_refs
from jixiao.forms.vocabulary import Field, Formula, SheetLayout, Static


def _value(v: Any) -> str:
    if isinstance(v, str):
        if "'" not in v and "\n" not in v and ('"' in v or "\\" in v):
            return "'" + v + "'"
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def _inline(d: dict[str, Any]) -> str:
    return "  { " + ", ".join(f"{k} = {_value(v)}" for k, v in d.items()) + " },"


def _cell(item: Static | Formula, refs: dict[str, str]) -> dict[str, Any]:
    if isinstance(item, Static):
        d: dict[str, Any] = {"ref": item.ref, "text": item.text}
        if item.style != "label":
            d["style"] = item.style
        return d
    text = item.formula
    for name, ref in refs.items():
        text = text.replace(ref, "{unit.%s}" % name)
    d = {"ref": item.ref, "formula": text}
    if item.style != "formula":
        d["style"] = item.style
    return d


def _field(f: Field) -> dict[str, Any]:
    d: dict[str, Any] = {"name": f.name, "ref": f.ref, "label": f.label}
    defaults = {"kind": "text", "required": False, "style": None, "dropdown": None, "height": None,
                "period": None, "role": None, "synonyms": (), "parse": None}
    for key, default in defaults.items():
        if getattr(f, key, default) != default:
            d[key] = getattr(f, key)
    return d


def dump(layout: SheetLayout, role: str) -> str:
    refs = unit_field_refs()
    out = ["[form]", f"key = {_value(layout.key)}", f"role = {_value(role)}", f"sheet = {_value(layout.sheet)}",
           f"title = {_value(layout.title or layout.sheet)}", f"money_unit = {_value(layout.money_unit)}",
           f"signature = {_value([list(x) for x in layout.signature])}", "", "[print]",
           f"widths = {_value(list(layout.widths))}"]
    if layout.heights:
        out.append("heights = { " + ", ".join(f'"{k}" = {_value(v)}' for k, v in layout.heights.items()) + " }")
    if layout.landscape:
        out.append("landscape = true")
    if layout.repeat_rows:
        out.append(f"repeat_rows = {_value(list(layout.repeat_rows))}")
    if layout.page_breaks:
        out.append(f"page_breaks = {_value(list(layout.page_breaks))}")
    if layout.print_columns:
        out.append(f"columns = {layout.print_columns}")
    # (a layout that relied on the old special case, key "overall" printing one column less, needs columns = N)
    out += ["", "[cells]"]
    if layout.statics:
        out += ["static = ["] + [_inline(_cell(x, refs)) for x in layout.statics] + ["]"]
    if layout.formulas:
        out += ["formula = ["] + [_inline(_cell(x, refs)) for x in layout.formulas] + ["]"]
    if layout.fields:
        out += ["field = ["] + [_inline(_field(x)) for x in layout.fields] + ["]"]
    if layout.checks:
        out += ["check = ["] + [_inline({"ref": c.ref, "formula": c.formula, "message": c.message})
                                for c in layout.checks] + ["]"]
    for p in layout.periods:
        out += ["", "[[period]]", f"key = {_value(p.key)}", f"label = {_value(p.label)}"]
    for b in layout.blocks:
        out += ["", "[[block]]"]
        for k in ("name", "header_row", "first_row", "rows", "open_ended", "row_height", "numbering"):
            v = getattr(b, k)
            if v is not None and not (k == "open_ended" and not v):
                out.append(f"{k} = {_value(v)}")
        out.append("columns = [")
        for c in b.columns:
            d: dict[str, Any] = {"name": c.name, "col": c.col, "label": c.label}
            for key, default in {"kind": "text", "span": 1, "style": None, "dropdown": None, "strict": False,
                                 "period": None, "part": None, "role": None, "synonyms": ()}.items():
                if getattr(c, key, default) != default:
                    d[key] = getattr(c, key)
            if c.check:
                d["check"], d["check_message"] = c.check
            out.append(_inline(d))
        out.append("]")
        for line in b.footer:
            out += ["[[block.footer]]", f"offset = {line.offset}", "cells = ["]
            out += [_inline(_cell(x, refs)) for x in line.cells] + ["]"]
    if layout.panel is not None:
        out += ["", "[panel]", f"widths = {_value(list(layout.panel.widths))}", "static = ["]
        out += [_inline(_cell(x, refs)) for x in layout.panel.statics] + ["]", "field = ["]
        out += [_inline(_field(x)) for x in layout.panel.fields] + ["]"]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    target, role = argv
    module, _, attr = target.partition(":")
    obj = getattr(importlib.import_module(module), attr)
    layout = obj() if callable(obj) else obj
    sys.stdout.write(dump(layout, role))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
