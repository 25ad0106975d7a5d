"""A1 cell references: ``"B3"`` ↔ (row 3, column 2). Pure; the core imports no spreadsheet library."""

from __future__ import annotations

import re
from functools import lru_cache

_A1 = re.compile(r"^([A-Z]+)(\d+)$")


def col_index(letters: str) -> int:
    """``"A"`` → 1, ``"AA"`` → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def col_letter(index: int) -> str:
    """1 → ``"A"``."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


@lru_cache(maxsize=1 << 14)
def parse_a1(ref: str) -> tuple[int, int]:
    """``"B3"`` → (3, 2): row and column, 1-based."""
    m = _A1.match(ref)
    if not m:
        raise ValueError(f"not an A1 address: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


@lru_cache(maxsize=1 << 12)
def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"B3:C3"`` → (3, 2, 3, 3); a single cell is a 1×1 range."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_a1(first)
    r2, c2 = parse_a1(last) if last else (r1, c1)
    return r1, c1, r2, c2
