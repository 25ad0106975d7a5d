"""Form parts → the model: projects, the 部门整体 form, a 自评表; money exactly in 万元.

The national forms have a 中期 and a 年度 period. :data:`PERIOD_FIELDS` is the one place that says
which period fills which model field (``labels.toml`` [periods] says which period is the model's own
fields). A document with a 中期 (实施期) part is imported into the national 项目支出绩效目标申报表
(the ``national`` profile's forms, :func:`national_forms`), which has cells for it; any other keeps
the default forms, exactly as before.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, NamedTuple

from ..forms.model import Indicator, OverallTargets, Project, Unit, UnitWorkbook
from ..forms.values import OPERATORS, nfkc, squeeze
from . import footer
from . import labels as L
from .fit import READ_NAMES as _FIELD_NAMES
from .fit import beyond_the_form, has_remark, onto_profile, profile_by_title, project_label
from .readings import split_code
from .recognise import Document, Form, recognise
from .shapes import NUMBERING, Cell, cells_of

TEN_THOUSAND = Decimal(10000)
# The one place that maps a form's periods onto the model. Per period: recognised field → Project
# attribute (None: kept in Project.raw), and where its indicator rows go (None: listed as not
# imported). labels.toml [periods] names the model's own period (年度); the 中期 one is ``mid_…``.
PERIOD_FIELDS: dict[str, dict[str, str | None]] = {
    "年度": {"budget": "budget", "fiscal": "fiscal", "other": "other", "goals": "goals", "indicators": "indicators"},
    "中期": {"budget_midterm": "mid_budget", "fiscal_midterm": "mid_fiscal", "other_midterm": "mid_other",
           "goal_midterm": "mid_goals", "indicators": "mid_indicators"},
}
_MONEY = {"budget", "fiscal", "other", "budget_midterm", "fiscal_midterm", "other_midterm"}
# the national form's 项目期 (Project.term) as other forms label it (kept in Project.raw otherwise)
TERM_LABELS = ("项目期", "项目支出实施期", "实施期", "项目起止时间", "建设周期")
ATTRIBUTES = ("新增项目", "延续项目", "一次性项目")


class Imported(NamedTuple):
    """What an import gives: the target model, the unplaced lines, and the 自评表 when the document
    holds self-evaluation forms (``jixiao.selfeval.model.SelfEvaluation``, else None)."""

    book: UnitWorkbook
    unplaced: list[str]
    selfeval: Any = None

    @property
    def incomplete(self) -> list[str]:
        """The unplaced lines that make the import partial (a 目录 table skipped on purpose does not)."""
        return [u for u in self.unplaced if getattr(u, "kind", "line") not in ("table", "read")]


class Unplaced(str):
    """One line of the unplaced list: the message, and the line number and kind behind it."""

    line: int | None
    #: how many of the document's lines it stands for (an unreadable table: all its lines in one)
    span: int
    #: "line" (not recognised) | "rows" (recognised rows that belong nowhere) | "period" | "field" | "column"
    #: | "table" (a 目录, skipped on purpose) | "read" (imported, read otherwise than printed: to check)
    kind: str

    def __new__(cls, text: str, line: int | None = None, kind: str = "line", span: int = 1):
        obj = super().__new__(cls, text)
        obj.line, obj.kind, obj.span = line, kind, span
        return obj


def money(text: str | None, unit: str | None) -> tuple[Decimal | None, str | None]:
    """An amount as printed → Decimal 万元. ``250万`` and ``3,309,840.00`` (in a 元 form) are exact;
    a number glued to words (``总额10606.7522万元``) is read from its first number. Returns the raw
    text too when it cannot be read."""
    if not text:
        return None, None
    t = nfkc(text).replace(",", "").replace("，", "")
    if re.search(r"[≥≤<>=%]", t):
        return None, text  # a target (≤5%), not an amount
    m = re.search(r"(?<![\d.])(-?\d+(?:\.\d+)?)\s*(万元|万|元)?", t)
    if not m:
        return None, text
    if m.start() > 0 and not re.fullmatch(r"[^\d]{0,8}", t[:m.start()]):
        return None, text
    number = Decimal(m.group(1))
    suffix = m.group(2)
    if suffix == "元" or (suffix is None and unit == "元"):
        number = number / TEN_THOUSAND
    return number, None


def breakdown_total(text: str | None) -> str | None:
    """The 金额 column of a run-together cost breakdown, summed, when the printed 合计 starts with it:
    ``…保安服务费191依据招标文件191191保洁服务费99…合计814662.98794.55`` → 814 (191 + 99 + 524)."""
    from .shapes import unglue

    if not text or "合计" not in text:
        return None
    body, total = nfkc(text).rsplit("合计", 1)
    body = re.sub(r"^.*实际执行数", "", body)
    tokens = unglue(body)
    amounts, texts = [], 0
    for k, tok in enumerate(tokens[:-1]):
        if re.search(r"[\u4e00-\u9fff]", tok) and not re.match(r"[\d≥≤=<>]", tok):
            texts += 1
            nxt = tokens[k + 1]
            if texts % 2 == 1 and re.fullmatch(r"\d+(?:\.\d+)?", nxt):
                amounts.append(Decimal(nxt))
    if not amounts:
        return None
    s = sum(amounts)
    printed = re.sub(r"\D", "", total.strip())
    return str(s) if printed.startswith(re.sub(r"\D", "", str(s))) else None


def _weight(text: str | None) -> Decimal | None:
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*分?\s*", nfkc(text))
    return Decimal(m.group(1)) if m else None


def joined_value(row: dict) -> str | None:
    """指标性质 + 指标值 + 度量单位 as one 指标值 (``≥95%``); 定性 alone when nothing else."""
    op = (row.get("value_type") or "").strip()
    num = (row.get("value_text") or "").strip()
    unit = (row.get("measure_unit") or "").strip()
    if len(num) <= 12:
        num = re.sub(r"(?<=\d)\s+(?=\S)", "", num)  # "10 辆" (a PDF's spacing) is 10辆
    if op and nfkc(op) in OPERATORS or op in ("＞", "＜", "≧", "≦"):
        return f"{nfkc(op)}{num}{unit}" if num else None
    if op.startswith("定性"):
        return f"{num}{unit}" if num else "定性"
    if num and unit and not num.endswith(unit) and re.fullmatch(r"[\d.]+", num):
        return num + unit
    return num or None


def indicator_name(text: str | None) -> str | None:
    """A 三级指标 without the blank form's numbering (“指标1:开展精品示范村建设数量” → 开展精品示范村建设数量)."""
    m = NUMBERING.match(text.strip()) if text else None
    return text.strip()[m.end():].strip() or text if m else text


