"""Form files (jixiao/forms/tables/*.toml): they load, they refuse mistakes by name, and moving the
layouts out of Python changed no cell of any Hebei or Hunan workbook.

The pinned digests in tests/data/forms/fingerprints.json were taken from the templates and filled
examples built by the Python layouts (main at 3375d7d) with ``python scripts/form_fingerprint.py
digest``; ``scripts/form_fingerprint.py compare A B`` prints every differing property of two builds.
A deliberate change of a form re-pins only the sheets it changes (the 部门整体绩效目标 sheets, when its
headings and header rows got row heights: 65 height properties and nothing else; the 自评表 sheets, when
评价等级 learnt to refuse 分值 over 100: the one formula cell of each; the 项目 sheets of Hebei and Hunan,
when the 资金支出计划's red marks learnt to read 75% typed the Excel way as 75: their conditional formats;
the 湖南 整体支出绩效目标表, when row 3 got room for its two-line label: one row height; every sheet with an
open-ended table, when its print area went down to the sheet's last row: the print area and nothing else;
the 湖南 整体支出绩效目标表, when the A cells under 绩效指标 got their frame: those 20 cells; the 项目 sheets,
when the red 预算数 mark learnt to round as JX-B01, to 0.01 元: its conditional format).
"""

from __future__ import annotations

import importlib.util
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.errors import ProfileError
from jixiao.forms.formfile import FormFileError, builtin_form, builtin_names, form_from_text
from jixiao.forms.formula import text_formula
from jixiao.forms.layouts import form_set
from jixiao.profiles import BUILTIN, load_profile, load_profile_file

ROOT = Path(__file__).parent.parent
PINS = json.loads((ROOT / "tests" / "data" / "forms" / "fingerprints.json").read_text(encoding="utf-8"))


