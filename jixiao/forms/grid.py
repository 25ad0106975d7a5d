"""The grid seam: every cell engine hands the reader the same thing.

A :class:`Grid` is a workbook seen as named sheets of values; a
:class:`SheetData` is one sheet read in bulk (one call per sheet, never one per
cell, which is what a live xlwings book needs too). Engines:

- ``calamine`` — python-calamine, the fast reader (values only);
- ``openpyxl`` — slower, but tells formulas from values;
- ``xlwings`` — a live book or an xlwings JSON payload (see :mod:`jixiao.addin`).

Engines whose library is missing are simply not registered.

>>> grid = open_grid("tests/data/foreign.xlsx")  # doctest: +SKIP
>>> grid.sheet("Sheet1").value(1, 1)             # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import io
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable

from ..errors import UnreadableFile
from ..oserror import os_reason
from ..paths import WORKBOOK_SUFFIXES, NotRegularFile, open_regular, shown


@dataclass
class SheetData:
    """One sheet's values, 1-based access; ``None`` for an empty cell."""

    name: str
    rows: list[list[Any]]
    formulas: set[tuple[int, int]] = field(default_factory=set)
    state: str = "visible"  # visible | hidden | veryHidden
    #: cells holding an error value, with its text (``#REF!``): an engine may give them as blank
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    #: the formula text of formula cells (calamine; ``formulas`` holds those whose result is unknown)
    formula_text: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (row, col) → whether the cell has a percent number format; ``None``: the engine cannot see formats
    percent_format: Callable[[int, int], bool | None] | None = None

    def value(self, row: int, col: int) -> Any:
        """The value at (row, col), ``None`` when empty or outside the data."""
        if row < 1 or col < 1 or row > len(self.rows):
            return None
        line = self.rows[row - 1]
        if col > len(line):
            return None
        v = line[col - 1]
        return None if v == "" else v

    def is_formula(self, row: int, col: int) -> bool:
        return (row, col) in self.formulas

    def shown(self, row: int, col: int) -> str | None:
        """What an error or formula cell holds (``#REF!``, ``=E4+G4``), ``None`` for any other cell."""
        key = (row, col)
        if key in self.errors:
            return self.errors[key]
        if key in self.formulas:
            return self.formula_text.get(key) or str(self.value(row, col) or "=（公式）")
        return None

    def is_percent(self, row: int, col: int) -> bool | None:
        """Whether the cell is formatted as percent (``0%``, ``0.00%``); ``None`` when not known."""
        return None if self.percent_format is None else self.percent_format(row, col)

    @property
    def max_row(self) -> int:
        return len(self.rows)


class Grid:
    """A workbook as named sheets, loaded lazily one sheet at a time."""

    def __init__(self, names: list[str], loader: Callable[[str], SheetData], *,
                 states: dict[str, str] | None = None, source: str | None = None):
        self.sheet_names = list(names)
        self._loader = loader
        self._cache: dict[str, SheetData] = {}
        self.states = states or {}
        self.source = source

    def has(self, name: str) -> bool:
        return name in self.sheet_names

    def sheet(self, name: str) -> SheetData:
        if name not in self._cache:
            self._cache[name] = self._loader(name)
        return self._cache[name]

    @classmethod
    def from_sheets(cls, sheets: Iterable[SheetData], source: str | None = None) -> "Grid":
        """A grid over sheets already in memory (tests, xlwings payloads)."""
        by_name = {s.name: s for s in sheets}
        return cls(list(by_name), by_name.__getitem__,
                   states={n: s.state for n, s in by_name.items()}, source=source)


# --- recognising what a file is ----------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def encrypted() -> UnreadableFile:
    """A workbook with an open password: what it is, and what to do (any workbook, a unit's or a roster)."""
    return UnreadableFile("工作簿设置了打开密码", "请在 Excel 或 WPS 中打开它，取消打开密码并保存后再使用", general=True)


#: Reading stops before inflating a workbook whose parts would exceed these (zip bombs).
#: A unit workbook inflates to well under 5 MB; set JIXIAO_MAX_UNZIPPED_MB for larger files.
MAX_PART_MB = int(os.environ.get("JIXIAO_MAX_UNZIPPED_MB", "200"))
MAX_RATIO = 200  # inflated / compressed, for parts over 10 MB


