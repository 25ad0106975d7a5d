"""Fingerprint every cell of built workbooks: the evidence that moving layouts into data changed nothing.

``python scripts/form_fingerprint.py build OUT`` writes the reference set (blank templates of every
built-in profile, .xlsx and .xlsm, the 自评表 templates, every example unit filled, its 自评表
pre-filled) into OUT. ``python scripts/form_fingerprint.py compare A B`` compares two such folders cell
by cell (value, formula, cached value, style, protection), plus merges, data validations, conditional
formats, row heights, column widths, print setup and defined names, and prints every difference.
``python scripts/form_fingerprint.py digest OUT`` prints one digest per sheet as JSON (what
``tests/test_formfiles.py`` pins).
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path


def build(out: Path) -> list[Path]:
    from jixiao.examples import load_examples
    from jixiao.forms.template import write_workbook
    from jixiao.profiles import BUILTIN, load_profile
    from jixiao.selfeval.prefill import prefill
    from jixiao.selfeval.writer import write_selfeval

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in BUILTIN:
        profile = load_profile(name)
        written.append(write_workbook(out / f"unit-{name}.xlsx", profile=profile))
        written.append(write_workbook(out / f"unit-{name}.xlsm", profile=profile))
        written.append(write_selfeval(out / f"selfeval-{name}.xlsx", profile=profile))
    for key, book in sorted(load_examples().items()):
        written.append(write_workbook(out / f"example-{key}.xlsx", book))
        if book.projects:  # the 上年数 panel, as a carried-over workbook draws it
            from decimal import Decimal

            carried = book.model_copy(deep=True)
            carried.projects[0].prior = {"code": "2025-001", "budget": Decimal("12.5"), "fiscal": Decimal("10"),
                                         "other": Decimal("2.5"), "plan": {m: Decimal(25 * (i + 1))
                                                                           for i, m in enumerate(book.milestones)}}
            written.append(write_workbook(out / f"example-{key}-carried.xlsm", carried))
        profile = load_profile(book.profile)
        written.append(write_selfeval(out / f"example-{key}-selfeval.xlsx", prefill(book, profile), profile))
    return written


def _style(cell) -> tuple:
    f, a, b, p, fill = cell.font, cell.alignment, cell.border, cell.protection, cell.fill
    return (f.name, f.sz, f.b, f.i, f.color.rgb if f.color is not None else None,
            fill.fill_type, fill.fgColor.rgb if fill.fgColor is not None else None,
            a.horizontal, a.vertical, a.wrap_text,
            tuple((s.style if s is not None else None) for s in (b.left, b.right, b.top, b.bottom)),
            cell.number_format, p.locked, p.hidden)


def describe(path: Path) -> dict[str, list[str]]:
    """Every property of every sheet as sorted lines of text, sheet by sheet."""
    import openpyxl

    out: dict[str, list[str]] = {}
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    cached = openpyxl.load_workbook(path, data_only=True)
    out["#workbook"] = [f"sheets {wb.sheetnames}",
                        *sorted(f"name {n} {d.attr_text}" for n, d in wb.defined_names.items())]
    for ws in wb.worksheets:
        cws = cached[ws.title]
        lines = [f"state {ws.sheet_state}", f"protected {ws.protection.sheet}",
                 f"print {ws.print_area} {ws.print_title_rows} {ws.page_setup.orientation} "
                 f"{ws.page_setup.paperSize} {ws.page_setup.fitToWidth} {ws.page_setup.fitToHeight} "
                 f"{ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None} "
                 f"{ws.oddFooter.center.text} {ws.oddFooter.left.text} "
                 f"{ws.page_margins.left} {ws.page_margins.right} {ws.page_margins.top} {ws.page_margins.bottom} "
                 f"{ws.print_options.horizontalCentered} {[b.id for b in ws.row_breaks.brk]}"]
        lines += sorted(f"merge {m}" for m in ws.merged_cells.ranges)
        lines += sorted(f"width {k} {d.width}" for k, d in ws.column_dimensions.items() if d.width)
        lines += sorted(f"height {k} {d.height}" for k, d in ws.row_dimensions.items() if d.height)
        lines += sorted(f"dv {dv.sqref} {dv.type} {dv.formula1} {dv.allow_blank} {dv.errorStyle} "
                        f"{dv.errorTitle} {dv.error} {dv.showErrorMessage}" for dv in ws.data_validations.dataValidation)
        for rng in ws.conditional_formatting:
            for rule in rng.rules:
                lines.append(f"cf {rng.sqref} {rule.type} {rule.formula} "
                             f"{rule.dxf.fill.bgColor.rgb if rule.dxf and rule.dxf.fill else None}")
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                lines.append(f"cell {cell.coordinate} {cell.data_type} {cell.value!r} "
                             f"{cws[cell.coordinate].value!r} {_style(cell)}")
        out[ws.title] = sorted(lines)
    if path.suffix == ".xlsm":
        with zipfile.ZipFile(path) as z:
            out["#vba"] = [hashlib.sha256(z.read("xl/vbaProject.bin")).hexdigest()]
    return out


#: the workbooks tests/test_formfiles.py pins (the Hebei and Hunan ones, which must never change)
PINNED = ("unit-hebei.xlsx", "unit-hunan.xlsx", "selfeval-hunan.xlsx", "example-luanping_xinfang_2026-carried.xlsm",
          "example-zhijiang_xinfang_2026.xlsx", "example-huailai_xinfang_2020-carried.xlsm")


def digest(folder: Path, names: tuple[str, ...] = PINNED) -> dict[str, str]:
    """One digest per sheet; the generator's version (``jixiao 0.x``) is left out."""
    from jixiao import __version__

    out = {}
    for name in names:
        for sheet, lines in describe(folder / name).items():
            kept = [line for line in lines if f"jixiao {__version__}" not in line]
            out[f"{name}:{sheet}"] = hashlib.sha256("\n".join(kept).encode()).hexdigest()[:16]
    return out


def compare(a: Path, b: Path) -> int:
    names = sorted({p.name for p in a.glob("*.xls[xm]")} | {p.name for p in b.glob("*.xls[xm]")})
    problems = 0
    for name in names:
        if not (a / name).exists() or not (b / name).exists():
            print(f"{name}: only in {'B' if not (a / name).exists() else 'A'}")
            problems += 1
            continue
        da, db = describe(a / name), describe(b / name)
        for sheet in sorted(set(da) | set(db)):
            la, lb = set(da.get(sheet, [])), set(db.get(sheet, []))
            for line in sorted(la - lb)[:20]:
                print(f"{name} [{sheet}] - {line}")
            for line in sorted(lb - la)[:20]:
                print(f"{name} [{sheet}] + {line}")
            problems += len(la ^ lb)
        print(f"{name}: {sum(len(v) for v in da.values())} properties compared")
    print(f"{len(names)} workbooks, {problems} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "build":
        for p in build(Path(args[0])):
            print(p)
    elif cmd == "compare":
        sys.exit(compare(Path(args[0]), Path(args[1])))
    elif cmd == "digest":
        print(json.dumps(digest(Path(args[0])), ensure_ascii=False, indent=1))
