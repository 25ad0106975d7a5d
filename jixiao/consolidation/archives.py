"""Zip files among a consolidation's inputs: the workbooks in them are consolidated as if unpacked.

A unit mails its folder zipped ("发送到 → 压缩(zipped)文件夹" on Windows, names in GBK); the bureau drops
it beside the others. Each member becomes a file of the listing under the name ``<zip>/<member>``, with
the system's separators (:func:`~.listing.labelled`: a name, not a path, so no 打开 link leads to it), and
every member is either consolidated or listed with its reason, like any file: a workbook is unpacked into
a folder of the run's own (removed when the run ends, however it ends), anything else is listed without
being unpacked.

A zip that cannot be opened (damaged, out of all proportion: a zip bomb, :func:`~jixiao.forms.grid.check_zip`)
or holds no files is listed itself, with why. A zip in a zip, a .rar or a .7z is listed as before: unpack it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import UnreadableFile
from ..oserror import os_reason
from ..paths import WORKBOOK_SUFFIXES
from .listing import ARCHIVE_SUFFIXES, Listing, not_a_workbook

#: members that are no clerk's files: a Mac's resource forks and folder listings
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")
ENCRYPTED_MEMBER = "压缩包中的这个文件设置了解压密码，无法读取：请先解压（输入密码），再汇总解压出的文件"


def is_zip(name: str) -> bool:
    return name[-4:].lower() == ".zip"


@contextmanager
def unpacked(listing: Listing) -> Iterator[tuple[Listing, dict[str, str], dict[str, int]]]:
    """:func:`unpack` into a folder of the run's own in the system's temporary folder, removed on leaving
    (an error, Ctrl-C). No zip: ``listing`` as it is. No room for the folder: each zip listed with why."""
    if not any(is_zip(name) for name, _ in listing.files):
        yield listing, {}, {}
        return
    try:
        folder = Path(tempfile.mkdtemp(prefix="jixiao-zip-"))
    except OSError as exc:
        why = f"无法解压（临时文件夹 {tempfile.gettempdir()}：{os_reason(exc, writing=True)}），其中的文件未汇总"
        refused = {**listing.refused, **{name: why for name, _ in listing.files if is_zip(name)}}
        yield Listing(listing.files, refused, listing.real, listing.labels), {}, {}
        return
    try:
        yield unpack(listing, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def unpack(listing: Listing, folder: Path) -> tuple[Listing, dict[str, str], dict[str, int]]:
    """``listing`` with each of its zips replaced by the files in it, the names to show for those unpacked
    into ``folder`` (path → ``<zip>/<member>``, for :func:`~.listing.labelled`), and how many files each zip
    gave (what the bureau sees as one file in its folder)."""
    from ..forms.grid import check_zip, member_name

    files = []
    refused = dict(listing.refused)
    real = dict(listing.real)
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    slot = itertools.count()  # each member its own folder: two members may have one name
    for name, st in listing.files:
        if not is_zip(name) or name in refused or st is None:
            files.append((name, st))
            continue
        path = listing.real.get(name, name)
        try:
            with zipfile.ZipFile(path) as zf:
                check_zip(zf)
                office = _office_document(zf)
                if office:  # an .xlsx or .docx renamed .zip: one document, not a folder's files
                    raise UnreadableFile(office)
                members = [(info, member_name(info)) for info in zf.infolist()
                           if not info.is_dir() and not _junk(member_name(info))]
                if not members:
                    raise UnreadableFile("压缩包中没有文件，未汇总")
                for info, inner in members:  # from here on every member is a file of the listing
                    label = os.path.join(name, *inner.split("/"))  # on Windows C:\交来的\各单位.zip\教育局\单位.xlsx
                    reason = _why_not(info, inner)
                    if reason is None:
                        try:
                            target = _extract(zf, info, folder / str(next(slot)) / inner.rsplit("/", 1)[-1])
                            files.append((str(target), target.stat()))
                            names[str(target)] = label
                            continue
                        except (OSError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError,
                                EOFError) as exc:  # a damaged member, a full disk: this member only
                            reason = f"无法从压缩包中取出（解压到临时文件夹 {folder.parent}）：{_reason(exc)}"
                    files.append((label, None))
                    refused[label] = reason
        except UnreadableFile as exc:
            refused[name] = str(exc)
            files.append((name, st))
            continue
        except OSError as exc:
            refused[name] = f"无法读取压缩包：{os_reason(exc)}"
            files.append((name, st))
            continue
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as exc:
            refused[name] = f"压缩包已损坏或不完整，无法读取其中的文件（{exc}）：请重新压缩，或解压后再汇总"
            files.append((name, st))
            continue
        real.pop(name, None)  # the zip itself is now its files
        counts[name] = len(members)
    files.sort(key=lambda f: f[0])
    return Listing(files, refused, real, listing.labels), names, counts


def _office_document(zf: zipfile.ZipFile) -> str | None:
    """What an Office file renamed ``.zip`` is (every .xlsx and .docx is a zip), or None for a zip of files."""
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names:
        return None
    if "xl/workbook.xml" in names:
        return "这是扩展名被改成 .zip 的 Excel 工作簿，不是压缩包：请把扩展名改回 .xlsx 后再汇总"
    if "word/document.xml" in names:
        return "这是扩展名被改成 .zip 的 Word 文档，不是装有工作簿的压缩包，未汇总"
    return "这是扩展名被改成 .zip 的 Office 文档，不是装有工作簿的压缩包，未汇总"


def _junk(inner: str) -> bool:
    return inner.startswith(_JUNK[0]) or inner.rsplit("/", 1)[-1] in _JUNK[1:]


def _why_not(info: zipfile.ZipInfo, inner: str) -> str | None:
    """Why a member is listed without being unpacked, or None for one that may be a workbook."""
    base = inner.rsplit("/", 1)[-1]
    if os.path.splitext(base)[1].lower() in ARCHIVE_SUFFIXES:
        return "压缩包中的压缩包，其中的文件未汇总：请先解压，再汇总解压出的文件夹"
    reason = not_a_workbook(base)
    if reason is None and base.lower().endswith(WORKBOOK_SUFFIXES) and info.flag_bits & 0x1:
        return ENCRYPTED_MEMBER
    return reason


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> Path:
    """One member's bytes into ``target`` (a name of our own: nothing in the zip decides where it lands)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zf.open(info) as src, open(target, "xb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    return target


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return os_reason(exc, writing=True)
    return f"压缩包中的这个文件已损坏（{exc}）"
