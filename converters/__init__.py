"""Document converters: published documents in, the official Word document out (format plugins).

Import (``jixiao import``): ``docx`` (python-docx), ``text`` (Markdown / tab-separated
text as PDF-to-text tools produce it), ``pdf`` (pdfplumber: the text layer, then the
text importer). Export (``jixiao export``): ``docx``, ``pdf`` (the docx through
LibreOffice), ``json`` (the model), ``csv`` (the indicator table). Heavy libraries
load only when their format is used, with an ``pip install jixiao[docs]`` message
when missing.
"""

from __future__ import annotations

import csv
import logging
import os
from decimal import Decimal
from pathlib import Path
from typing import Callable

from ..errors import JixiaoError, UnreadableFile
from ..fsutil import atomic_path
from ..forms.model import UnitWorkbook
from ..paths import not_regular
from .build import Imported
from .classified import redacted
from .legacy import LEGACY, import_legacy

SUFFIXES = {".docx": "docx", ".pdf": "pdf", ".txt": "text", ".md": "text", ".markdown": "text", ".xlsx": "xlsx",
            ".xlsm": "xlsx", ".html": "html", ".htm": "html", ".shtml": "html", ".mht": "html", ".mhtml": "html"}


def _import_text(path: Path) -> Imported:
    from .text import read_text

    return read_text(decode_text(path.read_bytes()))


def _import_html(path: Path) -> Imported:
    """A saved web page (.html, or .mht as one file), read by structure."""
    from .html_text import html_text, is_mime, mht_html
    from .text import read_text

    data, charset = path.read_bytes(), None
    if path.suffix.lower() in (".mht", ".mhtml") or is_mime(data):
        data, charset = mht_html(data)
    return read_text(html_text(data, charset))


