"""`jixiao diff`: two unit workbooks or two county summaries, on real files; the JSON is a contract."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.consolidation import consolidate
from jixiao.years.diff import diff_books, match, read_side
from jixiao.examples import load_example
from jixiao.forms.model import Indicator, Project
from jixiao.forms.reader import read_workbook
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def two_years(tmp_path):
    """Last year's unit and this year's, with edits made by hand (each one a known difference)."""
    old = generate_unit(2, n_projects=4, n_indicators=6)
    new = old.model_copy(deep=True)
    new.unit.year += 1  # this year's
    p0, p2, p3 = new.projects[0], new.projects[2], new.projects[3]
    p0.budget += Decimal("10.00")
    p0.fiscal += Decimal("10.00")
    p0.plan["3月底"] = Decimal("40")
    p0.goals = "1.保障项目顺利实施。\n2.覆盖全县。"
    p0.indicators[0].value_text = "≥999次"
    removed_ind = p0.indicators.pop()  # the 满意度 row goes
    p0.indicators.append(Indicator(level1="产出指标", level2="质量指标", level3="新增的指标", value_text="100%",
                                   basis="计划标准"))
    p2.code = p2.code.replace("P", "Q")  # a new code, the same name: matched by name
    p3.name = p3.name[:2] + "\n" + p3.name[2:]  # a line break is not a change
    added = Project(code="13082426P999999000001", name="全新项目", budget=Decimal("12.30"), fiscal=Decimal("12.30"),
                    plan={"3月底": Decimal(25), "6月底": Decimal(50), "10月底": Decimal(75)}, goals="1.新目标。")
    removed = new.projects.pop(1)
    new.projects.append(added)
    a = write_workbook(tmp_path / "去年.xlsx", old)
    b = write_workbook(tmp_path / "今年.xlsx", new)
    return a, b, old, new, removed, removed_ind


def test_json_is_the_contract(two_years):
    a, b, old, new, removed, removed_ind = two_years
    before = (_digest(a), _digest(b))
    result = _run("diff", a, b, "--format", "json")
    assert result.exit_code == 0, result.output
    o0, n0 = old.projects[0], new.projects[0]
    first_ind = o0.indicators[0]
    expected = {"projects": {
        "added": [{"code": "13082426P999999000001", "name": "全新项目", "budget": "12.30"}],
        "removed": [{"code": removed.code, "name": removed.name, "budget": f"{removed.budget:.2f}"}],
        "changed": [
            {"code": n0.code, "name": n0.name,
             "fields": {"budget": [f"{o0.budget:.2f}", f"{n0.budget:.2f}"],
                        "fiscal": [f"{o0.fiscal:.2f}", f"{n0.fiscal:.2f}"],
                        "plan.3月底": [f"{o0.plan['3月底']:.2f}", "40.00"],
                        "goals": [o0.goals, n0.goals]},
             "indicators": {"added": [{"name": "新增的指标", "value": "100%"}],
                            "removed": [{"name": removed_ind.level3, "value": removed_ind.value_text}],
                            "changed": [{"name": first_ind.level3, "value": [first_ind.value_text, "≥999次"]}]}},
            {"code": new.projects[1].code, "name": new.projects[1].name,
             "fields": {"code": [old.projects[2].code, new.projects[1].code]},
             "indicators": {"added": [], "removed": [], "changed": []}},
        ]}}
    assert json.loads(result.output) == expected
    assert (_digest(a), _digest(b)) == before


def test_text_prints_the_changes(two_years):
    a, b, old, new, removed, _ = two_years
    result = _run("diff", a, b)
    assert result.exit_code == 0, result.output
    out = result.output
    o, n = old.projects[0].budget, new.projects[0].budget
    pct = ((n - o) * 100 / o).quantize(Decimal("0.01"))
    assert f"预算数：{o:.2f} → {n:.2f}（+10.00，+{pct}%）" in out
    assert "新增项目 1 个：" in out and "+ 13082426P999999000001 全新项目  预算数 12.30 万元" in out
    assert "减少项目 1 个：" in out and removed.name in out
    assert "绩效目标已修改：" in out and "今年：1.保障项目顺利实施。 2.覆盖全县。" in out
    assert "新增指标：新增的指标（100%）" in out
    assert "有变化的项目 2 个，无变化 1 个" in out
    old_total = sum(p.budget for p in old.projects)
    assert f"预算数合计 {old_total:.2f} → {sum(p.budget for p in new.projects):.2f} 万元" in out


def test_write_xlsx_comparison(two_years, tmp_path):
    a, b, old, new, _, _ = two_years
    out = tmp_path / "对比.xlsx"
    result = _run("diff", a, b, "--write", "-o", out)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    ws = wb["项目对比"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$2"
    assert [c.value for c in ws[2]] == ["变化", "项目编码", "项目名称", "内容", "上年", "今年", "差额", "变化%"]
    body = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    kinds = [r[0] for r in body]
    assert kinds.count("新增项目") == 1 and kinds.count("减少项目") == 1
    assert {"新增指标", "删除指标", "指标值变化"} <= set(kinds)
    budget = next(r for r in body if r[0] == "变化" and r[3] == "预算数")
    assert Decimal(str(budget[6])) == Decimal("10.00")
    total = body[-1]
    assert total[0] == "预算数合计"
    assert Decimal(str(total[4])).quantize(Decimal("0.01")) == sum(p.budget for p in old.projects)
    assert Decimal(str(total[5])).quantize(Decimal("0.01")) == sum(p.budget for p in new.projects)


def test_usage_errors(two_years, tmp_path):
    a, b, *_ = two_years
    assert _run("diff", a, b, "--write").exit_code == 2
    result = _run("diff", a, b, "--write", "-o", a)
    assert result.exit_code == 2 and "不能与输入文件相同" in result.output
    result = _run("diff", a, b, "--write", "-o", tmp_path / "对比.csv")
    assert result.exit_code == 2 and ".xlsx" in result.output and not (tmp_path / "对比.csv").exists()


def test_carried_year_matches_by_name(tmp_path):
    """The seed unit carried forward: first project's code is gone, so it is matched by its name."""
    book = load_example("luanping_xinfang_2026")
    last = write_workbook(tmp_path / "2026.xlsx", book)
    this = tmp_path / "2027.xlsx"
    assert _run("carry", last, "--year", 2027, "-o", this).exit_code == 0
    data = json.loads(_run("diff", last, this, "--format", "json").output)["projects"]
    assert data["added"] == [] and data["removed"] == []
    first, second = data["changed"]
    assert first["fields"]["code"] == [book.projects[0].code, None]
    assert first["fields"]["budget"] == ["80.00", None]
    assert "code" not in second["fields"] and second["fields"]["budget"] == ["31.50", None]
    assert all(c["indicators"] == {"added": [], "removed": [], "changed": []} for c in data["changed"])


