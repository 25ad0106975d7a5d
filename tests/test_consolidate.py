"""Consolidation: every file accounted for, exact totals, the cache, the outputs."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from jixiao.cli import main
from jixiao.consolidation import consolidate
from jixiao.consolidation.sheets import COLUMNS, INDICATORS, ISSUES, META, PROJECTS, REJECTED, SHEETS, UNITS
from jixiao.errors import JixiaoError
from jixiao.forms.reader import read_workbook
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook
from jixiao.totals.plan import MILESTONES, unit_schedule

from conftest import requires_soffice

D = Decimal


def _sha(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def county(tmp_path, example_books):
    """A folder with good units and one of each kind of bad file."""
    folder = tmp_path / "交来的文件"
    (folder / "乡镇").mkdir(parents=True)
    good = [generate_unit(i, n_projects=3, n_indicators=6, classified=(i == 2)) for i in range(8)]
    for book in good:
        write_workbook(folder / f"{book.unit.code} {book.unit.name}.xlsx", book)
    write_workbook(folder / "154001 滦平.xlsx", example_books["luanping_xinfang_2026"])
    # the same unit again, filled in later: this one wins
    dup = good[0].model_copy(deep=True)
    dup.unit.fill_date = "2026年1月20日"
    write_workbook(folder / "乡镇" / "100001 重报.xlsx", dup)
    write_workbook(folder / "怀来 2020.xlsx", example_books["huailai_xinfang_2020"])  # wrong year
    (folder / "损坏.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    with open(folder / f"{good[1].unit.code} {good[1].unit.name}.xlsx", "rb") as src, \
            open(folder / "加密.xlsx", "wb") as out:
        msoffcrypto.OfficeFile(src).encrypt("密码", out)
    (folder / "旧版.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    (folder / "说明.docx").write_bytes(b"PK\x03\x04not really")
    (folder / "空文件.xlsx").write_bytes(b"")
    (folder / "~$100001 示例.xlsx").write_bytes(b"\0" * 165)
    foreign = openpyxl.Workbook()
    foreign.active["A1"] = "别的表"
    foreign.save(folder / "别的表.xlsx")
    return folder, good


EXPECTED_REJECTED = {
    "100001 示例县教育局本级.xlsx": "JX-D01", "怀来 2020.xlsx": "JX-D04", "损坏.xlsx": "JX-D03",
    "加密.xlsx": "JX-D03", "旧版.xls": "JX-D03", "说明.docx": "JX-D03", "空文件.xlsx": "JX-D03",
    "~$100001 示例.xlsx": "JX-D03", "别的表.xlsx": "JX-D03",
}


def test_every_file_is_accounted_for(county, tmp_path):
    folder, good = county
    before = _sha(folder)
    out = tmp_path / "out" / "汇总.xlsx"
    result = consolidate([folder], out, workers=2)
    assert _sha(folder) == before, "inputs are never modified"
    assert result.found == len(before) == result.consolidated + result.not_consolidated
    assert result.year == 2026
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [*SHEETS, META]  # the summary's own records, for a roll-up (very hidden)
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible"] * len(SHEETS) + ["veryHidden"]
    rejected = {Path(r[0]).name: (r[1], r[2]) for r in wb[REJECTED].iter_rows(min_row=2, values_only=True)}
    assert {k: v[0] for k, v in rejected.items()} == EXPECTED_REJECTED
    assert "密码" in rejected["加密.xlsx"][1]
    assert ".xlsx" in rejected["旧版.xls"][1]
    assert "100001 重报.xlsx" in rejected["100001 示例县教育局本级.xlsx"][1], "the loser names the winner"
    units = [r for r in wb[UNITS].iter_rows(min_row=2, values_only=True) if r[0] != "合计"]
    sources = {Path(r[-1]).name for r in units}
    assert "100001 重报.xlsx" in sources and len(units) == result.consolidated == 9
    accounted = sources | set(rejected)
    assert accounted == {Path(p).name for p in before}
    issues = list(wb[ISSUES].iter_rows(min_row=2, values_only=True))
    assert any(r[3] == "JX-D01" and Path(r[2]).name == "100001 重报.xlsx" for r in issues)
    for unit in units:  # each unit's error and warning counts are its rows in 校验问题, D01 included
        assert unit[-3:-1] == (sum(1 for r in issues if r[2] == unit[-1] and r[4] == "错误"),
                               sum(1 for r in issues if r[2] == unit[-1] and r[4] == "提示")), unit
    overview = [c for row in wb["概览"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(f"找到 {result.found} = 纳入 9 + 未纳入 {len(EXPECTED_REJECTED)}" in c and "一致" in c for c in overview)
    assert not any("中期" in c for c in overview)  # no unit on the national form: no 中期 block


def test_totals_are_exact_sums_of_the_units(county, tmp_path):
    folder, _ = county
    out = tmp_path / "汇总.xlsx"
    result = consolidate([folder], out, workers=1)
    wb = openpyxl.load_workbook(out)
    ws = wb[UNITS]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    data, total = rows[:-1], rows[-1]
    expected = {}
    for r in data:
        schedule = unit_schedule(read_workbook(r[-1]))
        assert D(str(r[4])) == schedule.budget
        for k, m in enumerate(MILESTONES):
            assert D(str(r[7 + 2 * k])) == schedule.amounts[m]
            expected[m] = expected.get(m, D(0)) + schedule.amounts[m]
        expected["budget"] = expected.get("budget", D(0)) + schedule.budget
    assert total[0] == "合计"
    cached = openpyxl.load_workbook(out, data_only=True)[UNITS]
    last = cached.max_row
    assert D(str(cached.cell(last, 5).value)) == expected["budget"] == result.budget
    for k, m in enumerate(MILESTONES):
        assert D(str(cached.cell(last, 8 + 2 * k).value)) == expected[m]
    projects = list(openpyxl.load_workbook(out, data_only=True)[PROJECTS].iter_rows(min_row=2, values_only=True))
    assert sum(D(str(r[5])) for r in projects[:-1]) == D(str(projects[-1][5])) == result.budget


def test_classified_content_appears_only_as_classified(county, tmp_path):
    folder, good = county
    secret = good[2].projects[-1]
    assert secret.classified
    out = tmp_path / "汇总.xlsx"
    consolidate([folder], out, workers=1, csv_dir=tmp_path / "csv")
    wb = CalamineWorkbook.from_path(str(out))
    rows = wb.get_sheet_by_name(INDICATORS).to_python()
    mine = [r for r in rows if r[3] == secret.code]
    assert mine and all(set(r[6:18]) <= {"涉密", ""} for r in mine)
    project = next(r for r in wb.get_sheet_by_name(PROJECTS).to_python() if r[3] == secret.code)
    assert project[8] == "涉密" and D(str(project[5])) == secret.budget, "amounts still count"


def test_cache_rereads_only_changed_files(county, tmp_path):
    folder, good = county
    out = tmp_path / "汇总.xlsx"
    first = consolidate([folder], out, workers=1)
    assert first.read == first.found - 3  # the .xls, the .docx and the ~$ lock file are judged by name
    again = consolidate([folder], out, workers=1)
    assert again.read == 0 and again.to_json() | {"files_read": 0} == first.to_json() | {"files_read": 0}
    touched = next(folder.glob("1*.xlsx"))
    os.utime(touched, (1_700_000_000, 1_700_000_000))  # saved again, same bytes: hashed, not read
    assert consolidate([folder], out, workers=1).read == 0
    book = good[3].model_copy(deep=True)
    book.projects[0].fiscal += 1
    book.projects[0].budget += 1
    write_workbook(folder / f"{book.unit.code} {book.unit.name}.xlsx", book)
    third = consolidate([folder], out, workers=1)
    assert third.read == 1 and third.budget == first.budget + 1
    fresh = consolidate([folder], tmp_path / "nocache.xlsx", workers=1, use_cache=False)
    assert fresh.to_json() | {"files_read": 0, "output": ""} == third.to_json() | {"files_read": 0, "output": ""}
    assert not list(tmp_path.glob(".nocache*"))
    # the re-runs copied the unchanged units' rows from the previous summary: cell for cell the fresh one
    assert _cells(out) == _cells(tmp_path / "nocache.xlsx")


def _cells(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's cells (formulas as written), after checking every zip entry's CRC."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None, f"bad CRC in {path}"
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def test_rerun_copies_from_the_previous_summary_only_while_it_is_untouched(county, tmp_path):
    folder, good = county
    out = tmp_path / "汇总.xlsx"
    consolidate([folder], out, workers=1)
    # a unit resubmits and another file appears: the rows move, the copied bytes must follow
    book = good[5].model_copy(deep=True)
    book.projects[1].purpose = "重报后的资金用途"
    write_workbook(folder / f"{book.unit.code} {book.unit.name}.xlsx", book)
    extra = generate_unit(40, n_projects=2, n_indicators=4)
    write_workbook(folder / "000001 新单位.xlsx", extra)
    consolidate([folder], out, workers=1)
    fresh = tmp_path / "fresh.xlsx"
    consolidate([folder], fresh, workers=1, use_cache=False)
    assert _cells(out) == _cells(fresh)
    # the clerk opens the summary and saves it (here: sorts 项目清单 and saves with openpyxl):
    # its bytes are no longer ours, so the next run builds every row from the cache
    wb = openpyxl.load_workbook(out)
    wb["项目清单"]["A2"] = "改过"
    wb.save(out)
    again = consolidate([folder], out, workers=1)
    assert again.read == 0
    assert _cells(out) == _cells(fresh)


RERUN = r'''
import json, sys
from jixiao.consolidation import consolidate
result = consolidate([sys.argv[1]], sys.argv[2], workers=2)
print(json.dumps({"read": result.read, "pydantic": "pydantic" in sys.modules,
                  "worker": "jixiao.consolidation.extract" in sys.modules}))
'''


def _rerun(folder: Path, out: Path) -> dict:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", RERUN, str(folder), str(out)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_rerun_with_workers_after_many_changes(county, tmp_path):
    """Resubmissions, a new unit, a withdrawn file and a settled duplicate, read by a pool: the re-run
    equals a fresh build, and its parent process never loads the reader's models."""
    folder, good = county
    out = tmp_path / "汇总.xlsx"
    assert _rerun(folder, out)["read"] > 8
    for i, book in enumerate(good[1:]):  # enough changed files that the workers start at once
        changed = book.model_copy(deep=True)
        changed.projects[0].purpose = f"第 {i} 次重报"
        changed.projects[0].fiscal += i
        changed.projects[0].budget += i
        write_workbook(folder / f"{book.unit.code} {book.unit.name}.xlsx", changed)
    write_workbook(folder / "000002 新单位.xlsx", generate_unit(41, n_projects=2, n_indicators=3))
    (folder / "说明.docx").unlink()
    (folder / "乡镇" / "100001 重报.xlsx").unlink()  # the duplicate settled: 100001 has no D01 any more
    again = _rerun(folder, out)
    assert again == {"read": len(good), "pydantic": False, "worker": False}
    fresh = tmp_path / "fresh.xlsx"
    consolidate([folder], fresh, workers=1, use_cache=False)
    assert _cells(out) == _cells(fresh)
    assert not any(r[3] == "JX-D01" for r in _cells(out)[ISSUES][1:])
    # nothing changed: nothing read, and the same workbook again
    assert _rerun(folder, out) == {"read": 0, "pydantic": False, "worker": False}
    assert _cells(out) == _cells(fresh)
    # a unit whose row was copied last time gets a duplicate (an older one, so it stays the winner):
    # its row must be made again, with one more error
    dup = good[4].model_copy(deep=True)
    dup.unit.fill_date = "2025年1月1日"
    write_workbook(folder / "乡镇" / "旧稿.xlsx", dup)
    assert _rerun(folder, out)["read"] == 1
    consolidate([folder], fresh, workers=1, use_cache=False)
    assert _cells(out) == _cells(fresh)
    winner = str(folder / f"{good[4].unit.code} {good[4].unit.name}.xlsx")
    row = next(r for r in _cells(out)[UNITS] if r[-1] == winner)
    assert row[-3] == sum(1 for r in _cells(out)[ISSUES] if r[2] == winner and r[4] == "错误") >= 1


