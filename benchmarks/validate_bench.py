"""Benchmark: validate one unit workbook (10 projects × 12 indicators), and annotate + save it.

Baseline, measured in the same run: opening the same file with openpyxl
(``openpyxl.load_workbook``). Targets: validate < 2× the open; annotate + save < 3×.

    python benchmarks/validate_bench.py [--repeat 21]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).parent))
from _util import median_ms, repeat_arg, save, unit_workbook  # noqa: E402

from jixiao.checks.annotate import annotate_file  # noqa: E402
from jixiao.checks.validate import validate_file  # noqa: E402


def main() -> None:
    repeat = repeat_arg(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        path = unit_workbook(Path(tmp))
        out = Path(tmp) / "annotated.xlsx"
        report = validate_file(path)
        assert report.issues, "the benchmark unit has findings to mark"

        open_ms = median_ms(lambda: openpyxl.load_workbook(path), repeat=repeat)
        validate_ms = median_ms(lambda: validate_file(path).to_json(), repeat=repeat)
        annotate_ms = median_ms(lambda: annotate_file(path, out, validate_file(path)), repeat=repeat)
    results = {
        "workbook": "10 projects × 12 indicators", "repeat": repeat, "findings": len(report.issues),
        "openpyxl_open_ms": round(open_ms, 1), "validate_ms": round(validate_ms, 1),
        "annotate_save_ms": round(annotate_ms, 1),
        "validate_ratio": round(validate_ms / open_ms, 3), "annotate_ratio": round(annotate_ms / open_ms, 3),
        "targets": {"validate_ratio": "< 2", "annotate_ratio": "< 3"},
    }
    results["met"] = results["validate_ratio"] < 2 and results["annotate_ratio"] < 3
    for key, value in results.items():
        print(f"{key:>18}: {value}")
    print(f"saved {save('validate', results)}")


if __name__ == "__main__":
    main()
