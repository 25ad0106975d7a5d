"""The roster workbook (名册) the bureau opens a task from, and the 登录码 workbook handed back."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import xlsxwriter

from ..errors import JixiaoError, UnreadableFile
from ..forms.printfit import LINE_HEIGHT, text_height
from ..forms.printsetup import apply_xlsxwriter
from ..forms.layouts import PrintSetup
from ..fsutil import atomic_path
from ..forms.grid import check_readable
from ..forms.values import identity_key

COLUMNS = {"单位编码": "unit_code", "单位名称": "unit_name", "主管部门": "department", "联系人": "contact",
           "电话": "phone"}
REQUIRED = ("单位编码", "单位名称")

#: The headings a bureau's own list uses for each column (its own 名单, not our template): matched after
#: spaces, ``*`` and a bracketed note (``单位名称（全称）``) are taken off.
HEADINGS = {
    "unit_code": ("单位编码", "单位代码", "单位编号", "编码", "代码", "单位识别码"),
    "unit_name": ("单位名称", "单位全称", "预算单位名称", "预算单位", "单位", "名称"),
    "department": ("主管部门", "主管部门名称", "主管单位", "所属部门", "归口部门"),
    "contact": ("联系人", "联系人姓名", "经办人", "填报人"),
    "phone": ("电话", "联系电话", "手机", "手机号码", "联系方式", "办公电话"),
}
_HEADING = {h: key for key, names in HEADINGS.items() for h in names}

#: 单位编码 is 6 digits (3-digit department + 3-digit unit): the width a code that lost its zeros gets back
#: when no typed-as-text code in the roster says otherwise.
CODE_WIDTH = 6
#: Where this reader stops reading as workbooks (a roster's own messages, not the unit upload's).
SAVE_AS = "请在 Excel 或 WPS 中打开名册，“另存为”“Excel 工作簿(*.xlsx)”，再用另存的 .xlsx 执行本命令"


class Roster(list):
    """The roster's units (dicts), with ``notes``: what was changed on reading, for the bureau to see."""

    notes: list[str]


def code_key(code: str | None) -> str:
    """What decides that two 单位编码 in the roster or a unit's workbook are one unit's: as
    :func:`identity_key` (``１５４００１`` is ``154001``), and an all-digit code without its leading zeros
    (``1001``: a code column Excel stored as numbers) is still ``001001``."""
    key = identity_key(code)
    return (key.lstrip("0") or "0") if key.isdigit() else key


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a code typed as a number: 100005.0
        value = int(value)
    return " ".join(str(value).split())  # line breaks and doubled spaces typed into a cell


def _label(value: Any) -> str:
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", "".join(_text(value).split())).strip("*＊:：")
    return text


def _rows(path: Path) -> list[list[list[Any]]]:
    """Every sheet's rows: .xlsx/.xlsm, an old .xls, or a .csv (UTF-8 or GBK, as Excel saves it)."""
    if path.suffix.lower() in (".csv", ".txt"):
        return [_csv_rows(path)]
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".et", ".ett") and not path.name.startswith("~$"):
        raise JixiaoError(f"名册 {path.name} 不是 Excel 表格（{path.suffix or '没有扩展名'}）。{SAVE_AS}")
    try:
        check_readable(path, xls=True)  # the same reasons as for a unit's workbook: lock file, .et, password, …
    except UnreadableFile as exc:
        remedy = exc.remedy if exc.general else SAVE_AS  # not "提交填好的单位工作簿": how to save the roster again
        raise JixiaoError(f"无法读取名册 {path}：{exc.what}。{remedy}") from exc
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        return [wb.get_sheet_by_index(i).to_python() for i in range(len(wb.sheet_names))]
    except Exception as exc:  # noqa: BLE001 - calamine's errors: a damaged workbook
        raise JixiaoError(f"无法读取名册 {path}：文件已损坏或不是 Excel 工作簿（{exc}）。{SAVE_AS}") from exc


