"""The list of clerk situations (docs/reliability.md) names only tests that exist, and covers issue 14's points."""

from __future__ import annotations

import ast
from pathlib import Path

from clerk_situations import SITUATIONS

HERE = Path(__file__).parent


def _tests_in(file: str) -> set[str]:
    tree = ast.parse((HERE / file).read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_every_named_test_exists():
    missing = []
    for point, _, _, tests in SITUATIONS:
        for ref in tests:
            file, name = ref.split("::")
            if name not in _tests_in(file):
                missing.append((point, ref))
    assert not missing


def test_every_point_has_a_situation_and_a_test():
    assert [s[0] for s in SITUATIONS] == list(range(1, 26))
    assert all(s[3] for s in SITUATIONS)
