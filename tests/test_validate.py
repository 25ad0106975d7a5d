"""Validation on the seeds, on random models, through the CLI, and its fix and annotate outputs."""

from __future__ import annotations

import hashlib
import json

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from jixiao.checks.annotate import MARK_SHEET, RESULT_SHEET, annotate_file, clear_file
from jixiao.cli import main
from jixiao.checks.fix import FIXABLE, plan_fixes, write_fixed
from jixiao.checks.issues import Report
from jixiao.profiles import load_profile
from jixiao.forms.reader import read_workbook
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook
from jixiao.checks.validate import validate_file

from strategies import unit_workbook

SLOW = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _at(report, code):
    return sorted(f"{i.sheet}!{i.cell}" for i in report.issues if i.code == code)


def test_zhijiang_misplaced_rows(example_files):
    report = validate_file(example_files["zhijiang_xinfang_2026"])
    sheet = "整体支出绩效目标表"
    # 数量指标 in the 一级 column (row 7) and the shifted 项目执行完成率 row (时效指标 in 一级, row 16)
    assert _at(report, "JX-T01") == [f"{sheet}!B16", f"{sheet}!B7"]
    # 重复件治理率 (row 15), 产出指标 / 社会效益指标 (row 17) and the 可持续影响指标 under it (row 18)
    assert {f"{sheet}!C15", f"{sheet}!C17", f"{sheet}!C18"} <= set(_at(report, "JX-T02"))
    assert _at(report, "JX-V06") == [f"{sheet}!E15", f"{sheet}!E16"]  # the shifted rows' "100" as 指标值类型


def test_huailai_mixed_values_legacy_and_repeats(example_files):
    report = validate_file(example_files["huailai_xinfang_2020"])
    v05 = [i for i in report.issues if i.code == "JX-V05"]
    assert len(v05) == 12
    first = next(i for i in v05 if i.sheet == "项目1" and i.cell == "E10")
    assert first.fix["split"] == {"operator": "≥", "number": "90", "unit": None, "rest": "及时协调处理进京访率。"}
    assert first.fix["changes"][0]["new"] == "≥90%"
    assert _at(report, "JX-T03") == ["项目1!A13", "项目2!A13"]
    assert "项目1!C11" in _at(report, "JX-T06") and "项目1!C12" in _at(report, "JX-T06")
    assert report.errors == 0


def test_luanping_has_no_errors_and_explained_warnings(example_files):
    report = validate_file(example_files["luanping_xinfang_2026"])
    assert report.errors == 0
    assert [(i.code, f"{i.sheet}!{i.cell}") for i in report.issues] == [
        ("JX-X01", "项目1!C10"), ("JX-X01", "项目1!B14"), ("JX-X01", "项目1!C14"), ("JX-X01", "项目1!B15"),
        ("JX-X01", "项目1!C15"), ("JX-C01", "项目2!B3")]


@settings(max_examples=20, **SLOW)
@given(book=unit_workbook())
def test_random_models_never_crash(tmp_path, book):
    report = validate_file(write_workbook(tmp_path / "r.xlsx", book))
    assert report.readable
    for issue in report.issues:
        assert issue.message and "{" not in issue.message


@settings(max_examples=15, **SLOW)
@given(seed=st.integers(0, 5000), projects=st.integers(1, 4), indicators=st.integers(3, 15),
       profile=st.sampled_from(["hebei", "national", "hunan"]), classified=st.booleans())
def test_valid_random_models_have_no_errors(tmp_path, seed, projects, indicators, profile, classified):
    book = generate_unit(seed, n_projects=projects, n_indicators=indicators, profile=load_profile(profile),
                         classified=classified)
    report = validate_file(write_workbook(tmp_path / "v.xlsx", book))
    assert report.errors == 0, [i.message for i in report.issues]


noise = st.sampled_from(["space", "break", "alias1", "alias2", "mixed"])


