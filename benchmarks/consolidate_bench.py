"""Benchmark: consolidate N generated unit workbooks (5 projects × 12 indicators each).

Reports, in one run: files/s end to end (writing the summary included), peak memory of
the whole process tree (summed PSS), and ratios against
  (a) a naive loop: open each file with openpyxl, append its rows with pandas, write with pandas
      (measured on a sample of up to --naive-sample files; its rate is per file), and
  (b) the floor: reading every cell of the same files with python-calamine alone, measured twice:
      in one process (the old figure, which flatters a multi-process run), and on a pool of as many
      processes as jixiao's workers (each reads its share of the files and returns only counts), the
      honest baseline for a run on --workers processes.
The cold run and the floor are timed three times each (medians reported). Then 1 % of the files are
changed and the run is repeated with the cache (timed three times, each with new changes; the median is
reported, and each run), and once more with nothing changed. Memory is sampled in one more cold run and
one more re-run, not in the timed ones: sampling slows what it measures.

Targets: ≥ 10× faster than (a); within 2.5× of the equal-process floor; 10,000 files under 1 GB;
re-run ≥ 20× faster.

    python benchmarks/consolidate_bench.py --n 200 2000 10000 [--workers 2]

The generated corpus is kept in benchmarks/out/corpus-N (generation is not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import OUT, save  # noqa: E402


RUNS = 3  # of the cold run and of the re-run, each: the median is reported


def _write_unit(args: tuple[int, str]) -> None:
    from jixiao.synth import generate_unit
    from jixiao.forms.template import write_workbook

    seed, folder = args
    book = generate_unit(seed, n_projects=5, n_indicators=12)
    write_workbook(Path(folder) / f"{book.unit.code}.xlsx", book)


def corpus(n: int) -> Path:
    folder = OUT / f"corpus-{n}"
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating {n} unit workbooks in {folder} …", flush=True)
        with ProcessPoolExecutor() as pool:
            list(pool.map(_write_unit, [(i, str(folder)) for i in range(n)], chunksize=32))
        done.write_text("ok")
    return folder


def tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants, in bytes: the sum of their PSS.

    PSS (proportional set size) splits pages shared after fork() between the
    processes sharing them; summing RSS would count the parent's memory again in
    every worker.
    """
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_measured(cmd: list[str], *, sample: bool = True) -> tuple[float, int, str]:
    """Wall time, peak tree memory (0 without ``sample``) and stdout of a command.

    Sampling reads every process's page tables (``smaps_rollup``) 20 times a second, under
    their memory lock: it slows what it measures, so timed runs are not sampled.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sampler():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sampler, daemon=True)
    if sample:
        t.start()
    out, err = proc.communicate()
    stop.set()
    if sample:
        t.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{err}")
    return time.perf_counter() - start, peak, out


def _read_cells(paths: list[str]) -> int:
    """Read every cell of ``paths`` with python-calamine; return only the count (a small record)."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for f in paths:
        wb = CalamineWorkbook.from_path(f)
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False):
                cells += len(row)
    return cells


def floor(files: list[Path], workers: int = 1) -> float:
    """Seconds to read every cell of ``files`` on ``workers`` processes (1: in this process).

    The pool is started (and its workers have imported calamine) before the clock starts, as
    jixiao's own start-up is part of its time but a pool's fork is not the floor's subject;
    files go out in chunks of 64 so that scheduling costs little.
    """
    paths = [str(f) for f in files]
    if workers <= 1:
        start = time.perf_counter()
        _read_cells(paths)
        return time.perf_counter() - start
    chunks = [paths[i:i + 64] for i in range(0, len(paths), 64)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_read_cells, [paths[:1]] * workers))  # warm: workers up, calamine imported
        start = time.perf_counter()
        cells = sum(pool.map(_read_cells, chunks))
        elapsed = time.perf_counter() - start
    assert cells > 0
    return elapsed


NAIVE = r'''
import sys, openpyxl, pandas as pd
files, out = sys.argv[1:-1], sys.argv[-1]
frames = []
for f in files:
    wb = openpyxl.load_workbook(f, data_only=True)
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        if rows:
            frame = pd.DataFrame(rows)
            frame.insert(0, "file", f)
            frame.insert(1, "sheet", ws.title)
            frames.append(frame)
pd.concat(frames).astype(str).to_excel(out, index=False)
'''


