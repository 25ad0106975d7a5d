"""A corpus of hostile and broken inputs, generated (no opaque blobs): name → (说明, maker).

Used by tests/test_reliability.py and by scripts/reliability_report.py, which writes
docs/reliability.md (input × command × outcome).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Callable

import openpyxl

from jixiao.forms.layouts import META_SHEET
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook


def good(folder: Path, name: str = "good.xlsx") -> Path:
    return write_workbook(folder / name, generate_unit(7, n_projects=2, n_indicators=6))


def _edit(folder: Path, name: str, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    path = good(folder, name)
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def truncated(folder: Path) -> Path:
    data = good(folder, "t.xlsx").read_bytes()
    path = folder / "截断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt(folder: Path) -> Path:
    data = bytearray(good(folder, "c.xlsx").read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 400):
        data[i] ^= 0x5A
    path = folder / "损坏.xlsx"
    path.write_bytes(bytes(data))
    return path


def zip_bomb(folder: Path) -> Path:
    """A workbook whose sheet inflates to 300 MB of zeros (about 300 KB on disk)."""
    path = folder / "压缩炸弹.xlsx"
    with zipfile.ZipFile(good(folder, "b.xlsx")) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with out.open(info.filename, "w") as fh:
                    block = b"\0" * 2**20
                    for _ in range(300):
                        fh.write(block)
            else:
                out.writestr(info, src.read(info))
    return path


def password(folder: Path) -> Path:
    import msoffcrypto

    src = good(folder, "p.xlsx")
    path = folder / "有打开密码.xlsx"
    with open(src, "rb") as fh, open(path, "wb") as out:
        msoffcrypto.OfficeFile(fh).encrypt("secret", out)
    return path


def xls(folder: Path) -> Path:
    path = folder / "旧版.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1536)
    return path


def xls_renamed(folder: Path) -> Path:
    path = folder / "旧版改名.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1536)
    return path


def csv_renamed(folder: Path) -> Path:
    path = folder / "CSV改名.xlsx"
    path.write_text("单位编码,单位名称\n154001,滦平县信访局\n", encoding="utf-8")
    return path


def html_renamed(folder: Path) -> Path:
    path = folder / "HTML改名.xlsx"
    path.write_text("<html><body><table><tr><td>项目编码</td></tr></table></body></html>", encoding="utf-8")
    return path


def empty(folder: Path) -> Path:
    path = folder / "空文件.xlsx"
    path.write_bytes(b"")
    return path


def other_template(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目编码"
    path = folder / "别的模板.xlsx"
    wb.save(path)
    return path


def old_version(folder: Path) -> Path:
    return _edit(folder, "旧版本模板.xlsx", lambda wb: wb[META_SHEET].__setitem__("B2", "0"))


def xxe(folder: Path) -> Path:
    """A sheet that declares an external entity (must never be resolved)."""
    path = folder / "外部实体.xlsx"
    with zipfile.ZipFile(good(folder, "x.xlsx")) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                decl, rest = text.split("?>", 1)
                data = (decl + '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + rest).encode()
                data = data.replace(b"<sheetData>", b"<sheetData><!-- &e; -->", 1)
            out.writestr(info, data)
    return path


def sheet_renamed(folder: Path) -> Path:
    return _edit(folder, "改了表名.xlsx", lambda wb: setattr(wb["单位信息"], "title", "单位基本信息"))


def sheet_deleted(folder: Path) -> Path:
    return _edit(folder, "删了工作表.xlsx", lambda wb: wb.remove(wb["部门整体绩效目标"]))


def sheet_hidden_reordered(folder: Path) -> Path:
    def edit(wb):
        wb.move_sheet("项目2", offset=-2)
        wb["项目1"].sheet_state = "hidden"
    return _edit(folder, "隐藏和调序.xlsx", edit)


def rows_inserted(folder: Path) -> Path:
    return _edit(folder, "插入了行.xlsx", lambda wb: wb["项目1"].insert_rows(5))


def formula_input(folder: Path) -> Path:
    return _edit(folder, "输入格有公式.xlsx", lambda wb: wb["项目1"].__setitem__("C4", "=E4+G4"))


def number_as_text(folder: Path) -> Path:
    def edit(wb):
        ws = wb["项目1"]
        ws["C4"].value = str(ws["C4"].value)
        ws["C4"].data_type = "s"
    return _edit(folder, "数字存为文本.xlsx", edit)


def full_width(folder: Path) -> Path:
    def edit(wb):
        ws = wb["项目1"]
        ws["E10"].value = "≧９５％"
        ws["B7"].value = "２５"
    return _edit(folder, "全角数字.xlsx", edit)


def error_value(folder: Path) -> Path:
    return _edit(folder, "错误值.xlsx", lambda wb: wb["项目1"].__setitem__("C4", "#REF!"))


def date_in_number(folder: Path) -> Path:
    return _edit(folder, "日期填在金额格.xlsx", lambda wb: wb["项目1"].__setitem__("C4", dt.datetime(2026, 3, 1)))


def long_cell(folder: Path) -> Path:
    return _edit(folder, "超长单元格.xlsx", lambda wb: wb["项目1"].__setitem__("B5", "用于" * 5000))


def chinese_spaces_name(folder: Path) -> Path:
    return good(folder, "滦平 县 信访局 （2026 版）.xlsx")


def strict_ooxml(folder: Path) -> Path:
    """Excel's "Strict Open XML Spreadsheet": the same parts under the ISO namespaces (refused, JX-D03)."""
    ns = {b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
          b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
              b"http://purl.oclc.org/ooxml/officeDocument/relationships"}
    path = folder / "严格格式.xlsx"
    with zipfile.ZipFile(good(folder, "s.xlsx")) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            for a, b in ns.items():
                data = data.replace(a, b)
            out.writestr(info, data)
    return path


