"""Benchmark: validate-and-mark a 10-project unit workbook through the xlwings remote engine.

Payload in, actions out (what xlwings Server does per click), against reading the
same workbook from disk with openpyxl, measured in the same run.
Targets: median < 200 ms and < 2× the openpyxl read.

    python benchmarks/addin_bench.py [--repeat 21]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import openpyxl

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
sys.path.insert(0, str(Path(__file__).parent))
from _util import median_ms, repeat_arg, save, unit_workbook  # noqa: E402

import xlwings as xw  # noqa: E402

import jixiao.addin as addin  # noqa: E402
from jixiao.addin.replay import payload_from_file  # noqa: E402


def main() -> None:
    repeat = repeat_arg(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        path = unit_workbook(Path(tmp))
        body = json.dumps(payload_from_file(path))  # what arrives over HTTP

        def click() -> list:
            book = xw.Book(json=json.loads(body))
            addin.validate(book)
            return book.json()["actions"]

        actions = click()
        read_ms = median_ms(lambda: openpyxl.load_workbook(path), repeat=repeat)
        click_ms = median_ms(click, repeat=repeat)
    results = {"workbook": "10 projects × 12 indicators", "actions": len(actions), "repeat": repeat,
               "openpyxl_read_ms": round(read_ms, 1), "validate_and_mark_ms": round(click_ms, 1),
               "ratio": round(click_ms / read_ms, 3), "targets": {"median_ms": "< 200", "ratio": "< 2"}}
    results["met"] = click_ms < 200 and click_ms / read_ms < 2
    for key, value in results.items():
        print(f"{key:>22}: {value}")
    print(f"saved {save('addin', results)}")


if __name__ == "__main__":
    main()
