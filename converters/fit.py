"""Which forms an imported document lands on, and what those forms have no cell for.

A document goes onto the default forms, or the national 申报表 when it has a 中期 part
(:mod:`.build`), or onto a province's own project form when its title is that form's (the form
file's ``[import] titles``: 四川's 部门预算项目绩效目标申报表, with its 指标性质 / 指标值 / 度量单位,
权重 and 指标方向性). Whatever the chosen form still has no column or cell for — a 权重 on a form
without one, a 项目编码 on the national 申报表 — is listed, field by field with its lines, as columns
of no model field are (:mod:`.dropped`): never lost without a word.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from ..forms.model import Indicator, UnitWorkbook
from ..forms.values import nfkc, squeeze
from .recognise import Form

#: indicator cells a document may have and a form may lack, by the row's key, as the report names them
INDICATOR_COLUMNS = {"description": "绩效指标描述（指标内容）", "basis": "指标值确定依据", "explanation": "指标解释",
                     "scoring": "评（扣）分标准", "weight": "权重（分值）", "remark": "备注",
                     "direction": "指标方向（正向 / 反向）", "level1_points": "一级指标分值"}

#: project fields a form may lack, by the model's name, as the report names them. Not 主管部门 / 实施单位:
#: they say whose file it is, and the unit sheet carries the unit (the import names it from them)
PROJECT_FIELDS = {"code": "项目编码", "budget": "预算数", "fiscal": "财政拨款（财政资金）", "other": "其他资金",
                  "purpose": "资金用途", "goals": "绩效目标", "attribute": "项目属性", "term": "项目期",
                  "mid_budget": "中期资金总额", "mid_fiscal": "中期财政拨款", "mid_other": "中期其他资金", "mid_goals": "中期目标"}

#: raw keys that are not lost: 主管部门 / 实施单位 name the unit; ``classified`` marks a 涉密 table
_UNIT_OR_MARK = {"department", "implementer", "classified"}
#: the names of the fields the reader reads (Form.fields, and Project.raw where they have no model field), as
#: the import's reports name them; a label kept as read (项目类别) is its own name
READ_NAMES = {"budget": "资金总额", "fiscal": "财政拨款", "other": "其他资金", "budget_midterm": "中期资金总额",
              "fiscal_midterm": "中期财政拨款", "other_midterm": "中期其他资金", "goal_midterm": "中期目标",
              "department": "主管部门", "implementer": "实施单位", "upper": "上级资金", "budget_project": "项目总预算",
              "purpose": "资金用途"}

#: a model field's key as the reader recorded the line of its label (Form.lines)
_READ_AS = {"mid_budget": "budget_midterm", "mid_fiscal": "fiscal_midterm", "mid_other": "other_midterm",
            "mid_goals": "goal_midterm"}


def _line(form: Form, key: str) -> int:
    """The line of the label a field was read from, else the form's first line."""
    return form.lines.get(_READ_AS.get(key, key)) or form.line


def project_label(key: str) -> bool:
    """Whether a raw key is project content: a model name, or a label of the project's own (项目类别), not
    furniture that a form's footer holds (填表人, 审核意见 “同意”: the reviewers' rows are never data)."""
    from . import labels as L

    hits = L.lookup(key)
    return key in READ_NAMES or any(h.group == "project" for h in hits)


def profile_by_title(forms: list[Form]) -> str | None:
    """The built-in profile (other than ``national``, whose 申报表 is chosen by its 中期 part) whose own
    project form the document's project titles name, else ``None``."""
    from ..forms.layouts import form_set
    from ..profiles import BUILTIN, load_profile

    titles = {squeeze(nfkc(f.title)) for f in forms if f.title and f.kind == "targets" and f.scope == "project"}
    for name in BUILTIN:
        if name == "national":
            continue
        patterns = form_set(load_profile(name)).project.import_titles
        if any(fnmatchcase(t, squeeze(nfkc(p))) for p in patterns for t in titles):
            return name
    return None