def check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse a workbook whose declared part sizes are out of all proportion (a zip bomb)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 10 * 2**20 and ratio > MAX_RATIO:
            raise UnreadableFile(f"文件中的 {info.filename} 解压后过大（压缩比 {ratio:.0f}:1），疑似压缩炸弹，已停止读取")
    if total > MAX_PART_MB * 2**20:
        raise UnreadableFile(f"文件解压后超过 {MAX_PART_MB} MB，已停止读取（可用环境变量 JIXIAO_MAX_UNZIPPED_MB 调整）")


def sniff(path: str | Path, *, deep: bool = True) -> None:
    """Raise :class:`UnreadableFile` with the reason a clerk can act on, or return for a readable .xlsx.

    ``deep=False`` looks at the first bytes only (cheap, done before every read);
    the zip directory is checked when an engine has failed, to say why.
    """
    with open_input(path) as fh:
        _sniff(fh, deep=deep, path=path)


def check_readable(path: str | Path, *, xls: bool = False) -> None:
    """Raise :class:`UnreadableFile` with the reason a clerk can act on, or return for a file the engines
    read: an .xlsx, and with ``xls=True`` an old .xls too (calamine reads it as it is; a roster may be one).

    The name is looked at first (Excel's ``~$`` lock file, a WPS .et), then the bytes (:func:`sniff`).
    """
    named = by_name(path)
    if named:
        raise named
    with open_input(path) as fh:
        if xls and fh.read(8).startswith(OLE_MAGIC):
            fh.seek(0)
            if is_encrypted_ole(fh):
                raise encrypted()
            return
        _sniff(fh, deep=True, path=path)


def open_input(path: str | Path) -> BinaryIO:
    """Open a workbook file to read it: a regular file only (a FIFO or a device named ``*.xlsx``
    would block or never end), without blocking; every failure is :class:`UnreadableFile`."""
    try:
        return open_regular(path)
    except NotRegularFile as exc:
        raise UnreadableFile(exc.strerror) from exc
    except OSError as exc:
        raise UnreadableFile(f"无法打开文件：{os_reason(exc)}", general=True) from exc


def by_name(path: str | Path | None) -> UnreadableFile | None:
    """What a file that is no workbook is, by its name, when the name says more than the bytes: Excel's
    lock file beside an open workbook (``~$单位.xlsx``), or a WPS 表格 file (.et, an OLE file like a .xls).
    The error is returned, to be raised or shown; its remedy fits any workbook."""
    if path is None:
        return None
    name = Path(path).name
    if name.startswith("~$"):
        return UnreadableFile(f"“{name}”是 Excel 或 WPS 打开工作簿时生成的临时锁定文件，不是工作簿本身",
                              "请选择同一文件夹中不带“~$”的那个工作簿（先在 Excel 中保存并关闭它）", general=True)
    if Path(name).suffix.lower() in (".et", ".ett"):
        return UnreadableFile("这是 WPS 表格的 .et 文件，不是 Excel 工作簿",
                              "请在 WPS 中打开它，“另存为”“Microsoft Excel 文件(*.xlsx)”，再使用另存的文件", general=True)
    return None


def _sniff(fh: BinaryIO, *, deep: bool, path: str | Path | None = None) -> None:
    """:func:`sniff` on an open file (left at an unspecified position); ``path`` names it, for the reason."""
    fh.seek(0)
    head = fh.read(8)
    if not head:
        raise UnreadableFile("文件是空的（0 字节）")
    if head.startswith(OLE_MAGIC):
        fh.seek(0)
        if is_encrypted_ole(fh):
            raise encrypted()
        raise by_name(path) or UnreadableFile("这是旧版 .xls（Excel 97-2003）文件", "请在 Excel 中另存为 .xlsx 后再提交")
    if not head.startswith(b"PK"):
        raise by_name(path) or UnreadableFile("不是 Excel 工作簿（.xlsx）文件，可能是其他格式改了扩展名")
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as zf:  # reads the directory only: cheap, and before anything inflates
            check_zip(zf)
            names = set(zf.namelist())
            check_not_strict(zf, names)
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("文件已损坏或不完整（不是有效的 .xlsx 压缩包）", "请重新导出", general=True) from exc
    if not deep:
        return
    if "xl/workbook.xml" not in names:
        books = _zipped_books(fh)
        if books:  # a folder zipped (on Windows, say)
            inside = "、".join(books[:3]) + (f" 等 {len(books)} 个" if len(books) > 3 else "")
            raise UnreadableFile(f"这是装有工作簿的压缩包（其中有 {inside}），不是工作簿本身",
                                 "请先解压（右键 →“全部解压缩”），再选择其中的工作簿", general=True)
        for part, what in _OTHER_OFFICE.items():  # a Word or PowerPoint file renamed .xlsx
            if part in names:
                raise UnreadableFile(f"这是 {what}，只是扩展名改成了 .xlsx，不是 Excel 工作簿", "请提交填好的单位工作簿")
        raise UnreadableFile("压缩包里没有 Excel 工作簿内容，可能是 Word 文档或其他文件")


