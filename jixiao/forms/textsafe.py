"""Control characters in cell text (JX-X02): find them, clean them, and write text that XML accepts.

Text pasted from Word into Excel brings C0 control characters: Word's manual
line break arrives as a vertical tab (U+000B, stored by Excel as ``_x000B_``),
a page break as a form feed (U+000C), and stray others (U+0001 …). XML 1.0
forbids them, so python-docx / lxml refuse to write them. Tab, line feed and
carriage return are ordinary whitespace (JX-X01's business), not control
characters here.

>>> clean_control("目标一\\x0b目标二\\x07")
'目标一\\n目标二'
>>> control_names("a\\x0bb\\x01")
'垂直制表符 U+000B、控制字符 U+0001'
"""

from __future__ import annotations

import re

#: C0 controls other than tab, line feed and carriage return (invalid in XML 1.0).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Everything XML 1.0 cannot hold: the controls above, U+FFFE / U+FFFF and lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_AS_BREAK = {"\x0b": "\n", "\x0c": "\n"}  # Word's manual line break and page break: a line break
_NAMES = {"\x0b": "垂直制表符", "\x0c": "换页符", "\x00": "空字符", "\x07": "响铃符", "\x08": "退格符",
          "\x1b": "转义符"}


def has_control(text: object) -> bool:
    return isinstance(text, str) and CONTROL.search(text) is not None


def clean_control(text: str) -> str:
    """VT / FF become a line break, every other C0 control character is removed."""
    return CONTROL.sub(lambda m: _AS_BREAK.get(m.group(), ""), text)


def control_names(text: str) -> str:
    """The distinct control characters in ``text``, named for a clerk (in order of appearance)."""
    seen = dict.fromkeys(CONTROL.findall(text))
    return "、".join(f"{_NAMES.get(c, '控制字符')} U+{ord(c):04X}" for c in seen)


def visible(text: str) -> str:
    """``text`` with each control character shown as its Unicode control picture (for messages)."""
    return CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())), text)


def xml_text(text: str) -> str:
    """Text any XML writer accepts: controls cleaned as :func:`clean_control`, other non-XML characters dropped."""
    if not _NOT_XML.search(text):
        return text
    return _NOT_XML.sub("", clean_control(text))


_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EXCEL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NONCHARACTER = re.compile("[\ufffe\uffff\ud800-\udfff]")  # no XML, and no reader decodes an escape of them


def excel_escape(text: str) -> str:
    """Excel's own escaping of cell text in XML: ``_x000B_`` for a control character, ``_x005F_`` before
    a literal ``_xHHHH_`` (what xlsxwriter does for strings, and Excel for every ``ST_Xstring``).
    U+FFFE, U+FFFF and lone surrogates cannot be stored at all and are dropped.

    >>> excel_escape("a\x0bb _x0041_")
    'a_x000B_b _x005F_x0041_'
    """
    text = _NONCHARACTER.sub("", _ESCAPED.sub(r"_x005F_\1", text))
    return _EXCEL_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
