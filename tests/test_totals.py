"""Spending-plan totals: the worked example, properties, exact money, the written sheet."""

from __future__ import annotations

import decimal
import hashlib
import json
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from jixiao.cli import main
from jixiao.forms.model import Project, UnitWorkbook
from jixiao.forms.reader import read_workbook
from jixiao.totals.plan import MILESTONES, project_schedule, to_json, unit_schedule
from jixiao.totals.sheet import SHEET, write_totals_workbook

from conftest import requires_soffice

D = Decimal


def test_worked_example_luanping(example_files):
    """Seed 000: 80.00 (25/50/75) + 31.50 (25/50/100) = 111.50 万元."""
    schedule = unit_schedule(read_workbook(example_files["luanping_xinfang_2026"]))
    first, second = schedule.projects
    assert [first.amounts[m] for m in MILESTONES] == [D("20.00"), D("40.00"), D("60.00"), D("80.00")]
    assert [second.amounts[m] for m in MILESTONES] == [D("7.88"), D("15.75"), D("31.50"), D("31.50")]
    assert [schedule.amounts[m] for m in MILESTONES] == [D("27.88"), D("55.75"), D("91.50"), D("111.50")]
    assert schedule.budget == D("111.50")
    assert to_json(schedule)["total"]["amounts"] == {"3月底": "27.88", "6月底": "55.75", "10月底": "91.50",
                                                      "12月底": "111.50"}


def test_three_column_form_implies_december_100():
    p = Project(code="x", budget=D("10"), plan={"3月底": D("10"), "6月底": D("20"), "10月底": D("30")})
    s = project_schedule(p, ["3月底", "6月底", "10月底"])
    assert s.percent["12月底"] == D("100") and s.amounts["12月底"] == D("10")


def test_lagging_projects_and_gap():
    slow = Project(code="slow", name="慢", budget=D("100"), plan={"3月底": D("0"), "6月底": D("10"),
                                                                 "10月底": D("20")})
    fast = Project(code="fast", name="快", budget=D("100"), plan={"3月底": D("50"), "6月底": D("60"),
                                                                 "10月底": D("80")})
    s = unit_schedule(UnitWorkbook(projects=[slow, fast]))
    assert s.percent["3月底"] == D("25") and s.gap["3月底"] == D("0")
    assert [lag.code for lag in s.lagging] == ["slow"]
    assert s.lagging[0].milestone == "10月底" and s.lagging[0].behind_amount == D("55.00")


money = st.decimals(min_value=0, max_value=10**8, places=2)
plans = st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=3, max_size=3).map(sorted)


@settings(max_examples=300, deadline=None)
@given(fiscal=money, other=money, plan=plans, four=st.booleans())
def test_schedule_properties(fiscal, other, plan, four):
    milestones = list(MILESTONES if four else MILESTONES[:3])
    values = dict(zip(milestones, plan + ([D("100")] if four else [])))
    s = project_schedule(Project(code="p", budget=fiscal + other, fiscal=fiscal, other=other, plan=values),
                         milestones)
    amounts = [s.amounts[m] for m in MILESTONES]
    assert amounts == sorted(amounts), "amounts never decrease"
    assert s.amounts["12月底"] == fiscal + other, "end exactly at 预算数"
    for m in MILESTONES:
        assert s.fiscal_amounts[m] + s.other_amounts[m] == s.amounts[m]
        assert s.amounts[m] == s.amounts[m].quantize(D("0.01"))
    assert s.fiscal_amounts["12月底"] == fiscal and s.other_amounts["12月底"] == other


