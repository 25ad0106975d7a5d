"""The worker processes that read the files (each returns a small record), or this process for a few."""

from __future__ import annotations

import gc
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Iterator

# The worker's imports (the reader, the rules, pydantic models) load in the workers, on demand.


def _extract(*args: Any):
    # imported on first use: this process needs the reader only when it reads a few files itself
    from .extract import extract as run
    return run(*args)


POOL_MIN = 8  # fewer files than this are read in this process: starting workers would cost more


def start_pool(workers: int) -> ProcessPoolExecutor:
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


def read(todo: list[tuple[str, str | None]], profile_option, tables: bool, targets: dict[str, str],
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
