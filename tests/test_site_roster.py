"""The bureau's own 名单 as the roster of `jixiao serve task`: a code column Excel stored as numbers (001001
became 1001), a title row and a two-row merged header, an old .xls, a .csv, a WPS .et, and one unit typed
twice. Real workbooks written by openpyxl (and LibreOffice for the .xls), read back by the site."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.errors import JixiaoError
from jixiao.site.roster import read_roster
from sitekit import read_codes, unit_file


def workbook(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


def task(tmp_path: Path, roster: Path):
    return CliRunner().invoke(main, ["serve", "task", "--data", str(tmp_path / "site"), "--year", "2026",
                                     "--roster", str(roster)])


def test_a_code_column_excel_stored_as_numbers_gets_its_zeros_back(tmp_path):
    """001001 typed into a General cell is the number 1001: the unit is 001001 (the width of the codes typed
    as text), the bureau is told, and the unit's workbook saying 001001 is accepted, not refused as 不符."""
    roster = workbook(tmp_path / "名单.xlsx", [["单位编码", "单位名称"], [1001, "示例县教育局本级"],
                                            ["001002", "示例县第一中学"], [102001, "示例县卫生健康局本级"]])
    units = read_roster(roster)
    assert [u["unit_code"] for u in units] == ["001001", "001002", "102001"]
    assert "001001" in units.notes[0] and "开头的 0" in units.notes[0]
    only_numbers = workbook(tmp_path / "数字.xlsx", [["单位编码", "单位名称"], [1001, "a"], [1002.0, "b"]])
    assert [u["unit_code"] for u in read_roster(only_numbers)] == ["001001", "001002"]  # 单位编码 is 6 digits

    r = task(tmp_path, roster)
    assert r.exit_code == 0 and "已按 6 位补回" in r.output, r.output
    codes = read_codes(tmp_path / "site" / "登录码-2026.xlsx")
    assert set(codes) == {"001001", "001002", "102001"}

    from jixiao.site.service import submit
    from jixiao.site.store import Store

    store = Store(tmp_path / "site")
    try:
        t = store.task(2026)
        book = unit_file(tmp_path / "books", 0, code="001001")
        with open(book, "rb") as fh:
            got = submit(store, t, store.unit(t["id"], "001001"), fh, book.name, actor="test")
        assert got["status"] == "submitted", got["message"]
        # the same list again, as the numbers an older roster kept: the units already there, no new 登录码
        _task, issued = store.open_task(2026, [{"unit_code": "1001", "unit_name": "示例县教育局本级"}])
        assert issued == [] and len(store.units_status(t["id"])) == 3
    finally:
        store.close()


def test_a_unit_whose_roster_code_lost_its_zeros_still_matches_its_workbook(tmp_path):
    """A task opened from an old roster holding 1001 (no width to go by): the unit's workbook says 001001."""
    from jixiao.site.service import submit
    from jixiao.site.store import Store

    store = Store(tmp_path / "site")
    try:
        t, _issued = store.open_task(2026, [{"unit_code": "1001", "unit_name": "示例县教育局本级"}])
        book = unit_file(tmp_path / "books", 0, code="001001")
        with open(book, "rb") as fh:
            got = submit(store, t, store.unit(t["id"], "1001"), fh, book.name, actor="test")
        assert got["status"] == "submitted", got["message"]
    finally:
        store.close()


def test_a_list_with_a_title_row_and_a_two_row_merged_header_is_read(tmp_path):
    roster = workbook(tmp_path / "名单.xlsx", [
        ["2026年预算单位名单", None, None, None, None, None],
        ["序号", "单位信息", None, "主管部门", "联系方式", None],
        [None, "单位代码", "单位名称（全称）", None, "联系人", "联系电话"],
        [1, "001001", "示例县教育局本级", "示例县教育局", "张三", "0314-1234567"],
        [2, "001002", "示例县第一中学", "示例县教育局", "李四", "13800000000"],
    ], merges=("A1:F1", "A2:A3", "B2:C2", "D2:D3", "E2:F2"))
    units = read_roster(roster)
    assert units == [
        {"unit_code": "001001", "unit_name": "示例县教育局本级", "department": "示例县教育局", "contact": "张三",
         "phone": "0314-1234567"},
        {"unit_code": "001002", "unit_name": "示例县第一中学", "department": "示例县教育局", "contact": "李四",
         "phone": "13800000000"}]
    assert task(tmp_path, roster).exit_code == 0


def test_one_unit_typed_twice_is_named_by_its_rows(tmp_path):
    roster = workbook(tmp_path / "名单.xlsx", [
        ["单位编码", "单位名称"], ["001001", "示例县教育局本级"], ["001002", "示例县第一中学"],
        ["001003", "示例县第一中学"], [1001, "示例县教育局（本级）"]])
    r = task(tmp_path, roster)
    assert r.exit_code != 0, r.output
    assert "第 4 行的单位名称“示例县第一中学”与第 3 行重复" in r.output, r.output
    assert "第 5 行的单位编码 001001 与第 2 行重复" in r.output, r.output
    assert not (tmp_path / "site" / "登录码-2026.xlsx").exists()


