"""涉密 projects in exports: nothing but 涉密 leaves the workbook (domain spec).

A project is 涉密 when its 资金用途, or on the national form its 年度目标 or 中期目标,
reads 涉密 (``Project.classified``). A clerk who marks a
project so but leaves its goals and indicators filled in must still not print them: every
export (Word, PDF and the model it carries, JSON, CSV) goes through :func:`redacted`.
Amounts, the spending plan, the code and the name stay: they count in the totals.
"""

from __future__ import annotations

from ..forms.model import UnitWorkbook
from ..forms.values import CLASSIFIED

_INDICATOR_TEXTS = ("level1", "level2", "level3", "description", "value_text", "basis")


def redacted(book: UnitWorkbook) -> UnitWorkbook:
    """``book`` itself when no project is 涉密, else a copy with their content replaced by 涉密."""
    if not any(p.classified for p in book.projects):
        return book
    book = book.model_copy(deep=True)
    for project in book.projects:
        if not project.classified:
            continue
        project.purpose = CLASSIFIED
        project.goals = CLASSIFIED
        if project.mid_goals:
            project.mid_goals = CLASSIFIED
        for ind in [*project.indicators, *(project.mid_indicators or [])]:
            for name in _INDICATOR_TEXTS:
                setattr(ind, name, CLASSIFIED)
            ind.raw = {key: CLASSIFIED for key in ind.raw}
    return book
