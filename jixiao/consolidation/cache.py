"""The consolidation cache: extracted records keyed by file content hash (SQLite beside the output).

A re-run after a few units resubmit re-reads only the changed files; the
others' records — and their rendered, compressed rows — come from here.
With ``--no-cache`` the same store lives in a temporary file that is removed
at the end, so one code path serves both.
"""

from __future__ import annotations

import errno
import marshal
import os
import shutil
import sqlite3
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import OutputError
from ..oserror import os_reason
from ..paths import odd, open_regular, shown
from .xlsxstream import DamagedCache, Placement

SCHEMA = 18  # PRAGMA user_version: a cache of another layout is dropped, not misread
# a unit's cached chunks by summary sheet, and its rows as a table for --csv-dir
_COLUMNS = {"单位汇总": "units", "项目清单": "projects", "指标明细": "indicators", "支出计划汇总": "schedule",
            "校验问题": "issues", "table": "tbl"}
BLOBS = tuple(_COLUMNS)
FILES, RECORDS = 1, 2  # the ledger's rows: path → (size, mtime_ns, hash); key → summary


def file_hash(path: str | Path) -> str:
    import hashlib  # here: a re-run with nothing changed hashes nothing

    h = hashlib.sha256()
    with open_regular(path) as fh:  # a FIFO put in a file's place would block a plain open
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(digest: str, path: str, options: Any) -> str:
    """What a record depends on: the bytes, where they are (links), the options and this code."""
    return digest + key_infix(options) + path


def key_infix(options: Any) -> str:
    """The middle of every key of one run: ``digest + infix + path`` (made once, for ten thousand keys)."""
    return f"|{__version__}|{SCHEMA}|{options!r}|"