def indicator(row: dict) -> Indicator:
    ind = Indicator(level1=row.get("level1"), level2=row.get("level2"), level3=indicator_name(row.get("level3")),
                    value_text=joined_value(row), basis=row.get("basis"), explanation=row.get("explanation"),
                    weight=_weight(row.get("weight")), remark=row.get("remark"))
    for key in ("level1_points", "direction", "value_type", "measure_unit"):
        if row.get(key):
            ind.raw[key] = row[key]
    return ind


def _budget_from_rows(form: Form) -> dict[str, str]:
    """The 年初 (else 全年) amounts of a 自评表's 预算执行 rows."""
    out: dict[str, str] = {}
    col = "initial" if "initial" in form.budget_columns else "full"
    for kind, _label, values in form.budget_rows:
        key = {"total": "budget", "fiscal": "fiscal", "other": "other"}.get(kind)  # 上年结转: no target field
        if key is not None and key not in out and values.get(col) not in (None, "", "/", "—"):
            out[key] = values[col]
    return out


def project(form: Form, unit: str | None) -> Project:
    fields = dict(form.fields)
    for k, v in _budget_from_rows(form).items():
        fields.setdefault(k, v)
    if "budget" not in fields and breakdown_total(fields.get("budget_breakdown")):
        fields["budget"] = breakdown_total(fields["budget_breakdown"])
    p = Project()
    code, name = split_code(fields.get("name"))
    p.name = name
    p.code = squeeze(fields["code"]) if fields.get("code") else code
    year = PERIOD_FIELDS[L.data()["periods"]["model"]]
    if not fields.get("goals") and fields.get("goal_midterm") and not form.other_periods \
            and not any(fields.get(k) for k in ("budget_midterm", "fiscal_midterm", "other_midterm")):
        # 总体目标 alone, no other 中期 part (天津's 中央预算内投资计划绩效目标表): the year's goal, not a 中期 one
        fields["goals"] = fields.pop("goal_midterm")
    setattr(p, year["goals"], fields.get("goals"))
    p.purpose = fields.get("purpose")
    for key in ("budget", "fiscal", "other"):
        value, raw = money(fields.get(key), form.amount_unit or unit)
        setattr(p, year[key], value)
        if raw:
            p.raw[key] = raw
    if p.budget is None and p.fiscal is not None and "budget" not in fields:
        p.budget = p.fiscal  # a form with only the fiscal amount (东莞: 本年度申请市财政预算资金)
    if p.fiscal is None and fields.get("budget") and "本级" in "".join(form.extra) + str(fields):
        pass
    for key in ("department", "implementer", "upper", "attribute", "term", "budget_project"):
        if fields.get(key):
            p.raw[key] = fields[key]
    mid = PERIOD_FIELDS["中期"]
    for key, target in mid.items():
        if key == "indicators" or not fields.get(key):
            continue
        value, raw = money(fields[key], form.amount_unit or unit) if key in _MONEY else (fields[key], None)
        if target is None or raw:
            p.raw[key] = fields[key]  # no model field, or an amount that cannot be read: kept as printed
        else:
            setattr(p, target, value)
    for label, value in form.extra.items():
        p.raw[label] = value
    setattr(p, year["indicators"], [indicator(r) for r in form.indicators])
    if mid["indicators"] is not None:
        setattr(p, mid["indicators"], [indicator(r) for r in form.other_periods])
    if form.classified or any(squeeze(i.level3) == "涉密" for i in p.indicators):
        # a 涉密 table prints nothing but 涉密: the model's classified form (as jixiao writes one)
        p.raw["classified"] = "涉密"
        p.purpose, p.goals = p.purpose or "涉密", p.goals or "涉密"
        p.indicators = [Indicator(level1="涉密", level2="涉密", level3="涉密", description="涉密", value_text="涉密",
                                  basis="涉密") for _ in p.indicators or [None]]
        p.mid_indicators = [Indicator(level1="涉密", level2="涉密", level3="涉密", value_text="涉密")
                            for _ in p.mid_indicators]
        p.mid_goals = "涉密" if p.mid_goals else None
    return p


