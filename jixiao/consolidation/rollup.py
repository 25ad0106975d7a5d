"""Roll-up of county summaries: a summary workbook among ``jixiao consolidate``'s inputs.

A city consolidates its counties' summaries (and a province its cities') without the units'
workbooks. What makes that exact is the summary's own records, in its very hidden sheet
``_jixiao_summary`` (written with every summary, see :func:`meta_rows`):

- row 1: ``jixiao-summary``, the format version, and a JSON header (the county's name from
  ``--county``, the year, ``found``, whether it is itself a roll-up, the row counts);
- one ``unit`` row per consolidated unit, in the summary's order: the record consolidation
  decided with (money as exact decimal strings, counts, findings by code, project codes,
  填表日期, the unit file's time and size);
- one ``evaluation`` row per 自评表, one ``rejected`` row per file not consolidated (with the
  unit, 填表日期 and year of a JX-D01 loser, so the roll-up can decide JX-D01 again).

A JSON text longer than a cell holds is split over the row's next cells.

The rows themselves (项目清单, 指标明细, 校验问题) are read from the visible sheets, sliced by
each unit's row counts: as XML, each row given its 县区 cell and otherwise copied as written, when
the sheets are as jixiao wrote them (rows without positions); cell by cell otherwise (a summary
saved again by Excel) and for ``--csv-dir``; a sheet whose rows do not match the records (edited in Excel, rows
sorted or deleted) makes the whole summary not consolidated, with the reason. The findings
consolidation made (JX-D01 / JX-D02, the rows after the units' own in 校验问题) are not read:
the roll-up decides them again over all counties, as consolidating every unit at once would.
Money comes from the records, never from a cell (cells hold floats once read).

Read in a worker, like a unit workbook: :func:`read_summary` returns one record for the file
(``status`` ``summary``) with every unit's record and rows already rendered in the roll-up's
layout (县区 first).
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .records import MONEY, UnitRecord, rejected, schedule_row, unit_row
from .sheets import (
    INDICATORS, ISSUES, META, PROJECTS, REJECTED, ROW_OPEN, SCHEDULE, STYLES, UNITS, Link, plain, render_row,
)
from .xlsxstream import DamagedCache, compress, text_cell

MARK = "jixiao-summary"
FORMAT = 1
_PIECE = 32000  # characters of JSON per cell (Excel's limit is 32,767)

OLD_SUMMARY = ("这是 jixiao 汇总表，但缺少逐级汇总所需的记录（由旧版本生成）：请该县区用当前版本重新汇总后"
               "再上报，本文件未纳入汇总")
CHANGED = ("这是 jixiao 汇总表，但其中“{sheet}”的行与汇总时的记录不一致（可能在 Excel 中排序、删除或改动过行）："
           "请该县区重新汇总后再上报，本文件未纳入汇总")
UNREADABLE = "这是 jixiao 汇总表，但其记录无法读取（{why}）：请该县区重新汇总后再上报，本文件未纳入汇总"


def _pieces(kind: str, data: Any) -> list[str]:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return [kind, *(text[i:i + _PIECE] for i in range(0, len(text), _PIECE))]


def meta_rows(county) -> Any:
    """The hidden sheet's rows (lists of texts) for the summary of ``county`` (a :class:`.summary.County`)."""
    own = {"projects": 0, "indicators": 0, "issues": 0}
    for u in county.units:
        own["projects"] += u.summary["rows"].get(PROJECTS, 0)
        own["indicators"] += u.summary["rows"].get(INDICATORS, 0)
        own["issues"] += u.summary["rows"].get(ISSUES, 0)
    header = {"format": FORMAT, "county": county.name, "year": county.year, "found": county.found,
              "rollup": county.rollup, "units": len(county.units), "evaluations": len(county.evaluations),
              "rejected": len(county.rejected), "rows": own}
    yield [MARK, str(FORMAT), json.dumps(header, ensure_ascii=False)]
    for u in county.units:
        yield _pieces("unit", {k: v for k, v in u.summary.items() if k != "links"})
    for e in county.evaluations:
        yield _pieces("evaluation", e)
    for r in county.rejected:
        yield _pieces("rejected", r)


