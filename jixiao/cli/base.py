"""The ``jixiao`` group and what its commands share: exit statuses, ``fail``, the error handling."""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..errors import JixiaoError
from ..profiles import BUILTIN

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

    from ..cliusage import ChineseCommand as command_class, ChineseContext as context_class

    group_class = type  # subgroups are JixiaoGroups too

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        from ..cliusage import run

        run(self, args, prog_name, complete_var, extra)

    def invoke(self, ctx: click.Context):
        from ..outputs import protected

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
            from ..oserror import os_reason

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


PROFILES = click.Choice(BUILTIN)


def check_write_option(flag: bool, output: str | None, name: str, *inputs: str) -> None:
    """``-o`` goes with ``name`` (a flag that writes a workbook); refuse a bad output before reading."""
    from ..outputs import check_output

    if output and not flag:
        fail(f"指定了 -o {output}，但没有加 {name}：要写出文件请加上 {name}，只查看结果请去掉 -o")
    if flag and not output:
        fail(f"使用 {name} 时请用 -o 指定输出文件")
    if flag:
        check_output(output, inputs=inputs, content="workbook")