class _Ledger:
    """One table of the ledger (a dict), stored as a base and the changes since it (a delta).

    A re-run after a few resubmissions changes a hundred entries of ten
    thousand: it writes those, not the whole table again. The base is
    rewritten once the changes grow past a tenth of it.
    """

    def __init__(self, db: sqlite3.Connection, part: int, temporary: bool):
        self.db, self.part = db, part
        row = None if temporary else db.execute("SELECT base, delta FROM ledger WHERE id = ?", (part,)).fetchone()
        self.stored = False  # (a damaged row is written again whole)
        self.data: dict[Any, Any] = {}
        self.touched: set[Any] = set()  # changed since the base: written in the delta
        self.gone: set[Any] = set()
        self._dirty = False
        if row is None:
            return
        try:
            data = marshal.loads(row[0])
            changed, removed = marshal.loads(row[1]) if row[1] is not None else ({}, [])
            data.update(changed)
            for key in removed:
                data.pop(key, None)
            if not _well_formed(part, data):
                return
        except (ValueError, EOFError, TypeError, AttributeError):
            return  # unreadable: every file it would have vouched for is read again
        self.data, self.touched, self.gone, self.stored = data, set(changed), set(removed), True

    def __setitem__(self, key: Any, value: Any) -> None:
        self.data[key] = value
        self.touched.add(key)
        self.gone.discard(key)
        self._dirty = True

    def keep(self, keys: set[Any]) -> list[Any]:
        """Drop every entry not in ``keys``; returns the dropped keys."""
        dropped = [key for key in self.data if key not in keys]
        for key in dropped:
            del self.data[key]
            self.touched.discard(key)
            self.gone.add(key)
        self._dirty = self._dirty or bool(dropped)
        return dropped

    def save(self) -> None:
        if self.stored and not self._dirty:
            return
        if not self.stored or len(self.touched) + len(self.gone) > max(1000, len(self.data) // 10):
            self.db.execute("INSERT OR REPLACE INTO ledger VALUES (?, ?, NULL)", (self.part, marshal.dumps(self.data)))
            self.touched, self.gone, self.stored = set(), set(), True
        else:
            delta = ({key: self.data[key] for key in self.touched}, list(self.gone))
            self.db.execute("UPDATE ledger SET delta = ? WHERE id = ?", (marshal.dumps(delta), self.part))
        self._dirty = False


def _well_formed(part: int, data: Any) -> bool:
    """Whether a ledger table has the shapes this code reads (one cheap pass; a damaged one is dropped)."""
    if type(data) is not dict:
        return False
    if part == FILES:  # path → (size, mtime_ns, hash)
        return all(type(v) is tuple and len(v) == 3 and type(v[0]) is int and type(v[1]) is int
                   and type(v[2]) is str for v in data.values())
    return all(type(v) is dict and "path" in v and "status" in v for v in data.values())


RACY_NS = 2_000_000_000  # a file changed this close before its listing is hashed again next time (coarse clocks)
_TEMP_PREFIX = "jixiao-cache-"


def unusable(path: Path) -> str | None:
    """Why ``path`` cannot hold the cache (in Chinese), or ``None``: checked before SQLite sees it, so that
    a folder or an over-long name is named as such, not taken for another consolidation's lock."""
    try:
        st: os.stat_result | None = os.stat(path)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENAMETOOLONG):  # (too long: said below)
            return f"无法访问缓存文件 {path}（{os_reason(exc)}）"
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        return f"缓存文件的位置 {path} 是一个文件夹（不是缓存文件），请移走或改名该文件夹"
    if st is not None and not stat.S_ISREG(st.st_mode):
        return f"缓存文件的位置 {path} 不是普通文件，请移走它"
    try:
        limit = os.pathconf(path.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    longest = max(len(os.fsencode(path.name + suffix)) for suffix in ("", "-wal", "-shm", "-journal"))
    if longest > limit:
        return (f"缓存文件名 {path.name} 太长（{longest} 字节，文件系统最多允许 {limit} 字节），"
                "请把汇总文件名改短")
    return None


def _private_folder() -> Path:
    """A new folder for a run's temporary cache (``--no-cache``), after removing those of runs that died."""
    base = Path(tempfile.gettempdir())
    now = time.time()
    try:
        old = list(base.glob(_TEMP_PREFIX + "*"))
    except OSError:
        old = []
    for item in old:  # a killed run cannot remove its own: whoever comes next does
        try:
            if item.is_dir() and not item.is_symlink():
                owner = (item / "pid").read_text().strip() if (item / "pid").exists() else ""
                if owner.isdigit() and _alive(int(owner)):
                    continue
                if not owner and now - item.stat().st_mtime < 3600:
                    continue  # being made just now
                shutil.rmtree(item, ignore_errors=True)
            elif item.name.endswith((".sqlite", ".sqlite-wal", ".sqlite-shm")) and now - item.stat().st_mtime > 3600:
                item.unlink()  # left by an older version's killed run
        except OSError:
            continue
    folder = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX))
    (folder / "pid").write_text(str(os.getpid()))
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


#: SQLite's English reasons a clerk may meet (its messages have no codes in Python before 3.11's
#: ``sqlite_errorname``, which names the class, not the cause), by a phrase of each
_SQLITE_REASONS = (("full", "磁盘已满"),
                   ("disk i/o error", "磁盘读写出错：磁盘可能已满，或文件超过了系统允许的大小"),
                   ("readonly", "磁盘是只读的，或没有写入权限"),
                   ("unable to open", "无法打开：文件夹不存在，或没有权限"),
                   ("locked", "正被另一个程序使用"))


def sqlite_reason(exc: BaseException) -> str:
    """Why a cache operation failed, in Chinese (SQLite's own words kept only for a cause not listed)."""
    text = str(exc).lower()
    return next((why for phrase, why in _SQLITE_REASONS if phrase in text), f"数据库错误：{exc}")


