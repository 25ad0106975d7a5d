"""Roll-up of county summaries: consolidating the counties' summaries equals consolidating all their units.

Real files throughout: unit workbooks are written, each county is consolidated into its summary,
the unit workbooks are then deleted (the roll-up must read only the summaries), and the roll-up is
compared, sheet by sheet and to the cent, with consolidating every unit workbook at once.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from jixiao.consolidation import consolidate
from jixiao.consolidation.rollup import CHANGED, OLD_SUMMARY
from jixiao.consolidation.sheets import (
    COUNTIES, COUNTY, INDICATORS, ISSUES, META, PROJECTS, REJECTED, SCHEDULE, SHEETS, UNITS,
)
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook

COUNTY_NAMES = ("甲县", "乙县", "丙县")
RESULT_FIELDS = ("found", "consolidated", "not_consolidated", "units", "projects", "indicators", "budget",
                 "fiscal", "other", "errors", "warnings", "year", "codes")


def _write(path: Path, book, mtime: float | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, book)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


@pytest.fixture(scope="module")
def counties(tmp_path_factory):
    """Three counties' unit folders, with the cases that need more than one file:
    a duplicate inside a county and one across counties (JX-D01), a project code shared across
    counties (JX-D02), a unit of another year (JX-D04), a damaged file (JX-D03), a unit with mistakes."""
    root = tmp_path_factory.mktemp("city") / "units"
    books = [generate_unit(i, n_projects=3, n_indicators=4, classified=(i == 4), mistakes=(i == 5))
             for i in range(12)]
    for i, book in enumerate(books):
        _write(root / COUNTY_NAMES[i % 3] / f"{book.unit.code}.xlsx", book, 1_700_000_000 + i)
    # 甲县: unit 0 sent twice, the copy filled in later (wins inside the county)
    again = books[0].model_copy(deep=True)
    again.unit.fill_date = "2026年1月20日"
    _write(root / "甲县" / "重报" / f"{again.unit.code} 重报.xlsx", again, 1_700_000_100)
    # 乙县 also sends unit 0, filled in later still: it wins over both of 甲县's across counties
    later = books[0].model_copy(deep=True)
    later.unit.fill_date = "2026年2月1日"
    _write(root / "乙县" / f"{later.unit.code} 乙县报.xlsx", later, 1_700_000_200)
    # 丙县 sends unit 3 (a 甲县 unit) with an older date: 甲县's stays
    older = books[3].model_copy(deep=True)
    older.unit.fill_date = "2025-11-01"
    _write(root / "丙县" / f"{older.unit.code} 旧.xlsx", older, 1_700_000_300)
    # a project code of a 乙县 unit reused by a 丙县 unit (JX-D02 across counties)
    shared = books[2].model_copy(deep=True)
    shared.projects[0].code = books[1].projects[0].code
    _write(root / "丙县" / f"{shared.unit.code}.xlsx", shared, 1_700_000_002)
    # another year, and a damaged file
    _write(root / "乙县" / "往年.xlsx", generate_unit(40, n_projects=2, n_indicators=3, year=2020), 1_700_000_400)
    (root / "丙县" / "损坏.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    return root


def _rows(path: Path, sheet: str, drop_county: bool = False) -> list[tuple]:
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    rows = [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    if drop_county:
        assert rows[0][0] == COUNTY
        rows = [("合计", *r[2:]) if r[0] == "合计" else r[1:] for r in rows]  # the totals row's label is first
    return rows


@pytest.fixture(scope="module")
def rolled(counties, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    whole = consolidate([counties], out / "一次汇总.xlsx", workers=1, use_cache=False)
    # each county consolidates its own units, and sends only its summary
    sums = out / "各县区上报"
    for name in COUNTY_NAMES:
        consolidate([counties / name], sums / f"{name}汇总.xlsx", workers=1, county=name, use_cache=False)
    # the city sees no unit workbook at all
    shutil.rmtree(counties)
    city = consolidate([sums], out / "市汇总.xlsx", workers=2)
    return {"whole": whole, "city": city, "sums": sums, "out": out}


def test_rollup_equals_consolidating_every_unit(rolled):
    whole, city = rolled["whole"], rolled["city"]
    for name in RESULT_FIELDS:
        assert getattr(city, name) == getattr(whole, name), name
    assert city.codes["JX-D01"] == whole.codes["JX-D01"] >= 3  # two losers of unit 0 and one of unit 3, + finding
    assert city.codes.get("JX-D02") == whole.codes.get("JX-D02") == 2
    assert whole.codes["JX-D04"] == 1 and whole.codes["JX-D03"] == 1
    assert sorted(city.counties) == sorted(COUNTY_NAMES)
    assert city.budget == sum((Decimal(str(r[4])) for r in _rows(whole.output, UNITS)[1:-1]), Decimal(0))
    a, b = whole.output, city.output
    # the same rows, 县区 aside: units and schedule in the same order, totals rows (cached sums) too
    for sheet in (UNITS, PROJECTS, INDICATORS, SCHEDULE):
        assert _rows(b, sheet, drop_county=True) == _rows(a, sheet), sheet
    # the same findings (the units' own, then D01 / D02 made by consolidation), and the same files listed
    assert _rows(b, ISSUES, drop_county=True) == _rows(a, ISSUES)
    assert _rows(b, REJECTED, drop_county=True) == _rows(a, REJECTED)


def test_rollup_sheets_carry_their_county(rolled, counties):
    city = rolled["city"].output
    units = _rows(city, UNITS)
    by_code = Counter((r[0], r[1]) for r in units[1:-1])
    assert ("乙县", "100001") in by_code  # the later 乙县 copy of unit 0 won across counties
    assert all(r[0] in COUNTY_NAMES for r in units[1:-1])
    projects = _rows(city, PROJECTS)
    assert {r[0] for r in projects[1:-1]} == set(COUNTY_NAMES)
    rejected = {Path(r[1]).name: (r[0], r[2], r[3]) for r in _rows(city, REJECTED)[1:]}
    assert rejected["往年.xlsx"][:2] == ("乙县", "JX-D04")
    assert rejected["损坏.xlsx"][:2] == ("丙县", "JX-D03")
    # a county's own loser now names the file that won in another county
    assert rejected["100001 重报.xlsx"][0] == "甲县" and "乙县报.xlsx" in rejected["100001 重报.xlsx"][2]
    assert rejected["100001.xlsx"][1] == "JX-D01"
    # 县区汇总: one subtotal row per county and the total; they add up to the cent
    subtotals = _rows(city, COUNTIES)
    assert [r[0] for r in subtotals[1:]] == sorted(COUNTY_NAMES) + ["合计"]
    budget = sum((Decimal(str(r[4])) for r in subtotals[1:-1]), Decimal(0))
    assert budget == rolled["city"].budget == Decimal(str(subtotals[-1][4])).quantize(Decimal("0.01"))
    assert sum(r[1] for r in subtotals[1:-1]) == rolled["city"].units
    assert sum(r[-1] for r in subtotals[1:-1]) == rolled["city"].not_consolidated


def test_a_county_summary_looks_as_before(rolled):
    summary = rolled["sums"] / "甲县汇总.xlsx"
    wb = openpyxl.load_workbook(summary, read_only=True)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == list(SHEETS)
    assert wb[META].sheet_state == "veryHidden"
    wb.close()
    assert _rows(summary, UNITS)[0][0] == "单位编码"  # no 县区 column without a roll-up


def test_rerun_reads_nothing_and_gives_the_same_summary(rolled):
    city = rolled["city"]
    again = consolidate([rolled["sums"]], city.output, workers=1)
    assert again.read == 0 and again.cached == len(COUNTY_NAMES)
    for name in RESULT_FIELDS:
        assert getattr(again, name) == getattr(city, name), name
    for sheet in (COUNTIES, UNITS, PROJECTS, ISSUES, REJECTED):
        assert _rows(again.output, sheet)


def test_rollup_of_a_rollup_keeps_the_counties(rolled, tmp_path):
    """A province rolls up its cities' summaries: 县区 names the city and the county."""
    province = consolidate([rolled["city"].output], tmp_path / "省汇总.xlsx", workers=1, use_cache=False)
    for name in RESULT_FIELDS:
        assert getattr(province, name) == getattr(rolled["city"], name), name
    counties = {r[0] for r in _rows(province.output, UNITS)[1:-1]}
    assert counties == {f"市汇总/{c}" for c in COUNTY_NAMES}