def national_forms() -> dict[str, str]:
    """The built-in forms of the ``national`` profile, as a model records them (``UnitWorkbook.forms``)."""
    from ..forms.layouts import form_set
    from ..profiles import load_profile

    return dict(form_set(load_profile("national")).named)


def has_mid(p: Project) -> bool:
    return not p.period("mid").is_blank()


def attribute_of(text: str | None) -> str | None:
    """项目属性 as the national form's list has it: ``延续项目``, or the ticked one of
    ``新增项目□延续项目√`` (a box form); None when it is none of them (kept as printed)."""
    t = squeeze(text or "")
    if t in ATTRIBUTES:
        return t
    ticked = [a for a in ATTRIBUTES if re.search(re.escape(a) + r"[√☑■✓✔]|[√☑■✓✔]" + re.escape(a), t)]
    return ticked[0] if len(ticked) == 1 else None


def to_national(p: Project) -> None:
    """The 主管部门及代码 / 实施单位 / 项目属性 / 项目期 a national 申报表 has cells for: out of raw."""
    for key in ("department", "implementer"):
        if p.raw.get(key):
            setattr(p, key, p.raw.pop(key))
    for label in ("attribute", "项目属性"):
        value = attribute_of(p.raw.get(label))
        if value and p.attribute is None:
            p.attribute = value
            del p.raw[label]
    for label in ("term", *TERM_LABELS):
        if p.raw.get(label) and p.term is None:
            p.term = p.raw.pop(label)


