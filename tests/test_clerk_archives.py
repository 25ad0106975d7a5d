"""A folder zipped on (Chinese) Windows and handed over as the .zip itself: said, never silently dropped."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jixiao.cli import main
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook

from conftest import windows_zip


def _zip_of_units(tmp_path: Path) -> Path:
    folder = tmp_path / "units"
    folder.mkdir()
    archive = tmp_path / "各单位.zip"
    entries = []
    for i in range(2):
        book = generate_unit(i, n_projects=1, n_indicators=3)
        path = write_workbook(folder / f"{book.unit.code}_单位.xlsx", book)
        entries.append((path.name, path.read_bytes()))
    archive.write_bytes(windows_zip(entries))  # as Chinese Windows writes it: GBK names, no UTF-8 flag
    return archive


def test_a_zip_given_to_consolidate_is_listed_with_what_to_do(tmp_path):
    archive = _zip_of_units(tmp_path)
    result = CliRunner().invoke(main, ["consolidate", str(archive), "-o", str(tmp_path / "汇总.xlsx"),
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["files_found"] == 1 and data["not_consolidated"] == 1
    assert "压缩包" in data["not_consolidated_files"][0]["reason"]
    assert "解压" in data["not_consolidated_files"][0]["reason"]


def test_a_zip_given_to_validate_says_unzip_first(tmp_path):
    archive = _zip_of_units(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(archive)])
    assert result.exit_code == 2
    assert "装有工作簿的压缩包" in result.output and "解压" in result.output
    assert "其中有 100001_单位.xlsx、100002_单位.xlsx" in result.output  # the GBK names, read as Windows wrote them


def test_a_word_document_renamed_xlsx_is_called_a_word_document(tmp_path):
    """A .docx renamed .xlsx is a zip without a workbook: the clerk is told it is a Word document,
    not left to guess from "压缩包里没有 Excel 工作簿内容"."""
    import docx

    folder = tmp_path / "交来的文件"
    book = generate_unit(1, n_projects=1, n_indicators=3)
    write_workbook(folder / f"{book.unit.code}.xlsx", book)
    document = docx.Document()
    document.add_paragraph("绩效目标说明")
    document.save(folder / "说明材料.xlsx")
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(tmp_path / "汇总.xlsx"),
                                       "--format", "json", "--no-cache", "--workers", "1"])
    data = json.loads(result.stdout)
    assert data["files_found"] == 2 and data["consolidated"] == 1 and data["not_consolidated"] == 1
    (rejected,) = data["not_consolidated_files"]
    assert rejected["code"] == "JX-D03" and "Word 文档" in rejected["reason"] and "压缩包" not in rejected["reason"]
    shown = CliRunner().invoke(main, ["validate", str(folder / "说明材料.xlsx")])
    assert shown.exit_code == 2 and "这是 Word 文档" in shown.output
