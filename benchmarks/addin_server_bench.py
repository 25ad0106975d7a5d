"""Benchmark: the 校验 button through `jixiao serve` (xlwings Server behind the 报送站), 10-project workbook.

What one click posts (bytes, the whole workbook and with the script's declared ``exclude``) and how long
the round trip takes over loopback (login once, then POST /xlwings/custom-scripts-call/validate), against
the same script run in this process on the same payload (the baseline, one process each). Three workbooks:
the 10-project one fresh, the same after 校验 and 支出汇总 have added their output sheets (what exclude
leaves home), and a large one (50 projects × 20 indicators, planted mistakes, with its outputs).
The client (Excel) gives a request 30 s; the figures say how far from that a click is.

    python benchmarks/addin_server_bench.py [--repeat 11]
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _util import repeat_arg, save, unit_workbook  # noqa: E402

import httpx  # noqa: E402
import xlwings as xw  # noqa: E402

import jixiao.addin as addin  # noqa: E402
from jixiao.addin.replay import apply_actions, payload_from_file  # noqa: E402


def median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def main() -> None:
    repeat = repeat_arg(__doc__)
    from click.testing import CliRunner

    from jixiao.cli import main as cli
    from jixiao.forms.reader import read_workbook
    from jixiao.site.roster import write_roster
    from sitekit import Server, read_codes

    validate = inspect.unwrap(addin.validate)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fresh = unit_workbook(tmp)
        unit = read_workbook(fresh).unit
        roster = write_roster(tmp / "名册.xlsx", [{"unit_code": unit.code, "unit_name": unit.name}])
        data = tmp / "site"
        r = CliRunner().invoke(cli, ["serve", "task", "--data", str(data), "--year", str(unit.year),
                                     "--roster", str(roster)])
        assert r.exit_code == 0, r.output
        code = read_codes(data / f"登录码-{unit.year}.xlsx")[unit.code]

        def local(path):
            book = xw.Book(json=payload_from_file(path))
            validate(book)
            return book.json()["actions"]

        marked = apply_actions(fresh, local(fresh), tmp / "marked.xlsx")
        book = xw.Book(json=payload_from_file(marked))
        inspect.unwrap(addin.refresh_totals)(book)
        outputs = apply_actions(marked, book.json()["actions"], tmp / "outputs.xlsx")

        from jixiao.synth import generate_unit
        from jixiao.forms.template import write_workbook

        big = generate_unit(42, n_projects=50, n_indicators=20, mistakes=True)
        assert big.unit.code == unit.code  # the same unit, so the same 登录码
        large = write_workbook(tmp / "large.xlsx", big)
        marked_l = apply_actions(large, local(large), tmp / "large-marked.xlsx")
        book = xw.Book(json=payload_from_file(marked_l))
        inspect.unwrap(addin.refresh_totals)(book)
        large_outputs = apply_actions(marked_l, book.json()["actions"], tmp / "large-outputs.xlsx")

        server = Server(data).start()
        results: dict = {"workbook": "10 projects × 12 indicators (benchmarks/_util.unit_workbook)",
                         "repeat": repeat, "client_timeout_s": 30}
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                token = client.post("/api/v1/login", json={"code": code}).json()["token"]
                exclude = {m["function_name"]: m for m in
                           client.get("/xlwings/custom-scripts-meta.json").json()}["validate"]["exclude"]
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                for label, path in (("fresh", fresh), ("with_outputs", outputs), ("large_with_outputs", large_outputs)):
                    full = json.dumps(payload_from_file(path)).encode()
                    lean = json.dumps(payload_from_file(path, exclude=exclude)).encode()

                    def post(body):
                        start = time.perf_counter()
                        response = client.post("/xlwings/custom-scripts-call/validate", content=body, headers=headers)
                        assert response.status_code == 200, response.text
                        return (time.perf_counter() - start) * 1000

                    def in_process(body):
                        start = time.perf_counter()
                        b = xw.Book(json=json.loads(body))
                        validate(b)
                        b.json()
                        return (time.perf_counter() - start) * 1000

                    for body in (full, lean):  # warm-up
                        post(body), in_process(body)
                    post_full = median([post(full) for _ in range(repeat)])
                    post_lean = median([post(lean) for _ in range(repeat)])
                    base = median([in_process(lean) for _ in range(repeat)])
                    results[label] = {
                        "payload_bytes_full": len(full), "payload_bytes_lean": len(lean),
                        "lean_over_full_bytes": round(len(lean) / len(full), 3),
                        "roundtrip_ms_full": round(post_full, 1), "roundtrip_ms_lean": round(post_lean, 1),
                        "in_process_ms": round(base, 1),
                        "roundtrip_over_in_process": round(post_lean / base, 2),
                        "lean_over_full_time": round(post_lean / post_full, 3),
                        "share_of_30s_timeout": round(post_lean / 30000, 4)}
        finally:
            server.stop()
    for key, value in results.items():
        print(f"{key:>18}: {value}")
    print(f"saved {save('addin_server', results)}")


if __name__ == "__main__":
    main()
