"""What python-calamine does not tell about cells, read cheaply from the sheet XML itself.

calamine hands over values only: an error cell (``#REF!``) comes back as ``''``
(indistinguishable from a blank), a formula as its cached result (or ``''``
when none was saved), and no cell says what number format it has. The reader
needs all three: an error or a formula in an input cell is a finding, never a
silent blank, and ``25%`` typed the Excel way is stored as ``0.25`` in a cell
with a percent format.

:class:`CellScan` learns the sheet parts (``xl/workbook.xml`` + rels) and
the percent styles (``xl/styles.xml``) once per template (cached by the parts'
CRCs), then, per sheet asked for, finds the few ``<f>`` and ``t="e"`` cells
with byte searches; a cell's number format is looked up only when the reader
asks (a plan cell holding a fraction). No DOM is built. The sheet part is
inflated a second time (calamine inflated it already): ~10 KB per project sheet.

>>> is_percent_format('0.00%'), is_percent_format('0.00"%"'), is_percent_format('0\\\\%')
(True, False, False)
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from typing import BinaryIO

from .a1 import a1, parse_a1

#: Built-in number formats that are percent (ECMA-376 18.8.30): 0% and 0.00%.
_BUILTIN_PERCENT = frozenset({9, 10})

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix (x:c, Strict writers)
_SHEET = re.compile(rb"<" + _P + rb"sheet\b([^>]*)/?>")
_REL = re.compile(rb"<" + _P + rb"Relationship\b([^>]*)/?>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_NUMFMT = re.compile(rb"<" + _P + rb"numFmt\b([^>]*)/?>")
_CELLXFS = re.compile(rb"<" + _P + rb"cellXfs\b[^>]*>(.*?)</" + _P + rb"cellXfs>", re.S)
_XF_FMT = re.compile(rb"<" + _P + rb"xf\b(?:[^>]*?\bnumFmtId\s*=\s*[\"'](\d+)[\"'])?[^>]*>")
# a formula cell: the <c> start tag directly followed by its <f> (text captured when not shared-empty)
_FORMULA = re.compile(rb"<" + _P + rb"c\b([^>]*)(?<!/)>\s*<" + _P + rb"f\b([^>]*?)(?:/>|>([^<]*)</)")
_ERROR = re.compile(rb"<" + _P + rb"c\b([^>]*\bt\s*=\s*[\"']e[\"'][^>]*)(?<!/)>(.*?)</" + _P + rb"c>", re.S)
_VALUE = re.compile(rb"<" + _P + rb"v\b[^>]*>([^<]*)</")
_HT = re.compile(rb"""\sht\s*=\s*["']([\d.]+)["']""")
_DEFAULT_HT = re.compile(rb"""<(?:[\w-]+:)?sheetFormatPr\b[^>]*\bdefaultRowHeight\s*=\s*["']([\d.]+)["']""")


def _attrs(text: bytes) -> dict[str, str]:
    out = {}
    for name, dq, sq in _ATTR.findall(text):
        key = name.decode("ascii", "replace").rpartition(":")[2]
        out[key] = unescape((dq or sq).decode("utf-8", "replace"))
    return out


def is_percent_format(code: str) -> bool:
    """Whether a number format shows a number as percent (its first section has an unquoted ``%``)."""
    text = re.sub(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]', "", code)
    return "%" in text.split(";", 1)[0]


@dataclass
class CellKinds:
    """The cells of one sheet calamine cannot describe, by (row, col), 1-based."""

    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # formula as "=…"
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # "#REF!", "#DIV/0!", …
    xml: bytes = b""
    percent_styles: frozenset[bytes] = frozenset()

    def is_percent(self, row: int, col: int) -> bool | None:
        """Whether the cell has a percent number format; ``None`` when the sheet does not say.

        Looked up per cell, on demand: the reader asks only about a plan cell
        holding a fraction (0 < v ≤ 1), which is rare, so most files never pay.
        """
        if not self.xml:
            return None
        ref = a1(row, col).encode()
        for quote in (b'"', b"'"):
            pos = self.xml.find(b" r=" + quote + ref + quote)
            if pos != -1:
                break
        else:
            return None
        start = self.xml.rfind(b"<", 0, pos)
        tag = self.xml[start:self.xml.find(b">", pos)]
        m = _S.search(tag)
        return bool(m) and m.group(1) in self.percent_styles


#: Excel's row height where a row says none (15 pt for 11 pt text; the template's default)
DEFAULT_ROW_HEIGHT = 15.0


def row_height(xml: bytes, row: int) -> float | None:
    """The height (points) sheet ``xml`` gives ``row``: its ``ht``, else the sheet's default row height,
    else ``None`` (the application's default). Looked up on demand, for the few rows asked about."""
    for quote in (b'"', b"'"):
        pos = xml.find(b"<row r=" + quote + str(row).encode() + quote)
        if pos != -1:
            m = _HT.search(xml[pos:xml.find(b">", pos)])
            if m:
                return float(m.group(1))
            break
    m = _DEFAULT_HT.search(xml[:xml.find(b"<sheetData")])
    return float(m.group(1)) if m else None


def file_row_heights(path: str, rows: dict[str, set[int]]) -> dict[tuple[str, int], float | None]:
    """The heights the workbook at ``path`` gives ``rows`` (sheet → row numbers); an unreadable sheet gives none."""
    scan = CellScan(path)
    try:
        return {(sheet, r): row_height(scan.kinds(sheet).xml, r) for sheet, numbers in rows.items() for r in numbers}
    finally:
        scan.close()


class CellScan:
    """One workbook's sheets, each scanned when first asked for; ``kinds(name)``.

    The sheet map (workbook.xml + rels) and the percent styles (styles.xml) are
    cached by the parts' CRCs, read from the zip directory without inflating
    anything: every workbook made from one template shares them.
    """

    def __init__(self, path: str | BinaryIO):
        self.path = path  # a file name, or the workbook's bytes as a binary file (read once, never reopened)
        self._zip: zipfile.ZipFile | None = None
        self._parts: dict[str, str] | None = None
        self._percent: frozenset[bytes] = frozenset()
        self._kinds: dict[str, CellKinds] = {}

    def kinds(self, name: str) -> CellKinds:
        """The formula, error and percent-format cells of sheet ``name`` (empty when it cannot tell)."""
        if name not in self._kinds:
            try:
                self._kinds[name] = self._scan(name)
            except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, ValueError, EOFError):
                self._kinds[name] = CellKinds()  # calamine read it; what stops us here stops nothing else
        return self._kinds[name]

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __del__(self) -> None:
        self.close()

    def _scan(self, name: str) -> CellKinds:
        if self._parts is None:
            self._zip = zipfile.ZipFile(self.path)
            self._parts, self._percent = _workbook_facts(self._zip)
        part = self._parts.get(name)
        if part is None or self._zip is None:
            return CellKinds()
        return _sheet_kinds(_read(self._zip, part), self._percent)


