"""Percent typed the Excel way: 25%, 25 and 0.25 in a percent cell all mean 25 % (issue 14, point 3).

Real files: xlsxwriter (how Excel writes a percent style), openpyxl edits (a clerk's Excel save),
a LibreOffice re-save, and the add-in's live-book path, which cannot see number formats.
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.forms import template
from jixiao.cli import main
from jixiao.consolidation.extract import extract
from jixiao.forms.reader import read_workbook
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook
from jixiao.totals.plan import unit_schedule
from jixiao.checks.validate import validate_book

from conftest import requires_soffice

D = Decimal
FRACTIONS = {"3月底": D("0.25"), "6月底": D("0.5"), "10月底": D("0.75")}
PERCENT = {"3月底": D(25), "6月底": D(50), "10月底": D(75)}
TARGETS = {"3月底": "25", "6月底": "50", "10月底": "75", "12月底": "100"}


def _book(milestones=("3月底", "6月底", "10月底")):
    book = generate_unit(21, n_projects=2, n_indicators=4)
    book.milestones = list(milestones)
    for p in book.projects:
        p.plan = {m: PERCENT.get(m, D(100)) for m in milestones}
    return book


def _percents(path, engine="calamine"):
    return [{m: v for m, v in p.plan.items()} for p in read_workbook(path, engine).projects]


@pytest.fixture
def excel_typed(tmp_path):
    """项目1's plan typed as 25% / 50% / 75%: 0.25 … stored under a percent format (what Excel saves)."""
    path = write_workbook(tmp_path / "百分号.xlsx", _book())
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    for ref, m in (("B7", "3月底"), ("D7", "6月底"), ("F7", "10月底")):
        ws[ref].value = float(FRACTIONS[m])
        ws[ref].number_format = "0%"
    wb.save(path)
    return path


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_fraction_in_a_percent_cell_is_that_percent(excel_typed, engine):
    plans = _percents(excel_typed, engine)
    assert plans[0] == PERCENT, "0.25 under 0% is 25 %, not 0.25 %"
    assert plans[1] == PERCENT


def test_totals_of_percent_typed_plan_are_right(excel_typed):
    book = read_workbook(excel_typed)
    schedule = unit_schedule(book)
    p = schedule.projects[0]
    assert p.amounts["3月底"] == (p.budget * D("0.25")).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert not [i for i in validate_book(book) if i.code.startswith("JX-P")]
    result = CliRunner().invoke(main, ["totals", str(excel_typed)])
    assert result.exit_code == 0, result.output
    assert "  25.0       25.0" in result.output  # unit 3月底: 25 % planned against 序时进度 25 %


def test_consolidation_worker_reads_percent_the_same_way(excel_typed):
    summary, _ = extract(str(excel_typed), None, False, TARGETS)
    book = read_workbook(excel_typed)
    expected = unit_schedule(book)
    assert summary["money"][3] == str(expected.amounts["3月底"])
    assert summary["errors"] == 0 and "JX-P04" not in summary["issue_codes"]


def test_xlsxwriter_percent_style(tmp_path, monkeypatch):
    """A workbook whose plan cells carry a real percent style (0.00%), written as Excel writes it."""
    style = dict(template._STYLES["input_percent"], num_format="0.00%")
    monkeypatch.setitem(template._STYLES, "input_percent", style)
    book = _book()
    mixed = {"3月底": D("0.25"), "6月底": D(50), "10月底": D("0.75")}  # 50: typed "50" with percent entry off
    book.projects[0].plan = dict(mixed)
    path = write_workbook(tmp_path / "xlsxwriter.xlsx", book)
    plans = _percents(path)
    assert plans[0] == PERCENT and plans[1] == PERCENT


def test_plain_cells_keep_their_numbers(tmp_path):
    """The template's own format (0.00"%") shows 25 as 25.00%: numbers there are percents as they are,
    and 0.5 there is half a percent (the sheet shows 0.50%), with the findings that follow."""
    book = _book()
    book.projects[0].plan = {"3月底": D("0.5"), "6月底": D(50), "10月底": D(75)}
    path = write_workbook(tmp_path / "plain.xlsx", book)
    assert _percents(path)[0]["3月底"] == D("0.5")


