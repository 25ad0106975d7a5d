"""A tired clerk at the 报送站: the same file twice, the Excel lock file, a zip from Chinese Windows, an empty
file, a macro workbook (the jixiao-unit-*.xlsm templates), and a roster with one code typed twice.
httpx against `jixiao serve` in a subprocess, as in test_site_api.py."""

from __future__ import annotations

import io
import urllib.parse
import zipfile

import httpx
import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.forms.template import write_workbook
from jixiao.site.roster import write_roster
from conftest import windows_zip
from sitekit import Server, open_site, unit_book, unit_file

SEEDS = [0, 1, 2, 3, 4]
TWICE, LOCK, ZIP, MACRO, LONG = SEEDS


def code(seed: int) -> str:
    return unit_book(seed).unit.code


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clerk")
    data, codes = open_site(tmp, SEEDS)
    server = Server(data).start()
    with httpx.Client(base_url=server.url, timeout=120) as client:
        yield {"tmp": tmp, "data": data, "codes": codes, "client": client}
    server.stop()


def auth(site, seed: int) -> dict[str, str]:
    r = site["client"].post("/api/v1/login", json={"code": site["codes"][code(seed)]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def send(site, seed: int, data: bytes, name: str) -> dict:
    r = site["client"].post("/api/v1/submissions", headers=auth(site, seed), files={"file": (name, data)})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_same_file_again_is_pointed_out(site):
    """Changed in Excel but not saved, the same file goes up again: the unit is told it is the same bytes."""
    books = site["tmp"] / "books"
    wrong = unit_file(books, TWICE, mistakes=True).read_bytes()
    first = send(site, TWICE, wrong, "绩效目标表.xlsx")
    assert first["status"] == "rejected" and "完全相同" not in first["message"]
    again = send(site, TWICE, wrong, "绩效目标表.xlsx")
    assert again["status"] == "rejected"
    assert "与第 1 次提交的文件内容完全相同" in again["message"] and "在 Excel 中保存" in again["message"]
    fixed = unit_file(books, TWICE).read_bytes()
    assert "完全相同" not in send(site, TWICE, fixed, "绩效目标表.xlsx")["message"]
    twice = send(site, TWICE, fixed, "绩效目标表（2）.xlsx")
    assert twice["status"] == "submitted" and "与第 3 次提交的文件内容完全相同" in twice["message"]


def test_the_excel_lock_file_is_named_for_what_it_is(site):
    body = send(site, LOCK, b"\x00" * 165, "~$滦平县信访局2027.xlsx")
    assert body["status"] == "rejected"
    assert "临时文件" in body["message"] and "“滦平县信访局2027.xlsx”" in body["message"]
    assert "改了扩展名" not in body["message"]  # what it said before: the clerk would rename files


def test_a_zip_from_chinese_windows_names_the_workbooks_in_it(site):
    book = unit_file(site["tmp"] / "books", ZIP).read_bytes()
    data = windows_zip([("滦平县信访局2027.xlsx", book), ("附件/说明.docx", b"doc")])
    body = send(site, ZIP, data, "单位报送.zip")
    assert body["status"] == "rejected"
    assert "压缩包（其中有 滦平县信访局2027.xlsx）" in body["message"] and "解压" in body["message"]
    empty = send(site, ZIP, b"", "滦平县信访局2027.xlsx")
    assert empty["status"] == "rejected" and "文件是空的" in empty["message"]


def test_a_macro_workbook_and_its_marked_copy_download_as_xlsm(site):
    """Excel refuses a macro workbook named .xlsx: the site used to name every download .xlsx, and could not
    make the marked copy of an .xlsm at all (the annotate refused the .xlsx name it was given)."""
    path = write_workbook(site["tmp"] / "books" / "宏.xlsm", unit_book(MACRO, mistakes=True))
    body = send(site, MACRO, path.read_bytes(), "滦平县信访局2027.xlsm")
    assert body["status"] == "rejected"
    headers = auth(site, MACRO)
    for url, suffix in ((f"/api/v1/submissions/{body['submission_id']}/file", "次.xlsm"),
                        (f"/api/v1/submissions/{body['submission_id']}/marked.xlsx", "_标注.xlsm")):
        r = site["client"].get(url, headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/vnd.ms-excel.sheet.macroEnabled.12"
        name = urllib.parse.unquote(r.headers["content-disposition"].split("filename*=UTF-8''")[1])
        assert name.endswith(suffix), name
        assert "xl/vbaProject.bin" in zipfile.ZipFile(io.BytesIO(r.content)).namelist()  # macros kept
    wb = openpyxl.load_workbook(io.BytesIO(r.content), keep_vba=True)
    assert "校验结果" in wb.sheetnames and wb["项目1"]["C4"].comment is not None
    plain = send(site, TWICE, unit_file(site["tmp"] / "books", TWICE, budget_delta="1").read_bytes(), "a.xlsx")
    r = site["client"].get(f"/api/v1/submissions/{plain['submission_id']}/file", headers=auth(site, TWICE))
    assert r.headers["content-disposition"].endswith(urllib.parse.quote("次.xlsx"))


def test_a_roster_with_one_code_typed_twice_is_refused(tmp_path):
    """１５４００１ and 154001 are one unit to the site and to the summary: two 登录码 for it would both
    accept its workbook, and the summary would leave one out (JX-D01)."""
    roster = write_roster(tmp_path / "名册.xlsx", [
        {"unit_code": "154001", "unit_name": "滦平县信访局"}, {"unit_code": "154002", "unit_name": "滦平县审计局"},
        {"unit_code": "１５４００１", "unit_name": "滦平县信访局（重复）"}])
    r = CliRunner().invoke(main, ["serve", "task", "--data", str(tmp_path / "site"), "--year", "2026",
                                  "--roster", str(roster)])
    assert r.exit_code != 0 and "第 4 行的单位编码 １５４００１ 与第 2 行的 154001 重复" in r.output, r.output
    assert not (tmp_path / "site" / "登录码-2026.xlsx").exists()


def test_another_kind_of_file_is_named_in_the_sites_words(site, tmp_path):
    """A 自评表, a county summary or a WPS .et file: what it is and what to send instead, with no CLI
    command (the reader's own words said ``jixiao score``, and called a summary "not a jixiao workbook")."""
    from pathlib import Path

    from jixiao.consolidation import consolidate

    templates = Path(__file__).resolve().parent.parent / "workbook_templates"
    body = send(site, LOCK, (templates / "jixiao-selfeval-hebei.xlsx").read_bytes(), "2026年自评表.xlsx")
    assert body["status"] == "rejected" and "这是绩效自评表" in body["message"] and "jixiao" not in body["message"]
    summary = consolidate([unit_file(tmp_path / "in", LOCK)], tmp_path / "全县汇总.xlsx", workers=1).output
    body = send(site, LOCK, summary.read_bytes(), "全县汇总.xlsx")
    assert body["status"] == "rejected" and "汇总表，不是单位工作簿" in body["message"]
    assert "2026 年度预算绩效目标表" in body["message"]
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # WPS saves .et as a compound file, as .xls is
    body = send(site, LOCK, ole, "绩效目标.et")
    assert body["status"] == "rejected" and "WPS" in body["message"] and "另存为" in body["message"]
    assert "旧版 .xls" in send(site, LOCK, ole, "绩效目标.xls")["message"]


def test_the_marked_copy_prints_a_long_goal_whole(site):
    """A 绩效目标 typed long into the merged B8:G8 keeps the form's 60 pt row in Excel, and prints cut off:
    the marked copy the unit downloads makes the row tall enough, as ``--annotate`` does."""
    from jixiao.forms.layouts import forms_of
    from jixiao.forms.printfit import span_width, text_height

    path = write_workbook(site["tmp"] / "books" / "长.xlsx", unit_book(LONG, mistakes=True))
    wb = openpyxl.load_workbook(path)
    goal = "围绕党和国家工作大局，按照上级部署，做好信访接待、网上信访、来信办理、矛盾化解、隐患排查和宣传教育等各项工作。" * 5
    wb["项目1"]["B8"] = goal
    wb.save(path)
    body = send(site, LONG, path.read_bytes(), "滦平县信访局2027.xlsx")
    assert body["status"] == "rejected"
    r = site["client"].get(f"/api/v1/submissions/{body['submission_id']}/marked.xlsx", headers=auth(site, LONG))
    assert r.status_code == 200, r.text
    marked = openpyxl.load_workbook(io.BytesIO(r.content))
    needed = text_height(goal, span_width(forms_of(unit_book(LONG)).project, "B8:G8"))
    assert marked["项目1"].row_dimensions[8].height >= needed > 60



def test_a_photo_or_a_pdf_picked_by_mistake_is_named_for_what_it_is(site):
    """A clerk picks 照片.jpg or the printed PDF: the site said "可能是其他格式改了扩展名", but nothing was
    renamed; it says what the file is and what to pick instead."""
    body = send(site, LOCK, b"\xff\xd8\xff\xe0" + b"\0" * 200, "IMG_20260110.jpg")
    assert body["status"] == "rejected" and "图片" in body["message"] and "改了扩展名" not in body["message"]
    body = send(site, LOCK, b"%PDF-1.7\n" + b"\0" * 200, "绩效目标表.pdf")
    assert "PDF 文件" in body["message"] and ".xlsx" in body["message"]
    assert "这是装有工作簿的压缩包" in send(site, LOCK, windows_zip([("教育局.xlsx", b"PK")]), "报送.zip")["message"]
