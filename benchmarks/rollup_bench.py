"""Benchmark: the roll-up of county summaries against consolidating all their units' workbooks.

The corpus of N generated units (as consolidate_bench.py makes it, 5 projects × 12 indicators) is
split into C county folders (hard links, so the files are the same). Each county is consolidated
into its summary (timed, once each, reported as a total); then, in the same run and on the same
number of processes, are timed three times each (medians reported, cold: no cache):
  (a) consolidating every unit workbook at once (the baseline), and
  (b) the roll-up of the C county summaries,
and the ratio (b)/(a). One more run of each samples memory (summed PSS of the process tree), and
the roll-up is run once more with its cache and nothing changed. The two results are checked to
agree (units, projects, indicators, money to the cent, findings by code, files accounted for).

    python benchmarks/rollup_bench.py --n 10000 --counties 10 [--workers 2]

Results go to benchmarks/out/rollup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import OUT, save  # noqa: E402
from consolidate_bench import RUNS, corpus, run_measured  # noqa: E402

SAME = ("units", "projects", "indicators", "budget", "errors", "warnings", "codes", "files_found",
        "consolidated", "not_consolidated", "year")


def split(n: int, counties: int) -> tuple[Path, list[Path]]:
    """The corpus as ``counties`` folders of consecutive units (hard links, or copies where links fail)."""
    files = sorted(corpus(n).glob("*.xlsx"))
    root = OUT / f"rollup-{n}-{counties}" / "units"
    done = root.parent / ".complete"  # (not among the units: it would be listed as a file not consolidated)
    folders = [root / f"县区{i + 1:02d}" for i in range(counties)]
    if not done.exists():
        shutil.rmtree(root, ignore_errors=True)
        size = -(-len(files) // counties)
        for i, folder in enumerate(folders):
            folder.mkdir(parents=True)
            for f in files[i * size:(i + 1) * size]:
                try:
                    os.link(f, folder / f.name)
                except OSError:
                    shutil.copy2(f, folder / f.name)
        done.write_text("ok")
    return root, folders


def _cold(cmd: list[str], output: Path) -> tuple[float, dict]:
    for stale in [output, *output.parent.glob(f".{output.stem}.jixiao-cache.sqlite*")]:
        stale.unlink(missing_ok=True)
    seconds, _, out = run_measured(cmd, sample=False)
    return seconds, json.loads(out)


def bench(n: int, counties: int, workers: int) -> dict:
    root, folders = split(n, counties)
    work = root.parent
    jixiao = [sys.executable, "-m", "jixiao.cli", "consolidate", "--format", "json", "--workers", str(workers)]
    sums = work / "summaries"
    shutil.rmtree(sums, ignore_errors=True)
    county_s = []
    for folder in folders:  # each county consolidates its own units (once each, cold)
        seconds, _ = _cold([*jixiao, str(folder), "-o", str(sums / f"{folder.name}.xlsx"), "--county", folder.name,
                            "--no-cache"], sums / f"{folder.name}.xlsx")
        county_s.append(seconds)
    whole_out, city_out = work / "whole.xlsx", work / "city.xlsx"
    whole_cmd = [*jixiao, str(root), "-o", str(whole_out), "--no-cache"]
    city_cmd = [*jixiao, str(sums), "-o", str(city_out), "--no-cache"]
    wholes, cities = [], []
    for _ in range(RUNS):  # interleaved: a slow moment of the machine falls on both
        seconds, whole = _cold(whole_cmd, whole_out)
        wholes.append(seconds)
        seconds, city = _cold(city_cmd, city_out)
        cities.append(seconds)
    differ = {k: (whole.get(k), city.get(k)) for k in SAME if whole.get(k) != city.get(k)}
    if differ:
        raise SystemExit(f"the roll-up differs from consolidating every unit: {differ}")
    _, whole_pss, _ = run_measured(whole_cmd, sample=True)
    _, city_pss, _ = run_measured(city_cmd, sample=True)
    cached_cmd = [*jixiao, str(sums), "-o", str(city_out)]
    _cold(cached_cmd, city_out)  # fills the cache
    again_s, _, out = run_measured(cached_cmd, sample=False)
    assert json.loads(out)["files_read"] == 0
    whole_s, city_s = statistics.median(wholes), statistics.median(cities)
    return {"n": n, "counties": counties, "workers": workers,
            "county_summaries_s": round(sum(county_s), 2), "county_summary_s_each": [round(s, 2) for s in county_s],
            "whole_s": round(whole_s, 2), "whole_runs_s": [round(s, 2) for s in wholes],
            "rollup_s": round(city_s, 2), "rollup_runs_s": [round(s, 2) for s in cities],
            "rollup_ratio": round(city_s / whole_s, 3), "rollup_speedup": round(whole_s / city_s, 1),
            "rollup_unchanged_rerun_s": round(again_s, 2),
            "whole_peak_pss_mb": round(whole_pss / 2**20), "rollup_peak_pss_mb": round(city_pss / 2**20),
            "summaries_mb": round(sum(p.stat().st_size for p in sums.glob("*.xlsx")) / 2**20, 1),
            "budget": city["budget"]["budget"], "units": city["units"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    result = bench(args.n, args.counties, args.workers)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    save("rollup", result)


if __name__ == "__main__":
    main()
