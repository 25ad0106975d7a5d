"""Word 97-2003 (.doc), WPS 文字 (.wps), Excel 97-2003 (.xls) and WPS 表格 (.et) documents, imported
through a .docx or .xlsx copy LibreOffice makes of them.

Older years' 绩效文本 and 一体化 exports are often in these formats; asking the clerk to re-save
each one was the only way before. The copy is made in a temporary folder (the input is only read)
and the import says it went through LibreOffice. A file that is a .docx or .xlsx under an old name
(a web site's download) is read as what it is. Without LibreOffice the import says how to re-save
the file, as before.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from ..errors import JixiaoError, UnreadableFile
from ..forms.grid import OLE_MAGIC, is_encrypted_ole
from .build import Imported, Unplaced

_SAVE_WORD = "请在 Word 或 WPS 中“另存为”Word 文档（.docx）或 PDF 后再导入"
_SAVE_EXCEL = "请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再导入"

#: suffix → (what the file is, said to the clerk, the format LibreOffice converts it to, how to re-save it by hand)
LEGACY = {".doc": ("这是旧版 Word 文档（.doc）", "docx", _SAVE_WORD),
          ".wps": ("这是 WPS 文字文档（.wps）", "docx", _SAVE_WORD),
          ".xls": ("这是旧版 Excel 工作簿（.xls）", "xlsx", _SAVE_EXCEL),
          ".et": ("这是 WPS 表格文件（.et）", "xlsx", _SAVE_EXCEL),
          ".ett": ("这是 WPS 表格模板（.ett）", "xlsx", _SAVE_EXCEL)}


def zipped_as(path: Path) -> str | None:
    """``docx`` or ``xlsx`` when the file is one of these whatever its name says, else None."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (OSError, zipfile.BadZipFile):
        return None
    return "docx" if "word/document.xml" in names else "xlsx" if "xl/workbook.xml" in names else None


def _refusal(what: str, save: str, why: str = "") -> UnreadableFile:
    return UnreadableFile(f"{what}，无法直接导入：{save}{why}")


#: the stream an OLE file of each kind holds (WPS's own formats are not checked)
_STREAMS = {".doc": ("WordDocument",), ".xls": ("Workbook", "Book")}


def ole_streams(path: Path) -> set[str] | None:
    """The stream names of an OLE file (``Workbook`` for Excel 97-2003), None when it cannot be parsed."""
    import olefile  # msoffcrypto-tool's dependency

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return {"/".join(entry) for entry in ole.listdir()}
    except Exception:  # noqa: BLE001 - olefile raises its own types for a damaged file
        return None


def is_excel_ole(path: Path) -> bool:
    """An OLE file of Excel 97-2003 (a .xls, or an Excel object embedded in Word)."""
    return bool((ole_streams(path) or set()) & set(_STREAMS[".xls"]))


def _ole_problem(path: Path) -> str | None:
    """Why LibreOffice should not be asked to convert the file (said after the remedy), or None."""
    try:
        with path.open("rb") as fh:
            if fh.read(8) != OLE_MAGIC:
                return "（文件内容也不是 Word 或 Excel 的格式）"
            fh.seek(0)
            if is_encrypted_ole(fh):
                return "（文件设置了打开密码：请先在 Word、Excel 或 WPS 中取消密码）"
    except OSError as exc:
        return f"（无法读取：{exc.strerror or exc}）"
    streams = ole_streams(path)
    if streams is None:
        return "（文件已损坏）"
    wanted = _STREAMS.get(path.suffix.lower())
    if wanted and not streams & set(wanted):
        return "（文件已损坏，或是别的格式改了扩展名）"
    return None


def _is_html(path: Path) -> bool:
    from .html_text import looks_like_html

    try:
        with path.open("rb") as fh:
            return looks_like_html(fh.read(200000))
    except OSError:
        return False


def import_legacy(path: Path, importers: dict) -> Imported:
    """Import ``path`` (a suffix of :data:`LEGACY`) through LibreOffice's copy of it."""
    from ..excel.office import convert, soffice, writer_missing

    what, to, save = LEGACY[path.suffix.lower()]
    inside = zipped_as(path)
    if inside is not None:
        result = importers[inside](path)
        result.unplaced.insert(0, Unplaced(f"文件名是 {path.suffix}，内容其实是 .{inside} 文件，已按 .{inside} 导入",
                                           kind="read"))
        return result
    problem = _ole_problem(path)
    if problem and _is_html(path):  # an "Excel" export that is a web page's table, a Word page saved as .doc
        result = importers["html"](path)
        result.unplaced.insert(0, Unplaced(f"文件名是 {path.suffix}，内容其实是网页（HTML）表格，已按网页导入", kind="read"))
        return result
    if problem:
        raise _refusal(what, save, problem)
    if soffice() is None or to == "docx" and writer_missing():
        raise _refusal(what, save, "（未安装 LibreOffice，无法自动转换）")
    with tempfile.TemporaryDirectory(prefix="jixiao-import-") as tmp:
        try:
            copy = convert(path, to, tmp)
        except JixiaoError as exc:
            raise _refusal(what, save, f"（LibreOffice 转换失败：{exc}；文件可能已加密或损坏）") from exc
        result = importers[to](copy)
    result.unplaced.insert(0, Unplaced(f"{what}：已用 LibreOffice 转为 .{to} 后导入，版式复杂处请核对",
                                       kind="read"))
    return result
