"""From one year to the next: carry and diff."""

from __future__ import annotations

import json
import sys

import click

from .base import EXIT_FINDINGS, EXIT_OK, fail, main


@main.command("carry")
@click.argument("last_year", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", required=True, type=int, help="新的预算年度，如 2027。")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="新年度的单位工作簿（.xlsx）。")
@click.option("--selfeval", type=click.Path(exists=True, dir_okay=False), default=None,
              help="上年已打分的自评表：延续项目的指标值取上年实际完成值。")
def carry_command(last_year: str, year: int, output: str, selfeval: str | None) -> None:
    """由上年单位工作簿生成新年度工作簿：项目、指标带入，金额和支出计划清空待填，上年数列在旁边。"""
    from ..years.carry import carry_file
    from ..outputs import check_output
    from ..checks.validate import validate_file

    if not 2000 <= year <= 2100:
        fail(f"预算年度“{year}”应为四位年份，如 2027")
    check_output(output, inputs=[last_year, *([selfeval] if selfeval else [])], content="workbook")
    result = carry_file(last_year, output, year, selfeval)
    book = result.book
    click.secho(f"已生成 {year} 年度工作簿：{output}", fg="green", bold=True)
    click.echo(f"  {book.unit.code or ''} {book.unit.name or ''}：带入 {len(book.projects)} 个项目，"
               f"{sum(len(p.indicators) for p in book.projects)} 个指标"
               + (f"；{result.emptied()}" if book.projects else ""))
    if selfeval:
        click.echo(f"  {result.values_from_actuals} 个指标值取自上年自评表的实际完成值")
    for line in result.notes:
        click.echo(f"  说明：{line}")
    for line in result.lost:
        click.secho(f"  未带入：{line}", fg="yellow")
    errors = [i for i in validate_file(output).issues if i.severity == "error"]
    todo = sum(i.code in ("JX-L02", "JX-P01") for i in errors)  # the emptied money, plan and codes
    click.echo(f"  待填写：{todo} 处" + (f"；另有 {len(errors) - todo} 个错误（上年表中已有）" if len(errors) > todo else "")
               + f"（运行 jixiao validate \"{output}\" 查看清单）")
    sys.exit(EXIT_FINDINGS if result.lost else EXIT_OK)


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--write", is_flag=True, help="把对比结果写成工作簿（需 -o）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="对比工作簿（.xlsx）。")
def diff_command(old: str, new: str, fmt: str, write: bool, output: str | None) -> None:
    """对比两年的单位工作簿（或两个汇总表）：新增、减少的项目（单位），金额、支出计划、指标和绩效目标的变化。"""
    from ..years.diff import diff_files
    from ..years.diff_report import render_text, write_xlsx
    from ..outputs import check_output

    if output and not write:
        fail(f"指定了 -o {output}，但没有加 --write：要写出对比表请加上 --write，只查看结果请去掉 -o")
    if write and not output:
        fail("使用 --write 时请用 -o 指定输出文件")
    if write:
        check_output(output, inputs=[old, new], content="xlsx")
    result = diff_files(old, new)
    if write:
        write_xlsx(output, result, old, new)
        click.echo(f"已生成对比表：{output}", err=fmt == "json")
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in render_text(result, old, new):
            click.echo(line)
