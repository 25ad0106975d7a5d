"""The roster workbook (名册) the bureau opens a task from, and the 登录码 workbook handed back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

from ..errors import JixiaoError
from ..fsutil import atomic_path
from ..errors import UnreadableFile
from ..forms.grid import sniff
from ..forms.values import identity_key

COLUMNS = {"单位编码": "unit_code", "单位名称": "unit_name", "主管部门": "department", "联系人": "contact",
           "电话": "phone"}
REQUIRED = ("单位编码", "单位名称")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a code typed as a number: 100005.0
        value = int(value)
    return " ".join(str(value).split())  # line breaks and doubled spaces typed into a cell


def read_roster(path: str | Path) -> list[dict[str, str]]:
    """The roster's units, in order; a missing column, an empty or repeated 单位编码 is an error naming the row."""
    try:
        sniff(path)
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_index(0).to_python()
    except UnreadableFile as exc:
        raise JixiaoError(f"无法读取名册 {path}：{exc}") from exc
    except Exception as exc:  # noqa: BLE001 - calamine's errors: a damaged workbook
        raise JixiaoError(f"无法读取名册 {path}：{exc}") from exc
    header_row = next((i for i, r in enumerate(rows[:20]) if "单位编码" in [_text(v) for v in r]), None)
    if header_row is None:
        raise JixiaoError(f"名册 {path} 的第一张表中没有“单位编码”列（表头应为：单位编码、单位名称、主管部门、联系人、电话）")
    header = [_text(v) for v in rows[header_row]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise JixiaoError(f"名册缺少列：{'、'.join(missing)}")
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    units: list[dict[str, str]] = []
    seen: dict[str, tuple[int, str]] = {}
    problems = []
    for n, row in enumerate(rows[header_row + 1:], start=header_row + 2):
        values = {k: _text(row[i]) if i < len(row) else "" for k, i in index.items()}
        if not any(values.values()):
            continue
        if not values["unit_code"] or not values["unit_name"]:
            problems.append(f"第 {n} 行缺少单位编码或单位名称")
            continue
        # compared as the site and consolidation compare codes: １５４００１ and 154 001 are 154001, and two
        # roster rows of one code would be two 登录码 that both accept (and both report) the same unit
        key = identity_key(values["unit_code"])
        if key in seen:
            row, typed = seen[key]
            other = f"第 {row} 行" + (f"的 {typed} " if typed != values["unit_code"] else "")
            problems.append(f"第 {n} 行的单位编码 {values['unit_code']} 与{other}重复")
            continue
        seen[key] = (n, values["unit_code"])
        units.append({k: v for k, v in values.items() if v or k in ("unit_code", "unit_name")})
    if problems:
        raise JixiaoError("名册有误：" + "；".join(problems[:10]) + ("……" if len(problems) > 10 else ""))
    if not units:
        raise JixiaoError(f"名册 {path} 中没有单位")
    return units


def _sheet(path: Path, header: list[str], rows: list[list[str]], widths: list[int], note: str) -> Path:
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        wb.set_properties({"title": note, "author": "jixiao", "created": dt.datetime(2026, 1, 1)})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = wb.add_format({"num_format": "@", "border": 1})
        ws = wb.add_worksheet("名册" if "名册" in note else "登录码")
        for col, (title, width) in enumerate(zip(header, widths)):
            ws.set_column(col, col, width, text)
            ws.write_string(0, col, title, head)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                ws.write_string(r, col, value or "", text)
        ws.freeze_panes(1, 0)
        wb.close()
    return path


def write_roster(path: str | Path, units: list[dict[str, Any]] | None = None) -> Path:
    """A roster workbook: blank (the shipped template) or filled with ``units``."""
    rows = [[u.get("unit_code", ""), u.get("unit_name", ""), u.get("department") or "", u.get("contact") or "",
             u.get("phone") or ""] for u in units or []]
    return _sheet(Path(path), list(COLUMNS), rows, [14, 36, 24, 12, 16], "报送单位名册")


def write_codes(path: str | Path, issued: list[dict[str, Any]]) -> Path:
    """DIR/登录码-YYYY.xlsx: 单位编码, 单位名称, 登录码 — one row per unit given a code."""
    rows = [[u["unit_code"], u["unit_name"], u["code"]] for u in issued]
    return _sheet(Path(path), ["单位编码", "单位名称", "登录码"], rows, [14, 36, 20], "报送站登录码")
