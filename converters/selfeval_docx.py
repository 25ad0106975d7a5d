"""The 整体支出绩效自评报告 as Word, with the sections of seed 004.

Numbers (budgets, execution, every indicator's score, the total and the grade)
come from the 自评表 and its scoring; prose sections a clerk writes are left
with their headings and a placeholder, or filled from the sheet's text fields
(评价结论, 存在的问题, 改进措施).
"""

from __future__ import annotations

from pathlib import Path

from ..fsutil import atomic_path
from ..selfeval import EvalReport, SheetScore
from ..textsafe import xml_text
from .docx import BODY_FONT, TITLE_FONT, _docx, _font, _para

PLACEHOLDER = "（请填写）"


def _money(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def _table(doc, rows: list[list[str]], header: bool = True):
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            _font(table.cell(r, c).paragraphs[0].add_run(xml_text(text)), BODY_FONT, 10.5,
                  bold=header and r == 0)
    return table


def _indicator_rows(score: SheetScore) -> list[list[str]]:
    rows = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"]]
    for r in score.rows:
        ind = r.indicator
        rows.append([r.level1 or "", r.level2 or "", ind.level3 or "", ind.target or "", ind.actual or "",
                     f"{r.weight:.2f}", f"{r.score:.2f}", ind.reason or ""])
    rows.append(["合计", "", "", "", "", f"{sum(r.weight for r in score.rows):.2f}", f"{score.indicator_total:.2f}", ""])
    return rows


def export_selfeval_docx(report: EvalReport, path: str | Path) -> Path:
    docx = _docx()
    from docx.shared import Cm

    ev, dept = report.evaluation, report.department
    sheet = ev.department
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    year = ev.unit.year or ""
    _para(doc, ev.unit.name or "", 20, True, "center", TITLE_FONT)
    _para(doc, f"{year} 年度整体支出绩效自评报告", 18, True, "center", TITLE_FONT)
    _para(doc, "一、部门基本情况", 14, True, font=TITLE_FONT)
    _para(doc, "（一）部门概况", 12, True)
    _para(doc, PLACEHOLDER)
    _para(doc, "（二）部门收支预决算情况", 12, True)
    _para(doc, f"本部门 {year} 年度年初预算数 {_money(sheet.initial_total)} 万元，全年预算数 {_money(sheet.full_total)} 万元，"
               f"全年执行数 {_money(sheet.executed_total)} 万元，预算执行率 {dept.rate * 100:.2f}%。")
    _table(doc, [["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数"],
                 ["年度资金总额", _money(sheet.initial_total), _money(sheet.full_total), _money(sheet.executed_total)],
                 ["其中：财政资金", _money(sheet.initial_fiscal), _money(sheet.full_fiscal), _money(sheet.executed_fiscal)],
                 ["其他资金", _money(sheet.initial_other), _money(sheet.full_other), _money(sheet.executed_other)]])
    _para(doc, "二、绩效目标", 14, True, font=TITLE_FONT)
    _para(doc, sheet.goal or PLACEHOLDER)
    _para(doc, "三、自评工作开展情况", 14, True, font=TITLE_FONT)
    _para(doc, PLACEHOLDER)
    _para(doc, "四、目标实现情况及指标分析", 14, True, font=TITLE_FONT)
    _para(doc, f"预算执行率 {dept.rate * 100:.2f}%，得 {dept.execution_score:.2f} 分（分值 {dept.execution_weight:.2f}）。")
    if dept.rows:
        _para(doc, "部门整体绩效指标完成情况：")
        _table(doc, _indicator_rows(dept))
    for p in report.projects:
        _para(doc, f"{p.sheet.name or p.sheet.sheet}（{p.sheet.code or ''}）：执行率 {p.rate * 100:.2f}%，"
                   f"总分 {p.total:.2f}，等级 {p.grade}", 12, True)
        _table(doc, _indicator_rows(p))
    _para(doc, "五、评价结论和评价等级", 14, True, font=TITLE_FONT)
    _para(doc, f"经自评，本部门整体支出绩效总分 {dept.total:.2f} 分，评价等级为“{dept.grade}”。")
    _para(doc, sheet.conclusion or PLACEHOLDER)
    _para(doc, "六、存在的问题及改进措施", 14, True, font=TITLE_FONT)
    _para(doc, "（一）存在的问题", 12, True)
    _para(doc, sheet.problems or PLACEHOLDER)
    _para(doc, "（二）改进措施", 12, True)
    _para(doc, sheet.improvements or PLACEHOLDER)
    _para(doc, "七、评价工作组", 14, True, font=TITLE_FONT)
    team = [["", "姓名", "工作单位", "职务", "职级"]] + [
        [m.role or "", m.name or "", m.org or "", m.title or "", m.rank or ""] for m in sheet.team]
    _table(doc, team)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)