def _zipped_books(fh: BinaryIO) -> list[str]:
    """The workbooks in a zip, by their file names as the clerk knows them: a zip made on Chinese
    Windows stores them in GBK without saying so (Python reads such a name as CP437)."""
    fh.seek(0)
    found = []
    with zipfile.ZipFile(fh) as zf:
        for info in zf.infolist():
            base = member_name(info).rsplit("/", 1)[-1]
            if base.lower().endswith(WORKBOOK_SUFFIXES) and not base.startswith("~$"):
                found.append(base)
    return found


def member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's path as the clerk knows it, with ``/`` between folders: a zip made on Chinese Windows
    stores names in GBK without saying so (Python reads such a name as CP437), and may use ``\\``."""
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: the bytes as written, UTF-8 or else GBK
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            raw = None
        if raw is not None:
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                name = raw.decode("gbk", "replace")
    return name.replace("\\", "/")


#: the main part of another Office format → what it is, in the words a clerk uses
_OTHER_OFFICE = {"word/document.xml": "Word 文档", "ppt/presentation.xml": "PowerPoint 演示文稿"}


STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def check_not_strict(zf: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse a "Strict Open XML" workbook (JX-D03): openpyxl sees no sheets in it, so copies would be wrong.

    Only the start of ``xl/workbook.xml`` is inflated (its root element names the namespace).
    """
    if "xl/workbook.xml" not in names:
        return
    try:
        with zf.open("xl/workbook.xml") as fh:
            head = fh.read(2048)
    except (OSError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError):
        return  # a damaged part: the engine that reads it says so
    if STRICT_NS in head:
        raise UnreadableFile("这是“严格 Open XML”格式（Strict Open XML）的工作簿，jixiao 不支持；"
                             "请在 Excel 中“另存为”→ 保存类型选“Excel 工作簿(*.xlsx)”后再提交")


def is_encrypted_ole(fh: BinaryIO) -> bool:
    try:
        import msoffcrypto
    except ImportError:  # pragma: no cover - a declared dependency
        return False
    try:
        return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # noqa: BLE001 - a broken OLE file is simply "not encrypted"
        return False


# --- engines -------------------------------------------------------------------

def _calamine_grid(path: str | Path, fh: BinaryIO) -> Grid:
    from python_calamine import CalamineWorkbook

    from .cellscan import CellScan

    fh.seek(0)
    data = fh.read()  # read once: calamine and the cell scan share the bytes, the file is never reopened
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))  # the file checked, whatever its name's bytes
    except Exception as exc:  # calamine raises its own types (PasswordError, …)
        if type(exc).__name__ == "PasswordError":
            raise encrypted() from exc
        raise UnreadableFile(f"无法读取工作簿：{exc}") from exc
    states = {}
    for meta in wb.sheets_metadata:
        visible = str(getattr(meta, "visible", "Visible"))
        states[meta.name] = ("veryHidden" if "Very" in visible
                             else "hidden" if "Hidden" in visible else "visible")

    scan = CellScan(io.BytesIO(data))  # what calamine does not say: errors, formulas, number formats

    def load(name: str) -> SheetData:
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merges = sheet.merged_cell_ranges or []
        except Exception as exc:  # noqa: BLE001
            raise UnreadableFile(f"无法读取工作表“{name}”：{exc}") from exc
        fill_merged(rows, merges)
        kinds = scan.kinds(name)
        # a formula whose result was saved reads as that result (what the sheet shows, and what --fix keeps);
        # one without a saved result is no value at all: it must not read as a blank
        unknown = {k for k in kinds.formulas if _blank(rows, k)}
        return SheetData(name, rows, unknown, state=states.get(name, "visible"),
                         errors=kinds.errors, formula_text=kinds.formulas, percent_format=kinds.is_percent)

    return Grid(list(wb.sheet_names), load, states=states, source=shown(path))


