"""The built templates: locked, exactly the input cells open, dropdowns, print setup, identity."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from jixiao.forms.layouts import (
    DEPARTMENT_LAYOUT, META_SHEET, OVERALL_LAYOUT, PROJECT_MASTER_SHEET, TEMPLATE_ID, TEMPLATE_VERSION,
    UNIT_LAYOUT, a1, form_set,
)
from jixiao.profiles import BUILTIN, load_profile
from jixiao.forms.taxonomy import LEVEL1, allowed_level2
from jixiao.forms.template import write_workbook

from conftest import requires_soffice


@pytest.fixture(scope="module", params=["hebei", "hunan", "national"])
def template(request, tmp_path_factory):
    profile = load_profile(request.param)
    path = write_workbook(tmp_path_factory.mktemp("tpl") / f"{profile.name}.xlsx", profile=profile)
    return profile, openpyxl.load_workbook(path)


def _layouts(profile):
    forms = form_set(profile)
    project = forms.project
    layouts = {UNIT_LAYOUT.sheet: UNIT_LAYOUT, DEPARTMENT_LAYOUT.sheet: DEPARTMENT_LAYOUT,
               "项目1": project, PROJECT_MASTER_SHEET: project}
    if profile.overall_form:
        layouts[OVERALL_LAYOUT.sheet] = forms.overall
    return layouts


def _expected_inputs(layout):
    cells = {a1(*f.anchor) for f in layout.fields}
    for block in layout.blocks:
        for row in range(block.first_row, block.first_row + block.rows):
            cells |= {a1(row, c.index) for c in block.columns}
    return cells


def test_sheets_and_identity(template):
    profile, wb = template
    expected = [UNIT_LAYOUT.sheet, DEPARTMENT_LAYOUT.sheet]
    expected += [OVERALL_LAYOUT.sheet] if profile.overall_form else []
    expected += ["项目1", PROJECT_MASTER_SHEET, META_SHEET]
    assert wb.sheetnames == expected
    meta = wb[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    assert wb[PROJECT_MASTER_SHEET].sheet_state == "hidden"
    values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 6)}
    assert values["template_id"] == TEMPLATE_ID
    assert values["template_version"] == TEMPLATE_VERSION
    assert values["profile"] == profile.name
    assert values["milestones"].split("|") == profile.milestones


def test_every_sheet_protected_and_only_inputs_unlocked(template):
    profile, wb = template
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    for name, layout in _layouts(profile).items():
        ws = wb[name]
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row
                    if not isinstance(c, MergedCell) and c.protection.locked is False}
        assert unlocked == _expected_inputs(layout), name


def test_dropdowns_carry_the_taxonomy(template):
    profile, wb = template
    names = wb.defined_names
    meta = wb[META_SHEET]

    def listed(name):
        ref = names[name].attr_text.split("!")[1].replace("$", "")
        return [c.value for row in meta[ref] for c in row]

    assert listed("jx_level1") == list(LEVEL1)
    for level1 in LEVEL1:
        assert listed(level1) == list(allowed_level2(level1, cost_under_output=profile.cost_under_output))
    assert "定性" in listed("jx_operators") and "≥" in listed("jx_operators")
    ws = wb["项目1"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    if form_set(profile).project.periods:  # the national 申报表  # one table per period: 中期 rows 14–25, 年度 rows 28–42
        assert listed("jx_attributes") == ["新增项目", "延续项目", "一次性项目"]
        assert rules["B5"].formula1 == "jx_attributes"
        for first, last in ((14, 25), (28, 42)):
            assert rules[f"A{first}:A{last}"].formula1 == "jx_level1"
            assert rules[f"B{first}:B{last}"].formula1 == f"INDIRECT($A{first})"
        return
    assert rules["A10:A24"].formula1 == "jx_level1"
    assert rules["B10:B24"].formula1 == "INDIRECT($A10)"
    assert rules["F10:F24"].formula1 == "jx_basis"


def test_print_setup_and_checks(template):
    profile, wb = template
    for name in _layouts(profile):
        ws = wb[name]
        # the hidden master has none: LibreOffice prints a hidden sheet that has one (issue 17)
        assert bool(ws.print_area) == (name != PROJECT_MASTER_SHEET), name
        assert ws.page_setup.paperSize == 9  # A4
        # fit to one page wide (1 is the XML default, so it may be omitted), any number of pages tall
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    ws = wb["项目1"]
    formulas = [rule.formula[0] for cf in ws.conditional_formatting for rule in cf.rules]
    if form_set(profile).project.periods:  # the national 申报表  # each period's sum, and 年度 not above 中期
        assert any("ROUND($E$7-N($E$8)-N($E$9),6)<>0" in f for f in formulas)
        assert any("ROUND($G$7-N($G$8)-N($G$9),6)<>0" in f for f in formulas)
        assert any("$G$7>$E$7" in f for f in formulas)
        return
    assert ws.print_title_rows == "$9:$9"
    formulas = [rule.formula[0] for cf in ws.conditional_formatting for rule in cf.rules]
    assert any("ROUND($C$4-N($E$4)-N($G$4),6)<>0" in f for f in formulas)
    if "12月底" in profile.milestones:
        assert any("<>100" in f for f in formulas)
    assert len(formulas) >= len(profile.milestones) * 2


def test_committed_templates_are_current(tmp_path):
    """workbook_templates/ holds what `jixiao templates build` makes now (content, not bytes)."""
    from pathlib import Path

    from jixiao.demo import TEMPLATE_NAME
    from jixiao.forms.reader import read_workbook

    folder = Path(__file__).parent.parent / "workbook_templates"
    for name in BUILTIN:
        committed = folder / TEMPLATE_NAME.format(profile=name)
        assert committed.exists(), f"run: jixiao templates build (missing {committed.name})"
        fresh = write_workbook(tmp_path / committed.name, profile=load_profile(name))
        a, b = openpyxl.load_workbook(committed), openpyxl.load_workbook(fresh)
        assert a.sheetnames == b.sheetnames
        for ws in a.worksheets:
            other = b[ws.title]
            assert [[c.value for c in r] for r in ws.iter_rows()] == \
                   [[c.value for c in r] for r in other.iter_rows()], ws.title
        assert read_workbook(committed).profile == name


def test_committed_selfeval_templates_are_current(tmp_path):
    from pathlib import Path

    from jixiao.demo import SELFEVAL_NAME
    from jixiao.selfeval.reading import read_selfeval
    from jixiao.selfeval.writer import write_selfeval

    folder = Path(__file__).parent.parent / "workbook_templates"
    for name in BUILTIN:
        committed = folder / SELFEVAL_NAME.format(profile=name)
        fresh = write_selfeval(tmp_path / committed.name, profile=load_profile(name))
        a, b = openpyxl.load_workbook(committed), openpyxl.load_workbook(fresh)
        assert a.sheetnames == b.sheetnames
        for ws in a.worksheets:
            assert [[(c.value, c.number_format) for c in r] for r in ws.iter_rows()] == \
                   [[(c.value, c.number_format) for c in r] for r in b[ws.title].iter_rows()], ws.title
        assert read_selfeval(committed).profile == name


# 预算数, 财政资金, 其他资金 as a clerk types them (a formula's result is what the cell holds), whether JX-B01 is meant
B01_CASES = [
    (10.001, 5, 5, True),  # 10 元 apart: on the form 10.00 = 5.00 + 5.00, yet the money does not add up
    (10.001, 5, 5.001, False),  # adds up; in floats 10.001-5-5.001 is -1.8e-15
    (0.3, 0.1, 0.2, False),  # in floats 0.3-0.1-0.2 is -2.8e-17
    (0.3, "=0.1+0.2", None, False),  # 0.30000000000000004 in floats
    ("=0.1+0.2", 0.3, None, False),
    (10.01, 5, 5, True),  # a cent
    (100, 60, 40.000001, True),  # 0.01 元
    (100, 60, 40.0000004, False),  # less than 0.01 元: the same money
]


def _saved_as_excel_does(path, sheet: str, cell: str, value: str) -> None:
    """Write ``value`` as the cell's number the way Excel saves it, all 17 digits (openpyxl and LibreOffice
    save 15: 0.30000000000000004 becomes 0.3)."""
    import re
    import zipfile

    part = f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index(sheet) + 1}.xml"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml, n = re.subn(rf'(<c r="{cell}"[^>]*>)<v>[^<]*</v>', rf"\g<1><v>{value}</v>", parts[part].decode())
    assert n == 1, (sheet, cell)
    parts[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_jx_b01_compares_to_a_fen(tmp_path):
    """JX-B01 on typed amounts, read by jixiao alone (no LibreOffice): a real difference down to 0.01 元 is
    reported, a float's noise is not (Excel saves =0.1+0.2 as 0.30000000000000004)."""
    from jixiao.checks.validate import validate_file
    from jixiao.synth import generate_unit

    cases = [(b, f, o, meant) for b, f, o, meant in B01_CASES if "=" not in f"{b}{f}{o}"]
    cases.append((0.3, 0.3, None, False))  # E4 becomes Excel's result of =0.1+0.2 below
    src = write_workbook(tmp_path / "b01.xlsx", generate_unit(1, n_projects=len(cases), n_indicators=3))
    wb = openpyxl.load_workbook(src)
    for i, (budget, fiscal, other, _) in enumerate(cases, start=1):
        ws = wb[f"项目{i}"]
        ws["C4"], ws["E4"], ws["G4"] = budget, fiscal, other
    wb.save(src)
    _saved_as_excel_does(src, f"项目{len(cases)}", "E4", repr(0.1 + 0.2))
    assert openpyxl.load_workbook(src)[f"项目{len(cases)}"]["E4"].value == 0.1 + 0.2 != 0.3
    reported = {i.sheet for i in validate_file(src).issues if i.code == "JX-B01"}
    assert reported == {f"项目{i}" for i, case in enumerate(cases, start=1) if case[3]}, reported