def test_duplicate_project_codes_across_units(tmp_path):
    a, b = generate_unit(20, n_projects=2), generate_unit(21, n_projects=2)
    b.projects[1].code = a.projects[0].code
    for book in (a, b):
        write_workbook(tmp_path / "in" / f"{book.unit.code}.xlsx", book)
    consolidate([tmp_path / "in"], tmp_path / "s.xlsx", workers=1)
    issues = CalamineWorkbook.from_path(str(tmp_path / "s.xlsx")).get_sheet_by_name(ISSUES).to_python()
    d02 = [r for r in issues if r[3] == "JX-D02"]
    assert {r[0] for r in d02} == {a.unit.code, b.unit.code}


def test_csv_and_parquet(county, tmp_path):
    folder, _ = county
    book = generate_unit(30, n_projects=1)
    book.projects[0].purpose = "=HYPERLINK(\"http://x\")"
    write_workbook(folder / "公式.xlsx", book)
    result = consolidate([folder], tmp_path / "汇总.xlsx", workers=1, csv_dir=tmp_path / "csv")
    names = {p.name for p in result.tables}
    for sheet in SHEETS[1:]:
        assert f"{sheet}.csv" in names and f"{sheet}.parquet" in names
    raw = (tmp_path / "csv" / f"{PROJECTS}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader((tmp_path / "csv" / f"{PROJECTS}.csv").open(encoding="utf-8-sig")))
    assert rows[0] == [c.title for c in COLUMNS[PROJECTS]]
    assert "'=HYPERLINK(\"http://x\")" in [r[8] for r in rows]
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "csv" / f"{INDICATORS}.parquet").num_rows == result.indicators


