"""Benchmark: where one unit workbook's time goes in a consolidation worker (read, validate, render).

In one process, for a sample of the generated corpus (5 projects × 12 indicators a unit), each
file is put through the worker's steps one at a time, and then through the worker whole
(``jixiao.consolidation.extract.extract``, hashing included, as on a first run):

- hash: the content hash that keys the cache;
- read: ``read_workbook`` (calamine, the layout, the typed model);
- validate: the profile's rules (``validate_book``) and the schedule (``unit_schedule``);
- render: the rest of the worker: the rows of the five per-unit sheets built, rendered to XML
  and compressed, the record made (the whole worker's time less the steps above);
- floor: reading every cell of the same file with calamine alone (the benchmark's floor).

Means per file in milliseconds, and each step's share of the worker. Each file is read once
before timing, so every step finds it in the page cache, as the floor does.

    python benchmarks/perfile_bench.py [--n 10000] [--sample 300]

Results go to benchmarks/out/perfile.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import save  # noqa: E402
from consolidate_bench import _read_cells, corpus  # noqa: E402


def bench(n: int, sample: int) -> dict:
    from jixiao.consolidation.cache import file_hash
    from jixiao.consolidation.extract import _profile, extract
    from jixiao.profiles import load_profile
    from jixiao.forms.reader import read_workbook
    from jixiao.totals.plan import MILESTONES, unit_schedule
    from jixiao.checks.validate import validate_book

    files = sorted(corpus(n).glob("*.xlsx"))
    step = max(1, len(files) // sample)
    files = files[::step][:sample]
    targets = {m: str(Decimal(load_profile("hebei").progress.get(m, 100))) for m in MILESTONES}
    totals = dict.fromkeys(("hash", "read", "validate", "worker", "floor"), 0.0)
    for f in files[:5]:  # warm: imports, memos
        extract(str(f), None, False, targets, True)
    gc.collect()
    for f in files:
        path = str(f)
        f.read_bytes()
        t0 = time.perf_counter()
        file_hash(path)
        t1 = time.perf_counter()
        book = read_workbook(path, department=False)
        t2 = time.perf_counter()
        profile = _profile(book, None)
        validate_book(book, profile)
        unit_schedule(book, profile)
        t3 = time.perf_counter()
        extract(path, None, False, targets, True)
        t4 = time.perf_counter()
        _read_cells([path])
        t5 = time.perf_counter()
        totals["hash"] += t1 - t0
        totals["read"] += t2 - t1
        totals["validate"] += t3 - t2
        totals["worker"] += t4 - t3
        totals["floor"] += t5 - t4
    k = len(files)
    ms = {name: round(1000 * v / k, 3) for name, v in totals.items()}
    ms["render"] = round(ms["worker"] - ms["hash"] - ms["read"] - ms["validate"], 3)
    share = {name: round(100 * ms[name] / ms["worker"], 1) for name in ("hash", "read", "validate", "render")}
    return {"n": n, "sample": k, "ms_per_file": ms, "percent_of_worker": share,
            "worker_to_floor": round(ms["worker"] / ms["floor"], 2),
            "read_to_floor": round(ms["read"] / ms["floor"], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="the corpus to sample (generated if missing)")
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    result = bench(args.n, args.sample)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    save("perfile", result)


if __name__ == "__main__":
    main()
