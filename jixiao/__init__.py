"""jixiao (绩效): fill, check, total and consolidate budget performance target tables.

The public API::

    from jixiao import read_workbook, write_workbook, UnitWorkbook
    book = read_workbook("units/154001.xlsx")
    write_workbook("copy.xlsx", book)

Names are imported on first use, so ``jixiao consolidate`` starts without
loading what only its workers need.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "JixiaoError": ".errors", "Indicator": ".forms.model", "Project": ".forms.model", "Unit": ".forms.model",
    "UnitWorkbook": ".forms.model", "read_workbook": ".forms.reader", "write_workbook": ".forms.template",
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module 'jixiao' has no attribute {name!r}")