def selfeval_of(doc: Document, forms: list[Form], unit: Unit):
    """The 自评表 the document's self-evaluation forms fill (None when it has none)."""
    from ..selfeval.model import DepartmentEval, EvalIndicator, ProjectEval, SelfEvaluation

    evals = [f for f in forms if f.kind == "selfeval"]
    if not evals:
        return None
    ev = SelfEvaluation(profile="national", unit=unit)
    for form in evals:
        cls = DepartmentEval if form.scope == "overall" else ProjectEval
        code, name = split_code(form.fields.get("name"))
        sheet = cls(name=name or (form.unit_name if form.scope == "overall" else None),
                    code=squeeze(form.fields["code"]) if form.fields.get("code") else code)
        prefix = {"initial": "initial", "full": "full", "executed": "executed"}
        for kind, _label, values in form.budget_rows:
            for col, attr in prefix.items():
                value, _ = money(values.get(col), form.amount_unit or doc.amount_unit or "万元")  # 永德's are in 元
                if value is not None and getattr(sheet, f"{attr}_{kind}", None) is None:
                    setattr(sheet, f"{attr}_{kind}", value)
            if kind == "total" and sheet.execution_weight is None:
                sheet.execution_weight = _weight(values.get("weight"))
            if kind == "total" and values.get("reason"):
                sheet.execution_reason = values["reason"]
        sheet.indicators = [EvalIndicator(level1=r.get("level1"), level2=r.get("level2"),
                                          level3=indicator_name(r.get("level3")),
                                          target=joined_value(r), actual=r.get("actual"),
                                          weight=_weight(r.get("weight")), score=_weight(r.get("score")),
                                          band=r.get("band"), reason=r.get("reason")) for r in form.indicators]
        sheet.goal = form.fields.get("goals")
        sheet.goal_actual = _goal_actual(form)
        sheet.department, sheet.implementer = form.fields.get("department"), form.fields.get("implementer")
        if cls is DepartmentEval:
            ev.department = sheet
        elif sheet.name or sheet.code:
            ev.projects.append(sheet)
    return ev


# a 自评表's 实际完成情况 beside its 预期目标 (ProjectEval.goal_actual), as forms label it
GOAL_ACTUAL = ("实际完成情况", "全年目标实际完成情况", "年度总体目标完成情况综述", "年度目标完成情况")
_SELFEVAL_KEPT = {"name", "code", "goals", "department", "implementer", "unit_name"}
# the blank form's own words left in a cell: its guidance (“说明相关任务目标的完成情况(100字以内)”) or the
# heading of a block (四川: 项目基本情况 | “1.项目年度目标完成情况”): no value
_GUIDANCE = re.compile(r"[(（]\d+字以内[)）]|^\d[.、][^，。,;；:：]{2,14}(?:情况|概述)$")


def _goal_actual(form: Form) -> str | None:
    return next((form.extra[k] for k in GOAL_ACTUAL if form.extra.get(k) and not _GUIDANCE.search(form.extra[k])),
                None)


def _not_on_selfeval(form: Form) -> list[Unplaced]:
    """What a 自评表 gave that the 自评表 workbook has no cell for (项目类别, 项目负责人 …): listed, not dropped."""
    kept = _SELFEVAL_KEPT | ({"budget", "fiscal", "other"} if form.budget_rows else set())  # the 预算执行 rows'
    taken = _goal_actual(form)
    extra = {label: v for label, v in form.extra.items() if v != taken and project_label(label)}
    return _no_cell(form, kept, extra, "的自评表", "自评表工作簿")


_OVERALL_KEPT = {"goals", "name", "unit_name"}  # what the 整体支出绩效目标表 of a unit workbook holds of a form's fields


def _not_on_overall(form: Form) -> list[Unplaced]:
    """What a 部门整体 form gave that its sheet has no cell for (广水's 资金情况, 填报人, 联系电话): listed
    for the clerk, never dropped without a word."""
    return _no_cell(form, _OVERALL_KEPT, form.extra, "的整体支出绩效目标表", "工作簿的整体支出绩效目标表")