def summary_header(path: str | os.PathLike) -> dict[str, Any] | None:
    """The header of a jixiao summary's records (``county``, ``rollup``, …), or None for any other file."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(os.fspath(path))
        if META not in wb.sheet_names:
            return None
        first = wb.get_sheet_by_name(META).to_python(nrows=1)
        return json.loads(first[0][2]) if first and first[0][0] == MARK else None
    except Exception:  # noqa: BLE001 - not a summary that can be read: not one
        return None


def _joined(row: list[Any]) -> Any:
    return json.loads("".join(str(c) for c in row[1:] if c not in (None, "")))


def _value(v: Any) -> Any:
    """A cell as calamine reads it → as the summary wrote it: numbers were Decimals or ints."""
    if v == "":
        return None
    if v.__class__ is float:
        return int(v) if v.is_integer() else Decimal(repr(v))
    return v


def county_name(header: dict[str, Any], name: str) -> str:
    """A county's name: as given to ``--county`` when it was consolidated, else the summary file's name."""
    given = header.get("county")
    if given:
        return str(given)
    stem = os.path.splitext(os.path.basename(name))[0]
    return stem


def read_summary(path: str, name: str, stat: os.stat_result, tables: bool,
                 targets: dict[str, Decimal]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A summary workbook's record for a roll-up; a rejected record when it is a summary that cannot be
    rolled up (an old one, or one whose rows were changed); ``None`` when it is not a summary at all."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(path)
        names = set(wb.sheet_names)
    except Exception:  # noqa: BLE001 - not a workbook calamine can open: not a summary
        return None
    if META not in names:
        if {UNITS, PROJECTS, REJECTED} <= names:
            return rejected(name, "JX-D03", OLD_SUMMARY, stat), {}
        return None
    try:
        meta = wb.get_sheet_by_name(META).to_python()
        if not meta or meta[0][0] != MARK:
            return rejected(name, "JX-D03", OLD_SUMMARY, stat), {}
        header = json.loads(meta[0][2])
        if int(header.get("format", 0)) > FORMAT:
            return rejected(name, "JX-D03", "这是较新版本 jixiao 生成的汇总表：请升级 jixiao 后再汇总，"
                                            "本文件未纳入汇总", stat), {}
        records: dict[str, list[Any]] = {"unit": [], "evaluation": [], "rejected": []}
        for row in meta[1:]:
            if row and row[0] in records:
                records[row[0]].append(_joined(row))
    except (ValueError, KeyError, IndexError, TypeError, json.JSONDecodeError) as exc:
        return rejected(name, "JX-D03", UNREADABLE.format(why=f"{type(exc).__name__}: {exc}"), stat), {}
    except Exception as exc:  # noqa: BLE001 - calamine's own errors
        return rejected(name, "JX-D03", UNREADABLE.format(why=f"{type(exc).__name__}: {exc}"), stat), {}
    if len(records["unit"]) != header.get("units") or len(records["rejected"]) != header.get("rejected"):
        return rejected(name, "JX-D03", UNREADABLE.format(why="记录数不符"), stat), {}
    here = county_name(header, name)
    inner = bool(header.get("rollup"))  # a roll-up itself: its rows have 县区 first already

    def county_of(record: dict[str, Any]) -> str:
        below = record.get("county") if inner else None
        return f"{here}/{below}" if below else here

    try:
        if tables:
            raise NotOurs("the tables need the values")
        with _Streams(path) as streams:  # rows as written: each gets its 县区 cell, the rest is copied
            made = _as_xml(records["unit"], streams, county_of, inner, targets)
    except NotOurs:  # saved by another program (or --csv-dir): cell by cell
        try:
            data = {sheet: wb.get_sheet_by_name(sheet).to_python() for sheet in (PROJECTS, INDICATORS, ISSUES)}
        except Exception as exc:  # noqa: BLE001 - calamine's own errors
            return rejected(name, "JX-D03", UNREADABLE.format(why=f"{type(exc).__name__}: {exc}"), stat), {}
        made = _by_cell(records["unit"], data, county_of, inner, targets, tables)
    if isinstance(made, str):
        return rejected(name, "JX-D03", CHANGED.format(sheet=made), stat), {}
    units, unit_blobs, at = made
    own = header.get("rows", {})
    if at[PROJECTS] != own.get("projects") or at[INDICATORS] != own.get("indicators"):
        return rejected(name, "JX-D03", UNREADABLE.format(why="行数不符"), stat), {}
    for e in records["evaluation"]:
        e["county"] = county_of(e)
    for r in records["rejected"]:
        r["county"] = county_of(r)
    summary = {"path": name, "status": "summary", "size": stat.st_size, "mtime": stat.st_mtime,
               "county": here, "year": header.get("year"), "found": header.get("found"), "units": units,
               "evaluations": records["evaluation"], "rejected": records["rejected"]}
    return summary, {"units": unit_blobs}


def _cell(text: str) -> str:
    """A text cell as :func:`.sheets.render_row` writes it (an empty one for no text)."""
    return text_cell(text, STYLES.text) if text else f'<c s="{STYLES.text}"/>'


Made = tuple[list[dict[str, Any]], list[dict[str, bytes]], dict[str, int]]


def _finish(record: dict[str, Any], county: str, blobs: dict[str, bytes], targets: dict[str, Decimal],
            units: list[dict[str, Any]], unit_blobs: list[dict[str, bytes]]) -> None:
    """A unit's own 单位汇总 and 支出计划汇总 rows, made from its record (they hold nothing else)."""
    u = UnitRecord("", record)
    blobs[UNITS] = _pack(UNITS, [[county, *unit_row(u)]])
    blobs[SCHEDULE] = _pack(SCHEDULE, [[county, *schedule_row(u, targets)]])
    units.append(record)
    unit_blobs.append(blobs)