def test_unwritable_output_leaves_nothing(county, tmp_path):
    folder, _ = county
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x")
    with pytest.raises(JixiaoError):
        consolidate([folder], blocker / "汇总.xlsx", workers=1, use_cache=False)
    assert blocker.read_text() == "x"


def test_cli_json_equals_library(county, tmp_path):
    folder, _ = county
    out = tmp_path / "cli.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(out), "--format", "json",
                                       "--workers", "1", "--no-cache"])
    assert result.exit_code == 1, result.output  # files were not consolidated
    data = json.loads(result.output)
    library = consolidate([folder], tmp_path / "lib.xlsx", workers=1, use_cache=False).to_json()
    for key in ("files_found", "consolidated", "not_consolidated", "units", "projects", "indicators", "budget",
                "errors", "warnings", "year"):
        assert data[key] == library[key], key


@requires_soffice
def test_summary_formulas_recalculate_in_libreoffice(county, tmp_path):
    from jixiao.excel.office import convert

    folder, _ = county
    out = tmp_path / "汇总.xlsx"
    consolidate([folder], out, workers=1)
    cached = openpyxl.load_workbook(out, data_only=True)
    formulas = openpyxl.load_workbook(out)
    recalculated = openpyxl.load_workbook(convert(out, "xlsx", tmp_path / "lo"), data_only=True)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and "HYPERLINK" not in str(cell.value):
                    want = cached[ws.title][cell.coordinate].value
                    got = recalculated[ws.title][cell.coordinate].value
                    assert abs(D(str(got)) - D(str(want))) <= D("0.01"), (ws.title, cell.coordinate)
                    checked += 1
    assert checked >= 10