def _no_cell(form: Form, kept: set[str], extra: dict[str, str], what: str, where: str) -> list[Unplaced]:
    """The form's fields not in ``kept`` and its ``extra`` labels, each listed: read, and ``where`` has no cell
    for it. A blank form's own guidance left in a cell (``（100字以内）``) is no value and is not listed."""
    items = [(_FIELD_NAMES.get(k, k), v) for k, v in form.fields.items() if k not in kept and v]
    items += [(label, v) for label, v in extra.items() if v]
    return [Unplaced(f"第 {form.line} 行起{what}：“{label}”读作“{value[:20]}”，{where}没有这一栏，请核对原文",
                     form.line, "field") for label, value in items if not _GUIDANCE.search(value)]


def tasks_of(form: Form, unit: str | None) -> tuple[list, list[Unplaced]]:
    """The 年度主要任务 rows (converters/tasks.py) as Tasks in 万元; a printed 合计 that is not their sum
    is listed (the tasks are kept as printed)."""
    from ..forms.model import Task

    out, notes = [], []
    for row in form.tasks:
        amounts = {}
        for key in ("budget", "fiscal", "other"):
            value, raw = money(row.get(key), form.amount_unit or unit)
            amounts[key] = value
            if raw:
                notes.append(Unplaced(f"第 {row['line']} 行年度主要任务“{row['name']}”的{_FIELD_NAMES[key]}"
                                      f"“{raw}”不是金额，未导入", row["line"], "field"))
        out.append(Task(name=row["name"], detail=row.get("detail"), **amounts))
    printed, _ = money(form.task_totals.get("budget"), form.amount_unit or unit)
    summed = sum((t.budget for t in out if t.budget is not None), Decimal(0))
    if printed is not None and out and printed != summed:
        notes.append(Unplaced(f"年度主要任务的合计 {printed} 万元与各任务预算之和 {summed} 万元不符，请核对原文",
                              out and form.tasks[-1]["line"], "field"))
    return out, notes


def tasks_beyond_the_form(book: UnitWorkbook) -> list[Unplaced]:
    """The 年度主要任务 a form's block has no row for (the national form has 10): listed, the first
    ones imported, rather than the whole import refused when the workbook is written."""
    from ..forms.layouts import forms_of

    if book.overall is None or not book.overall.tasks:
        return []
    block = next((b for b in forms_of(book).overall.blocks if b.name == "tasks"), None)
    if block is None or block.open_ended or len(book.overall.tasks) <= block.rows:
        return []
    rest = book.overall.tasks[block.rows:]
    del book.overall.tasks[block.rows:]
    names = "、".join(t.name or "" for t in rest[:5]) + ("等" if len(rest) > 5 else "")
    return [Unplaced(f"年度主要任务共 {block.rows + len(rest)} 项，工作簿的整体支出绩效目标表只有 {block.rows} 行："
                     f"后 {len(rest)} 项（{names}）未导入，请合并后填入", None, "rows")]


def list_totals_checked(doc: Document, projects: list[Project]) -> list[Unplaced]:
    """A project list's printed 合计 (converters/projectlist.py) against the sum of its rows, per column."""
    notes = []
    for line, printed, count in doc.list_totals:
        rows = projects[-count:] if count else []
        for key, text in printed.items():
            total, _ = money(text, doc.amount_unit)
            summed = sum((getattr(p, key) for p in rows if getattr(p, key) is not None), Decimal(0))
            if total is not None and rows and total != summed:
                notes.append(Unplaced(f"第 {line} 行项目清单的合计{_FIELD_NAMES[key]} {total} 万元与各项目之和 {summed} 万元"
                                      "不符，请核对原文", line, "field"))
    return notes


def _content(form: Form) -> tuple:
    """What a form says, without where it stands (lines, cells): two sheets that say the same are one."""
    def row(r: dict) -> tuple:
        return tuple(sorted((k, str(v)) for k, v in r.items() if k not in ("line", "cells", "_cols", "_told_by")))

    return (form.kind, form.scope, tuple(sorted(form.fields.items())), tuple(sorted(form.extra.items())),
            tuple((kind, tuple(sorted(values.items()))) for kind, _label, values in form.budget_rows),
            tuple(row(r) for r in form.indicators), tuple(row(r) for r in form.other_periods))