def test_a_summary_that_cannot_be_rolled_up_is_listed(rolled, tmp_path):
    sums = tmp_path / "上报"
    sums.mkdir()
    # an old summary (no records), a summary with rows deleted in Excel, and one county's summary twice
    old = openpyxl.load_workbook(rolled["sums"] / "甲县汇总.xlsx")
    del old[META]
    old.save(sums / "甲县汇总.xlsx")
    edited = openpyxl.load_workbook(rolled["sums"] / "乙县汇总.xlsx")
    edited[PROJECTS].delete_rows(3)
    edited.save(sums / "乙县汇总.xlsx")
    shutil.copy2(rolled["sums"] / "丙县汇总.xlsx", sums / "丙县汇总.xlsx")
    shutil.copy2(rolled["sums"] / "丙县汇总.xlsx", sums / "丙县汇总（再次上报）.xlsx")
    result = consolidate([sums], tmp_path / "市.xlsx", workers=1, use_cache=False)
    reasons = {Path(r["path"]).name: (r["code"], r["reason"]) for r in result.rejected}
    assert reasons["甲县汇总.xlsx"] == ("JX-D03", OLD_SUMMARY)
    assert reasons["乙县汇总.xlsx"] == ("JX-D03", CHANGED.format(sheet=PROJECTS))
    assert reasons["丙县汇总（再次上报）.xlsx"][0] == "JX-D01"
    assert result.counties == ["丙县"]
    assert result.found == result.consolidated + result.not_consolidated


