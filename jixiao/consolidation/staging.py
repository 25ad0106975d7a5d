"""All or nothing: the summary and its CSV/Parquet set are written aside, then put in place together.

Everything a run writes goes first to temporary names beside the targets
(``.汇总.jixiao-tmp-xxxxxxxx.xlsx``, a folder ``.表格.jixiao-tmp-xxxxxxxx``).
Only when every byte is written are they renamed over the targets (renames
need no space, so a full disk stops the run before anything is replaced);
on any failure the temporary files are removed and every previous output is
left as it was. A run that is killed cannot remove them: the listing never
takes them for units (``TMP_MARK`` in a name), and the next run beside the
same output removes those older than an hour.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from ..errors import OutputError
from ..fsutil import _umask, put_in_place
from ..oserror import os_reason

TMP_MARK = ".jixiao-tmp-"
STALE_S = 3600  # a temporary output this old is a killed run's, not a run going on now

def reason(exc: OSError) -> str:
    """An OS error in the clerk's words, as every writer says it (``oserror.os_reason``)."""
    return os_reason(exc, writing=True)


def is_temporary(path: str) -> bool:
    """Whether ``path`` is, or lies in, a temporary output of a run (never a unit's file)."""
    return TMP_MARK in path


def _name(target: Path, suffix: str) -> str:
    """``.stem.jixiao-tmp-`` for a temporary beside ``target``, the stem shortened to fit a file name."""
    try:
        limit = os.pathconf(target.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    stem = target.stem
    room = limit - len(os.fsencode(f".{TMP_MARK}xxxxxxxx{suffix}"))
    while len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return f".{stem}{TMP_MARK}"


class Staging:
    """Temporary outputs beside their targets; :meth:`commit` puts them all in place, :meth:`discard`
    (also on any failure, as a context manager) removes them."""

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []  # (temporary, target)
        self._folders: list[tuple[Path, Path]] = []

    def file(self, target: Path) -> Path:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=_name(target, target.suffix), suffix=target.suffix,
                                        dir=target.parent)
        except OSError as exc:
            raise OutputError(f"无法在 {target.parent} 写入文件：{reason(exc)}") from exc
        os.close(fd)
        self._files.append((Path(name), target))
        return Path(name)

    def folder(self, target: Path) -> Path:
        """A temporary folder whose files replace those of the same names in ``target`` (its other files stay)."""
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            name = tempfile.mkdtemp(prefix=_name(target, ""), dir=target.parent)
        except OSError as exc:
            raise OutputError(f"无法在 {target.parent} 写入文件：{reason(exc)}") from exc
        self._folders.append((Path(name), target))
        return Path(name)

    def commit(self) -> None:
        """Rename everything into place: the summary first (it is the one Excel may hold open)."""
        mode = 0o666 & ~_umask()  # mkstemp makes private files; outputs are ordinary files
        for tmp, target in self._files:
            put_in_place(tmp, target)
        for tmp, target in self._folders:
            try:
                target.mkdir(parents=True, exist_ok=True)
                for item in sorted(tmp.iterdir()):
                    os.chmod(item, mode)
                    os.replace(item, target / item.name)
            except PermissionError as exc:
                raise OutputError(f"无法写入 {target}：文件可能正在其他程序中打开，请关闭后重试") from exc
            except OSError as exc:
                raise OutputError(f"无法写入 {target}：{reason(exc)}") from exc
        self.discard()

    def discard(self) -> None:
        for tmp, _ in self._files:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        for tmp, _ in self._folders:
            shutil.rmtree(tmp, ignore_errors=True)
        self._files, self._folders = [], []

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()  # after commit: nothing left; after a failure: the temporaries go


def sweep(*targets: Path) -> None:
    """Remove what killed runs left beside ``targets``: temporary outputs older than an hour."""
    now = time.time()
    for target in targets:
        prefix = _name(target, target.suffix)
        try:
            entries = list(os.scandir(target.parent))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith(prefix):
                continue
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime < STALE_S:
                    continue  # perhaps a run going on now
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue
