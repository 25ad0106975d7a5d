"""The Excel add-in through the xlwings remote engine: real payloads, exact recorded actions."""

from __future__ import annotations

import os

import openpyxl
import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402

import jixiao.addin as addin  # noqa: E402
from jixiao.addin.replay import apply_actions, payload_from_file  # noqa: E402
from jixiao.forms.reader import read_workbook  # noqa: E402
from jixiao.synth import generate_unit  # noqa: E402
from jixiao.forms.template import INPUT_FILL, write_workbook  # noqa: E402
from jixiao.checks.validate import validate_file  # noqa: E402

from conftest import requires_soffice  # noqa: E402


def run(path, script, **kwargs):
    book = xw.Book(json=payload_from_file(path))
    result = getattr(addin, script)(book, **kwargs)
    return book.json()["actions"], result


def plain(actions):
    return [{k: v for k, v in a.items() if v is not None} for a in actions]


@pytest.fixture
def one_error(tmp_path):
    book = generate_unit(4, n_projects=1, n_indicators=4)
    book.projects[0].budget += 1
    return write_workbook(tmp_path / "one.xlsx", book)


def test_validate_records_exactly_these_actions(one_error):
    actions, report = run(one_error, "validate")
    message = report.issues[0].message
    assert plain(actions) == [
        {"func": "setRangeColor", "args": ["#FFC7CE"], "sheet_position": 2, "start_row": 3, "start_column": 2,
         "row_count": 1, "column_count": 1},
        {"func": "addNote", "args": ["$C$4", f"[JX-B01 错误] {message}"], "sheet_position": 2, "start_row": 3,
         "start_column": 2, "row_count": 1, "column_count": 1},
        {"func": "addSheet", "args": [5, "_jixiao_marks"]},
        {"func": "setSheetVisibility", "args": ["Hidden"], "sheet_position": 5},
        {"func": "setValues", "args": [None], "values": [["项目1!C4"]], "sheet_position": 5, "start_row": 0,
         "start_column": 0, "row_count": 1, "column_count": 1},
        {"func": "addSheet", "args": [0, "校验结果"]},
        {"func": "setValues", "args": [None], "values": [
            ["校验结果：1 个错误，0 个提示（错误须修改后再提交）", "", "", "", "", "", "", "", ""],
            ["序号", "严重程度", "代码", "工作表", "单元格", "字段", "值", "说明", "修正建议"],
            [1, "错误", "JX-B01", "项目1", "C4", "budget_total", "1239.57", message, ""]],
         "sheet_position": 0, "start_row": 0, "start_column": 0, "row_count": 3, "column_count": 9},
        {"func": "addHyperlink", "args": ["#'项目1'!C4", "C4", "转到问题单元格"], "sheet_position": 0,
         "start_row": 2, "start_column": 4, "row_count": 1, "column_count": 1},
        {"func": "activateSheet", "args": [0], "sheet_position": 0},
        {"func": "alert", "args": ["校验完成：1 个错误，0 个提示。请先改正错误（红色）再提交。", "jixiao 绩效", "ok", "", ""]},
    ]


def test_marks_match_the_library_report(example_files):
    for name, path in example_files.items():
        actions, report = run(path, "validate")
        library = validate_file(path)
        assert [i.model_dump() for i in report.issues] == [i.model_dump() for i in library.issues], name
        coloured = {(a["sheet_position"], a["start_row"] + 1, a["start_column"] + 1)
                    for a in actions if a["func"] == "setRangeColor"}
        sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
        expected = set()
        for issue in library.issues:
            if issue.cell:
                col = "".join(ch for ch in issue.cell if ch.isalpha())
                expected.add((sheets.index(issue.sheet), int(issue.cell[len(col):]),
                              openpyxl.utils.column_index_from_string(col)))
        assert coloured == expected, name
        links = [a for a in actions if a["func"] == "addHyperlink"]
        assert len(links) == sum(1 for i in library.issues if i.cell)


def test_clear_marks_restores_the_template_look(one_error, tmp_path):
    actions, _ = run(one_error, "validate")
    marked = apply_actions(one_error, actions, tmp_path / "marked.xlsx")
    cleared_actions, restored = run(marked, "clear_marks")
    assert restored == 1
    funcs = [a["func"] for a in cleared_actions]
    assert funcs == ["setRangeColor", "deleteNote", "sheetClearContents", "sheetDelete"]
    assert cleared_actions[0]["args"] == [INPUT_FILL]  # C4 is an input cell: back to the template's fill
    clean = apply_actions(marked, cleared_actions, tmp_path / "clean.xlsx")
    wb = openpyxl.load_workbook(clean)
    assert "校验结果" not in wb.sheetnames and wb["项目1"]["C4"].comment is None
    assert read_workbook(clean) == read_workbook(one_error)