def test_unchanged_workbooks_have_no_difference(tmp_path):
    book = load_example("huailai_xinfang_2020")
    a = write_workbook(tmp_path / "a.xlsx", book)
    b = write_workbook(tmp_path / "b.xlsx", read_workbook(a))
    assert json.loads(_run("diff", a, b, "--format", "json").output) == \
        {"projects": {"added": [], "removed": [], "changed": []}}


def test_match_pairs_by_code_then_name_in_order():
    old = [Project(code="A", name="x"), Project(code="A", name="y"), Project(code=None, name="z"), Project(name="w")]
    new = [Project(code="Ａ", name="y"), Project(code=" A ", name="x"), Project(code="B", name="z ")]
    pairs, removed, added = match(old, new, (lambda p: (p.code or "").strip().upper().replace("Ａ", "A"),
                                             lambda p: (p.name or "").strip()))
    assert [(a.name, b.name) for a, b in pairs] == [("x", "y"), ("y", "x"), ("z", "z ")]
    assert [p.name for p in removed] == ["w"] and added == []
    # the module's own identity: NFKC and no whitespace
    d = diff_books(_book(old), _book(new))
    assert [c.old.name for c in d.changed] == ["x", "y", "z"] and [p.name for p in d.removed] == ["w"]


def _book(projects):
    from jixiao.forms.model import UnitWorkbook

    return UnitWorkbook(projects=projects)


# --- county summaries ---------------------------------------------------------------

