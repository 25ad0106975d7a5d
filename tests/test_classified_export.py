"""A project marked 涉密 (资金用途) whose clerk left its goals and indicators filled in: no export
may show them (domain spec: "exports must not leak anything but 涉密")."""

from __future__ import annotations

import json

import docx
import openpyxl
from click.testing import CliRunner

from jixiao.cli import main

from conftest import requires_soffice

SECRET = ("化解案件数量", "稳控率", "通过信访工作有效推进")


def _marked_but_filled(example_files, tmp_path):
    """The 滦平 workbook with 项目2's 资金用途 typed over with 涉密, the rest left as it was."""
    path = tmp_path / "涉密.xlsx"
    wb = openpyxl.load_workbook(example_files["luanping_xinfang_2026"])
    sheet = wb["项目2"]
    assert any(s in str(c.value) for row in sheet.iter_rows() for c in row for s in SECRET)
    sheet["B5"] = "涉密"
    wb.save(path)
    return path


def _export(src, to, out):
    result = CliRunner().invoke(main, ["export", str(src), "--to", to, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_docx_json_csv_show_only_classified(example_files, tmp_path):
    src = _marked_but_filled(example_files, tmp_path)
    doc = docx.Document(str(_export(src, "docx", tmp_path / "a.docx")))
    printed = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "信访维稳经费" in printed and "31.50" in printed  # name and amounts still print
    assert not [s for s in SECRET if s in printed]
    assert {c.text for row in doc.tables[-1].rows[1:] for c in row.cells} == {"涉密"}
    data = json.loads(_export(src, "json", tmp_path / "a.json").read_text(encoding="utf-8"))
    secret = data["projects"][1]
    assert secret["goals"] == "涉密" and {i["level3"] for i in secret["indicators"]} == {"涉密"}
    csv = _export(src, "csv", tmp_path / "a.csv").read_text(encoding="utf-8-sig")
    assert not [s for s in SECRET if s in csv]
    assert "信访维稳经费" in csv


@requires_soffice
def test_pdf_pages_and_attached_model_show_only_classified(example_files, tmp_path):
    import subprocess

    src = _marked_but_filled(example_files, tmp_path)
    pdf = _export(src, "pdf", tmp_path / "a.pdf")
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "信访维稳经费" in pages and not [s for s in SECRET if s in pages]
    back = tmp_path / "back.xlsx"
    assert CliRunner().invoke(main, ["import", str(pdf), "-o", str(back)]).exit_code == 0
    wb = openpyxl.load_workbook(back)
    texts = " ".join(str(c.value) for row in wb["项目2"].iter_rows() for c in row if c.value is not None)
    assert "涉密" in texts and not [s for s in SECRET if s in texts], texts


def test_export_of_a_copied_unrenamed_sheet_says_not_to_hand_it_in(example_files, tmp_path):
    """Excel's "移动或复制" leaves 项目2 (2) with 项目2's code: the document would print it twice."""
    path = tmp_path / "复制.xlsx"
    wb = openpyxl.load_workbook(example_files["luanping_xinfang_2026"])
    wb.copy_worksheet(wb["项目2"]).title = "项目2 (2)"
    wb.save(path)
    out = tmp_path / "a.docx"
    result = CliRunner().invoke(main, ["export", str(path), "--to", "docx", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert out.exists() and "不宜报送" in result.output
    assert "[项目2 (2)] B3 错误 JX-C03" in result.output
    jx_c03 = next(line for line in result.output.splitlines() if "JX-C03" in line)
    assert jx_c03.endswith("（合计中计入两次）"), jx_c03  # the document's totals hold its money twice
    clean = CliRunner().invoke(main, ["export", str(example_files["luanping_xinfang_2026"]), "--to", "docx",
                                      "-o", str(tmp_path / "b.docx")])
    assert clean.exit_code == 0 and "不宜报送" not in clean.output
