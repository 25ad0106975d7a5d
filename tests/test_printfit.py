"""Long text in a merged cell (绩效目标 B8:G8) is cut off on paper: Excel sizes no merged row.

A clerk types into the template in Excel, where the row keeps the form's height; openpyxl writing the
text into a copy of a real workbook is that, byte for byte in the row. jixiao says which rows are too
short, and every copy it writes (``--fix``, ``--annotate``, the 校验 button) makes them tall enough.
"""

from __future__ import annotations

import os
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.layouts import forms_of
from jixiao.forms.printfit import cramped_rows, short_rows, span_width, text_height
from jixiao.forms.reader import read_workbook

from conftest import requires_soffice

GOAL = ("1.保障信访工作正常运转，" + "围绕党和国家工作大局，按照上级部署，做好信访接待、网上信访、来信办理、矛盾化解、"
        "隐患排查和宣传教育等各项工作，" * 4 + "确保全年目标任务完成。")


@pytest.fixture
def typed(tmp_path, example_files):
    """The 滦平 workbook with a 244-character 绩效目标 typed into 项目1 B8, the row left as the form made it."""
    wb = openpyxl.load_workbook(example_files["luanping_xinfang_2026"])
    ws = wb["项目1"]
    ws["B8"] = GOAL
    path = tmp_path / "填好的.xlsx"
    wb.save(path)
    assert ws.row_dimensions[8].height == 60
    return path


def _height(path, sheet: str, row: int) -> float | None:
    return openpyxl.load_workbook(path)[sheet].row_dimensions[row].height


def test_validate_names_the_row_that_would_print_cut_off(typed):
    result = CliRunner().invoke(main, ["validate", str(typed)])
    needed = text_height(GOAL, span_width(forms_of(read_workbook(typed)).project, "B8:G8"))
    assert "打印提示" in result.output, result.output
    assert f"[项目1] 第 8 行（绩效目标）：文字需要约 {int(-(-needed // 1))} 磅行高，现为 60 磅" in result.output
    assert "--fix -o" in result.output
    assert result.output.count("第 ") == 1  # the rows jixiao's own writer sized are not named


def test_no_hint_for_a_workbook_jixiao_wrote(example_files):
    path = example_files["luanping_xinfang_2026"]
    assert cramped_rows(read_workbook(path))  # its long texts need more than the form's heights …
    assert short_rows(str(path), read_workbook(path)) == []  # … and the writer gave them that
    assert "打印提示" not in CliRunner().invoke(main, ["validate", str(path)]).output


@pytest.mark.parametrize("option", ["--fix", "--annotate"])
def test_every_copy_jixiao_writes_fits_the_text(typed, tmp_path, option):
    before = typed.read_bytes()
    out = tmp_path / f"副本{option}.xlsx"
    result = CliRunner().invoke(main, ["validate", str(typed), option, "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert "调整行高 1 行" in result.output
    assert typed.read_bytes() == before  # the clerk's file is not touched
    (row,) = cramped_rows(read_workbook(typed))[-1:]
    assert (row.sheet, row.row) == ("项目1", 8)
    assert _height(out, "项目1", 8) >= row.needed
    assert _height(out, "项目1", 9) == _height(typed, "项目1", 9)  # other rows as they were
    assert short_rows(str(out), read_workbook(out)) == []
    assert "打印提示" not in CliRunner().invoke(main, ["validate", str(out)]).output


def test_the_button_grows_the_row_through_the_remote_engine(typed, tmp_path):
    import xlwings as xw

    from jixiao import addin
    from jixiao.addin.replay import apply_actions, payload_from_file

    book = xw.Book(json=payload_from_file(typed))
    addin.validate(book)
    actions = book.json()["actions"]
    heights = [a for a in actions if a["func"] == "setRowHeight"]
    assert heights and all(a["args"][0] >= 30 for a in heights)
    assert "行已按文字调整行高" in next(a for a in actions if a["func"] == "alert")["args"][0]
    replayed = apply_actions(typed, actions, tmp_path / "点过校验.xlsx")
    assert _height(replayed, "项目1", 8) >= text_height(GOAL, span_width(forms_of(read_workbook(typed)).project, "B8:G8"))
    assert short_rows(str(replayed), read_workbook(replayed)) == []


def _where(pdf, text: str) -> tuple[int, float, float]:
    """(page, top, bottom) of the first run of characters spelling ``text`` in ``pdf``."""
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        for n, page in enumerate(doc.pages):
            chars = [c for c in page.chars if c["text"].strip()]
            line = "".join(c["text"] for c in chars)
            at = line.find(text)
            if at != -1:
                run = chars[at:at + len(text)]
                return n, min(c["top"] for c in run), max(c["bottom"] for c in run)
    raise AssertionError(f"“{text}” is not in {pdf}")


@requires_soffice
def test_the_fixed_copy_prints_the_whole_goal(typed, tmp_path):
    """On paper (LibreOffice's PDF): the goal's last line lies inside its row, above the indicator table's
    header, in the fixed copy; in the clerk's file it runs into the header's row (cut off when printed)."""
    out = tmp_path / "修正.xlsx"
    assert CliRunner().invoke(main, ["validate", str(typed), "--fix", "-o", str(out)]).exit_code in (0, 1)
    gaps = {}
    for path in (typed, out):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-{path.stem}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path / path.stem), str(path)],
                       check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
        pdf = next((tmp_path / path.stem).glob("*.pdf"))
        page, _, last_bottom = _where(pdf, "确保全年目标任务完成")
        header_page, header_top, _ = _where(pdf, "一级指标")
        assert page == header_page
        gaps[path] = header_top - last_bottom
    assert gaps[out] > 0, gaps  # the whole goal above the next row
    assert gaps[typed] < 0, gaps  # the cut the clerk would have handed in
