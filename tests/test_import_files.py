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
    assert _import(SOURCE, reference).exit_code == 0
    saved = tmp_path / "记事本.txt"
    saved.write_bytes(bom + SOURCE.read_text(encoding="utf-8").encode(encoding))
    out = tmp_path / "out.xlsx"
    result = _import(saved, out)
    assert result.exit_code == 0, result.output
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


@pytest.mark.parametrize("name, says", [("单位.xlsx", "这是 Excel 工作簿，不需要导入"),
                                        ("通知.doc", "这是旧版 Word 文档（.doc）"),
                                        ("通知.wps", "这是 WPS 文字文档（.wps）")])
def test_office_files_that_are_no_import_say_what_to_do(name, says, tmp_path):
    """They said '无法识别的文件类型 .doc；请用 --format 指定…', which leads nowhere."""
    path = tmp_path / name
    path.write_bytes(SOURCE.read_bytes())
    result = _import(path, tmp_path / "out.xlsx")
    assert result.exit_code == 2 and says in result.output and "--format" not in result.output, result.output
