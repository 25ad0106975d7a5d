"""Consolidate many units' workbooks into one county summary workbook — fast, and losing nothing.

Every input file ends up either consolidated (a row in 单位汇总, or in 自评得分 for a
self-evaluation workbook) or listed in
未纳入文件 with its code and reason; ``found = consolidated + not
consolidated`` is checked and shown. Inputs are never modified; the summary is
written atomically.

Rules that need more than one file:

- **JX-D04** the budget year: ``--year``, or else the year most units have
  (ties: the later year). A unit of another year, or with none, is not
  consolidated.
- **JX-D01** the same unit (单位编码, or 单位名称 when the code is empty) in two
  files: the one with the later 填表日期 is consolidated, then the newer file
  (modification time), then the first path in sorted order; every other file is
  listed in 未纳入文件 naming the file that won, and the winner gets a finding
  naming the others. Two 自评表 of one unit are decided the same way.
- **JX-D02** the same 项目编码 in two consolidated units: a finding on both.

County summaries (jixiao's own, recognised by their hidden records) among the inputs are rolled up
(:mod:`.rollup`): their units, 自评表 and 未纳入文件 join the run with their 县区, and the rules above
are decided again over all of them, so that the roll-up equals consolidating every unit at once.

>>> result = consolidate(["jixiao-demo/units"], "汇总.xlsx")  # doctest: +SKIP
>>> result.found == result.consolidated + result.not_consolidated  # doctest: +SKIP
True
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import itertools
import os
import re
import signal
import sqlite3
import stat
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar

from ..checks.catalogue import message
from ..errors import JixiaoError, OutputError
from ..oserror import os_reason
from ..paths import escaped, not_regular, odd, shown
from ..profiles import Profile, load_profile, load_profile_file
from ..forms.values import MILESTONES, identity_key
from .cache import Cache, cache_key, sqlite_reason
from .rollup import roll_up, unit_keys
from .staging import Staging, is_temporary, reason, sweep
from .records import UnitRecord, finding_row, identity, rejected, unit_label
from .summary import County, write_summary, write_tables
from .xlsxstream import DamagedCache

# The worker's imports (the reader, the rules, pydantic models) load in the workers, on demand.


def _extract(*args: Any):
    # not named `extract`: importing the submodule .extract rebinds that package attribute
    from .extract import extract as run
    return run(*args)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Result:
    """What a consolidation did; ``to_json()`` is ``jixiao consolidate --format json``."""

    output: Path
    found: int
    consolidated: int
    not_consolidated: int
    units: int
    projects: int
    indicators: int
    budget: Decimal
    fiscal: Decimal
    other: Decimal
    errors: int
    warnings: int
    year: int | None
    read: int  # files read this run
    cached: int = 0  # files whose record came from the cache
    rejected: list[dict[str, Any]] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    selfevaluations: int = 0  # 自评表 among the consolidated files (sheet 自评得分)
    codes: dict[str, int] = field(default_factory=dict)  # findings by JX code
    notices: list[str] = field(default_factory=list)  # warnings about the run itself (e.g. the cache unused)
    counties: list[str] = field(default_factory=list)  # the county summaries rolled up (their 县区), if any
    #: the part of ``budget`` on forms without sources (四川): the rest of budget - fiscal - other is JX-B01
    unsourced: Decimal = Decimal(0)

    def to_json(self) -> dict[str, Any]:
        return {"output": shown(self.output), "year": self.year, "files_found": self.found,
                "consolidated": self.consolidated, "not_consolidated": self.not_consolidated,
                "units": self.units, "selfevaluations": self.selfevaluations, "projects": self.projects,
                "indicators": self.indicators,
                "budget": {"budget": f"{self.budget:.2f}", "fiscal": f"{self.fiscal:.2f}",
                           "other": f"{self.other:.2f}"},
                "errors": self.errors, "warnings": self.warnings, "files_read": self.read, "codes": self.codes,
                "notices": self.notices, "counties": self.counties,
                "not_consolidated_files": [{"path": r["path"], "code": r["code"], "reason": r["reason"]}
                                           for r in self.rejected]}


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


def _not_a_workbook(path: str) -> str | None:
    if path[-5:].lower() in WORKBOOK_SUFFIXES and path[-6:-5] not in ("/", "\\", "") and "~$" not in path:
        return None  # the common case, without splitting the path
    name = os.path.basename(path)
    suffix = os.path.splitext(name)[1].lower()
    if name.startswith("~$"):
        return "Excel 打开文件时生成的临时锁定文件，不是单位工作簿"
    if suffix in (".et", ".ett"):  # a WPS 表格 file: say how to make the .xlsx
        from ..forms.grid import by_name
        return by_name(path)
    if suffix == ".xls":
        return "旧版 .xls（Excel 97-2003）文件，请在 Excel 中另存为 .xlsx 后重新提交"
    if suffix in ARCHIVE_SUFFIXES:
        return ARCHIVE_REASON
    if suffix not in WORKBOOK_SUFFIXES:
        return f"不是 Excel 工作簿（扩展名 {suffix or '无'}），未汇总"
    return None


ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z")
ARCHIVE_REASON = "这是压缩包，其中的文件未汇总：请先解压（右键 →“全部解压缩”），再汇总解压出的文件夹"


_DATE = re.compile(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})")


def fill_date(text: str | None) -> dt.date | None:
    """填表日期 as written (``2025.12.15``, ``2025-12-15``, ``2025年12月15日``) → a date."""
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _choose_year(summaries: list[dict[str, Any]], year: int | None) -> int | None:
    if year is not None:
        return year
    counts = Counter(s["unit"]["year"] for s in summaries if s["unit"]["year"] is not None)
    if not counts:
        return None
    best = max(counts.values())
    return max(y for y, n in counts.items() if n == best)


T = TypeVar("T")


def _rank(summary: dict[str, Any]):
    date = fill_date(summary["unit"].get("fill_date")) or dt.date.min
    return (date, summary["mtime"] or 0.0)


def _choose(group: list[T], summary_of: Callable[[T], dict[str, Any]]) -> tuple[T, list[tuple[T, str]]]:
    """Of one unit's files, the one consolidated (JX-D01): the later 填表日期, then the newer file, then
    the first path; and each other one with why it was not chosen."""
    group = sorted(group, key=lambda item: summary_of(item)["path"])
    ranks = [_rank(summary_of(item)) for item in group]
    best = max(range(len(group)), key=ranks.__getitem__)  # max keeps the first of equals
    return group[best], [(item, "填表日期较新" if ranks[best][0] > rank[0] else
                          "文件修改时间较新" if ranks[best] > rank else "按文件名排序在前")
                         for i, (item, rank) in enumerate(zip(group, ranks)) if i != best]


def _finding(code: str, detail: str, summary: dict[str, Any]) -> list[Any]:
    """A 校验问题 row for a finding consolidation makes (D01, D02): no cell, the whole file."""
    unit = summary["unit"]
    return finding_row(unit["code"], unit["name"], summary["path"], code, message(code, detail=detail))


def _progress(total: int, enabled: bool):
    """A rich progress bar on a terminal; a no-op elsewhere."""
    if not enabled or total == 0:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("读取单位工作簿"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        transient=True)
    progress.start()
    progress.add_task("read", total=total)
    return progress


def consolidate(inputs: Iterable[str | Path], output: str | Path, *, year: int | None = None,
                profile: str | None = None, profile_file: str | Path | None = None, workers: int | None = None,
                csv_dir: str | Path | None = None, use_cache: bool = True, progress: bool | None = None,
                on_file: Callable[[Path], None] | None = None, county: str | None = None,
                names: Mapping[str | os.PathLike[str], str] | None = None) -> Result:
    """Consolidate unit workbooks under ``inputs`` into the summary workbook ``output``.

    ``names`` (path → name) shows those files by the given names instead of their paths, everywhere in
    the summary (see :func:`labelled`); ``jixiao consolidate`` gives none.

    County summaries among the inputs (jixiao's own, see :mod:`.rollup`) are rolled up: their units
    are consolidated from the summaries' rows as if their workbooks had been given. ``county``
    names this summary's county (县区) for a roll-up of it later (else its file name does).
    """
    # Tens of thousands of small records and no reference cycles worth chasing: the cyclic
    # collector would rescan them over and over (a fifth of a cached re-run's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _consolidate(inputs, output, year=year, profile=profile, profile_file=profile_file,
                            workers=workers, csv_dir=csv_dir, use_cache=use_cache, progress=progress,
                            on_file=on_file, county=county, names=names)
    finally:
        if collecting:
            gc.enable()


def _consolidate(inputs: Iterable[str | Path], output: str | Path, *, year: int | None, profile: str | None,
                 profile_file: str | Path | None, workers: int | None, csv_dir: str | Path | None,
                 use_cache: bool, progress: bool | None, on_file: Callable[[Path], None] | None,
                 county: str | None = None, names: Mapping[str | os.PathLike[str], str] | None = None) -> Result:
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise JixiaoError("汇总文件请使用 .xlsx 扩展名")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {output.parent}：{os_reason(exc, writing=True)}") from exc
    cache_path = output.with_name(f".{output.stem}.jixiao-cache.sqlite")
    sweep(output, *([Path(csv_dir)] if csv_dir else []))  # what killed runs left beside the outputs
    listed_ns = time.time_ns()
    listing = scan(inputs, exclude=[output, cache_path])
    # a killed run's temporary outputs (in an input folder, say) are never taken for units
    listing = Listing([f for f in listing.files if not is_temporary(f[0])], listing.refused, listing.real)
    if names:
        listing = labelled(listing, names)
    profile_option = ("file", str(profile_file)) if profile_file else (("name", profile) if profile else None)
    targets_profile: Profile = load_profile_file(profile_file) if profile_file else load_profile(profile or "hebei")
    targets = {m: Decimal(targets_profile.progress.get(m, 100)) for m in MILESTONES}
    cache = Cache(cache_path if use_cache else None, listed_ns=listed_ns)
    try:
        for attempt in range(2):
            try:
                return _run(listing, output, cache, year=year, profile_option=profile_option, targets=targets,
                            workers=workers, csv_dir=csv_dir, progress=progress, on_file=on_file,
                            county=county)
            except DamagedCache:
                if attempt:  # pragma: no cover - an empty cache cannot be damaged
                    raise JixiaoError("内部错误：缓存重建后仍不一致，请加 --no-cache 重试") from None
                cache.reset()  # lengths in the cache that do not add up: it is derived data, build it again
    except sqlite3.OperationalError as exc:  # the cache's disk is full (its transaction is rolled back)
        raise OutputError(f"无法写入缓存文件 {cache.path}：{sqlite_reason(exc)}；原有的汇总表未改动") from exc
    finally:
        cache.close()


def _run(listing: Listing, output: Path, cache: Cache, *, year: int | None,
         profile_option: Any, targets: dict[str, Decimal], workers: int | None, csv_dir: str | Path | None,
         progress: bool | None, on_file: Callable[[Path], None] | None, county: str | None = None) -> Result:
    """One consolidation with ``cache`` (raises :class:`DamagedCache` when what it holds does not add up)."""
    pool = None
    try:
        summaries: dict[str, tuple[str, dict[str, Any]]] = {}  # path → (key, summary)
        units: dict[str, UnitRecord] = {}  # path → the consolidated units among them
        listed, rejected_files = _triage(listing)
        workers = workers or os.cpu_count() or 1
        # None: a file seen for the first time (every file, on a first run), hashed by the worker that reads it
        keys, stale = cache.lookup(listed, profile_option)
        if workers > 1 and len(stale) - cache.racy >= POOL_MIN:
            # files to read: the workers start now, and import the reader while the cached records load
            pool = _start_pool(workers)
        failed = cache.rehash(stale, listed, profile_option, keys, listing.real)
        for path, exc in failed.items():
            rejected_files.append(rejected(path, "JX-D03", f"无法读取文件：{os_reason(exc)}", listed.pop(path)))
            del keys[path]  # listed with its reason: not read as well
        present = cache.present([k for k in keys.values() if k], with_table=csv_dir is not None)
        for key, record in cache.summaries(list(present)).items():
            if record["status"] == "summary":  # a county summary: cached only with every unit of it
                parts = unit_keys(key, record)
                if len(cache.present(parts, with_table=csv_dir is not None)) != len(parts):
                    present.discard(key)
        todo = [(path, key) for path, key in keys.items() if key is None or key not in present]
        show = sys.stderr.isatty() if progress is None else progress
        bar = _progress(len(todo), show)
        try:
            if pool is None and workers > 1 and len(todo) >= POOL_MIN:  # e.g. other options than last time
                pool = _start_pool(workers)
            # the workers start on the changed files first; the cached summaries load meanwhile
            results = _read(todo, profile_option, csv_dir is not None, {m: str(v) for m, v in targets.items()},
                            pool, workers, listing.real, listing.labels)
            # the cached units are parsed while the workers read (the first results come after that)
            for key, summary in cache.summaries([k for k in keys.values() if k in present]).items():
                _as_now(summary, listed[summary["path"]])
                summaries[summary["path"]] = (key, summary)
                if summary["status"] == "ok":
                    units[summary["path"]] = UnitRecord(key, summary)
            for (path, key), (summary, blobs) in zip(todo, results):
                if key is None:
                    digest = summary.pop("digest", None)
                    if digest is not None:
                        cache.known_digest(path, listed[path], digest)
                    # a file that could not even be hashed is recorded for this run and read again next time
                    key = keys[path] = cache_key(digest or "unhashed", path, profile_option)
                _as_now(summary, listed[path])
                if summary["status"] == "summary":  # its units' records and rows, each under a key of its own
                    for i, (record, own) in enumerate(zip(summary.pop("units"), blobs.pop("units"))):
                        cache.put(f"{key}#{i}", record, own)
                        summary["n_units"] = i + 1
                    summary.setdefault("n_units", 0)
                cache.put(key, summary, blobs)
                summaries[path] = (key, summary)
                if summary["status"] == "ok":
                    units[path] = UnitRecord(key, summary)
                if bar is not None:
                    bar.advance(bar.task_ids[0])
                if on_file is not None:
                    on_file(Path(path))
        finally:
            if bar is not None:
                bar.stop()
        # county summaries (a roll-up): their units, 自评表 and files not consolidated, as if given here
        rolled = roll_up(cache, [(k, s) for k, s in summaries.values() if s["status"] == "summary"], listed)
        cache.finish({key for key, _ in summaries.values()} | rolled.keys, set(keys))

        # decisions that need all files (each ends in an order of its own: no need to sort the files first)
        ok, evaluations = list(rolled.units), list(rolled.evaluations)
        for path, (key, summary) in summaries.items():
            if summary["status"] == "summary":
                continue
            if summary["status"] in ("ok", "selfeval") and _blank(summary):
                rejected_files.append(_reject(summary, "JX-L02", BLANK))
            elif summary["status"] == "ok":
                ok.append(units[path])
            elif summary["status"] == "selfeval":
                evaluations.append(summary)
            else:
                rejected_files.append(summary)
        chosen_year = _choose_year([u.summary for u in ok] or evaluations, year)
        other_years, gone = rolled.other_years(chosen_year)  # a county summary of another year: listed once
        if gone:
            ok = [u for u in ok if id(u) not in gone]
            evaluations = [e for e in evaluations if id(e) not in gone]
        rejected_files += rolled.rejected + other_years
        scored = []
        for e in evaluations:
            if chosen_year is not None and e["unit"]["year"] != chosen_year:
                rejected_files.append(_reject(e, "JX-D04", f"自评表为{e['unit']['year'] or '未填写'}年度，"
                                                           f"本次汇总的是 {chosen_year} 年度"))
            else:
                scored.append(e)
        scored = _deduplicate_evaluations(scored + rolled.ghost_evaluations, rejected_files)
        # ranked: the complete ones, best first; then the incomplete ones, apart, each with why (自评得分)
        scored.sort(key=lambda e: (not e["complete"], -Decimal(e["total"]) if e["complete"] else 0,
                                   identity_key(e["unit"]["code"]), e["path"]))
        in_year = []
        for u in ok:
            unit_year = u.summary["unit"]["year"]
            if chosen_year is not None and unit_year != chosen_year:
                found = f"工作簿为 {unit_year} 年度" if unit_year is not None else "工作簿未填写预算年度"
                rejected_files.append(_reject(u.summary, "JX-D04", f"{found}，本次汇总的是 {chosen_year} 年度"))
            else:
                in_year.append(u)
        winners = _deduplicate(in_year + rolled.ghosts, rejected_files)
        winners.sort(key=lambda u: u.order)
        _cross_unit_codes(winners)
        rejected_files.sort(key=lambda r: r["path"])
        n_found = len(listing.files) + rolled.found - len(rolled.summaries)  # a summary: the files it found
        county = County(winners, rejected_files, n_found, chosen_year, targets, scored,
                        rollup=bool(rolled.summaries), name=county)
        if county.found != len(winners) + len(scored) + len(rejected_files):  # pragma: no cover - the invariant
            raise JixiaoError("内部错误：文件核对不一致，已停止写出汇总表")
        if rolled.summaries and os.path.exists(output):
            _not_a_county_summary(output)
        with Staging() as staged:  # all or nothing: the summary and the CSV set are put in place together
            try:
                placements = write_summary(output, county, cache, staged.file(output))
                written = write_tables(Path(csv_dir), county, cache, staged.folder(Path(csv_dir))) if csv_dir else []
            except OSError as exc:
                raise OutputError(f"无法写出汇总表 {output}：{reason(exc)}；原有的汇总表未改动") from exc
            staged.commit()
        try:
            cache.remember_summary(output, placements)  # what the next run can copy from this file
        except sqlite3.Error:  # (a full disk, say) the summary is in place; the next run rebuilds its rows
            pass
        return Result(output=output, found=county.found, consolidated=len(winners) + len(scored),
                      not_consolidated=len(rejected_files), units=len(winners), projects=county.projects,
                      indicators=county.indicators, budget=county.budget, fiscal=county.total("fiscal"),
                      other=county.total("other"), errors=county.errors,
                      warnings=county.warnings, year=chosen_year, read=len(todo), cached=len(keys) - len(todo),
                      rejected=rejected_files, tables=written, selfevaluations=len(scored),
                      codes=county.code_counts(), notices=[cache.notice] if cache.notice else [],
                      counties=rolled.counties, unsourced=county.unsourced)
    finally:
        if pool is not None:  # idle workers exit; after an error, the files not yet started are dropped
            pool.shutdown(cancel_futures=True)


def _not_a_county_summary(output: Path) -> None:
    """A roll-up never replaces a county's summary (``-o`` naming one of the summaries it rolls up, say)."""
    from .rollup import summary_header

    header = summary_header(output)
    if header is not None and not header.get("rollup"):
        name = header.get("county") or output.stem
        raise OutputError(f"输出文件 {shown(output)} 是县区“{name}”的汇总表，逐级汇总不会覆盖它："
                          "请用另一个文件名（-o），例如“全市汇总.xlsx”")


def _as_now(summary: dict[str, Any], st: os.stat_result) -> None:
    """The file's size and time as listed in this run, not as when its record was made: a copy of the
    same bytes (same record) is newer now, and JX-D01 must decide as a run without the cache would."""
    summary["size"], summary["mtime"] = st.st_size, st.st_mtime


def _triage(listing: Listing) -> tuple[dict[str, os.stat_result], list[dict[str, Any]]]:
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
                reason = _not_a_workbook(listing.real.get(path, path))
        if reason:
            refused.append(rejected(path, "JX-D03", reason, st))
        else:
            listed[path] = st
    return listed, refused


POOL_MIN = 8  # fewer files than this are read in this process: starting workers would cost more


def _start_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes, started now (each imports the reader, in parallel with this process's work)."""
    # Ctrl-C reaches the whole process group: the workers ignore it (inherited from here, so even one
    # still importing does not print a traceback); this process stops them and says "已取消".
    main = threading.current_thread() is threading.main_thread()  # (the server runs us in threads)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start)
        pool.submit(int)  # the first task starts every worker of a fork-based pool
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    return pool


def _worker_start() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import python_calamine  # noqa: F401

    from . import extract  # noqa: F401

    # The workers collect cycles as usual (consolidate() turns the collector off in this process),
    # but not through the modules just imported: frozen, they are never scanned again.
    gc.freeze()
    gc.enable()


def _read(todo: list[tuple[str, str | None]], profile_option, tables: bool, targets: dict[str, str],
          pool: ProcessPoolExecutor | None, workers: int,
          real: dict[str, str], labels: frozenset[str] = frozenset()
          ) -> Iterator[tuple[dict[str, Any], dict[str, bytes]]]:
    """The records of ``todo``, in order: by the ``pool`` (the work is submitted before this returns), else here.

    A file without a key yet is hashed by whoever reads it (``digest`` in its summary). A file whose
    name is not UTF-8, or that the caller named (``labels``), is opened by its ``real`` path and named
    by its shown one (a label gets no link).
    """
    paths = [real.get(p, p) for p, _ in todo] if real else [p for p, _ in todo]
    names = [p if p in real else None for p, _ in todo]
    digests = [key is None for _, key in todo]
    linked = [p not in labels for p, _ in todo] if labels else [True] * len(todo)
    if pool is None:
        return (_extract(p, profile_option, tables, targets, d, name, link)
                for p, d, name, link in zip(paths, digests, names, linked))
    n = len(paths)
    return pool.map(_extract, paths, [profile_option] * n, [tables] * n, [targets] * n, digests, names, linked,
                    # small batches for a few files (no worker idles long at the end), up to 64 for many
                    chunksize=max(1, min(64, n // (workers * 32))))


BLANK = "空白模板（未填写）：单位编码、单位名称、预算年度和项目都未填写，未纳入汇总"


def _blank(summary: dict[str, Any]) -> bool:
    """A template copied but not filled in (a unit workbook or a 自评表): nothing in it to consolidate."""
    unit = summary["unit"]
    if identity_key(unit["code"]) or identity_key(unit["name"]) or unit["year"] is not None:
        return False
    if summary["status"] == "selfeval":
        return not summary["projects"]
    return not summary["n_projects"] and not summary["n_indicators"]


def _who(unit: dict[str, Any], path: str, known: str | None = None) -> str:
    """Whom JX-D01 groups by: the unit's identity (``known`` when computed already); a file naming
    neither code nor name is only itself (two such files are two units, each with its own JX-L02,
    not duplicates of each other)."""
    if unit_label(unit):  # empty exactly when both are blank
        return known or identity(unit)
    return "file:" + path


def _reject(summary: dict[str, Any], code: str, reason: str) -> dict[str, Any]:
    """The 未纳入文件 record of a file that was read (a unit workbook or a 自评表) but is not consolidated
    (with its 填表日期 and year: a roll-up of this summary decides JX-D01 again with them)."""
    unit = summary["unit"]
    record = {**rejected(summary["path"], code, reason), "size": summary["size"], "mtime": summary["mtime"],
              "unit_code": unit["code"], "unit_name": unit["name"], "fill_date": unit.get("fill_date"),
              "year": unit.get("year")}
    if summary["status"] == "selfeval":
        record["of"] = "selfeval"
    if "county" in summary:
        record["county"] = summary["county"]
    return record


def _deduplicate(units: list[UnitRecord], rejected_files: list[dict[str, Any]]) -> list[UnitRecord]:
    groups: dict[str, list[UnitRecord]] = defaultdict(list)
    for u in units:
        groups[_who(u.summary["unit"], u.summary["path"], u.identity)].append(u)
    winners = []
    for group in groups.values():
        if len(group) == 1:
            if "ghost" in group[0].summary:  # (never: a JX-D01 loser's winner is in the same summary)
                rejected_files.append(group[0].summary["ghost"])
            else:
                winners.append(group[0])
            continue
        winner, others = _choose(group, lambda u: u.summary)
        if "ghost" in winner.summary:  # (never: the best of the counties' best is the best of all)
            rejected_files.append(winner.summary["ghost"])
            winner, others = _choose([u for u in group if u is not winner], lambda u: u.summary)
        chosen, name = winner.summary, unit_label(winner.summary["unit"])
        for u, why in others:
            rejected_files.append(_reject(u.summary, "JX-D01",
                                          f"单位 {name} 重复：已采用 {chosen['path']}（{why}），本文件未纳入汇总"))
        listing = "、".join(u.summary["path"] for u, _ in others)
        winner.extra_issues.append(_finding("JX-D01", f"单位 {name} 还出现在 {listing}，这些文件未纳入汇总", chosen))
        winners.append(winner)
    return winners


def _deduplicate_evaluations(evaluations: list[dict[str, Any]], rejected_files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One 自评表 a unit (JX-D01), chosen as for the unit workbooks; the others are listed, naming it."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in evaluations:
        groups[_who(e["unit"], e["path"])].append(e)
    kept = []
    for group in groups.values():
        chosen, others = _choose(group, lambda e: e)
        while "ghost" in chosen:  # (never, as for the units)
            rejected_files.append(chosen["ghost"])
            group = [e for e in group if e is not chosen]
            if not group:
                break
            chosen, others = _choose(group, lambda e: e)
        if "ghost" in chosen:
            continue
        kept.append(chosen)
        for e, why in others:
            rejected_files.append(_reject(e, "JX-D01", f"单位 {unit_label(chosen['unit'])} 的自评表重复：已采用 "
                                                       f"{chosen['path']}（{why}），本文件未纳入汇总"))
    return kept


def _cross_unit_codes(units: list[UnitRecord]) -> None:
    counts = Counter(itertools.chain.from_iterable(u.summary["codes"] for u in units))
    shared = {code for code, n in counts.items() if n > 1}  # counted first: a county has few, if any
    if not shared:
        return
    owners: dict[str, list[UnitRecord]] = defaultdict(list)
    for u in units:
        for code in shared.intersection(u.summary["codes"]):
            owners[code].append(u)
    for code in sorted(owners):
        group = owners[code]
        for u in group:
            others = "、".join(unit_label(o.summary["unit"]) for o in group if o is not u)
            u.extra_issues.append(_finding("JX-D02", f"项目编码 {code} 同时出现在单位 {others}", u.summary))

