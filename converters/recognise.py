"""Cells → form parts: recognise target and self-evaluation forms by their labels and structure.

One pass over the cell stream (:mod:`.shapes`). A *title* (``…绩效目标表``, ``…绩效自评表``) opens a
form; a *label* followed by a non-label is a field and its value (``项目名称 | 工资性支出``); a run of
labels that names indicator or budget columns is a table header, and the cells after it are read
as rows by what each column accepts (a 一级 name, an operator, a number, free text), so merged cells
that a web page or a PDF dropped do not shift the others. Everything not placed is left ``used =
False`` and listed by line. Which label names which field is data (``labels.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..forms.values import nfkc, squeeze
from . import dropped, indicators, lines, projectlist, stacked, tasks
from . import labels as L
from .cellkinds import NUMBERISH, hits_of, join_split_labels, levels, money_field
from .indicators import PROJECT_COLUMNS
from .readings import anchored_like, anchored_on_rate, solve_glued, split_code
from .shapes import TOC_LINE, Cell

_TITLE = re.compile(r"(绩效目标(?:申报|审批|批复)?表|绩效自评表|自评表)")
_AMOUNT_UNIT = re.compile(r"(?:金额)?单位[:：]\s*(万元|元)")



@dataclass
class Form:
    kind: str = "targets"  # targets | selfeval
    scope: str = "project"  # project | overall
    line: int = 0
    title: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # model field → text as printed
    extra: dict[str, str] = field(default_factory=dict)  # label → text (no model field)
    lines: dict[str, int] = field(default_factory=dict)  # field or extra label → the line its label is on
    labels: dict[str, str] = field(default_factory=dict)  # field → the label it was read under
    amount_unit: str | None = None  # 万元 / 元, where the form says
    indicators: list[dict] = field(default_factory=list)
    other_periods: list[dict] = field(default_factory=list)  # 中期 rows: Project.mid_indicators (build.PERIOD_FIELDS)
    budget_columns: list[str] = field(default_factory=list)
    budget_rows: list[tuple[str, str, dict]] = field(default_factory=list)  # (kind, label, column → text)
    totals: dict[str, str] = field(default_factory=dict)
    unit_name: str | None = None
    unit_code: str | None = None
    classified: bool = False
    name_from_title: bool = False  # "1.维稳经费绩效目标表": a 项目名称 label overrides it
    tasks: list[dict] = field(default_factory=list)  # 年度主要任务 rows (.tasks): field → text
    task_totals: dict[str, str] = field(default_factory=dict)  # their 合计 row, as printed

    def has_content(self) -> bool:
        return bool(self.fields or self.indicators or self.budget_rows or self.other_periods or self.tasks)


@dataclass
class Document:
    forms: list[Form] = field(default_factory=list)
    unit_name: str | None = None
    unit_code: str | None = None
    department: str | None = None
    department_code: str | None = None
    amount_unit: str | None = None
    year: int | None = None
    tables: int = 0  # table headers seen
    found: list[str] = field(default_factory=list)  # what was recognised, for the JX-D03 message
    dropped: list[tuple[str, int | None, str]] = field(default_factory=list)  # (column, line, text): .dropped
    notes: list[tuple[int, str]] = field(default_factory=list)  # 注 / 说明 lines (.lines)
    readings: list[tuple[int, str]] = field(default_factory=list)  # values read otherwise than printed: line, note
    refused: list[tuple[int | None, str]] = field(default_factory=list)  # cells read and not taken: line, why
    list_totals: list[tuple[int, dict, int]] = field(default_factory=list)  # a list's 合计: line, printed, projects


class Reader:
    def __init__(self, cells: list[Cell]):
        join_split_labels(cells)
        self.cells = cells
        self.doc = Document()
        self.form: Form | None = None
        self.money_columns: dict[int, str] = {}  # the national 项目资金 block: column → 中期资金总额 / 年度资金总额
        self.note_lines = lines.note_lines(cells)  # 注 / 说明 lines end a table (.lines)

    # --- forms ----------------------------------------------------------------------------
    def current(self) -> Form:
        if self.form is None:
            self.form = Form(line=self.cells[0].line if self.cells else 0)
            self.doc.forms.append(self.form)
        return self.form

    def new_form(self, line: int, kind: str | None = None, scope: str | None = None) -> Form:
        old = self.form
        self.form = Form(line=line, kind=kind or (old.kind if old else "targets"),
                         scope=scope or (old.scope if old else "project"))
        if old is not None:
            self.form.unit_name, self.form.unit_code = old.unit_name, old.unit_code
            self.form.amount_unit = old.amount_unit
        self.doc.forms.append(self.form)
        return self.form

    def title(self, cell: Cell) -> bool:
        t = squeeze(nfkc(cell.text))
        found = _TITLE.search(t)
        if len(t) > 60 or not found or TOC_LINE.search(t) or _note(t, found.start()):
            # a 目录 line ("1.维稳经费绩效目标表……3") names a form, it does not begin one; nor does a
            # note ("（…实际完成值请填在“部门整体支出绩效自评表”）"): taken for a title, it opened an
            # empty 部门整体 form that replaced the real one
            return False
        kinds = L.data()["titles"]
        kind = "selfeval" if any(re.search(p, t) for p in kinds["selfeval"]) else "targets"
        scope = "overall" if any(re.search(p, t) for p in kinds["overall"]) else "project"
        m = re.match(r"^\d+[.、．]\s*(.+?)(?:项目)?绩效目标表$", t)  # "1.维稳经费绩效目标表": the name is in the title
        form = self.form
        # the form's own title under the document's heading ("1.雾炮车…绩效目标表", then 项目支出绩效目标申报表(2023年度)):
        # one form, not an empty one named by the heading and a nameless one holding the table
        titled_only = form is not None and form.name_from_title and set(form.fields) == {"name"} \
            and not (form.indicators or form.budget_rows or form.other_periods) and m is None
        if form is None or (form.has_content() and not titled_only):
            self.new_form(cell.line, kind, scope)
        else:
            self.form.kind, self.form.scope = kind, scope
        self.form.title = t
        if m and "name" not in self.form.fields:
            self.form.fields["name"] = m.group(1)
            self.form.name_from_title = True
        m = re.search(r"(20\d\d)\s*年", t)
        if m and self.doc.year is None:
            self.doc.year = int(m.group(1))
        cell.used = True
        self.doc.found.append("表题")
        return True

    # --- the pass -------------------------------------------------------------------------
    def run(self) -> Document:
        cells = self.cells
        i = 0
        while i < len(cells):
            c = cells[i]
            if not c.text:
                i += 1
                continue
            kind = lines.kind_at(cells, i)
            if kind:  # 注：… under a table, （2025年度） under the title
                i = lines.take(self, i, kind)
                continue
            if self.title(c):
                i += 1
                continue
            if tasks.starts(self, i):  # 年度主要任务 of a 部门整体 form
                i = tasks.read(self, i)
                continue
            m = _AMOUNT_UNIT.search(nfkc(c.text))
            if m and len(squeeze(c.text)) <= 14:
                self.current().amount_unit = self.doc.amount_unit = m.group(1)
                c.used = True
                i += 1
                continue
            m = re.fullmatch(r"(\d{6})", squeeze(c.text))
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            if m and self.doc.unit_code is None and nxt is not None and nxt.line == c.line \
                    and re.search(r"[\u4e00-\u9fff]", nxt.text) and not hits_of(nxt):
                self.doc.unit_code, self.doc.unit_name = m.group(1), nxt.text.strip()  # "154001 某县信访局本级"
                c.used = nxt.used = True
                i += 2
                continue
            if squeeze(c.text) == "涉密":
                self.current().classified = True
                c.used = True
                i += 1
                continue
            lv = levels(c.text)[0]
            if "level1" in lv and i + 1 < len(cells) and "level2" in levels(cells[i + 1].text)[0]:
                # indicator rows with no header (the header was cut off): the usual columns
                self.doc.found.append("指标行")
                i = indicators.read(self, list(L.data()["defaults"]["columns"]),
                                         [1] * len(L.data()["defaults"]["columns"]), i, L.data()["periods"]["model"])
                continue
            run = self.label_run(i)
            if not run:
                if self.inline(c):
                    c.used = True
                i += 1
                continue
            if projectlist.is_list_header(self, run):
                i = projectlist.read(self, run)
                continue
            if self.is_header(run):
                i = self.table(run)
                continue
            i = self.fields(run)
        return self.doc

    def label_run(self, i: int) -> list[tuple[Cell, tuple[L.Hit, ...]]]:
        run = []
        while i < len(self.cells):
            c = self.cells[i]
            if run and self.title_like(c):
                break
            hits = hits_of(c)
            if not c.text and run:
                if c.row == run[-1][0].row:  # a blank header cell (三级指标 merged over two columns) keeps its place
                    run.append((c, ()))
                i += 1
                continue
            if not hits or (run and {h.group for h in hits} & {"level1", "level2"}):
                break  # a 一级/二级 name is data, never a column label
            if run and c.row != run[-1][0].row and any(h.group == "furniture" and h.field == "block" for h in hits) \
                    and any(h.group == "indicator" for _, hs in run for h in hs):
                break  # 年度绩效指标 under the 中期 table's header (its rows left blank): the next table
            if run and any(h.group == "selfeval" and h.field.startswith("row_") for h in hits) \
                    and not any(h.group == "project" and h.field == "name" for h in hits) \
                    and not (c.row == run[-1][0].row and (list_header(run) or money_field(run[-1][1]))):
                break  # the first row's label (总额) ends the budget header; not 资金总额 beside 项目名称 (a list)
            run.append((c, hits))
            i += 1
        while run and not run[-1][0].text:
            run.pop()
        return run

    def title_like(self, c: Cell) -> bool:
        t = squeeze(c.text)
        return len(t) <= 60 and bool(_TITLE.search(t))

    @staticmethod
    def _groups(hits) -> set[str]:
        return {h.group for h in hits}

    def is_header(self, run) -> bool:
        ind = sum(1 for _, hs in run if any(h.group == "indicator" and h.field in ("level1", "level2", "level3",
                                                                                 "value_text", "value_type")
                                            for h in hs))
        bud = sum(1 for _, hs in run if any(h.group == "selfeval" and h.field in ("initial", "full", "executed")
                                            for h in hs))
        return ind >= 2 or bud >= 2

    # --- fields ---------------------------------------------------------------------------
    def inline(self, c: Cell) -> bool:
        """``预算单位:东莞市交通运输局``: a label and its value in one cell."""
        m = re.match(r"^([^:：]{2,14})[:：]\s*(\S.*)$", nfkc(c.text).strip(), re.S)
        if not m:
            return False
        hits = L.lookup(m.group(1))
        if not hits:
            return False
        self.assign(hits, m.group(2).strip(), c)
        return True

    def fields(self, run) -> int:
        """A run of field labels and the values after it, paired from the end (a vertical label first)."""
        run = [(c, hits) for c, hits in run if c.text]  # a blank cell kept for a header's columns pairs nothing
        j = self.cells.index(run[-1][0]) + 1
        run = self.money_heads(run)
        if not run:
            return j
        resume = self.money_row(run)
        if resume is None:
            resume = stacked.money_over_amounts(self, run)
        if resume is not None:
            return resume
        values: list[Cell] = []
        while j < len(self.cells) and not hits_of(self.cells[j]) and not self.title_like(self.cells[j]) \
                and len(values) < len(run):
            if not self.cells[j].text:
                j += 1
                continue
            if _AMOUNT_UNIT.search(nfkc(self.cells[j].text)) and len(squeeze(self.cells[j].text)) <= 14:
                break
            values.append(self.cells[j])
            j += 1
        labels = run[len(run) - len(values):] if values else []
        more: list[Cell] = []
        if values and values[-1].spaced and _prose(values[-1].text):
            # a line without separators cut at its spaces: the last value's text goes on in the cells after it
            # (乌海's 年度目标 “…达成以下目标: 目标1:… 目标2:…”) up to the next label
            while j < len(self.cells) and self.cells[j].row == values[-1].row and self.cells[j].text \
                    and not hits_of(self.cells[j]) and not self.title_like(self.cells[j]):
                more.append(self.cells[j])
                j += 1
        for c, hits in run:
            c.used = True
            for h in hits:
                if h.suffix in ("万元", "元"):
                    self.current().amount_unit = h.suffix
        for (c, hits), v in zip(labels, values):
            if any(h.group == "furniture" for h in hits) and v.line != c.line:
                continue  # a footer label's value is on its line or it is empty
            v.used = True
            text = v.text
            if v is values[-1] and more:
                text = " ".join([text, *(m.text for m in more)])
                for m in more:
                    m.used = True
            if any(h.field == "budget_breakdown" for h in hits) and j + 1 < len(self.cells) \
                    and squeeze(self.cells[j].text) == "合计":
                text += "合计" + self.cells[j + 1].text  # the breakdown's total row belongs to it
                self.cells[j].used = self.cells[j + 1].used = True
                j += 2
            self.assign(hits, text, c)
        return j

    def column(self, cell: Cell) -> int:
        """Where a cell stands in its row (a table's blank cells keep their places)."""
        k = n = self.cells.index(cell)
        while n > 0 and self.cells[n - 1].row == cell.row:
            n -= 1
        return k - n

    def row_cells(self, cell: Cell) -> list[Cell]:
        k = self.cells.index(cell)
        lo, hi = k, k
        while lo > 0 and self.cells[lo - 1].row == cell.row:
            lo -= 1
        while hi + 1 < len(self.cells) and self.cells[hi + 1].row == cell.row:
            hi += 1
        return self.cells[lo:hi + 1]

    def money_heads(self, run) -> list:
        """The national 项目资金 block: a row of labels where 中期资金总额 and 年度资金总额 head two
        columns. Remembers the columns (see :meth:`money_row`); returns the run without those labels."""
        heads: list[Cell] = []
        for c, hits in run:
            if money_field(hits) in ("budget", "budget_midterm") and c not in heads:
                row = [x for x in self.row_cells(c) if x.text]
                found = {money_field(hits_of(x)) for x in row}
                if {"budget", "budget_midterm"} <= found and all(hits_of(x) for x in row):
                    cols = [x for x in row if money_field(hits_of(x)) in ("budget", "budget_midterm")]
                    self.money_columns = {self.column(x): money_field(hits_of(x)) for x in cols}
                    heads += cols
        for x in heads:
            x.used = True
        return [(c, hits) for c, hits in run if c not in heads]

    def money_row(self, run) -> int | None:
        """资金总额 / 其中：财政拨款 / 其他资金 under those columns: each amount to its column's period
        (read in turn, 东莞's printed form gave its 中期 284500.00 as the year's 919.00)."""
        field = money_field(run[0][1]) if self.money_columns else None
        if field is None:
            self.money_columns = {}
            return None
        label = run[0][0]
        values = [c for c in self.row_cells(label) if c.text and c is not label]
        if not values or any(hits_of(v) for v in values):
            return None
        field = "budget" if field == "budget_midterm" else field
        for v in values:
            col = self.column(v)
            head = self.money_columns[min(self.money_columns, key=lambda k: (abs(k - col), -k))]
            target = field if head == "budget" else f"{field}_midterm"
            v.used = True
            self.current().fields.setdefault(target, v.text.strip())
            self.doc.found.append(target)
        label.used = True
        return self.cells.index(values[-1]) + 1

    def assign(self, hits, value: str, cell: Cell) -> None:
        groups = {h.group: h for h in hits}
        value = value.strip()
        if "project" in groups:
            h = groups["project"]
            form = self.current()
            if (h.field == "name" and form.fields.get("name") and not form.name_from_title) \
                    or (h.field == "code" and form.fields.get("code")):
                form = self.new_form(cell.line)  # the next project's table
            if h.field == "name" and form.name_from_title:
                form.fields.pop("name", None)
                form.name_from_title = False
            if squeeze(value) == "涉密":
                form.classified = True
            if h.field == "extra":
                form.extra.setdefault(squeeze(h.label), value)
                form.lines.setdefault(squeeze(h.label), cell.line)
            elif h.field in _YEARS_OWN and "当年" in h.label and "当年" not in form.labels.get(h.field, "当年") \
                    and f"{h.field}_midterm" not in form.fields:
                # 资金总额 then 当年资金总额 (青山): the first is the whole period's, the 中期 amount
                form.fields[f"{h.field}_midterm"], form.lines[f"{h.field}_midterm"] = form.fields[h.field], \
                    form.lines[h.field]
                form.fields[h.field], form.lines[h.field], form.labels[h.field] = value, cell.line, h.label
            elif h.field not in form.fields:
                form.fields[h.field] = value
                form.lines[h.field] = cell.line
                form.labels[h.field] = h.label
            elif value and squeeze(nfkc(value)) != squeeze(nfkc(form.fields[h.field])):
                # a second label for the same field (资金总额 and 当年资金总额): its value was dropped unsaid
                self.doc.refused.append((cell.line, f"第 {cell.line} 行“{squeeze(h.label)}”读作“{value[:20]}”，与第 "
                                                    f"{form.lines.get(h.field)} 行的“{form.fields[h.field][:20]}”是同一栏，"
                                                    "只导入了前者，请核对原文"))
            if h.suffix in ("万元", "元"):
                form.amount_unit = h.suffix
            self.doc.found.append(h.field)
            return
        if "unit" in groups:
            h = groups["unit"]
            if h.field == "name":
                code, name = split_code(value)
                form = self.current()
                form.unit_name, form.unit_code = name, code or form.unit_code
                if self.doc.unit_name is None:
                    self.doc.unit_name, self.doc.unit_code = name, code
            elif h.field == "amount_unit" and value in ("万元", "元"):
                self.current().amount_unit = value
            elif h.field == "code" and re.fullmatch(r"\d{6}", squeeze(value)):
                self.doc.unit_code = squeeze(value)  # 单位编码 (a label the unit form file gives)
            elif h.field == "year" and re.match(r"\s*(20\d\d)", value):
                self.doc.year = int(re.match(r"\s*(20\d\d)", value).group(1))
            return
        if "furniture" in groups or "selfeval" in groups or "indicator" in groups:
            self.current().extra.setdefault(squeeze(hits[0].label), value)

    # --- tables ---------------------------------------------------------------------------
    def header(self, run) -> tuple[list[str], list[int], str]:
        """Column fields, each column's period group (0 = shared), and the table kind."""
        bud = sum(1 for _, hs in run if any(h.group == "selfeval" and h.field in ("initial", "full", "executed")
                                            for h in hs))
        ind = sum(1 for _, hs in run if any(h.group == "indicator" for h in hs))
        kind = "budget" if bud >= 2 and bud * 2 >= ind - bud else "indicators"
        cols: list[str] = []
        for k, (c, hits) in enumerate(run):
            want = "selfeval" if kind == "budget" else "indicator"
            h = next((h for h in hits if h.group == want), None)
            if h is None and kind == "indicators":
                h = next((h for h in hits if h.group == "project" and h.field in PROJECT_COLUMNS
                          and h.points is None), None)
                if h is None:
                    h = next((h for h in hits if h.group == "unit" and h.field == "name"), None)
                    h = L.Hit("project", "unit_name", h.label) if h else None
                if h is not None and any(hh.group == "indicator" for _, hs in run[:k] for hh in hs):
                    h = None  # a project label after the indicator columns: not a list column
            if h is None:
                cols.append("")
                continue
            cols.append(h.field)
        while cols and not cols[0]:
            cols.pop(0)
        if kind == "indicators" and "level1" in cols[1:] and cols[0] == "value_text":
            k = cols.index("level1")
            if {"value_type", "measure_unit"} & set(cols[k:]):
                # a two-row header printed as one line (永德): 年度指标值 | 实际完成值 | 分值 … over
                # 一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位: the 指标值 columns are 年度指标值's, the rest follow
                cols = cols[k:] + cols[1:k]
        # period groups: a repeated level3 (or value) column starts the next period's columns
        groups, seen, g = [], set(), 1
        for col in cols:
            if col in seen and col in ("level2", "level3", "value_text"):
                g += 1
                seen = set()
            seen.add(col)
            groups.append(g)
        if g > 1:
            groups = [0 if col == "level1" else gg for col, gg in zip(cols, groups)]
        return cols, groups, kind

    def table(self, run) -> int:
        self.doc.tables += 1
        for c, hits in run:
            c.used = True
            for h in hits:
                if h.suffix in ("万元", "元"):  # 项目资金 (元) over a 自评表's 预算执行 columns
                    self.current().amount_unit = h.suffix
        start = self.cells.index(run[-1][0]) + 1
        cols, groups, kind = self.header(run)
        # the field of each column by its place in the row (header() drops leading blank columns)
        places = {self.column(c): f for (c, _), f in zip(run[len(run) - len(cols):], cols)}
        period = self.period_of(run)
        unknown = dropped.unknown_header_cells(self, run) if kind == "indicators" and cols else []
        if unknown:  # 责任科室: a column of its own, named in the report (converters/dropped.py)
            for c, key in dropped.columns_for(unknown):
                c.used = True
                cols.append(key)
                groups.append(groups[-1])
            start = self.cells.index(unknown[-1]) + 1
        form = self.current()
        if form.kind == "targets" and form.title is None and (kind == "budget" or {"actual", "score"} & set(cols)):
            form.kind = "selfeval"  # no title (it was in the page header): 全年执行数 / 实际完成值 / 得分 tell a 自评表
        if kind == "budget":
            self.doc.found.append("预算执行表")
            return self.budget_table(cols, start)
        self.doc.found.append("指标表")
        return indicators.read(self, cols, groups, start, period, places)

    def period_of(self, run) -> str:
        """The period a table's block label names (长期绩效指标 → 中期); 年度 when none."""
        before = self.cells.index(run[0][0])
        while before > 0 and not self.cells[before - 1].text:  # past the blank cells of the label's own row
            before -= 1
        texts = [squeeze(c.text) for c, _ in run[:1]] + [squeeze(self.cells[k].text)
                                                         for k in range(max(0, before - 1), before)]
        periods = L.data()["periods"]
        for text in texts:
            if "绩效指标" in text or "绩效目标" in text:
                for word in periods["中期"]:
                    if text.startswith(word):
                        return "中期"
        return periods["model"]

    def stop(self, c: Cell) -> bool:
        if self.title_like(c):
            return True
        if c.line in self.note_lines:
            return True
        hits = hits_of(c)
        if not hits:
            return False
        groups = {h.group for h in hits}
        if groups & {"level1", "level2"}:
            return False
        if "project" in groups or "unit" in groups:
            main = any(h.field in ("name", "code", "department", "implementer") for h in hits
                       if h.group in ("project", "unit"))
            return main and not ({"indicator", "selfeval"} & groups)
        if "furniture" in groups:
            return not all(h.field in ("block", "totals") for h in hits if h.group == "furniture")
        return False

    def budget_table(self, cols: list[str], i: int) -> int:
        form = self.current()
        form.budget_columns = [c for c in cols if c]
        rows: list[tuple[str, str, dict]] = []
        cur: dict | None = None
        while i < len(self.cells):
            c = self.cells[i]
            if not c.text and self._before_row_label(i):
                i += 1  # the merged 项目资金（万元） column, blank on each row: not an amount of the row above
                continue
            hits = hits_of(c, "selfeval")
            row = next((h for h in hits if h.field.startswith("row_")), None)
            if row is None and (self.stop(c) or (hits_of(c) and not NUMBERISH.match(c.text.strip()))):
                break
            if row is not None:
                cur = {}
                rows.append((row.field[4:], squeeze(c.text), cur))
                c.used = True
                slots = [col for col in cols if col]
            elif cur is None:
                break
            else:
                t = c.text.strip()
                if c.glued and not NUMBERISH.match(t) and re.fullmatch(r"[\d.%]+", t):
                    solved = solve_glued(t, slots)
                    if solved:
                        cur.update(solved)
                        for k in solved:
                            slots.remove(k)
                        c.used = True
                        i += 1
                        continue
                if c.glued and re.fullmatch(r"\d{4,}", t) and sum(1 for x in slots if x != "reason") >= 2:
                    c.used = False  # digits run together over several columns ("2020": 20 | 20?): not guessed
                    i += 1
                    continue
                if NUMBERISH.match(t) or t in ("", "/"):
                    slot = next((s for s in slots if s != "reason"), None)
                    if slot is None:
                        break
                    cur[slot] = t
                    slots.remove(slot)
                elif "reason" in slots and len(t) > 8:
                    cur["reason"] = t
                    slots.remove("reason")
                else:
                    break
                c.used = True
            i += 1
        order = [col for col in cols if col and col != "reason"]
        shifted = False
        for _kind, label, values in rows:
            again = anchored_on_rate(values, order)
            how = f"按执行率 {again['rate']} 对齐" if again is not None else "与上一行一样"
            if again is None and shifted:
                again = anchored_like(values, order)  # the rows under it, short of the same cell
            shifted = shifted or again is not None
            if again is not None:  # each column named as labels.toml first spells it (年初预算数 …)
                read = "、".join(f"{L.data()['selfeval'][k][0]} {v}" for k, v in again.items())
                self.doc.readings.append((form.line, f"“{label}”一行少一格：{how}，读作{read}，请核对原文"))
                values.clear()
                values.update(again)
        form.budget_rows.extend(rows)
        return i

    def _before_row_label(self, i: int) -> bool:
        """Whether the blank cells from ``i`` on lead to a 预算执行 row's label on the same row."""
        row = self.cells[i].row
        while i < len(self.cells) and self.cells[i].row == row and not self.cells[i].text:
            i += 1
        return i < len(self.cells) and self.cells[i].row == row and any(
            h.field.startswith("row_") for h in hits_of(self.cells[i], "selfeval"))


#: money a form may give twice, for the whole period (资金总额) and for the year (当年资金总额)
_YEARS_OWN = ("budget", "fiscal", "other")


def _prose(text: str) -> bool:
    """A sentence, not an amount, a code or a name: what a 绩效目标 or 资金用途 is written as."""
    return len(text) >= 12 and bool(re.search(r"[，。；,;:：]", text))


def list_header(run) -> bool:
    """A header row that begins with 项目名称 (or 单位名称): a list of projects, whose money columns
    (资金总额 | 财政拨款 | 其他资金) are columns, not the rows of a 预算执行 block."""
    return any(h.group in ("project", "unit") and h.field == "name" for h in run[0][1])


def _note(t: str, at: int) -> bool:
    """Whether a line naming a form at ``at`` is a note about it: a request (请…), or the name in quotes."""
    return "请" in t or "“" in t[:at] or '"' in t[:at]


def recognise(cells: list[Cell]) -> Document:
    return Reader(cells).run()