def _read(zf: zipfile.ZipFile, name: str) -> bytes:
    """A part's bytes: deflated parts are inflated straight from the file (no ZipExtFile per part).

    calamine has read (and checked) the same part already; anything unusual goes through zipfile.
    """
    info = zf.getinfo(name)
    fp = zf.fp
    if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or info.flag_bits & 0x1 or fp is None:
        return zf.read(name)
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        return zf.read(name)
    skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    fp.seek(info.header_offset + 30 + skip)
    data = fp.read(info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        return data
    return zlib.decompress(data, -15)


def _crc(zf: zipfile.ZipFile, name: str) -> tuple[int, int] | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    return info.CRC, info.file_size


_FACTS: dict[tuple, tuple[dict[str, str], frozenset[bytes]]] = {}


def _workbook_facts(zf: zipfile.ZipFile) -> tuple[dict[str, str], frozenset[bytes]]:
    """Sheet name → part, and the percent styles; cached by the CRCs of the parts they come from."""
    key = (_crc(zf, "xl/workbook.xml"), _crc(zf, "xl/_rels/workbook.xml.rels"), _crc(zf, "xl/styles.xml"))
    if key in _FACTS:
        return _FACTS[key]
    names = set(zf.namelist())
    rels = {}
    if key[1] is not None:
        for m in _REL.finditer(zf.read("xl/_rels/workbook.xml.rels")):
            a = _attrs(m.group(1))
            target = a.get("Target", "")
            rels[a.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    parts = {}
    if key[0] is not None:
        for m in _SHEET.finditer(zf.read("xl/workbook.xml")):
            a = _attrs(m.group(1))
            part = rels.get(a.get("id"))
            if a.get("name") is not None and part in names:
                parts[a["name"]] = part
    percent = _percent_styles(zf.read("xl/styles.xml")) if key[2] is not None else frozenset()
    if len(_FACTS) > 64:
        _FACTS.clear()
    _FACTS[key] = (parts, percent)
    return parts, percent


def _percent_styles(styles: bytes) -> frozenset[bytes]:
    """The cell style indices (``s``) whose number format is a percent format."""
    percent_fmts = {str(i).encode() for i in _BUILTIN_PERCENT}
    for m in _NUMFMT.finditer(styles):
        a = _attrs(m.group(1))
        if is_percent_format(a.get("formatCode", "")) and a.get("numFmtId", "").isdigit():
            percent_fmts.add(a["numFmtId"].encode())
    xfs = _CELLXFS.search(styles)
    if not xfs:
        return frozenset()
    return frozenset(str(index).encode() for index, m in enumerate(_XF_FMT.finditer(xfs.group(1)))
                     if (m.group(1) or b"0") in percent_fmts)


def _sheet_kinds(xml: bytes, percent: frozenset[bytes]) -> CellKinds:
    out = CellKinds(xml=xml, percent_styles=percent)
    end = xml.find(b"</sheetData>")  # formulas of conditional formats and validations come after it
    if b"<c " in xml or b"<c>" in xml:  # unprefixed cells: find the few <f> directly (bytes.find is fast)
        pos = xml.find(b"<f", 0, end)
        while pos != -1:
            if xml[pos + 2:pos + 3] in (b" ", b">", b"/"):
                start = xml.rfind(b"<c", 0, pos)
                tag_end = xml.find(b">", start)
                if start != -1 and xml[tag_end - 1:tag_end] != b"/" and not xml[tag_end + 1:pos].strip():
                    _formula(out, xml[start + 2:tag_end], xml, pos)
            pos = xml.find(b"<f", pos + 2, end)
    else:  # a writer with namespace prefixes (x:c): the general scan
        for m in _FORMULA.finditer(xml):
            _formula(out, m.group(1), xml, m.start(2) - 2)
    if b'"e"' in xml or b"'e'" in xml:
        for m in _ERROR.finditer(xml):
            key = _ref(m.group(1))
            if key is not None:
                v = _VALUE.search(m.group(2))
                out.errors[key] = unescape(v.group(1).decode("utf-8", "replace")) if v and v.group(1) else "#错误"
    return out


def _formula(out: CellKinds, attrs: bytes, xml: bytes, pos: int) -> None:
    key = _ref(attrs)
    if key is None:
        return
    close = xml.find(b">", pos)
    text = b""
    if xml[close - 1:close] != b"/":
        end = xml.find(b"</", close)
        text = xml[close + 1:end] if end != -1 else b""
    formula = text.decode("utf-8", "replace").strip()
    if "&" in formula:
        formula = unescape(formula)
    out.formulas[key] = "=" + formula if formula else "=（公式）"


_S = re.compile(rb"""\bs\s*=\s*["'](\d+)["']""")
_R = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7})["']""")


@lru_cache(maxsize=4096)
def _ref(attrs: bytes | None) -> tuple[int, int] | None:
    if not attrs:
        return None
    m = _R.search(attrs)
    if m is None:
        return None
    return parse_a1((m.group(1) + m.group(2)).decode("ascii").upper())
