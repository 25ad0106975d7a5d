"""Build the jixiao ribbon add-in (``addin/jixiao.xlam``): a 绩效 tab whose buttons call the same Subs.

xlsxwriter writes a macro workbook with the VBA project (JixiaoRibbon callbacks
and JixiaoButtons); this module turns it into an add-in — the add-in content
type — and adds the ribbon's customUI part, whose XML is text in the repository
(``addin/ribbon/customUI14.xml``). Deterministic, like the templates.
"""

from __future__ import annotations

import io
import zipfile
from importlib import resources
from pathlib import Path

import xlsxwriter

from ..fsutil import atomic_path
from ..forms.template import vba_project_for

UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
ADDIN_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def custom_ui() -> bytes:
    return resources.files("jixiao.addin").joinpath("ribbon/customUI14.xml").read_bytes()


def build_ribbon_addin(path: str | Path) -> Path:
    """Write the .xlam with the 绩效 ribbon tab."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"title": "jixiao 绩效", "created": __import__("datetime").datetime(2026, 1, 1)})
    ws = wb.add_worksheet("jixiao")
    ws.write_string(0, 0, "jixiao 绩效加载项：请在“绩效”选项卡中使用。")
    wb.set_vba_name("ThisWorkbook")
    ws.set_vba_name("Sheet1")
    wb.add_vba_project(io.BytesIO(vba_project_for(1, ("JixiaoButtons", "JixiaoRibbon"))), is_stream=True)
    wb.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, atomic_path(path) as tmp, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(MACRO_TYPE.encode(), ADDIN_TYPE.encode())
            elif info.filename == "_rels/.rels":
                rel = (f'<Relationship Id="rIdJixiaoUI" Type="{UI_REL}" '
                       f'Target="customUI/customUI14.xml"/></Relationships>').encode()
                data = data.replace(b"</Relationships>", rel)
            out.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        out.writestr(zipfile.ZipInfo("customUI/customUI14.xml", (1980, 1, 1, 0, 0, 0)), custom_ui(),
                     zipfile.ZIP_DEFLATED)
    return Path(path)