def drop_copies(doc: Document) -> list[Unplaced]:
    """A form that says exactly what an earlier one says (a sheet copied and left in, “项目1 (2)”) is
    imported once, and listed under 请核对."""
    seen: dict[tuple, int] = {}
    kept, notes = [], []
    for form in doc.forms:
        key = _content(form)
        if form.has_content() and key in seen:
            notes.append(Unplaced(f"第 {form.line} 行起的表格与第 {seen[key]} 行起的完全相同（像是复制后没有改的工作表），"
                                  "只导入了一次，请核对原文", form.line, "read"))
            continue
        seen.setdefault(key, form.line)
        kept.append(form)
    doc.forms = kept
    return notes


def build(doc: Document, cells: list[Cell]) -> tuple[UnitWorkbook, list[Unplaced], object]:
    if doc.unit_name is None:  # no 单位名称: the 实施单位 of the first form names the unit ("219001-…")
        first = next((f.fields["implementer"] for f in doc.forms if f.fields.get("implementer")), None)
        doc.unit_code, doc.unit_name = split_code(first) if first else (None, None)
    if doc.unit_name is None:  # nor an 实施单位: the cover's line above "2023 年部门预算绩效文本"
        lines: dict[int, list[Cell]] = {}
        for c in cells:
            lines.setdefault(c.line, []).append(c)
        numbers = sorted(lines)
        for before, line in zip(numbers, numbers[1:]):
            (above, *more) = lines[before]
            if not more and not above.used and re.search(r"[\u4e00-\u9fff]{2,}", above.text) and re.fullmatch(
                    r"\d{4}年部门预算绩效文本", "".join(squeeze(c.text) for c in lines[line])):
                doc.unit_name, above.used = above.text.strip(), True
                break
    unit = Unit(name=doc.unit_name, year=doc.year)
    for name, (value, cell) in footer.read(cells).items():  # 填表人: 宋云花 联系电话:… under the form
        setattr(unit, name, value)
        cell.used = True
    if doc.unit_code and re.fullmatch(r"\d{6}", doc.unit_code):
        unit.code = doc.unit_code
    elif doc.unit_code:
        unit.raw["code"] = doc.unit_code
    unplaced: list[Unplaced] = drop_copies(doc)
    projects: list[Project] = []
    made: list[Form] = []  # the forms that became projects
    overall: OverallTargets | None = None
    for form in doc.forms:
        if form.scope == "overall":
            if not (form.unit_name or form.fields or form.indicators or form.budget_rows or form.tasks):
                continue
            overall = overall or OverallTargets(name=form.unit_name or doc.unit_name,
                                                annual_goal=form.fields.get("goals"))
            overall.indicators.extend(indicator(r) for r in form.indicators)
            if form.kind == "targets":
                found, notes = tasks_of(form, doc.amount_unit)
                overall.tasks.extend(found)
                unplaced.extend(notes)
            elif form.tasks:  # a 部门整体 自评表's task table: the 自评表 workbook has no rows for it
                unplaced.append(Unplaced(f"第 {form.tasks[0]['line']} 行起 {len(form.tasks)} 项年度主要任务：自评表"
                                         "没有这一栏，未导入，请核对原文", form.tasks[0]["line"], "rows"))
            unplaced.extend(_not_on_overall(form) if form.kind == "targets" else _not_on_selfeval(form))
            continue
        if not (form.fields.get("name") or form.fields.get("code")):
            if form.indicators:
                unplaced.append(Unplaced(f"第 {form.indicators[0]['line']} 行起 {len(form.indicators)} 个指标行"
                                         f"没有项目名称、编码或预算，未导入", form.indicators[0]["line"], "rows"))
            continue
        projects.append(project(form, doc.amount_unit))
        made.append(form)
        if form.kind == "selfeval":
            unplaced.extend(_not_on_selfeval(form))
        if form.other_periods and PERIOD_FIELDS["中期"]["indicators"] is None:  # only if the mapping drops them
            unplaced.append(Unplaced(f"第 {form.other_periods[0]['line']} 行起 {len(form.other_periods)} 个中期指标行："
                                     f"当前工作簿只有年度指标，未导入", form.other_periods[0]["line"], "period"))
    if unit.name is None and overall is not None:
        unit.name = overall.name
    seen: set[int] = set()
    used_lines = {c.line for c in cells if c.used}
    for c in cells:
        if c.line in used_lines or c.line in seen:
            continue
        seen.add(c.line)
        text = " ".join(x.text for x in cells if x.line == c.line)
        unplaced.append(Unplaced(f"第 {c.line} 行未能识别：{text[:40]}", c.line))
    left: dict[int, list[str]] = {}
    targets_only = all(f.kind == "targets" for f in doc.forms)  # a 自评表's money rows are read apart (.selfeval_docx)
    for c in cells:  # a table's cell left on a row whose other cells were placed (东莞's cut 可持续影响 row)
        if targets_only and c.tabled and not c.used and c.text.strip() and c.line in used_lines:
            left.setdefault(c.line, []).append(c.text.strip())
    unplaced.extend(Unplaced(f"第 {line} 行有内容未能识别：{' '.join(texts)[:40]}", line) for line, texts in left.items())
    unplaced.extend(list_totals_checked(doc, projects))
    book = UnitWorkbook(profile="national", milestones=["3月底", "6月底", "10月底", "12月底"], unit=unit,
                        projects=projects, overall=overall)
    own = profile_by_title(made)
    if any(has_mid(p) for p in projects) or (overall is not None and overall.tasks):
        # a 中期 part or 年度主要任务: the national 申报表, which has their cells
        book.forms = national_forms()
        for p in projects:
            to_national(p)
        unplaced.extend(tasks_beyond_the_form(book))
    elif own is not None and overall is None:  # a province's own project form, named by the document's title
        onto_profile(book, own)
    doc.dropped.extend(beyond_the_form(book, [(f, p) for f, p in zip(made, projects) if f.kind == "targets"],
                                       [f for f in doc.forms if f.scope == "overall" and f.kind == "targets"]))
    from .dropped import messages
    unplaced.extend(Unplaced(text, line, "column") for text, line in messages(doc.dropped, has_remark(book)))
    unplaced.extend(Unplaced(text, line, "read") for line, text in doc.readings)
    unplaced.extend(Unplaced(text, line, "field") for line, text in doc.refused)
    unplaced.sort(key=lambda u: u.line or 0)
    return book, unplaced, selfeval_of(doc, doc.forms, unit)


