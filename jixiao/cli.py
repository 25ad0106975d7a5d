"""The ``jixiao`` command line: each command is one library call.

Exit status: 0 done (no errors), 1 findings with errors, 2 could not run.
Messages for clerks are Chinese; ``--format json`` output is a contract.
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal

import click

from . import __version__
from .errors import JixiaoError
from .paths import shown  # paths as given (surrogate-escaped when not UTF-8) are shown readably
from .forms.values import money_in
from .profiles import BUILTIN

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2


def fail(message: str) -> None:
    click.secho(f"错误：{message}", fg="red", err=True)
    sys.exit(EXIT_FAILED)


#: optional libraries → the extra that installs them (a missing one is named, never "意外错误")
EXTRAS = {"xlwings": "excel", "pandas": "data", "pyarrow": "data", "pdfplumber": "docs", "pypdf": "docs",
          "fastapi": "server", "uvicorn": "server"}


class JixiaoGroup(click.Group):
    """Turns library errors into a clean message and exit 2, never a traceback; usage errors and
    Ctrl-C are rendered in Chinese by :mod:`jixiao.cliusage`, and so are help pages."""

    from .cliusage import ChineseCommand as command_class, ChineseContext as context_class

    group_class = type  # subgroups are JixiaoGroups too

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        from .cliusage import run

        run(self, args, prog_name, complete_var, extra)

    def invoke(self, ctx: click.Context):
        from .outputs import protected

        try:
            with protected():
                return super().invoke(ctx)
        except JixiaoError as exc:
            fail(f"{exc}" + (f"（{exc.code}）" if exc.code else ""))
        except ModuleNotFoundError as exc:
            top = (exc.name or "").split(".")[0]
            if top not in EXTRAS:
                raise
            fail(f"缺少可选组件 {top}，请先执行：pip install \"jixiao[{EXTRAS[top]}]\"")
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `jixiao … | head`: the reader went away; end quietly, as Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except OSError as exc:  # not caught where it happened: still said in Chinese, with the path
            from .oserror import os_reason

            where = f" {exc.filename}" if exc.filename else ""
            fail(f"无法访问文件{where}：{os_reason(exc)}")
        except Exception as exc:  # noqa: BLE001 - the last resort: a message, never a traceback
            if os.environ.get("JIXIAO_DEBUG"):
                raise
            fail(f"处理时出现意外错误（{type(exc).__name__}: {exc}）。原文件未改动；"
                 "请把此信息和文件发给维护人员（设置 JIXIAO_DEBUG=1 可显示详细信息）")


@click.group(cls=JixiaoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao", message="%(prog)s 版本 %(version)s")
def main() -> None:
    """jixiao（绩效）：预算绩效目标表的填报、校验、汇总工具。"""


@main.group()
def templates() -> None:
    """模板：生成锁定的单位填报模板。"""


@templates.command("build")
@click.option("--profile", "profiles", multiple=True, type=click.Choice(BUILTIN),
              help="配置（省份/版式），可多次指定；默认全部。")
@click.option("--profile-file", "profile_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="自定义配置文件（可指向同一文件夹中的表样文件），可多次指定。")
@click.option("--out", default="workbook_templates", show_default=True, type=click.Path(file_okay=False),
              help="输出文件夹。")
def templates_build(profiles: tuple[str, ...], profile_files: tuple[str, ...], out: str) -> None:
    """生成单位填报模板（.xlsx）。"""
    from .demo import build_templates
    from .outputs import check_folder_output
    from .profiles import load_profile_file

    chosen = [*profiles, *(load_profile_file(f) for f in profile_files)]
    check_folder_output(out)
    for path in build_templates(out, tuple(chosen) or BUILTIN):
        click.echo(f"已生成模板：{path}")


@templates.command("addin")
@click.option("--out", default="addin/jixiao.xlam", show_default=True, type=click.Path(dir_okay=False),
              help="加载项文件。")
def templates_addin(out: str) -> None:
    """生成带“绩效”选项卡的 Excel 加载项（.xlam）。"""
    from .outputs import check_output
    from .excel.ribbon import build_ribbon_addin

    check_output(out, content="addin")
    click.echo(f"已生成加载项：{build_ribbon_addin(out)}")


@main.command()
@click.option("--out", default="jixiao-demo", show_default=True, type=click.Path(file_okay=False),
              help="示例输出文件夹。")
def demo(out: str) -> None:
    """用内置示例数据生成填好的单位工作簿，演示完整流程。"""
    from .demo import run_demo
    from .outputs import check_folder_output

    from .consolidation import consolidate as run

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
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--engine", type=click.Choice(["calamine", "openpyxl"]), default="calamine", show_default=True)
def show(file: str, fmt: str, engine: str) -> None:
    """读取单位工作簿并显示其内容（json 为模型数据）。"""
    from .forms.layouts import forms_of
    from .forms.reader import read_workbook

    book = read_workbook(file, engine)
    if fmt == "json":
        click.echo(book.model_dump_json(indent=2))
        return
    unit = book.unit
    click.echo(f"{unit.code or '（无单位编码）'} {unit.name or '（无单位名称）'}  预算年度：{unit.year or '—'}"
               f"  配置：{book.profile}")
    layout = forms_of(book).project
    for p in book.projects:
        secret = "  （涉密）" if p.classified else ""
        if layout.periods:  # the national 申报表 (年度 and 中期, no 项目编码) and the 四川 form (年度 only)
            mid = p.period("mid")
            mid_text = "" if mid.is_blank() else \
                f"  中期 {money_in(mid.budget, layout.money_unit)}、指标 {len(mid.indicators)} 条"
            click.echo(f"  [{p.sheet}] {p.name or '—'}  年度 {money_in(p.budget, layout.money_unit)}、"
                       f"指标 {len(p.indicators)} 条{mid_text}{secret}")
            continue
        click.echo(f"  [{p.sheet}] {p.code or '—'} {p.name or '—'}  预算数 {money_in(p.budget, layout.money_unit)}"
                   f"  指标 {len(p.indicators)} 条{secret}")
    if book.overall is not None:
        tasks = f"  年度主要任务 {len(book.overall.tasks)} 项" if book.overall.tasks else ""
        click.echo(f"  [整体支出绩效目标表] 指标 {len(book.overall.indicators)} 条{tasks}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--profile", type=click.Choice(BUILTIN), default=None,
              help="序时进度等配置；默认用工作簿自己的配置。")
@click.option("--profile-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="自定义配置文件（TOML）。")
@click.option("--write", is_flag=True, help="在工作簿副本中生成“支出计划汇总”表（需 -o）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="输出文件。")
def totals(file: str, fmt: str, profile: str | None, profile_file: str | None, write: bool,
           output: str | None) -> None:
    """汇总资金支出计划：各项目、全单位各时点的累计金额与序时进度差距。"""
    from .profiles import profile_for, resolve_profile
    from .forms.layouts import forms_of
    from .forms.reader import read_workbook
    from .totals.plan import MILESTONES, miscounted, to_json, uncounted, unit_schedule
    from .checks.validate import validate_book

    _check_write_option(write, output, "--write", file)
    book = read_workbook(file)
    prof = resolve_profile(profile, profile_file) if (profile or profile_file) else profile_for(book)
    schedule = unit_schedule(book, prof)
    issues = validate_book(book, prof)
    findings = uncounted(book, prof, issues) + miscounted(issues)  # a total printed with exit 0 counts all, once
    if write and not forms_of(book).project.has_plan:
        fail("该工作簿的表样（项目支出绩效目标申报表）没有资金支出计划，无法生成“支出计划汇总”表；"
             "各项目的中期、年度资金合计请看 jixiao totals 的输出（去掉 --write 和 -o）")
    if write:
        from .totals.sheet import write_totals_workbook

        write_totals_workbook(file, output, book, prof)
        click.echo(f"已生成“支出计划汇总”：{shown(output)}", err=fmt == "json")
    if fmt == "json":
        data = to_json(schedule)
        if findings:  # only then: the object of a complete total stays as it was
            data["findings"] = [i.model_dump(exclude_none=True) for i in findings]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        _exit_if_uncounted(findings)
        return
    data = to_json(schedule)
    t = data["total"]
    if not schedule.has_plan:
        _echo_periods(schedule, data, forms_of(book).project)
        _echo_uncounted(findings)
        _exit_if_uncounted(findings)
        return
    click.echo(f"{schedule.unit_code or ''} {schedule.unit_name or ''}  预算数 {t['budget']} 万元"
               f"（财政资金 {t['fiscal']}，其他资金 {t['other']}）")
    click.echo("时点      累计金额     累计%   序时进度%   差距")
    for m in MILESTONES:
        click.echo(f"{m:<6} {t['amounts'][m]:>12} {t['percent'][m]:>8} {t['target_percent'][m]:>10} "
                   f"{t['gap'][m]:>7}")
    for p in data["projects"]:
        amounts = " / ".join(p["amounts"][m] for m in MILESTONES)
        click.echo(f"  {p['code'] or '—'} {p['name'] or '—'}：{p['budget']} → {amounts}")
    for lag in data["lagging"]:
        click.echo(f"  滞后：{lag['name'] or lag['code']} {lag['milestone']} 计划 {lag['percent']}%，"
                   f"序时进度 {lag['target_percent']}%，差 {lag['behind_amount']} 万元")
    _echo_uncounted(findings)
    _exit_if_uncounted(findings)


def _echo_periods(schedule, data, layout) -> None:
    """The totals of a unit of a form without a plan (national, 四川): 年度 and 中期 amounts by the sources the
    form has (none on the 四川 form: no 0.00 that was never declared), in the unit the form prints (元 on 四川)."""
    unit = layout.money_unit
    label = layout.field("budget").label if layout.periods else "年度资金总额"
    sources = (f"（财政拨款 {money_in(schedule.fiscal, unit)}，其他资金 {money_in(schedule.other, unit)}）"
               if layout.has_sources() else "")
    click.echo(f"{schedule.unit_code or ''} {schedule.unit_name or ''}  {label} {money_in(schedule.budget, unit)}"
               f"{sources}")
    if schedule.mid is not None:
        budget, fiscal, other = (money_in(v, unit) for v in schedule.mid)
        click.echo(f"  中期资金总额 {budget}（财政拨款 {fiscal}，其他资金 {other}）")
    click.echo(f"  本表样“{layout.title or '项目支出绩效目标申报表'}”没有资金支出计划，不计算各时点累计金额和序时进度。")
    for p in schedule.projects:
        mid = f"；中期 {money_in(p.mid[0], unit)}" if p.mid is not None else ""
        click.echo(f"  {p.sheet or ''} {p.name or '—'}：年度 {money_in(p.budget, unit)}{mid}")


def _echo_uncounted(findings) -> None:
    """The findings beside a printed amount: what it could not count (errors) and JX-L04."""
    from .checks.catalogue import SEVERITY_ZH

    twice = [i for i in findings if i.code == "JX-C03"]
    rest = [i for i in findings if i.code != "JX-C03"]
    if any(i.severity == "error" for i in rest):
        click.echo("注意：以下内容未能计入，上面的金额不完整：")
    for group in (rest, twice):
        if group is twice and twice:
            click.echo("注意：以下项目编码重复，同一项目可能计入了两次，上面的金额偏大：")
        for i in group:
            where = f"[{i.sheet}] {i.cell} " if i.sheet else ""
            click.echo(f"  {where}{SEVERITY_ZH.get(i.severity, i.severity)} {i.code}  {i.message}")


def _exit_if_uncounted(findings) -> None:
    if any(i.severity == "error" for i in findings):
        sys.exit(EXIT_FINDINGS)


PROFILES = click.Choice(BUILTIN)


def _check_write_option(flag: bool, output: str | None, name: str, *inputs: str) -> None:
    """``-o`` goes with ``name`` (a flag that writes a workbook); refuse a bad output before reading."""
    from .outputs import check_output

    if output and not flag:
        fail(f"指定了 -o {output}，但没有加 {name}：要写出文件请加上 {name}，只查看结果请去掉 -o")
    if flag and not output:
        fail(f"使用 {name} 时请用 -o 指定输出文件")
    if flag:
        check_output(output, inputs=inputs, content="workbook")


def _render_text(report) -> None:
    """A readable table grouped by file and sheet."""
    from .checks.issues import SEVERITY_ZH

    for f in report.files:
        head = f"{f.path}  {f.unit_code or ''} {f.unit_name or ''}".rstrip()
        verdict = "通过" if f.ok else "未通过"
        click.secho(f"{head}：{verdict}（{f.errors} 个错误，{f.warnings} 个提示）",
                    fg="green" if f.ok else "red", bold=True)
        sheet = object()
        for issue in f.issues:
            if issue.sheet != sheet:
                sheet = issue.sheet
                click.echo(f"  [{sheet or '文件'}]")
            color = "red" if issue.severity == "error" else "yellow"
            where = issue.cell or "-"
            click.echo(f"    {where:<6} " + click.style(f"{SEVERITY_ZH[issue.severity]} {issue.code}", fg=color)
                       + f"  {issue.message}")
    click.echo(f"合计：{len(report.files)} 个文件，{report.errors} 个错误，{report.warnings} 个提示")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--profile", type=PROFILES, default=None, help="校验配置；默认用工作簿自己的配置。")
@click.option("--profile-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="自定义配置文件（TOML）。")
@click.option("--fix", is_flag=True, help="自动修正空格换行（JX-X01）、控制字符（JX-X02）、指标值拆分（JX-V05）、旧称（JX-T03），"
              "并加高文字打印不全的行，写到 -o。")
@click.option("--annotate", is_flag=True, help="在副本中标出问题单元格并生成“校验结果”表，写到 -o。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="输出文件（--fix / --annotate）。")
@click.option("--engine", type=click.Choice(["calamine", "openpyxl"]), default="calamine", show_default=True,
              help="读取方式：calamine 快；openpyxl 能发现输入格中的公式。")
def validate(files: tuple[str, ...], fmt: str, profile: str | None, profile_file: str | None, fix: bool,
             annotate: bool, output: str | None, engine: str) -> None:
    """校验单位工作簿：按规则目录逐项检查，并指出问题所在单元格。

    退出码：0 无错误（可有提示），1 有错误，2 文件无法读取或参数错误。
    """
    from .checks.issues import Report
    from .profiles import resolve_profile
    from .checks.validate import validate_read

    if output and not (fix or annotate):
        fail(f"指定了 -o {output}，但没有加 --fix 或 --annotate：修正请加 --fix，标注请加 --annotate，"
             "只校验请去掉 -o")
    if (fix or annotate) and (not output or len(files) != 1):
        fail("--fix / --annotate 需要且只能处理一个文件，并用 -o 指定输出文件")
    if fix and annotate:
        fail("--fix 与 --annotate 请分两次执行：先修正，再标注修正后的文件")
    if output:
        from .outputs import check_output

        check_output(output, inputs=files, content="workbook")
    prof = resolve_profile(profile, profile_file) if (profile or profile_file) else None
    from .forms.printfit import describe, new_heights, short_rows

    annotated = False
    if fix:
        from .checks.fix import plan_fixes, write_fixed
        from .forms.reader import read_workbook

        book = read_workbook(files[0])
        changes = plan_fixes(book, prof)
        short = short_rows(files[0], book)
        write_fixed(files[0], output, changes, new_heights(short))
        from .forms.textsafe import visible

        for ch in changes:  # control characters (JX-X02) are shown as symbols, never sent to the terminal
            click.echo(f"已修正 {ch.sheet}!{ch.cell}（{ch.code}）：“{visible(ch.old or '')}” → “{visible(str(ch.new) if ch.new is not None else '')}”",
                       err=fmt == "json")
        for c in short:
            click.echo(f"已调整行高 {describe(c)} → {new_heights([c])[c.sheet][c.row]:g} 磅", err=fmt == "json")
        click.echo(f"共修正 {len(changes)} 处{f'、调整行高 {len(short)} 行' if short else ''}，已写入 {shown(output)}；"
                   "原文件未改动。", err=fmt == "json")
        files = (output,)
    read = [validate_read(f, prof, engine=engine) for f in files]
    report = Report(files=[r for r, _ in read])
    books = [b for _, b in read]
    if annotate and report.files[0].readable:
        from .checks.annotate import annotate_file
        from .profiles import load_profile

        from .forms.reader import read_workbook

        password = (prof or load_profile("hebei")).protection_password
        book = books[0] or read_workbook(files[0], engine)  # not ours (JX-L01): the reader says why, as before
        short = short_rows(files[0], book)
        annotate_file(files[0], output, report.files[0], password=password, book=book, heights=new_heights(short))
        click.echo(f"已标注 {len(report.files[0].issues)} 个问题{f'、调整行高 {len(short)} 行' if short else ''}，"
                   f"写入 {shown(output)}；原文件未改动。", err=fmt == "json")
        annotated = True
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        _render_text(report)
        if not (fix or annotated):
            _print_hints(files, books)
    sys.exit(report.exit_code)


def _print_hints(files: tuple[str, ...], books: list) -> None:
    """Rows whose text the printout would cut (Excel sizes no merged cell): said after the findings."""
    from .forms.printfit import describe, short_rows

    lines = []
    for path, book in zip(files, books):
        if book is None:  # the findings above say why it cannot be read
            continue
        lines += [f"  {shown(path)} {describe(c)}" if len(files) > 1 else f"  {describe(c)}"
                  for c in short_rows(path, book)]
    if lines:
        click.secho("打印提示：以下格子文字较多，按现在的行高打印不全（Excel 不会为合并的格子自动调整行高）：", fg="yellow")
        for line in lines:
            click.echo(line)
        click.echo("  加 --fix -o 副本.xlsx 可生成行高已调整好的副本，或在 Excel 中右键行号 →“行高”自行调整。")


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
    from .consolidation import consolidate as run
    from .outputs import check_folder_output, check_output

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


@main.group()
def selfeval() -> None:
    """绩效自评：由当年目标表生成自评表。"""


@selfeval.command("new")
@click.argument("targets", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="自评表（.xlsx）。")
def selfeval_new(targets: str, output: str) -> None:
    """由目标表预填自评表：指标、目标值、预算带入，实际完成值留空。"""
    from .outputs import check_output
    from .forms.reader import read_workbook
    from .selfeval.prefill import prefill
    from .selfeval.writer import write_selfeval

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
    from .selfeval.grading import UNFINISHED, score as run
    from .selfeval.reading import read_selfeval
    from .selfeval.writer import write_scores

    _check_write_option(write, output, "--write", file)
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
        click.echo(f"  部门整体：{line(d)}；执行率 {d.rate * 100:.1f}% 得 {d.execution_score:.2f}")
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


@main.command("import")
@click.argument("document", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="单位工作簿（.xlsx 或 .xlsm）。")
@click.option("--format", "fmt", type=click.Choice(["auto", "docx", "pdf", "text"]), default="auto",
              show_default=True, help="文档格式，默认按扩展名判断。")
def import_command(document: str, output: str, fmt: str) -> None:
    """把已发布的绩效文本、绩效目标表或自评表（Word / PDF / 文本）导入为单位工作簿（自评表导入为自评表工作簿）。

    认出多少导入多少：未能识别的行逐行列出（带行号），此时退出码为 1。"""
    from .converters import import_any
    from .converters.build import holds_selfeval
    from .outputs import check_output
    from .forms.template import write_workbook
    from .checks.validate import validate_file

    check_output(output, inputs=[document], content="workbook")
    result = import_any(document, fmt)
    book, ev = result.book, result.selfeval
    sheets = 0
    if holds_selfeval(ev):
        from .selfeval.writer import write_selfeval

        write_selfeval(output, ev)  # a self-evaluation: the 自评表 workbook, filled with the document's own 得分
        sheets = len(ev.projects) + (1 if ev.department.indicators or ev.department.initial_total is not None else 0)
        click.echo(f"已导入自评表：{ev.unit.name or ''}，{sheets} 张自评表 → {output}（用 jixiao score {output} 打分）")
        from .converters.build import own_scores_checked

        differing = own_scores_checked(ev)
        click.echo(f"  文档自评得分核对：{len(differing)} 项与计分规则不符" if differing else
                   "  文档自评得分核对：可计算的各项均与计分规则一致")
        for line in differing:
            click.echo(f"    {line}")
    else:
        write_workbook(output, book)
        click.echo(f"已导入：{book.unit.code or ''} {book.unit.name or ''}，{len(book.projects)} 个项目"
                   f"{'，含整体支出绩效目标表' if book.overall else ''} → {output}")
    for line in result.unplaced:
        click.secho(f"  未导入：{line}", fg="yellow")
    if ev is None:
        report = validate_file(output)
        click.echo(f"  导入结果校验：{report.errors} 个错误，{report.warnings} 个提示（详见 jixiao validate {output}）")
    partial = result.incomplete
    if partial:
        lines = sum(1 for u in partial if getattr(u, "kind", "line") == "line")
        rows = len(partial) - lines
        what = f"{sheets} 张自评表" if ev is not None and sheets else f"{len(book.projects)} 个项目"
        click.echo(f"导入 {what}；{lines} 行未能识别"
                   f"{f'，{rows} 处识别出的内容无处安放' if rows else ''}，见列表")
        sys.exit(EXIT_FINDINGS)


@main.command("export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--to", "to", required=True, type=click.Choice(["docx", "pdf", "json", "csv"]), help="导出格式。")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件。")
def export_command(file: str, to: str, output: str) -> None:
    """把单位工作簿导出为正式版式的 Word / PDF 绩效文本，或 JSON / CSV。"""
    from .converters import EXPORTERS
    from .errors import NotAJixiaoWorkbook
    from .outputs import check_output
    from .forms.reader import read_workbook

    check_output(output, inputs=[file], content=to)
    try:
        book = read_workbook(file)
    except NotAJixiaoWorkbook as not_targets:
        from .selfeval.grading import score as run  # perhaps a 自评表 rather than a target workbook
        from .selfeval.reading import read_selfeval

        try:
            evaluation = read_selfeval(file)
        except NotAJixiaoWorkbook:
            raise not_targets from None
        if to not in ("docx", "pdf"):
            fail("这是自评表：打分请用 jixiao score，导出自评报告请用 --to docx 或 --to pdf")
        from .converters.selfeval_docx import export_selfeval_docx, export_selfeval_pdf

        report = run(evaluation)
        export = export_selfeval_pdf if to == "pdf" else export_selfeval_docx
        click.echo(f"已导出自评报告：{export(report, output)}")
        if not report.complete:  # the report says so too: no grade while anything is 未评
            click.echo(f"注意：自评表有 {len(report.pending)} 项未评，报告中未评定等级（未完成评分）；"
                       f"请用 jixiao score 查看清单。")
            sys.exit(EXIT_FINDINGS)
        return
    from .checks.validate import validate_book
    from .totals.plan import miscounted, uncounted

    issues = validate_book(book)  # once: the errors to list, and which of them the totals leave out
    click.echo(f"已导出：{EXPORTERS[to](book, output)}")
    _exit_if_errors(output, issues, uncounted(book, issues=issues), miscounted(issues))


def _exit_if_errors(output: str, issues, findings, twice=()) -> None:
    """A document made from a workbook with errors (a sheet copied as 项目1 (2) prints the same
    project twice, a money cell holds no number) is no document to hand in: say so, every error
    with its cell, which of them left an amount out of the document's totals and which counted a
    project twice (``twice``: JX-C03), and exit 1.
    The warnings among ``findings`` (a filled-in 项目模板, JX-L04) are said and do not fail."""
    from .checks.catalogue import SEVERITY_ZH

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


@main.command("carry")
@click.argument("last_year", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", required=True, type=int, help="新的预算年度，如 2027。")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="新年度的单位工作簿（.xlsx）。")
@click.option("--selfeval", type=click.Path(exists=True, dir_okay=False), default=None,
              help="上年已打分的自评表：延续项目的指标值取上年实际完成值。")
def carry_command(last_year: str, year: int, output: str, selfeval: str | None) -> None:
    """由上年单位工作簿生成新年度工作簿：项目、指标带入，金额和支出计划清空待填，上年数列在旁边。"""
    from .years.carry import carry_file
    from .outputs import check_output
    from .checks.validate import validate_file

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
    from .years.diff import diff_files
    from .years.diff_report import render_text, write_xlsx
    from .outputs import check_output

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


from .site.cli import serve  # noqa: E402 - the 报送站 (jixiao serve and its subcommands), in its own package
main.add_command(serve)

if __name__ == "__main__":  # pragma: no cover
    main()