def onto_profile(book: UnitWorkbook, name: str) -> None:
    """Put ``book`` on the forms of profile ``name``; a form with the value in three columns
    (指标性质 | 指标值 | 度量单位) gets it split back as the document printed it, and a column labelled
    for the direction (四川's 指标方向性, the model's ``remark``) the document's 正向 / 反向."""
    from ..forms.layouts import form_set, forms_of
    from ..profiles import load_profile

    profile = load_profile(name)
    book.profile, book.milestones = name, list(profile.milestones)
    book.forms = dict(form_set(profile).named)
    block = forms_of(book).project.block("indicators")
    names = {c.name for c in block.columns}
    direction_column = _remark_says(block, "方向")
    for project in book.projects:
        for ind in project.indicators:
            if {"value_type", "measure_unit"} <= names:
                _split(ind)
            if direction_column and ind.raw.get("direction") and not ind.remark:
                ind.remark = ind.raw.pop("direction")


def _split(ind: Indicator) -> None:
    """``≥95%`` (joined from 指标性质 ≥, 指标值 95, 度量单位 %) back into its three cells; a value the
    document printed in one cell stays whole in 指标值."""
    op, unit = ind.raw.get("value_type"), ind.raw.get("measure_unit")
    if not op:
        return
    text = ind.value_text or ""
    if text.startswith(nfkc(op)):
        text = text[len(nfkc(op)):]
    elif not nfkc(op).startswith("定性"):
        return
    if unit and text.endswith(unit):
        text = text[: -len(unit)]
    ind.value_type, ind.measure_unit, ind.value_text = nfkc(op), unit or None, text or None
    ind.raw.pop("value_type")
    ind.raw.pop("measure_unit", None)


def _remark_says(block, word: str) -> bool:
    """Whether an indicator block's ``remark`` column is labelled with ``word``: 备注, or 四川's 指标方向性
    (方向), where the model's remark holds the 正向 / 反向."""
    return block is not None and any(c.name == "remark" and word in c.label for c in block.columns)


def has_remark(book: UnitWorkbook) -> bool:
    """Whether the project form has a 备注 column (not 四川's, which holds 指标方向性)."""
    from ..forms.layouts import forms_of

    return _remark_says(forms_of(book).project.block("indicators"), "备注")


def beyond_the_form(book: UnitWorkbook, projects: list[tuple[Form, object]], overall: list[Form]
                    ) -> list[tuple[str, int | None, str]]:
    """What the document has and the workbook's forms have no cell for, as :mod:`.dropped` entries
    (column or field, line, text): the indicator cells of each row, and each project's fields."""
    from ..forms.layouts import forms_of

    forms = forms_of(book)
    out = []
    layout = forms.project
    names = {f.name for f in layout.fields}
    for form, project in projects:
        for key, label in PROJECT_FIELDS.items():
            value = getattr(project, key, None)
            if value is None:
                value = project.raw.get(key)  # 项目属性 read for a form without it: kept in raw, not written
            if value is not None and str(value).strip() and key not in names:
                out.append((label, _line(form, key), str(value)))
        for key, value in project.raw.items():  # read and kept, with no cell: 项目类别, 项目负责人, 上级资金 …
            if key in names or key in PROJECT_FIELDS or key in _UNIT_OR_MARK or not str(value).strip() \
                    or not project_label(key):
                continue
            out.append((READ_NAMES.get(key, key), _line(form, key), str(value)))
    for layout, parts in ((forms.project, [f for f, _ in projects]), (forms.overall, overall)):
        block = layout.block("indicators") if layout is not None else None
        have = {c.name for c in block.columns} if block is not None else set()
        if _remark_says(block, "方向"):
            have.add("direction")  # 四川's 指标方向性 holds it (onto_profile)
        for form in parts:
            for row in [*form.indicators, *form.other_periods]:
                for key, label in INDICATOR_COLUMNS.items():
                    if key not in have and row.get(key) and str(row[key]).strip():
                        out.append((label, row.get("line"), str(row[key])))
    return out