def test_text_percent_and_typed_numbers(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", _book())
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    ws["B7"].value = "25%"  # typed into a text cell
    ws["D7"].value = 50
    ws["D7"].number_format = "0%"  # 50 in a percent cell: 50 %, not 5000 %
    ws["F7"].value = 1  # 100 % in a percent cell
    ws["F7"].number_format = "0%"
    wb.save(path)
    assert _percents(path)[0] == {"3月底": D(25), "6月底": D(50), "10月底": D(100)}


def _four_point_fractions(tmp_path):
    """A Hunan form (four points) whose plan was typed as fractions into plain cells: 12月底 = 1."""
    book = _book(("3月底", "6月底", "10月底", "12月底"))
    book.profile = "hunan"
    book.projects[0].plan = {"3月底": D("0.25"), "6月底": D("0.5"), "10月底": D("0.75"), "12月底": D(1)}
    return write_workbook(tmp_path / "湖南.xlsx", book)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_row_of_fractions_is_read_as_percent_with_a_warning(tmp_path, engine):
    path = _four_point_fractions(tmp_path)
    book = read_workbook(path, engine)
    assert book.projects[0].plan == {"3月底": D(25), "6月底": D(50), "10月底": D(75), "12月底": D(100)}
    codes = [i.code for i in validate_book(book) if i.sheet == "项目1"]
    assert "JX-L06" in codes and "JX-P03" not in codes


def test_row_rule_where_formats_are_unseen(tmp_path):
    """The add-in reads a live book's values only (no formats): the row decides there too."""
    import os

    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    xw = pytest.importorskip("xlwings")
    from jixiao.addin.live import read_book
    from jixiao.addin.replay import payload_from_file

    path = _four_point_fractions(tmp_path)
    book = read_book(xw.Book(json=payload_from_file(path)))
    assert book.projects[0].plan["3月底"] == D(25) and book.projects[0].plan["12月底"] == D(100)
    assert book.projects[1].plan["3月底"] == D(25), "a row of percents is left alone"


def test_excel_float_noise_is_not_kept(tmp_path):
    """Excel writes 7% as 7.0000000000000007E-2; that is 7 %."""
    path = write_workbook(tmp_path / "n.xlsx", _book())
    wb = openpyxl.load_workbook(path)
    wb["项目1"]["B7"].value = 0.07 + 1e-17
    wb["项目1"]["B7"].number_format = "0%"
    wb.save(path)
    assert _percents(path)[0]["3月底"] == D(7)


@requires_soffice
@pytest.mark.libreoffice
def test_libreoffice_saved_copy(excel_typed, tmp_path):
    from jixiao.excel.office import convert

    saved = convert(excel_typed, "xlsx", tmp_path / "lo")
    assert _percents(saved)[0] == PERCENT
    assert _percents(saved, "openpyxl")[0] == PERCENT


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_indicator_value_typed_as_percent_in_excel(tmp_path, example_files, engine):
    # A 湖南 clerk types 95% into 指标值 (整体支出绩效目标表) and ≥ is 指标值类型: Excel keeps 0.95 under 0%.
    # It was read as the text "0.95", a target of 0.95 %, and printed as ≥ 0.95 %.
    path = tmp_path / "整体.xlsx"
    wb = openpyxl.load_workbook(example_files["zhijiang_xinfang_2026"])
    ws = wb["整体支出绩效目标表"]
    row = next(r for r in range(7, 30) if ws.cell(r, 4).value == "群众满意度")
    ws.cell(row, 6).value = 0.95
    ws.cell(row, 6).number_format = "0%"
    ws.cell(row + 1, 6).value = "274.6万元"  # 全年经费预算成本, 计量单位 万元: the unit typed twice
    wb.save(path)
    indicators = {i.level3: i for i in read_workbook(path, engine).overall.indicators}
    typed = indicators["群众满意度"]
    assert (typed.value_text, typed.operator, typed.number, typed.unit) == ("95%", "≥", D(95), "%")
    cost = indicators["全年经费预算成本"]
    assert (cost.number, cost.unit) == (D("274.6"), "万元")
    issues = validate_book(read_workbook(path, engine))
    assert any(i.code == "JX-V05" and i.cell == f"F{row}" for i in issues)  # still asked to split
