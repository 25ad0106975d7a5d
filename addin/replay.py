"""Developer tools for the add-in: a workbook file as the JSON an Excel client posts, and back.

:func:`payload_from_file` builds the remote engine's book payload from a real
.xlsx (what the xlwings Office.js add-in sends), so tests and benchmarks run the
entry points exactly as xlwings Server does. :func:`apply_actions` replays the
recorded actions onto a copy of the file with openpyxl, so LibreOffice can show
what the clerk would see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..forms.layouts import a1


def payload_from_file(path: str | Path, *, client: str = "Office.js", include: list[str] | str | None = None,
                      exclude: list[str] | str | None = None) -> dict[str, Any]:
    """The book payload of ``path`` as the xlwings Office.js client posts it: every sheet's values from A1
    over its used range, the addresses of its notes; a sheet left out by ``include``/``exclude`` (a
    script's declared sheets, :data:`jixiao.addin.server.registry.SCRIPTS`) travels with its name and
    no values (``[[]]``) or notes, as the client sends it."""
    import openpyxl
    import xlwings as xw
    from python_calamine import CalamineWorkbook

    from ..forms.cellscan import CellScan

    include, exclude = _names(include), _names(exclude)
    if include and exclude:
        raise ValueError("include and exclude cannot both be given")
    wb = CalamineWorkbook.from_path(str(path))
    comments = openpyxl.load_workbook(path)
    scan = CellScan(str(path))  # calamine gives error cells as '': Excel sends their text ("#REF!")
    sheets = []
    for name in wb.sheet_names:
        left_out = (include and name not in include) or name in exclude
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        width = max((len(r) for r in rows), default=0)
        values = [list(r) + [""] * (width - len(r)) for r in rows] or [[]]
        for (r, c), text in scan.kinds(name).errors.items():
            if r <= len(values) and c <= width:
                values[r - 1][c - 1] = text
        notes = [{"address": f"${c.column_letter}${c.row}"} for row in comments[name].iter_rows() for c in row
                 if c.comment is not None]
        state = comments[name].sheet_state
        sheets.append({"name": name, "visibility": "Visible" if state == "visible" else state.title(),
                       "values": [[]] if left_out else values, "pictures": [], "tables": [],
                       "notes": [] if left_out else notes,
                       "used_range_address": f"$A$1:{_abs(len(values), width)}" if width else None,
                       "used_range_row_count": len(values) if width else 0,
                       "used_range_column_count": width})
    return {"client": client, "version": xw.__version__,
            "book": {"name": Path(path).name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}


def _names(value: list[str] | str | None) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)


def _abs(rows: int, cols: int) -> str:
    ref = a1(rows, cols)
    letters = "".join(ch for ch in ref if ch.isalpha())
    return f"${letters}${ref[len(letters):]}"


def apply_actions(source: str | Path, actions: list[dict[str, Any]], out: str | Path) -> Path:
    """Replay recorded remote-engine actions onto a copy of ``source`` (openpyxl)."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    wb = openpyxl.load_workbook(source)
    for action in actions:
        func, args = action["func"], action["args"]
        ws = wb.worksheets[action["sheet_position"]] if action.get("sheet_position") is not None else None

        def cell():
            return ws.cell(action["start_row"] + 1, action["start_column"] + 1)

        if func == "setRangeColor":
            for r in range(action["row_count"]):
                for c in range(action["column_count"]):
                    target = ws.cell(action["start_row"] + 1 + r, action["start_column"] + 1 + c)
                    target.fill = (PatternFill("solid", fgColor="FF" + args[0].lstrip("#").upper())
                                   if args[0] else PatternFill())
        elif func == "addNote":
            cell().comment = Comment(args[1], "jixiao")
        elif func == "deleteNote":
            cell().comment = None
        elif func == "setValues":
            for r, row in enumerate(action["values"]):
                for c, value in enumerate(row):
                    target = ws.cell(action["start_row"] + 1 + r, action["start_column"] + 1 + c)
                    target.value = None if value == "" else value
                    if isinstance(value, str) and value.startswith("'"):
                        target.value = value[1:]
                        target.data_type = "s"
        elif func == "addSheet":
            wb.create_sheet(args[1], args[0])
        elif func == "addHyperlink":
            target = cell()
            target.hyperlink = Hyperlink(ref=target.coordinate, location=args[0].lstrip("#"), tooltip=args[2])
        elif func == "setSheetVisibility":
            ws.sheet_state = "visible" if args[0] in (True, "Visible") else "hidden"
        elif func == "activateSheet":
            wb.active = args[0]
        elif func == "sheetDelete":
            wb.remove(ws)
        elif func in ("sheetClear", "sheetClearContents"):
            for row in ws.iter_rows():
                for c in row:
                    c.value = None
        elif func == "copySheet":  # the sheet at sheet_position, copied "After"/"Before" sheet target_ix
            where, target_ix, name = args
            copy = wb.copy_worksheet(ws)
            copy.title = name
            wb.move_sheet(copy, offset=(target_ix + (where == "After")) - wb.worksheets.index(copy))
        elif func == "setSheetName":
            ws.title = args[0]
        elif func == "setRowHeight":
            for r in range(action["row_count"]):
                ws.row_dimensions[action["start_row"] + 1 + r].height = args[0]
        elif func == "alert":
            continue
        else:
            raise NotImplementedError(f"action {func} is not replayed")
    wb.save(out)
    return Path(out)
