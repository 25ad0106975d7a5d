"""The commands on one unit workbook: templates, show, totals and validate."""

from __future__ import annotations

import json
import sys

import click

from ..forms.values import money_in
from ..paths import shown
from ..profiles import BUILTIN
from .base import check_write_option, EXIT_FINDINGS, fail, main, PROFILES


@main.group()
def templates() -> None:
    """模板：生成锁定的单位填报模板。"""


@templates.command("build")
@click.option("--profile", "profiles", multiple=True, type=click.Choice(BUILTIN),
              help="配置（省份/版式），可多次指定；默认全部。")
@click.option("--profile-file", "profile_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="自定义配置文件（可指向同一文件夹中的表样文件），可多次指定。")
@click.option("-o", "--out", default="workbook_templates", show_default=True, type=click.Path(file_okay=False),
              help="输出文件夹。")
def templates_build(profiles: tuple[str, ...], profile_files: tuple[str, ...], out: str) -> None:
    """生成单位填报模板（.xlsx）。"""
    from ..demo import build_templates
    from ..outputs import check_folder_output
    from ..profiles import load_profile_file

    chosen = [*profiles, *(load_profile_file(f) for f in profile_files)]
    check_folder_output(out)
    for path in build_templates(out, tuple(chosen) or BUILTIN):
        click.echo(f"已生成模板：{path}")


@templates.command("addin")
@click.option("-o", "--out", default="addin/jixiao.xlam", show_default=True, type=click.Path(dir_okay=False),
              help="加载项文件。")
def templates_addin(out: str) -> None:
    """生成带“绩效”选项卡的 Excel 加载项（.xlam）。"""
    from ..outputs import check_output
    from ..excel.ribbon import build_ribbon_addin

    check_output(out, content="addin")
    click.echo(f"已生成加载项：{build_ribbon_addin(out)}")

@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--engine", type=click.Choice(["calamine", "openpyxl"]), default="calamine", show_default=True)
def show(file: str, fmt: str, engine: str) -> None:
    """读取单位工作簿并显示其内容（json 为模型数据）。"""
    from ..forms.layouts import forms_of
    from ..forms.reader import read_workbook

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
    from ..profiles import profile_for, resolve_profile
    from ..forms.layouts import forms_of
    from ..forms.reader import read_workbook
    from ..totals.plan import MILESTONES, miscounted, to_json, uncounted, unit_schedule
    from ..checks.validate import validate_book

    check_write_option(write, output, "--write", file)
    book = read_workbook(file)
    prof = resolve_profile(profile, profile_file) if (profile or profile_file) else profile_for(book)
    schedule = unit_schedule(book, prof)
    issues = validate_book(book, prof)
    findings = uncounted(book, prof, issues) + miscounted(issues)  # a total printed with exit 0 counts all, once
    if write and not forms_of(book).project.has_plan:
        fail("该工作簿的表样（项目支出绩效目标申报表）没有资金支出计划，无法生成“支出计划汇总”表；"
             "各项目的中期、年度资金合计请看 jixiao totals 的输出（去掉 --write 和 -o）")
    if write:
        from ..totals.sheet import write_totals_workbook

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
    from ..checks.catalogue import SEVERITY_ZH

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

def _render_text(report) -> None:
    """A readable table grouped by file and sheet."""
    from ..checks.issues import SEVERITY_ZH

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
    from ..checks.issues import Report
    from ..profiles import resolve_profile
    from ..checks.validate import validate_read

    if output and not (fix or annotate):
        fail(f"指定了 -o {output}，但没有加 --fix 或 --annotate：修正请加 --fix，标注请加 --annotate，"
             "只校验请去掉 -o")
    if (fix or annotate) and (not output or len(files) != 1):
        fail("--fix / --annotate 需要且只能处理一个文件，并用 -o 指定输出文件")
    if fix and annotate:
        fail("--fix 与 --annotate 请分两次执行：先修正，再标注修正后的文件")
    if output:
        from ..outputs import check_output

        check_output(output, inputs=files, content="workbook")
    prof = resolve_profile(profile, profile_file) if (profile or profile_file) else None
    from ..forms.printfit import describe, new_heights, short_rows

    annotated = False
    if fix:
        from ..checks.fix import plan_fixes_and_results, write_fixed
        from ..forms.reader import read_workbook

        book = read_workbook(files[0])
        changes, results = plan_fixes_and_results(book, prof)
        short = short_rows(files[0], book)
        write_fixed(files[0], output, changes, new_heights(short), results)
        from ..forms.textsafe import visible

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
        from ..checks.annotate import annotate_file
        from ..profiles import load_profile

        from ..forms.reader import read_workbook

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
    from ..forms.printfit import describe, short_rows

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
