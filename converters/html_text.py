"""A web page as text the structural importer reads.

Counties publish their 绩效目标表 and 自评表 on their sites as HTML tables, and a clerk keeps last
year's by saving the page (网页, 全部 → .html; 单个文件 → .mht), or gets an "Excel" export that is an
HTML table under a .xls name. Paragraphs and headings become lines; each table row one pipe row
(``| a | b |``), as :mod:`.docx_text` writes a Word table: a cell spanning columns is one cell, the rows a
cell spans downwards have an empty cell in its place (the reader carries the value down), and lines
inside a cell are joined by ``<br>``. A table holding tables is the page's frame (many county sites lay
the whole page out in one): its cells' text is lines, its tables follow in their places. Scripts,
styles and the page's ``<head>`` are not read; a page cut off anywhere keeps what was read.
"""

from __future__ import annotations

import email
import email.policy
import re
from html.parser import HTMLParser

from ..errors import UnreadableFile
from .where import Derived

_SKIP = {"script", "style", "noscript", "head", "template", "svg", "object", "iframe"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
          "footer", "center", "blockquote", "pre", "dd", "dt", "form", "caption", "address", "hr", "nav", "main"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr", "source", "param", "embed"}


def _squeezed(text: str) -> list[str]:
    """A cell's text as its lines, runs of white space one space."""
    return [t for t in (re.sub(r"\s+", " ", line).strip() for line in text.split("\n")) if t]


class _Table:
    """One ``<table>``: its rows of cells, each cell a list of parts (text, or a nested table's lines)."""

    def __init__(self) -> None:
        self.rows: list[list[tuple[list, int, int]]] = []  # (parts, rowspan, colspan)
        self.cell: list | None = None
        self.span = (1, 1)

    def lines(self, numbered: list[int]) -> list[tuple[str, str | None]]:
        """Pipe rows, each with where it is (表 2 第 3 行: ``numbered`` counts the page's tables); a table
        holding tables lays the page out (a county site's frame around its form): its cells' text then is
        lines (paragraphs, where None), and the tables in them follow in their places."""
        if any(isinstance(part, list) for row in self.rows for parts, _, _ in row for part in parts):
            out: list[tuple[str, str | None]] = []
            for row in self.rows:
                for parts, _, _ in row:
                    for part in parts:
                        out += [(t, None) for t in _squeezed(part)] if isinstance(part, str) else [*part, ("", "")]
            return out
        numbered[0] += 1  # a frame is no table to the eye: only the tables a clerk sees are counted
        below: dict[int, tuple[int, int]] = {}  # grid column → (rows still covered from above, its colspan)
        out = []
        for r, row in enumerate(self.rows, 1):
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
                    parts, rowspan, colspan = queue.pop(0)
                    cells.append("<br>".join(_squeezed("".join(parts))).replace("|", "｜"))
                    if rowspan > 1:
                        below[col] = (rowspan - 1, colspan)
                    col += colspan
                else:
                    col = min(c for c in below if c >= col)
            out.append(("| " + " | ".join(cells) + " |", f"表 {numbered[0]} 第 {r} 行"))
        return out


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, str | None]] = []  # where None: a paragraph, numbered at the end
        self.line: list[str] = []
        self.numbered = [0]
        self.skipping: list[str] = []
        self.tables: list[_Table] = []

    # text ---------------------------------------------------------------------------------------
    def _put(self, text: str) -> None:
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.append(text)
        elif table is None:
            self.line.append(text)
        # text between a table's cells (white space, a stray word outside any <td>) is no cell's

    def _break(self) -> None:
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.append("\n")
        elif table is None:
            self.lines += [(t, None) for t in _squeezed("".join(self.line))]
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
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            self._close_cell()
            if not table.rows:
                table.rows.append([])
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
            lines = self.tables.pop().lines(self.numbered)
            if self.tables:  # nested: a part of the cell it sits in
                outer = self.tables[-1]
                if outer.cell is not None:
                    outer.cell.append(lines)
                else:  # between cells: a cell of its own
                    if not outer.rows:
                        outer.rows.append([])
                    outer.rows[-1].append(([lines], 1, 1))
            else:
                self.lines += lines
                self.lines.append(("", ""))
        elif tag in _BLOCK:
            self._break()

    def _close_cell(self) -> None:
        table = self.tables[-1]
        if table.cell is None:
            return
        parts: list = []
        for part in table.cell:  # runs of text joined; a nested table's lines kept apart
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part
            else:
                parts.append(part)
        table.rows[-1].append((parts, *table.span))
        table.cell = None

    def text(self) -> Derived:
        self.skipping = []  # a page cut off inside a <script> (or a table): what was read stays
        while self.tables:
            self.handle_endtag("table")
        self._break()
        paragraphs = 0
        out = []
        for text, where in self.lines:
            if where is None:
                paragraphs += 1
                where = f"第 {paragraphs} 段"
            out.append((text, where))
        return Derived(out)


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


def is_mime(data: bytes) -> bool:
    """A page saved as one file (.mht, or a "Word" .doc a web system wrote so)."""
    return data[:300].lstrip().lower().startswith((b"mime-version", b"from:", b"content-type: multipart"))


def looks_like_html(data: bytes) -> bool:
    """An HTML page (or one saved as a single file), whatever the file is named."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    page = head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<?xml"))
    return is_mime(data) or page and (b"<table" in data[:200000].lower() or b"<html" in head)


def html_text(data: bytes, declared: str | None = None) -> Derived:
    """A page (bytes) as lines and pipe rows, each with where it is on the page (第 3 段, 表 1 第 2 行)."""
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
