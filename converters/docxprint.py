"""How the official documents print (issue 17): the page, the fonts, page numbers, the 目录 field.

Data and small python-docx helpers shared by the 绩效文本 (:mod:`.docx`) and the
自评报告 (:mod:`.selfeval_docx`). The conventions are those of Chinese government
documents (GB/T 9704-2012, 党政机关公文格式) as the seeds follow them:

* A4 portrait, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
* body in 仿宋_GB2312 三号 (16 pt), fixed line spacing (28 pt), first line indented two
  characters; 一级标题 黑体, 二级标题 楷体_GB2312, titles 方正小标宋简体;
* page numbers in the footer as "— 1 —" (a PAGE field);
* the 目录 a real TOC field: Word refreshes it on opening (``w:updateFields``), and the
  result written in the file already holds the page numbers, measured by a first
  LibreOffice render (:func:`toc_pages`), because LibreOffice does not refresh a TOC field
  when it converts.

Each font is named in ``w:eastAsia`` (what CJK text uses) with its usual Windows
fallback in the document's font table (``w:altName``): a machine without 仿宋_GB2312 (most
Windows 10 installs) uses 仿宋, without 楷体_GB2312 楷体, without 方正小标宋简体 宋体.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: (the font the document names, its fallback) — CJK fonts by role
BODY = ("仿宋_GB2312", "仿宋")
HEI = ("黑体", "SimHei")
KAI = ("楷体_GB2312", "楷体")
TITLE = ("方正小标宋简体", "宋体")
PAGE_NO = ("宋体", "SimSun")
FALLBACKS = dict((BODY, HEI, KAI, TITLE, PAGE_NO))

MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_PT, LINE_PT = 16, 28  # 三号, 22 lines on a page
TABLE_PT = 10.5  # 五号: the form tables
A4_MM = (210, 297)
TEXT_WIDTH_MM = A4_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm
LANDSCAPE_TEXT_WIDTH_MM = A4_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]  # 225 mm (margins turned)
CELL_MARGIN_MM = 1.0
ROW_PT = 22  # a form row's least height: one line of 五号 with room, as the sheets' rows

#: the paragraph styles of the documents: (name, font, size pt, bold, centred, outline level or None);
#: ASCII names, so that the style ids Word derives from them are plain
STYLES = {
    "title": ("jixiao Title", TITLE, 22, False, True, None),
    "part": ("Heading 1", HEI, 16, False, True, 0),  # 第一部分 …: in the 目录
    "h1": ("Heading 2", HEI, 16, False, False, 1),  # 一、… and the project tables: in the 目录
    "h2": ("Heading 3", KAI, 16, False, False, 2),  # （一）…
    "h3": ("jixiao Heading 4", BODY, 16, True, False, None),  # 1. …
    "toc_title": ("jixiao TOC Title", TITLE, 22, False, True, None),
    "table": ("jixiao Table Text", BODY, TABLE_PT, False, False, None),
    "note": ("jixiao Table Note", BODY, 12, False, False, None),
}


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _el(tag: str, **attrs: str):
    from docx.oxml import OxmlElement

    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(_qn(key), value)
    return el


#: the schema's order of the children this module adds (Word refuses a file with them out of order)
_ORDER = {
    "w:pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
              "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
              "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "w:tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"),
    "w:tcPr": ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
               "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"),
    "w:sectPr": ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                 "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                 "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                 "w:printerSettings", "w:sectPrChange"),
    "w:settings": ("w:savePreviewPicture", "w:doNotValidateAgainstSchema", "w:saveInvalidXml",
                   "w:ignoreMixedContent", "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml",
                   "w:saveXmlDataOnly", "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags",
                   "w:alwaysMergeEmptyNamespace", "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr",
                   "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                   "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                   "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown",
                   "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags",
                   "w:decimalSymbol", "w:listSeparator"),
}


def put(parent, child, parent_tag: str):
    """Insert ``child`` into ``parent`` (replacing one of its kind) where the schema's order wants it."""
    order = _ORDER[parent_tag]
    tag = child.tag
    for old in parent.findall(tag):
        parent.remove(old)
    names = [_qn(t) if ":" in t and not t.startswith(("m:", "sl:")) else t for t in order]
    if tag in names:
        later = set(names[names.index(tag) + 1:])
        for i, existing in enumerate(parent):
            if existing.tag in later:
                parent.insert(i, child)
                return child
    parent.append(child)
    return child


def set_fonts(rpr, font: tuple[str, str]) -> None:
    """Name ``font`` for CJK text (``w:eastAsia``) and for Latin text and digits alike."""
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(_qn(attr), font[0])
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(_qn(attr), None)


def run_font(run, font: tuple[str, str], size: float | None = None, bold: bool | None = None) -> None:
    from docx.shared import Pt

    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    set_fonts(run._element.get_or_add_rPr(), font)