def _as_xml(records: list[dict[str, Any]], streams: "_Streams", county_of, inner: bool,
            targets: dict[str, Decimal]) -> Made | str:
    """Each unit's rows as the summary holds them, its 县区 cell put first (in place of the inner
    roll-up's); the sheet's name when a unit's rows are not where its record says."""
    units: list[dict[str, Any]] = []
    unit_blobs: list[dict[str, bytes]] = []
    at = dict.fromkeys((PROJECTS, INDICATORS, ISSUES), 0)
    for record in records:
        county = county_of(record)
        old = (_cell(record.get("county") or "") if inner else "").encode("utf-8")
        expect = old + _cell(record["unit"]["code"] or "").encode("utf-8")
        head = _cell(county).encode("utf-8")
        blobs: dict[str, bytes] = {}
        for sheet in (PROJECTS, INDICATORS, ISSUES):
            n = record["rows"].get(sheet, 0)
            part = streams.take(sheet, n)
            at[sheet] += n
            # a row opens with <row>, or with its height when a long text wraps in it (kept as it was)
            opens = [ROW_OPEN.match(r) for r in part]
            if len(part) != n or not all(m and r.startswith(expect, m.end()) for m, r in zip(opens, part)):
                return sheet
            if n:
                raw = b"".join([r[:m.end()] + head + r[m.end() + len(old):] + b"</row>"
                                for m, r in zip(opens, part)])
                blobs[sheet] = compress(raw, rows=n, level=3).pack()
        _finish({**record, "county": county}, county, blobs, targets, units, unit_blobs)
    return units, unit_blobs, at


def _by_cell(records: list[dict[str, Any]], data: dict[str, list[list[Any]]], county_of, inner: bool,
             targets: dict[str, Decimal], tables: bool) -> Made | str:
    """:func:`_as_xml` from the cells' values (rendered again; the links made again from the records)."""
    units: list[dict[str, Any]] = []
    unit_blobs: list[dict[str, bytes]] = []
    skip = 1 if inner else 0
    at = dict.fromkeys((PROJECTS, INDICATORS, ISSUES), 0)
    for record in records:
        county = county_of(record)
        code = record["unit"]["code"] or ""
        rows: dict[str, list[list[Any]]] = {}
        for sheet in (PROJECTS, INDICATORS, ISSUES):
            n = record["rows"].get(sheet, 0)
            part = data[sheet][1 + at[sheet]:1 + at[sheet] + n]
            at[sheet] += n
            if len(part) != n or any(str(_value(r[skip]) or "") != str(code) for r in part):
                return sheet
            rows[sheet] = [[county, *map(_value, r[skip:])] for r in part]
        links = []
        for i, row in enumerate(rows[PROJECTS]):  # the link to the unit's sheet, as the unit's worker made it
            if record.get("linked", True) is False:
                continue  # a file shown by a name that is no path (see listing.labelled): no link
            row[-1] = link = Link(record["path"], row[3])
            if not link.fits():
                links.append([i, link.target()])
        record = {**record, "county": county}
        record.pop("links", None)
        if links:
            record["links"] = links
        blobs = {sheet: _pack(sheet, rows[sheet]) for sheet in (PROJECTS, INDICATORS, ISSUES) if rows[sheet]}
        if tables:
            table = {sheet: [[plain(v) for v in row] for row in rows[sheet]] for sheet in (PROJECTS, INDICATORS, ISSUES)}
            blobs["table"] = zlib.compress(json.dumps(table, ensure_ascii=False, default=str).encode("utf-8"), 1)
        _finish(record, county, blobs, targets, units, unit_blobs)
    return units, unit_blobs, at


