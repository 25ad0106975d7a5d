"""A consolidation under a file size limit (``ulimit -f``, a quota): SQLite's cache fails first.

Its reasons are English (``disk I/O error``) and reached the clerk as they were; where the cache beside
the output could not be opened and the temporary one then failed too, the run ended in 意外错误. Every
such stop says why in Chinese, and the summary from before is untouched.
"""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from jixiao.forms.template import write_workbook
from jixiao.synth import generate_unit


def _limited(limit_bytes: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_consolidate_under_a_file_size_limit_says_why_in_chinese(tmp_path, cache):
    folder = tmp_path / "各单位"
    folder.mkdir()
    for seed in (3, 4):
        write_workbook(folder / f"{seed}.xlsx", generate_unit(seed, n_projects=2, n_indicators=4))
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"PK old summary")  # what an earlier run left: must stay as it was
    run = subprocess.run([sys.executable, "-c", "from jixiao.cli import main; main()", "consolidate", str(folder),
                          "-o", str(out), *cache], capture_output=True, text=True, preexec_fn=_limited(20 * 1024),
                         timeout=300)
    said = run.stdout + run.stderr
    assert run.returncode == 2, said
    assert "意外错误" not in said and "disk I/O error" not in said
    assert "文件超过了系统允许的大小" in said and "原有的汇总表未改动" in said
    assert out.read_bytes() == b"PK old summary"


def test_sqlite_reasons_are_chinese():
    import sqlite3

    from jixiao.consolidation.cache import sqlite_reason

    assert sqlite_reason(sqlite3.OperationalError("database or disk is full")) == "磁盘已满"
    assert sqlite_reason(sqlite3.OperationalError("attempt to write a readonly database")).startswith("磁盘是只读的")
    assert sqlite_reason(sqlite3.OperationalError("something new")) == "数据库错误：something new"


def test_export_under_a_file_size_limit_names_the_output_not_the_draft(tmp_path):
    """The 目录's page numbers come from a draft rendered in a temporary folder; its failure named that
    draft (/tmp/jixiao-toc-…/draft.docx), a file the clerk never asked for. The draft is optional."""
    from jixiao.excel.office import soffice, writer_missing

    if soffice() is None or writer_missing():
        pytest.skip("LibreOffice Writer is not installed: no draft is made")
    book = write_workbook(tmp_path / "单位.xlsx", generate_unit(3, n_projects=2, n_indicators=4))
    out = tmp_path / "绩效文本.docx"
    run = subprocess.run([sys.executable, "-c", "from jixiao.cli import main; main()", "export", str(book),
                          "--to", "docx", "-o", str(out)], capture_output=True, text=True,
                         preexec_fn=_limited(20 * 1024), timeout=300)
    said = run.stdout + run.stderr
    assert run.returncode == 2, said
    assert f"无法写入 {out}" in said and "draft" not in said and "文件超过系统允许的大小" in said
    assert not out.exists()