@settings(max_examples=15, **SLOW)
@given(seed=st.integers(0, 5000), noises=st.lists(st.tuples(noise, st.integers(0, 20)), min_size=1, max_size=6))
def test_fix_output_is_clean_of_fixed_codes(tmp_path, seed, noises):
    book = generate_unit(seed, n_projects=2, n_indicators=8)
    for kind, k in noises:
        project = book.projects[k % 2]
        ind = project.indicators[k % len(project.indicators)]
        if kind == "space":
            project.code = project.code[:6] + " " + project.code[6:]
        elif kind == "break" and ind.level3:
            ind.level3 = ind.level3[:2] + "\n" + ind.level3[2:]
        elif kind == "alias1" and ind.level1 == "效益指标":
            ind.level1 = "效果\n指标"
        elif kind == "alias2" and ind.level2 == "社会效益指标" or (kind == "alias2" and ind.level2 == "生态效益指标"):
            ind.level2 = "环境效益指标" if ind.level2 == "生态效益指标" else "社会效益"
        elif kind == "mixed":
            ind.value_text = "≥90及时办理率"
    src = write_workbook(tmp_path / "noisy.xlsx", book)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    fixed = read_workbook(src)
    changes = plan_fixes(fixed)
    out = write_fixed(src, tmp_path / "fixed.xlsx", changes)
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    after = validate_file(out)
    assert not [i for i in after.issues if i.code in FIXABLE], [i.message for i in after.issues]
    assert read_workbook(out) == fixed


def test_cli_json_equals_library(example_files):
    paths = [str(p) for p in example_files.values()]
    result = CliRunner().invoke(main, ["validate", *paths, "--format", "json"])
    assert result.exit_code == 1  # 芷江 has errors
    data = json.loads(result.output)
    assert data == Report(files=[validate_file(p) for p in paths]).to_json()
    assert set(data) == {"ok", "errors", "warnings", "files"}
    issue = data["files"][0]["issues"][0]
    assert set(issue) == {"code", "severity", "sheet", "cell", "field", "value", "message", "fix"}


def test_cli_exit_codes(example_files, foreign_xlsx, tmp_path):
    run = lambda *a: CliRunner().invoke(main, ["validate", *map(str, a)])  # noqa: E731
    assert run(example_files["luanping_xinfang_2026"]).exit_code == 0
    assert run(foreign_xlsx).exit_code == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    result = run(bad)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert CliRunner().invoke(main, ["validate", str(bad), "--fix"]).exit_code == 2


def test_budget_field_name_is_the_contract(tmp_path):
    book = generate_unit(4, n_projects=1)
    book.projects[0].budget += 1
    issue = next(i for i in validate_file(write_workbook(tmp_path / "b.xlsx", book)).issues if i.code == "JX-B01")
    assert (issue.field, issue.sheet, issue.cell) == ("budget_total", "项目1", "C4")