def bench(n: int, workers: int, naive_sample: int) -> dict:
    folder = corpus(n)
    files = sorted(folder.glob("*.xlsx"))
    work = OUT / f"run-{n}"
    work.mkdir(exist_ok=True)
    summary = work / "summary.xlsx"
    cmd = [sys.executable, "-m", "jixiao.cli", "consolidate", str(folder), "-o", str(summary), "--format", "json",
           "--workers", str(workers)]
    colds, cold_rss = [], 0
    for run in range(RUNS + 1):  # cold: no cache, no previous summary; the first run only for its memory
        for stale in [summary, *work.glob(".summary.jixiao-cache.sqlite*")]:
            stale.unlink(missing_ok=True)
        seconds, rss, out = run_measured(cmd, sample=run == 0)
        result = json.loads(out)
        assert result["consolidated"] == n and result["files_read"] == n, result
        if run == 0:
            cold_rss = rss
        else:
            colds.append(seconds)
    cold = statistics.median(colds)
    # change 1 % of the files (a resubmission: new amounts), then re-run with the cache; three times, with
    # new changes each time. Cold runs and re-runs are each the median of three: these machines vary by a
    # third from run to run, and a ratio of two single runs would say more about the machine than the code.
    from jixiao.synth import generate_unit
    from jixiao.forms.template import write_workbook

    changed = files[:: 100][: max(1, n // 100)]
    reruns, rerun_rss = [], 0
    for run in range(RUNS + 1):  # the first only for its memory
        for f in changed:
            book = generate_unit(int(files.index(f)), n_projects=5, n_indicators=12)
            book.projects[0].fiscal += 1
            book.projects[0].budget += 1
            book.projects[0].indicators[1].value_text = "≤" + str(book.projects[0].budget) + "万元"
            book.projects[0].purpose = f"重报 {time.time_ns()}"  # a real change every run (builds are reproducible)
            write_workbook(f, book)
        seconds, rss, out = run_measured(cmd, sample=run == 0)
        assert json.loads(out)["files_read"] == len(changed)
        if run == 0:
            rerun_rss = rss
        else:
            reruns.append(seconds)
    rerun = statistics.median(reruns)
    unchanged, _, out = run_measured(cmd, sample=False)  # nothing changed since: a re-run's least cost
    assert json.loads(out)["files_read"] == 0
    floor_s = statistics.median(floor(files) for _ in range(RUNS))
    floor_eq_s = statistics.median(floor(files, workers) for _ in range(RUNS))
    sample = files[: min(n, naive_sample)]
    naive_s, _, _ = run_measured([sys.executable, "-c", NAIVE, *map(str, sample), str(work / "naive.xlsx")],
                                 sample=False)
    ours_rate = n / cold
    naive_rate = len(sample) / naive_s
    floor_rate = n / floor_s
    return {"n": n, "workers": workers, "cold_s": round(cold, 2), "files_per_s": round(ours_rate, 1),
            "cold_runs_s": [round(c, 2) for c in colds], "peak_pss_mb": round(cold_rss / 2**20),
            "rerun_s": round(rerun, 2),
            "rerun_runs_s": [round(r, 2) for r in reruns], "unchanged_rerun_s": round(unchanged, 2),
            "rerun_peak_pss_mb": round(rerun_rss / 2**20), "rerun_speedup": round(cold / rerun, 1),
            "naive_files_per_s": round(naive_rate, 2), "naive_sample": len(sample),
            "speedup_vs_naive": round(ours_rate / naive_rate, 1),
            "floor_s": round(floor_s, 2), "floor_files_per_s": round(floor_rate, 1),
            "ratio_to_floor": round(cold / floor_s, 2),
            "floor_workers": workers, "floor_equal_s": round(floor_eq_s, 2),
            "ratio_to_equal_floor": round(cold / floor_eq_s, 2),
            "summary_mb": round(summary.stat().st_size / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200, 2000, 10000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--naive-sample", type=int, default=200)
    args = parser.parse_args()
    rows = [bench(n, args.workers, args.naive_sample) for n in args.n]
    for r in rows:
        print(json.dumps(r, ensure_ascii=False))
    print(f"saved {save('consolidate', {'runs': rows, 'targets': {'speedup_vs_naive': '>= 10', 'ratio_to_equal_floor': '<= 2.5', 'peak_pss_mb (10000)': '< 1024', 'rerun_speedup': '>= 20'}})}")


if __name__ == "__main__":
    main()
