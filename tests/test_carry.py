"""`jixiao carry`: last year's workbook → the new year's, on real files written and read back."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.years.carry import carry, value_from_actual
from jixiao.cli import main
from jixiao.examples import load_example
from jixiao.forms.layouts import project_layout
from jixiao.forms.model import UnitWorkbook
from jixiao.profiles import load_profile
from jixiao.forms.reader import read_workbook
from jixiao.selfeval.prefill import prefill
from jixiao.selfeval.reading import read_selfeval
from jixiao.selfeval.writer import write_selfeval
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook
from jixiao.checks.validate import validate_file


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _squeezed(ind) -> dict:
    """An indicator's content with the spaces and line breaks of its names gone (carry tidies them)."""
    return {k: "".join(v.split()) if k.startswith("level") and isinstance(v, str) else v
            for k, v in ind.content().items()}


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def last_year(tmp_path):
    book = load_example("luanping_xinfang_2026")
    book.unit.fill_date, book.unit.business_review, book.unit.performance_review = "2025-12-20", "王五", "赵六"
    book.unit.filler, book.unit.head = "张三", "李四"
    return write_workbook(tmp_path / "2026.xlsx", book), book


def test_carry_keeps_projects_and_empties_money(last_year, tmp_path):
    path, book = last_year
    before = _digest(path)
    out = tmp_path / "2027.xlsx"
    result = _run("carry", path, "--year", 2027, "-o", out)
    assert result.exit_code == 0, result.output
    assert "已生成 2027 年度工作簿" in result.output and "待填写" in result.output
    assert _digest(path) == before  # the input is never touched
    new = read_workbook(out)
    assert new.unit.year == 2027 and new.unit.code == "154001" and new.unit.name == book.unit.name
    assert (new.unit.fill_date, new.unit.business_review, new.unit.performance_review) == (None, None, None)
    assert (new.unit.filler, new.unit.head) == ("张三", "李四")
    assert new.department == book.department
    assert [p.name for p in new.projects] == [p.name for p in book.projects]
    for old, p in zip(book.projects, new.projects):
        assert (p.purpose, p.goals) == (old.purpose, old.goals)
        assert [i.content() for i in p.indicators] == [_squeezed(i) for i in old.indicators]
        assert (p.budget, p.fiscal, p.other) == (None, None, None)
        assert all(v is None for v in p.plan.values()) and list(p.plan) == ["3月底", "6月底", "10月底"]
    # the strict code carries 2026's year: emptied; the noisy second code is kept as written
    assert new.projects[0].code is None and new.projects[1].code == book.projects[1].code


def test_prior_values_beside_inputs_locked(last_year, tmp_path):
    path, book = last_year
    out = tmp_path / "2027.xlsx"
    assert _run("carry", path, "--year", 2027, "-o", out).exit_code == 0
    panel = project_layout(("3月底", "6月底", "10月底")).panel
    ws = openpyxl.load_workbook(out)["项目1"]
    assert ws.protection.sheet
    cells = {f.name: ws[f.ref] for f in panel.fields}
    assert cells["prior.code"].value == book.projects[0].code
    assert Decimal(str(cells["prior.budget"].value)) == book.projects[0].budget
    assert Decimal(str(cells["prior.plan.3月底"].value)) == book.projects[0].plan["3月底"]
    assert all(c.protection.locked for c in cells.values())  # read-only: not an input cell
    assert ws["H2"].value.startswith("上年数")
    # the printed form stays the official one: its columns A:G (down to the last row in use), not the panel
    assert ws.print_area == "'项目1'!$A$1:$G$1048575"
    # the master a clerk copies for a new project has no last year
    assert openpyxl.load_workbook(out)["项目模板"]["H2"].value is None


def test_prior_is_never_read_as_input(last_year, tmp_path):
    path, _ = last_year
    out = tmp_path / "2027.xlsx"
    assert _run("carry", path, "--year", 2027, "-o", out).exit_code == 0
    # the clerk fills this year's money; someone also types into the 上年数 cell
    filled = read_workbook(out)
    filled.projects[0].budget = filled.projects[0].fiscal = Decimal("90.00")
    filled_path = write_workbook(tmp_path / "2027-filled.xlsx", filled)
    wb = openpyxl.load_workbook(filled_path)
    wb["项目1"]["I4"] = 12345
    wb.save(filled_path)
    again = read_workbook(filled_path)
    assert again.projects[0].budget == Decimal("90.00")
    assert again.projects[1].budget is None
    # carried once more, last year's amount is the input (90), not what the panel showed
    nxt = carry(again, 2028)
    assert nxt.book.projects[0].prior["budget"] == Decimal("90.00")


