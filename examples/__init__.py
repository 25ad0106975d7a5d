"""The seed units transcribed as model data (``*.json``), shipped with the package.

>>> from jixiao.examples import load_example, EXAMPLES
>>> load_example("luanping_xinfang_2026").unit.name
'滦平县信访局本级'
"""

from __future__ import annotations

import json
from importlib import resources

from ..forms.model import UnitWorkbook

EXAMPLES = ("luanping_xinfang_2026", "huailai_xinfang_2020", "zhijiang_xinfang_2026")


def load_example(name: str) -> UnitWorkbook:
    """One transcribed seed unit as a model."""
    text = resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return UnitWorkbook.model_validate(json.loads(text))


def load_examples() -> dict[str, UnitWorkbook]:
    return {name: load_example(name) for name in EXAMPLES}
