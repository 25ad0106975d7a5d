"""The bureau's commands: the demo (the main job on built-in data) and consolidate."""

from __future__ import annotations

import json
import sys
from decimal import Decimal

import click

from ..paths import shown
from .base import EXIT_FINDINGS, EXIT_OK, main, PROFILES


@main.command()
@click.option("-o", "--out", default="jixiao-demo", show_default=True, type=click.Path(file_okay=False),
              help="示例输出文件夹。")
def demo(out: str) -> None:
    """用内置示例数据生成填好的单位工作簿，演示完整流程。"""
    from ..demo import run_demo
    from ..outputs import check_folder_output

    from ..consolidation import consolidate as run

    check_folder_output(out)
    result = run_demo(out)
    click.echo(f"已生成 {len(result.units)} 个单位工作簿：{result.folder / 'units'}")
    for path in result.units:
        click.echo(f"  {path.name}")
    click.echo(f"模板：{result.folder / 'templates'}")
    # the bureau's job on them: every file consolidated or listed with its reason
    summary = result.folder / "全县汇总.xlsx"
    click.echo(f"\n汇总这些单位工作簿（jixiao consolidate \"{result.folder / 'units'}\" -o \"{summary}\" --year 2026）：")
    _echo_consolidation(run([str(result.folder / "units")], str(summary), year=2026, workers=1))
    click.echo("  （示例单位中有意填错了几处、放了一个 2020 年度的文件，汇总表的“校验问题”“未纳入文件”两张表列出了它们）")
    click.echo("\n接下来可以试试：")
    click.echo(f"  jixiao validate \"{result.units[-1]}\"     # 校验一个单位工作簿，指明单元格")
    click.echo(f"  jixiao export \"{result.units[0]}\" --to docx -o 绩效文本.docx   # 导出正式版式的绩效文本")
    click.echo("  jixiao templates build --out my_templates    # 重新生成模板")

@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="汇总工作簿（.xlsx）。")
@click.option("--year", type=int, default=None, help="汇总的预算年度；默认取多数单位的年度。")
@click.option("--profile", type=PROFILES, default=None, help="校验配置；默认用各工作簿自己的配置。")
@click.option("--profile-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="自定义配置文件（TOML）。")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="并行进程数，默认为 CPU 核数。")
@click.option("--csv-dir", type=click.Path(file_okay=False), default=None,
              help="同时把各表导出为 CSV（UTF-8 BOM）和 Parquet 到此文件夹。")
@click.option("--no-cache", is_flag=True, help="不使用缓存（默认在汇总表旁保存缓存，重跑只读取变化的文件）。")
@click.option("--county", default=None,
              help="本汇总表所属县区的名称，上报后逐级汇总时用作“县区”；默认用汇总表的文件名。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def consolidate(inputs: tuple[str, ...], output: str, year: int | None, profile: str | None,
                profile_file: str | None, workers: int | None, csv_dir: str | None, no_cache: bool,
                county: str | None, fmt: str) -> None:
    """汇总多个单位工作簿（文件或文件夹）为一个汇总工作簿；每个文件都会被纳入或列明未纳入原因。

    输入中也可以有各县区用 jixiao 生成的汇总表：其中的单位按县区逐级汇总（不需要原单位工作簿）。"""
    from ..consolidation import consolidate as run
    from ..outputs import check_folder_output, check_output

    check_output(output, inputs=inputs, content="summary", replaces="summary")
    if csv_dir:
        check_folder_output(csv_dir, inputs=inputs)
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            click.secho("提示：未安装 pyarrow，只导出 CSV，不导出 Parquet；需要 Parquet 请先执行 "
                        "pip install \"jixiao[data]\"", fg="yellow", err=True)
    result = run(inputs, output, year=year, profile=profile, profile_file=profile_file, workers=workers,
                 csv_dir=csv_dir, use_cache=not no_cache, county=(county or "").strip() or None)
    for notice in result.notices:  # e.g. the cache could not be used: said, and the run went on
        click.secho(f"注意：{notice}", fg="yellow", err=True)
    status = EXIT_FINDINGS if result.errors or result.not_consolidated or not result.consolidated else EXIT_OK
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        sys.exit(status)
    _echo_consolidation(result)
    sys.exit(status)


def _echo_consolidation(result) -> None:
    """What a consolidation printed: the file count checked, the totals, the findings, what was left out."""
    check = "一致" if result.found == result.consolidated + result.not_consolidated else "不一致！"
    click.secho(f"汇总完成：{shown(result.output)}", fg="green", bold=True)
    click.echo(f"  预算年度：{result.year or '—'}")
    if result.counties:
        click.echo(f"  逐级汇总：{len(result.counties)} 个县区汇总表（{'、'.join(result.counties)}），"
                   "文件数按各县区汇总时找到的文件计")
    click.echo(f"  文件：找到 {result.found} = 纳入 {result.consolidated} + 未纳入 {result.not_consolidated}（核对{check}）")
    if result.archives:  # one file in the folder, several found: which zips they came from
        click.echo(f"  其中 {sum(result.archives.values())} 个文件在压缩包中，已直接读取："
                   + "、".join(f"{shown(k)}（{n} 个）" for k, n in result.archives.items()))
    click.echo(f"  单位 {result.units}，项目 {result.projects}，指标 {result.indicators}；本次读取 {result.read} 个文件"
               + (f"（其余 {result.cached} 个来自缓存）" if result.cached else ""))
    # a form with a 预算数 only (四川), or a project whose sources do not add up (JX-B01): the line still adds up
    cent = Decimal("0.01")
    unsplit = result.unsourced
    mismatch = result.budget - result.fiscal - result.other - unsplit
    rest = (f"，未按来源分列 {unsplit:.2f}" if unsplit.quantize(cent) else "") + \
        (f"，与来源合计之差 {mismatch:.2f}（见 JX-B01）" if mismatch.quantize(cent) else "")
    click.echo(f"  预算数 {result.budget:.2f} 万元（财政资金 {result.fiscal:.2f}，其他资金 {result.other:.2f}{rest}）")
    click.echo(f"  错误 {result.errors}，提示 {result.warnings}")
    if result.codes:
        click.echo("  问题代码：" + "，".join(f"{code} ×{n}" for code, n in result.codes.items()))
    for r in result.rejected[:20]:
        county = f"{r['county']} " if r.get("county") else ""  # a roll-up: which county's file
        click.secho(f"  未纳入 {r['code']} {county}{r['path']}：{r['reason']}", fg="yellow")
    if len(result.rejected) > 20:
        click.echo(f"  ……另有 {len(result.rejected) - 20} 个未纳入文件，见汇总表“未纳入文件”")
    for path in result.tables:
        click.echo(f"  导出：{shown(path)}")
    if not result.consolidated:
        click.secho("  没有可汇总的单位工作簿：" + (f"找到的 {result.found} 个文件都未纳入（原因见上和汇总表“未纳入文件”）"
                                                 if result.found else "输入中没有找到任何文件"), fg="red")
