"""The files a consolidation is given: each found once, with its ``stat``, and those that can never be
unit workbooks (lock files, .xls, archives, unreachable links) set apart with their reasons."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import JixiaoError
from ..oserror import os_reason
from ..paths import WORKBOOK_SUFFIXES, escaped, not_regular, odd, shown
from .records import rejected


@dataclass
class Listing:
    """What :func:`scan` found: each file once, by the name shown for it, in sorted order."""

    files: list[tuple[str, os.stat_result | None]]  # name → stat (``None``: could not be looked at)
    refused: dict[str, str] = field(default_factory=dict)  # name → why it is never opened
    real: dict[str, str] = field(default_factory=dict)  # name → the path to open, where they differ
    #: names given by the caller (:func:`labelled`): not paths, so no 打开 link is made to them
    labels: frozenset[str] = frozenset()


def _unreachable(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "无法访问文件：链接循环指向自身，未汇总"
    if exc.errno == errno.EACCES:
        return "无法访问文件：没有读取权限"
    return "无法访问文件（快捷方式或链接指向的文件不存在）"


_IFMT = 0o170000  # stat.S_IFMT's mask


def scan(inputs: Iterable[str | Path], exclude: Iterable[Path] = ()) -> Listing:
    """Every file under the inputs (folders searched recursively, links to folders followed), minus
    jixiao's own outputs, each with its ``stat`` (taken once: the cache and the listing both need it).

    One file is listed once: a folder given twice, a folder and a file in it, a link or a hard link
    to a file already listed (the same device and inode) add nothing; of such names, one that is not
    a link is kept, else the first found. A folder is walked once, so a link to a parent folder cannot
    loop. A dangling link, a FIFO, socket or device is listed with its reason (``refused``) and never
    opened. A name that is not UTF-8 (GBK from a Windows zip) is listed by its readable name.
    """
    skip = [p.resolve() for p in exclude]
    names = {p.name for p in skip}
    found: dict[str, os.stat_result | None] = {}
    refused: dict[str, str] = {}
    real: dict[str, str] = {}
    seen: dict[Any, tuple[str, bool]] = {}  # (device, inode) → (name, is a link)
    walked: set[tuple[int, int]] = set()
    linked: list[tuple[str, os.stat_result]] = []  # links to folders: walked last (a folder's own name wins)

    def add(path: str, st: os.stat_result | None, link: bool, error: OSError | None = None) -> None:
        if os.path.basename(path) in names and Path(path).resolve() in skip:
            return  # our own output or cache: resolved only for the few files that could be one
        if st is not None:  # (no inode on Windows' scandir: the path is the file there)
            ident = (st.st_dev, st.st_ino) if st.st_ino else os.path.normcase(os.path.abspath(path))
            before = seen.get(ident)
            if before is not None:
                if not before[1] or link:
                    return  # already listed
                _drop(before[0])  # the same file by its own name rather than through a link
            seen[ident] = (path, link)
        name = path
        if odd(path):
            name = shown(path)
            if name in found or name in real or os.path.lexists(name):
                name = escaped(path)  # its GBK reading is another file's name
            real[name] = path
        found[name] = st
        reason = _unreachable(error) if error is not None else not_regular(st) if st is not None else None
        if reason is not None:
            refused[name] = reason

    def _drop(path: str) -> None:
        name = next((n for n, p in real.items() if p == path), path)
        found.pop(name, None)
        refused.pop(name, None)
        real.pop(name, None)

    def walk(folder: str, st: os.stat_result) -> None:
        if (st.st_dev, st.st_ino) in walked and st.st_ino:
            return  # given twice, or reached again through a link (to a parent folder, say)
        walked.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise JixiaoError(f"无法读取文件夹 {shown(folder)}：{os_reason(exc)}") from exc
        plain_folder = not odd(folder)
        for entry in entries:
            name = entry.name
            if ".jixiao-cache.sqlite" in name:
                continue
            try:
                st = entry.stat()  # through a link
            except OSError as exc:  # a dangling or looping link: listed with the reason
                add(entry.path, None, entry.is_symlink(), exc)
                continue
            kind = st.st_mode & _IFMT
            if kind == stat.S_IFDIR:
                st = st if st.st_ino else os.stat(entry.path)
                if entry.is_symlink():
                    linked.append((entry.path, st))
                else:
                    walk(entry.path, st)
                continue
            ident = (st.st_dev, st.st_ino)
            if (kind == stat.S_IFREG and st.st_ino and ident not in seen and name not in names and plain_folder
                    and not entry.is_symlink() and not odd(name)):
                seen[ident] = (entry.path, False)  # the common case, inline: ten thousand files
                found[entry.path] = st
            else:
                add(entry.path, st, entry.is_symlink())

    for item in inputs:
        p = os.fspath(item)
        try:
            st = os.stat(p)
        except OSError:
            raise JixiaoError(f"找不到输入：{shown(p)}") from None
        if stat.S_ISDIR(st.st_mode):
            walk(p, st)
        else:
            add(p, st, os.path.islink(p))
    while linked:
        walk(*linked.pop(0))
    return Listing([(f, found[f]) for f in sorted(found)], refused, real)


def labelled(listing: Listing, names: Mapping[str | os.PathLike[str], str]) -> Listing:
    """``listing`` with the files of ``names`` (path → the name to show) listed by that name: the summary,
    its messages and the cache know them by it; they are still opened by their path. Such a name is not a
    path, so no 打开 link leads to it. A name another file already has gets its file's own name added.

    A caller that keeps files under names of its own (the 报送站's ``<单位编码>-<hash>.xlsx``) passes
    the names its users gave them; the cache is keyed by the names, so they should not be paths.
    """
    wanted = {os.path.abspath(os.fspath(path)): name for path, name in names.items()}
    taken = {name for name, _ in listing.files}
    files: list[tuple[str, os.stat_result | None]] = []
    refused, real, labels = dict(listing.refused), dict(listing.real), set(listing.labels)
    for name, st in listing.files:
        path = listing.real.get(name, name)
        label = (wanted.get(os.path.abspath(path)) or "").strip()
        if label and label in taken:
            label = f"{label}（{shown(os.path.basename(path))}）"
        if not label or label in taken:
            files.append((name, st))
            continue
        taken.add(label)
        real.pop(name, None)
        real[label] = path
        if name in refused:
            refused[label] = refused.pop(name)
        labels.add(label)
        files.append((label, st))
    files.sort(key=lambda f: f[0])
    return Listing(files, refused, real, frozenset(labels))


def not_a_workbook(path: str) -> str | None:
    if path[-5:].lower() in WORKBOOK_SUFFIXES and path[-6:-5] not in ("/", "\\", "") and "~$" not in path:
        return None  # the common case, without splitting the path
    name = os.path.basename(path)
    suffix = os.path.splitext(name)[1].lower()
    if name.startswith("~$"):
        return "Excel 或 WPS 打开工作簿时生成的临时锁定文件，不是单位工作簿本身"
    if suffix in (".et", ".ett"):  # a WPS 表格 file: say how to make the .xlsx
        from ..forms.grid import by_name
        return str(by_name(path))
    if suffix == ".xls":
        return "旧版 .xls（Excel 97-2003）文件，请在 Excel 中另存为 .xlsx 后重新提交"
    if suffix in ARCHIVE_SUFFIXES:
        return ARCHIVE_REASON
    if suffix not in WORKBOOK_SUFFIXES:
        return f"不是 Excel 工作簿（扩展名 {suffix or '无'}），未汇总"
    return None


ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z")
ARCHIVE_REASON = "这是压缩包，其中的文件未汇总：请先解压（右键 →“全部解压缩”），再汇总解压出的文件夹"


def triage(listing: Listing) -> tuple[dict[str, os.stat_result], list[dict[str, Any]]]:
    """The listed files that could be unit workbooks (name → stat), and the records of those that cannot."""
    listed: dict[str, os.stat_result] = {}
    refused: list[dict[str, Any]] = []
    never = listing.refused
    for path, st in listing.files:
        reason = never.get(path) if never else None
        if reason is None:
            if st is None:
                reason = "无法访问文件（快捷方式或链接指向的文件不存在）"
            else:  # by the real file's name: a name the caller gave (see labelled) need not end in .xlsx
                reason = not_a_workbook(listing.real.get(path, path))
        if reason:
            refused.append(rejected(path, "JX-D03", reason, st))
        else:
            listed[path] = st
    return listed, refused