def _numbers(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _numbers(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _numbers(v)
    elif hasattr(obj, "__dataclass_fields__"):
        yield from _numbers(vars(obj))
    elif isinstance(obj, (int, float, Decimal)) and not isinstance(obj, bool):
        yield obj


def test_no_float_in_the_money_path(example_files, tmp_path):
    """Decimal's FloatOperation trap fails the test the moment a float meets a Decimal."""
    from jixiao.synth import generate_unit
    from jixiao.forms.template import write_workbook

    files = [*example_files.values(), write_workbook(tmp_path / "s.xlsx", generate_unit(5))]
    with decimal.localcontext() as ctx:
        ctx.traps[decimal.FloatOperation] = True
        for path in files:
            for engine in ("calamine", "openpyxl"):
                schedule = unit_schedule(read_workbook(path, engine))
                numbers = list(_numbers(schedule))
                assert numbers and all(isinstance(n, Decimal) for n in numbers)
                assert schedule.amounts["12月底"] == sum((p.budget for p in schedule.projects), Decimal(0))


def test_cli_json_equals_library(example_files):
    path = example_files["luanping_xinfang_2026"]
    result = CliRunner().invoke(main, ["totals", str(path), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data == to_json(unit_schedule(read_workbook(path)))
    assert set(data) >= {"unit_code", "unit_name", "milestones", "total", "projects"}
    assert set(data["total"]) >= {"budget", "fiscal", "other", "amounts", "percent", "target_percent", "gap"}
    assert data["milestones"] == ["3月底", "6月底", "10月底", "12月底"]


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_write_adds_protected_sheet_and_keeps_input(example_files, tmp_path):
    src = example_files["huailai_xinfang_2020"]
    before = _sha(src)
    book = read_workbook(src)
    out = write_totals_workbook(src, tmp_path / "out.xlsx", book)
    again = write_totals_workbook(out, tmp_path / "again.xlsx", read_workbook(out))
    assert _sha(src) == before
    wb = openpyxl.load_workbook(again)
    assert wb.sheetnames.count(SHEET) == 1
    assert wb[SHEET].protection.sheet
    assert wb[SHEET]._charts, "a native line chart"
    assert read_workbook(again) == book, "the unit's own data is untouched"
    with pytest.raises(Exception, match="不能与输入文件相同"):
        write_totals_workbook(out, out, book)


@requires_soffice
def test_written_sheet_recalculates_to_python(example_files, tmp_path):
    from jixiao.excel.office import convert
    from jixiao.synth import generate_unit
    from jixiao.forms.template import write_workbook

    sources = [example_files["luanping_xinfang_2026"], example_files["huailai_xinfang_2020"],
               write_workbook(tmp_path / "syn.xlsx", generate_unit(11, n_projects=6))]
    for i, src in enumerate(sources):
        book = read_workbook(src)
        out = write_totals_workbook(src, tmp_path / f"tot{i}.xlsx", book)
        ws = openpyxl.load_workbook(convert(out, "xlsx", tmp_path / f"lo{i}"), data_only=True)[SHEET]
        schedule = unit_schedule(book)
        n = len(book.projects)
        for k, p in enumerate(schedule.projects):
            row = 5 + k
            assert abs(D(str(ws.cell(row, 4).value)) - p.budget) <= D("0.01")
            for j, m in enumerate(MILESTONES):
                assert abs(D(str(ws.cell(row, 8 + 2 * j).value)) - p.amounts[m]) <= D("0.01"), (src, m)
        total = 5 + n
        for j, m in enumerate(MILESTONES):
            assert abs(D(str(ws.cell(total, 8 + 2 * j).value)) - schedule.amounts[m]) <= D("0.01")
            assert abs(D(str(ws.cell(total, 7 + 2 * j).value)) - schedule.percent[m]) <= D("0.01")
            assert abs(D(str(ws.cell(total + 2, 7 + 2 * j).value)) - schedule.gap[m]) <= D("0.01")


@requires_soffice
def test_written_sheet_reads_cells_as_jixiao_does(example_files, tmp_path):
    # 25% typed the Excel way (0.25 under 0%), "50%" typed as text and 其他资金 in full-width ２０: the
    # 支出计划汇总 sheet's N() read 0.25, 0 and 0 (累计 0.3 %, 其他资金 0.00) while jixiao totals said 25 %.
    from jixiao.excel.office import convert

    src = tmp_path / "clerk.xlsx"
    wb = openpyxl.load_workbook(example_files["luanping_xinfang_2026"])
    ws = wb["项目1"]
    ws["B7"].value, ws["B7"].number_format = 0.25, "0%"
    ws["D7"].value = "50%"
    other = 20
    ws["G4"].value = "２０"
    wb.save(src)
    book = read_workbook(src)
    p = book.projects[0]
    assert (p.plan["3月底"], p.plan["6月底"], p.other) == (D(25), D(50), D(str(other)))
    out = write_totals_workbook(src, tmp_path / "tot.xlsx", book)
    assert openpyxl.load_workbook(out)[SHEET]["G5"].value.startswith("=N(")  # still follows the cell
    sheet = openpyxl.load_workbook(convert(out, "xlsx", tmp_path / "lo"), data_only=True)[SHEET]
    schedule = unit_schedule(book).projects[0]
    assert D(str(sheet["F5"].value)) == D(str(other))
    assert [D(str(sheet.cell(5, 7 + 2 * j).value)) for j in range(2)] == [D(25), D(50)]
    for j, m in enumerate(MILESTONES):
        assert abs(D(str(sheet.cell(5, 8 + 2 * j).value)) - schedule.amounts[m]) <= D("0.01"), m
