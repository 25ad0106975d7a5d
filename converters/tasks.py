"""The 年度主要任务 table of a 部门整体支出绩效目标表: 任务名称 | 主要内容 | 预算金额 (总额 | 财政拨款 | 其他资金).

A heading ``年度主要任务`` (or the header row itself, ``任务名称 …``) starts it; the header may take
two rows (预算金额（万元） over 总额 | 财政拨款 | 其他资金). Each row after it is one task, its cells
read by the column they stand in; a 合计 row ends the table and is checked against the tasks' sum;
the next label (年度总体目标) ends it too. The tasks become ``OverallTargets.tasks`` (build), which
only the national 部门整体 form has cells for, so a document with tasks is written with that form.
"""

from __future__ import annotations

from . import labels as L
from .cellkinds import NUMBERISH, hits_of

HEADING = ("年度主要任务", "部门年度主要任务", "年度重点任务")
COLUMNS = {"任务名称": "name", "主要任务": "name", "主要内容": "detail", "任务内容": "detail",
           "预算金额": "budget", "预算金额(万元)": "budget", "总额": "budget", "预算总额": "budget",
           "金额": "budget", "财政拨款": "fiscal", "其中:财政拨款": "fiscal", "其他资金": "other", "序号": ""}


def _col(text: str) -> str | None:
    t = L.norm(text)
    for label, f in COLUMNS.items():
        if L.norm(label) == t:
            return f
    return None


def _heading(text: str) -> bool:
    return L.norm(text) in {L.norm(h) for h in HEADING}


def starts(reader, i: int) -> bool:
    """A 年度主要任务 heading followed by a 任务名称 header, or that header alone."""
    cells = reader.cells
    c = cells[i]
    if _heading(c.text):
        c = next((x for x in cells[i + 1:i + 6] if x.text), None)
        if c is None:
            return False
    if _col(c.text) != "name":
        return False
    # 任务名称 heads a table only beside another of its columns (主要内容, 预算金额 …): "主要任务 | 开展培训"
    # is a label and its value
    others = {_col(x.text) for x in reader.row_cells(c) if x.text and x is not c}
    return bool(others & {"detail", "budget", "fiscal", "other"}) and None not in others


def read(reader, i: int) -> int:
    cells = reader.cells
    form = reader.current()
    if _heading(cells[i].text):
        cells[i].used = True
        i += 1
        while not cells[i].text:
            i += 1
    columns: dict[int, str] = {}
    header_rows = 0
    while i < len(cells):  # the header: one or two rows of column labels (blank cells: merged above)
        row = reader.row_cells(cells[i])
        texts = [c for c in row if c.text]
        if not texts or not all(_col(c.text) is not None for c in texts):
            break
        for c in texts:
            columns[reader.column(c)] = _col(c.text)
            c.used = True
        header_rows += 1
        i = cells.index(row[-1]) + 1
    reader.doc.tables += 1
    reader.doc.found.append("年度主要任务")
    while i < len(cells):
        row = reader.row_cells(cells[i])
        filled = [c for c in row if c.text]
        if not filled:
            i = cells.index(row[-1]) + 1
            continue
        first = filled[0]
        if L.norm(first.text) in {L.norm(x) for x in L.data()["furniture"]["totals"]}:
            form.task_totals = {columns.get(reader.column(c)): c.text.strip() for c in filled[1:]
                                if columns.get(reader.column(c))}
            for c in filled:
                c.used = True
            i = cells.index(row[-1]) + 1
            break
        if hits_of(first) or reader.title_like(first):
            break  # 年度总体目标 …: the table has ended
        task: dict = {"line": first.line}
        for c in filled:
            f = columns.get(reader.column(c))
            if not f or (f in ("budget", "fiscal", "other") and not NUMBERISH.match(c.text.strip())):
                continue  # a cell outside the columns (or words in a money column): left for the unplaced list
            task.setdefault(f, c.text.strip())
            c.used = True
        if not task.get("name"):
            break
        form.tasks.append(task)
        i = cells.index(row[-1]) + 1
    return i