def test_validate_lists_what_to_fill(tmp_path):
    """A valid unit carried forward has only must-fill findings: a to-do list (JX-L02, empty plan)."""
    for profile in ("hebei", "hunan"):
        prof = load_profile(profile)
        unit = generate_unit(3, n_projects=3, n_indicators=6, profile=prof)
        src = write_workbook(tmp_path / f"{profile}-2026.xlsx", unit, prof)
        assert validate_file(src).errors == 0
        out = tmp_path / f"{profile}-2027.xlsx"
        assert _run("carry", src, "--year", 2027, "-o", out).exit_code == 0
        report = validate_file(out)
        errors = [i for i in report.issues if i.severity == "error"]
        assert {i.code for i in errors} == {"JX-L02", "JX-P01"}, [i.message for i in errors]
        l02 = {(i.sheet, i.cell) for i in errors if i.code == "JX-L02"}
        assert l02 == {(f"项目{n}", c) for n in (1, 2, 3) for c in ("B3", "C4")}
        assert read_workbook(out).milestones == list(prof.milestones)


def test_selfeval_actuals_become_values(last_year, tmp_path):
    path, book = last_year
    ev = prefill(book)
    first = ev.projects[0]
    quantitative = [i for i in first.indicators if value_from_actual(i.target, "1") is not None]
    assert quantitative
    for n, ind in enumerate(quantitative):
        ind.actual = f"{90 + n}"
    ev_path = write_selfeval(tmp_path / "自评表.xlsx", ev)
    out = tmp_path / "2027.xlsx"
    result = _run("carry", path, "--year", 2027, "-o", out, "--selfeval", ev_path)
    assert result.exit_code == 0, result.output
    assert f"{len(quantitative)} 个指标值取自上年自评表的实际完成值" in result.output
    new = read_workbook(out)
    by_name = {i.level3: i.value_text for i in new.projects[0].indicators}
    for n, ind in enumerate(quantitative):
        assert by_name["".join(ind.level3.split())] == value_from_actual(ind.target, f"{90 + n}")
    # no actuals: unchanged (but for the names' stray line breaks)
    assert [i.content() for i in new.projects[1].indicators] == [_squeezed(i) for i in book.projects[1].indicators]
    assert read_selfeval(ev_path).projects[0].indicators[0].actual is not None


def test_value_from_actual_keeps_operator_and_unit():
    assert value_from_actual("≥95%", "98%") == "≥98%"
    assert value_from_actual("≤80万元", "78.5万元") == "≤78.5万元"
    assert value_from_actual("100%", "99") == "99%"
    assert value_from_actual("≥75次", "") is None
    assert value_from_actual("效果明显", "达成") is None


def test_refuses_wrong_year_and_other_units_selfeval(last_year, tmp_path):
    path, book = last_year
    out = tmp_path / "2027.xlsx"
    result = _run("carry", path, "--year", 2026, "-o", out)
    assert result.exit_code == 2 and "应晚于" in result.output and not out.exists()
    other = prefill(generate_unit(5, n_projects=1))
    ev_path = write_selfeval(tmp_path / "别的单位自评表.xlsx", other)
    result = _run("carry", path, "--year", 2027, "-o", out, "--selfeval", ev_path)
    assert result.exit_code == 2 and "单位编码" in result.output and not out.exists()
    result = _run("carry", path, "--year", 2027, "-o", path)
    assert result.exit_code == 2 and "不能与输入文件相同" in result.output
    result = _run("carry", path, "--year", 27, "-o", out)
    assert result.exit_code == 2 and "四位年份" in result.output
    result = _run("carry", path, "--year", 2027, "-o", tmp_path / "2027.xls")
    assert result.exit_code == 2 and ".xlsx" in result.output and not (tmp_path / "2027.xls").exists()


def test_says_what_it_could_not_carry(last_year, tmp_path):
    path, book = last_year
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("我的备注")["A1"] = "联系人名单"
    wb.create_sheet("支出计划汇总")
    wb["项目2"].insert_rows(5)  # the clerk inserted a row: the sheet no longer reads
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    out = tmp_path / "2027.xlsx"
    result = _run("carry", edited, "--year", 2027, "-o", out)
    assert result.exit_code == 1, result.output
    assert "未带入：工作表“项目2”的结构被改动" in result.output
    assert "未带入：工作表“我的备注”不是模板的表" in result.output
    assert "“支出计划汇总”由 jixiao 生成" in result.output
    assert [p.name for p in read_workbook(out).projects] == [book.projects[0].name]


def test_carry_model_is_pure():
    book = generate_unit(1, n_projects=2, n_indicators=4)
    snapshot = book.model_copy(deep=True)
    result = carry(book, 2027)
    assert book == snapshot and book.projects[0].budget is not None
    assert isinstance(result.book, UnitWorkbook) and result.codes_cleared == 2