def test_summaries_compare_units(tmp_path):
    units = {s: generate_unit(s, n_projects=2, n_indicators=4) for s in (1, 2, 3, 4)}
    changed = units[2].model_copy(deep=True)
    changed.projects[0].budget += Decimal("5.00")
    changed.projects[0].fiscal += Decimal("5.00")
    for year, picks in (("2026", [units[1], units[2], units[3]]), ("2027", [units[1], changed, units[4]])):
        folder = tmp_path / year
        for u in picks:
            write_workbook(folder / f"{u.unit.code}.xlsx", u)
    r1 = consolidate([tmp_path / "2026"], tmp_path / "汇总2026.xlsx", use_cache=False, workers=1)
    r2 = consolidate([tmp_path / "2027"], tmp_path / "汇总2027.xlsx", use_cache=False, workers=1)
    side = read_side(tmp_path / "汇总2026.xlsx")
    assert sum(u.budget for u in side) == r1.budget  # the 合计 row is not a unit
    result = _run("diff", tmp_path / "汇总2026.xlsx", tmp_path / "汇总2027.xlsx", "--format", "json")
    assert result.exit_code == 0, result.output
    total = lambda u: f"{sum(p.budget for p in u.projects):.2f}"  # noqa: E731
    assert json.loads(result.output) == {"units": {
        "added": [{"county": None, "code": units[4].unit.code, "name": units[4].unit.name, "budget": total(units[4])}],
        "removed": [{"county": None, "code": units[3].unit.code, "name": units[3].unit.name,
                     "budget": total(units[3])}],
        "changed": [{"county": None, "code": units[2].unit.code, "name": units[2].unit.name,
                     "fields": {"budget": [total(units[2]), total(changed)],
                                "fiscal": [f"{sum(p.fiscal for p in units[2].projects):.2f}",
                                           f"{sum(p.fiscal for p in changed.projects):.2f}"]}}]}}
    text = _run("diff", tmp_path / "汇总2026.xlsx", tmp_path / "汇总2027.xlsx").output
    assert f"预算数合计 {r1.budget:.2f} → {r2.budget:.2f} 万元" in text and "新增单位 1 个" in text
    out = tmp_path / "单位对比.xlsx"
    assert _run("diff", tmp_path / "汇总2026.xlsx", tmp_path / "汇总2027.xlsx", "--write", "-o", out).exit_code == 0
    assert openpyxl.load_workbook(out)["单位对比"].print_title_rows == "$1:$2"
    mixed = _run("diff", tmp_path / "汇总2026.xlsx", tmp_path / "2027" / f"{units[1].unit.code}.xlsx")
    assert mixed.exit_code == 2 and "无法对比" in mixed.output


def test_sides_are_named_by_the_years_compared(tmp_path):
    """Two summaries of the same year (before and after the resubmissions) were 上年 / 今年: they are 原 / 新;
    two workbooks a year apart stay 上年 / 今年, two years apart say their years."""
    from jixiao.years.diff_report import sides

    unit = generate_unit(7, n_projects=1, n_indicators=3)
    later = unit.model_copy(deep=True)
    later.projects[0].budget += Decimal("1.00")
    later.projects[0].fiscal += Decimal("1.00")
    for name, u in (("before", unit), ("after", later)):
        write_workbook(tmp_path / name / f"{u.unit.code}.xlsx", u)
        consolidate([tmp_path / name], tmp_path / f"{name}.xlsx", use_cache=False, workers=1)
    text = _run("diff", tmp_path / "before.xlsx", tmp_path / "after.xlsx").output
    assert "单位：原 1 个，新 1 个" in text and "上年" not in text and "今年" not in text, text
    out = tmp_path / "对比.xlsx"
    assert _run("diff", tmp_path / "before.xlsx", tmp_path / "after.xlsx", "--write", "-o", out).exit_code == 0
    header = [c.value for c in openpyxl.load_workbook(out)["单位对比"][2]]
    assert header[header.index("内容") + 1:header.index("内容") + 3] == ["原", "新"], header
    for gap, expected in ((1, ("上年", "今年")), (0, ("原", "新")), (2, (f"{unit.unit.year}年", f"{unit.unit.year + 2}年"))):
        moved = later.model_copy(deep=True)
        moved.unit.year = unit.unit.year + gap
        assert sides(diff_books(unit, moved)) == expected, gap


def _summary(path, rows, meta=None):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("概览")
    ws = wb.add_worksheet("单位汇总")
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    if meta:  # a summary that names itself in its own metadata sheet (as a roll-up may)
        ws = wb.add_worksheet("_jixiao")
        for r, row in enumerate(meta.items()):
            ws.write_row(r, 0, row)
    wb.close()
    return path


