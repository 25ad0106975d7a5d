"""Excel worksheets pasted into a Word document as objects (选择性粘贴 → Microsoft Excel 工作表 对象).

Many a 绩效目标表 in a Word 绩效文本 is such an object: Word shows a picture of the sheet, and the
document's own text holds nothing of it. The workbook is in the package (``word/embeddings/``), as an
.xlsx, or for an Excel 97-2003 object as an OLE file that LibreOffice converts like a .xls; its sheet
is read as :mod:`.xlsx_text` reads any workbook, where the object sits. Likewise an HTML part a web
system's "Word" export puts in place (``w:altChunk``), read as :mod:`.html_text` reads a page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import JixiaoError
from .build import Unplaced
from .legacy import is_excel_ole

O = "{urn:schemas-microsoft-com:office:office}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def objects(el) -> list[str]:
    """The relationship ids of the embedded objects in a paragraph (``o:OLEObject r:id``)."""
    return [o.get(R_ID) for o in el.iter(f"{O}OLEObject") if o.get(R_ID) and o.get("Type", "Embed") == "Embed"]


def sheet_lines(doc, rid: str, number: int, notes: list[str]) -> list[tuple[str, str]]:
    """The pipe rows of embedded object ``rid`` (the ``number``-th), each with where it sits, or none,
    with a note either way."""
    from .xlsx_text import xlsx_text

    part = doc.part.related_parts.get(rid)
    if part is None:
        return []
    name = str(part.partname).rsplit("/", 1)[-1]
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".bin"):
        return []  # a picture, a Word or PowerPoint object: not a form this reads
    which = f"文档中第 {number} 个嵌入的 Excel 表格对象"
    try:
        with tempfile.TemporaryDirectory(prefix="jixiao-embedded-") as tmp:
            path = Path(tmp) / f"object{number}{'.xls' if suffix == '.bin' else suffix}"
            path.write_bytes(part.blob)
            if suffix == ".bin":
                if not is_excel_ole(path):
                    return []  # an OLE object of another program
                from ..excel.office import convert

                path = convert(path, "xlsx", Path(tmp) / "xlsx")
            text = xlsx_text(path, active_only=True)
    except JixiaoError as exc:
        why = getattr(exc, "what", None) or str(exc)  # its own remedy is for a file the clerk has; this one is inside
        notes.append(Unplaced(f"{which}未能读取：{why}；可在 Word 中双击打开它，“另存为”.xlsx 后单独导入", kind="field"))
        return []
    notes.append(Unplaced(f"{which}已按其中的工作表导入（Word 中显示的是它的图片）", kind="read"))
    return [(line, f"{which}中{at}") for line, at in text.pieces()]


def chunk_lines(doc, el) -> list[tuple[str, str]]:
    """The lines of a ``w:altChunk``: an HTML (or .mht) part that Word lays out where it sits. Web systems
    write their "Word" exports so; the document's own text holds nothing of the form. Each with where it
    sits in the page."""
    from .html_text import html_text, mht_html

    part = doc.part.related_parts.get(el.get(R_ID))
    if part is None:
        return []
    kind = part.content_type.lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return html_text(part.blob).pieces()
    if kind in ("message/rfc822", "multipart/related"):
        return html_text(*mht_html(part.blob)).pieces()
    return []  # an RTF or .docx chunk: rare in these exports