class NotOurs(Exception):
    """A sheet's rows are not as jixiao writes them (positions, shared strings: saved by another program)."""


_SHEET = re.compile(r"<sheet\b[^>]*>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_BLOCK = 1 << 20


class _Streams:
    """The data rows of 项目清单, 指标明细 and 校验问题 as XML, streamed from the zip (a county's rows are
    never all in memory), each row without its ``</row>``. Raises :class:`NotOurs` for a sheet whose
    rows are not jixiao's own (``<row>`` without a position)."""

    def __init__(self, path: str):
        try:
            self.zf = zipfile.ZipFile(path)
            book = self.zf.read("xl/workbook.xml").decode("utf-8")
            rels = self.zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
            ids = {}
            for element in _SHEET.findall(book):
                attrs = dict(_ATTR.findall(element))
                ids[attrs.get("name")] = attrs.get("r:id")
            targets = {}
            for element in re.findall(r"<Relationship\b[^>]*>", rels):
                attrs = dict(_ATTR.findall(element))
                targets[attrs.get("Id")] = attrs.get("Target", "")
            self.fh, self.buf, self.rows, self.ended = {}, {}, {}, {}
            for sheet in (PROJECTS, INDICATORS, ISSUES):
                target = targets[ids[sheet]]
                self.fh[sheet] = self.zf.open(target.lstrip("/") if target.startswith("/") else "xl/" + target)
                self.buf[sheet], self.rows[sheet], self.ended[sheet] = b"", [], False
                while b"<sheetData>" not in self.buf[sheet] and not self.ended[sheet]:
                    self._read(sheet, split=False)
                before, found, after = self.buf[sheet].partition(b"<sheetData>")
                if not found or not after.startswith(b'<row r="1"'):
                    raise NotOurs(sheet)
                self.buf[sheet] = after
                self._split(sheet)
                self.take(sheet, 1, header=True)
        except (OSError, KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            self.close()
            raise NotOurs(str(exc)) from exc
        except NotOurs:
            self.close()
            raise

    def _read(self, sheet: str, split: bool = True) -> None:
        data = self.fh[sheet].read(_BLOCK)
        if not data:
            self.ended[sheet] = True
        self.buf[sheet] += data
        if split:
            self._split(sheet)

    def _split(self, sheet: str) -> None:
        parts = self.buf[sheet].split(b"</row>")
        self.buf[sheet] = parts.pop()
        self.rows[sheet].extend(parts)

    def take(self, sheet: str, n: int, header: bool = False) -> list[bytes]:
        """The next ``n`` rows (fewer at the end of the sheet's data)."""
        rows = self.rows[sheet]
        while len(rows) < n and not self.ended[sheet] and b"</sheetData>" not in self.buf[sheet]:
            self._read(sheet)
        part, self.rows[sheet] = rows[:n], rows[n:]
        if not header and not all((m := ROW_OPEN.match(r)) and r.startswith(b"<c ", m.end()) for r in part):
            raise NotOurs(sheet)  # (a row of the end, past </sheetData>, does not start so either)
        return part

    def close(self) -> None:
        for fh in getattr(self, "fh", {}).values():
            fh.close()
        if hasattr(self, "zf"):
            self.zf.close()

    def __enter__(self) -> "_Streams":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _pack(sheet: str, rows: list[list[Any]]) -> bytes:
    raw = "".join(render_row(sheet, r, True) for r in rows).encode("utf-8")
    return compress(raw, rows=len(rows), level=3).pack()


def unit_keys(key: str, record: dict[str, Any]) -> list[str]:
    """The cache keys of a county summary's units (its record holds only how many)."""
    return [f"{key}#{i}" for i in range(record["n_units"])]


@dataclass
class RolledUp:
    """What the county summaries among the inputs bring (see :mod:`.rollup`)."""

    summaries: list[str] = field(default_factory=list)  # the summaries rolled up
    counties: list[str] = field(default_factory=list)  # their 县区
    units: list[UnitRecord] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)  # carried over, each with its county
    #: the counties' JX-D01 losers, decided again beside every other county's files
    ghosts: list[UnitRecord] = field(default_factory=list)
    ghost_evaluations: list[dict[str, Any]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    found: int = 0  # files the counties found
    source: dict[int, str] = field(default_factory=dict)  # id of each unit, 自评表, row, ghost → its summary
    about: dict[str, tuple[Any, int, Any, Any]] = field(default_factory=dict)  # summary → year, found, size, mtime

    def other_years(self, year: int | None) -> tuple[list[dict[str, Any]], set[int]]:
        """Summaries of another budget year than ``year`` are not rolled up: each is listed once (JX-D04),
        not unit by unit (last year's summary left among this year's files, say). Returns their rows
        and the ids of what they brought (dropped here)."""
        drop = {p for p, (y, *_) in self.about.items() if year is not None and y is not None and y != year}
        if not drop:
            return [], set()
        gone = {i for i, p in self.source.items() if p in drop}
        for name in ("units", "evaluations", "rejected", "ghosts", "ghost_evaluations"):
            setattr(self, name, [o for o in getattr(self, name) if id(o) not in gone])
        kept = [i for i, p in enumerate(self.summaries) if p not in drop]
        self.summaries, self.counties = [self.summaries[i] for i in kept], [self.counties[i] for i in kept]
        rows = []
        for p in sorted(drop):
            y, found, size, mtime = self.about[p]
            self.found -= found
            rows.append({**rejected(p, "JX-D04", f"汇总表为 {y} 年度，本次汇总的是 {year} 年度，本文件未纳入汇总"),
                         "size": size, "mtime": mtime})
        return rows, gone


def _ghost(r: dict[str, Any]) -> dict[str, Any]:
    """A county's JX-D01 loser as a candidate again: its 未纳入文件 row is made anew (or kept, ``ghost``)."""
    return {"path": r["path"], "status": "selfeval" if r.get("of") == "selfeval" else "ok", "size": r["size"],
            "mtime": r["mtime"], "county": r.get("county"), "money": ["0"] * len(MONEY), "ghost": r,
            "unit": {"code": r.get("unit_code"), "name": r.get("unit_name"), "year": r.get("year"),
                     "fill_date": r.get("fill_date")}}


SAME_SUMMARY = "与 {other} 包含相同的单位文件（同一县区的汇总表提交了两次？），本文件未纳入汇总"


ALSO_GIVEN = ("其中的单位文件 {path} 也直接在本次的输入中：同一文件不能既按汇总表又按单位工作簿汇总，"
              "请只提交汇总表或只提交单位文件，本文件未纳入汇总")


def roll_up(cache: Any, summaries: list[tuple[str, dict[str, Any]]], listed: Any = ()) -> RolledUp:
    """The county summaries among a run's files (key, record), expanded from the cache (:class:`.cache.Cache`);
    ``listed``: the other files of the run (a summary holding one of them is not rolled up)."""
    out = RolledUp()
    seen: dict[str, str] = {}  # a unit file's path → the summary it came in
    for key, s in sorted(summaries, key=lambda item: item[1]["path"]):
        parts = unit_keys(key, s)
        records = cache.summaries(parts)
        if len(records) != len(parts):
            raise DamagedCache("a county summary's units are missing from the cache")
        paths = [records[k]["path"] for k in parts] + [r["path"] for r in s["rejected"]]
        given = next((p for p in paths if p in listed), None)
        if given is not None:
            out.rejected.append({**rejected(s["path"], "JX-D01", ALSO_GIVEN.format(path=given)),
                                 "size": s["size"], "mtime": s["mtime"]})
            out.keys.update(parts)
            continue
        twice = next((seen[p] for p in paths if p in seen), None)
        if twice is not None:  # the same county's summary twice: its units are not JX-D01 against themselves
            out.rejected.append({**rejected(s["path"], "JX-D01", SAME_SUMMARY.format(other=twice)),
                                 "size": s["size"], "mtime": s["mtime"]})
            out.keys.update(parts)  # kept: the next run finds it as now
            continue
        seen.update(dict.fromkeys(paths, s["path"]))
        out.summaries.append(s["path"])
        out.counties.append(s["county"])
        out.found += s["found"]
        out.keys.update(parts)
        out.about[s["path"]] = (s.get("year"), s["found"], s["size"], s["mtime"])
        brought: list[Any] = [UnitRecord(k, records[k]) for k in parts]
        out.units += brought
        out.evaluations += s["evaluations"]
        brought += s["evaluations"]
        for r in s["rejected"]:
            if r["code"] == "JX-D01" and "fill_date" in r and (r.get("unit_code") or r.get("unit_name")):
                ghost = _ghost(r)
                if ghost["status"] == "selfeval":
                    out.ghost_evaluations.append(ghost)
                    brought.append(ghost)
                else:
                    out.ghosts.append(UnitRecord("", ghost))
                    brought.append(out.ghosts[-1])
            else:
                out.rejected.append(r)
                brought.append(r)
        out.source.update(dict.fromkeys(map(id, brought), s["path"]))
    return out
