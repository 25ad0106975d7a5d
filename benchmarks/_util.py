"""Shared helpers for the benchmarks: medians of repeated timings, a results table."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Callable

OUT = Path(__file__).parent / "out"


def median_ms(fn: Callable[[], object], *, repeat: int, warmup: int = 2) -> float:
    """Median wall time of ``fn`` in milliseconds (after ``warmup`` untimed calls)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def save(name: str, results: dict) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def repeat_arg(doc: str) -> int:
    """The ``--repeat`` option every single-workbook benchmark takes."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    return parser.parse_args().repeat


def unit_workbook(folder: Path) -> Path:
    """The benchmarks' unit: 10 projects × 12 indicators, with planted mistakes to mark."""
    from jixiao.synth import generate_unit
    from jixiao.forms.template import write_workbook

    return write_workbook(folder / "unit.xlsx", generate_unit(42, n_projects=10, n_indicators=12, mistakes=True))
