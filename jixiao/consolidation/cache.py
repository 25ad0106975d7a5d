"""The consolidation cache: extracted records keyed by file content hash (SQLite beside the output).

A re-run after a few units resubmit re-reads only the changed files; the
others' records — and their rendered, compressed rows — come from here.
With ``--no-cache`` the same store lives in a temporary file that is removed
at the end, so one code path serves both.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from .. import __version__

SCHEMA = 7  # PRAGMA user_version: a cache of another layout is dropped, not misread
BLOBS = ("项目清单", "指标明细", "校验问题", "table")
_COLUMNS = {"项目清单": "projects", "指标明细": "indicators", "校验问题": "issues", "table": "tbl"}


def file_hash(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(digest: str, path: str, options: Any) -> str:
    """What a record depends on: the bytes, where they are (links), the options and this code."""
    return f"{digest}|{__version__}|{SCHEMA}|{options!r}|{path}"


class Cache:
    """A small key → (summary, blobs) store."""

    def __init__(self, path: str | Path | None):
        self.temporary = path is None
        if path is None:
            fd, name = tempfile.mkstemp(prefix="jixiao-cache-", suffix=".sqlite")
            os.close(fd)
            path = name
        self.path = Path(path)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA page_size=16384")  # a new cache only; rows carry kilobytes of chunks
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        if self.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
            self.db.execute("DROP TABLE IF EXISTS records")
            self.db.execute("DROP TABLE IF EXISTS stats")
            self.db.execute("DROP TABLE IF EXISTS summary")
            self.db.execute(f"PRAGMA user_version = {SCHEMA}")
        self.db.execute("CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, status TEXT NOT NULL, "
                        "summary BLOB NOT NULL, " + ", ".join(f"{c} BLOB" for c in _COLUMNS.values()) + ")")
        # path + size + mtime → content hash: an unchanged file is not hashed again (as git's index does)
        self.db.execute("CREATE TABLE IF NOT EXISTS stats (path TEXT PRIMARY KEY, size INTEGER, "
                        "mtime_ns INTEGER, digest TEXT)")
        # the last summary written with this cache, and where each unit's chunks sit in it
        self.db.execute("CREATE TABLE IF NOT EXISTS summary (id INTEGER PRIMARY KEY CHECK (id = 1), path TEXT, "
                        "size INTEGER, mtime_ns INTEGER, placements BLOB)")
        self._pending = 0
        self._stats: dict[str, tuple[int, int, str]] | None = None  # loaded in one query when first needed
        self._new_stats: list[tuple[str, int, int, str]] = []
        self._ordered: list[str] | None = None

    def empty(self) -> bool:
        """Nothing cached yet (a first run): hashing files up front could find nothing."""
        return self.db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    def known_digest(self, path: str, st: os.stat_result, digest: str) -> None:
        """Remember a hash computed elsewhere (by a worker) for ``path`` as it was when listed."""
        self._load_stats()[path] = (st.st_size, st.st_mtime_ns, digest)
        self._new_stats.append((path, st.st_size, st.st_mtime_ns, digest))

    def _load_stats(self) -> dict[str, tuple[int, int, str]]:
        if self._stats is None:
            self._stats = {p: (size, mtime, digest)
                           for p, size, mtime, digest in self.db.execute("SELECT * FROM stats")}
        return self._stats

    def digest(self, path: str, st: os.stat_result) -> str:
        """The content hash of ``path``, reusing the last one while size and mtime are unchanged."""
        known = self._load_stats().get(path)
        if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return known[2]
        digest = file_hash(path)
        self.known_digest(path, st, digest)
        return digest

    def _want(self, keys: list[str]) -> None:
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM wanted")
        self.db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", [(k,) for k in keys])

    def present(self, keys: list[str], *, with_table: bool = False) -> set[str]:
        """Which of ``keys`` are cached (``with_table``: with their CSV table too, or a self-evaluation's)."""
        self._want(keys)
        # only a unit has a table (a rejected file or a self-evaluation is stored without one)
        table = " AND (r.tbl IS NOT NULL OR r.status != 'ok')" if with_table else ""
        return {key for (key,) in self.db.execute(
            f"SELECT r.key FROM records r JOIN wanted w ON r.key = w.key WHERE 1{table}")}

    def summaries(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The cached summaries of ``keys`` that exist, in one query."""
        self._want(keys)
        rows = self.db.execute("SELECT r.key, r.summary FROM records r JOIN wanted w ON r.key = w.key")
        return {key: marshal.loads(blob) for key, blob in rows}

    def put(self, key: str, summary: dict[str, Any], blobs: dict[str, bytes]) -> None:
        self.db.execute(f"INSERT OR REPLACE INTO records VALUES (?, ?, ?{', ?' * len(BLOBS)})",
                        (key, summary["status"], marshal.dumps(summary), *(blobs.get(name) for name in BLOBS)))
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

    def previous_summary(self, output: Path) -> dict[str, dict[str, Any]]:
        """Placements of the last summary written at ``output``, if that file is still exactly as written."""
        row = self.db.execute("SELECT path, size, mtime_ns, placements FROM summary").fetchone()
        if row is None or self.temporary:
            return {}
        try:
            st = os.stat(output)
        except OSError:
            return {}
        if row[0] != str(Path(output).resolve()) or row[1] != st.st_size or row[2] != st.st_mtime_ns:
            return {}  # moved, edited or saved again in Excel: rebuilt from the cache
        return marshal.loads(row[3])

    def remember_summary(self, output: Path, placements: dict[str, dict[str, Any]]) -> None:
        st = os.stat(output)
        self.db.execute("INSERT OR REPLACE INTO summary VALUES (1, ?, ?, ?, ?)",
                        (str(Path(output).resolve()), st.st_size, st.st_mtime_ns, marshal.dumps(placements)))
        self.commit()

    def commit(self) -> None:
        if self._new_stats:
            self.db.executemany("INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?)", self._new_stats)
            self._new_stats = []
        self.db.commit()
        self._pending = 0

    def prune(self, keep: set[str]) -> None:
        """Forget records of files that are gone or changed, so the cache does not grow forever."""
        stale = [k for (k,) in self.db.execute("SELECT key FROM records") if k not in keep]
        self.db.executemany("DELETE FROM records WHERE key = ?", [(k,) for k in stale])
        self.commit()

    def prune_stats(self, paths: set[str]) -> None:
        self.commit()
        gone = [p for (p,) in self.db.execute("SELECT path FROM stats") if p not in paths]
        self.db.executemany("DELETE FROM stats WHERE path = ?", [(p,) for p in gone])

    def close(self) -> None:
        self.commit()
        self.db.close()
        if self.temporary:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
