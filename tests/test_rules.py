"""Every rule code in scope fires on a real workbook, and a near miss does not."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Callable

import openpyxl
import pytest

from jixiao.forms.model import Indicator, OverallTargets, UnitWorkbook
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook
from jixiao.checks.validate import validate_file


def base() -> UnitWorkbook:
    """A valid unit: 2 projects × 6 indicators (hebei, region 130824, 2026)."""
    return generate_unit(1, n_projects=2, n_indicators=6)


def hunan_base() -> UnitWorkbook:
    book = base()
    book.profile, book.milestones = "hunan", ["3月底", "6月底", "10月底", "12月底"]
    for p in book.projects:
        p.plan["12月底"] = D(100)
        p.code = p.code  # hunan does not check the 一体化 form
        for ind in p.indicators:  # 成本 is a 一级 of its own in hunan
            if ind.level2 == "成本指标":
                ind.level1, ind.level2 = "成本指标", "经济成本指标"
    row = dict(explanation="说明", scoring="达到得满分")
    book.overall = OverallTargets(name=book.unit.name, duties="职责", annual_goal="目标", indicators=[
        Indicator(level1="产出指标", level2="数量指标", level3="办件数", value_type="≥", value_text="100",
                  measure_unit="件", weight=D(40), **row),
        Indicator(level1="效益指标", level2="社会效益指标", level3="社会稳定", value_type="定性", value_text="稳定",
                  weight=D(20), **row),
        Indicator(level1="满意度指标", level2="服务对象满意度指标", level3="群众满意度", value_type="≥",
                  value_text="95", measure_unit="%", weight=D(10), **row),
        Indicator(level1="成本指标", level2="经济成本指标", level3="经费成本", value_type="≤", value_text="10",
                  measure_unit="万元", weight=D(20), **row)])
    return book


def p1(book):
    return book.projects[0]


def cost_row(book):
    return next(i for i in p1(book).indicators if i.level2 == "成本指标")


def set_(obj, **fields):
    for k, v in fields.items():
        setattr(obj, k, v)


def adjust_budget(project, fiscal=None, other=None):
    if fiscal is not None:
        project.fiscal = fiscal
    if other is not None:
        project.other = other if other != 0 else None
    project.budget = (project.fiscal or 0) + (project.other or 0)
    for ind in project.indicators:
        if ind.level2 == "成本指标":
            ind.value_text = f"≤{project.budget}万元"


Mut = Callable[[UnitWorkbook], None]
# code, fires (mutation, sheet!cell), near miss (mutation), base builder
CASES: list[tuple[str, Mut, str, Mut, Callable[[], UnitWorkbook]]] = [
    ("JX-L02", lambda b: set_(b.unit, code=None), "单位信息!B3", lambda b: set_(b.unit, code="100002"), base),
    ("JX-L03", lambda b: set_(p1(b), budget=None, raw={"budget": "80万"}), "项目1!C4",
     lambda b: None, base),
    ("JX-C01", lambda b: set_(p1(b), code="13082426P10000100000X"), "项目1!B3",
     lambda b: set_(p1(b), code="13082426P100001000009"), base),
    ("JX-C02", lambda b: set_(p1(b), code="13082525P100001000001"), "项目1!B3",
     lambda b: set_(p1(b), code="13082426P999999999999"), base),
    ("JX-C03", lambda b: set_(b.projects[1], code=p1(b).code), "项目2!B3",
     lambda b: set_(b.projects[1], code=p1(b).code[:-1] + "9"), base),
    ("JX-C04", lambda b: set_(b.unit, code="10001"), "单位信息!B3", lambda b: set_(b.unit, code="100001"), base),
    ("JX-B01", lambda b: set_(p1(b), budget=p1(b).budget + D("0.01")), "项目1!C4",
     lambda b: adjust_budget(p1(b), other=0), base),
    ("JX-B02", lambda b: adjust_budget(p1(b), other=D("-1.00")), "项目1!G4",
     lambda b: adjust_budget(p1(b), other=D("0.01")), base),
    ("JX-B03", lambda b: adjust_budget(p1(b), fiscal=D("10.005")), "项目1!E4",
     lambda b: adjust_budget(p1(b), fiscal=D("10.5")), base),
    # 80 万元 typed in 元 (800000) is 80 亿元 on a form in 万元; 9.99 亿 is not said
    ("JX-B05", lambda b: adjust_budget(p1(b), fiscal=D("800000"), other=0), "项目1!C4",
     lambda b: adjust_budget(p1(b), fiscal=D("99999.99"), other=0), base),
    ("JX-P01", lambda b: set_(p1(b), plan={"3月底": D(120), "6月底": D(120), "10月底": D(120)}), "项目1!B7",
     lambda b: set_(p1(b), plan={"3月底": D(100), "6月底": D(100), "10月底": D(100)}), base),
    ("JX-P02", lambda b: set_(p1(b), plan={"3月底": D(40), "6月底": D(30), "10月底": D(80)}), "项目1!D7",
     lambda b: set_(p1(b), plan={"3月底": D(40), "6月底": D(50), "10月底": D(80)}), base),
    ("JX-P03", lambda b: p1(b).plan.update({"12月底": D(90)}), "项目1!F7",
     lambda b: p1(b).plan.update({"12月底": D(100)}), hunan_base),
    ("JX-P04", lambda b: p1(b).plan.update({"3月底": D(10)}), "项目1!B7",
     lambda b: p1(b).plan.update({"3月底": D(25)}), base),
    ("JX-G01", lambda b: set_(p1(b), goals=None), "项目1!B8", lambda b: set_(p1(b), goals="1."), base),
    ("JX-G02", lambda b: set_(p1(b), purpose=None), "项目1!B5", lambda b: set_(p1(b), purpose="用于。"), base),
    ("JX-T01", lambda b: set_(p1(b).indicators[0], level1="数量指标"), "项目1!A10",
     lambda b: set_(p1(b).indicators[0], level1="产出指标"), base),
    ("JX-T02", lambda b: set_(p1(b).indicators[0], level2="社会效益指标"), "项目1!B10",
     lambda b: set_(p1(b).indicators[0], level2="质量指标"), base),
    ("JX-T03", lambda b: set_(p1(b).indicators[-2], level1="效果指标"), "项目1!A14",
     lambda b: set_(p1(b).indicators[-2], level1="效益指标"), base),
    ("JX-T04", lambda b: set_(p1(b), indicators=p1(b).indicators[:-1]), "项目1!A10",
     lambda b: set_(p1(b), indicators=p1(b).indicators[1:]), base),
    ("JX-T05", lambda b: set_(p1(b).indicators[1], level3=None), "项目1!C11",
     lambda b: set_(p1(b).indicators[1], level3="新的指标"), base),
    ("JX-T06", lambda b: set_(p1(b).indicators[1], level3=p1(b).indicators[0].level3), "项目1!C11",
     lambda b: set_(p1(b).indicators[1], level3=p1(b).indicators[0].level3 + "（二）"), base),
    ("JX-V01", lambda b: set_(p1(b).indicators[0], value_text=None), "项目1!E10",
     lambda b: set_(p1(b).indicators[0], value_text="≥1次"), base),
    ("JX-V02", lambda b: set_(p1(b).indicators[0], value_text="≥良好"), "项目1!E10",
     lambda b: set_(p1(b).indicators[0], value_text="良好"), base),
    ("JX-V03", lambda b: set_(p1(b).indicators[0], value_text="≥90"), "项目1!E10",
     lambda b: set_(p1(b).indicators[0], value_text="≥90%"), base),
    ("JX-V04", lambda b: set_(b.overall.indicators[1], measure_unit="%"), "整体支出绩效目标表!G8",
     lambda b: set_(b.overall.indicators[0], measure_unit="个"), hunan_base),
    ("JX-V05", lambda b: set_(p1(b).indicators[0], value_text="≥90及时处理率"), "项目1!E10",
     lambda b: set_(p1(b).indicators[0], value_text="≥90%以上"[:4]), base),
    ("JX-V06", lambda b: set_(b.overall.indicators[0], value_type="100"), "整体支出绩效目标表!E7",
     lambda b: set_(b.overall.indicators[0], value_type=">="), hunan_base),
    ("JX-V09", lambda b: set_(b.overall.indicators[0], value_type=None), "整体支出绩效目标表!E7",
     lambda b: set_(b.overall.indicators[0], value_type="≥"), hunan_base),
    ("JX-V07", lambda b: set_(p1(b).indicators[0], value_text="≥120%"), "项目1!E10",
     lambda b: set_(p1(b).indicators[0], value_text="≥100%"), base),
    ("JX-V08", lambda b: set_(p1(b).indicators[0], basis=None), "项目1!F10",
     lambda b: set_(p1(b).indicators[0], basis="鹿发〔2019〕8号"), base),
    ("JX-K01", lambda b: set_(cost_row(b), value_text=f"≤{p1(b).budget * 10000 + 1}元"), "项目1!E12",
     lambda b: set_(cost_row(b), value_text=f"≤{p1(b).budget * 10000}元"), base),
    ("JX-K02", lambda b: set_(cost_row(b), value_text="≥1万元"), "项目1!E12",
     lambda b: set_(cost_row(b), value_text="<1万元"), base),
    ("JX-W01", lambda b: set_(b.overall.indicators[0], weight=D(30)), "整体支出绩效目标表!K7",
     lambda b: set_(b.overall.indicators[0], weight=D(40)), hunan_base),
    ("JX-X01", lambda b: set_(p1(b), code=p1(b).code[:8] + " " + p1(b).code[8:]), "项目1!B3",
     lambda b: set_(p1(b).indicators[0], description="描述 含空格\n和换行"), base),
    ("JX-S01", lambda b: set_(p1(b), purpose="涉密", goals="涉密",
                              indicators=[Indicator(level1="涉密", level2="涉密", level3="涉密", value_text="涉密",
                                                    basis="涉密")]), "项目1!B5",
     lambda b: set_(p1(b), purpose="涉及保密工作的经费"), base),
]


def _codes_at(tmp_path, book, name):
    report = validate_file(write_workbook(tmp_path / f"{name}.xlsx", book))
    return {(i.code, f"{i.sheet}!{i.cell}") for i in report.issues}, report


@pytest.mark.parametrize("base_book", [base, hunan_base], ids=["hebei", "hunan"])
def test_bases_are_clean(tmp_path, base_book):
    found, _ = _codes_at(tmp_path, base_book(), "base")
    assert found == set()


@pytest.mark.parametrize("code, fire, cell, near, make", CASES, ids=[c[0] for c in CASES])
def test_rule_fires_at_its_cell(tmp_path, code, fire, cell, near, make):
    book = make()
    fire(book)
    found, report = _codes_at(tmp_path, book, "fire")
    assert (code, cell) in found, sorted(found)
    issue = next(i for i in report.issues if i.code == code)
    assert issue.message and "{" not in issue.message


@pytest.mark.parametrize("code, fire, cell, near, make", CASES, ids=[c[0] for c in CASES])
def test_rule_near_miss_is_quiet(tmp_path, code, fire, cell, near, make):
    book = make()
    near(book)
    found, _ = _codes_at(tmp_path, book, "near")
    assert code not in {c for c, _ in found}, sorted(found)


def test_number_typed_as_full_width_text_is_a_number(tmp_path):
    """L03's near miss on the file itself: ８０．００ typed as text still reads as 80.00."""
    book = base()
    path = write_workbook(tmp_path / "fw.xlsx", book)
    wb = openpyxl.load_workbook(path)
    full = str(p1(book).budget).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    wb["项目1"]["C4"].value = full
    wb.save(path)
    codes = {i.code for i in validate_file(path).issues}
    assert "JX-L03" not in codes and "JX-B01" not in codes


