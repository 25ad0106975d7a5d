"""Click's usage errors, Ctrl-C and stray warnings rendered for a clerk: Chinese, exit 2 (130 for Ctrl-C).

Click builds its messages in English ("Usage: … Error: Invalid value for …");
:func:`run` calls the command group outside click's standalone mode and
renders every :class:`click.UsageError` itself from the exception's parts
(the parameter, its type, the offending value), so no English reaches a
clerk whatever command or option raised it.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import click

EXIT_USAGE, EXIT_CANCELLED = 2, 130

#: argument metavars as a clerk would name them
_ARGUMENTS = {"FILE": "文件", "FILES": "文件", "INPUTS": "输入的文件或文件夹", "TARGETS": "目标表",
              "DOCUMENT": "文档"}


def run(group: click.Group, args: Any, prog_name: Any, complete_var: Any, extra: dict[str, Any]) -> None:
    """Run ``group`` as click's standalone mode would, but with Chinese messages; never returns."""
    _quiet_finalisers()
    from .openlock import open_notices

    for notice in open_notices(sys.argv[1:] if args is None else args):  # before reading: unsaved edits are not in it
        click.secho(notice, fg="yellow", err=True)
    try:
        rv = click.Group.main(group, args, prog_name, complete_var, standalone_mode=False, **extra)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _cancelled()
    except click.exceptions.NoArgsIsHelpError as exc:  # `jixiao` or `jixiao templates` alone: the help, no error
        click.echo(exc.ctx.get_help())
        sys.exit(0)
    except click.UsageError as exc:
        click.secho(f"错误：{usage_message(exc)}", fg="red", err=True)
        if exc.ctx is not None:
            click.echo(f"查看用法：{exc.ctx.command_path} -h", err=True)
        sys.exit(EXIT_USAGE)
    except click.FileError as exc:
        click.secho(f"错误：无法打开 {exc.ui_filename}", fg="red", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.secho(f"错误：{exc.format_message()}", fg="red", err=True)
        sys.exit(exc.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)


def _cancelled() -> None:
    """Ctrl-C: outputs are written atomically (their temporary files removed on the way out), so
    nothing partial is left; say so in one line, exit 130 as shells expect."""
    try:
        click.secho("\n已取消（没有写入任何不完整的文件）", fg="yellow", err=True)
    except Exception:  # noqa: BLE001 - the terminal may be gone
        pass
    sys.exit(EXIT_CANCELLED)


def _quiet_finalisers() -> None:
    """A failed save (full disk) can leave a writer whose finaliser writes again and fails: Python
    prints "Exception ignored in ZipFile.__del__" with a traceback. The clerk has been told already."""
    if os.environ.get("JIXIAO_DEBUG"):
        return

    sys.unraisablehook = lambda unraisable: None


def _name(param: click.Parameter | None) -> str:
    if param is None:
        return "参数"
    if isinstance(param, click.Argument):
        meta = (param.metavar or param.name or "").upper().strip(".")
        return _ARGUMENTS.get(meta, meta)
    return " / ".join(param.opts)


#: commands that read workbooks one by one: given a folder, the clerk most likely wants the whole folder checked
_ONE_WORKBOOK = frozenset({"validate", "show", "totals"})

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def usage_message(exc: click.UsageError) -> str:
    """One Chinese sentence for a click usage error (ours are Chinese already and pass as they are)."""
    msg = exc.message or ""
    if _CHINESE.search(re.sub(r"'[^']*'|\"[^\"]*\"", "", msg)):  # Chinese outside the quoted values
        return msg
    if isinstance(exc, click.NoSuchOption):
        hint = f"；您是否想用：{'、'.join(sorted(exc.possibilities))}" if exc.possibilities else ""
        return f"没有 {exc.option_name} 这个选项{hint}"
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        if isinstance(param, click.Argument):
            return f"缺少{_name(param)}：请在命令后写上{_name(param)}的路径"
        return f"缺少选项 {_name(param)}" + ("（输出文件）" if param is not None and "output" in (param.name or "") else "")
    if isinstance(exc, click.BadOptionUsage):
        if "requires an argument" in msg or "requires" in msg:
            return f"选项 {exc.option_name} 后面需要写一个值"
        if "does not take a value" in msg:
            return f"选项 {exc.option_name} 不需要值"
        return f"选项 {exc.option_name} 用法有误"
    if isinstance(exc, click.BadParameter):
        if exc.param is not None and isinstance(exc.param.type, click.Path):
            said = _bad_value(exc)  # names the path itself
            command = exc.ctx.command.name if exc.ctx is not None else None
            if "is a directory" in (exc.message or "") and command in _ONE_WORKBOOK and isinstance(exc.param,
                                                                                               click.Argument):
                folder = _quoted(exc.message or "") or "文件夹"
                folder = f'"{folder}"' if " " in folder else folder
                said += (f"；要检查一个文件夹中的全部工作簿，请用 jixiao consolidate {folder} -o 汇总.xlsx"
                         "（问题列在汇总表的“校验问题”中）")
            return said
        return f"{_name(exc.param)} 的值无效：{_bad_value(exc)}"
    m = re.match(r"No such command '(.*)'", msg)
    if m:
        return _no_such_command(m.group(1), exc.ctx)
    m = re.match(r"Got unexpected extra arguments? \((.*)\)", msg)
    if m:
        return f"多余的参数：{m.group(1)}（路径中有空格时请加引号）"
    if msg.startswith("Missing command"):
        return "缺少命令"
    return "命令用法有误"


def _no_such_command(name: str, ctx: click.Context | None) -> str:
    """``jixiao valdate``: the commands it is close to; ``jixiao selfeval 单位.xlsx``: a file where the
    command goes, so the line to type, with the command before the file."""
    import difflib

    commands = sorted(getattr(ctx.command, "commands", None) or {}) if ctx is not None else []
    if not commands:
        return f"没有 {name} 这个命令"
    if "/" in name or "\\" in name or re.search(r"\.[A-Za-z]{2,5}$", name):
        command = "validate" if "validate" in commands else commands[0] if len(commands) == 1 else None
        shown = f'"{name}"' if " " in name else name
        line = f"{ctx.command_path} {command or '命令'} {shown}"
        return (f"没有 {name} 这个命令：文件要写在命令之后，如 {line}"
                + ("" if command and len(commands) == 1 else f"（可用的命令：{'、'.join(commands)}）"))
    close = difflib.get_close_matches(name, commands, n=3, cutoff=0.6)
    if close:
        return f"没有 {name} 这个命令；您是否想用：{'、'.join(close)}"
    return f"没有 {name} 这个命令；可用的命令：{'、'.join(commands)}"


_PATH_PROBLEMS = [
    (r"does not exist", "{path} 不存在（请检查路径和文件名）"),
    (r"is a directory", "{path} 是文件夹，这里需要一个文件"),
    (r"is a file", "{path} 是文件，这里需要一个文件夹"),
    (r"is not readable", "{path}：没有读取权限"),
    (r"is not writable", "{path}：没有写入权限"),
    (r"is not executable", "{path}：不能执行"),
]


def _quoted(msg: str) -> str:
    """The value click quotes in its message (``Path '交来的文件' is a directory.``), or ''."""
    quoted = re.search(r"'(.*)'", msg)
    return quoted.group(1) if quoted else ""


def _bad_value(exc: click.BadParameter) -> str:
    msg = exc.message or ""
    kind = exc.param.type if exc.param is not None else None
    if isinstance(kind, click.Path):
        path = _quoted(msg)
        for pattern, text in _PATH_PROBLEMS:
            if re.search(pattern, msg):
                return text.format(path=path)
        return f"{path} 无法使用"
    value = re.match(r"'?(.*?)'? is ", msg)
    shown = value.group(1) if value else ""
    if isinstance(kind, click.Choice):
        return f"“{shown}”不是可选的值；可选：{'、'.join(map(str, kind.choices))}"
    if isinstance(kind, click.IntRange) and "not a valid" in msg:  # "abc", "1.5": not out of range, not a number
        return f"“{shown}”不是整数"
    if isinstance(kind, click.IntRange):
        low = "" if kind.min is None else kind.min
        high = "" if kind.max is None else kind.max
        return f"{shown} 超出范围（{low}–{high}）"
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return f"“{shown}”不是数字"
    return "取值无效"


# --- help pages in Chinese (the headings click writes in English) ---------------------------------------

_SECTIONS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
_PHRASES = [("Show this message and exit.", "显示本帮助并退出。"), ("Show the version and exit.", "显示版本并退出。"),
            ("[default: ", "[默认："), ("[required]", "[必填]"), ("default: ", "默认：")]


_METAVARS = {"INTEGER RANGE": "整数", "INTEGER": "整数", "DIRECTORY": "文件夹", "FILE": "文件", "PATH": "路径",
             "TEXT": "文字", "FILES...": "文件...", "INPUTS...": "文件或文件夹...", "TARGETS": "目标表",
             "DOCUMENT": "文档"}
_METAVAR = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(_METAVARS, key=len, reverse=True)) + r")(?=\s|$)")


