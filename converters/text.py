"""Import a 绩效文本 from text as PDF-to-text tools produce it.

Two shapes occur (the shared seeds): Markdown with pipe tables and ``<br>``
inside cells (000, 003), and tab-separated cells, one per line, rows separated
by blank lines, with Word field codes such as ``TC … \\f A \\l 1`` (001). Both are
turned into one stream of *blocks* — paragraphs and tables of cells — and read
by labels (项目编码, 预算数, 3月底 …), never by fixed positions.

Inferences, each stated where it is made: a unit's 地区编码 is taken from its
first 21-character project code when the text gives none; the budget year from
the title (or the first "YYYY年"); the profile from the form (an overall form →
hunan; four plan columns → national; else hebei).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from ..forms.model import DepartmentTargets, Indicator, Measure, OverallTargets, Project, SubTarget, Unit, UnitWorkbook
from ..forms.values import parse_decimal, squeeze
from .shapes import contents_rows

_FIELD_CODE = re.compile(r"\s*TC\s.*?\\f\s+\w\s+\\l\s+\d+\s*$")
_ITEM = re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]\s*")
_STRICT = re.compile(r"^(\d{6})\d{2}[A-Z]\d{12}$")


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)
    line: int = 0


def _cell(text: str) -> str:
    return text.strip().replace("<br>", "\n").replace("<br/>", "\n")


def blocks(text: str) -> list[Any]:
    """Paragraphs (``str``) and tables (:class:`Table`) in document order."""
    out: list[Any] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("|"):
            table = Table(line=i + 1)
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = [_cell(c) for c in lines[i].strip().strip("|").split("|")]
                # a Markdown rule (|---|:--:|), not a row whose cells are all empty (an empty 计划 row)
                if not (all(re.fullmatch(r":?-*:?", c) for c in cells) and any("-" in c for c in cells)):
                    table.rows.append(cells)
                i += 1
            out.append(table)
            continue
        if line.startswith("\t"):
            table = Table(line=i + 1)
            row: list[str] = []
            blank_run = 0
            while i < len(lines):
                current = lines[i]
                if current.startswith("\t"):
                    if blank_run and row:
                        table.rows.append(row)
                        row = []
                    row.append(current[1:].strip())
                    blank_run = 0
                elif not current.strip():
                    blank_run += 1
                    if blank_run >= 3 and row:  # the end of a table
                        break
                elif (row or table.rows) and blank_run <= 1 and not _FIELD_CODE.search(current):
                    # text between tab rows (after at most one blank line) continues the last cell;
                    # a heading (two blank lines, or a Word TC field) ends the table
                    target = row if row else table.rows[-1]
                    target[-1] = (target[-1] + "\n" * (blank_run + 1) + current.strip()) if target[-1] \
                        else current.strip()
                    blank_run = 0
                else:
                    break
                i += 1
            if row:
                table.rows.append(row)
            out.append(table)
            continue
        stripped = _FIELD_CODE.sub("", line.strip().lstrip("#").strip())
        if stripped:
            out.append(stripped)
        i += 1
    return out


def same_label(text: str | None, label: str) -> bool:
    """A label as printed, tolerating spaces, line breaks and one OCR slip (顶目编码 for 项目编码)."""
    a, b = squeeze(text), squeeze(label)
    if a == b:
        return True
    if not a or abs(len(a) - len(b)) > 1:
        return False
    if len(b) <= 4:
        return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 1 and len(b) >= 3
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def best_label(text: str | None, labels: tuple[str, ...]) -> str | None:
    """Which of ``labels`` a cell is: an exact one first, else the closest that :func:`same_label` admits."""
    a = squeeze(text)
    for label in labels:
        if a == squeeze(label):
            return label
    close = [label for label in labels if same_label(a, label)]
    return max(close, key=lambda lab: difflib.SequenceMatcher(None, a, squeeze(lab)).ratio()) if close else None


def _has(row: list[str], label: str) -> bool:
    return any(same_label(c, label) for c in row)


def _after(row: list[str], label: str) -> str | None:
    """The first non-empty cell after the cell holding ``label`` (labels compared without spaces)."""
    for j, cell in enumerate(row):
        if same_label(cell, label):
            for later in row[j + 1:]:
                if any(same_label(later, lab) for lab in _LABELS):
                    return None  # the next label: this one's value was left empty (项目编码 of a new project)
                if later.strip():
                    return later
            return None
    return None


_LABELS = ("项目编码", "项目名称", "预算数", "其中：财政资金", "其他资金", "绩效目标")


def _values(row: list[str]) -> list[str]:
    return [c for c in row if c.strip()]


def _project(table: Table, unplaced: list[str]) -> tuple[Project, list[str]]:
    p = Project()
    milestones: list[str] = []
    rows = table.rows
    i = 0
    while i < len(rows):
        row = rows[i]
        keys = [squeeze(c) for c in row]
        if _has(row, "项目编码"):
            p.code, p.name = _after(row, "项目编码"), _after(row, "项目名称")
        elif _has(row, "预算数"):
            raw = {"budget": _after(row, "预算数"), "fiscal": _after(row, "其中：财政资金"),
                   "other": _after(row, "其他资金")}
            for name, text in raw.items():
                value = parse_decimal(text) if text else None
                setattr(p, name, value)
                if text and value is None:
                    p.raw[name] = text
            if i + 1 < len(rows) and not any("月底" in c for c in rows[i + 1]):
                p.purpose = (_values(rows[i + 1]) or [None])[0]
                i += 1
        elif any(re.fullmatch(r"\d+月底", k) for k in keys):
            milestones = [k for k in keys if re.fullmatch(r"\d+月底", k)]
            values = _values(rows[i + 1]) if i + 1 < len(rows) else []
            for m, v in zip(milestones, values):
                p.plan[m] = parse_decimal(v, percent_sign=True)
            for m in milestones[len(values):]:
                p.plan[m] = None
            i += 1
        elif keys and same_label(keys[0], "绩效目标"):
            p.goals = _after(row, "绩效目标")
        elif keys and same_label(keys[0], "一级指标"):
            for data in rows[i + 1:]:
                cells = (data + [""] * 6)[:6]
                if not any(c.strip() for c in cells):
                    continue
                p.indicators.append(Indicator(**{name: (c or None) for name, c in zip(
                    ("level1", "level2", "level3", "description", "value_text", "basis"), cells)}))
            break
        elif any(c.strip() for c in row) and not any(re.match(r"^\d{6}\s*\D|^单位[:：]", c) for c in row):
            unplaced.append(f"第 {table.line} 行附近的表格行未能识别：{' | '.join(_values(row))[:60]}")
        i += 1
    return p, milestones


_OVERALL_COLUMNS = ("level1", "level2", "level3", "value_type", "value_text", "measure_unit", "explanation",
                    "scoring", "remark")


def _overall(table: Table) -> tuple[OverallTargets, dict[str, str]]:
    o = OverallTargets()
    footer: dict[str, str] = {}
    in_rows = False
    for row in table.rows:
        first = squeeze(row[0]) if row else ""
        label = best_label(first, ("部门(单位)名称", "部门(单位)职责", "年度履职目标"))
        if label == "部门(单位)名称":
            o.name = (_values(row[1:]) or [None])[0]
        elif label == "部门(单位)职责":
            o.duties = (_values(row[1:]) or [None])[0]
        elif label == "年度履职目标":
            o.annual_goal = (_values(row[1:]) or [None])[0]
        elif same_label(first, "绩效指标") and _has(row, "一级指标"):
            in_rows = True
        elif first.startswith("业务股室审核") or first.startswith("填表人"):
            in_rows = False  # the footer: labels, each followed by its value
            for label, name in (("业务股室审核", "business_review"), ("绩效股审核", "performance_review"),
                                ("填表人", "filler"), ("联系电话", "phone"), ("填表日期", "fill_date"),
                                ("单位负责人", "head")):
                keys = [squeeze(c).rstrip(":：") for c in row]
                if label in keys:
                    j = keys.index(label)
                    value = row[j + 1].strip() if j + 1 < len(row) else ""
                    footer[name] = "" if value.endswith((":", "：")) else value
        elif in_rows:
            cells = (row[1:] + [""] * 9)[:9]
            if any(c.strip() for c in cells):
                o.indicators.append(Indicator(**{n: (c or None) for n, c in zip(_OVERALL_COLUMNS, cells)}))
    return o, footer


def _department(paragraphs: list[str]) -> DepartmentTargets:
    dept = DepartmentTargets()
    section, current, last_field = None, None, None
    for text in paragraphs:
        key = squeeze(text)
        if key.startswith("一、总体绩效目标"):
            section = "goal"
        elif key.startswith("二、分项绩效目标"):
            section, current = "sub", None
        elif key.startswith("三、工作保障措施"):
            section, current = "measure", None
        elif key.startswith("第二部分") or re.match(r"^\d+[.、]", key) and key.endswith("绩效目标表") \
                or key.startswith("部门(单位)整体支出绩效目标表"):
            section = None
        elif section == "goal":
            dept.overall_goal = text if dept.overall_goal is None else dept.overall_goal + "\n" + text
        elif section == "sub":
            m = re.match(r"^\s*(绩效目标|绩效指标)\s*[:：]\s*", text)
            if _ITEM.match(text):
                current = SubTarget(title=_ITEM.sub("", text) or None)
                dept.sub_targets.append(current)
            elif m and current is not None:
                last_field = "goal" if m.group(1) == "绩效目标" else "indicators"
                setattr(current, last_field, text[m.end():] or None)
            elif current is not None and last_field:  # a paragraph broken by a page break
                setattr(current, last_field, (getattr(current, last_field) or "") + "\n" + text)
            else:
                current = SubTarget(goal=text)
                dept.sub_targets.append(current)
                current, last_field = None, None
        elif section == "measure":
            if _ITEM.match(text):
                current = Measure(title=_ITEM.sub("", text) or None)
                dept.measures.append(current)
            elif current is not None:
                current.text = text if current.text is None else current.text + "\n" + text
            else:
                dept.measures.append(Measure(text=text))
    return dept


def import_text(text: str) -> tuple[UnitWorkbook, list[str]]:
    """A published form from text; returns the model and what could not be placed (with line numbers).

    The county 绩效文本 (the seeds' shape) is read exactly by :func:`import_seed_text`; anything else goes
    to the structural importer (:mod:`.recognise`), which imports what it recognises."""
    result = read_text(text)
    return result.book, result.unplaced


def selfeval_titled(text: str) -> bool:
    """Whether a line of ``text`` is a 自评表's title (“部门整体支出绩效自评表”), not a 目录 line or a table row."""
    from . import labels as L
    from .recognise import _TITLE, _note, nfkc
    from .shapes import TOC_LINE

    patterns = L.data()["titles"]["selfeval"]
    for line in text.splitlines():
        t = squeeze(nfkc(line))
        found = _TITLE.search(t)
        if found and not t.startswith("|") and len(t) <= 60 and not TOC_LINE.search(t) \
                and any(re.search(p, t) for p in patterns) and not _note(t, found.start()):
            return True
    return False


def read_text(text: str):
    """:func:`import_text` with the self-evaluation too (a :class:`jixiao.converters.Imported`); text made
    from a document (a :class:`.where.Derived`) has its list say where in the document each line is."""
    from .where import placed

    return placed(_read_text(text), text)


def _read_text(text: str):
    from .build import Imported, Unplaced, import_wild
    from .docx import NotAPerformanceText
    if selfeval_titled(text):
        # a 自评表 (jixiao's own, printed; or a province's): the seed reader knows only 目标表 and took
        # the printed 单位信息 page's 单位编码 for a 绩效文本's, so a 自评表 came back as a unit workbook
        book, unplaced, ev = import_wild(text)
        return Imported(book, unplaced, ev)
    try:
        book, unplaced = import_seed_text(text)
    except NotAPerformanceText:
        book, unplaced, ev = import_wild(text)
        return Imported(book, unplaced, ev)
    seed = Imported(book, [Unplaced(u, kind="line" if "未能识别" in u else "table") for u in unplaced], None)
    if seed.incomplete:
        # a 项目编码 table the county shape does not know (实施单位, 中期资金总额 …): the structural reader
        # may place more; the reading that leaves fewer things unplaced is taken, the county one on a tie
        try:
            wild = Imported(*import_wild(text))
        except NotAPerformanceText:
            return seed
        if len(wild.incomplete) < len(seed.incomplete):
            return wild
    return seed


def import_seed_text(text: str) -> tuple[UnitWorkbook, list[str]]:
    """A 绩效文本 of the seeds' shape (Markdown or tab-separated; 项目编码 tables)."""
    from .docx import NotAPerformanceText

    items = blocks(text)
    paragraphs = [b for b in items if isinstance(b, str)]
    unplaced: list[str] = []
    unit = Unit()
    projects: list[Project] = []
    overall = None
    milestones: list[str] = []
    for b in items:
        if isinstance(b, str):
            m = re.match(r"^(\d{6})\s*(\S.*)$", b)
            if m and unit.code is None and not b.startswith("20"):
                unit.code, unit.name = m.group(1), m.group(2).strip()
            m = re.match(r"^\s*(\d{4})\s*[）)]?\s*年", b)
            if m and unit.year is None:
                unit.year = int(m.group(1))
            for label, name in (("填表人", "filler"), ("联系电话", "phone"), ("填表日期", "fill_date"),
                                ("单位负责人", "head")):
                m = re.search(rf"{label}\s*[:：]\s*(\S+)", b)
                if m:
                    setattr(unit, name, m.group(1))
            continue
        heads = {squeeze(c) for row in b.rows[:3] for c in row}
        unit_row = next((r for r in b.rows[:2] if len(_values(r)) <= 2
                         and any(re.match(r"^\d{6}\s*\D", c) for c in r)), None)
        if unit_row and unit.code is None:
            cell = next(c for c in unit_row if re.match(r"^\d{6}\s*\D", c))
            m = re.match(r"^(\d{6})\s*(\S.*)$", cell)
            unit.code, unit.name = m.group(1), m.group(2).strip()
        if any(_has(row, "项目编码") for row in b.rows):
            project, ms = _project(b, unplaced)
            projects.append(project)
            milestones = ms or milestones
        elif any(same_label(h, "部门(单位)名称") for h in heads):
            overall, footer = _overall(b)
            for name, value in footer.items():
                setattr(unit, name, value or None)
        elif not (unit_row and len(b.rows) <= 2) and not contents_rows(b.rows):  # a 目录 is no loss
            unplaced.append(f"第 {b.line} 行的表格不是绩效目标表，未导入")
    if not projects and overall is None and not any(squeeze(p).startswith("一、总体绩效目标") for p in paragraphs):
        raise NotAPerformanceText("这不是部门预算绩效文本：没有找到“项目绩效目标表”或“部门整体绩效目标”")
    if unit.year is None:
        m = re.search(r"(\d{4})\s*年", text)
        unit.year = int(m.group(1)) if m else None
    if overall is not None and unit.name is None:
        unit.name = overall.name
    if unit.name is None:  # no 单位编码 to print it beside: the cover's line above "2021 年部门预算绩效文本"
        cover = next((k for k, p in enumerate(paragraphs) if re.match(r"^\s*\d{4}\s*年部门预算绩效文本", p)), None)
        if cover and not re.match(r"^(第.部分|目\s*录)", paragraphs[cover - 1]):
            unit.name = paragraphs[cover - 1].strip()
    codes = [squeeze(p.code) for p in projects if p.code]
    strict = [c for c in codes if _STRICT.match(c)]
    if unit.region_code is None and strict:
        unit.region_code = strict[0][:6]  # inferred: the text gives no 地区编码
    if overall is not None:
        profile, milestones = "hunan", milestones or ["3月底", "6月底", "10月底", "12月底"]
    elif len(milestones) == 4:
        profile = "national"
    else:
        profile, milestones = "hebei", milestones or ["3月底", "6月底", "10月底"]
    for p in projects:
        p.plan = {m: p.plan.get(m) for m in milestones}
    dept = _department(paragraphs)
    return UnitWorkbook(profile=profile, milestones=milestones, unit=unit, department=dept, projects=projects,
                        overall=overall), unplaced
