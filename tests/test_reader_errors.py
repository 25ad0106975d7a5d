"""Files that are not ours: a clear JX code and message, never a traceback."""

from __future__ import annotations

import openpyxl
import pytest

from jixiao.errors import NotAJixiaoWorkbook, UnknownTemplateVersion, UnreadableFile
from jixiao.forms.layouts import META_SHEET
from jixiao.forms.reader import read_workbook
from jixiao.forms.template import write_workbook


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_foreign_workbook_is_jx_l01(foreign_xlsx, engine):
    with pytest.raises(NotAJixiaoWorkbook) as err:
        read_workbook(foreign_xlsx, engine)
    assert err.value.code == "JX-L01"
    assert "jixiao" in str(err.value)


def test_unknown_template_version_is_jx_l01(tmp_path, example_books):
    path = write_workbook(tmp_path / "v.xlsx", example_books["luanping_xinfang_2026"])
    wb = openpyxl.load_workbook(path)
    wb[META_SHEET]["B2"] = "99"
    wb.save(path)
    with pytest.raises(UnknownTemplateVersion) as err:
        read_workbook(path)
    assert err.value.code == "JX-L01" and "99" in str(err.value)


@pytest.mark.parametrize("content, reason", [
    (b"", "空"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    (b"code,name\n154001,x\n", "不是 Excel"),
    (b"PK\x03\x04broken", "损坏"),
])
def test_unreadable_files_say_why(tmp_path, content, reason):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as err:
        read_workbook(path)
    assert reason in str(err.value)
    assert err.value.code == "JX-D03"


def test_calamine_fills_merged_cells(tmp_path, example_books):
    """A 依据 merged down over indicator rows (as pasted from Word) applies to every row."""
    book = example_books["luanping_xinfang_2026"].model_copy(deep=True)
    for ind in book.projects[0].indicators[1:4]:
        ind.basis = None
    path = write_workbook(tmp_path / "m.xlsx", book)
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    for ref in ("F10:G10", "F11:G11", "F12:G12", "F13:G13"):
        ws.unmerge_cells(ref)
    ws.merge_cells("F10:G13")
    wb.save(path)
    back = read_workbook(path, "calamine")
    assert [i.basis for i in back.projects[0].indicators[:4]] == ["各级省市安保文\n件。"] * 4