def test_hostile_inputs_exit_cleanly(tmp_path):
    """Files of the reliability corpus through carry and diff: a message and 1 or 2, never a traceback;
    the input untouched. (A subset: the zip bomb alone takes seconds to make; tests/test_reliability.py
    runs it through the reader that carry and diff share.)"""
    from corpus import CORPUS

    picked = ("truncated", "corrupt", "password", "xls_renamed", "csv_renamed", "empty", "other_template",
              "old_version", "xxe", "rows_inserted", "formula_input", "full_width", "error_value")

    good = write_workbook(tmp_path / "good.xlsx", generate_unit(7, n_projects=2, n_indicators=6))
    for name in picked:
        make = CORPUS[name][1]
        folder = tmp_path / name
        folder.mkdir()
        path = make(folder)
        before = _digest(path)
        out = folder / "2027.xlsx"
        for args in (("carry", path, "--year", 2027, "-o", out), ("diff", good, path, "--format", "json")):
            result = CliRunner().invoke(main, [str(a) for a in args])
            assert not (result.exception and not isinstance(result.exception, SystemExit)), (name, result.output)
            assert "Traceback" not in result.output, name
            assert result.exit_code in (0, 1, 2), (name, result.output)
            if result.exit_code == 2:
                assert "错误：" in result.output, (name, result.output)
        assert _digest(path) == before, name
    old = CliRunner().invoke(main, ["carry", str(tmp_path / "old_version" / "旧版本模板.xlsx"), "--year", "2027",
                                    "-o", str(tmp_path / "o.xlsx")])
    assert old.exit_code == 2 and "模板版本" in old.output and not (tmp_path / "o.xlsx").exists()