def _fingerprint():
    spec = importlib.util.spec_from_file_location("form_fingerprint", ROOT / "scripts" / "form_fingerprint.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hebei_and_hunan_workbooks_are_cell_for_cell_as_before(tmp_path):
    fp = _fingerprint()
    fp.build(tmp_path)
    got = fp.digest(tmp_path)
    changed = sorted(k for k in PINS if got.get(k) != PINS[k])
    assert not changed, f"changed sheets {changed}: run scripts/form_fingerprint.py compare to see the cells"


@pytest.mark.parametrize("name", BUILTIN)
def test_every_profile_names_forms_that_load(name):
    profile = load_profile(name)
    forms = form_set(profile)
    assert profile.forms, "a built-in profile names its forms"
    for role in profile.forms:
        layout = forms[role]
        assert layout.role == role and (layout.fields or layout.blocks)


def test_every_builtin_form_is_a_table_of_known_keys():
    assert {"unit", "department", "hebei-project", "hunan-overall"} <= set(builtin_names())
    for name in builtin_names():
        milestones = ("3月底", "6月底", "10月底") if name.endswith("project") and "selfeval" not in name else ()
        assert builtin_form(name, milestones).source == name


def _form(**cells) -> str:
    base = {"form": 'key = "project"\nrole = "project"\nsheet = "项目1"',
            "print": "widths = [10, 10]",
            "cells": 'field = [ { name = "name", ref = "B1", label = "项目名称" } ]'}
    base.update(cells)
    return "\n".join(f"[{k}]\n{v}" for k, v in base.items())


@pytest.mark.parametrize("cells, says", [
    ({"cells": 'field = [ { name = "name", ref = "B1", lable = "项目名称" } ]'}, "field[0]：不认识的键 lable"),
    ({"form": 'key = "p"\nrole = "projects"\nsheet = "项目1"'}, "role 应为"),
    ({"form": 'key = "p"\nrole = "project"\nsheet = "项目1"\nmoney_unit = "千元"'}, "money_unit 应为 万元 或 元"),
    ({"cells": 'formula = [ { ref = "A1", formula = \'UPPER({name})\' } ]'}, "不支持“UPPER”"),
    ({"cells": 'formula = [ { ref = "A1", formula = \'{unit.nmae}&""\' } ]'}, "单位信息中没有的字段"),
    ({"cells": 'field = [ { name = "name", ref = "B1", label = "x" } ]\n'
               'check = [ { ref = "B1", formula = "{budget}>0", message = "m" } ]'}, "不存在的字段 {budget}"),
    ({"cells": 'field = [ { name = "name", ref = "1B", label = "x" } ]'}, "单元格地址“1B”无法识别"),
])
def test_a_mistake_in_a_form_file_is_refused_by_place(cells, says):
    with pytest.raises(FormFileError) as caught:
        form_from_text(_form(**cells), "县表.toml")
    assert says in str(caught.value) and "县表.toml" in str(caught.value)
    assert isinstance(caught.value, ProfileError)  # the CLI reports it as a usage error (exit 2)


def test_text_formulas_have_one_definition_and_a_python_twin():
    get = {"name": "信访经费", "unit.year": "2026", "unit.code": "154001"}.get
    assert text_formula('IF({name}="","项目绩效目标表",{name}&"绩效目标表")')(get) == "信访经费绩效目标表"
    assert text_formula('IF({name}="","项目绩效目标表",{name}&"绩效目标表")')(lambda n: "") == "项目绩效目标表"
    assert text_formula('"（"&{unit.year}&"）年度"')(get) == "（2026）年度"
    assert text_formula('"他说""好"""')(get) == '他说"好"'
    assert text_formula('IF(N(C6)=0,"",D6/C6)') is None  # a spreadsheet formula: Excel computes it
    assert text_formula("SUM(F{first}:F{last})") is None


def test_hebei_milestones_place_the_plan_and_its_checks():
    three, four = builtin_form("hebei-project", ("3月底", "6月底", "10月底")), \
        builtin_form("hebei-project", ("3月底", "6月底", "10月底", "12月底"))
    assert [f.ref for f in three.fields if f.name.startswith("plan.")] == ["B7:C7", "D7:E7", "F7:G7"]
    assert [f.ref for f in four.fields if f.name.startswith("plan.")] == ["B7:C7", "D7", "E7", "F7:G7"]
    assert [c.message for c in four.checks].count("12月底累计支出计划应为 100%") == 1
    assert three.has_plan and [f.role for f in three.money()] == ["total", "fiscal", "other"]
    with pytest.raises(ValueError):
        builtin_form("hebei-project", ("6月底", "12月底"))


def test_a_form_in_yuan_scales_money_exactly():
    layout = form_from_text(_form(form='key = "p"\nrole = "project"\nsheet = "项目1"\nmoney_unit = "元"',
                                  cells='field = [ { name = "budget", ref = "B1", label = "资金总额", kind = "money" },'
                                        ' { name = "name", ref = "B2", label = "名称" } ]'), "元.toml")
    budget = layout.field("budget")
    assert (budget.scale, layout.field("name").scale) == (4, 0)
    assert Decimal("0.01").scaleb(-budget.scale) == Decimal("0.000001")  # 1 分 is 0.000001 万元, no float


def test_a_profile_file_names_forms_beside_it(tmp_path):
    data = ROOT / "tests" / "data" / "forms"
    profile = load_profile_file(data / "county.toml")
    assert profile.forms == {"project": "county-project.toml"} and profile.text
    assert form_set(profile).project.money_unit == "元"
    assert form_set(profile).unit is builtin_form("unit")  # roles it leaves out are the built-in ones
    (tmp_path / "bad.toml").write_text('name = "x"\n[forms]\nprojects = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="不是表样角色"):
        load_profile_file(tmp_path / "bad.toml")
    (tmp_path / "missing.toml").write_text('name = "x"\n[forms]\nproject = "nowhere.toml"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="无法读取表样文件"):
        form_set(load_profile_file(tmp_path / "missing.toml"))


def test_shipped_form_files_parse_as_plain_toml():
    for path in sorted((ROOT / "jixiao" / "forms" / "tables").glob("*.toml")):
        assert tomllib.loads(path.read_text(encoding="utf-8"))["form"]["role"]


def test_a_form_naming_a_field_the_model_lacks_is_refused(tmp_path):
    text = (ROOT / "tests" / "data" / "forms" / "county-project.toml").read_text(encoding="utf-8")
    (tmp_path / "p.toml").write_text(text.replace('name = "purpose"', 'name = "purpose_text"'), encoding="utf-8")
    (tmp_path / "c.toml").write_text('name = "c"\n[forms]\nproject = "p.toml"\n', encoding="utf-8")
    with pytest.raises(FormFileError, match="purpose_text 不是project表的字段"):
        form_set(load_profile_file(tmp_path / "c.toml")).project


def test_a_workbook_reads_with_the_forms_it_records_not_its_profiles_current_ones():
    from jixiao.forms.layouts import form_set_from_meta, meta_rows

    old = form_set_from_meta({"profile": "national", "milestones": "3月底|6月底|10月底|12月底"},
                             ("3月底", "6月底", "10月底", "12月底"))
    assert old.project.source == "hebei-project"  # made before forms were data: the Hebei form
    county = form_set(load_profile_file(ROOT / "tests" / "data" / "forms" / "county.toml"))
    rows = dict(meta_rows(county))
    assert set(rows) == {"form.project"}
    assert form_set_from_meta(rows, county.milestones).project.money_unit == "元"
    assert meta_rows(form_set(load_profile("hunan"))) == []  # the default forms record nothing