def test_rollup_tables_have_the_county(rolled, tmp_path):
    import csv

    result = consolidate([rolled["sums"]], tmp_path / "市.xlsx", workers=1, csv_dir=tmp_path / "表")
    with open(tmp_path / "表" / f"{PROJECTS}.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == COUNTY and len(rows) - 1 == result.projects
    assert {r[0] for r in rows[1:]} == set(COUNTY_NAMES)
    with open(tmp_path / "表" / f"{COUNTIES}.csv", encoding="utf-8-sig") as fh:
        assert [r[0] for r in csv.reader(fh)][1:] == sorted(COUNTY_NAMES)
    # with tables the summaries' rows are read cell by cell (not copied as XML): the same rows all the same
    for sheet in (UNITS, PROJECTS, INDICATORS, SCHEDULE, ISSUES, REJECTED):
        assert _rows(result.output, sheet, drop_county=True) == _rows(rolled["whole"].output, sheet), sheet


def test_a_summary_beside_its_own_units_is_listed(tmp_path):
    """A clerk gives the county's summary and the county's unit folder: the units are not taken twice."""
    units = tmp_path / "甲县"
    for i in range(3):
        book = generate_unit(i, n_projects=1, n_indicators=2)
        _write(units / f"{book.unit.code}.xlsx", book)
    consolidate([units], tmp_path / "上报" / "甲县汇总.xlsx", workers=1, use_cache=False)
    result = consolidate([tmp_path / "上报", units], tmp_path / "市.xlsx", workers=1, use_cache=False)
    assert result.units == 3 and result.not_consolidated == 1
    assert "也直接在本次的输入中" in result.rejected[0]["reason"]
    assert result.found == result.consolidated + result.not_consolidated


def test_a_summary_saved_again_by_another_program_rolls_up_the_same(rolled, tmp_path):
    """Opened and saved (rows get positions, strings shared): read cell by cell, with the same result."""
    sums = tmp_path / "上报"
    shutil.copytree(rolled["sums"], sums)
    resaved = openpyxl.load_workbook(sums / "乙县汇总.xlsx")
    resaved.save(sums / "乙县汇总.xlsx")
    result = consolidate([sums], tmp_path / "市.xlsx", workers=1, use_cache=False)
    for name in RESULT_FIELDS:
        assert getattr(result, name) == getattr(rolled["city"], name), name
    for sheet in (UNITS, PROJECTS, INDICATORS, ISSUES, REJECTED):
        assert _rows(result.output, sheet) == _rows(rolled["city"].output, sheet), sheet


def test_a_rollup_never_replaces_a_county_summary(rolled, tmp_path):
    """A tired clerk names one of the county summaries as -o: refused, the file untouched."""
    from jixiao.errors import OutputError

    sums = tmp_path / "上报"
    shutil.copytree(rolled["sums"], sums)
    target = sums / "甲县汇总.xlsx"
    before = target.read_bytes()
    with pytest.raises(OutputError, match="甲县"):
        consolidate([sums], target, workers=1, use_cache=False)
    assert target.read_bytes() == before
    again = consolidate([sums], sums / "全市汇总.xlsx", workers=1)  # beside them, and again: fine
    assert consolidate([sums], sums / "全市汇总.xlsx", workers=1).units == again.units == rolled["city"].units


def test_selfevaluations_roll_up_as_if_consolidated_at_once(tmp_path):
    """自评表 in two counties, one of them sent again in the other county (JX-D01 across counties)."""
    from jixiao.selfeval.prefill import prefill
    from jixiao.selfeval.writer import write_selfeval

    root = tmp_path / "units"
    for k, (seed, executed) in enumerate(((40, "0.9"), (41, "0.5"), (42, "0.7"))):
        county = root / COUNTY_NAMES[k % 2]
        book = generate_unit(seed, n_projects=2, n_indicators=3)
        _write(county / f"{book.unit.code}.xlsx", book, 1_700_000_000 + k)
        ev = prefill(book)
        for p in ev.projects:
            p.executed_total = p.full_total * Decimal(executed)
        ev.department.executed_total = ev.department.full_total * Decimal(executed)
        for sheet in (ev.department, *ev.projects):
            for ind in sheet.indicators:
                ind.level1, ind.target = ind.level1 or "产出指标", ind.target or "≥90%"
                ind.actual, ind.band = "95", "达成"
        write_selfeval(county / f"{book.unit.code}-自评.xlsx", ev)
        os.utime(county / f"{book.unit.code}-自评.xlsx", (1_700_000_010 + k,) * 2)
        if k == 0:  # 乙县 sends 甲县's 自评表 again, newer
            (root / COUNTY_NAMES[1]).mkdir(parents=True)
            shutil.copy(county / f"{book.unit.code}-自评.xlsx", root / COUNTY_NAMES[1] / "重交-自评.xlsx")
            os.utime(root / COUNTY_NAMES[1] / "重交-自评.xlsx", (1_700_000_100,) * 2)
    whole = consolidate([root], tmp_path / "一次.xlsx", workers=1, use_cache=False)
    sums = tmp_path / "上报"
    for name in COUNTY_NAMES[:2]:
        consolidate([root / name], sums / f"{name}.xlsx", workers=1, county=name, use_cache=False)
    shutil.rmtree(root)
    city = consolidate([sums], tmp_path / "市.xlsx", workers=1, use_cache=False)
    assert whole.selfevaluations == city.selfevaluations == 3 and whole.codes == city.codes
    assert whole.codes["JX-D01"] == 1
    for name in RESULT_FIELDS:
        assert getattr(city, name) == getattr(whole, name), name
    from jixiao.consolidation.sheets import SELFEVAL

    assert _rows(city.output, SELFEVAL, drop_county=True) == _rows(whole.output, SELFEVAL)
    assert _rows(city.output, REJECTED, drop_county=True) == _rows(whole.output, REJECTED)


def test_a_summary_of_another_year_is_listed_once(rolled, tmp_path):
    """Last year's county summary left among this year's: one row in 未纳入文件, not one per unit."""
    old = tmp_path / "去年"
    for i in range(3):
        book = generate_unit(60 + i, n_projects=1, n_indicators=2, year=2025)
        _write(old / f"{book.unit.code}.xlsx", book)
    sums = tmp_path / "上报"
    shutil.copytree(rolled["sums"], sums)
    consolidate([old], sums / "2025 甲县汇总.xlsx", workers=1, use_cache=False)
    result = consolidate([sums], tmp_path / "市.xlsx", workers=1, use_cache=False)
    assert result.units == rolled["city"].units and result.year == 2026
    assert result.not_consolidated == rolled["city"].not_consolidated + 1
    assert result.found == rolled["city"].found + 1 == result.consolidated + result.not_consolidated
    row = next(r for r in result.rejected if r["path"].endswith("2025 甲县汇总.xlsx"))
    assert row["code"] == "JX-D04" and "2025 年度" in row["reason"]


def test_county_percent_counts_only_the_budget_that_has_a_plan(tmp_path):
    """A national-form unit has no spending plan: its budget must not dilute its county's 累计%
    (as in 单位汇总 and 概览), and a county with no plan at all shows blanks, not 0."""
    from jixiao.synth import generate_national_unit

    hebei, national = generate_unit(0, n_projects=2, n_indicators=3), generate_national_unit(0)
    _write(tmp_path / "丁县" / "a.xlsx", hebei)
    _write(tmp_path / "丁县" / "b.xlsx", national)
    _write(tmp_path / "戊县" / "c.xlsx", generate_national_unit(1))
    for name in ("丁县", "戊县"):
        consolidate([tmp_path / name], tmp_path / "上报" / f"{name}.xlsx", workers=1, county=name, use_cache=False)
    city = consolidate([tmp_path / "上报"], tmp_path / "市.xlsx", workers=1, use_cache=False)
    rows = _rows(city.output, COUNTIES)
    header, by_county = rows[0], {r[0]: r for r in rows[1:]}
    last = header.index("12月底累计%")
    assert by_county["丁县"][last] == pytest.approx(100.0)
    assert Decimal(str(by_county["丁县"][last - 1])) == hebei.projects[0].budget + hebei.projects[1].budget
    assert by_county["戊县"][last] is None and by_county["戊县"][last - 1] is None


def test_the_city_report_names_each_left_out_files_county(rolled):
    """``jixiao consolidate`` of county summaries: a line of 未纳入 says whose file it was (乙县 往年.xlsx)."""
    from click.testing import CliRunner

    from jixiao.cli import main

    result = CliRunner().invoke(main, ["consolidate", str(rolled["sums"]), "-o", str(rolled["out"] / "市汇总2.xlsx")])
    assert result.exit_code == 1, result.output  # units with mistakes, files not consolidated
    lines = [line for line in result.output.splitlines() if "往年.xlsx" in line]
    assert len(lines) == 1 and "JX-D04 乙县 " in lines[0], result.output


def test_rows_grown_for_a_wrapped_text_roll_up_as_they_are(tmp_path, monkeypatch):
    """A project row grown for its two-line 绩效目标 opens ``<row ht=…>``, not ``<row>``: the roll-up still takes
    the county summaries' rows as XML (it fell back to reading every cell again), keeps their height, and a
    unit given directly beside the summaries gets its empty 县区 cell in those rows too (its row was one
    column short: 单位编码 under 县区)."""
    from jixiao.consolidation import rollup

    again = []
    by_cell = rollup._by_cell
    monkeypatch.setattr(rollup, "_by_cell", lambda *a, **k: again.append(1) or by_cell(*a, **k))
    codes = set()
    for seed, name in enumerate(COUNTY_NAMES[:2], start=1):
        book = generate_unit(seed, n_projects=2, n_indicators=3)
        codes.add(book.unit.code)
        assert "\n" in book.projects[0].goals  # what makes its row taller
        _write(tmp_path / name / f"{book.unit.code}.xlsx", book)
        consolidate([tmp_path / name], tmp_path / "上报" / f"{name}.xlsx", county=name, use_cache=False, workers=1)
    direct = generate_unit(9, n_projects=1, n_indicators=3)
    _write(tmp_path / "直报" / f"{direct.unit.code}.xlsx", direct)
    city = consolidate([tmp_path / "上报", tmp_path / "直报"], tmp_path / "市汇总.xlsx", workers=1)
    assert city.units == 3 and not again
    ws = openpyxl.load_workbook(city.output)[PROJECTS]
    header = [c.value for c in ws[1]]
    goals = header.index("绩效目标") + 1
    rows = {ws.cell(r, 2).value: r for r in range(2, ws.max_row)}
    assert set(rows) == codes | {direct.unit.code}, rows
    for code, r in rows.items():
        assert ws.cell(r, goals).value.count("\n") == 1 and ws.row_dimensions[r].height >= 30, code
    assert ws.cell(rows[direct.unit.code], 1).value is None  # 县区 empty: given directly
    assert ws.cell(rows[direct.unit.code], goals).value == direct.projects[0].goals
