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

import gc
import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..errors import JixiaoError, OutputError
from ..oserror import os_reason
from ..paths import shown
from ..profiles import Profile, load_profile, load_profile_file
from ..forms.values import MILESTONES, identity_key
from .archives import unpacked
from .cache import Cache, cache_key, sqlite_reason
from .decide import BLANK, blank, choose_year, cross_unit_codes, deduplicate, deduplicate_evaluations, reject
from .listing import Listing, labelled, scan, triage
from .pool import POOL_MIN, read, start_pool
from .records import UnitRecord, rejected
from .rollup import roll_up, unit_keys
from .staging import Staging, is_temporary, reason, sweep
from .summary import County, write_summary, write_tables
from .xlsxstream import DamagedCache


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
    archives: dict[str, int] = field(default_factory=dict)  # zip → how many of the files found were in it

    def to_json(self) -> dict[str, Any]:
        return {"output": shown(self.output), "year": self.year, "files_found": self.found,
                "consolidated": self.consolidated, "not_consolidated": self.not_consolidated,
                "units": self.units, "selfevaluations": self.selfevaluations, "projects": self.projects,
                "indicators": self.indicators,
                "budget": {"budget": f"{self.budget:.2f}", "fiscal": f"{self.fiscal:.2f}",
                           "other": f"{self.other:.2f}"},
                "errors": self.errors, "warnings": self.warnings, "files_read": self.read, "codes": self.codes,
                "notices": self.notices, "counties": self.counties,
                "archives": {shown(k): n for k, n in self.archives.items()},
                "not_consolidated_files": [{"path": r["path"], "code": r["code"], "reason": r["reason"]}
                                           for r in self.rejected]}


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
    # folders this run creates (lexists: a name too long for the file system is no error here)
    made = [p for p in (output.parent, *output.parent.parents) if not os.path.lexists(p)]
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
    with unpacked(listing) as (listing, in_zips, archives):  # a zip's workbooks, as files: <zip>/<member>
        names = {**in_zips, **(names or {})}
        if names:
            listing = labelled(listing, names)
        result = _listed(listing, output, cache_path, made, listed_ns, year=year, profile=profile,
                         profile_file=profile_file, workers=workers, csv_dir=csv_dir, use_cache=use_cache,
                         progress=progress, on_file=on_file, county=county)
        result.archives = archives
        return result


def _listed(listing: Listing, output: Path, cache_path: Path, made: list[Path], listed_ns: int, *,
            year: int | None, profile: str | None, profile_file: str | Path | None, workers: int | None,
            csv_dir: str | Path | None, use_cache: bool, progress: bool | None,
            on_file: Callable[[Path], None] | None, county: str | None) -> Result:
    profile_option = ("file", str(profile_file)) if profile_file else (("name", profile) if profile else None)
    targets_profile: Profile = load_profile_file(profile_file) if profile_file else load_profile(profile or "hebei")
    targets = {m: Decimal(targets_profile.progress.get(m, 100)) for m in MILESTONES}
    fresh = not os.path.lexists(cache_path)
    cache = Cache(cache_path if use_cache else None, listed_ns=listed_ns)
    done = False
    try:
        for attempt in range(2):
            try:
                result = _run(listing, output, cache, year=year, profile_option=profile_option, targets=targets,
                              workers=workers, csv_dir=csv_dir, progress=progress, on_file=on_file,
                              county=county)
                done = True
                return result
            except DamagedCache:
                if attempt:  # pragma: no cover - an empty cache cannot be damaged
                    raise JixiaoError("内部错误：缓存重建后仍不一致，请加 --no-cache 重试") from None
                cache.reset()  # lengths in the cache that do not add up: it is derived data, build it again
    except sqlite3.OperationalError as exc:  # the cache's disk is full (its transaction is rolled back)
        raise OutputError(f"无法写入缓存文件 {cache.path}：{sqlite_reason(exc)}；原有的汇总表未改动") from exc
    finally:
        cache.close()
        if fresh and not done:
            _leave_nothing(cache, made)
        elif fresh and cache.fell_back:  # what a failed first open made beside the output (a full disk)
            cache.discard()


