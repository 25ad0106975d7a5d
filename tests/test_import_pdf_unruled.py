"""A PDF whose tables were printed without ruling lines: nothing made up from it, nothing dropped unsaid.

Before, such a 绩效文本 imported with exit 0 as “0 个项目” and no word of its two project tables, and such
a 自评表 became thirty indicators named after halves of words (“年度指”, “实际完”)."""

from __future__ import annotations

import re

from click.testing import CliRunner

import variant_docs as V
from conftest import requires_soffice
from jixiao.cli import main
from jixiao.converters import export_docx
from jixiao.excel.office import convert
from jixiao.forms.reader import read_workbook


def _import(path, out):
    result = CliRunner().invoke(main, ["import", str(path), "-o", str(out)])
    assert "意外错误" not in result.output and "Traceback" not in result.output, result.output
    return result


def _squeezed(text: str | None) -> str:
    return re.sub(r"\s", "", text or "")


@requires_soffice
def test_a_text_printed_without_table_borders_lists_its_tables_and_keeps_its_prose(tmp_path, example_books):
    book = example_books["luanping_xinfang_2026"]
    ruled_docx = export_docx(book, tmp_path / "ruled" / "文本.docx")
    bare_docx = V.without_borders(ruled_docx, tmp_path / "文本.docx")
    ruled = _import(convert(ruled_docx, "pdf", tmp_path / "ruled"), tmp_path / "ruled.xlsx")
    bare = _import(convert(bare_docx, "pdf", tmp_path), tmp_path / "bare.xlsx")

    # the same document with its borders: its tables are read, and nothing is said of borders
    assert "框线" not in ruled.output
    assert len(read_workbook(tmp_path / "ruled.xlsx").projects) == len(book.projects) == 2

    assert bare.exit_code == 1, bare.output  # partial: the clerk has tables to fill in by hand
    listed = [ln for ln in bare.output.splitlines() if "没有框线" in ln]
    assert listed and all(ln.strip().startswith("未导入：") for ln in listed), bare.output
    for project in book.projects:  # each table is named by its first line, the project's code
        assert any(project.code in ln for ln in listed), (project.code, listed)
    counts = [int(re.search(r"(\d+) 行未导入", ln).group(1)) for ln in listed]
    indicators = sum(len(p.indicators) for p in book.projects)
    assert sum(counts) > 2 * indicators  # every line of them, not a line a table
    assert f"导入 0 个项目；{sum(counts)} 行未能识别" in bare.output  # the count counts them

    got = read_workbook(tmp_path / "bare.xlsx")
    assert got.projects == []  # no project is made up from the halves of the tables' words
    assert _squeezed(got.department.overall_goal) == _squeezed(book.department.overall_goal) != ""
    assert [m.title for m in got.department.measures] == [m.title for m in book.department.measures]


@requires_soffice
def test_a_selfeval_printed_without_borders_is_refused_with_the_remedy(tmp_path):
    pdf = convert(V.selfeval_national(tmp_path / "自评.docx"), "pdf", tmp_path)
    out = tmp_path / "自评.xlsx"
    result = _import(pdf, out)
    assert result.exit_code == 2, result.output
    assert "表格没有框线" in result.output and "未导入任何内容" in result.output, result.output
    assert "原 Word / Excel 文件" in result.output  # what the clerk can do instead
    assert not out.exists()

