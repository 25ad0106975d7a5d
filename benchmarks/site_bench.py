"""Benchmark: N units (default 1,000) submitting to the 报送站 over loopback, then the county summary.

Starts `jixiao serve` on a fresh data folder (SQLite), opens a task for N synthetic units, and has them
all submit at once from C concurrent clients (default 50), each with its 登录码 as the Bearer credential.
Measures submissions per second, p50/p95 latency of one submission (upload + validation + storage),
and the time to build the summary once all are in (first build, then a rebuild after one re-submission,
which the consolidation cache makes cheap). Target (issue 19): 1,000 units within a minute.

    python benchmarks/site_bench.py [--units 1000] [--clients 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from _util import save  # noqa: E402
from sitekit import Server, clone_for, open_site, unit_book  # noqa: E402

from jixiao.forms.template import write_workbook  # noqa: E402


def server_cpu(server: Server) -> float:
    """CPU seconds the server process has used (Linux /proc): what one submission costs, whatever the load
    of a shared machine does to the wall-clock numbers."""
    try:
        fields = Path(f"/proc/{server.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / __import__("os").sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    seeds = list(range(args.units))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        data, codes = open_site(tmp, seeds)
        source = write_workbook(tmp / "books" / "source.xlsx", unit_book(seeds[0]))
        books = {unit_book(s).unit.code: clone_for(source, seeds[0], s, tmp / "books").read_bytes() for s in seeds}
        prepare_s = time.perf_counter() - t
        server = Server(data, env={"JIXIAO_SITE_WORKERS": "0"}).start()
        try:
            latencies: list[float] = []

            def one(code: str) -> str:
                with httpx.Client(base_url=server.url, timeout=600) as c:
                    start = time.perf_counter()
                    r = c.post("/api/v1/submissions", headers={"Authorization": f"Bearer {codes[code]}"},
                               files={"file": (f"{code}.xlsx", books[code])})
                    latencies.append(time.perf_counter() - start)
                    return r.json()["status"]

            t, cpu = time.perf_counter(), server_cpu(server)
            with ThreadPoolExecutor(args.clients) as pool:
                statuses = list(pool.map(one, list(books)))
            submit_s = time.perf_counter() - t
            cpu_ms = (server_cpu(server) - cpu) * 1000 / args.units
            assert statuses.count("submitted") == args.units, statuses

            with httpx.Client(base_url=server.url, timeout=1200) as c:
                token = c.post("/api/v1/login", json={"user": "cz", "password": "bureau-pass-1"}).json()["token"]
                auth = {"Authorization": f"Bearer {token}"}
                status = c.get("/api/v1/status", headers=auth).json()
                assert status["submitted"] == args.units and not status["missing"]
                t = time.perf_counter()
                first = c.get("/api/v1/summary.xlsx", headers=auth)
                summary_s = time.perf_counter() - t
                assert first.headers["X-Jixiao-Units"] == str(args.units)
                changed = unit_book(seeds[0])  # one unit re-submits a changed workbook
                changed.projects[0].name += "（调整）"
                code = changed.unit.code
                books[code] = write_workbook(tmp / "books" / "changed.xlsx", changed).read_bytes()
                one(code)
                t = time.perf_counter()
                again = c.get("/api/v1/summary.xlsx", headers=auth)
                resummary_s = time.perf_counter() - t
                assert again.headers["X-Jixiao-Files-Read"] == "1"
        finally:
            server.stop()
    lat = sorted(latencies[: args.units])
    results = {
        "units": args.units, "clients": args.clients, "cpus": __import__("os").cpu_count(),
        "prepare_s": round(prepare_s, 1),
        "submit_all_s": round(submit_s, 2), "submissions_per_s": round(args.units / submit_s, 1),
        "latency_p50_ms": round(statistics.median(lat) * 1000, 1),
        "latency_p95_ms": round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1),
        "server_cpu_ms_per_submission": round(cpu_ms, 1),
        "load_average": __import__("os").getloadavg()[0],
        "summary_first_s": round(summary_s, 2), "summary_after_one_resubmission_s": round(resummary_s, 2),
        "target": "1,000 units submitted within 60 s",
    }
    for k, v in results.items():
        print(f"{k:>34}: {v}")
    print(f"saved {save('site_bench', results)}")


if __name__ == "__main__":
    main()