# --- the document: page, styles, font table, settings ----------------------------------------

def setup_document(doc) -> None:
    """A4 portrait with the official margins, the styles, the font fallbacks, and fields refreshed on opening."""
    setup_section(doc.sections[0])
    _styles(doc)
    _font_table(doc)
    settings = doc.settings.element
    # Word asks once to update the fields when it opens the file: the 目录 gets Word's own page numbers
    put(settings, _el("w:updateFields", **{"w:val": "true"}), "w:settings")


def setup_section(section, landscape: bool = False) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    short, long_ = Mm(A4_MM[0]), Mm(A4_MM[1])
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long_, short) if landscape else (short, long_)
    m = MARGINS_MM
    if landscape:  # the page turned: the binding edge stays the long one
        section.top_margin, section.bottom_margin = Mm(m["right"]), Mm(m["left"])
        section.left_margin, section.right_margin = Mm(m["top"]), Mm(m["bottom"])
    else:
        section.top_margin, section.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        section.left_margin, section.right_margin = Mm(m["left"]), Mm(m["right"])
    section.footer_distance = Mm(20 if not landscape else 12)
    section.header_distance = Mm(15 if not landscape else 10)


def _styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element.get_or_add_rPr(), BODY)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = True
    ind = normal.element.get_or_add_pPr()
    _indent_chars(ind, 2)
    for key, (name, font, size, bold, centred, level) in STYLES.items():
        try:
            style = doc.styles[name]
        except KeyError:
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
        style.font.size, style.font.bold, style.font.italic = Pt(size), bold, False
        style.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(style.element.get_or_add_rPr(), font)
        pf = style.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else None
        pf.space_before = pf.space_after = Pt(0)
        pf.keep_with_next = key not in ("table", "note")
        if key in ("table", "note"):  # fixed too: a row as tall as its lines, whatever the font
            pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(round(size * 1.35))
        else:
            pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(max(LINE_PT, size * 1.5))
        _indent_chars(style.element.get_or_add_pPr(), 2 if key in ("h1", "h2", "h3") else 0)
        if level is not None:
            put(style.element.get_or_add_pPr(), _el("w:outlineLvl", **{"w:val": str(level)}), "w:pPr")
    for level in (1, 2):  # the 目录's own lines (Word's built-in names, so Word's TOC uses them)
        try:
            style = doc.styles[f"toc {level}"]
        except KeyError:
            style = doc.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
        set_fonts(style.element.get_or_add_rPr(), BODY)
        style.font.size = Pt(BODY_PT if level == 1 else 14)
        _indent_chars(style.element.get_or_add_pPr(), 0, left_chars=0 if level == 1 else 2)
        style.paragraph_format.tab_stops.add_tab_stop(
            _text_width_emu(), alignment=2, leader=1)  # right-aligned, dot leader


def _text_width_emu() -> int:
    from docx.shared import Mm

    return Mm(TEXT_WIDTH_MM)


def _indent_chars(ppr, first: int, left_chars: int = 0) -> None:
    """First-line indent in characters (w:firstLineChars: 100 a character), as Word's 首行缩进 2 字符."""
    attrs = {"w:firstLineChars": str(first * 100), "w:firstLine": str(first * BODY_PT * 20)}
    if left_chars:
        attrs |= {"w:leftChars": str(left_chars * 100), "w:left": str(left_chars * BODY_PT * 20)}
    put(ppr, _el("w:ind", **attrs), "w:pPr")


def _font_table(doc) -> None:
    """Each font the document names, with the font Word falls back on where it is not installed."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt in FALLBACKS.items():
        for old in root.findall(_qn("w:font")):
            if old.get(_qn("w:name")) == name:
                root.remove(old)
        font = etree.SubElement(root, _qn("w:font"))
        font.set(_qn("w:name"), name)
        etree.SubElement(font, _qn("w:altName")).set(_qn("w:val"), alt)
        etree.SubElement(font, _qn("w:charset")).set(_qn("w:val"), "86")  # GB2312
        etree.SubElement(font, _qn("w:family")).set(_qn("w:val"), "modern" if name in ("仿宋_GB2312", "楷体_GB2312")
                                                     else "roman")
        etree.SubElement(font, _qn("w:pitch")).set(_qn("w:val"), "fixed" if "GB2312" in name else "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- paragraphs and fields --------------------------------------------------------------------

def paragraph(doc_or_cell, text: str = "", kind: str | None = None, *, align: str | None = None,
              indent: bool = True):
    """A paragraph in one of :data:`STYLES` (or the body style), its text XML-safe."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from ..forms.textsafe import xml_text

    p = doc_or_cell.add_paragraph(style=STYLES[kind][0] if kind else None)
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    if not indent or align in ("center", "right"):
        _indent_chars(p._p.get_or_add_pPr(), 0)
    if text:
        p.add_run(xml_text(text))
    return p


