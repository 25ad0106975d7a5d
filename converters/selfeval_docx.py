"""The 部门整体支出绩效自评报告 as Word, with the sections of seed 004 (鹿泉, Hebei).

Numbers (budgets, execution, every indicator's target, achieved value and score,
the total and the grade) come from the 自评表 and its scoring. 第一部分 restates
each 分项绩效目标 as the target workbook states it; 第三部分 restates it again with
its 绩效指标 and the values achieved (rows of the 部门整体 sheet, matched by name);
第四部分 carries the grade word (优秀 / 良好 / 中 / 差), or says that the evaluation
is not finished while anything is 未评. Prose a clerk writes comes from the sheet's
text fields (评价结论, 存在的问题, 改进措施) or is left as a placeholder.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..fsutil import atomic_path
from ..selfeval.scoring import GRADE_WORDS, rate_text
from ..selfeval.grading import EvalReport, RowScore, SheetScore
from ..selfeval.subtargets import indicators_of
from ..forms.textsafe import xml_text
from ..forms.values import squeeze
from . import docxprint as pp
from .docx import _docx

PLACEHOLDER = "（请填写）"
SECTIONS = ("一、部门基本情况", "（一）部门概况", "（二）部门收支预决算情况", "（三）部门整体支出绩效目标、指标",
            "二、自评工作开展情况", "（一）自评的组织工作", "（二）自评的方法和过程",
            "三、部门整体支出绩效目标实现情况及指标分析", "（一）总体绩效目标实现情况",
            "（二）分项绩效目标实现情况及指标分析", "四、评价结论和评价等级", "五、存在的问题及改进措施",
            "（一）存在的主要问题", "（二）针对问题提出具体的改进措施或建议",
            "六、评价工作组人员名单及签字（姓名、工作单位、职务、职称）")
METHOD = ("按预算执行率和各项绩效指标的完成情况计分：预算执行率得分 = min(全年执行数 / 全年预算数, 1) × 分值；"
          "“≥”类指标完成目标得满分，未完成按实际值 / 目标值 × 分值计分；“≤”类指标超出目标按比例扣分；"
          "定性指标按档次计分（达成得满分，部分达成、未达成在档次范围内评分）。总分 90 分及以上为优秀，"
          "80–90 分为良好，60–80 分为中，60 分以下为差。")


def _prose(text: str | None) -> str:
    """A clerk's or a PDF's text as the report prints it: the line breaks a PDF's text layer left inside
    a sentence (``完成维稳任↵务``) joined, a clerk's breaks between items kept; the placeholder when empty."""
    return pp.as_meant(text) if squeeze(text) else PLACEHOLDER


def _money(value) -> str:
    return "—" if value is None else f"{value:.2f}"


_NUMBER = re.compile(r"^-?\d+(\.\d+)?%?$|^—$")


def _table(doc, rows: list[list[str]], header: bool = True):
    """A report table: A4 text width, the header row bold, centred and repeated on a continued page,
    numbers right-aligned, rows never split."""
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    body = rows[1:] if header else rows
    numeric = [c > 0 and all(_NUMBER.match(row[c]) or row[c] in ("", "未评") for row in body)
               and any(_NUMBER.match(row[c]) for row in body) for c in range(len(rows[0]))]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            p = cell.paragraphs[0]
            p.style = doc.styles[pp.STYLES["table"][0]]
            p.add_run(xml_text(pp.as_meant(text)))  # a PDF's stray line breaks are not printed
            head = header and r == 0
            number = not head and numeric[c]
            pp.cell_setup(cell, center=head, right=number, bold=head, nowrap=number)
    pp.table_setup(table, _widths(rows, header), header_rows=1 if header else 0, row_height_pt=pp.ROW_PT)
    return table


SHORT = 5  # characters: a column whose every text is this short holds words (产出指标, 满意度指标, 16.66)