def test_city_summaries_key_units_by_county(tmp_path):
    """A city summary (rolled up from counties) has a 县区 column and subtotals: the same 单位编码 in two
    counties is two units, and 小计 / 合计 rows are not units."""
    head = ["县区", "单位编码", "单位名称", "项目数", "预算数", "财政资金", "其他资金"]
    a = _summary(tmp_path / "a.xlsx", [["某市预算绩效目标汇总"], head, ["滦平县", "154001", "信访局", 2, 111.5, 111.5, 0],
                                       ["滦平县小计", "", "", 2, 111.5, 111.5, 0],
                                       ["怀来县", "154001", "信访局", 1, 20, 20, 0], ["合计", "", "", 3, 131.5, 131.5, 0]])
    b = _summary(tmp_path / "b.xlsx", [head, ["滦平县", "154001", "信访局", 2, 111.5, 111.5, 0],
                                       ["怀来县", "154001", "信访局", 1, 25.1, 25.1, 0],
                                       ["怀来县", "154002", "民政局", 1, 3, 3, 0]],
                 meta={"template_id": "jixiao.county-summary", "template_version": "1"})
    data = json.loads(_run("diff", a, b, "--format", "json").output)["units"]
    assert data["added"] == [{"county": "怀来县", "code": "154002", "name": "民政局", "budget": "3.00"}]
    assert data["removed"] == []
    assert data["changed"] == [{"county": "怀来县", "code": "154001", "name": "信访局",
                                "fields": {"budget": ["20.00", "25.10"], "fiscal": ["20.00", "25.10"]}}]


def test_classified_project_shows_money_only(tmp_path):
    old = generate_unit(4, n_projects=2, n_indicators=4, classified=True)
    new = old.model_copy(deep=True)
    secret = new.projects[-1]
    secret.budget += Decimal("1.00")
    secret.fiscal += Decimal("1.00")
    secret.goals = "不应出现的目标"
    secret.indicators[0].value_text = "不应出现的值"
    a, b = write_workbook(tmp_path / "a.xlsx", old), write_workbook(tmp_path / "b.xlsx", new)
    result = _run("diff", a, b, "--format", "json")
    (change,) = json.loads(result.output)["projects"]["changed"]
    assert set(change["fields"]) == {"budget", "fiscal"}
    assert change["indicators"] == {"added": [], "removed": [], "changed": []}
    assert "不应出现" not in _run("diff", a, b).output


def test_summary_unit_without_code_is_compared_by_name(tmp_path):
    """A unit that left 单位编码 empty (JX-L02) is still consolidated: diff pairs it by its name, and
    counts it, instead of dropping it as if it were the 合计 row."""
    units = {s: generate_unit(s, n_projects=2, n_indicators=4) for s in (1, 2)}
    nameless = units[2].model_copy(deep=True)
    nameless.unit.code = None
    changed = nameless.model_copy(deep=True)
    changed.projects[0].budget += Decimal("5.00")
    changed.projects[0].fiscal += Decimal("5.00")
    again = units[1].model_copy(deep=True)
    for u in (again, changed):
        u.unit.year = 2027
    for year, picks in (("2026", [units[1], nameless]), ("2027", [again, changed])):
        for u in picks:
            write_workbook(tmp_path / year / f"{u.unit.name}.xlsx", u)
        consolidate([tmp_path / year], tmp_path / f"汇总{year}.xlsx", use_cache=False, workers=1, year=int(year))
    assert len(read_side(tmp_path / "汇总2026.xlsx")) == 2
    data = json.loads(_run("diff", tmp_path / "汇总2026.xlsx", tmp_path / "汇总2027.xlsx", "--format", "json").output)
    assert data["units"]["added"] == [] and data["units"]["removed"] == []
    (change,) = data["units"]["changed"]
    assert change["code"] is None and change["name"] == units[2].unit.name
    assert change["fields"]["budget"][1] == f"{sum(p.budget for p in changed.projects):.2f}"
    text = _run("diff", tmp_path / "汇总2026.xlsx", tmp_path / "汇总2027.xlsx").output
    assert "上年 2 个，今年 2 个" in text