def add_field(p, instr: str, result: str = "", font: tuple[str, str] | None = None, size: float | None = None):
    """A complex field (begin / instruction / separate / result / end) at the end of paragraph ``p``."""
    def run(*children):
        r = p.add_run()
        if font:
            run_font(r, font, size)
        for child in children:
            r._r.append(child)
        return r

    run(_el("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"}))
    instr_el = _el("w:instrText")
    instr_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr_el.text = f" {instr} "
    run(instr_el)
    run(_el("w:fldChar", **{"w:fldCharType": "separate"}))
    r = p.add_run(result)
    if font:
        run_font(r, font, size)
    run(_el("w:fldChar", **{"w:fldCharType": "end"}))


def page_number_footer(section, start: int | None = None) -> None:
    """The footer "— 1 —", centred, 四号宋体 (a PAGE field); numbering restarts at ``start``."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section.footer.is_linked_to_previous = False
    p = section.footer.paragraphs[0]
    p.text = ""
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _indent_chars(p._p.get_or_add_pPr(), 0)
    run_font(p.add_run("— "), PAGE_NO, 14)
    add_field(p, "PAGE", "1", PAGE_NO, 14)
    run_font(p.add_run(" —"), PAGE_NO, 14)
    if start is not None:
        put(section._sectPr, _el("w:pgNumType", **{"w:start": str(start), "w:fmt": "decimal"}), "w:sectPr")


def no_footer(section) -> None:
    """A section without page numbers (the cover and the 目录)."""
    section.footer.is_linked_to_previous = False
    for p in section.footer.paragraphs:
        p.text = ""


def new_section(doc, landscape: bool = False):
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    for old in section._sectPr.findall(_qn("w:pgNumType")):  # copied from the previous section: numbering goes on
        section._sectPr.remove(old)
    setup_section(section, landscape)
    return section


def spacer(doc):
    """An empty paragraph 1 pt high (between the two tables of one form)."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph(style=STYLES["table"][0])
    fmt = p.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(1)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.keep_with_next = True
    return p


# --- the 目录 ---------------------------------------------------------------------------------

@dataclass
class TocEntry:
    level: int  # 1: 第一部分 …, 2: 一、… and each project table
    text: str
    page: int | None = None


def add_toc(doc, entries: list[TocEntry]) -> None:
    """A TOC field over the 目录's lines: Word rebuilds it from the headings when it opens the file;
    LibreOffice prints the lines as written here (with the page numbers :func:`toc_pages` measured)."""
    from ..forms.textsafe import xml_text

    if not entries:
        return
    paras = []
    for entry in entries:
        p = doc.add_paragraph(style=f"toc {entry.level}")
        paras.append((p, entry))
    first, last = paras[0][0], paras[-1][0]
    # begin … separate in the first line, end after the last line's page number
    begin = first.add_run()
    begin._r.append(_el("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"}))
    instr = first.add_run()
    el = _el("w:instrText")
    el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    el.text = ' TOC \\o "1-2" \\h \\z \\u '
    instr._r.append(el)
    first.add_run()._r.append(_el("w:fldChar", **{"w:fldCharType": "separate"}))
    for p, entry in paras:
        p.add_run(xml_text(entry.text))
        p.add_run()._r.append(_el("w:tab"))
        p.add_run("" if entry.page is None else str(entry.page))
    last.add_run()._r.append(_el("w:fldChar", **{"w:fldCharType": "end"}))


_PAGE_NO = re.compile(r"—\s*(\d+)\s*—")