def _blank(rows: list[list[Any]], key: tuple[int, int]) -> bool:
    row, col = key
    return row > len(rows) or col > len(rows[row - 1]) or rows[row - 1][col - 1] in ("", None)


def fill_merged(rows: list[list[Any]], merges: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Give every cell of a merged range its top-left value, as the merge means it (0-based ranges).

    calamine returns '' inside a merge; a 依据 merged over four indicator rows
    applies to all four, not to the first only.
    """
    n = len(rows)
    for (r1, c1), (r2, c2) in merges:
        if r1 >= n or c1 >= len(rows[r1]):
            continue
        top = rows[r1][c1]
        if top == "" or (r1 == r2 and c1 == c2):
            continue
        end = c2 + 1
        for r in range(r1, min(r2, n - 1) + 1):
            row = rows[r]
            if len(row) < end:
                row.extend([""] * (end - len(row)))
            row[c1:end] = [top if v == "" else v for v in row[c1:end]]


def _openpyxl_grid(path: str | Path, fh: BinaryIO) -> Grid:
    import openpyxl

    from .cellscan import is_percent_format

    try:  # read-only reads lazily: from the bytes, not from a file that may change meanwhile
        wb = openpyxl.load_workbook(io.BytesIO(fh.read()), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise UnreadableFile(f"无法读取工作簿：{exc}") from exc
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}

    def load(name: str) -> SheetData:
        ws = wb[name]
        rows: list[list[Any]] = []
        formulas: set[tuple[int, int]] = set()
        errors: dict[tuple[int, int], str] = {}
        percent: set[tuple[int, int]] = set()
        try:
            for r, row in enumerate(ws.iter_rows(), start=1):
                values = []
                for c, cell in enumerate(row, start=1):
                    v = getattr(cell, "value", None)
                    kind = getattr(cell, "data_type", None)
                    if kind == "f":
                        formulas.add((r, c))
                    elif kind == "e":
                        errors[(r, c)] = str(v)
                    elif kind == "n" and v is not None and "%" in (getattr(cell, "number_format", None) or ""):
                        if is_percent_format(cell.number_format):
                            percent.add((r, c))
                    values.append(v)
                rows.append(values)
        except Exception as exc:  # noqa: BLE001 - e.g. defusedxml refusing an external entity
            raise UnreadableFile(f"工作表“{name}”的内容无法安全读取（{type(exc).__name__}）", "请重新导出后再提交") from exc
        return SheetData(name, rows, formulas, state=states.get(name, "visible"), errors=errors,
                         percent_format=lambda row, col: (row, col) in percent)

    return Grid(wb.sheetnames, load, states=states, source=shown(path))


# An engine is registered when its library is installed; it is imported only when
# used (openpyxl alone costs ~0.1 s of start-up that `jixiao consolidate` does not need).
ENGINES: dict[str, Callable[[str | Path, BinaryIO], Grid]] = {
    name: fn for name, module, fn in (("calamine", "python_calamine", _calamine_grid),
                                      ("openpyxl", "openpyxl", _openpyxl_grid))
    if importlib.util.find_spec(module) is not None}


def load_for_edit(path: str | Path, *, keep_vba: bool = False):
    """A full openpyxl workbook to write a copy of (annotate, fix, totals), with the same checks as reading.

    ``keep_vba`` keeps a macro workbook's VBA project, buttons and content type (pass it only for one).
    """
    import openpyxl

    with open_input(path) as fh:
        _sniff(fh, deep=True, path=path)
        fh.seek(0)
        try:
            return openpyxl.load_workbook(fh, keep_vba=keep_vba)
        except Exception as exc:  # noqa: BLE001 - openpyxl and defusedxml raise many types
            raise UnreadableFile(f"无法读取工作簿：{type(exc).__name__}: {exc}") from exc


def open_grid(path: str | Path, engine: str = "calamine") -> Grid:
    """Open a workbook file with an engine; unreadable files raise :class:`UnreadableFile`."""
    if engine not in ENGINES:
        raise UnreadableFile(f"读取引擎 {engine} 不可用（可用：{', '.join(ENGINES)}）")
    with open_input(path) as fh:  # opened once: checked, sniffed and read as the same file
        _sniff(fh, deep=False, path=path)
        fh.seek(0)
        try:
            return ENGINES[engine](path, fh)
        except UnreadableFile:
            _sniff(fh, deep=True, path=path)  # a clearer reason when there is one (corrupt zip, a Word file …)
            raise
