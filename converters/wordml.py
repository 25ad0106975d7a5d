"""The text of a Word document as Word shows it with every revision accepted.

python-docx's ``.text`` reads only a paragraph's direct runs and a cell's direct paragraphs. A reviewer's
tracked change (``w:ins``), a content control a form was filled through (``w:sdt``), a field's result
(``w:fldSimple``) or a smart tag sit one element deeper, and were read as nothing: a 指标值 corrected
from ≥98% to ≥99% with 修订 on came back empty. Here every run of a paragraph counts wherever it sits,
except what a revision deleted (``w:del``, ``w:moveFrom``) and the fallback copy of a drawing
(``mc:Fallback``, which repeats the text box that ``mc:Choice`` holds).

>>> from lxml import etree
>>> p = etree.fromstring(
...     '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
...     '<w:r><w:t>≥</w:t></w:r><w:del><w:r><w:delText>98</w:delText></w:r></w:del>'
...     '<w:ins><w:r><w:t>99</w:t></w:r></w:ins><w:r><w:t>%</w:t></w:r></w:p>')
>>> paragraph_text(p)
'≥99%'
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

#: subtrees whose text is not in the document as shown (deleted, moved away, a drawing's second copy)
_GONE = {f"{W}del", f"{W}moveFrom", f"{MC}Fallback", f"{W}pPr", f"{W}rPr", f"{W}instrText"}
#: elements that only wrap block content (paragraphs and tables) one level deeper
_WRAPPERS = {f"{W}sdt", f"{W}sdtContent", f"{W}customXml"}
_BREAKS = {f"{W}br": "\n", f"{W}cr": "\n", f"{W}tab": "\t", f"{W}noBreakHyphen": "-"}


def paragraph_text(p) -> str:
    """The text of one ``w:p`` element, revisions accepted."""
    out: list[str] = []
    stack = [iter(p)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if not isinstance(tag, str) or tag in _GONE:
            continue
        if tag == f"{W}t":
            out.append(el.text or "")
        elif tag in _BREAKS:
            out.append(_BREAKS[tag])
        else:
            stack.append(iter(el))
    return "".join(out)


def blocks(container, kinds: tuple[str, ...] = (f"{W}p", f"{W}tbl")) -> Iterator:
    """The ``w:p`` and ``w:tbl`` elements of a body or a cell in order (or a table's ``w:tr``, a row's
    ``w:tc``), content controls opened; tables nested in them are not descended into."""
    for el in container.iterchildren():
        if el.tag in kinds:
            yield el
        elif el.tag in _WRAPPERS:
            yield from blocks(el, kinds)


def rows(tbl) -> Iterator:
    return blocks(tbl, (f"{W}tr",))


def cells(tr) -> Iterator:
    return blocks(tr, (f"{W}tc",))


def cell_text(tc) -> str:
    """A ``w:tc``'s paragraphs, one a line, as python-docx's ``_Cell.text`` joins them."""
    return "\n".join(paragraph_text(b) for b in blocks(tc) if b.tag == f"{W}p")


_REVISION = re.compile(rb"<w:(?:ins|del|moveFrom|moveTo)[\s>/]")


def has_revisions(path: str | Path) -> bool:
    """Whether the document still holds tracked changes (修订) nobody accepted or rejected."""
    try:
        with zipfile.ZipFile(path) as z:
            return bool(_REVISION.search(z.read("word/document.xml")))
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


REVISIONS_NOTICE = "文档中有未接受或拒绝的修订（审阅 → 修订）：已按“接受所有修订”后的内容导入，删除的文字未导入"
