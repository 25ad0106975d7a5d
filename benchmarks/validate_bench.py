"""Benchmark: validate one unit workbook (10 projects × 12 indicators), and annotate + save it.

Baseline, measured in the same run: opening the same file with openpyxl
(``openpyxl.load_workbook``). Targets: validate < 2× the open; annotate + save < 3×.

    python benchmarks/validate_bench.py [--repeat 21]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).parent))
from _util import median_ms, save  # noqa: E402

from jixiao.annotate import annotate_file  # noqa: E402
from jixiao.synth import generate_unit  # noqa: E402
from jixiao.template import write_workbook  # noqa: E402
from jixiao.validate import validate_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = generate_unit(42, n_projects=10, n_indicators=12, mistakes=True)
        path = write_workbook(Path(tmp) / "unit.xlsx", book)
        out = Path(tmp) / "annotated.xlsx"
        report = validate_file(path)
        assert report.issues, "the benchmark unit has findings to mark"

        open_ms = median_ms(lambda: openpyxl.load_workbook(path), repeat=args.repeat)
        validate_ms = median_ms(lambda: validate_file(path).to_json(), repeat=args.repeat)
        annotate_ms = median_ms(lambda: annotate_file(path, out, validate_file(path)), repeat=args.repeat)
    results = {
        "workbook": "10 projects × 12 indicators", "repeat": args.repeat, "findings": len(report.issues),
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
