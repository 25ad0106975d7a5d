"""LibreOffice headless as a real client: formulas recalculate to Python's values; 项目1 prints on one A4 page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from jixiao.excel.office import convert
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook

from conftest import requires_poppler, requires_soffice

pytestmark = [requires_soffice, pytest.mark.libreoffice]


def _formula_cells(path: Path) -> dict[tuple[str, str], object]:
    """Every formula cell with the result jixiao cached (Python's computation)."""
    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    out[(ws.title, cell.coordinate)] = cached[ws.title][cell.coordinate].value
    return out


def test_formulas_recalculate_to_python_values(tmp_path, example_files):
    books = dict(example_files)
    books["synthetic"] = write_workbook(tmp_path / "synthetic.xlsx", generate_unit(3, classified=True))
    books["template"] = Path(__file__).parent.parent / "workbook_templates" / "jixiao-unit-hunan.xlsx"
    for name, path in books.items():
        expected = _formula_cells(path)
        assert expected, name
        recalculated = openpyxl.load_workbook(convert(path, "xlsx", tmp_path / f"lo-{name}"), data_only=True)
        for (sheet, cell), value in expected.items():
            got = recalculated[sheet][cell].value
            assert (got or "") == (value or ""), f"{name} {sheet}!{cell}: LibreOffice {got!r}, Python {value!r}"


@requires_poppler
def test_project_sheet_prints_on_one_a4_page(tmp_path, example_files):
    pdf = convert(example_files["luanping_xinfang_2026"], "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    texts = [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                            capture_output=True, text=True).stdout for i in range(1, pages + 1)]
    title_pages = [i for i, t in enumerate(texts) if "信访工作保障经费绩效目标表" in t]
    assert len(title_pages) == 1
    page = texts[title_pages[0]]
    # the whole form is on that page: header, plan, first and last indicator row
    for needle in ("13082426P000327100327", "75.00%", "维稳任务数量", "收益群众满意度"):
        assert needle in page, needle
    # and the next page is the next project's form, not a spill-over of this one
    assert "信访维稳经费绩效目标表" in texts[title_pages[0] + 1]