def test_classified_project_gets_s01_only_but_money_is_checked(tmp_path):
    book = generate_unit(2, n_projects=2, n_indicators=6, classified=True)
    _, report = _codes_at(tmp_path, book, "secret")
    assert [(i.code, i.sheet) for i in report.issues] == [("JX-S01", "项目2")]
    book.projects[1].budget += D("1")
    _, report = _codes_at(tmp_path, book, "secret2")
    assert sorted(i.code for i in report.issues) == ["JX-B01", "JX-S01"]


def test_foreign_workbook_is_an_l01_finding(foreign_xlsx):
    report = validate_file(foreign_xlsx)
    assert [i.code for i in report.issues] == ["JX-L01"] and not report.ok and report.readable


def test_a_unit_code_that_lost_its_zeros_says_how_to_type_it(tmp_path):
    """004001 typed into a General cell is stored as the number 4001: the finding says so and how to type it;
    a code wrong in another way is only to be checked."""
    book = base()
    path = write_workbook(tmp_path / "u.xlsx", book)
    wb = openpyxl.load_workbook(path)
    wb["单位信息"]["B3"].value, wb["单位信息"]["B3"].number_format = 4001, "General"
    wb.save(path)
    [issue] = [i for i in validate_file(path).issues if i.code == "JX-C04"]
    assert issue.cell == "B3" and "开头的 0 可能被 Excel 去掉了" in issue.message and "如 004001" in issue.message
    book.unit.code = "10A001"
    [issue] = [i for i in validate_file(write_workbook(tmp_path / "v.xlsx", book)).issues if i.code == "JX-C04"]
    assert issue.message.endswith("，请核对。") and "去掉" not in issue.message