def word_paste(folder: Path) -> Path:
    """Text pasted from Word: a vertical tab (Excel stores ``_x000B_``) and a bell character (JX-X02)."""
    return _edit(folder, "从Word粘贴.xlsx", lambda wb: wb["项目1"].__setitem__("B8", "目标一_x000B_目标二_x0007_"))


CORPUS: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "truncated": ("截断的 .xlsx（下载不完整）", truncated),
    "corrupt": ("内容损坏的 .xlsx", corrupt),
    "zip_bomb": ("压缩炸弹（解压后 300 MB）", zip_bomb),
    "password": ("设置了打开密码", password),
    "xls": ("旧版 .xls", xls),
    "xls_renamed": (".xls 改名为 .xlsx", xls_renamed),
    "csv_renamed": ("CSV 改名为 .xlsx", csv_renamed),
    "html_renamed": ("HTML 改名为 .xlsx", html_renamed),
    "empty": ("空文件", empty),
    "other_template": ("其他模板的工作簿", other_template),
    "old_version": ("未知的模板版本", old_version),
    "xxe": ("含外部实体的 XML", xxe),
    "sheet_renamed": ("“单位信息”表被改名", sheet_renamed),
    "sheet_deleted": ("删除了“部门整体绩效目标”表", sheet_deleted),
    "hidden_reordered": ("项目表被隐藏、调换顺序", sheet_hidden_reordered),
    "rows_inserted": ("取消保护后在项目表中插入行", rows_inserted),
    "formula_input": ("输入格中填了公式（无缓存值）", formula_input),
    "number_as_text": ("数字存为文本", number_as_text),
    "full_width": ("全角数字和符号（８０．００、％、≧）", full_width),
    "error_value": ("Excel 错误值（#REF!）", error_value),
    "date_in_number": ("金额格中填了日期", date_in_number),
    "long_cell": ("10,000 字的单元格", long_cell),
    "chinese_name": ("中文和空格的文件名", chinese_spaces_name),
    "strict_ooxml": ("“严格 Open XML”格式", strict_ooxml),
    "word_paste": ("从 Word 粘贴的控制字符（垂直制表符）", word_paste),
}


# --- the matrix: input × command → outcome ---------------------------------------------------

import hashlib  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402

COMMANDS = ("validate", "totals", "export", "consolidate", "addin")
_CODE = re.compile(r"JX-[A-Z]\d\d")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(command: str, path: Path, work: Path) -> dict:
    """Run one command on one input; the outcome as exit code, JX codes and the first message line."""
    from click.testing import CliRunner

    from jixiao.cli import main

    work.mkdir(parents=True, exist_ok=True)
    before = _sha(path)
    if command == "addin":
        return _run_addin(path, before)
    if command == "consolidate":
        folder = work / "in"
        folder.mkdir()
        # a different unit from the corpus' own, so that no cell is about a duplicate (JX-D01)
        write_workbook(folder / "同批的好文件.xlsx", generate_unit(8, n_projects=2, n_indicators=6))
        shutil.copy(path, folder / path.name)
        args = ["consolidate", str(folder), "-o", str(work / "汇总.xlsx"), "--workers", "1", "--no-cache"]
    elif command == "export":
        args = ["export", str(path), "--to", "json", "-o", str(work / "out.json")]
    else:
        args = [command, str(path)]
    result = CliRunner().invoke(main, args)
    output = result.output
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    return {"exit": result.exit_code, "codes": sorted(set(_CODE.findall(output))),
            "message": next((ln for ln in output.splitlines() if "错误" in ln or "JX-" in ln or "未纳入" in ln), "")[:80],
            "traceback": crashed or "Traceback" in output, "input_unchanged": _sha(path) == before,
            "leaked": "root:x:0:0" in output}


def _run_addin(path: Path, before: str) -> dict:
    """The 校验 button through the remote engine, on the payload Excel would send."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings as xw

    import jixiao.addin as addin
    from jixiao.addin.replay import payload_from_file
    from jixiao.errors import JixiaoError

    try:
        payload = payload_from_file(path)
    except Exception:  # noqa: BLE001 - Excel itself cannot open such a file: there is no button to press
        return {"exit": None, "codes": [], "message": "（Excel 无法打开，不适用）", "traceback": False,
                "input_unchanged": _sha(path) == before, "leaked": False}
    book = xw.Book(json=payload)
    try:
        report = addin.validate(book)
        codes = sorted({i.code for i in report.issues})
        message = f"{report.errors} 个错误，{report.warnings} 个提示"
        exit_code = 0 if report.ok else 1
    except JixiaoError as exc:
        codes, message, exit_code = [exc.code] if exc.code else [], str(exc)[:80], 2
    return {"exit": exit_code, "codes": codes, "message": message, "traceback": False,
            "input_unchanged": _sha(path) == before, "leaked": False}