@requires_soffice
@pytest.mark.libreoffice
def test_red_budget_mark_agrees_with_jx_b01(tmp_path):
    """The sheet marks 预算数 red exactly where the 校验 reports JX-B01: the mark is the template's own conditional
    format, evaluated by LibreOffice on the cells as filled; the report is jixiao's on the same saved file.

    The mark rounded the difference to 0.01 万元 while JX-B01 compares exactly, so 10.001 against 5 + 5 was
    reported but not red; an exact mark would be red for 0.3 against 0.1 + 0.2."""
    from jixiao.checks.validate import validate_file
    from jixiao.excel.office import convert
    from jixiao.synth import generate_unit

    src = write_workbook(tmp_path / "b01.xlsx", generate_unit(1, n_projects=len(B01_CASES), n_indicators=3))
    wb = openpyxl.load_workbook(src)
    mark = next(rule.formula[0] for cf in wb["项目1"].conditional_formatting for rule in cf.rules
                if "N($E$4)" in rule.formula[0])  # the 预算数 ≠ 财政资金 + 其他资金 mark on C4
    for i, (budget, fiscal, other, _) in enumerate(B01_CASES, start=1):
        ws = wb[f"项目{i}"]
        ws["C4"], ws["E4"], ws["G4"] = budget, fiscal, other
        ws["Z1"] = "=" + mark  # the mark's own formula, where LibreOffice leaves its value
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    recalculated = convert(filled, "xlsx", tmp_path / "lo")
    marks = openpyxl.load_workbook(recalculated, data_only=True)
    wb = openpyxl.load_workbook(recalculated)
    for i in range(1, len(B01_CASES) + 1):  # the file as the clerk hands it in: without the probe
        wb[f"项目{i}"]["Z1"] = None
    wb.save(recalculated)
    reported = {i.sheet for i in validate_file(recalculated).issues if i.code == "JX-B01"}
    for i, (budget, fiscal, other, meant) in enumerate(B01_CASES, start=1):
        red = marks[f"项目{i}"]["Z1"].value
        assert isinstance(red, bool), (i, red)
        assert (red, f"项目{i}" in reported) == (meant, meant), (budget, fiscal, other, red, reported)
