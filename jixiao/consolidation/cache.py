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

SCHEMA = 4
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
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, summary BLOB NOT NULL, "
                        "projects BLOB, indicators BLOB, issues BLOB, tbl BLOB)")
        # path + size + mtime → content hash: an unchanged file is not hashed again (as git's index does)
        self.db.execute("CREATE TABLE IF NOT EXISTS stats (path TEXT PRIMARY KEY, size INTEGER, "
                        "mtime_ns INTEGER, digest TEXT)")
        self._pending = 0

    def digest(self, path: Path) -> str:
        """The content hash of ``path``, reusing the last one while size and mtime are unchanged."""
        st = path.stat()
        row = self.db.execute("SELECT size, mtime_ns, digest FROM stats WHERE path = ?", (str(path),)).fetchone()
        if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
            return row[2]
        digest = file_hash(path)
        self.db.execute("INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?)",
                        (str(path), st.st_size, st.st_mtime_ns, digest))
        return digest

    def summaries(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The cached summaries of ``keys`` that exist, in one query."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM wanted")
        self.db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", [(k,) for k in keys])
        rows = self.db.execute("SELECT r.key, r.summary FROM records r JOIN wanted w ON r.key = w.key")
        return {key: marshal.loads(blob) for key, blob in rows}

    def summary(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT summary FROM records WHERE key = ?", (key,)).fetchone()
        return marshal.loads(row[0]) if row else None

    def put(self, key: str, summary: dict[str, Any], blobs: dict[str, bytes]) -> None:
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
                        (key, marshal.dumps(summary), *(blobs.get(name) for name in BLOBS)))
        self._pending += 1
        if self._pending >= 200:
            self.commit()

    def blobs(self, keys: list[str], name: str):
        """The blobs of ``keys`` in that order, streamed by one query."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS ordered (pos INTEGER PRIMARY KEY, key TEXT)")
        self.db.execute("DELETE FROM ordered")
        self.db.executemany("INSERT INTO ordered VALUES (?, ?)", list(enumerate(keys)))
        # a correlated lookup per row in ``ordered``'s own order: no sort, so no blobs held for one
        column = _COLUMNS[name]
        for (blob,) in self.db.execute(f"SELECT (SELECT r.{column} FROM records r WHERE r.key = o.key) "
                                       "FROM ordered o ORDER BY o.pos"):
            yield blob

    def blob(self, key: str, name: str) -> bytes | None:
        row = self.db.execute(f"SELECT {_COLUMNS[name]} FROM records WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def commit(self) -> None:
        self.db.commit()
        self._pending = 0

    def prune(self, keep: set[str]) -> None:
        """Forget records of files that are gone or changed, so the cache does not grow forever."""
        stale = [k for (k,) in self.db.execute("SELECT key FROM records") if k not in keep]
        self.db.executemany("DELETE FROM records WHERE key = ?", [(k,) for k in stale])
        self.commit()

    def prune_stats(self, paths: set[str]) -> None:
        gone = [p for (p,) in self.db.execute("SELECT path FROM stats") if p not in paths]
        self.db.executemany("DELETE FROM stats WHERE path = ?", [(p,) for p in gone])

    def close(self) -> None:
        self.commit()
        self.db.close()
        if self.temporary:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
