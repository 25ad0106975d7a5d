"""A web page as text the structural importer reads.

Counties publish their 绩效目标表 and 自评表 on their sites as HTML tables, and a clerk keeps last
year's by saving the page (网页, 全部 → .html; 单个文件 → .mht), or gets an "Excel" export that is an
HTML table under a .xls name. Paragraphs and headings become lines; each table row one pipe row
(``| a | b |``), as :mod:`.docx_text` writes a Word table: a cell spanning columns is one cell, the rows a
cell spans downwards have an empty cell in its place (the reader carries the value down), lines
inside a cell are joined by ``<br>``, and a table nested in a cell follows the row it sits in. Scripts,
styles and the page's ``<head>`` are not read.
"""

from __future__ import annotations

import email
import email.policy
import re
from html.parser import HTMLParser

from ..errors import UnreadableFile

_SKIP = {"script", "style", "noscript", "head", "template", "svg", "object", "iframe"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
          "footer", "center", "blockquote", "pre", "dd", "dt", "form", "caption", "address", "hr", "nav", "main"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr", "source", "param", "embed"}


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[tuple[str, int, int]]] = []  # (text, rowspan, colspan)
        self.after: list[list[str]] = []  # per row: nested tables' lines
        self.cell: list[str] | None = None
        self.span = (1, 1)

    def lines(self) -> list[str]:
        """The rows as pipe rows; a rowspan's later rows get an empty cell where it began."""
        below: dict[int, tuple[int, int]] = {}  # grid column → (rows still covered from above, its colspan)
        out: list[str] = []
        for r, row in enumerate(self.rows):
            cells: list[str] = []
            col = 0
            queue = list(row)
            while queue or any(c >= col for c in below):
                if col in below:  # under a cell from a row above: its place, empty
                    left, width = below[col]
                    cells.append("")
                    if left > 1:
                        below[col] = (left - 1, width)
                    else:
                        del below[col]
                    col += width
                elif queue:
                    text, rowspan, colspan = queue.pop(0)
                    cells.append(text.replace("|", "｜"))
                    if rowspan > 1:
                        below[col] = (rowspan - 1, colspan)
                    col += colspan
                else:
                    col = min(c for c in below if c >= col)
            out.append("| " + " | ".join(cells) + " |")
            for nested in self.after[r] if r < len(self.after) else ():
                out += nested
        return out


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.skipping: list[str] = []
        self.tables: list[_Table] = []

    # text ---------------------------------------------------------------------------------------
    def _put(self, text: str) -> None:
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.append(text)
        elif table is None:
            self.line.append(text)
        # text between a table's cells (whitespace, a stray word outside any <td>) is no cell's

    def _break(self) -> None:
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.append("\n")
        elif table is None:
            text = re.sub(r"\s+", " ", "".join(self.line)).strip()
            if text:
                self.lines.append(text)
            self.line = []

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._put(data.replace("\xa0", " ").replace("\u3000", " "))

    # tags ---------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs) -> None:
        if self.skipping:
            if tag == self.skipping[-1] and tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _SKIP:
            self.skipping.append(tag)
            return
        if tag == "table":
            self._break()
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self._close_cell()
            self.tables[-1].rows.append([])
            self.tables[-1].after.append([])
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            self._close_cell()
            if not table.rows:
                table.rows.append([])
                table.after.append([])
            values = dict(attrs)
            table.cell, table.span = [], (_int(values.get("rowspan")), _int(values.get("colspan")))
        elif tag == "br" or tag in _BLOCK:
            self._break()

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in ("td", "th") and self.tables:
            self._close_cell()
        elif tag == "table" and self.tables:
            self._close_cell()
            lines = self.tables.pop().lines()
            if self.tables:  # nested: after the row of the cell it sits in
                outer = self.tables[-1]
                if not outer.after:
                    outer.rows.append([])
                    outer.after.append([])
                outer.after[-1].append(lines)
            else:
                self.lines += lines
                self.lines.append("")
        elif tag in _BLOCK:
            self._break()

    def _close_cell(self) -> None:
        table = self.tables[-1]
        if table.cell is None:
            return
        parts = [re.sub(r"\s+", " ", p).strip() for p in "".join(table.cell).split("\n")]
        table.rows[-1].append(("<br>".join(p for p in parts if p), *table.span))
        table.cell = None

    def text(self) -> str:
        while self.tables:  # a page cut off inside a table: what was read stays
            self.handle_endtag("table")
        self._break()
        return "\n".join(self.lines)


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)


def decode(data: bytes, declared: str | None = None) -> str:
    """The page's text: its BOM, the charset it (or its MIME part) declares, else UTF-8, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    found = _CHARSET.search(data[:4096])
    for enc in [e for e in (declared, found and found.group(1).decode("ascii")) if e] + ["utf-8", "gb18030"]:
        enc = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}.get(enc.lower(), enc)
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<?xml")) \
        and (b"<table" in data[:200000].lower() or b"<html" in head)


def html_text(data: bytes, declared: str | None = None) -> str:
    """A page (bytes) as lines and pipe rows."""
    page = _Page()
    page.feed(decode(data, declared))
    page.close()
    return page.text()


def mht_html(data: bytes) -> tuple[bytes, str | None]:
    """The HTML part of a page saved as one file (.mht, MIME multipart), and its declared charset."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if payload:
                return payload, part.get_content_charset()
    raise UnreadableFile("这个 .mht 网页文件里没有网页内容（text/html）", "请在浏览器中打开它，“另存为”网页（.html）后再导入")
