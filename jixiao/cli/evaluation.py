"""The 绩效自评 commands: a 自评表 from the approved targets (selfeval new), and score."""

from __future__ import annotations

import json
import sys

import click

from ..paths import shown
from .base import check_write_option, EXIT_FINDINGS, EXIT_OK, main


@main.group()
def selfeval() -> None:
    """绩效自评：由当年目标表生成自评表。"""


@selfeval.command("new")
@click.argument("targets", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="自评表（.xlsx）。")
def selfeval_new(targets: str, output: str) -> None:
    """由目标表预填自评表：指标、目标值、预算带入，实际完成值留空。"""
    from ..outputs import check_output
    from ..forms.reader import read_workbook
    from ..selfeval.prefill import prefill
    from ..selfeval.writer import write_selfeval

    check_output(output, inputs=[targets], content="xlsx")
    book = read_workbook(targets)
    ev = prefill(book)
    write_selfeval(output, ev)
    n = sum(len(p.indicators) for p in ev.projects) + len(ev.department.indicators)
    click.echo(f"已生成自评表：{shown(output)}（{len(ev.projects)} 个项目，{n} 个指标）；请填写全年执行数和实际完成值。")
    open_rows = [i for i in ev.department.indicators if i.target is None or i.level1 is None]
    if open_rows:  # Hebei: the rows come from the 分项绩效目标 text, which seldom gives every target
        source = "整体支出绩效目标表" if book.overall is not None else "分项绩效目标"
        click.echo(f"部门整体支出绩效自评表的 {len(ev.department.indicators)} 个指标由{source}带入，"
                   f"其中 {len(open_rows)} 个请补填一级指标、二级指标或年度指标值。")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--write", is_flag=True, help="在副本中写入计算出的得分（需 -o）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="输出文件。")
def score(file: str, fmt: str, write: bool, output: str | None) -> None:
    """自评打分：按指标类型计算得分、汇总总分并评定等级（优/良/中/差）。"""
    from ..selfeval.grading import UNFINISHED, score as run
    from ..selfeval.scoring import rate_text
    from ..selfeval.reading import read_selfeval
    from ..selfeval.writer import write_scores

    check_write_option(write, output, "--write", file)
    report = run(read_selfeval(file))
    if write:
        write_scores(file, output, report)
        click.echo(f"已写入得分：{shown(output)}", err=fmt == "json")
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        def line(s) -> str:  # a partial total is never shown as if it were the total
            if s.complete:
                return f"总分 {s.total:.2f}，等级 {s.grade}"
            return f"{UNFINISHED}（已评部分 {s.total:.2f} 分，不是总分；{len(s.pending)} 项未评）"

        d = report.department
        click.echo(f"{report.evaluation.unit.code or ''} {report.evaluation.unit.name or ''}")
        click.echo(f"  部门整体：{line(d)}；执行率 {rate_text(d.rate)} 得 {d.execution_score:.2f}")
        for p in report.projects:
            click.echo(f"  [{p.sheet.sheet}] {p.sheet.name or '—'}：{line(p)}")
        pending = report.pending
        if pending:
            click.echo(f"{UNFINISHED}：以下 {len(pending)} 项未评，填写后再打分（不评定等级）：")
            for issue in pending:
                click.echo(f"  {issue.sheet}!{issue.cell} {issue.code} {issue.message}")
        others = [i for i in report.issues if i not in pending]
        if others:
            click.echo("其他问题：" if pending else "问题：")
        for issue in others:
            click.echo(f"  {issue.sheet}!{issue.cell} {issue.code} {issue.message}")
    sys.exit(EXIT_FINDINGS if any(i.severity == "error" for i in report.issues) else EXIT_OK)