def tables_in(text: str) -> int:
    """How many tables a text holds by its shape alone (runs of lines of several cells)."""
    from .shapes import split_line

    count, inside = 0, False
    for line in text.splitlines():
        row = ("|" in line or "\t" in line) and split_line(line)[1]
        if row and not inside:
            count += 1
        inside = bool(row) or (inside and not line.strip())
    return count


#: characters of the forms' labels written differently in 繁体字, and as 简体字 (績效 / 绩效, 項目 / 项目, 指標 / 指标)
_TRADITIONAL, _SIMPLIFIED = "績項標預數資額財實際單產質時經濟會態續響滿務對設劃達與為", "绩项标预数资额财实际单产质时经济会态续响满务对设划达与为"


def traditional(text: str) -> bool:
    """Whether a text is in 繁体字 (a mirror site's conversion): jixiao reads the forms' labels in 简体字."""
    trad = sum(text.count(ch) for ch in _TRADITIONAL)
    return trad >= 5 and trad > 3 * sum(text.count(ch) for ch in _SIMPLIFIED)


def nothing_found(doc: Document, tables: int = 0, text: str = "") -> str:
    """The JX-D03 message: what was looked for, and what was found (and that the text is in 繁体字)."""
    if traditional(text):
        return ("这份文档是繁体字（如“績效”“項目”“指標”），jixiao 按简体字的表头识别表格，没有找到项目名称或指标表："
                "请先在 Word 或 WPS 中“审阅 → 简繁转换 → 繁转简”，另存后再导入")
    found = []
    if max(tables, doc.tables):
        found.append(f"{max(tables, doc.tables)} 个表格")
    titles = doc.found.count("表题")
    if titles:
        found.append(f"{titles} 个表题")
    what = f"找到 {'、'.join(found)}，但" if found else "没有找到表格，也"
    return (f"这不是部门预算绩效文本：{what}没有找到项目名称或指标表"
            f"（查找的是“项目名称/项目支出名称…”“一级指标/三级指标/指标值…”等表头，以及“…绩效目标表”“…自评表”表题）")