def decode_text(data: bytes) -> str:
    """The text of a .txt/.md file as Windows Notepad saves it: UTF-8 (with or without BOM),
    "Unicode" (UTF-16 with BOM) or ANSI (GBK/GB18030). Binary content raises JX-D03."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile("无法读取文本文件：UTF-16 编码不完整（文件可能已损坏）") from exc
    if b"\x00" in data:  # no text encoding a clerk uses has NUL bytes, except UTF-16 without BOM
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text and any("\u4e00" <= ch <= "\u9fff" for ch in text):
                return text
        raise UnreadableFile("这不是文本文件（含二进制内容）：请导入 Word（.docx）、PDF 或文本（.txt）文件")
    for enc in ("utf-8-sig", "gb18030"):  # gb18030: text saved as ANSI on Chinese Windows
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("无法识别文本文件的编码（既不是 UTF-8 也不是 GBK）：请在记事本中“另存为”UTF-8 后再导入")


def _import_docx(path: Path) -> Imported:
    from .build import Unplaced
    from .docx import NotAPerformanceText, import_docx
    from .docx_text import docx_text
    from .text import read_text
    from .wordml import REVISIONS_NOTICE, has_revisions

    try:
        book, unplaced = import_docx(path)
        result = Imported(book, [Unplaced(u, kind="table") for u in unplaced], None)
    except NotAPerformanceText:
        notes: list[str] = []
        text = docx_text(path, notes)  # not jixiao's own layout: its paragraphs and tables as text, read by structure
        if text is None:
            raise
        try:
            result = read_text(text)
        except NotAPerformanceText as nothing:
            unread = [n for n in notes if n.kind != "read"]  # a pasted worksheet that could not be read: why
            if unread:
                raise NotAPerformanceText(f"{nothing}；{unread[0]}") from None
            raise
        result.unplaced[:0] = notes
    if has_revisions(path):  # what a reviewer changed is imported as changed: the clerk is to know
        result.unplaced.insert(0, Unplaced(REVISIONS_NOTICE, kind="read"))
    return result


def _import_xlsx(path: Path) -> Imported:
    """A workbook that is not jixiao's own (an 一体化 export, a county's own Excel form), read by structure."""
    from .text import read_text
    from .xlsx_text import xlsx_text

    return read_text(xlsx_text(path))


def _import_pdf(path: Path) -> Imported:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - optional
        raise JixiaoError("需要 pdfplumber 才能导入 PDF：请执行 pip install jixiao[docs]") from exc
    from .build import Unplaced
    from .docx import NotAPerformanceText
    from .pdf_text import pdf_lines
    from .text import read_text

    embedded = _embedded_model(path)
    if embedded is not None:
        return Imported(embedded, [], None)
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for a bad file
        raise UnreadableFile("无法读取 PDF：文件已损坏、已加密或不是 PDF 文件") from exc
    with pdf:
        lines, unruled = pdf_lines(pdf)
    pages = "、".join(dict.fromkeys(_pages(t) for t in unruled))
    refusal = (f"PDF 第 {pages} 页的表格没有框线，无法分清其中的行和列，未导入任何内容：请用原 Word / Excel "
               f"文件导入，或把带框线的表格另存为 PDF 后再导入")
    if not lines.strip():
        if unruled:
            raise NotAPerformanceText(refusal)
        raise UnreadableFile("PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）再导入")
    try:
        result = read_text(lines)
    except NotAPerformanceText:
        if unruled:
            raise NotAPerformanceText(refusal) from None
        raise
    if unruled and not _anything(result):
        raise NotAPerformanceText(refusal)
    # what was not read is said, table by table, so that the clerk fills it in by hand
    result.unplaced[:0] = [
        Unplaced(f"第 {_pages(t)} 页的表格没有框线，无法分清其中的行和列，{len(t.lines)} 行未导入"
                 f"（自“{t.lines[0][:30]}”起）：请据原文填写，或用原 Word / Excel 文件导入", span=len(t.lines))
        for t in unruled]
    return result


def _pages(table) -> str:
    return f"{table.page}–{table.last}" if table.last > table.page else str(table.page)


def _anything(result: Imported) -> bool:
    """Whether an import holds any content (a project, a 自评表, the 部门整体 part)."""
    if result.selfeval is not None:
        ev = result.selfeval
        return bool(ev.projects or ev.department.indicators or ev.department.initial_total is not None)
    book = result.book
    return bool(book.projects or book.overall or book.department.overall_goal or book.department.sub_targets
                or book.department.measures)


ATTACHMENT = "jixiao.json"


def _embedded_model(path: Path) -> UnitWorkbook | None:
    """The model a jixiao PDF carries as a file attachment (None for any other PDF)."""
    try:
        from pypdf import PdfReader

        # pypdf logs its repairs ("invalid pdf header", "EOF marker not found") in English to
        # the clerk's terminal; a bad file is reported once, in Chinese, by pdfplumber below
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        files = PdfReader(str(path)).attachments
    except Exception:  # noqa: BLE001 - no pypdf, or not a PDF it can read: use the tables
        return None
    if ATTACHMENT not in files:
        return None
    try:
        return UnitWorkbook.model_validate_json(files[ATTACHMENT][0])
    except ValueError:
        return None


IMPORTERS: dict[str, Callable] = {"docx": _import_docx, "text": _import_text, "pdf": _import_pdf, "xlsx": _import_xlsx,
                                  "html": _import_html}
IMPORTERS["legacy"] = lambda path: import_legacy(path, IMPORTERS)


_NOT_IMPORTED = dict.fromkeys((".zip", ".rar", ".7z"), "这是压缩包，不是文档本身：请先解压（右键 →“全部解压缩”），"
                                                     "再逐个导入其中的 Word（.docx）或 PDF 文档")


def detect(path: str | Path, fmt: str = "auto") -> str:
    if fmt != "auto":
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in LEGACY:
        return "legacy"  # .doc, .wps, .xls, .et: through LibreOffice's copy
    if suffix in _NOT_IMPORTED:
        raise UnreadableFile(_NOT_IMPORTED[suffix])
    if suffix not in SUFFIXES:
        raise UnreadableFile(f"无法识别的文件类型 {suffix or '（无扩展名）'}；请用 --format 指定 docx、pdf、xlsx、html 或 text")
    return SUFFIXES[suffix]


def import_document(path: str | Path, fmt: str = "auto") -> tuple[UnitWorkbook, list[str]]:
    """A published document as a model, and the list of what could not be placed."""
    result = import_any(path, fmt)
    return result.book, result.unplaced


def import_any(path: str | Path, fmt: str = "auto") -> Imported:
    """A published document: targets, unplaced lines, and the self-evaluation if it holds one."""
    try:
        reason = not_regular(os.stat(path))  # a FIFO or device named *.docx would block or never end
    except OSError:
        reason = None  # the importer says why it cannot open it
    if reason is not None:
        raise UnreadableFile(reason)
    return IMPORTERS[detect(path, fmt)](Path(path))


def export_json(book: UnitWorkbook, out: str | Path) -> Path:
    """The model as JSON that loads back (``UnitWorkbook.model_validate``); parsed values are left out."""
    book = redacted(book)
    with atomic_path(out) as tmp:
        tmp.write_text(book.model_dump_json(indent=2, exclude_computed_fields=True), encoding="utf-8")
    return Path(out)


def indicator_columns(book: UnitWorkbook) -> tuple[list[str], list[str], bool]:
    """The CSV's headers, its indicator fields and whether it has a 期间 column: from the project form.

    工作表, 项目编码 (where the form has one), 项目名称, 期间 (where the form states two periods:
    the national 中期 and 年度 tables), the form's own indicator columns in its order and labels
    (四川: 指标性质 … 权重, 指标方向性), then the value parsed into 运算符, 数值, 单位. On the Hebei
    form that is the table as it always was.
    """
    from ..forms.layouts import forms_of, has_field

    layout = forms_of(book).project
    block = layout.block("indicators")
    periods = len(layout.periods) > 1
    headers = ["工作表", *(["项目编码"] if has_field(layout, "code") else []), "项目名称", *(["期间"] if periods else []),
               *(c.label for c in block.columns), "运算符", "数值", "单位"]
    return headers, [c.name for c in block.columns], periods


def _cell(value) -> str | None:
    """A number as written (权重 10, not the 10.0 a float cell reads as)."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return None if value is None else str(value)


