"""Edit a workbook's package in place of re-saving it: what jixiao does not change stays byte for byte.

Re-saving through openpyxl drops what it does not model: formulas' saved
results (``<v>``), the VBA project and the buttons of an ``.xlsm``, the macro
content type, and more. ``--fix`` therefore writes its changed cells straight
into the original sheet XML (:func:`patch_cells`); every other part of the
zip is copied as it was. ``--annotate`` has to add sheets, notes and fills, so
it still goes through openpyxl (with ``keep_vba`` for a macro workbook), and
:func:`restore_cached_values` then puts the formulas' saved results back.

Text is written as an inline string with Excel's ``_xHHHH_`` escapes, so no
value can become a formula and no character XML forbids reaches the file.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from pathlib import Path
from typing import Any, Mapping

from lxml import etree

from ..forms.a1 import a1, parse_a1
from ..errors import OutputError, UnreadableFile
from ..fsutil import atomic_path
from ..outputs import guard_output
from ..forms.textsafe import excel_escape

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
VBA_PART = "xl/vbaProject.bin"
MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _parser() -> etree.XMLParser:
    # no entities, no network, no huge trees: the input is a clerk's file
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


def _xml(data: bytes):
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"工作簿内部的 XML 已损坏（{exc.msg}），请在 Excel 中另存后再试") from exc


# --- macro workbooks --------------------------------------------------------------------------

def is_macro_workbook(path: str | Path) -> bool:
    """Whether the package is an ``.xlsm`` whatever its name: a VBA project, or the macro content type
    (Excel's "save as .xlsm" of a workbook without macros)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return VBA_PART in zf.namelist() or MACRO_CONTENT_TYPE.encode() in zf.read("[Content_Types].xml")
    except (OSError, KeyError, zipfile.BadZipFile, zlib.error):
        return False


def check_macro_output(source: str | Path, out: str | Path) -> None:
    """Refuse an output name that would not open as what it holds (exit 2, Chinese message).

    A copy of a macro workbook keeps its VBA and buttons, so it must be named
    ``.xlsm`` (Excel refuses to open a macro package named ``.xlsx``); a copy of
    a plain workbook is not a macro workbook and must not be named ``.xlsm``.
    """
    suffix = Path(out).suffix.lower()
    if is_macro_workbook(source):
        if suffix != ".xlsm":
            raise OutputError(f"{Path(source).name} 是启用宏的工作簿（含 VBA 宏和按钮），输出文件须以 .xlsm 结尾，"
                              f"否则 Excel 无法打开、宏和按钮也会丢失；请改为 -o {Path(out).stem}.xlsm")
    elif suffix == ".xlsm":
        raise OutputError(f"{Path(source).name} 不含宏，输出文件须以 .xlsx 结尾（Excel 不打开没有宏的 .xlsm）；"
                          f"请改为 -o {Path(out).stem}.xlsx")


# --- where each sheet is ------------------------------------------------------------------------

def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part name inside the zip (``xl/worksheets/sheet3.xml``)."""
    book = _xml(zf.read("xl/workbook.xml"))
    rels = _xml(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        if rel.tag == f"{{{_PKG_REL_NS}}}Relationship":
            target = rel.get("Target", "")
            targets[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                      else posixpath.normpath(posixpath.join("xl", target)))
    ns = etree.QName(book).namespace
    parts = {}
    for sheet in book.iter(f"{{{ns}}}sheet"):
        rid = sheet.get(f"{{{_REL_NS}}}id")
        if rid in targets:
            parts[sheet.get("name")] = targets[rid]
    return parts


# --- cells in a sheet's XML ----------------------------------------------------------------------

def _index(sheet_data) -> dict[int, Any]:
    """Row number → ``<row>``, giving every row and cell an explicit ``r`` (it is optional in the format)."""
    rows = {}
    number = 0
    for row in sheet_data:
        if not isinstance(row.tag, str) or etree.QName(row).localname != "row":
            continue  # a comment or processing instruction
        number = int(row.get("r") or number + 1)
        row.set("r", str(number))
        col = 0
        for cell in row:
            if not isinstance(cell.tag, str) or etree.QName(cell).localname != "c":
                continue
            ref = cell.get("r")
            col = parse_a1(ref)[1] if ref else col + 1
            cell.set("r", a1(number, col))
        rows[number] = row
    return rows


def _cell(ns: str, sheet_data, rows: dict[int, Any], ref: str):
    """The ``<c>`` at ``ref``, created in its place (row and column order) when the sheet has none."""
    r, c = parse_a1(ref)
    row = _row(ns, sheet_data, rows, r)
    for cell in row.iterchildren(f"{{{ns}}}c"):
        col = parse_a1(cell.get("r"))[1]
        if col == c:
            return cell
        if col > c:
            row.attrib.pop("spans", None)  # a new cell: the row's optional column-span hint may no longer hold
            new = etree.Element(f"{{{ns}}}c", r=ref)
            cell.addprevious(new)
            return new
    row.attrib.pop("spans", None)
    return etree.SubElement(row, f"{{{ns}}}c", r=ref)


def _set_value(ns: str, cell, value: Any) -> None:
    for child in list(cell):
        cell.remove(child)
    for attr in ("t", "cm", "vm"):
        cell.attrib.pop(attr, None)
    if value is None or value == "":
        return
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, f"{{{ns}}}v").text = str(int(value))
    elif isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        etree.SubElement(cell, f"{{{ns}}}v").text = str(value)
    else:  # text is always text: an inline string can never become a formula
        cell.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(cell, f"{{{ns}}}is"), f"{{{ns}}}t")
        t.text = excel_escape(str(value))
        t.set(f"{{{_XML_NS}}}space", "preserve")


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def patch_sheet(data: bytes, cells: Mapping[str, Any], heights: Mapping[int, float] | None = None) -> bytes:
    """A sheet's XML with ``cells`` (A1 → new value) written in and rows given ``heights`` (row → points);
    styles and everything else kept."""
    return _patch_sheet(data, cells, heights)[0]


def _row(ns: str, sheet_data, rows: dict[int, Any], r: int):
    """The ``<row>`` numbered ``r``, created in its place when the sheet has none."""
    row = rows.get(r)
    if row is None:
        row = etree.Element(f"{{{ns}}}row", r=str(r))
        after = [n for n in rows if n < r]
        if after:
            rows[max(after)].addnext(row)
        else:
            sheet_data.insert(0, row)
        rows[r] = row
    return row


def _patch_sheet(data: bytes, cells: Mapping[str, Any], heights: Mapping[int, float] | None = None,
                 results: Mapping[str, str] | None = None) -> tuple[bytes, bool]:
    """:func:`patch_sheet`, and whether a formula was replaced (the calculation chain is then stale)."""
    root = _xml(data)
    ns = etree.QName(root).namespace
    sheet_data = root.find(f"{{{ns}}}sheetData")
    if sheet_data is None:
        raise UnreadableFile("工作表中没有单元格数据（sheetData），无法写入修正")
    rows = _index(sheet_data)
    replaced = False
    for ref, value in cells.items():
        cell = _cell(ns, sheet_data, rows, ref)
        replaced |= cell.find(f"{{{ns}}}f") is not None
        _set_value(ns, cell, value)
    for ref, text in (results or {}).items():  # a formula's result, the formula kept (a cell without one: left)
        row = rows.get(parse_a1(ref)[0])
        cell = next((c for c in row.iterchildren(f"{{{ns}}}c") if c.get("r") == ref), None) if row is not None \
            else None
        f = cell.find(f"{{{ns}}}f") if cell is not None else None
        if f is None:
            continue
        for old in cell.findall(f"{{{ns}}}v"):
            cell.remove(old)
        v = etree.Element(f"{{{ns}}}v")
        v.text = excel_escape(text)
        f.addnext(v)
        cell.set("t", "str")
    for r, height in (heights or {}).items():  # a height of one's own: Excel keeps it (customHeight)
        row = _row(ns, sheet_data, rows, r)
        row.set("ht", f"{height:g}")
        row.set("customHeight", "1")
    return _serialise(root), replaced


CALC_CHAIN = "xl/calcChain.xml"


def _drop_calc_chain(zf: zipfile.ZipFile, parts: dict[str, bytes]) -> set[str]:
    """Leave out the calculation chain (Excel rebuilds it; a stale one makes it repair the file)."""
    if CALC_CHAIN not in zf.namelist():
        return set()
    types = _xml(zf.read("[Content_Types].xml"))
    for el in list(types):
        if el.get("PartName") == "/" + CALC_CHAIN:
            types.remove(el)
    rels = _xml(zf.read("xl/_rels/workbook.xml.rels"))
    for el in list(rels):
        if el.get("Target", "").endswith("calcChain.xml"):
            rels.remove(el)
    parts["[Content_Types].xml"] = _serialise(types)
    parts["xl/_rels/workbook.xml.rels"] = _serialise(rels)
    return {CALC_CHAIN}


def _rewrite(source: str | Path, out: str | Path, parts: Mapping[str, bytes], drop: set[str] = frozenset()) -> Path:
    """Copy the zip ``source`` to ``out`` with ``parts`` replaced and ``drop`` left out; the rest as it was."""
    with zipfile.ZipFile(source) as zi, atomic_path(out) as tmp:
        with zipfile.ZipFile(tmp, "w") as zo:
            for info in zi.infolist():
                if info.filename in drop:
                    continue
                data = parts.get(info.filename)
                zo.writestr(info, zi.read(info) if data is None else data, compress_type=info.compress_type)
    return Path(out)


def patch_cells(source: str | Path, out: str | Path, changes: Mapping[str, Mapping[str, Any]],
                heights: Mapping[str, Mapping[int, float]] | None = None,
                results: Mapping[str, Mapping[str, str]] | None = None) -> Path:
    """Write a copy of ``source`` with ``changes`` (sheet → {A1 → value}) written into its sheet XML,
    ``heights`` (sheet → {row → points}) given to its rows, and ``results`` (sheet → {A1 → text}) saved as
    the results of formula cells whose inputs changed (the formulas kept).

    When a value changes, the copy asks for a full recalculation on opening (``fullCalcOnLoad``): the saved
    results of formulas jixiao cannot compute would be stale, and Excel recalculates a file saved by its
    own version only when asked. LibreOffice does not recalculate; ``results`` is what it shows."""
    heights, results = heights or {}, results or {}
    with zipfile.ZipFile(source) as zf:
        where = sheet_parts(zf)
        parts: dict[str, bytes] = {}
        replaced = False
        for sheet in dict.fromkeys([*changes, *heights, *results]):
            if sheet not in where:
                raise UnreadableFile(f"工作簿中找不到工作表“{sheet}”，无法写入修正")
            parts[where[sheet]], formula = _patch_sheet(zf.read(where[sheet]), changes.get(sheet, {}),
                                                        heights.get(sheet), results.get(sheet))
            replaced |= formula
        drop = _drop_calc_chain(zf, parts) if replaced else set()
        if any(changes.values()):
            workbook = _recalculate_on_load(zf.read("xl/workbook.xml"))
            if workbook is not None:
                parts["xl/workbook.xml"] = workbook
    return _rewrite(source, out, parts, drop)


def _recalculate_on_load(data: bytes) -> bytes | None:
    """``xl/workbook.xml`` with ``<calcPr fullCalcOnLoad="1"/>`` (in its place in the schema's order), or
    None when it says so already."""
    root = _xml(data)
    ns = etree.QName(root).namespace
    calc = root.find(f"{{{ns}}}calcPr")
    if calc is None:
        calc = etree.Element(f"{{{ns}}}calcPr")
        after = [el for el in root if isinstance(el.tag, str) and etree.QName(el).localname in _BEFORE_CALC]
        if after:
            after[-1].addnext(calc)
        else:
            root.insert(0, calc)
    elif calc.get("fullCalcOnLoad") in ("1", "true"):
        return None
    calc.set("fullCalcOnLoad", "1")
    return _serialise(root)


#: the elements CT_Workbook puts before ``calcPr``
_BEFORE_CALC = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                "functionGroups", "externalReferences", "definedNames")


# --- formulas' saved results ----------------------------------------------------------------------

def _formula_results(data: bytes) -> dict[str, tuple[str | None, str]]:
    """A1 → (type attribute, saved result as written) for every formula cell with a saved result."""
    root = _xml(data)
    ns = etree.QName(root).namespace
    sheet_data = root.find(f"{{{ns}}}sheetData")
    found = {}
    if sheet_data is None:
        return found
    for row in _index(sheet_data).values():
        for cell in row.iterchildren(f"{{{ns}}}c"):
            f, v = cell.find(f"{{{ns}}}f"), cell.find(f"{{{ns}}}v")
            if f is not None and v is not None and v.text is not None:
                found[cell.get("r")] = (cell.get("t"), v.text)
    return found


def _with_results(data: bytes, results: dict[str, tuple[str | None, str]]) -> bytes | None:
    root = _xml(data)
    ns = etree.QName(root).namespace
    sheet_data = root.find(f"{{{ns}}}sheetData")
    if sheet_data is None:
        return None
    changed = False
    for row in _index(sheet_data).values():
        for cell in row.iterchildren(f"{{{ns}}}c"):
            saved = results.get(cell.get("r"))
            f = cell.find(f"{{{ns}}}f")
            if saved is None or f is None:
                continue
            old = cell.find(f"{{{ns}}}v")
            if old is not None and old.text:
                continue
            if old is not None:
                cell.remove(old)
            kind, text = saved
            v = etree.Element(f"{{{ns}}}v")
            v.text = text
            f.addnext(v)
            if kind:
                cell.set("t", kind)
            else:
                cell.attrib.pop("t", None)
            changed = True
    return _serialise(root) if changed else None


def restore_cached_values(original: str | Path, saved: str | Path, *, skip: tuple[str, ...] = ()) -> None:
    """Put back into ``saved`` (a re-save of ``original``) the formulas' results ``original`` had saved.

    Only formula cells that still are formula cells at the same place get a
    result, and only those the re-save left without one; sheets named in
    ``skip`` (written afresh, so their old results may be stale) get none.
    """
    with zipfile.ZipFile(original) as zo:
        old_parts = sheet_parts(zo)
        results = {}
        for name, part in old_parts.items():
            if name in skip:
                continue
            data = zo.read(part)
            if b"<f" in data or b":f" in data:
                results[name] = _formula_results(data)
    results = {k: v for k, v in results.items() if v}
    if not results:
        return
    with zipfile.ZipFile(saved) as zs:
        new_parts = sheet_parts(zs)
        parts = {}
        for name, found in results.items():
            if name in new_parts:
                patched = _with_results(zs.read(new_parts[name]), found)
                if patched is not None:
                    parts[new_parts[name]] = patched
    if parts:
        tmp = Path(saved).with_name(Path(saved).name + ".v")
        try:
            _rewrite(saved, tmp, parts)
            tmp.replace(saved)
        finally:
            if tmp.exists():
                tmp.unlink()


# --- copies made through openpyxl ------------------------------------------------------------------

def load_copy(source: str | Path, out: str | Path):
    """``source`` as an openpyxl workbook to save as ``out`` (checked: not the input, the right suffix).

    A macro workbook is loaded with ``keep_vba``: its VBA project, buttons and
    macro content type go into the copy.
    """
    from ..forms.grid import load_for_edit

    guard_output(source, out)
    check_macro_output(source, out)
    return load_for_edit(source, keep_vba=is_macro_workbook(source))


def save_copy(wb, source: str | Path, out: str | Path, *, fresh: tuple[str, ...] = ()) -> Path:
    """Save ``wb`` (from :func:`load_copy`) atomically as ``out``, formulas' saved results put back.

    ``fresh``: sheets the caller wrote anew (their formulas get no old results).
    """
    with atomic_path(out) as tmp:
        wb.save(tmp)
        restore_cached_values(source, tmp, skip=fresh)
    return Path(out)