@pytest.mark.libreoffice
def test_libreoffice_prints_the_form_without_prior(last_year, tmp_path):
    """LibreOffice as a real client: the carried 项目1 prints the official form; 上年数 stays on screen only."""
    import shutil
    import subprocess

    from jixiao.excel.office import convert

    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or poppler-utils is not installed")
    path, book = last_year
    out = tmp_path / "2027.xlsx"
    assert _run("carry", path, "--year", 2027, "-o", out).exit_code == 0
    recalculated = openpyxl.load_workbook(convert(out, "xlsx", tmp_path / "lo"), data_only=True)
    assert recalculated["项目2"]["I4"].value == float(book.projects[1].budget)  # still there after a round trip
    assert recalculated["项目1"]["A2"].value == "154001 滦平县信访局本级"
    pdf = convert(out, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "信访工作保障经费绩效目标表" in text and "一级指标" in text
    assert "上年数" not in text and "13082426P000327100327" not in text


def test_selfeval_actuals_on_the_overall_form(tmp_path):
    """The Hunan 整体支出绩效目标表: 指标值 holds the number alone; the actual replaces it, type and unit stay."""
    book = load_example("zhijiang_xinfang_2026")
    path = write_workbook(tmp_path / "2026.xlsx", book)
    ev = prefill(book)
    ev.department.indicators[1].actual = "2人"  # target ≤3人
    ev.department.indicators[4].actual = "98%"  # target 100%
    ev_path = write_selfeval(tmp_path / "自评表.xlsx", ev)
    out = tmp_path / "2027.xlsx"
    result = _run("carry", path, "--year", 2027, "-o", out, "--selfeval", ev_path)
    assert result.exit_code == 0, result.output
    assert "2 个指标值取自上年自评表的实际完成值" in result.output
    rows = read_workbook(out).overall.indicators
    old = book.overall.indicators
    assert [(r.value_type, r.value_text, r.measure_unit) for r in rows[:5]] == [
        (old[0].value_type, old[0].value_text, old[0].measure_unit), ("≤", "2", "人"),
        (old[2].value_type, old[2].value_text, old[2].measure_unit), (old[3].value_type, "5", "批次"),
        ("=", "98", "%")]
    assert rows[5:] == old[5:]


def test_todo_count_apart_from_last_years_errors(tmp_path):
    """Last year's own mistakes travel with the indicators; the to-do count is only what carry emptied."""
    unit = generate_unit(6, n_projects=2, n_indicators=4)
    unit.projects[0].indicators[0].level1 = "乱填的指标"  # JX-T01, carried as written
    src = write_workbook(tmp_path / "2026.xlsx", unit)
    result = _run("carry", src, "--year", 2027, "-o", tmp_path / "2027.xlsx")
    assert result.exit_code == 0, result.output
    errors = [i for i in validate_file(tmp_path / "2027.xlsx").issues if i.severity == "error"]
    todo = sum(i.code in ("JX-L02", "JX-P01") for i in errors)
    assert [i.code for i in errors if i.code not in ("JX-L02", "JX-P01")] == ["JX-T01"]
    assert f"待填写：{todo} 处；另有 1 个错误（上年表中已有）" in result.output


def test_carry_says_where_last_years_values_are_on_a_form_without_them(tmp_path):
    """The national 申报表 has no 上年数 panel and no spending plan: the message must not send the clerk
    to the right of each project sheet for values that are not there, nor speak of a plan."""
    from jixiao.synth import generate_national_unit

    src = write_workbook(tmp_path / "2026.xlsx", generate_national_unit(1))
    out = tmp_path / "2027.xlsx"
    result = _run("carry", src, "--year", 2027, "-o", out)
    assert result.exit_code == 0, result.output
    assert "金额已清空，上年数请对照上年工作簿" in result.output
    assert "右侧" not in result.output and "支出计划" not in result.output
    assert read_workbook(out).projects and all(p.budget is None for p in read_workbook(out).projects)


def test_carry_on_the_hebei_form_points_to_the_panel(last_year, tmp_path):
    path, _ = last_year
    result = _run("carry", path, "--year", 2027, "-o", tmp_path / "2027.xlsx")
    assert "金额和支出计划已清空，上年数见各项目表右侧" in result.output
    assert "上年编码显示在“上年数”中" in result.output  # the strict code with 2026's year was emptied


def test_one_off_and_ended_projects_are_not_carried_into_the_next_year(tmp_path):
    """全国 申报表: a 一次性项目 (or one whose 项目期 ended this year) came into next year's workbook marked
    延续项目, with last year's 年度目标 and indicators, for the clerk to find and delete. It stays behind
    now, named in the output; the continuing ones are carried as before."""
    from jixiao.synth import generate_national_unit

    book = generate_national_unit(1)
    assert [p.attribute for p in book.projects] == ["新增项目", "一次性项目", "延续项目"]
    book.projects[1].attribute = "一次性"          # as a clerk types it, not from the list
    book.projects[2].term = "2025年—2026年（2年）"  # its last year was 2026
    src = write_workbook(tmp_path / "2026.xlsx", book)
    out = tmp_path / "2027.xlsx"
    result = _run("carry", src, "--year", 2027, "-o", out)
    assert result.exit_code == 0, result.output
    carried = read_workbook(out).projects
    assert [p.name for p in carried] == [book.projects[0].name]
    assert carried[0].attribute == "延续项目" and carried[0].mid_budget == book.projects[0].mid_budget
    assert f"“{book.projects[1].name}”为一次性项目，未带入" in result.output, result.output
    assert f"“{book.projects[2].name}”的项目期（2025年—2026年（2年））已结束，未带入" in result.output, result.output
    assert "带入 1 个项目" in result.output

    ev = tmp_path / "自评.xlsx"  # last year's 自评表 scores the one-off too: that is no stray 自评 project
    assert _run("selfeval", "new", src, "-o", ev).exit_code == 0
    wb = openpyxl.load_workbook(ev)
    for name in wb.sheetnames:
        if name.startswith("项目"):
            for row in range(13, 17):
                wb[name][f"E{row}"] = "100%"
    wb.save(ev)
    again = _run("carry", src, "--year", 2027, "-o", tmp_path / "2027b.xlsx", "--selfeval", ev)
    assert again.exit_code == 0, again.output
    assert "没有对应项目" not in again.output and "为一次性项目，未带入" in again.output, again.output


def test_last_years_fixable_hints_are_fixed_on_the_way(tmp_path):
    """A name typed with a line break (完成维稳任↵务) or under its old name (效果指标) was a hint every year;
    the new year's workbook has them fixed, as --fix would, says so, and its to-do list is what to fill."""
    book = load_example("luanping_xinfang_2026")
    ind = book.projects[0].indicators[0]
    ind.level3 = "完成维稳\n任务"
    book.projects[1].indicators[-1].level1 = "效果指标"  # the pre-2021 name of 满意度/效益指标
    path = write_workbook(tmp_path / "2026.xlsx", book)
    hints = {i.code for i in validate_file(path).issues}
    assert {"JX-X01", "JX-T03"} <= hints
    out = tmp_path / "2027.xlsx"
    result = _run("carry", path, "--year", 2027, "-o", out)
    assert result.exit_code == 0, result.output
    assert "已顺带修正" in result.output and "多余的空格或换行" in result.output and "旧指标名称" in result.output
    new = read_workbook(out)
    assert new.projects[0].indicators[0].level3 == "完成维稳任务"
    assert new.projects[1].indicators[-1].level1 != "效果指标"
    left = {i.code for i in validate_file(out).issues}
    assert not left & {"JX-X01", "JX-T03"} and "JX-L02" in left
    assert read_workbook(path).projects[0].indicators[0].level3 == "完成维稳\n任务"  # last year's is untouched