def export_csv(book: UnitWorkbook, out: str | Path) -> Path:
    """The indicator table (UTF-8 with BOM; formula-leading text neutralised), in the form's columns."""
    from ..consolidation.summary import neutralise  # also cleans control characters (JX-X02)
    from ..forms.layouts import forms_of, has_field

    book = redacted(book)
    headers, names, periods = indicator_columns(book)
    code = has_field(forms_of(book).project, "code")
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for p in book.projects:
            tables = [(period.label, getattr(p, "mid_indicators" if period.key == "mid" else "indicators") or [])
                      for period in forms_of(book).project.periods] if periods else [(None, p.indicators)]
            for label, indicators in tables:
                for ind in indicators:
                    parsed = ind.parsed()
                    row = [p.sheet, *([p.code] if code else []), p.name, *([label] if periods else []),
                           *(_cell(getattr(ind, n)) for n in names),
                           parsed.operator, _cell(parsed.number), parsed.unit]
                    writer.writerow([neutralise(v) for v in row])
    return Path(out)


def export_pdf(book: UnitWorkbook, out: str | Path) -> Path:
    """The Word document converted by LibreOffice (a clear message when it is not installed)."""
    import tempfile

    from ..excel.office import convert
    from .docx import export_docx

    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as tmp:
        name = Path(out).stem
        pdf = convert(export_docx(book, Path(tmp) / f"{name}.docx"), "pdf", tmp)
        with atomic_path(out) as target:
            target.write_bytes(_attach_model(pdf.read_bytes(), book))
    return Path(out)


def _attach_model(pdf: bytes, book: UnitWorkbook) -> bytes:
    """Embed the model as a file attachment (as e-invoices embed their XML): the printed form stays the
    same, and `jixiao import` of a jixiao PDF loses nothing, not even a line break inside a cell."""
    import io

    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:  # pragma: no cover - optional: the PDF is still right, only not lossless
        return pdf
    book = redacted(book)  # the attached model leaks no more than the printed pages
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(ATTACHMENT, book.model_dump_json(exclude_computed_fields=True).encode("utf-8"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def export_docx(book: UnitWorkbook, out: str | Path) -> Path:
    from .docx import export_docx as run

    return run(book, out)


EXPORTERS: dict[str, Callable[[UnitWorkbook, str | Path], Path]] = {
    "docx": export_docx, "pdf": export_pdf, "json": export_json, "csv": export_csv}
