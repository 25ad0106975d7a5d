"""Where a line of text made from a document sits in that document, so that what an import lists can be found.

The structural reader numbers the lines of the text it reads, and its list says “第 12 行未能识别”. For a
.txt that is the file's own line; for the text made from a Word document, a workbook or a PDF it is a line
of a text nobody can open. Those readers make a :class:`Derived` text, each line with where it came from
(表 2 第 3 行, 工作表“项目1”第 5 行, 第 3 页), and :func:`placed` says each “第 N 行” of the list as that.
"""

from __future__ import annotations

import re
from typing import Iterable

from .build import Imported, Unplaced

#: how the readers write a line number (``f"第 {line} 行"``); a document's own “第3行” has no spaces
_LINE = re.compile(r"第 (\d+) 行")


class Derived(str):
    """Text made from a document: a ``str`` as the readers take it, with ``where`` for each of its lines
    (its ``splitlines()``, as the readers number them; "" where there is nothing better to say)."""

    where: tuple[str, ...]

    def __new__(cls, pieces: Iterable[tuple[str, str]]):
        lines: list[str] = []
        where: list[str] = []
        for text, at in pieces:
            split = text.splitlines() or [""]  # a piece with a line break in it is as many lines, each there
            lines += split
            where += [at] * len(split)
        obj = super().__new__(cls, "\n".join(lines))
        obj.where = tuple(where)
        return obj

    def pieces(self) -> list[tuple[str, str]]:
        """Its lines with where each sits (to put this text inside another)."""
        return list(zip(self.splitlines(), self.where))


def placed(result: Imported, text: str) -> Imported:
    """``result`` with each “第 N 行” of its list said as where line N of ``text`` sits in the document."""
    where = getattr(text, "where", None)
    if not where:
        return result

    def say(m: re.Match) -> str:
        n = int(m.group(1))
        return where[n - 1] if 0 < n <= len(where) and where[n - 1] else m.group(0)

    def moved(u: str) -> str:
        said = _LINE.sub(say, u)
        if said == u:
            return u
        return Unplaced(said, u.line, u.kind, u.span) if isinstance(u, Unplaced) else said

    result.unplaced[:] = [moved(u) for u in result.unplaced]
    return result
