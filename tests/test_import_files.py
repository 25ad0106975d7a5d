"""`jixiao import` on the files a clerk really has: Notepad's encodings, wrong and broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.selfeval.reading import read_selfeval

WILD = Path(__file__).parent / "data" / "wild"
SOURCE = WILD / "sc_zhongjiang_slj_2022_selfeval.txt"


def _import(path: Path, out: Path):
    return CliRunner().invoke(main, ["import", str(path), "-o", str(out)])


@pytest.mark.parametrize("encoding, bom", [("gbk", b""), ("utf-16", b""), ("utf-16-le", b""),
                                           ("utf-16-be", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_notepad_encodings_import_like_utf8(encoding, bom, tmp_path):
    """Notepad saves ANSI (GBK), "Unicode" (UTF-16 with BOM) and UTF-8 with BOM: all read alike."""
    reference = tmp_path / "utf8.xlsx"
    first = _import(SOURCE, reference)
    assert first.exit_code == 1 and "项目负责人及电话" in first.output  # no cell for it on the 自评表: listed
    saved = tmp_path / "记事本.txt"
    saved.write_bytes(bom + SOURCE.read_text(encoding="utf-8").encode(encoding))
    out = tmp_path / "out.xlsx"
    result = _import(saved, out)
    assert result.exit_code == 1 and result.output.splitlines()[1:] == first.output.splitlines()[1:], result.output
    assert "意外错误" not in result.output
    assert read_selfeval(out) == read_selfeval(reference)


@pytest.mark.parametrize("name, content, says", [
    ("程序.txt", bytes(range(256)) * 8, "不是文本文件"),
    ("坏的.docx", b"\x7fELF\x02\x01\x01" + bytes(2000), "文件已损坏或不是 .docx"),
    ("旧版.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "旧版 Word（.doc）"),
    ("坏的.pdf", b"\x7fELF\x02\x01\x01" + bytes(2000), "无法读取 PDF"),
])
def test_broken_files_are_refused_in_chinese(name, content, says, tmp_path):
    path = tmp_path / name
    path.write_bytes(content)
    result = _import(path, tmp_path / "out.xlsx")
    assert result.exit_code == 2, result.output
    assert says in result.output and "JX-D03" in result.output
    assert "意外错误" not in result.output
    # no English from the libraries (python-docx's "Package not found", pypdf's "invalid pdf header")
    assert not re.search(r"[A-Za-z]{4,}", result.output.replace("JX-D03", "").replace(".docx", "")
                         .replace("Word", "").replace("PDF", "")), result.output
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("name, says", [("单位.xlsx", "不是 Excel 工作簿（.xlsx）文件，可能是其他格式改了扩展名"),
                                        ("单位.xls", "这是旧版 Excel 工作簿（.xls），无法直接导入：请在 Excel 或 WPS 中“另存为”"),
                                        ("通知.doc", "这是旧版 Word 文档（.doc）"),
                                        ("通知.wps", "这是 WPS 文字文档（.wps）"),
                                        ("绩效文本.zip", "这是压缩包，不是文档本身：请先解压")])
def test_office_files_that_are_no_import_say_what_to_do(name, says, tmp_path):
    """They said '无法识别的文件类型 .doc；请用 --format 指定…', which leads nowhere."""
    path = tmp_path / name
    path.write_bytes(SOURCE.read_bytes())
    result = _import(path, tmp_path / "out.xlsx")
    assert result.exit_code == 2 and says in result.output and "--format" not in result.output, result.output


def test_a_selfeval_report_is_refused_with_what_to_import_instead(tmp_path, example_files):
    """The 自评报告 (鹿泉's prose, or the Word report `jixiao export` makes of a 自评表) holds no form:
    it was imported as an empty unit workbook, exit 1, with 31 lines listed. Now: what it is, what to
    import instead, and nothing written."""
    selfeval, report = tmp_path / "自评表.xlsx", tmp_path / "自评报告.docx"
    runner = CliRunner()
    assert runner.invoke(main, ["selfeval", "new", str(example_files["luanping_xinfang_2026"]),
                                "-o", str(selfeval)]).exit_code == 0
    assert runner.invoke(main, ["export", str(selfeval), "--to", "docx", "-o", str(report)]).exit_code in (0, 1)
    luquan = tmp_path / "鹿泉.txt"  # the opening of seed 004, as a clerk copies it out of the PDF
    luquan.write_text("石家庄市鹿泉区信访局\n\n2022 年度整体支出绩效自评报告\n\n贯彻落实石家庄市鹿泉区人民政府《关于全面实施"
                      "预算绩效管理的实施意见》文件精神，对2022年整体支出情况实施了财政支出绩效自评价，形成本评价报告。\n\n"
                      "一、部门基本情况\n\n（一）部门概况\n\n石家庄市鹿泉区信访局为区委工作机关。\n", encoding="utf-8")
    for document, title in ((report, "2026年度整体支出绩效自评报告"), (luquan, "2022年度整体支出绩效自评报告")):
        out = tmp_path / f"{document.stem}.xlsx"
        result = _import(document, out)
        assert result.exit_code == 2, result.output
        assert f"这是绩效自评报告（“{title}”）" in result.output and "请导入自评表" in result.output
        assert "JX-D03" in result.output and "未导入" not in result.output
        assert not out.exists()


def test_a_report_with_its_selfeval_tables_still_imports(tmp_path):
    """A report that carries its 自评表 (as many counties attach it) imports the tables as before."""
    text = "某县水利局\n2022年度项目支出绩效自评报告\n\n" + SOURCE.read_text(encoding="utf-8")
    document = tmp_path / "报告和自评表.txt"
    document.write_text(text, encoding="utf-8")
    reference, out = tmp_path / "表.xlsx", tmp_path / "报告.xlsx"
    assert _import(SOURCE, reference).exit_code == 1  # 项目负责人及电话 is listed: the 自评表 has no cell for it
    result = _import(document, out)
    assert result.exit_code in (0, 1), result.output
    assert "已导入自评表" in result.output
    assert read_selfeval(out).projects == read_selfeval(reference).projects