def _widths(rows: list[list[str]], header: bool = True) -> list[float]:
    """Column widths in mm over the text width: a column of short words as wide as its longest word,
    the others sharing the rest by their longest text (within 3–14 characters: long text wraps).
    A header may take two lines (实际完成\n值 is fine, 产出指\n标 in the body is not).

    Scaled all alike, the 一级指标 column got 12 mm and printed “产出指\n标”.
    """
    cols = range(len(rows[0]))
    weights = [min(14, max(3, max(len(row[c]) for row in rows))) for c in cols]
    words = [[row[c] for row in rows[1:]] + [rows[0][c][:(len(rows[0][c]) + 1) // 2]] if header
             else [row[c] for row in rows] for c in cols]
    need = [max(pp.text_width_pt(w, pp.TABLE_PT) for w in ws) / 72 * 25.4 + 2 * pp.CELL_MARGIN_MM + 0.5
            for ws in words]
    short = [max(len(row[c]) for row in rows) <= SHORT for c in cols]
    fixed = sum(n for n, s in zip(need, short) if s)
    least = 3 * pp.TABLE_PT / 72 * 25.4 + 2 * pp.CELL_MARGIN_MM  # a long-text column keeps 3 characters a line
    if all(short) or fixed + least * short.count(False) > pp.TEXT_WIDTH_MM:  # nothing to share, or no room
        return pp.widths_mm(weights, pp.TEXT_WIDTH_MM)
    rest = pp.widths_mm([w for w, s in zip(weights, short) if not s], pp.TEXT_WIDTH_MM - fixed)
    return [n if s else rest.pop(0) for n, s in zip(need, short)]


def _score_text(r: RowScore) -> str:
    return "未评" if r.pending is not None else f"{r.score:.2f}"


def _indicator_rows(rows: list[RowScore], score: SheetScore | None = None) -> list[list[str]]:
    out = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"]]
    for r in rows:
        ind = r.indicator
        out.append([r.level1 or "", r.level2 or "", ind.level3 or "", ind.target or "", ind.actual or "",
                    f"{r.weight:.2f}", _score_text(r), ind.reason or ""])
    if score is not None:
        out.append(["合计", "", "", "", "", f"{sum(r.weight for r in rows):.2f}", f"{score.indicator_total:.2f}", ""])
    return out


def _achieved(r: RowScore) -> str:
    ind = r.indicator
    actual = ind.actual or (ind.band if squeeze(ind.band) else None)
    done = f"实际完成 {actual}" if actual else "实际完成值未填写"
    target = f"（年度指标值 {ind.target}）" if ind.target else ""
    name = pp.as_meant(ind.level3, one_line=True) if squeeze(ind.level3) else "（未命名指标）"
    return f"{name}：{done}{target}，得分 {_score_text(r)}（分值 {r.weight:.2f}）"


def _by_sub_target(report: EvalReport) -> tuple[list[list[RowScore]], list[RowScore]]:
    """The department rows of each 分项绩效目标 (by the names its text gives), and the rows of none."""
    left = list(report.department.rows)
    groups = []
    for t in report.evaluation.department.sub_targets:
        names = {squeeze(c.name) for c in indicators_of(t.indicators, t.goal)}
        mine = [r for r in left if squeeze(r.indicator.level3) in names]
        left = [r for r in left if r not in mine]
        groups.append(mine)
    return groups, left


def _grade_sentence(score: SheetScore) -> str:
    if score.complete:
        return (f"经自评，部门整体支出绩效总分 {score.total:.2f} 分。"
                f"通过评价，部门整体综合绩效评定结论为{GRADE_WORDS[score.grade]}。")
    return (f"自评尚未完成：{len(score.pending)} 项未评（见自评表），已评部分得 {score.total:.2f} 分，"
            f"不是总分；未完成评分，暂不评定等级。")


def export_selfeval_docx(report: EvalReport, path: str | Path) -> Path:
    docx = _docx()

    ev, dept = report.evaluation, report.department
    sheet = ev.department
    doc = docx.Document()
    pp.setup_document(doc)  # A4, the 公文 margins and fonts, as the 绩效文本
    pp.page_number_footer(doc.sections[0], start=1)
    year, name = ev.unit.year or "", sheet.name or ev.unit.name or ""
    pp.paragraph(doc, ev.unit.name or name, "title")
    pp.paragraph(doc, f"{year} 年度整体支出绩效自评报告", "title")
    pp.paragraph(doc, indent=False)
    pp.paragraph(doc, f"根据预算绩效管理的要求，{name}对 {year} 年度整体支出情况开展了绩效自评价，形成本评价报告。")

    pp.paragraph(doc, SECTIONS[0], "h1")
    pp.paragraph(doc, SECTIONS[1], "h2")
    pp.paragraph(doc, PLACEHOLDER)
    pp.paragraph(doc, SECTIONS[2], "h2")
    pp.paragraph(doc, f"本部门 {year} 年度年初预算数 {_money(sheet.initial_total)} 万元，全年预算数 {_money(sheet.full_total)} 万元，"
               f"全年执行数 {_money(sheet.executed_total)} 万元，预算执行率 {rate_text(dept.rate, 2)}。")
    _table(doc, [["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数"],
                 ["年度资金总额", _money(sheet.initial_total), _money(sheet.full_total), _money(sheet.executed_total)],
                 ["其中：财政资金", _money(sheet.initial_fiscal), _money(sheet.full_fiscal), _money(sheet.executed_fiscal)],
                 ["其他资金", _money(sheet.initial_other), _money(sheet.full_other), _money(sheet.executed_other)]])
    pp.paragraph(doc, SECTIONS[3], "h2")
    pp.paragraph(doc, "（一）部门总体绩效目标", "h3")
    pp.paragraph(doc, _prose(sheet.goal))
    pp.paragraph(doc, "（二）分项绩效目标", "h3")
    for i, t in enumerate(sheet.sub_targets, start=1):
        pp.paragraph(doc, f"{i}、{pp.as_meant(t.title or '', one_line=True)}", "h3")
        pp.paragraph(doc, f"绩效目标：{pp.as_meant(t.goal or '')}")
        pp.paragraph(doc, f"绩效指标：{pp.as_meant(t.indicators or '')}")
    if not sheet.sub_targets:
        pp.paragraph(doc, "部门整体绩效指标见第三部分。")

    pp.paragraph(doc, SECTIONS[4], "h1")
    pp.paragraph(doc, SECTIONS[5], "h2")
    pp.paragraph(doc, PLACEHOLDER)
    pp.paragraph(doc, SECTIONS[6], "h2")
    pp.paragraph(doc, METHOD)

    pp.paragraph(doc, SECTIONS[7], "h1")
    pp.paragraph(doc, SECTIONS[8], "h2")
    pp.paragraph(doc, f"预算执行率 {rate_text(dept.rate, 2)}，得 {dept.execution_score:.2f} 分（分值 {dept.execution_weight:.2f}）。")
    pp.paragraph(doc, SECTIONS[9], "h2")
    groups, other = _by_sub_target(report)
    for i, (t, rows) in enumerate(zip(sheet.sub_targets, groups), start=1):
        pp.paragraph(doc, f"{i}、{pp.as_meant(t.title or '', one_line=True)}", "h3")
        pp.paragraph(doc, f"绩效目标：{pp.as_meant(t.goal or '')}")
        pp.paragraph(doc, "绩效指标：" + ("；".join(_achieved(r) for r in rows) if rows else "（自评表中没有本项的指标）") + "。")
    if other:  # once, with their scores, in the table below (the same rows were a table of their own before it)
        pp.paragraph(doc, "部门整体绩效指标完成情况见下表。" if not sheet.sub_targets else
                     f"其他 {len(other)} 个绩效指标（不属于以上分项绩效目标）的完成情况见下表。")
    if dept.rows:
        pp.paragraph(doc, "部门整体绩效指标评分表：")
        _table(doc, _indicator_rows(dept.rows, dept))
    if report.projects:
        pp.paragraph(doc, "（三）项目支出绩效自评情况", "h2")
    for p in report.projects:
        head = f"总分 {p.total:.2f}，等级 {p.grade}" if p.complete else f"未完成评分（已评部分 {p.total:.2f} 分）"
        pp.paragraph(doc, f"{p.sheet.name or p.sheet.sheet}{f'（{p.sheet.code}）' if p.sheet.code else ''}：执行率 {rate_text(p.rate, 2)}，{head}", "h3")
        _table(doc, _indicator_rows(p.rows, p))

    pp.paragraph(doc, SECTIONS[10], "h1")
    pp.paragraph(doc, _prose(sheet.conclusion))
    pp.paragraph(doc, _grade_sentence(dept))
    pp.paragraph(doc, SECTIONS[11], "h1")
    pp.paragraph(doc, SECTIONS[12], "h2")
    pp.paragraph(doc, _prose(sheet.problems))
    pp.paragraph(doc, SECTIONS[13], "h2")
    pp.paragraph(doc, _prose(sheet.improvements))
    pp.paragraph(doc, SECTIONS[14], "h1")
    team = [["评价组", "姓名", "工作单位", "职务", "职级", "签字"]] + [
        [m.role or "", m.name or "", m.org or "", m.title or "", m.rank or "", ""] for m in sheet.team]
    _table(doc, team)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)


def export_selfeval_pdf(report: EvalReport, path: str | Path) -> Path:
    """The 自评报告 as PDF: the Word document converted by LibreOffice, as the 绩效文本's PDF is."""
    import tempfile

    from ..excel.office import convert

    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as tmp:
        pdf = convert(export_selfeval_docx(report, Path(tmp) / f"{Path(path).stem}.docx"), "pdf", tmp)
        with atomic_path(path) as target:
            target.write_bytes(pdf.read_bytes())
    return Path(path)
