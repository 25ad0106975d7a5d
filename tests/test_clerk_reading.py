"""Reading values right, totals never silently short (issue 14, points 2, 6 and 15).

Each workbook is written from a template and edited with openpyxl as a clerk's Excel would leave it,
then run through the real commands: validate, totals, export, consolidate (the worker included).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.consolidation import consolidate
from jixiao.consolidation.extract import extract
from jixiao.forms.layouts import PROJECT_MASTER_SHEET
from jixiao.forms.reader import read_workbook
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook
from jixiao.totals.plan import unit_schedule
from jixiao.checks.validate import validate_file

D = Decimal
TARGETS = {"3月底": "25", "6月底": "50", "10月底": "75", "12月底": "100"}


def _run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output and "意外错误" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _good(folder: Path, name="单位.xlsx", seed=31, n_projects=3) -> Path:
    return write_workbook(folder / name, generate_unit(seed, n_projects=n_projects, n_indicators=5))


def _edit(path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


# --- point 2: a filled-in 项目模板 counts ------------------------------------------------------

def _fill_master_instead_of_copying(path: Path) -> Path:
    """The clerk unhid 项目模板 and typed 项目3 into it (here: moved 项目3's inputs there)."""
    def edit(wb):
        src, master = wb["项目3"], wb[PROJECT_MASTER_SHEET]
        master.sheet_state = "visible"
        for row in src.iter_rows(min_row=3, max_row=30):
            for cell in row:
                if isinstance(cell, openpyxl.cell.cell.MergedCell) or cell.protection.locked:
                    continue
                master[cell.coordinate].value = cell.value
        del wb["项目3"]
    return _edit(path, edit)


@pytest.fixture
def filled_master(tmp_path):
    (tmp_path / "full").mkdir()
    full = _good(tmp_path / "full", "完整.xlsx")  # the same unit, 项目3 copied properly
    expected = unit_schedule(read_workbook(full))
    path = _fill_master_instead_of_copying(_good(tmp_path, "填了母版.xlsx"))
    return path, expected


def test_filled_master_is_read_as_a_project(filled_master):
    path, expected = filled_master
    book = read_workbook(path)
    assert [p.sheet for p in book.projects] == ["项目1", "项目2", PROJECT_MASTER_SHEET]
    assert unit_schedule(book).budget == expected.budget
    report = validate_file(path)
    l04 = [i for i in report.issues if i.code == "JX-L04"]
    assert l04 and l04[0].severity == "warning" and l04[0].sheet == PROJECT_MASTER_SHEET
    assert "建立副本" in l04[0].message


def test_filled_master_counts_in_every_command(filled_master, tmp_path):
    path, expected = filled_master
    totals = _run("totals", path, "--format", "json")
    assert totals.exit_code == 0
    data = json.loads(totals.output)
    assert D(data["total"]["budget"]) == expected.budget
    assert [f["code"] for f in data["findings"]] == ["JX-L04"]
    assert "JX-L04" in _run("totals", path).output

    validate = _run("validate", path)
    assert validate.exit_code == 0 and "JX-L04" in validate.output

    out = tmp_path / "导出.json"
    exported = _run("export", path, "--to", "json", "-o", out)
    assert exported.exit_code == 0 and "JX-L04" in exported.output
    assert len(json.loads(out.read_text(encoding="utf-8"))["projects"]) == 3

    summary, _ = extract(str(path), None, False, TARGETS)
    assert summary["n_projects"] == 3 and D(summary["money"][0]) == expected.budget
    folder = tmp_path / "county"
    folder.mkdir()
    path.rename(folder / path.name)
    result = consolidate([folder], tmp_path / "汇总.xlsx", workers=1, use_cache=False)
    assert result.projects == 3 and result.budget == expected.budget


def test_blank_master_stays_ignored(tmp_path):
    path = _good(tmp_path)
    book = read_workbook(path)
    assert PROJECT_MASTER_SHEET not in [p.sheet for p in book.projects] and len(book.projects) == 3
    assert "JX-L04" not in {i.code for i in validate_file(path).issues}


# --- point 6 and 15: what a money cell holds is never a silent zero ---------------------------

def _set(ref, value):
    return lambda wb: wb["项目1"].__setitem__(ref, value)


CASES = {
    "error_fiscal": (_set("E4", "#REF!"), "E4", "JX-L05"),
    "error_budget": (_set("C4", "#DIV/0!"), "C4", "JX-L05"),
    "formula_fiscal": (_set("E4", "=C4-G4"), "E4", "JX-L05"),  # no cached result: calamine sees ''
    "date_fiscal": (_set("E4", dt.datetime(2026, 3, 1)), "E4", "JX-L03"),
    "text_other": (_set("G4", "八十"), "G4", "JX-L03"),
    "huge_budget": (_set("C4", 1e30), "C4", "JX-L03"),
    "error_plan": (_set("D7", "#N/A"), "D7", "JX-L05"),
}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    folder = tmp_path_factory.mktemp("damaged")
    return {name: _edit(_good(folder, f"{name}.xlsx"), edit) for name, (edit, _, _) in CASES.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_validate_names_the_cell(damaged, name):
    _, cell, code = CASES[name]
    for engine in ("calamine", "openpyxl"):
        report = validate_file(damaged[name], engine=engine)
        assert any(i.code == code and i.sheet == "项目1" and i.cell == cell for i in report.issues), \
            (engine, [(i.code, i.cell) for i in report.issues])


@pytest.mark.parametrize("name", list(CASES))
def test_totals_lists_what_it_could_not_count(damaged, name, tmp_path):
    _, cell, code = CASES[name]
    result = _run("totals", damaged[name])
    assert result.exit_code == 1, result.output
    assert "未能计入" in result.output and f"[项目1] {cell}" in result.output and code in result.output
    data = json.loads(_run("totals", damaged[name], "--format", "json").output)
    assert any(f["code"] == code and f["cell"] == cell for f in data["findings"])
    exported = _run("export", damaged[name], "--to", "csv", "-o", tmp_path / "e.csv")
    assert exported.exit_code == 1 and code in exported.output


@pytest.mark.parametrize("name", list(CASES))
def test_consolidation_lists_the_project(damaged, name):
    _, cell, code = CASES[name]
    summary, _ = extract(str(damaged[name]), None, True, TARGETS)
    assert summary["status"] == "ok" and summary["n_projects"] == 3, "the unit is consolidated"
    assert summary["errors"] >= 1 and summary["issue_codes"].get(code), summary["issue_codes"]


def test_consolidate_exit_status(damaged, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(damaged["error_fiscal"].read_bytes())
    result = _run("consolidate", folder, "-o", tmp_path / "汇总.xlsx", "--workers", "1", "--no-cache")
    assert result.exit_code == 1


def test_formula_with_a_saved_result_reads_as_that_result(tmp_path):
    """=C4-G4 in 财政资金 saved with its result (as Excel saves it): calamine reads the result; the openpyxl
    engine, which never sees results, says the cell was not counted (JX-L05)."""
    import re
    import zipfile

    path = _good(tmp_path)
    src, out = zipfile.ZipFile(path), tmp_path / "公式.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":
                data = re.sub(rb'<c r="E4" s="(\d+)"(?:/>|>.*?</c>)',
                              rb'<c r="E4" s="\1"><f>C4-G4</f><v>12.34</v></c>', data, count=1)
                assert b"<f>C4-G4</f>" in data
            dst.writestr(info, data)
    book = read_workbook(out)
    assert book.projects[0].fiscal == D("12.34") and not book.projects[0].raw
    assert _run("totals", out).exit_code == 0  # (B01 may follow from the new 财政资金; totals does not care)
    strict = validate_file(out, engine="openpyxl")
    assert any(i.code == "JX-L05" and i.cell == "E4" for i in strict.issues)


def test_good_workbook_totals_exit_zero(tmp_path):
    result = _run("totals", _good(tmp_path))
    assert result.exit_code == 0 and "未能计入" not in result.output


def test_altered_project_sheet_is_listed_by_totals(tmp_path):
    path = _edit(_good(tmp_path), lambda wb: wb["项目2"].insert_rows(5))
    result = _run("totals", path)
    assert result.exit_code == 1 and "JX-L01" in result.output and "项目2" in result.output
    exported = _run("export", path, "--to", "json", "-o", tmp_path / "e.json")
    assert exported.exit_code == 1 and "JX-L01" in exported.output
    summary, _ = extract(str(path), None, False, TARGETS)
    assert summary["issue_codes"].get("JX-L01") and summary["errors"] >= 1


@pytest.mark.parametrize("raw", [b"1E+30", b"1e309", b"-1e309", b"9.99E+307"])
def test_out_of_range_numbers_in_the_xml(tmp_path, raw):
    """Numbers no spreadsheet could have typed (1e309 overflows to inf): JX-L03, never a crash."""
    import zipfile

    path = _good(tmp_path)
    src = zipfile.ZipFile(path)
    out = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":  # 项目1
                start = data.index(b'<c r="C4"')
                v = data.index(b"<v>", start) + 3
                data = data[:v] + raw + data[data.index(b"</v>", v):]
            dst.writestr(info, data)
    for command in (["validate", out], ["totals", out], ["export", out, "--to", "json", "-o", tmp_path / "o.json"]):
        result = _run(*command)
        assert result.exit_code == 1 and "JX-L03" in result.output, result.output
    summary, _ = extract(str(out), None, False, TARGETS)
    assert summary["status"] == "ok" and summary["issue_codes"].get("JX-L03")
