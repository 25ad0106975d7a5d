"""What the 报送站 does, apart from HTTP: accept a submission, build the county summary.

The API and the pages both call these; the tests call them through both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import JixiaoError
from ..checks.issues import FileReport, Issue, Report
from ..profiles import load_profile
from .roster import code_key
from .store import Store

#: Largest upload accepted (a unit workbook is well under 1 MB); JIXIAO_SITE_MAX_UPLOAD_MB changes it.
MAX_UPLOAD = int(float(os.environ.get("JIXIAO_SITE_MAX_UPLOAD_MB", "20")) * 2**20)

STATUS_ZH = {"submitted": "已报", "rejected": "退回", "missing": "未报"}
BEIJING = dt.timezone(dt.timedelta(hours=8))


def beijing(at: str | None) -> str:
    """A stored time (ISO, UTC) as the clerks read it: Beijing time, ``2026-01-10 09:30:05``."""
    if not at:
        return ""
    return dt.datetime.fromisoformat(at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def uploaded_as(unit: dict[str, Any]) -> str:
    """How the summary names a unit's current file: as the unit uploaded it, with who and when
    (``滦平县信访局2027.xlsx（154001 于 2026-01-10 09:30:05 上传）``), not by the site's storage name; the
    unit's code keeps two units' ``绩效目标表.xlsx`` apart."""
    return f"{unit.get('filename') or '未命名.xlsx'}（{unit['unit_code']} 于 {beijing(unit.get('submitted_at'))} 上传）"


def display_name(name: str | None) -> str:
    """The uploaded file's name as text to show: its last path part, no control characters, not too long.
    It is never used to build a path. A name sent in GBK (older browsers, 360's compatibility mode) reaches
    us read as Latin-1, the multipart parser's fallback when UTF-8 fails: when its bytes read as GBK give
    Chinese characters, that is the name (a Latin-1 name such as café.xlsx is not valid GBK)."""
    name = name or ""
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:  # not the fallback: a Unicode name as sent
        raw = b""
    if not raw.isascii():
        try:
            gbk = raw.decode("gbk")
        except UnicodeDecodeError:
            gbk = ""
        if any("\u4e00" <= ch <= "\u9fff" for ch in gbk):
            name = gbk
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "未命名.xlsx"
    if len(base) <= 120:
        return base
    stem, dot, ext = base.rpartition(".")  # shortened in the middle of its stem: the .xlsx stays
    ext = f"{dot}{ext}" if stem and len(ext) <= 8 else ""
    return base[:119 - len(ext)] + "…" + ext


def check_workbook(path: Path, profile_name: str | None) -> tuple[FileReport, Any]:
    """The validate report of the stored file, and the book read (None when it could not be read)."""
    from ..forms.reader import read_workbook
    from ..checks.validate import validate_book, validate_file

    profile = load_profile(profile_name) if profile_name else None
    try:
        book = read_workbook(path)
    except JixiaoError:  # unreadable or not ours: validate_file words the finding, as `jixiao validate` does
        return validate_file(path, profile), None
    report = FileReport(path=str(path), unit_code=book.unit.code, unit_name=book.unit.name)
    report.issues = validate_book(book, profile)
    return report, book


def submit(store: Store, task: dict[str, Any], unit: dict[str, Any], stream: BinaryIO, filename: str | None,
           *, actor: str, ip: str | None = None) -> dict[str, Any]:
    """Store, validate and record one upload; the API's answer (status, submission_id, report, message)."""
    stored = store.files.put(stream, MAX_UPLOAD)
    shown = display_name(filename)
    report, book = check_workbook(stored.path, task.get("profile"))
    report.path = shown  # the report names the file as the unit knows it, not the store's path
    reason = None
    if (not report.readable or book is None) and shown.startswith("~$"):
        reason = (f"“{shown}”是 Excel 打开工作簿时生成的临时文件，不是工作簿本身，未予接收。"
                  f"请选择同一文件夹中名为“{shown[2:]}”的文件（先在 Excel 中保存并关闭它）")
    elif (not report.readable or book is None) and shown.lower().endswith((".et", ".ett")):
        reason = ("这是 WPS 表格的 .et 文件，不是 Excel 工作簿，未予接收。请在 WPS 中打开它，"
                  "“另存为”“Microsoft Excel 文件(*.xlsx)”后提交另存的文件")
    elif (not report.readable or book is None) and _other_kind(shown):
        reason = (f"您选择的“{shown}”是 {_other_kind(shown)}，不是 Excel 工作簿，未予接收。"
                  "请选择本单位填好的预算绩效目标表（.xlsx 文件）后重新提交")
    elif not report.readable or book is None:
        first = report.issues[0].message if report.issues else "无法读取"
        reason = _other_jixiao_file(stored.path, task) or f"文件无法作为本模板的工作簿读取：{first}"
    elif not str(book.unit.code or "").strip():
        reason = (f"工作簿的“单位信息”表中没有填写单位编码，未予接收。请填写本单位的编码 {unit['code']}"
                  f"（{unit['name']}）后重新提交")
    elif code_key(book.unit.code) != code_key(unit["code"]):  # 1001 in a numeric cell is the unit 001001
        found = f"{book.unit.code} {book.unit.name or ''}".strip()
        reason = (f"工作簿中的单位编码为 {found}，与登录的单位 {unit['code']} {unit['name']} 不符，未予接收。"
                  "请提交本单位的工作簿，或在“单位信息”表中改正单位编码")
    elif book.unit.year != task["year"]:  # the summary would leave it out (JX-D04): not accepted either
        found = f"为 {book.unit.year} 年" if book.unit.year is not None else "未填写"
        reason = f"工作簿的预算年度{found}，本次报送的是 {task['year']} 年度，未予接收（请在“单位信息”表中填写预算年度）"
    elif report.errors:
        reason = f"校验发现 {report.errors} 个错误，未予接收。请按下列单元格逐项改正后重新提交"
    status = "rejected" if reason else "submitted"
    if status == "submitted":
        message = "已接收，状态为已报。" + (f"有 {report.warnings} 个提示，请逐条填写说明。" if report.warnings else "")
    else:
        message = reason
    message += _same_as_before(store, task, unit, stored.sha256, rejected=status == "rejected")
    payload = Report(files=[report]).to_json()
    sid = store.add_submission(task_id=task["id"], unit_code=unit["code"], stored=stored, filename=shown,
                               status=status, errors=report.errors, warnings=report.warnings, message=message,
                               report=payload, actor=actor, ip=ip)
    return {"status": status, "submission_id": sid, "report": payload, "message": message}


#: What a file is by its extension, when a clerk picked the wrong one (a photo, a PDF, a Word document)
OTHER_KINDS = {".jpg": "图片", ".jpeg": "图片", ".png": "图片", ".gif": "图片", ".bmp": "图片", ".heic": "图片",
               ".pdf": "PDF 文件", ".doc": "Word 文档", ".docx": "Word 文档", ".wps": "WPS 文字文档",
               ".txt": "文本文件", ".ofd": "OFD 版式文件", ".ppt": "演示文稿", ".pptx": "演示文稿",
               ".mp4": "视频", ".exe": "程序", ".lnk": "快捷方式"}


def _other_kind(name: str) -> str | None:
    """The kind of file a name says it is, when it says it is no workbook (``照片.jpg``: 图片)."""
    dot = name.rfind(".")
    return OTHER_KINDS.get(name[dot:].lower()) if dot >= 0 else None


def _other_jixiao_file(path: Path, task: dict[str, Any]) -> str | None:
    """What to tell a unit that sent one of jixiao's other workbooks: the reader's words name CLI commands
    (``jixiao score``) or call a county summary "not a jixiao workbook", neither of which helps on the site."""
    from ..consolidation.rollup import summary_header
    from ..forms.grid import sniff
    from ..selfeval.reading import read_selfeval

    wanted = f"请提交本单位填好的 {task['year']} 年度预算绩效目标表（单位工作簿）"
    try:
        sniff(path)  # a damaged file or a zip bomb is never opened further: the reader's words stand
    except JixiaoError:
        return None
    if summary_header(path) is not None:
        return f"这是 jixiao 生成的汇总表，不是单位工作簿，未予接收。{wanted}"
    try:
        read_selfeval(path)
    except Exception:  # noqa: BLE001 - not a 自评表 (however it fails): the reader's words stand
        return None
    return f"这是绩效自评表，不是预算绩效目标表，未予接收。{wanted}"


def _same_as_before(store: Store, task: dict[str, Any], unit: dict[str, Any], sha256: str, *, rejected: bool) -> str:
    """A note when the unit has sent these very bytes before: most often a clerk who changed the workbook in
    Excel but did not save it (or picked the old copy) and uploads the same file again."""
    history = store.history(task["id"], unit["code"])  # newest first
    same = next((len(history) - i for i, h in enumerate(history) if h["sha256"] == sha256), None)
    if same is None:
        return ""
    note = f"（这个文件与第 {same} 次提交的文件内容完全相同"
    return note + ("：如果已经改正，请确认已在 Excel 中保存，并选择保存后的文件）" if rejected else "）")


def issues_of(submission: dict[str, Any]) -> list[dict[str, Any]]:
    files = submission["report"].get("files") or [{}]
    return files[0].get("issues", [])


def warning_indexes(submission: dict[str, Any]) -> list[int]:
    return [i for i, issue in enumerate(issues_of(submission)) if issue["severity"] == "warning"]


def workbook_suffix(path: Path) -> str:
    """``.xlsm`` for a stored macro workbook (the jixiao-unit-*.xlsm templates), else ``.xlsx``: the store's
    names have no extension, and Excel refuses a macro workbook named ``.xlsx``."""
    from ..excel.zippatch import is_macro_workbook

    return ".xlsm" if is_macro_workbook(path) else ".xlsx"


def marked_copy(store: Store, submission: dict[str, Any], out: Path) -> Path:
    """The submitted file marked by the existing annotate (red/yellow cells, the 校验结果 sheet); ``out``'s
    extension becomes the file's own (``.xlsm`` for a macro workbook, whose macros and buttons it keeps)."""
    from ..checks.annotate import annotate_file

    ext = workbook_suffix(store.files.path(submission["sha256"]))
    out = out.with_suffix(ext)
    source = out.with_name("source" + ext)  # openpyxl goes by the extension; the store's names have none
    try:
        os.link(store.files.path(submission["sha256"]), source)
    except OSError:
        import shutil
        shutil.copyfile(store.files.path(submission["sha256"]), source)
    report = FileReport.model_validate({k: v for k, v in submission["report"]["files"][0].items()
                                        if k in FileReport.model_fields})
    report.issues = [Issue.model_validate(i) for i in issues_of(submission)]
    task = store.task_by_id(submission["task_id"])
    password = load_profile(task.get("profile") or "hebei").protection_password
    from ..errors import JixiaoError
    from ..forms.reader import read_workbook

    from ..forms.printfit import new_heights, short_rows

    try:
        book = read_workbook(source)  # its forms label the 字段 column
    except JixiaoError:
        book = None
    heights = new_heights(short_rows(str(source), book)) if book is not None else None  # prints whole, as --annotate
    return annotate_file(source, out, report, password=password, book=book, heights=heights)


class SummaryBuilder:
    """The county summary of the current (已报) submissions, by the existing consolidation and its cache.

    The current files are hard links (same bytes, no copy) in ``DIR/summary/<year>/units/<code>.xlsx``; a
    re-submission changes one link, so the cache re-reads one file. One build at a time; ``progress``
    tells the page how far it is.
    """

    def __init__(self, store: Store):
        self.store = store
        self.lock = threading.Lock()
        self.progress: dict[str, Any] = {"state": "idle", "done": 0, "total": 0}

    @staticmethod
    def link_name(code: str) -> str:
        """The file name of a unit's link: readable, made unique by a digest of the code itself ("A/B" and
        "A_B" stay two files). The summary shows the name the unit uploaded instead (:func:`uploaded_as`)."""
        return f"{re.sub(r'[^0-9A-Za-z_-]', '_', code)}-{hashlib.sha256(code.encode()).hexdigest()[:8]}.xlsx"

    def _sync(self, folder: Path, current: dict[str, str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        wanted = {self.link_name(code): sha for code, sha in current.items()}
        for entry in os.scandir(folder):
            if entry.name not in wanted:
                os.unlink(entry.path)  # a link only: the stored file stays
        for name, sha in wanted.items():
            source, target = self.store.files.path(sha), folder / name
            try:
                if os.stat(target).st_ino == os.stat(source).st_ino:
                    continue
            except FileNotFoundError:
                pass
            tmp = folder / f".{name}.tmp"
            if tmp.exists():
                tmp.unlink()
            try:
                os.link(source, tmp)
            except OSError:  # another file system: a copy
                import shutil
                shutil.copyfile(source, tmp)
            os.replace(tmp, target)

    def build(self, task: dict[str, Any]) -> tuple[Path, Any]:
        from ..consolidation import consolidate

        with self.lock:
            units = [u for u in self.store.units_status(task["id"]) if u["status"] == "submitted"]
            base = self.store.data / "summary" / str(task["year"])
            folder = base / "units"
            self._sync(folder, {u["unit_code"]: u["sha256"] for u in units})
            self.progress = {"state": "building", "done": 0, "total": len(units), "started": time.time()}

            def step(_path: Path) -> None:
                self.progress["done"] += 1

            out = base / f"全县汇总-{task['year']}.xlsx"
            try:
                names = {folder / self.link_name(u["unit_code"]): uploaded_as(u) for u in units}
                result = consolidate([folder], out, year=task["year"], profile=task.get("profile"),
                                     progress=False, on_file=step, names=names,
                                     workers=int(os.environ.get("JIXIAO_SITE_WORKERS", "0")) or None)
            except Exception:
                self.progress = {"state": "failed", "done": 0, "total": len(units)}
                raise
            self.progress = {"state": "done", "done": len(units), "total": len(units),
                             "seconds": round(time.time() - self.progress["started"], 2)}
            return out, result