def test_a_csv_and_an_old_xls_are_read_a_wps_file_is_refused_in_chinese(tmp_path):
    csv = tmp_path / "名单.csv"
    csv.write_bytes("单位编码,单位名称\r\n001001,示例县教育局本级\r\n".encode("gbk"))  # as Chinese Excel saves it
    assert [u["unit_name"] for u in read_roster(csv)] == ["示例县教育局本级"]
    et = tmp_path / "名单.et"
    et.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(JixiaoError, match="另存为.*xlsx"):
        read_roster(et)
    pdf = tmp_path / "名单.pdf"  # the printed list picked instead of the workbook
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(JixiaoError, match="不是 Excel 表格.*另存为"):
        read_roster(pdf)
    text = tmp_path / "名单.xlsx"
    text.write_text("单位编码 单位名称", encoding="utf-8")
    with pytest.raises(JixiaoError, match="另存为.*xlsx"):
        read_roster(text)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (the .xls is made by it)")
    source = workbook(tmp_path / "旧名单.xlsx", [["单位编码", "单位名称"], [1001, "示例县教育局本级"],
                                               [1002, "示例县第一中学"]])
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "xls", "--outdir", str(tmp_path / "xls"), str(source)], check=True,
                   timeout=180, capture_output=True)
    units = read_roster(tmp_path / "xls" / "旧名单.xls")
    assert [u["unit_code"] for u in units] == ["001001", "001002"]


def test_a_text_export_a_locked_or_encrypted_roster_is_read_or_refused_with_what_to_do(tmp_path):
    """Excel's other text exports are rosters too (“Unicode 文本” is UTF-16 with tabs); bytes that are no
    text, Excel's ~$ lock file and a workbook with an open password each get their own reason in Chinese."""
    unicode_text = tmp_path / "名单.txt"
    unicode_text.write_bytes("单位编码\t单位名称\r\n001001\t示例县教育局本级\r\n".encode("utf-16"))
    assert [u["unit_name"] for u in read_roster(unicode_text)] == ["示例县教育局本级"]
    tabbed = tmp_path / "名单-制表符.txt"
    tabbed.write_bytes("单位编码\t单位名称\r\n001002\t示例县第一中学\r\n".encode("gbk"))
    assert [u["unit_code"] for u in read_roster(tabbed)] == ["001002"]
    garbage = tmp_path / "名单.csv"
    garbage.write_bytes(b"\x80\xff\xfe\x00" * 8)
    with pytest.raises(JixiaoError, match="不是 UTF-8 或 GBK 编码的文本文件.*另存为"):
        read_roster(garbage)
    good = workbook(tmp_path / "名单.xlsx", [["单位编码", "单位名称"], ["001001", "示例县教育局本级"]])
    lock = tmp_path / "~$名单.xlsx"
    lock.write_bytes(b"\x0cAdministrator" + b"\0" * 150)
    with pytest.raises(JixiaoError, match="临时锁定文件.*不带“~\\$”"):
        read_roster(lock)
    import msoffcrypto

    locked = tmp_path / "有密码的名单.xlsx"
    with open(good, "rb") as fh, open(locked, "wb") as out:
        msoffcrypto.OfficeFile(fh).encrypt("secret", out)
    with pytest.raises(JixiaoError, match="设置了打开密码.*取消"):
        read_roster(locked)
    r = task(tmp_path, garbage)
    assert r.exit_code != 0 and "Traceback" not in r.output and "不是 UTF-8 或 GBK" in r.output, r.output


def test_a_word_file_renamed_xlsx_as_the_roster_is_told_how_to_save_the_roster(tmp_path):
    """The unit-workbook reason says what the file is; its remedy there ("请提交填好的单位工作簿") is for a
    unit's submission, so a roster gets how to save the roster as .xlsx instead."""
    import docx

    word = tmp_path / "名单.xlsx"
    document = docx.Document()
    document.add_paragraph("单位编码 单位名称")
    document.save(word)
    with pytest.raises(JixiaoError) as caught:
        read_roster(word)
    message = str(caught.value)
    assert "Word 文档" in message and "另存为" in message and "名册" in message, message
    assert "单位工作簿" not in message, message


@pytest.mark.libreoffice
def test_the_login_codes_print_one_page_wide_with_whose_code_it_is(tmp_path):
    """The bureau prints 登录码-YYYY.xlsx to hand each unit its code: 单位编码, 单位名称 and 登录码 on the same
    page (the 登录码 column printed on a page of its own), the header on every page, a long name whole."""
    import shutil as sh

    from jixiao.site.roster import write_codes
    from test_print import pdf_pages

    if sh.which("soffice") is None or sh.which("pdftotext") is None:
        pytest.skip("LibreOffice and poppler print the workbook")
    long_name = "示例县乡村振兴服务中心农村经济经营管理站第二分站"
    units = [dict(unit_code=f"100{i:03d}", unit_name=long_name if i == 3 else f"示例县第{i}中学",
                  code=f"AB{i:02d}-EFGH-JKLM") for i in range(80)]
    path = write_codes(tmp_path / "登录码-2026.xlsx", units)
    ws = openpyxl.load_workbook(path)["登录码"]
    assert ws.page_setup.paperSize == 9 and ws.print_title_rows == "$1:$1" and (ws.row_dimensions[5].height or 0) > 30  # row 5: the long name
    pages = pdf_pages(path, tmp_path / "pdf")
    assert len(pages) >= 2, len(pages)
    for text in pages:
        lines = [line for line in text.splitlines() if "-EFGH-JKLM" in line]
        assert "登录码" in text and "单位名称" in text and lines, text[:200]
        assert all(line.split()[0].startswith("100") and "中学" in line or "分站" in line or "服务中心" in line
                   for line in lines), lines  # code and name on the line of the 登录码
    assert long_name[-6:] in "".join(pages[0].split())