def test_add_project_copies_the_master(example_files, tmp_path):
    src = example_files["luanping_xinfang_2026"]
    actions, name = run(src, "add_project")
    assert name == "项目3"
    assert [a["func"] for a in actions] == ["copySheet", "setSheetName", "setSheetVisibility", "activateSheet"]
    out = apply_actions(src, actions, tmp_path / "added.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames.index("项目3") == wb.sheetnames.index("项目2") + 1
    assert wb["项目3"].sheet_state == "visible" and wb["项目3"]["A3"].value == "项目编码"
    assert read_workbook(out) == read_workbook(src), "a blank new project adds nothing to the model"


@requires_soffice
def test_replayed_actions_show_marks_in_libreoffice(example_files, tmp_path):
    from jixiao.excel.office import convert

    src = example_files["zhijiang_xinfang_2026"]
    actions, report = run(src, "validate")
    marked = apply_actions(src, actions, tmp_path / "marked.xlsx")
    seen = openpyxl.load_workbook(convert(marked, "xlsx", tmp_path / "lo"))
    ws = seen["整体支出绩效目标表"]
    assert ws["B7"].fill.fgColor.rgb.endswith("FFC7CE") and "JX-T01" in ws["B7"].comment.text
    assert ws["D16"].fill.fgColor.rgb.endswith("FFEB9C")
    assert seen.sheetnames[0] == "校验结果"
    assert seen["校验结果"]["C3"].value == report.issues[0].code


@requires_soffice
def test_refresh_totals_live_formulas_agree_with_python(example_files, tmp_path):
    from decimal import Decimal

    from jixiao.excel.office import convert
    from jixiao.totals.plan import MILESTONES, unit_schedule

    src = example_files["luanping_xinfang_2026"]
    actions, _ = run(src, "refresh_totals")
    out = apply_actions(src, actions, tmp_path / "totals.xlsx")
    ws = openpyxl.load_workbook(convert(out, "xlsx", tmp_path / "lo"), data_only=True)["支出计划汇总"]
    schedule = unit_schedule(read_workbook(src))
    for k, m in enumerate(MILESTONES):
        assert Decimal(str(ws.cell(7, 8 + 2 * k).value)) == schedule.amounts[m]


def test_udfs():
    assert addin.JX_PLAN_AMOUNT(31.5, 25) == 7.88
    assert addin.JX_PLAN_AMOUNT(80, 100) == 80
    assert addin.JX_PLAN_AMOUNT("八十", 25) == "#数值?"
    assert addin.JX_PARSE_VALUE("≥95%") == [["≥", 95.0, "%"]]
    assert addin.JX_PARSE_VALUE("切实加强") == [["定性", "", ""]]


def test_check_project_udf_counts_errors(tmp_path):
    from jixiao.checks.validate import validate_project

    book = generate_unit(6, n_projects=1, n_indicators=6)
    book.projects[0].budget += 1
    book.projects[0].goals = None
    path = write_workbook(tmp_path / "p.xlsx", book)
    wb = xw.Book(json=payload_from_file(path))
    count = addin.JX_CHECK_PROJECT(wb.sheets["项目1"]["A1:G30"])
    project = read_workbook(path).projects[0]
    assert count == 2 == sum(1 for i in validate_project(project, book.milestones) if i.severity == "error")


def test_export_docx_entry_point_writes_beside_the_book(example_files, tmp_path, monkeypatch):
    """The desktop path: the book's folder is where the Word document goes."""
    from jixiao.addin import live
    from jixiao.converters.docx import import_docx

    src = example_files["luanping_xinfang_2026"]
    book = xw.Book(json=payload_from_file(src))
    monkeypatch.setattr(live, "folder_of", lambda b: tmp_path)  # a remote book has no folder of its own
    out = addin.export_docx(book)
    assert out.parent == tmp_path and out.name == "滦平县信访局本级2026年部门预算绩效文本.docx"
    assert import_docx(out)[0] == read_workbook(src)


def test_error_value_in_a_money_cell_is_l05_in_excel_too(tmp_path):
    """Excel sends an error cell's text ("#REF!"); the add-in must flag it as the file engines do (JX-L05)."""
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from corpus import error_value, run as run_command

    outcome = run_command("addin", error_value(tmp_path), tmp_path / "addin")
    assert "JX-L05" in outcome["codes"], outcome