class Cache:
    """A store of each file's record (the summary consolidation decides with) and its blobs.

    The blobs (rendered chunks) sit in SQLite rows read only when a summary is
    written. What a run decides with is the *ledger*, read and written whole
    once per run, as git's index is: the path → (size, mtime, hash) table,
    read first (it tells at once whether any file changed), and the summaries
    by key. A re-run of ten thousand units loads each in one query. A record
    is cached only once the ledger that names it is written (:meth:`finish`);
    a run that stops before that leaves rows the next run drops.
    """

    def __init__(self, path: str | Path | None, *, listed_ns: int | None = None):
        #: why the cache beside the output is not used this run (a warning for the clerk), if it is not
        self.notice: str | None = None
        self._folder: Path | None = None  # the temporary cache's own folder, removed at the end
        # a file changed at or after this (its listing, less the clock's coarseness) may change again
        # within the same time stamp: its hash is not trusted on the next run (git's "racy clean")
        self._racy_ns = (time.time_ns() if listed_ns is None else listed_ns) - RACY_NS
        self._asked = None if path is None else Path(path)  # where the cache was to be, used or not
        if path is not None:
            self.notice = unusable(Path(path))
            if self.notice is not None:
                path = None
        self.temporary = path is None
        if path is None:
            self._folder = _private_folder()
            path = self._folder / "cache.sqlite"
        self.path = Path(path)
        try:
            self.db = self._open()
        except sqlite3.OperationalError as exc:
            if self.temporary:
                self._remove()
                raise OutputError(f"无法建立临时缓存 {self.path}（{sqlite_reason(exc)}）；原有的汇总表未改动") from exc
            if "locked" in str(exc):  # another consolidation holds it
                raise OutputError(f"缓存文件 {self.path} 正被另一个汇总使用：可稍后重试，"
                                  "或加 --no-cache 不用缓存") from exc
            # a read-only folder, a full disk, a -wal that is a folder …: this run goes on without it
            self.notice = f"无法使用缓存文件 {self.path}（{sqlite_reason(exc)}）"
            self.temporary = True
            self._folder = _private_folder()
            self.path = self._folder / "cache.sqlite"
            try:  # the temporary one fails too when the cause was the process's (a file size limit) or /tmp's
                self.db = self._open()
            except sqlite3.OperationalError as again:
                self._remove()
                raise OutputError(f"无法建立临时缓存 {self.path}（{sqlite_reason(again)}）；原有的汇总表未改动") from again
        except sqlite3.DatabaseError:  # damaged, or not ours: a cache is derived data, so start it again
            self._remove()
            self.db = self._open()
        if self.notice is not None:
            self.notice += "；本次不使用缓存，所有文件重新读取"
        self._pending = 0
        self._ordered: list[str] | None = None
        # path → (size, mtime_ns, content hash): an unchanged file is not hashed again (as git's index does)
        self._files = _Ledger(self.db, FILES, self.temporary)
        self._summaries: _Ledger | None = None  # key → summary, read when first needed

    def _open(self) -> sqlite3.Connection:
        name = str(self.path)
        db = sqlite3.connect(os.fsencode(name) if odd(name) else name)  # a folder name that is not UTF-8
        try:
            db.execute("PRAGMA page_size=16384")  # a new cache only; rows carry kilobytes of chunks
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                for table in ("records", "stats", "summary", "ledger"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute(f"PRAGMA user_version = {SCHEMA}")
                db.execute("VACUUM")  # give the old layout's pages back to the disk
            db.execute("CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, "
                       + ", ".join(f"{c} BLOB" for c in _COLUMNS.values()) + ")")
            db.execute("CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, base BLOB, delta BLOB)")
            # the last summary written with this cache, and where each unit's chunks sit in it
            db.execute("CREATE TABLE IF NOT EXISTS summary (id INTEGER PRIMARY KEY CHECK (id = 1), path TEXT, "
                       "size INTEGER, mtime_ns INTEGER, placements BLOB)")
        except BaseException:
            db.close()
            raise
        return db

    def _remove(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            return
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    def reset(self) -> None:
        """Drop everything (the cache was found damaged): the run starts again with an empty one."""
        self.db.close()
        folder, self._folder = self._folder, None
        self._remove()
        if folder is not None:
            self._folder = _private_folder()
            self.path = self._folder / "cache.sqlite"
        self.db = self._open()
        self._ordered = None
        self._files = _Ledger(self.db, FILES, True)
        self._summaries = None
        self._pending = 0

    @property
    def _records(self) -> _Ledger:
        if self._summaries is None:
            self._summaries = _Ledger(self.db, RECORDS, self.temporary)
        return self._summaries

    def known_digest(self, path: str, st: os.stat_result, digest: str) -> None:
        """Remember a hash computed elsewhere (by a worker) for ``path`` as it was when listed."""
        # changed just before it was listed: the same size and time stamp could still hide another change
        mtime = st.st_mtime_ns if st.st_mtime_ns < self._racy_ns else -1
        self._files[path] = (st.st_size, mtime, digest)

    def lookup(self, files: dict[str, os.stat_result], options: Any) -> tuple[dict[str, str | None], list[str]]:
        """The record key of each of ``files`` (path → stat) whose size and time are as when it was last
        hashed, ``None`` for the others; and those others (new or changed), in order.

        Cheap (no file is read, the summaries are not loaded): consolidation starts its workers
        at once when there is work, then hashes the changed files with :meth:`rehash`.
        """
        known, infix = self._files.data, key_infix(options)
        keys: dict[str, str | None] = {}
        stale: list[str] = []
        racy = 0
        for path, st in files.items():
            seen = known.get(path)
            if seen is not None and seen[0] == st.st_size and seen[1] == st.st_mtime_ns:
                keys[path] = seen[2] + infix + path
            else:
                keys[path] = None
                stale.append(path)
                racy += seen is not None and seen[1] == -1 and seen[0] == st.st_size
        #: of the stale files, those only re-hashed because they changed just before the last listing
        #: (most are the same bytes: they do not make a pool worth starting)
        self.racy = racy
        return keys, stale

    def rehash(self, paths: list[str], files: dict[str, os.stat_result], options: Any,
               keys: dict[str, str | None], real: dict[str, str] | None = None) -> dict[str, OSError]:
        """Hash those of ``paths`` seen before (touched, maybe not changed) and set their ``keys``; a path
        never seen keeps ``None`` (nothing cached can be its record: its reader hashes it). Returns
        the files that could not be read to hash them. ``real``: the path to open, for a name shown
        otherwise (not UTF-8)."""
        known, infix = self._files.data, key_infix(options)
        failed: dict[str, OSError] = {}
        for path in paths:
            if path in known:
                try:
                    digest = file_hash(real.get(path, path) if real else path)
                except OSError as exc:
                    failed[path] = exc
                    continue
                self.known_digest(path, files[path], digest)
                keys[path] = digest + infix + path
        return failed

    def present(self, keys: list[str], *, with_table: bool = False) -> set[str]:
        """Which of ``keys`` are cached (``with_table``: with their CSV table too, or a self-evaluation's)."""
        records = self._records.data
        found = {key for key in keys if key in records}
        if with_table:  # only a unit has a table (a rejected file or a self-evaluation is stored without one)
            found -= {key for (key,) in self.db.execute("SELECT key FROM records WHERE tbl IS NULL")
                      if key in found and records[key]["status"] == "ok"}
        return found

    def summaries(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The cached summaries of ``keys`` that exist."""
        records = self._records.data
        return {key: records[key] for key in keys if key in records}

    def put(self, key: str, summary: dict[str, Any], blobs: dict[str, bytes]) -> None:
        self.db.execute(f"INSERT OR REPLACE INTO records VALUES (?{', ?' * len(BLOBS)})",
                        (key, *(blobs.get(name) for name in BLOBS)))
        self._records[key] = summary
        self._pending += 1
        if self._pending >= 1000:
            self.commit()

    def blobs(self, keys: list[str], name: str):
        """The blobs of ``keys`` in that order, streamed by one query."""
        if keys != self._ordered:  # the sheets of one summary ask in the same order: list it once
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS ordered (pos INTEGER PRIMARY KEY, key TEXT)")
            self.db.execute("DELETE FROM ordered")
            self.db.executemany("INSERT INTO ordered VALUES (?, ?)", list(enumerate(keys)))
            self._ordered = list(keys)
        # a correlated lookup per row in ``ordered``'s own order: no sort, so no blobs held for one
        column = _COLUMNS[name]
        for (blob,) in self.db.execute(f"SELECT (SELECT r.{column} FROM records r WHERE r.key = o.key) "
                                       "FROM ordered o ORDER BY o.pos"):
            yield blob

    def previous_summary(self, output: Path) -> dict[str, Placement]:
        """Placements of the last summary written at ``output``, if that file is still exactly as written."""
        row = self.db.execute("SELECT path, size, mtime_ns, placements FROM summary").fetchone()
        if row is None or self.temporary:
            return {}
        try:
            st = os.stat(output)
        except OSError:
            return {}
        if row[0] != shown(Path(output).resolve()) or row[1] != st.st_size or row[2] != st.st_mtime_ns:
            return {}  # moved, edited or saved again in Excel: rebuilt from the cache
        try:
            return {part: Placement.from_data(data) for part, data in marshal.loads(row[3]).items()}
        except (ValueError, EOFError, TypeError, AttributeError, DamagedCache):  # unreadable: rebuilt
            return {}

    def remember_summary(self, output: Path, placements: dict[str, Placement]) -> None:
        st = os.stat(output)
        data = {part: placed.to_data() for part, placed in placements.items()}
        self.db.execute("INSERT OR REPLACE INTO summary VALUES (1, ?, ?, ?, ?)",
                        (shown(Path(output).resolve()), st.st_size, st.st_mtime_ns, marshal.dumps(data)))
        self.commit()

    def commit(self) -> None:
        self.db.commit()
        self._pending = 0

    def finish(self, keys: set[str], paths: set[str]) -> None:
        """Keep the records of ``keys`` and the hashes of ``paths``, forget the rest, and write the ledger.

        Records of files that are gone or changed are dropped, so the cache does not grow forever.
        """
        if self.temporary:
            return self.commit()
        records = self._records
        stale = records.keep(keys)
        self._files.keep(paths)
        (rows,) = self.db.execute("SELECT count(*) FROM records").fetchone()
        if rows != len(records.data) + len(stale):  # rows of a run that stopped early: find them
            stale = [key for (key,) in self.db.execute("SELECT key FROM records") if key not in records.data]
        self.db.executemany("DELETE FROM records WHERE key = ?", [(key,) for key in stale])
        self._files.save()
        records.save()
        self.commit()

    @property
    def fell_back(self) -> bool:
        """The cache asked for could not be used: this run kept its records in a temporary one."""
        return self._asked is not None and self.temporary

    def discard(self) -> None:
        """Remove the cache's files (after :meth:`close`): a new cache of a run that did not finish.

        Those a failed open left where the cache was asked for go too (a full disk: SQLite made the
        file, then could not write its header, and the run went on with a temporary one)."""
        self._remove()
        if self._asked is not None:
            for suffix in ("", "-wal", "-shm"):
                try:
                    Path(str(self._asked) + suffix).unlink(missing_ok=True)
                except OSError:  # a name too long, a folder gone read-only: nothing of it was made
                    pass

    def close(self) -> None:
        try:
            self.commit()
        except sqlite3.Error:  # (a full disk, already reported): what was not committed is dropped
            self.db.rollback()
        finally:
            self.db.close()
            if self.temporary:
                self._remove()
