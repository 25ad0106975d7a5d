"""The official Word/PDF documents: import and export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import EXIT_FINDINGS, fail, main

EXPORT_FORMATS = ("docx", "pdf", "json", "csv")


@main.command("import")
@click.argument("document", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="单位工作簿（.xlsx 或 .xlsm）。")
@click.option("--format", "fmt", type=click.Choice(["auto", "docx", "pdf", "xlsx", "html", "text"]), default="auto",
              show_default=True, help="文档格式，默认按扩展名判断。")
def import_command(document: str, output: str, fmt: str) -> None:
    """把已发布的绩效文本、绩效目标表或自评表（Word / PDF / Excel / 网页 / 文本）导入为单位工作簿（自评表导入为自评表工作簿）。

    认出多少导入多少：未能识别的行逐行列出，并指明在原文中的位置，此时退出码为 1。"""
    from ..converters import import_any
    from ..converters.build import holds_selfeval
    from ..outputs import check_output
    from ..forms.template import write_workbook
    from ..checks.validate import validate_file

    check_output(output, inputs=[document], content="workbook")
    result = import_any(document, fmt)
    book, ev = result.book, result.selfeval
    sheets = 0
    if holds_selfeval(ev):
        from ..selfeval.writer import write_selfeval

        write_selfeval(output, ev)  # a self-evaluation: the 自评表 workbook, filled with the document's own 得分
        department = bool(ev.department.indicators or ev.department.initial_total is not None)
        sheets = len(ev.projects) + (1 if department else 0)
        click.echo(f"已导入自评表：{_unit_named(None, ev.unit.name)}，{sheets} 张自评表 → {output}"
                   f"（用 jixiao score {output} 打分）")
        if not department:  # so that score's 部门整体 “未完成评分” is no surprise
            click.echo("  文档中没有部门整体支出绩效自评表：工作簿中的这张表留空，由单位填写")
        from ..converters.build import own_scores_checked

        differing = own_scores_checked(ev)
        click.echo(f"  文档自评得分核对：{len(differing)} 项与计分规则不符" if differing else
                   "  文档自评得分核对：可计算的各项均与计分规则一致")
        for line in differing:
            click.echo(f"    {line}")
    else:
        write_workbook(output, book)
        click.echo(f"已导入：{_unit_named(book.unit.code, book.unit.name)}，{len(book.projects)} 个项目"
                   f"{'，含整体支出绩效目标表' if book.overall else ''} → {output}")
    for line in result.unplaced:
        click.secho(f"  {'请核对' if getattr(line, 'kind', 'line') == 'read' else '未导入'}：{line}", fg="yellow")
    if ev is None:
        report = validate_file(output)
        click.echo(f"  导入结果校验：{report.errors} 个错误，{report.warnings} 个提示（详见 jixiao validate {output}）")
    partial = result.incomplete
    if partial:
        said = [u for u in partial if getattr(u, "kind", "line") == "line"]
        lines = sum(getattr(u, "span", 1) for u in said)
        rows = len(partial) - len(said)
        what = f"{sheets} 张自评表" if ev is not None and sheets else f"{len(book.projects)} 个项目"
        click.echo(f"导入 {what}；{lines} 行未能识别"
                   f"{f'，{rows} 处识别出的内容无处安放' if rows else ''}，见列表")
        sys.exit(EXIT_FINDINGS)


@main.command("export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--to", "to", type=click.Choice(list(EXPORT_FORMATS)), help="导出格式；不写时按 -o 文件的扩展名。")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件。")
def export_command(file: str, to: str | None, output: str) -> None:
    """把单位工作簿导出为正式版式的 Word / PDF 绩效文本，或 JSON / CSV。"""
    from ..converters import EXPORTERS
    from ..errors import NotAJixiaoWorkbook
    from ..outputs import check_output
    from ..forms.reader import read_workbook

    if to is None:  # `-o 文本.docx` says what it wants; --to is for a name that does not
        to = Path(output).suffix.lower().lstrip(".")
        if to not in EXPORT_FORMATS:
            fail(f"请用 --to 指定导出格式（{'、'.join(EXPORT_FORMATS)}），"
                 f"或让 -o 的文件名以 {'、'.join('.' + f for f in EXPORT_FORMATS)} 结尾")
    check_output(output, inputs=[file], content=to)
    try:
        book = read_workbook(file)
    except NotAJixiaoWorkbook as not_targets:
        from ..selfeval.grading import score as run  # perhaps a 自评表 rather than a target workbook
        from ..selfeval.reading import read_selfeval

        try:
            evaluation = read_selfeval(file)
        except NotAJixiaoWorkbook:
            raise not_targets from None
        if to not in ("docx", "pdf"):
            fail("这是自评表：打分请用 jixiao score，导出自评报告请用 --to docx 或 --to pdf")
        from ..converters.selfeval_docx import export_selfeval_docx, export_selfeval_pdf

        report = run(evaluation)
        export = export_selfeval_pdf if to == "pdf" else export_selfeval_docx
        click.echo(f"已导出自评报告：{export(report, output)}")
        if not report.complete:  # the report says so too: no grade while anything is 未评
            click.echo(f"注意：自评表有 {len(report.pending)} 项未评，报告中未评定等级（未完成评分）；"
                       f"请用 jixiao score 查看清单。")
            sys.exit(EXIT_FINDINGS)
        return
    from ..checks.validate import validate_book
    from ..totals.plan import miscounted, uncounted

    issues = validate_book(book)  # once: the errors to list, and which of them the totals leave out
    click.echo(f"已导出：{EXPORTERS[to](book, output)}")
    _exit_if_errors(output, issues, uncounted(book, issues=issues), miscounted(issues))


def _exit_if_errors(output: str, issues, findings, twice=()) -> None:
    """A document made from a workbook with errors (a sheet copied as 项目1 (2) prints the same
    project twice, a money cell holds no number) is no document to hand in: say so, every error
    with its cell, which of them left an amount out of the document's totals and which counted a
    project twice (``twice``: JX-C03), and exit 1.
    The warnings among ``findings`` (a filled-in 项目模板, JX-L04) are said and do not fail."""
    from ..checks.catalogue import SEVERITY_ZH

    errors = [i for i in issues if i.severity == "error"]
    left_out = {(i.code, i.sheet, i.cell) for i in findings if i.severity == "error"}
    doubled = {(i.sheet, i.cell) for i in twice if i.code == "JX-C03"}
    for i in findings:
        if i.severity != "error":
            where = f"[{i.sheet}] {i.cell} " if i.sheet else ""
            click.echo(f"提示：{where}{i.code}  {i.message}")
    if not errors:
        return
    counted = f"其中 {len(left_out)} 处金额未能计入，文档中的合计不完整；" if left_out else ""
    click.echo(f"注意：工作簿有 {len(errors)} 个错误，{output} 已生成但不宜报送；{counted}请修正后重新导出：")
    for i in errors:
        where = f"[{i.sheet}] {i.cell} " if i.sheet else ""
        mark = ("（金额未计入）" if (i.code, i.sheet, i.cell) in left_out
                else "（合计中计入两次）" if i.code == "JX-C03" and (i.sheet, i.cell) in doubled else "")
        click.echo(f"  {where}{SEVERITY_ZH.get(i.severity, i.severity)} {i.code}  {i.message}{mark}")
    sys.exit(EXIT_FINDINGS)


def _unit_named(code: str | None, name: str | None) -> str:
    """The unit as the import line names it; a document that names none says so (not "已导入： ，2 个项目")."""
    shown = " ".join(part for part in (code, name) if part)
    return shown or "（文档中未找到单位名称，请在“单位信息”中填写）"
