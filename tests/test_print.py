"""On paper (issue 17): every workbook jixiao writes prints as a clerk would submit it.

Structural checks only (page counts, page setup read back, text per page); no pixels.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from jixiao.layouts import PROJECT_MASTER_SHEET
from jixiao.template import write_workbook

from conftest import requires_poppler, requires_soffice

ROOT = Path(__file__).parent.parent


def pdf_pages(path: Path, outdir: Path) -> list[str]:
    """The text of each page of ``path`` printed by LibreOffice."""
    from jixiao.office import convert

    pdf = convert(path, "pdf", outdir)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for i in range(1, pages + 1)]


# ---- 1. hidden sheets never print -------------------------------------------------------------

def test_hidden_sheets_have_no_print_area(tmp_path, example_files):
    for path in (ROOT / "workbook_templates" / "jixiao-unit-hebei.xlsx", example_files["luanping_xinfang_2026"]):
        wb = openpyxl.load_workbook(path)
        hidden = [ws for ws in wb.worksheets if ws.sheet_state != "visible"]
        assert PROJECT_MASTER_SHEET in [ws.title for ws in hidden]
        for ws in hidden:
            assert not ws.print_area, f"{path.name} {ws.title} would print: {ws.print_area}"
        # every visible sheet keeps its print area
        assert all(ws.print_area for ws in wb.worksheets if ws.sheet_state == "visible")


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["template", "filled"])
def test_no_page_holds_only_the_hidden_master(tmp_path, example_books, which):
    book = None if which == "template" else example_books["luanping_xinfang_2026"]
    path = write_workbook(tmp_path / f"{which}.xlsx", book)
    visible = [ws.title for ws in openpyxl.load_workbook(path).worksheets
               if ws.title.startswith("项目") and ws.sheet_state == "visible"]
    pages = pdf_pages(path, tmp_path / "pdf")
    # each project form fits one page and carries its header label once
    forms = [i for i, text in enumerate(pages) if "项目编码" in text]
    assert len(forms) == len(visible), (which, len(forms), visible)
    if book is not None:  # and each printed form is a filled project, none the blank master
        for i in forms:
            assert any(p.code in pages[i] for p in book.projects), pages[i][:300]