def test_selfevaluations_are_ranked(tmp_path, example_books):
    from jixiao.selfeval.prefill import prefill
    from jixiao.selfeval.scoring import split_weight
    from jixiao.selfeval.writer import write_selfeval

    folder = tmp_path / "in"
    for seed, executed in ((40, "0.9"), (41, "0.5")):
        book = generate_unit(seed, n_projects=2)
        write_workbook(folder / f"{book.unit.code}.xlsx", book)
        ev = prefill(book)
        for p in ev.projects:
            p.executed_total = p.full_total * D(executed)
        ev.department.executed_total = ev.department.full_total * D(executed)
        for sheet in (ev.department, *ev.projects):  # every indicator evaluated: only complete ones rank
            for ind in sheet.indicators:
                ind.level1, ind.target = ind.level1 or "产出指标", ind.target or "≥90%"
                ind.actual, ind.band = "95", "达成"
            if {i.level1 for i in sheet.indicators} == {"产出指标"}:  # 90 points on the rows there are (JX-W01)
                for ind, w in zip(sheet.indicators, split_weight(D(90), len(sheet.indicators))):
                    ind.weight = w
        write_selfeval(folder / f"{book.unit.code}-自评.xlsx", ev)
    result = consolidate([folder], tmp_path / "s.xlsx", workers=1, use_cache=False)
    assert result.found == 4 == result.consolidated + result.not_consolidated
    assert result.selfevaluations == 2 and result.units == 2
    rows = list(openpyxl.load_workbook(tmp_path / "s.xlsx")["自评得分"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [1, 2] and rows[0][3] >= rows[1][3]
    assert rows[0][2] == generate_unit(40).unit.name
    # the same unit's 自评表 twice (JX-D01): the newer file is ranked, the other is listed naming it
    first = folder / f"{generate_unit(41).unit.code}-自评.xlsx"
    again = folder / "重交-自评.xlsx"
    shutil.copyfile(first, again)
    os.utime(first, (1_700_000_000, 1_700_000_000))
    result = consolidate([folder], tmp_path / "s.xlsx", workers=1, use_cache=False)
    assert result.found == 5 == result.consolidated + result.not_consolidated and result.selfevaluations == 2
    listed = {Path(r["path"]).name: r for r in result.rejected}
    assert listed[first.name]["code"] == "JX-D01"
    assert str(again) in listed[first.name]["reason"] and "文件修改时间较新" in listed[first.name]["reason"]


def test_county_totals_equal_the_sum_of_1000_random_units(tmp_path):
    """Money: the county's totals are the units' own totals added up, to the cent, at 1,000 units."""
    import random

    rng = random.Random(2026)
    folder = tmp_path / "千家"
    expected = {m: D(0) for m in MILESTONES}
    budget = D(0)
    for i in range(1000):
        book = generate_unit(i, n_projects=rng.randint(1, 3), n_indicators=4)
        write_workbook(folder / f"{i:04d}.xlsx", book)
        schedule = unit_schedule(book)
        budget += schedule.budget
        for m in MILESTONES:
            expected[m] += schedule.amounts[m]
    result = consolidate([folder], tmp_path / "s.xlsx", workers=2, use_cache=False)
    assert result.consolidated == 1000 and result.budget == budget
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx", data_only=True)["单位汇总"]
    total = [c.value for c in ws[ws.max_row]]
    for k, m in enumerate(MILESTONES):
        assert abs(D(str(total[7 + 2 * k])) - expected[m]) <= D("0.01")


@pytest.mark.parametrize("seed", range(3))
def test_nothing_lost_in_random_mixes(tmp_path, seed):
    """Random mixes of good and bad files: found = consolidated + not consolidated; inputs untouched."""
    import random

    from corpus import CORPUS

    rng = random.Random(seed)
    folder = tmp_path / "mix"
    folder.mkdir()
    makers = list(CORPUS.values())
    for i in range(rng.randint(3, 8)):
        book = generate_unit(100 + seed * 20 + i, n_projects=1)
        write_workbook(folder / f"good{i}.xlsx", book)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    for _, maker in rng.sample(makers, 6):
        made = maker(scratch)
        (folder / made.name).write_bytes(made.read_bytes())
    before = _sha(folder)
    result = consolidate([folder], tmp_path / "s.xlsx", workers=1, use_cache=False)
    assert result.found == len(before) == result.consolidated + result.not_consolidated
    assert _sha(folder) == before


@given(st.binary(max_size=300), st.binary(max_size=3000))
def test_crc32_combine_both_implementations(a, b):
    import zlib

    from jixiao.consolidation.xlsxstream import _crc32_combine, crc32_combine

    expected = zlib.crc32(a + b)
    assert _crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == expected
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == expected


def test_a_damaged_cache_is_rebuilt(county, tmp_path):
    """The cache is derived data: a file that is not one, or a damaged ledger, means reading again."""
    import sqlite3

    folder, _ = county
    out = tmp_path / "汇总.xlsx"
    cache = tmp_path / ".汇总.jixiao-cache.sqlite"
    cache.write_bytes(b"not a database at all" * 100)
    first = consolidate([folder], out, workers=1)
    assert first.read == first.found - 3
    assert consolidate([folder], out, workers=1).read == 0
    with sqlite3.connect(cache) as db:  # the summaries' ledger row garbled: those files are read again
        db.execute("UPDATE ledger SET base = ?, delta = NULL WHERE id = 2", (b"\x00garbage",))
    again = consolidate([folder], out, workers=1)
    assert again.read == first.read and again.to_json() | {"files_read": 0} == first.to_json() | {"files_read": 0}
    assert consolidate([folder], out, workers=1).read == 0


def test_many_reruns_keep_every_crc(tmp_path):
    """Re-run after re-run, different units resubmit, one leaves, one arrives: the copied pieces of the
    summary get more and smaller, and every zip CRC (made from the pieces' ends) must still hold."""
    import random

    rng = random.Random(5)
    folder = tmp_path / "units"
    books = {i: generate_unit(200 + i, n_projects=2, n_indicators=3) for i in range(14)}
    for i, book in books.items():
        write_workbook(folder / f"{i:02d}.xlsx", book)
    out = tmp_path / "汇总.xlsx"
    consolidate([folder], out, workers=1)
    for round_ in range(6):
        *changed, gone = rng.sample(sorted(books), 4)
        for i in changed:
            book = books[i].model_copy(deep=True)
            book.projects[rng.randrange(len(book.projects))].purpose = f"第 {round_} 轮重报"
            if rng.random() < 0.5:
                book.projects[0].indicators.pop()  # fewer rows: what follows moves
            write_workbook(folder / f"{i:02d}.xlsx", book)
        (folder / f"{gone:02d}.xlsx").unlink()
        del books[gone]
        new = 100 + round_
        books[new] = generate_unit(300 + round_, n_projects=1, n_indicators=2)
        write_workbook(folder / f"{new:02d}.xlsx", books[new])
        assert consolidate([folder], out, workers=1).read == 4
        _cells(out)  # every entry's CRC
    fresh = tmp_path / "fresh.xlsx"
    consolidate([folder], fresh, workers=1, use_cache=False)
    assert _cells(out) == _cells(fresh)


def test_issue_field_is_the_label_the_form_prints(tmp_path):
    """校验问题's 字段 is what the clerk sees on the form (二级指标, 项目编码, 预算数), not the finding's
    field name (level2, code, budget_total), which the JSON keeps; a cached re-run says the same."""
    book = generate_unit(3, n_projects=2, n_indicators=4)
    book.projects[0].indicators[0].level2 = "不存在的二级指标"  # JX-T02
    book.projects[1].code = book.projects[0].code  # JX-C03
    book.projects[1].fiscal += Decimal("1.00")  # JX-B01
    unit = write_workbook(tmp_path / "units" / f"{book.unit.code}.xlsx", book)
    out = tmp_path / "汇总.xlsx"
    for _ in range(2):  # the second run from the cache
        consolidate([tmp_path / "units"], out, workers=1)
        rows = list(openpyxl.load_workbook(out)[ISSUES].iter_rows(values_only=True))
        field = rows[0].index("字段")
        by_code = {r[3]: r[field] for r in rows[1:]}
        assert by_code["JX-T02"] == "二级指标" and by_code["JX-C03"] == "项目编码", by_code
        assert by_code["JX-B01"] in ("预算数", "财政资金"), by_code
    report = json.loads(CliRunner().invoke(main, ["validate", str(unit), "--format", "json"]).output)
    fields = {i["code"]: i["field"] for f in report["files"] for i in f["issues"]}
    assert fields["JX-T02"] == "level2" and fields["JX-C03"] == "code"  # the contract is unchanged


def test_files_shown_by_the_names_a_caller_gives(county, tmp_path):
    """``names`` (what the 报送站 passes: path → the name the unit uploaded) is what every sheet shows; the
    files are still read by their paths, and a run without names is the CLI's, by path."""
    folder, good = county
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    # storage-like paths, shown by labels that are no paths and have no extension of their own
    names = {p: f"单位上传的{p.stem}（第{i}份）" for i, p in enumerate(files)}
    out = tmp_path / "out" / "汇总.xlsx"
    result = consolidate([folder], out, workers=1, names=names)
    plain = consolidate([folder], tmp_path / "plain" / "汇总.xlsx", workers=1)
    assert (result.found, result.consolidated, result.units) == (plain.found, plain.consolidated, plain.units)
    cells = _cells(out)
    shown = set(names.values())
    texts = [str(v) for sheet, rows in cells.items() if sheet != META for row in rows for v in row if v is not None]
    assert not [t for t in texts if str(folder) in t or any(p.name in t for p in files)]  # no path, no file name
    rejected = {r[0]: (r[1], r[2]) for r in cells[REJECTED][1:]}
    by_name = {names[p]: p.name for p in files}
    assert {by_name[n]: code for n, (code, _) in rejected.items()} == EXPECTED_REJECTED
    assert "旧版 .xls" in rejected[names[folder / "旧版.xls"]][1]  # the real file's extension decides
    d01 = rejected[names[folder / "100001 示例县教育局本级.xlsx"]][1]
    assert names[folder / "乡镇" / "100001 重报.xlsx"] in d01  # the winner, by its name
    units = {r[0]: r[-1] for r in cells[UNITS][1:] if r[-1] is not None}  # (not the 合计 row)
    assert len(units) == result.units
    assert units[good[3].unit.code] == names[folder / f"{good[3].unit.code} {good[3].unit.name}.xlsx"]
    assert set(units.values()) <= shown
    issue_files = {r[2] for r in cells[ISSUES][1:]}
    assert issue_files and issue_files <= shown
    assert all(r[-1] is None for r in cells[PROJECTS][1:])  # no 打开 link to a name that is no file
    assert any(str(r[-1]).startswith("=HYPERLINK(") for r in _cells(tmp_path / "plain" / "汇总.xlsx")[PROJECTS][1:])
    # the cache knows the files by these names: a second run reads nothing and writes the same cells
    again = consolidate([folder], out, workers=1, names=names)
    assert again.read == 0 and _cells(out) == cells
    # another name for one file: only that file is read again, and shown so
    names[files[0]] = "改名后上传的文件"
    third = consolidate([folder], out, workers=1, names=names)
    assert third.read == 1 and "改名后上传的文件" in str(_cells(out))
    # a roll-up of this summary keeps the names, and makes no link to them either
    city = consolidate([out], tmp_path / "city" / "全市.xlsx", workers=1)
    rolled = _cells(city.output)
    assert city.units == result.units and all(r[-1] is None for r in rolled[PROJECTS][1:])
    sources = {r[-1] for r in _cells(out)[UNITS][1:] if r[-1] is not None}
    assert {r[-1] for r in rolled[UNITS][1:] if r[-1] is not None} == sources and sources <= set(names.values())


def test_two_files_given_one_name_stay_two(tmp_path):
    """Two units both uploading 绩效目标表.xlsx: the second is told apart by its own file name."""
    a, b = generate_unit(30, n_projects=1), generate_unit(31, n_projects=1)
    paths = [write_workbook(tmp_path / "in" / f"{book.unit.code}.xlsx", book) for book in (a, b)]
    result = consolidate([tmp_path / "in"], tmp_path / "s.xlsx", workers=1,
                         names={p: "绩效目标表.xlsx" for p in paths})
    assert result.units == 2
    units = CalamineWorkbook.from_path(str(tmp_path / "s.xlsx")).get_sheet_by_name(UNITS).to_python()
    shown = {r[0]: r[-1] for r in units[1:] if r[-1]}
    assert shown == {a.unit.code: "绩效目标表.xlsx", b.unit.code: f"绩效目标表.xlsx（{paths[1].name}）"}