def test_annotate_marks_cells_and_clears_only_its_own(example_files, tmp_path):
    src = example_files["zhijiang_xinfang_2026"]
    # the unit's own note and fill on a cell jixiao will mark, and on one it will not
    own = openpyxl.load_workbook(src)
    ws = own["整体支出绩效目标表"]
    ws["B7"].comment = Comment("单位自己的批注", "张三")
    ws["H8"].fill = PatternFill("solid", fgColor="FF00B050")
    own_path = tmp_path / "own.xlsx"
    own.save(own_path)
    before = hashlib.sha256(own_path.read_bytes()).hexdigest()

    report = validate_file(own_path)
    first = annotate_file(own_path, tmp_path / "a1.xlsx", report)
    second = annotate_file(first, tmp_path / "a2.xlsx", validate_file(first))
    assert hashlib.sha256(own_path.read_bytes()).hexdigest() == before
    wb = openpyxl.load_workbook(second)
    ws = wb["整体支出绩效目标表"]
    assert ws["B7"].fill.fgColor.rgb == "FFFFC7CE" and "JX-T01" in ws["B7"].comment.text
    assert ws["B7"].comment.text.count("JX-T01") == 1, "annotating again does not stack marks"
    assert ws["D16"].fill.fgColor.rgb == "FFFFEB9C", "a warning-only cell is yellow"
    assert ws["H8"].fill.fgColor.rgb == "FF00B050"
    assert all(s.protection.sheet for s in wb.worksheets if s.title != MARK_SHEET)
    result = wb[RESULT_SHEET]
    assert wb.sheetnames[0] == RESULT_SHEET
    rows = list(result.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(report.issues)
    links = {result.cell(r, 5).hyperlink.location for r in range(3, 3 + len(rows)) if result.cell(r, 5).hyperlink}
    assert "'整体支出绩效目标表'!B7" in links

    cleared = openpyxl.load_workbook(clear_file(second, tmp_path / "c.xlsx"))
    ws = cleared["整体支出绩效目标表"]
    assert ws["B7"].comment.text == "单位自己的批注" and ws["B7"].comment.author == "张三"
    assert ws["B7"].fill.fgColor.rgb == openpyxl.load_workbook(own_path)["整体支出绩效目标表"]["B7"].fill.fgColor.rgb
    assert RESULT_SHEET not in cleared.sheetnames and MARK_SHEET not in cleared.sheetnames
    assert read_workbook(second) == read_workbook(own_path)


def test_value_with_only_its_unit_names_the_unit_not_empty_text(tmp_path, example_files):
    # A 湖南 clerk typed "274.6万元" into 指标值 while 计量单位 already says 万元: the finding said
    # 数字后跟了说明文字“”, text that is not there.
    path = tmp_path / "zhijiang.xlsx"
    wb = openpyxl.load_workbook(example_files["zhijiang_xinfang_2026"])
    ws = wb["整体支出绩效目标表"]
    row = next(r for r in range(7, 30) if ws.cell(r, 4).value == "全年经费预算成本")
    assert ws.cell(r := row, 7).value == "万元"
    ws.cell(r, 6).value = "274.6万元"
    wb.save(path)
    v05 = [i for i in validate_file(path).issues if i.code == "JX-V05" and i.cell == f"F{r}"]
    assert len(v05) == 1
    assert "“”" not in v05[0].message
    assert "单位“万元”" in v05[0].message and "计量单位" in v05[0].message
    assert v05[0].fix["changes"][0]["new"] == "274.6"
    assert v05[0].fix["description"] == "指标值改为“274.6”，计量单位为“万元”"  # no 说明文字 to move


def test_weights_total_is_printed_as_added_up(tmp_path, example_files):
    # 20.5 + 19.5 + 20 + 20 + 20 said "指标分值合计 100.0，应为 90"
    path = tmp_path / "zhijiang.xlsx"
    wb = openpyxl.load_workbook(example_files["zhijiang_xinfang_2026"])
    ws = wb["整体支出绩效目标表"]
    for row, weight in zip(range(7, 12), (20.5, 19.5, 20, 20, 20)):
        ws.cell(row, 11).value = weight
    wb.save(path)
    w01 = [i for i in validate_file(path).issues if i.code == "JX-W01"]
    assert [i.message for i in w01] == ["指标分值合计 100，应为 90；请调整各指标分值。"]
    assert w01[0].value == "100"


def test_annotated_results_name_fields_as_the_form_labels_them(tmp_path, example_files):
    """校验结果's 字段 is the form's label (绩效目标, 二级指标), not the JSON's field name (goals, level2)."""
    from pathlib import Path

    src = tmp_path / "单位.xlsx"
    src.write_bytes(Path(example_files["luanping_xinfang_2026"]).read_bytes())
    wb = openpyxl.load_workbook(src)
    wb["项目1"]["B8"], wb["项目1"]["B10"] = None, "数量"  # 绩效目标 blank (JX-G01), a 二级 off the list
    wb.save(src)
    out = tmp_path / "标注.xlsx"
    result = CliRunner().invoke(main, ["validate", str(src), "--annotate", "-o", str(out)])
    assert result.exit_code == 1, result.output
    rows = list(openpyxl.load_workbook(out)[RESULT_SHEET].iter_rows(min_row=3, values_only=True))
    fields = {(r[2], r[4]): r[5] for r in rows}
    assert fields[("JX-G01", "B8")] == "绩效目标", fields
    assert not {f for f in fields.values() if f and f.isascii()}, fields  # no level2, goals, budget_total
