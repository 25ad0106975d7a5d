"""Input paths: the name a clerk is shown, and which files may be opened at all.

File names from zips made on Chinese Windows are GBK bytes, not UTF-8. Python hands
them over as ``str`` with surrogate escapes (PEP 383): such a path opens, but cannot
be written to a workbook, SQLite, JSON or a terminal. :func:`shown` is the one
readable name for it, used everywhere a path is shown or stored; the original
``str`` is kept only to open the file.

Only regular files are opened: a FIFO named ``*.xlsx`` would block ``open`` forever,
``/dev/zero`` would be read forever. :func:`open_regular` opens without blocking and
refuses anything else with the reason (:class:`NotRegularFile`).

>>> shown(os.fsdecode("交来的/".encode() + "单位".encode("gbk") + b".xlsx"))
'交来的/单位.xlsx'
>>> shown(os.fsdecode(b"a/\\xff\\xfe.xlsx"))
'a/\\\\xff\\\\xfe.xlsx'
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

#: what a unit workbook's file name ends with (.xlsm: a template with the 校验 button's macros)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

_KINDS = ((stat.S_ISFIFO, "命名管道"), (stat.S_ISSOCK, "套接字"), (stat.S_ISCHR, "字符设备"),
          (stat.S_ISBLK, "块设备"), (stat.S_ISDIR, "文件夹"))


def shown(path: str | os.PathLike[str] | bytes) -> str:
    """``path`` as a clerk can read it: unchanged when it is valid Unicode; else each part of it
    that is not UTF-8 decoded as GBK, or, failing that, with its bytes escaped (``\\xff``)."""
    text = os.fspath(path)
    if isinstance(text, str):
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            raw = os.fsencode(text)
    else:
        raw = text
    return b"/".join(_part(p).encode("utf-8") for p in raw.split(b"/")).decode("utf-8")


def escaped(path: str | os.PathLike[str] | bytes) -> str:
    """``path`` with every byte that is not UTF-8 escaped (``\\xb5``): no two paths give the same text
    (used when the GBK reading of a name would read like another file's name)."""
    raw = os.fspath(path)
    raw = raw if isinstance(raw, bytes) else os.fsencode(raw)
    return raw.decode("utf-8", "backslashreplace")


def _part(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def odd(path: str) -> bool:
    """Whether ``path`` holds bytes that are not UTF-8 (its :func:`shown` name differs from it)."""
    try:
        path.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def not_regular(st: os.stat_result) -> str | None:
    """Why a file of this ``stat`` is never opened (a FIFO, socket, device, folder), or ``None``."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "特殊文件")
    return f"不是普通文件（{kind}），未打开读取"


class NotRegularFile(OSError):
    """Raised by :func:`open_regular` for a FIFO, socket, device or folder; ``strerror`` says which."""


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for reading (binary); anything else raises :class:`NotRegularFile`.

    Opened with ``O_NONBLOCK`` and checked on the open descriptor, so that a FIFO put
    where a file was listed cannot block, and a device cannot be read endlessly.
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket (or a FIFO with no writer, opened for writing)
            raise NotRegularFile(exc.errno, "不是普通文件（套接字），未打开读取", os.fspath(path)) from exc
        raise
    try:
        reason = not_regular(os.fstat(fd))
        if reason is not None:
            raise NotRegularFile(errno.EINVAL, reason, os.fspath(path))
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)  # a regular file never blocks; reads behave as usual
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
