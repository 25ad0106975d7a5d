"""Where a command may write: an output never destroys an input, and its name fits its content.

Every writing command calls :func:`check_output` (or :func:`check_folder_output`)
with its inputs *before it reads anything*; while a command runs (inside
:func:`protected`), :func:`jixiao.fsutil.atomic_path` calls :func:`may_replace`
once more just before it renames a finished output into place, so no code path
of a command can replace a unit's workbook.

The rules (issue 14, points 1 and 20):

- an output is never one of the inputs (after resolving links; hard links are
  caught by ``os.path.samefile``), nor an existing file inside an input folder;
- an existing unit workbook or 自评表 (they carry the hidden ``_jixiao`` sheet)
  is never replaced; an existing summary is replaced only by a new summary;
- the extension fits the content (``.xlsx``/``.xlsm`` workbooks, ``.docx``,
  ``.pdf``, ``.csv``, ``.json``, ``.xlam``).

>>> check_output("q.pdf", content="docx")
Traceback (most recent call last):
...
jixiao.errors.OutputError: 输出文件 q.pdf 的扩展名 .pdf 与内容（Word 文档）不符，请改用 .docx 结尾的文件名
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

from .errors import OutputError
from .paths import WORKBOOK_SUFFIXES

#: content kind → (how it is named for a clerk, the extensions it may carry)
CONTENT = {
    "workbook": ("Excel 工作簿", WORKBOOK_SUFFIXES),
    "xlsx": ("Excel 工作簿", (".xlsx",)),
    "summary": ("汇总工作簿", (".xlsx",)),
    "docx": ("Word 文档", (".docx",)),
    "pdf": ("PDF 文档", (".pdf",)),
    "csv": ("CSV 表格", (".csv",)),
    "json": ("JSON 数据", (".json",)),
    "addin": ("Excel 加载项", (".xlam",)),
}

UNIT, SELFEVAL, SUMMARY, OTHER = "unit", "selfeval", "summary", "other"
KIND_ZH = {UNIT: "单位填报工作簿", SELFEVAL: "自评表", SUMMARY: "汇总工作簿"}

_SUMMARY_SHEETS = (b'name="\xe6\xa6\x82\xe8\xa7\x88"',  # 概览
                   'name="未纳入文件"'.encode())
_SNIFF_LIMIT = 32 << 20  # bytes of workbook.xml / sharedStrings.xml looked at, at most


def workbook_kind(path: str | Path) -> str | None:
    """What an existing file is, cheaply (the zip directory and one or two small parts):
    ``unit``, ``selfeval``, ``summary``, ``other`` (another workbook), or ``None`` (not a workbook)."""
    try:
        with zipfile.ZipFile(path) as zf:
            book = _part(zf, "xl/workbook.xml")
            if book is None:
                return None
            if b'name="_jixiao"' not in book:
                return SUMMARY if all(s in book for s in _SUMMARY_SHEETS) else OTHER
            from .selfeval.model import TEMPLATE_ID as SELFEVAL_ID

            strings = _part(zf, "xl/sharedStrings.xml") or b""
            return SELFEVAL if SELFEVAL_ID.encode() in strings else UNIT
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, RuntimeError, NotImplementedError):
        return None


def _part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _SNIFF_LIMIT:
        return None
    with zf.open(info) as fh:
        return fh.read(_SNIFF_LIMIT)


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _inside(path: str | Path, folder: str | Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def check_output(out: str | Path, *, inputs: Iterable[str | Path] = (), content: str | None = None,
                 replaces: str | None = None, kinds: bool = True) -> None:
    """Refuse ``out`` (raise :class:`OutputError`, JX-D05) when writing it could destroy an input.

    ``content`` is a key of :data:`CONTENT` (the extension is checked against it);
    ``replaces`` names the one kind of existing file this output may replace
    (``summary`` for consolidation); ``kinds=False`` checks only that ``out`` is no input
    (library callers rewriting their own files).
    """
    out = Path(out)
    if content is not None:
        what, suffixes = CONTENT[content]
        if out.suffix.lower() not in suffixes:
            shown = out.suffix or "（无扩展名）"
            raise OutputError(f"输出文件 {out} 的扩展名 {shown} 与内容（{what}）不符，"
                              f"请改用 {' 或 '.join(suffixes)} 结尾的文件名")
    if out.is_dir():
        raise OutputError(f"输出 {out} 是一个文件夹；请用 -o 指定文件名，如 {out / ('结果' + _first_suffix(content))}")
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            if out.exists() and _inside(out, item) and workbook_kind(out) != replaces:
                raise OutputError(f"输出文件 {out} 在输入文件夹 {item} 中，是要读取的文件之一；"
                                  "jixiao 不覆盖输入文件，请用 -o 指定输入文件夹以外的文件")
        elif out.exists() and item.exists() and _same(out, item) or _resolves_to(out, item):
            raise OutputError(f"输出文件不能与输入文件相同：{out} 就是输入文件 {item}（或指向它的链接）；"
                              "jixiao 不修改原文件，请用 -o 指定另一个文件名")
    refusal = replace_refusal(out, replaces) if kinds else None
    if refusal:
        raise OutputError(refusal)


def _resolves_to(out: Path, item: Path) -> bool:
    """A not-yet-existing output can still name an input through a dangling or relative link."""
    return not out.exists() and out.is_symlink() and os.path.realpath(out) == os.path.realpath(item)


def _first_suffix(content: str | None) -> str:
    return CONTENT[content][1][0] if content else ".xlsx"


def replace_refusal(out: str | Path, replaces: str | None = None) -> str | None:
    """Why the existing file at ``out`` must not be replaced by this output, or ``None``."""
    out = Path(out)
    if not out.exists() or out.is_dir():
        return None
    kind = workbook_kind(out)
    if kind in (UNIT, SELFEVAL):
        return (f"{out} 已存在，是一份{KIND_ZH[kind]}；jixiao 不会覆盖{KIND_ZH[kind]}，"
                "请换一个输出文件名，或先把它移走")
    if kind == SUMMARY and replaces != SUMMARY:
        return f"{out} 已存在，是一份汇总工作簿，只能由新的汇总（jixiao consolidate）替换；请换一个输出文件名"
    return None


_PROTECT = contextvars.ContextVar("jixiao_protect_outputs", default=False)


@contextlib.contextmanager
def protected() -> Iterator[None]:
    """While active (every CLI command runs inside it), :func:`jixiao.fsutil.atomic_path` refuses to
    replace a unit workbook or 自评表. Library callers writing their own files are not second-guessed."""
    from .fsutil import replace_check

    token, check = _PROTECT.set(True), replace_check.set(may_replace)
    try:
        yield
    finally:
        replace_check.reset(check)
        _PROTECT.reset(token)


def protecting() -> bool:
    return _PROTECT.get()


def guard_output(source: str | Path, out: str | Path) -> None:
    """Refuse to write over the input: jixiao never modifies a unit's workbook (the rules above)."""
    check_output(out, inputs=[source], kinds=protecting())


