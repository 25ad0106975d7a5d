"""File-system helpers: outputs are written atomically, inputs are never touched."""

from __future__ import annotations

import contextlib
import contextvars
import errno
import io
import os
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import Callable, Iterator

from .errors import JixiaoError, OutputError
from .oserror import disk_error, os_reason


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only on success.

    A failure (or an output locked by Excel on Windows) leaves no partial file and
    raises :class:`OutputError` with a message the clerk can act on.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix or ".tmp",
                                        dir=target.parent)
    except FileExistsError as exc:  # a file where a folder of the path should be
        raise OutputError(f"无法在 {target.parent} 写入文件：{os_reason(OSError(errno.ENOTDIR, ''))}") from exc
    except OSError as exc:
        raise OutputError(f"无法在 {target.parent} 写入文件：{os_reason(exc, writing=True)}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        failed = None
        try:
            yield tmp
        except JixiaoError:  # already a clerk's message (an unreadable form file read while writing), not the disk's
            raise
        except Exception as exc:  # a full disk surfaces from whichever library was writing
            cause = disk_error(exc)
            if cause is None:
                raise
            failed = os_reason(cause, writing=True)
            _close_writers(exc)
        if failed:
            raise OutputError(f"无法写入 {target}：{failed}；没有留下不完整的文件，原有文件未改动")
        put_in_place(tmp, target)
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _close_writers(exc: BaseException) -> None:
    """Close the zip archives and files a failed save left open in its frames.

    Otherwise their finalisers try to write again later (on a full disk) and
    Python prints "Exception ignored in: ZipFile.__del__" with a traceback. A
    failed ``close`` still marks them closed, which is all that is needed here.
    """
    seen: set[int] = set()
    for error in _chain(exc):  # xlsxwriter re-raises the OSError wrapped: its frames are the inner one's
        tb = error.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                # the archive is a local of the writer, or an attribute of one (openpyxl, python-docx)
                for item in (value, *_attributes(value)):
                    if id(item) not in seen and isinstance(item, (zipfile.ZipFile, io.IOBase)):
                        seen.add(id(item))
                        try:
                            item.close()
                        except Exception:  # noqa: BLE001 - the disk is full: closing fails, and that is fine
                            pass
            tb = tb.tb_next


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    todo = [exc]
    while todo and len(found) < 20:
        e = todo.pop()
        if any(e is f for f in found):
            continue
        found.append(e)
        todo += [x for x in (e.__cause__, e.__context__, *e.args) if isinstance(x, BaseException)]
    return found


def _attributes(value: object) -> list[object]:
    try:
        return list(vars(value).values())
    except TypeError:  # no __dict__
        return []


#: the last check before a finished output replaces ``target`` (``(target, tmp) → refusal or None``):
#: :func:`jixiao.outputs.protected` sets it while a command runs, so that no command replaces a unit
#: workbook; this module knows nothing of what a unit workbook is.
replace_check: contextvars.ContextVar[Callable[[Path, Path], str | None] | None] = contextvars.ContextVar(
    "jixiao_replace_check", default=None)


def put_in_place(tmp: Path, target: Path) -> None:
    """Rename the finished ``tmp`` over ``target``: the last output check first (a CLI command never
    replaces a unit workbook or 自评表), then a readable file, and every failure in Chinese."""
    check = replace_check.get()
    refusal = check(target, tmp) if check is not None else None
    if refusal:
        raise OutputError(refusal)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes private files; outputs are ordinary files
        with _released_later(target):
            os.replace(tmp, target)
    except PermissionError as exc:
        raise OutputError(f"无法写入 {target}：文件可能正在 Excel 中打开，请关闭后重试") from exc
    except OSError as exc:
        raise OutputError(f"无法写入 {target}：{os_reason(exc, writing=True)}") from exc


@contextlib.contextmanager
def _released_later(path: Path) -> Iterator[None]:
    """Free the file being replaced at ``path`` in a background thread, on POSIX.

    Replacing a file drops its last name; the kernel then frees its blocks
    inside the ``rename`` call (20 ms for a 40 MB summary). Holding it open
    across the rename moves that work to the ``close``, done here by a thread
    while the caller goes on. (Windows cannot rename over an open file.)
    """
    fd = None
    if os.name == "posix":
        try:
            fd = os.open(path, os.O_RDONLY)
            if os.fstat(fd).st_size < _RELEASE_LATER:  # freed at once anyway: no thread for that
                os.close(fd)
                fd = None
        except OSError:
            fd = None  # nothing there yet, or not ours to read: nothing to release
    try:
        yield
    finally:
        if fd is not None:
            threading.Thread(target=os.close, args=(fd,), name="jixiao-release").start()


_RELEASE_LATER = 4 << 20  # bytes: a replaced file this large is freed in the background