def _csv_rows(path: Path) -> list[list[str]]:
    """A .csv or .txt as Excel saves it: UTF-8 (with or without its mark), GBK from Chinese Excel, or
    UTF-16 (“Unicode 文本”); comma- or, when the first line has tabs, tab-separated."""
    import csv

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JixiaoError(f"无法读取名册 {path}：{exc.strerror or exc}") from exc
    encodings = ("utf-16",) if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # not text Excel writes
        raise JixiaoError(f"名册 {path.name} 不是 UTF-8 或 GBK 编码的文本文件，无法读取。{SAVE_AS}")
    lines = text.splitlines()
    tab = bool(lines) and "\t" in lines[0]
    return [list(r) for r in csv.reader(lines, delimiter="\t" if tab else ",")]


def _fields(row: list[Any]) -> dict[str, int]:
    fields: dict[str, int] = {}
    for col, value in enumerate(row):
        key = _HEADING.get(_label(value))
        if key and key not in fields:
            fields[key] = col
    return fields


def _header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """(the last header row, column of each field) of a sheet: the header may have a title row above it
    (``2026年预算单位名单``), and be two rows with merged cells (``联系方式`` over 联系人 | 电话, or
    ``单位信息`` over 单位编码 | 单位名称 with 主管部门 merged down both rows)."""
    for i, row in enumerate(rows[:20]):
        fields = _fields(row)
        if "unit_code" not in fields or "unit_name" not in fields:
            continue
        if i > 0:  # the upper row of a two-row header: its headings merged down
            for key, col in _fields(rows[i - 1]).items():
                if key not in fields and col not in fields.values():
                    fields[key] = col
        below = rows[i + 1] if i + 1 < len(rows) else []
        subs = _fields(below)
        code_cell = below[fields["unit_code"]] if fields["unit_code"] < len(below) else None
        if subs and (_text(code_cell) == "" or _HEADING.get(_label(code_cell))):  # the lower header row
            fields.update(subs)
            return i + 1, fields
        return i, fields
    return None


def read_roster(path: str | Path) -> Roster:
    """The roster's units, in order; a missing column, an empty or repeated 单位编码 or 单位名称 is an error
    naming the rows. Codes Excel stored as numbers get their leading zeros back (``notes`` says so)."""
    path = Path(path)
    sheets = _rows(path)
    found = next(((rows, h) for rows in sheets if (h := _header(rows)) is not None), None)
    if found is None:
        raise JixiaoError(f"名册 {path} 中没有找到“单位编码”“单位名称”两列的表头"
                          "（表头应为：单位编码、单位名称，可选 主管部门、联系人、电话）")
    rows, (header_row, index) = found
    raw: list[tuple[int, Any, dict[str, str]]] = []
    problems = []
    for n, row in enumerate(rows[header_row + 1:], start=header_row + 2):
        values = {k: _text(row[i]) if i < len(row) else "" for k, i in index.items()}
        if not any(values.values()):
            continue
        code_cell = row[index["unit_code"]] if index["unit_code"] < len(row) else None
        if not values["unit_code"] or not values["unit_name"]:
            problems.append(f"第 {n} 行缺少单位编码或单位名称")
            continue
        if isinstance(code_cell, float) and abs(code_cell) >= 2**53:  # Excel keeps 15 digits of a number
            problems.append(f"第 {n} 行的单位编码 {values['unit_code']} 是数字格式，位数太多已被 Excel 改变："
                            "请把该列设为“文本”格式后重新填写")
            continue
        raw.append((n, code_cell, values))
    # the width a code that lost its zeros gets back: the one most codes typed as text have, else 6
    widths = Counter(len(v["unit_code"]) for _n, cell, v in raw
                     if isinstance(cell, str) and v["unit_code"].isdigit())
    width = widths.most_common(1)[0][0] if widths else CODE_WIDTH
    padded = []
    for n, cell, values in raw:
        number = isinstance(cell, (int, float)) and not isinstance(cell, bool)
        if number and values["unit_code"].isdigit() and len(values["unit_code"]) < width:
            padded.append(f"第 {n} 行 {values['unit_code']} → {values['unit_code'].zfill(width)}")
            values["unit_code"] = values["unit_code"].zfill(width)
    units = Roster()
    units.notes = []
    if padded:
        units.notes.append(f"名册的单位编码列是数字格式，Excel 去掉了编码开头的 0，已按 {width} 位补回："
                           + "；".join(padded[:10]) + (f" 等 {len(padded)} 个" if len(padded) > 10 else ""))
    codes: dict[str, tuple[int, str]] = {}
    names: dict[str, tuple[int, str]] = {}
    for n, _cell, values in raw:
        # compared as the site compares codes: １５４００１ and 154 001 are 154001, and two roster rows of
        # one code would be two 登录码 that both accept (and both report) the same unit
        key = code_key(values["unit_code"])
        if key in codes:
            row, typed = codes[key]
            other = f"第 {row} 行" + (f"的 {typed} " if typed != values["unit_code"] else "")
            problems.append(f"第 {n} 行的单位编码 {values['unit_code']} 与{other}重复")
            continue
        name = identity_key(values["unit_name"])
        if name in names:  # one unit typed twice under two codes: two 登录码, and one of them never reports
            row, typed = names[name]
            problems.append(f"第 {n} 行的单位名称“{values['unit_name']}”与第 {row} 行重复"
                            f"（编码 {values['unit_code']} 与 {typed}）：同一单位只能列一次，不同单位请写全称")
            continue
        codes[key] = (n, values["unit_code"])
        names[name] = (n, values["unit_code"])
        units.append({k: v for k, v in values.items() if v or k in ("unit_code", "unit_name")})
    if problems:
        raise JixiaoError(f"名册 {path.name} 有误，请改正后重新执行：\n  " + "\n  ".join(problems[:20])
                          + (f"\n  ……共 {len(problems)} 处" if len(problems) > 20 else ""))
    if not units:
        raise JixiaoError(f"名册 {path} 的表头下面没有单位：请在表中逐行填写报送单位的编码和名称后重新执行")
    return units


