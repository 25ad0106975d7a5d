"""Apply a :class:`~jixiao.forms.layouts.PrintSetup` to a sheet: one helper per writer library.

xlsxwriter writes the unit workbooks, the 自评表 and the county summary's skeleton;
openpyxl writes the sheets added to a clerk's copy (校验结果, 支出计划汇总).
"""

from __future__ import annotations

from typing import Any

from .layouts import PrintSetup


def apply_xlsxwriter(ws: Any, setup: PrintSetup, name: str | None = None) -> None:
    """Page setup of an xlsxwriter worksheet (the print area is the writer's: it knows the extent)."""
    ws.set_paper(setup.paper)
    ws.set_landscape() if setup.landscape else ws.set_portrait()
    ws.fit_to_pages(setup.pages_wide, 0)
    if setup.pages_wide > 1:  # the halves of the same rows one after the other, to be laid side by side
        ws.print_across()
    if setup.repeat_cols:
        ws.repeat_columns(setup.repeat_cols[0] - 1, setup.repeat_cols[1] - 1)
    if setup.center:
        ws.center_horizontally()
    left, right, top, bottom = setup.margins
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    if setup.repeat_rows:
        ws.repeat_rows(setup.repeat_rows[0] - 1, setup.repeat_rows[1] - 1)
    ws.set_footer(setup.footer(name), {"margin": setup.footer_margin})
    if setup.breaks:
        ws.set_h_pagebreaks([row - 1 for row in setup.breaks])


def apply_openpyxl(ws: Any, setup: PrintSetup, name: str | None = None) -> None:
    """The same page setup on an openpyxl worksheet."""
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = setup.paper
    ws.page_setup.orientation = "landscape" if setup.landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = setup.pages_wide, 0
    if setup.pages_wide > 1:
        ws.page_setup.pageOrder = "overThenDown"
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = setup.center
    left, right, top, bottom = setup.margins
    ws.page_margins = PageMargins(left=left, right=right, top=top, bottom=bottom,
                                  footer=setup.footer_margin, header=setup.footer_margin)
    if setup.repeat_rows:
        ws.print_title_rows = f"{setup.repeat_rows[0]}:{setup.repeat_rows[1]}"
    if setup.repeat_cols:
        from openpyxl.utils import get_column_letter

        ws.print_title_cols = f"{get_column_letter(setup.repeat_cols[0])}:{get_column_letter(setup.repeat_cols[1])}"
    footer = ws.oddFooter
    footer.left.text = (name or "").replace("&", "&&")[:60] or None
    footer.center.text = setup.page_text
    if setup.breaks:
        from openpyxl.worksheet.pagebreak import Break

        for row in setup.breaks:
            ws.row_breaks.append(Break(id=row - 1))
