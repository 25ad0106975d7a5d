"""A workbook still open in Excel or WPS: the lock file (``~$单位.xlsx``) beside it says so.

What jixiao reads is the file as last saved; a clerk who changed cells and ran ``jixiao validate``
without saving sees the old findings again and believes the fix did not work. The command line says
so before it reads (:func:`open_notices`); the file is read all the same (a lock left by a crashed
Excel is common and harmless).

>>> lock_names("单位.xlsx")
('~$单位.xlsx',)
>>> lock_names("2026年绩效目标表.xlsx")  # Word's rule, which some WPS versions follow: 2 characters dropped
('~$2026年绩效目标表.xlsx', '~$26年绩效目标表.xlsx')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .paths import WORKBOOK_SUFFIXES

#: options whose value is an output or a setting, not a workbook read
_NOT_INPUTS = frozenset({"-o", "--output", "--out", "--data", "--csv-dir", "--profile-file", "--roster"})


def lock_names(name: str) -> tuple[str, ...]:
    """The names Excel and WPS give the lock file of an open workbook named ``name``."""
    stem = Path(name).stem
    return (f"~${name}",) if len(stem) < 7 else (f"~${name}", f"~${name[2:]}")


def lock_of(path: str | os.PathLike[str]) -> Path | None:
    """The lock file beside ``path`` if there is one (the workbook is open, or was when Excel stopped)."""
    p = Path(path)
    for name in lock_names(p.name):
        lock = p.with_name(name)
        try:
            if lock.is_file():
                return lock
        except OSError:
            continue
    return None


def open_notices(args: Iterable[str]) -> list[str]:
    """One line for each workbook among a command's arguments that is open in Excel or WPS."""
    notices = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in _NOT_INPUTS:
            skip = True
            continue
        if arg.startswith("-") or not arg.lower().endswith(WORKBOOK_SUFFIXES) or Path(arg).name.startswith("~$"):
            continue
        try:
            if not os.path.isfile(arg):
                continue
        except (OSError, ValueError):
            continue
        lock = lock_of(arg)
        if lock is not None:
            notices.append(f"提示：{arg} 似乎正在 Excel 或 WPS 中打开（旁边有 {lock.name}）：读取的是最后一次保存的内容，"
                           "还没保存的修改不在其中；请先在 Excel 中保存（Ctrl+S）再运行。")
    return notices