def _sheet(path: Path, header: list[str], rows: list[list[str]], widths: list[int], note: str) -> Path:
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        wb.set_properties({"title": note, "author": "jixiao", "created": dt.datetime(2026, 1, 1)})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = wb.add_format({"num_format": "@", "border": 1, "text_wrap": True, "valign": "top"})  # long names wrap
        ws = wb.add_worksheet("名册" if "名册" in note else "登录码")
        for col, (title, width) in enumerate(zip(header, widths)):
            ws.set_column(col, col, width, text)
            ws.write_string(0, col, title, head)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                ws.write_string(r, col, value or "", text)
            tall = max(text_height(v, w) for v, w in zip(row, widths))
            if tall > 2 * LINE_HEIGHT:  # a long name wraps: neither Excel nor WPS grows the row for it
                ws.set_row(r, tall)
        ws.freeze_panes(1, 0)
        apply_xlsxwriter(ws, PrintSetup.for_width(sum(widths), repeat_rows=(1, 1)), note)  # A4, one page wide
        ws.print_area(0, 0, max(len(rows), 1), len(header) - 1)
        wb.close()
    return path


def write_roster(path: str | Path, units: list[dict[str, Any]] | None = None) -> Path:
    """A roster workbook: blank (the shipped template) or filled with ``units``."""
    rows = [[u.get("unit_code", ""), u.get("unit_name", ""), u.get("department") or "", u.get("contact") or "",
             u.get("phone") or ""] for u in units or []]
    return _sheet(Path(path), list(COLUMNS), rows, [14, 44, 24, 12, 16], "报送单位名册")


def write_codes(path: str | Path, issued: list[dict[str, Any]]) -> Path:
    """DIR/登录码-YYYY.xlsx: 单位编码, 单位名称, 登录码 — one row per unit given a code."""
    rows = [[u["unit_code"], u["unit_name"], u["code"]] for u in issued]
    return _sheet(Path(path), ["单位编码", "单位名称", "登录码"], rows, [14, 44, 20], "报送站登录码")