def printed_pages(pdf: Path) -> list[tuple[int | None, str]]:
    """Each page of a PDF: the number its footer prints ("— 3 —", None without one) and its text."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    pages = []
    for i in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        numbers = _PAGE_NO.findall(text)
        pages.append((int(numbers[-1]) if numbers else None, text))
    return pages


def toc_pages(pdf: Path, entries: list[TocEntry]) -> list[TocEntry]:
    """The entries with the printed page number of the page where each heading first stands
    (after the 目录 itself, in order: a heading is looked for from the previous one's page on)."""
    from ..forms.values import squeeze

    pages = printed_pages(pdf)
    start = next((i for i, (number, _) in enumerate(pages) if number is not None), len(pages))
    out, at = [], start
    for entry in entries:
        key = squeeze(entry.text)
        found = next((i for i in range(at, len(pages)) if key in squeeze(pages[i][1])), None)
        if found is not None:
            at = found
        out.append(TocEntry(entry.level, entry.text, pages[found][0] if found is not None else None))
    return out


# --- the text a clerk meant -----------------------------------------------------------------------

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_SOFT_BREAK = re.compile(rf"(?<=[{_CJK}，、（(“])[ \t]*\n[ \t]*(?=[{_CJK}，。、；：）)”%])")
_LIST_START = re.compile(r"^\s*(\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)")


def as_meant(text: str, *, one_line: bool = False) -> str:
    """Text without the line breaks a published PDF's text layer left inside words (``完成维稳任↵务``).

    ``one_line`` (codes, names, 一/二/三级指标: what JX-X01 cleans) drops every break and space, as
    the JX-X01 fix does. Otherwise a break between two Chinese characters goes when the line
    before does not end a sentence and the next does not start a numbered item (``1.``, ``（二）``):
    a clerk's own line breaks between items stay.
    """
    if not text or "\n" not in text and not one_line:
        return text
    if one_line:
        return "".join(text.split())
    lines = text.split("\n")
    out = lines[0]
    for line in lines[1:]:
        soft = (out and line and re.search(rf"[{_CJK}，、（(“]\s*$", out) and not re.search(r"[。；;：:！？!?]\s*$", out)
                and re.match(rf"\s*[{_CJK}，。、；：）)”%]", line) and not _LIST_START.match(line))
        out = out.rstrip() + line.lstrip() if soft else out + "\n" + line
    return out


# --- form tables ---------------------------------------------------------------------------------

def cell_setup(cell, *, center: bool = False, right: bool = False, bold: bool = False, nowrap: bool = False,
               size: float | None = None) -> None:
    """Alignment (vertically centred always), weight, and no wrapping for codes and amounts."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for p in cell.paragraphs:
        p.alignment = (WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.RIGHT if right
                       else WD_ALIGN_PARAGRAPH.LEFT)
        for r in p.runs:
            if bold:
                r.font.bold = True
            if size is not None:
                r.font.size = Pt(size)
    if nowrap:
        put(cell._tc.get_or_add_tcPr(), _el("w:noWrap"), "w:tcPr")


def table_setup(table, widths_mm: list[float], header_rows: int = 0, row_height_pt: float = 0) -> None:
    """Fixed column widths (Word and LibreOffice both honour a fixed layout with a tblGrid),
    narrow cell margins, rows never split across pages (and at least ``row_height_pt`` tall),
    the first ``header_rows`` repeated on each continued page."""
    from docx.shared import Mm

    tbl = table._tbl
    tblpr = tbl.tblPr
    put(tblpr, _el("w:tblW", **{"w:w": str(round(sum(widths_mm) * 56.6929)), "w:type": "dxa"}), "w:tblPr")
    put(tblpr, _el("w:tblLayout", **{"w:type": "fixed"}), "w:tblPr")
    mar = _el("w:tblCellMar")
    for side in ("left", "right"):
        mar.append(_el(f"w:{side}", **{"w:w": str(round(CELL_MARGIN_MM * 56.6929)), "w:type": "dxa"}))
    put(tblpr, mar, "w:tblPr")
    grid = tbl.tblGrid
    for col, width in zip(grid.findall(_qn("w:gridCol")), widths_mm):
        col.set(_qn("w:w"), str(round(width * 56.6929)))
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        if trpr.find(_qn("w:cantSplit")) is None:
            trpr.append(_el("w:cantSplit"))
        if row_height_pt and trpr.find(_qn("w:trHeight")) is None:
            trpr.append(_el("w:trHeight", **{"w:val": str(round(row_height_pt * 20)), "w:hRule": "atLeast"}))
    for row in list(table.rows)[:header_rows]:
        row._tr.get_or_add_trPr().append(_el("w:tblHeader"))
    for col_index, width in enumerate(widths_mm):
        for cell in table.columns[col_index].cells:
            cell.width = Mm(width)


def text_width_pt(text: str, size: float) -> float:
    """How wide ``text`` prints at most at ``size`` pt: a Chinese character 1 em, a digit or Latin letter
    0.64 em (0.5 em in 仿宋 itself; 0.64 em in DejaVu Sans, where a machine without 仿宋 draws them)."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.64 for ch in text)


def fitting_size(text: str, width_mm: float, size: float = TABLE_PT, smallest: float = 8) -> float:
    """The largest size from ``size`` down that prints ``text`` on one line in a cell ``width_mm`` wide."""
    room = (width_mm - 2 * CELL_MARGIN_MM) / 25.4 * 72 - 1
    while size > smallest and text_width_pt(text, size) > room:
        size -= 0.5
    return size


def widths_mm(layout_widths: tuple[float, ...] | list[float], total_mm: float) -> list[float]:
    """The layout's column widths (character units, as the sheets use them) scaled to ``total_mm``."""
    total = sum(layout_widths)
    return [w / total * total_mm for w in layout_widths]


def spans_width(widths: list[float], c1: int, c2: int) -> float:
    return sum(widths[c1:c2 + 1])