def _leave_nothing(cache: Cache, made: list[Path]) -> None:
    """A first run that failed (a full disk, Ctrl-C) takes back what it made: its new cache (it names no
    records until a run finishes, so it is of no use to the next) and the output folders it created, if
    still empty. A clerk's full disk is not left fuller, nor a folder of hidden files in its place."""
    cache.discard()
    for folder in made:  # deepest first
        try:
            folder.rmdir()
        except OSError:  # not empty (another output, the clerk's own file) or gone: left as it is
            break


def _run(listing: Listing, output: Path, cache: Cache, *, year: int | None,
         profile_option: Any, targets: dict[str, Decimal], workers: int | None, csv_dir: str | Path | None,
         progress: bool | None, on_file: Callable[[Path], None] | None, county: str | None = None) -> Result:
    """One consolidation with ``cache`` (raises :class:`DamagedCache` when what it holds does not add up)."""
    pool = None
    try:
        summaries: dict[str, tuple[str, dict[str, Any]]] = {}  # path → (key, summary)
        units: dict[str, UnitRecord] = {}  # path → the consolidated units among them
        listed, rejected_files = triage(listing)
        workers = workers or os.cpu_count() or 1
        # None: a file seen for the first time (every file, on a first run), hashed by the worker that reads it
        keys, stale = cache.lookup(listed, profile_option)
        if workers > 1 and len(stale) - cache.racy >= POOL_MIN:
            # files to read: the workers start now, and import the reader while the cached records load
            pool = start_pool(workers)
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
                pool = start_pool(workers)
            # the workers start on the changed files first; the cached summaries load meanwhile
            results = read(todo, profile_option, csv_dir is not None, {m: str(v) for m, v in targets.items()},
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
            if summary["status"] in ("ok", "selfeval") and blank(summary):
                rejected_files.append(reject(summary, "JX-L02", BLANK))
            elif summary["status"] == "ok":
                ok.append(units[path])
            elif summary["status"] == "selfeval":
                evaluations.append(summary)
            else:
                rejected_files.append(summary)
        chosen_year = choose_year([u.summary for u in ok] or evaluations, year)
        other_years, gone = rolled.other_years(chosen_year)  # a county summary of another year: listed once
        if gone:
            ok = [u for u in ok if id(u) not in gone]
            evaluations = [e for e in evaluations if id(e) not in gone]
        rejected_files += rolled.rejected + other_years
        scored = []
        for e in evaluations:
            if chosen_year is not None and e["unit"]["year"] != chosen_year:
                rejected_files.append(reject(e, "JX-D04", f"自评表为{e['unit']['year'] or '未填写'}年度，"
                                                           f"本次汇总的是 {chosen_year} 年度"))
            else:
                scored.append(e)
        scored = deduplicate_evaluations(scored + rolled.ghost_evaluations, rejected_files)
        # ranked: the complete ones, best first; then the incomplete ones, apart, each with why (自评得分)
        scored.sort(key=lambda e: (not e["complete"], -Decimal(e["total"]) if e["complete"] else 0,
                                   identity_key(e["unit"]["code"]), e["path"]))
        in_year = []
        for u in ok:
            unit_year = u.summary["unit"]["year"]
            if chosen_year is not None and unit_year != chosen_year:
                found = f"工作簿为 {unit_year} 年度" if unit_year is not None else "工作簿未填写预算年度"
                rejected_files.append(reject(u.summary, "JX-D04", f"{found}，本次汇总的是 {chosen_year} 年度"))
            else:
                in_year.append(u)
        winners = deduplicate(in_year + rolled.ghosts, rejected_files)
        winners.sort(key=lambda u: u.order)
        cross_unit_codes(winners)
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

