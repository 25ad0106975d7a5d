"""The line under a form that names who filled it in (填表人: 宋云花 联系电话:16607326331 填报日期: …).

Those labels are furniture to the form's reader (a reviewer's 同意 is never data), but what follows
填表人, 联系电话 and 填报日期 on that line is the unit's own 单位信息 (``Unit.filler``, ``phone``,
``fill_date``, ``head``): :func:`read` takes it, and marks the cells it took as used. A 联系电话 elsewhere
(the 项目负责人's, in a project's header rows) is not the filler's, so only a line that holds a
填表人 / 填报人 label is read.
"""

from __future__ import annotations

import functools
import re

from ..forms.values import nfkc, squeeze
from . import labels as L
from .shapes import Cell


@functools.lru_cache(maxsize=1)
def fields() -> dict[str, str]:
    """Footer label (as printed, without spaces and the colon) → Unit field: labels.toml [furniture] footer_fields."""
    return {label: name for name, labels in L.data()["furniture"]["footer_fields"].items() for label in labels}


@functools.lru_cache(maxsize=1)
def _label() -> re.Pattern:
    return re.compile("^(" + "|".join(map(re.escape, sorted(fields(), key=len, reverse=True))) + r")[:：]?(.*)$")


_PHONE = re.compile(r"(?:\d{3,4}-)?\d{7,11}")


def _split(text: str) -> tuple[str, str] | None:
    m = _label().match(squeeze(nfkc(text)))
    return (m.group(1), m.group(2)) if m else None


def read(cells: list[Cell]) -> dict[str, tuple[str, Cell]]:
    """Unit field → (value, the cell it was read from), from each footer line; the first line wins."""
    lines: dict[int, list[Cell]] = {}
    for c in cells:
        if c.text.strip():
            lines.setdefault(c.line, []).append(c)
    out: dict[str, tuple[str, Cell]] = {}
    for row in lines.values():
        if not any(fields().get((_split(c.text) or ("",))[0]) == "filler" for c in row):
            continue
        for k, c in enumerate(row):
            found = _split(c.text)
            if found is None:
                continue
            label, value = found
            taken = c
            if not value and k + 1 < len(row) and _split(row[k + 1].text) is None and not row[k + 1].used:
                taken = row[k + 1]  # 填表人: | 宋云花 (a value the form's reader paired with a label is its)
                value = squeeze(taken.text)
            after = row[k + 2] if taken is not c and k + 2 < len(row) else None
            if "电话" in label and after is not None and not after.used and _PHONE.fullmatch(squeeze(after.text)) \
                    and "phone" not in out:
                out["phone"] = (squeeze(after.text), after)  # 填报人及联系电话: | 张三 | 0838-7211924
            phone = _PHONE.search(value) if fields()[label] == "filler" else None
            if phone and "phone" not in out:  # 填报人及联系电话: 张三 13900000000
                out["phone"] = (phone.group(0), taken)
                value = (value[:phone.start()] + value[phone.end():]).strip(" ,，、/")
            if value and fields()[label] not in out:
                out[fields()[label]] = (value, taken)
    return out
