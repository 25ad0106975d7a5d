"""The CLI: every command has help; demo and show work on real files; errors exit 2 cleanly."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.layouts import forms_of
from jixiao.forms.reader import read_workbook


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=" ".join)
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    cmd = main
    for part in path:
        cmd = cmd.commands[part]
    assert cmd.help and cmd.help.strip()


def test_demo_writes_readable_units(tmp_path):
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "demo")])  # -o, as every other command
    assert result.exit_code == 0, result.output
    units = sorted((tmp_path / "demo" / "units").glob("*.xlsx"))
    assert len(units) == 10  # 3 seeds, 5 synthetic Hebei-form units, 2 of the national forms
    assert sum(bool(forms_of(read_workbook(u)).project.periods) for u in units) == 2
    names = {read_workbook(u).unit.name for u in units}
    assert {"滦平县信访局本级", "怀来县信访局", "芷江侗族自治县信访局"} <= names
    from jixiao.profiles import BUILTIN

    templates = tmp_path / "demo" / "templates"
    assert len(list(templates.glob("jixiao-unit-*.xlsx"))) == len(BUILTIN)  # one per built-in profile
    assert len(list(templates.glob("jixiao-unit-*.xlsm"))) == len(BUILTIN)  # one per built-in profile
    assert len(list(templates.glob("jixiao-selfeval-*.xlsx"))) == len(BUILTIN)  # one per built-in profile
    assert "jixiao" in result.output
    # and the bureau's job on them: the county summary, every file in it or listed with its reason
    import openpyxl

    assert "文件：找到 10 = 纳入 9 + 未纳入 1（核对一致）" in result.output, result.output
    # the budget line adds up, and the demo's project whose sources miss its 预算数 is named as what it is
    # (a JX-B01 difference), not as money "not split by source" (that is a form without sources, 四川's)
    import re
    from decimal import Decimal

    line = next(x for x in result.output.splitlines() if x.strip().startswith("预算数"))
    budget, fiscal, other, diff = (Decimal(v) for v in re.findall(r"\d+\.\d\d", line))
    assert budget == fiscal + other + diff and diff, line
    assert "与来源合计之差" in line and "JX-B01" in line and "未按来源分列" not in line, line
    summary = openpyxl.load_workbook(tmp_path / "demo" / "全县汇总.xlsx", read_only=True)
    left_out = [r for r in summary["未纳入文件"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(left_out) == 1 and any("286002_怀来县信访局.xlsx" in str(v) for v in left_out[0])
    again = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "demo")])  # a clerk runs it twice
    assert again.exit_code == 0, again.output


def test_show_json_equals_library(example_files):
    path = example_files["luanping_xinfang_2026"]
    result = CliRunner().invoke(main, ["show", str(path), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(read_workbook(path).model_dump_json())


def test_foreign_file_exits_2_without_traceback(foreign_xlsx):
    result = CliRunner().invoke(main, ["show", str(foreign_xlsx)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "jixiao 模板" in result.output


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=" ".join)
def test_every_help_page_is_chinese(path):
    """`jixiao serve -h` (a group from its own package) showed click's English "Usage:"/"Options:"."""
    text = CliRunner().invoke(main, [*path, "-h"]).output
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[default:", "[required]",
                    "[OPTIONS]", "COMMAND"):
        assert english not in text, (english, text)


@pytest.mark.parametrize("value, says", [("abc", "“abc”不是整数"), ("1.5", "“1.5”不是整数"),
                                         ("0", "0 超出范围（1–65535）")])
def test_port_that_is_no_number_is_not_called_out_of_range(value, says, tmp_path):
    result = CliRunner().invoke(main, ["serve", "--data", str(tmp_path), "--port", value])
    assert result.exit_code == 2
    assert f"--port 的值无效：{says}" in result.output


@pytest.mark.parametrize("args", [["import", "x.txt", "-o"], ["export", "x.xlsx", "--to"], ["serve", "--public-url"],
                                  ["templates", "build", "--out"]], ids=" ".join)
def test_option_without_its_value_points_to_the_help_page(args):
    result = CliRunner().invoke(main, args, prog_name="jixiao")
    assert result.exit_code == 2
    assert f"选项 {args[-1]} 后面需要写一个值" in result.output
    command = " ".join(a for a in args if not a.startswith("-") and "." not in a)
    assert f"查看用法：jixiao {command} -h" in result.output, result.output


@pytest.mark.parametrize("args", [[], ["templates"]], ids=lambda a: " ".join(["jixiao", *a]))
def test_a_command_typed_alone_shows_its_help_not_an_error(args):
    """A clerk who types ``jixiao`` to see what it does gets the help page, not 错误：用法：…"""
    result = CliRunner().invoke(main, args, prog_name="jixiao")
    assert result.exit_code == 0, result.output
    assert not result.output.startswith("错误") and "查看用法" not in result.output
    assert "用法：jixiao" in result.output and "命令:" in result.output, result.output
