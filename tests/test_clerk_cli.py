"""Issue 14, point 19: every usage error in Chinese with exit 2, Ctrl-C is "已取消" and exit 130 with no
partial output, and OS errors are put into Chinese. Real CLI runs (CliRunner and subprocesses)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.oserror import os_reason

from conftest import as_at_a_terminal

ENGLISH = ("Usage:", "Error:", "Invalid value", "No such option", "No such command", "Missing argument",
           "Missing option", "Try '", "does not exist", "is a directory", "requires an argument",
           "is not one of", "Traceback", "Aborted")


@pytest.fixture
def unit(tmp_path, example_files):
    path = tmp_path / "单位.xlsx"
    shutil.copy(example_files["luanping_xinfang_2026"], path)
    return path


@pytest.mark.parametrize("args, words", [
    (["validate"], ["缺少文件"]),
    (["validate", "{t}/没有这个.xlsx"], ["没有这个.xlsx", "不存在"]),
    (["validate", "{t}"], ["是文件夹", "jixiao consolidate {t} -o 汇总.xlsx"]),  # a folder: how to check it whole
    (["show", "{t}"], ["是文件夹", "jixiao consolidate {t}"]),
    (["validate", "{u}", "--bogus"], ["--bogus", "没有"]),
    (["validate", "{u}", "--fo", "json"], ["--fo", "--format"]),
    (["validate", "{u}", "--format", "xml"], ["xml", "text、json"]),
    (["totals", "{u}", "--profile", "beijing"], ["beijing", "hebei"]),
    (["consolidate", "{t}"], ["缺少选项", "-o"]),
    (["consolidate", "{t}", "-o"], ["-o", "需要写一个值"]),
    (["consolidate", "{t}", "-o", "{t}"], ["是文件夹"]),
    (["consolidate", "{t}", "-o", "{t}/s.xlsx", "--workers", "0"], ["--workers", "超出范围"]),
    (["consolidate", "{t}", "-o", "{t}/s.xlsx", "--year", "二〇二六"], ["--year", "不是数字"]),
    (["consolidate", "{t}/没有", "-o", "{t}/s.xlsx"], ["不存在"]),
    (["export", "{u}", "--to", "docx", "-o", "{t}"], ["是文件夹"]),
    (["export", "{u}", "-o", "{t}/文本"], ["--to", "docx、pdf", ".docx"]),  # no format, and no suffix to tell it
    (["templates", "build", "--out", "{u}"], ["是文件", "文件夹"]),
    (["templates", "build", "-o", "{u}"], ["是文件", "文件夹"]),  # -o as in every other command
    (["frob"], ["没有 frob 这个命令", "可用的命令：carry、"]),
    (["valdate", "{u}"], ["没有 valdate 这个命令", "您是否想用：validate"]),
    (["{u}"], ["文件要写在命令之后", " validate {u}"]),  # the file dropped on the command line alone
    (["selfeval", "{u}", "-o", "{t}/自评表.xlsx"], ["文件要写在命令之后", " selfeval new {u}"]),
    (["templates"], []),
    (["validate", "{u}", "extra file"], ["不存在"]),
])
def test_usage_errors_are_chinese_and_exit_2(tmp_path, unit, args, words):
    result = CliRunner().invoke(main, [a.format(t=tmp_path, u=unit) for a in args])
    if args == ["templates"]:  # a group without its command shows its help, as click does
        assert result.exit_code in (0, 2)
        return
    assert result.exit_code == 2, result.output
    assert "错误：" in result.output
    assert not any(e in result.output for e in ENGLISH), result.output
    for w in words:
        assert w.format(t=tmp_path, u=unit) in result.output, result.output


def test_export_takes_its_format_from_the_output_name(tmp_path, unit):
    out = tmp_path / "绩效文本.docx"
    result = CliRunner().invoke(main, ["export", str(unit), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"  # a Word document, not an error for the missing --to


def test_usage_error_in_a_real_process(tmp_path):
    done = subprocess.run([sys.executable, "-m", "jixiao.cli", "validate", str(tmp_path / "无.xlsx")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "不存在" in done.stderr and not any(e in done.stderr for e in ENGLISH), done.stderr


def test_os_errors_are_chinese():
    assert os_reason(OSError(errno.ENOENT, "No such file or directory")) == "文件不存在"
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "没有读取权限"
    assert os_reason(PermissionError(errno.EACCES, "Permission denied"), writing=True) == "没有写入权限"
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "磁盘已满"
    assert "No such" not in os_reason(OSError(errno.ECHILD, "No child processes"))


def test_unreadable_profile_file_reason_is_chinese(tmp_path, unit):
    """A real OSError on reading (a FIFO opened non-blocking would hang; a folder raises EISDIR)."""
    from jixiao.errors import ProfileError
    from jixiao.profiles import load_profile_file

    with pytest.raises(ProfileError) as err:
        load_profile_file(tmp_path)
    assert "文件夹" in str(err.value) and "Is a directory" not in str(err.value)


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs /proc to see the worker processes")
def test_ctrl_c_during_consolidation_says_cancelled_and_leaves_nothing(tmp_path, example_files):
    """SIGINT to the process group, as a terminal's Ctrl-C, while 600 workbooks are being read."""
    units = tmp_path / "各单位"
    units.mkdir()
    sources = list(example_files.values())
    for i in range(600):
        shutil.copy(sources[i % len(sources)], units / f"单位{i:03d}.xlsx")
    out = tmp_path / "汇总"
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "consolidate", str(units), "-o",
                             str(out / "全县汇总.xlsx"), "--no-cache", "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=as_at_a_terminal)
    children = f"/proc/{proc.pid}/task/{proc.pid}/children"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # the workers exist: the files are being read
        if os.path.exists(children) and open(children).read().split():
            break
        time.sleep(0.05)
    time.sleep(0.3)
    assert proc.poll() is None, "consolidation ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "已取消" in stderr
    assert not any(e in stderr + stdout for e in ENGLISH), stderr
    assert not out.exists() or [p.name for p in out.iterdir() if p.is_file() and ".jixiao-cache" not in p.name] == []
    assert len(list(units.iterdir())) == 600


@pytest.mark.parametrize("path", [["--help"], ["validate", "-h"], ["consolidate", "-h"], ["templates", "build", "-h"],
                                  ["selfeval", "new", "-h"]])
def test_help_pages_speak_chinese(path):
    result = CliRunner().invoke(main, path)
    assert result.exit_code == 0
    assert "用法：" in result.output and ("选项" in result.output)
    assert not any(e in result.output for e in ("Usage:", "Options:", "Show this message", "[default:")), result.output