class ChineseHelpFormatter(click.HelpFormatter):
    """Help pages with Chinese headings ("用法：", "选项") and click's own option texts translated.

    Option metavars (FILE, INTEGER) stay: click aligns the columns by character count, and
    Chinese characters are twice as wide on a terminal.
    """

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("[COMMAND] [ARGS]...", "[命令] [参数]...")
        args = args.replace("COMMAND [ARGS]...", "命令 [参数]...")
        args = _METAVAR.sub(lambda m: _METAVARS[m.group(0)], args)
        super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)

    def section(self, name: str):
        return super().section(_SECTIONS.get(name, name))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _translate(text)) for term, text in rows], col_max, col_spacing)


def _translate(text: str) -> str:
    for english, chinese in _PHRASES:
        text = text.replace(english, chinese)
    return text


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class _KnowsItsContext:
    """click's parser raises "option requires an argument" without the context, so the clerk got
    no "查看用法：jixiao import -h" line after "选项 -o 后面需要写一个值"; give it the context."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.UsageError as exc:
            if exc.ctx is None:
                exc.ctx = ctx
            raise


class ChineseCommand(_KnowsItsContext, click.Command):
    context_class = ChineseContext


class ChineseGroup(_KnowsItsContext, click.Group):
    """A command group added from its own package (``jixiao serve``) with Chinese help pages too."""

    context_class = ChineseContext
    command_class = ChineseCommand
    group_class = type