def import_wild(text: str):
    """Any published form as text → (book, unplaced, self-evaluation or None). Raises JX-D03 only
    when nothing at all was recognised."""
    from .docx import NotAPerformanceText

    cells = cells_of(text, L.split_run_together)
    doc = recognise(cells)
    if doc.year is None:  # the budget year: the title's, else the first "YYYY年" (as the seed reader does)
        m = re.search(r"(20\d\d)\s*年", text)
        doc.year = int(m.group(1)) if m else None
    book, unplaced, ev = build(doc, cells)
    report = report_title(text)
    if report and not (book.projects or book.overall is not None or holds_selfeval(ev)):
        raise NotAPerformanceText(
            f"这是绩效自评报告（“{report}”），不是绩效目标表或自评表，不能导入为工作簿：报告中的指标、得分来自自评表，"
            "请导入自评表（Word / PDF），或直接使用自评表工作簿")
    anything = book.projects or book.overall is not None or any(f.indicators or f.budget_rows for f in doc.forms)
    if not anything:
        raise NotAPerformanceText(nothing_found(doc, tables_in(text), text))
    if book.projects and book.overall is None and not holds_selfeval(ev) and not any(
            p.budget is not None or _filled(p.goals) or any(_filled(i.value_text) for i in p.indicators)
            for p in book.projects):
        # 佳县's blank 申报表: labels only, each "value" the next label or a checkbox (项目名称 “□”)
        raise NotAPerformanceText("这是空白的表样：只有表头和栏目，没有填写的金额、目标或指标值，没有可导入的项目；"
                                  "请导入填好的绩效目标表或自评表")
    return book, unplaced, ev


def _filled(text: str | None) -> bool:
    """Whether a cell holds something, not a blank form's placeholder (``……``, ``**``, ``□``)."""
    return bool(re.sub(r"[\s.…·*＊□☐■√☑✓✔_-]+", "", text or ""))


_REPORT_TITLE = re.compile(r"(?:20\d\d年度?)?[^，。：:]{0,40}?(?:绩效自评报告|绩效评价报告|自评报告)")


def report_title(text: str) -> str | None:
    """The title of a 绩效自评报告 (a written report: 鹿泉's, or ``jixiao export`` of a 自评表), if the
    document opens with one: among its first lines, a whole line, not a phrase in prose."""
    lines = [squeeze(line) for line in text.splitlines() if line.strip()][:6]
    return next((line for line in lines if _REPORT_TITLE.fullmatch(line)), None)


def holds_selfeval(ev) -> bool:
    """Whether a self-evaluation read from a document holds anything for a 自评表 workbook."""
    return ev is not None and bool(ev.projects or ev.department.indicators or ev.department.initial_total is not None)


def own_scores_checked(ev) -> list[str]:
    """The document's own 得分 against jixiao's scoring rules (``jixiao score``): one line per row whose
    printed 得分 differs from what the rules give for its target and actual (rows the rules cannot
    score — 未评 — are left to ``jixiao score``)."""
    from ..selfeval.grading import score

    report = score(ev)
    out = []
    for sheet in (report.department, *report.projects):
        for row in sheet.rows:
            printed = row.indicator.score
            if printed is None or row.pending is not None or not row.computed:
                continue
            if abs(printed - row.score) > Decimal("0.01"):
                out.append(f"“{row.indicator.level3}”：文档得分 {printed}，按年度指标值 {row.indicator.target} 与"
                           f"实际完成值 {row.indicator.actual} 计算应得 {row.score:.2f}")
    return out