def may_replace(target: Path, new: Path) -> str | None:
    """The last check before ``new`` (finished) is renamed over ``target``: why not, or ``None``.

    A unit workbook or 自评表 is replaced only by the same bytes (a re-run of a
    reproducible build) or when it is a blank template (``templates build``).
    """
    try:
        if not target.is_file():
            return None
    except OSError:
        return None
    kind = workbook_kind(target)
    if kind not in (UNIT, SELFEVAL):
        if kind == SUMMARY and workbook_kind(new) != SUMMARY:
            return replace_refusal(target)
        return None
    if _same_bytes(target, new) or _blank(target, kind):
        return None
    return replace_refusal(target)


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with a.open("rb") as fa, b.open("rb") as fb:
            while True:
                x, y = fa.read(1 << 20), fb.read(1 << 20)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False


def _blank(path: Path, kind: str) -> bool:
    """A template nobody has filled in (no unit code, no unit name, no project filled)."""
    try:
        if kind == SELFEVAL:
            from .selfeval.reading import read_selfeval

            unit = read_selfeval(path).unit
            return not (unit.code or unit.name)
        from .forms.reader import read_workbook

        book = read_workbook(path)
        return not (book.unit.code or book.unit.name) and not any(p.code or p.name or p.budget
                                                                  for p in book.projects)
    except Exception:  # noqa: BLE001 - unreadable: not provably blank, so it is kept
        return False


def check_folder_output(folder: str | Path, *, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse an output folder that is a file, or that is (or lies inside) an input folder."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} 是一个文件，不是文件夹；请指定一个文件夹")
    for item in inputs:
        if Path(item).is_dir() and _inside(folder, item):
            raise OutputError(f"导出文件夹 {folder} 在输入文件夹 {item} 中，导出的文件会混进单位交来的文件；"
                              "请指定输入文件夹以外的文件夹")
