"""Word documents in the shapes of published 绩效目标表 variants (docs/forms/variants-found.md).

Each builder writes a real .docx with python-docx the way a county office lays the form out: titles
and notes as paragraphs, the form as a Word table (merged cells where the originals merge them).
The wording of labels and notes follows the retrieved texts cited in variants-found.md; the
amounts and names are made up (and add up, so a wrong reading shows).
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn

UNIT = "某县农业农村局"


def _table(d, rows: list[list[str]]):
    width = max(len(r) for r in rows)
    t = d.add_table(rows=len(rows), cols=width)
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            t.cell(i, j).text = text
        if len(row) < width:  # a short row spans the rest (a merged value cell)
            t.cell(i, len(row) - 1).merge(t.cell(i, width - 1))
    return t


INDICATORS = [
    ["产出指标", "数量指标", "培训农户人次", "≥500人次"],
    ["产出指标", "质量指标", "培训合格率", "≥95%"],
    ["效益指标", "社会效益指标", "带动农户增收", "明显"],
    ["满意度指标", "服务对象满意度指标", "参训农户满意度", "≥90%"],
]


def list_style(path: Path, totals: list[str] | None = None) -> Path:
    """1. One row per project with 资金总额 / 财政拨款 / 其他资金 columns (a department's project list),
    the indicators following on the project's rows (merged project cells are empty below); ``totals``, a
    合计 row's 资金总额 / 财政拨款 / 其他资金 under the last project."""
    d = docx.Document()
    d.add_paragraph(f"{UNIT}2025年项目支出绩效目标表")
    d.add_paragraph("单位：万元")
    head = ["项目名称", "资金总额", "财政拨款", "其他资金", "年度绩效目标", "一级指标", "二级指标", "三级指标", "指标值"]
    rows = [head]
    for name, total, fiscal, other, goal in [("高素质农民培训", "120.00", "100.00", "20.00", "完成高素质农民培训500人次"),
                                             ("耕地地力保护补贴发放", "85.5", "85.5", "0", "按时足额发放补贴")]:
        for k, ind in enumerate(INDICATORS):
            lead = [name, total, fiscal, other, goal] if k == 0 else ["", "", "", "", ""]
            rows.append(lead + ind)
    if totals is not None:
        rows.append(["合计", *totals, "", "", "", "", ""])
    _table(d, rows)
    d.save(path)
    return path


STACKS = {
    # 资金总额 on one row, its amount on the next; 其中：财政拨款 and 其他资金 as label | value rows
    "vertical": [["项目资金（万元）"], ["资金总额"], ["120.00"], ["其中：财政拨款", "100.00"], ["其他资金", "20.00"]],
    # every label and every amount on its own row (a PDF's text, one cell a line)
    "one_a_row": [["资金总额"], ["120.00"], ["其中：财政拨款"], ["100.00"], ["其他资金"], ["20.00"]],
    # the labels on one row, the amounts under them (项目资金 merged down the left)
    "labels_over_amounts": [["项目资金（万元）", "资金总额", "其中：财政拨款", "其他资金"], ["", "120.00", "100.00", "20.00"]],
}


def stacked_money(path: Path, shape: str = "vertical") -> Path:
    """2. The money block as stacked rows (STACKS): 资金总额 / 其中：财政拨款 / 其他资金 with their
    amounts on the next row rather than beside them."""
    d = docx.Document()
    d.add_paragraph("项目支出绩效目标表")
    d.add_paragraph(f"填报单位：{UNIT}")
    rows = [["项目名称", "高素质农民培训"],
            ["主管部门", UNIT],
            ["实施单位", "某县农业技术推广中心"],
            *STACKS[shape],
            ["年度绩效目标", "完成高素质农民培训500人次"],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            *INDICATORS]
    _table(d, rows)
    d.save(path)
    return path


def notes_and_year(path: Path) -> Path:
    """3. A year in brackets in the title, 注 / 说明 lines under the table."""
    d = docx.Document()
    d.add_paragraph("项目支出绩效目标表（2025年度）")
    rows = [["项目名称", "高素质农民培训"],
            ["实施单位", UNIT],
            ["资金总额", "120.00"],
            ["其中：财政拨款", "100.00"],
            ["其他资金", "20.00"],
            ["年度绩效目标", "完成高素质农民培训500人次"],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            *INDICATORS,
            ["备注：指标值应尽量量化，定性指标应说明评判标准。"]]  # a note in the table's own last row
    _table(d, rows)
    d.add_paragraph("注：1.本表金额单位为万元；2.其他资金包括：社会投入资金、银行贷款等。")
    d.add_paragraph("说明：绩效指标可根据项目实际增减，指标值应尽量量化。")
    d.save(path)
    return path


TASKS = [("农技推广服务", "开展农业技术推广和培训", "150.00", "130.00", "20.00"),
         ("耕地保护", "落实耕地保护和地力提升措施", "80.00", "80.00", "0.00")]


def overall_with_tasks(path: Path, total: str | None = None) -> Path:
    """4. 部门整体支出绩效目标表 with its 年度主要任务 table (任务名称 | 主要内容 | 预算金额 总额 | 财政拨款 | 其他资金)."""
    d = docx.Document()
    d.add_paragraph("部门整体支出绩效目标表（2025年度）")
    rows = [["部门（单位）名称", UNIT],
            ["年度主要任务"],
            ["任务名称", "主要内容", "预算金额（万元）", "", ""],
            ["", "", "总额", "财政拨款", "其他资金"],
            *[list(t) for t in TASKS],
            ["合计", "", total or "230.00", "210.00", "20.00"],
            ["年度总体目标", "提高农业技术推广覆盖面，保护耕地质量"],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            *INDICATORS]
    t = _table(d, rows)
    t.cell(2, 2).merge(t.cell(2, 4))  # 预算金额（万元） over its three columns
    t.cell(2, 0).merge(t.cell(3, 0))  # 任务名称 and 主要内容 over the two header rows
    t.cell(2, 1).merge(t.cell(3, 1))
    t.cell(2, 0).text, t.cell(2, 1).text = "任务名称", "主要内容"
    d.save(path)
    return path


#: the indicator table of the two 自评表 variants below: header and three scored rows
SCORED = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
          ["产出指标", "数量指标", "培训农户人次", "≥500人次", "480人次", "50", "48", "部分农户未到"],
          ["效益指标", "社会效益指标", "带动农户增收", "明显", "明显", "30", "30", ""],
          ["满意度指标", "服务对象满意度指标", "参训农户满意度", "≥90%", "95%", "10", "10", ""]]


def _execution(head: str, *rows: list[str]) -> list[list[str]]:
    """A 自评表's 预算执行 block: its header, and its rows under the merged ``head`` column (blank on each)."""
    return [[head, "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            *(["", *row, *[""] * (7 - len(row))] for row in rows)]


def selfeval_national(path: Path, title: str | None = "项目支出绩效自评表") -> Path:
    """5. The national 项目支出绩效自评表 (贵池 2022 layout): 项目资金 with 年初预算数 / 全年预算数 / 全年执行数 /
    分值 / 执行率 / 得分, then 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因; titled 项目绩效目标自评表
    in some counties."""
    d = docx.Document()
    if title:  # None: the title was in the page header, which the text does not carry
        d.add_paragraph(title)
    d.add_paragraph("（2024年度）")
    rows = [["项目名称", "高素质农民培训"],
            ["主管部门", UNIT, "实施单位", "某县农业技术推广中心"],
            *_execution("项目资金（万元）", ["年度资金总额：", "120", "120", "108", "10", "90%", "9"],
                        ["其中：本年财政拨款", "100", "100", "90"], ["其他资金", "20", "20", "18"]),
            ["年度总体目标", "预期目标", "实际完成情况"],
            ["", "完成高素质农民培训500人次", "完成培训480人次"],
            *SCORED,
            ["总分", "", "", "", "", "100", "97", ""]]
    _table(d, rows)
    d.save(path)
    return path


def selfeval_department(path: Path, ruled: bool = False) -> Path:
    """5b. The national 部门整体支出绩效自评表: it opens with 部门(单位)名称 as jixiao's 整体支出绩效目标表 does,
    then the 预算资金 block under a merged column, with a 上年结转资金 row. ``ruled``: with the table's
    borders, as a printed form has them (a PDF's tables are found by their ruling lines)."""
    d = docx.Document()
    d.add_paragraph("部门整体支出绩效自评表")
    d.add_paragraph("（2024年度）")
    rows = [["部门(单位)名称", UNIT],
            *_execution("预算资金（万元）", ["年度资金总额：", "500", "520", "510", "10", "98.08%", "9.81"],
                        ["其中：当年财政拨款", "400", "420", "415"], ["上年结转资金", "50", "50", "45"],
                        ["其他资金", "50", "50", "50"]),
            ["年度总体目标", "预期目标", "实际完成情况"],
            ["", "完成全年农业农村工作", "基本完成"],
            *SCORED,
            ["总分", "", "", "", "", "100", "97.81", ""]]
    table = _table(d, rows)
    if ruled:
        table.style = d.styles["Table Grid"]
    d.save(path)
    return path


def _form(path: Path, title: str, rows: list[list[str]]) -> Path:
    """A .docx of a title paragraph and one table."""
    d = docx.Document()
    d.add_paragraph(title)
    _table(d, rows)
    d.save(path)
    return path


def code_first_other_layout(path: Path) -> Path:
    """5c. A county's own 项目支出绩效目标表 that opens with 项目编码, as Hebei's does, but one field a row."""
    return _form(path, "项目支出绩效目标表（2025年度）", [
        ["项目编码", "13082426P000327100327"], ["项目名称", "高素质农民培训"],
        ["预算数", "120", "其中：财政资金", "100", "其他资金", "20"], ["绩效目标", "完成高素质农民培训500人次"],
        ["一级指标", "二级指标", "三级指标", "指标值"], *INDICATORS])


def unplaceable_column(path: Path) -> Path:
    """6. An indicator table with a column the model has no field for (责任科室)."""
    d = docx.Document()
    d.add_paragraph("项目支出绩效目标表（2025年度）")
    rows = [["项目名称", "高素质农民培训"],
            ["实施单位", UNIT],
            ["资金总额", "120.00"],
            ["年度绩效目标", "完成高素质农民培训500人次"],
            ["一级指标", "二级指标", "三级指标", "指标值", "责任科室"],
            *[ind + [office] for ind, office in zip(INDICATORS, ["科教股", "科教股", "计财股", "办公室"])]]
    _table(d, rows)
    d.save(path)
    return path


BUILDERS = {"list_style": list_style, "stacked_money": stacked_money, "notes_and_year": notes_and_year,
            "overall_with_tasks": overall_with_tasks, "selfeval_national": selfeval_national,
            "unplaceable_column": unplaceable_column}


def list_without_indicators(path: Path) -> Path:
    """1b. The list as a summary: one row per project, money and goal only (no indicator columns)."""
    d = docx.Document()
    d.add_paragraph(f"{UNIT}2025年度项目支出绩效目标汇总表")
    d.add_paragraph("单位：万元")
    _table(d, [["序号", "项目名称", "资金总额", "财政拨款", "其他资金", "年度绩效目标"],
               ["1", "高素质农民培训", "120.00", "100.00", "20.00", "完成高素质农民培训500人次"],
               ["2", "耕地地力保护补贴发放", "85.5", "85.5", "0", "按时足额发放补贴"],
               ["", "合计", "205.5", "185.5", "20", ""]])
    d.save(path)
    return path


BUILDERS["list_without_indicators"] = list_without_indicators


def list_in_yuan_with_office(path: Path, total: str = "2,055,000.00") -> Path:
    """1c. The summary list in 元 (井研's unit), with a 主管科室 column the model has no field for."""
    d = docx.Document()
    d.add_paragraph(f"{UNIT}2025年度项目支出绩效目标汇总表")
    d.add_paragraph("金额单位：元")
    _table(d, [["序号", "项目名称", "主管科室", "资金总额", "财政拨款", "其他资金", "年度绩效目标"],
               ["1", "高素质农民培训", "科教股", "1,200,000.00", "1,000,000.00", "200,000.00", "完成高素质农民培训500人次"],
               ["2", "耕地地力保护补贴发放", "计财股", "855,000.00", "855,000.00", "0.00", "按时足额发放补贴"],
               ["", "合计", "", total, "1,855,000.00", "200,000.00", ""]])
    d.save(path)
    return path


def _png() -> bytes:
    """An 8×8 white PNG: the picture Word keeps of a pasted object (LibreOffice reads no object without one)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff" * 24 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def with_pasted_sheet(path: Path, workbook: bytes, legacy: bool = False, title: str = "2024年项目支出绩效自评表") -> Path:
    """A .docx whose form is an Excel worksheet pasted as an object (选择性粘贴 → Microsoft Excel 工作表 对象),
    as Word writes it: ``w:object`` with a VML shape showing the picture and ``o:OLEObject`` naming the
    embedded part, an .xlsx package, or for ``legacy`` (Excel.Sheet.8) an OLE file."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    d = docx.Document()
    d.add_paragraph(title)
    package = d.part.package
    if legacy:
        embedded = Part(PackURI("/word/embeddings/oleObject1.bin"), "application/vnd.openxmlformats-officedocument"
                        ".oleObject", workbook, package)
        rid, prog = d.part.relate_to(embedded, RT.OLE_OBJECT), "Excel.Sheet.8"
    else:
        embedded = Part(PackURI("/word/embeddings/Microsoft_Excel_Worksheet.xlsx"),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook, package)
        rid, prog = d.part.relate_to(embedded, RT.PACKAGE), "Excel.Sheet.12"
    image = d.part.relate_to(Part(PackURI("/word/media/image1.png"), "image/png", _png(), package), RT.IMAGE)
    xml = ('<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
           'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           '<w:object w:dxaOrig="8000" w:dyaOrig="4000">'
           '<v:shape id="_x0000_i1025" type="#_x0000_t75" style="width:400pt;height:200pt" o:ole="">'
           f'<v:imagedata r:id="{image}" o:title=""/></v:shape>'
           f'<o:OLEObject Type="Embed" ProgID="{prog}" ShapeID="_x0000_i1025" DrawAspect="Content" '
           f'ObjectID="_1760000001" r:id="{rid}"/></w:object></w:r>')
    d.add_paragraph()._p.append(etree.fromstring(xml))
    d.save(path)
    return path


def with_html_chunk(path: Path, page: bytes, content_type: str = "text/html") -> Path:
    """A .docx as web systems export "Word": the form an HTML part that Word lays out in place (``w:altChunk``)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    d = docx.Document()
    d.add_paragraph("导出时间：2025年1月6日")
    chunk = Part(PackURI("/word/afchunk.htm" if content_type == "text/html" else "/word/afchunk.mht"), content_type,
                 page, d.part.package)
    rid = d.part.relate_to(chunk, RT.A_F_CHUNK)
    el = etree.SubElement(d.element.body, "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}altChunk")
    el.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", rid)
    d.element.body.insert(len(d.element.body) - 2, el)  # before the last paragraph and the section properties
    d.save(path)
    return path


def without_borders(source: Path, path: Path) -> Path:
    """``source`` with every table's ruling taken away (its borders and table styles), as a county office
    prints a table it never gave borders: a PDF of it has no lines to find the table's rows by."""
    d = docx.Document(str(source))
    for tag in ("w:tblBorders", "w:tcBorders", "w:tblStyle"):
        for element in list(d.element.body.iter(qn(tag))):
            element.getparent().remove(element)
    d.save(path)
    return path


#: a 目标表 with two lines under its indicator table that are no rows of it (a sheet's 审核 and 附件 notes)
NOTED = [["项目名称", "高素质农民培训"], ["资金总额（万元）", "120"], ["年度绩效目标", "完成培训500人次"],
         ["一级指标", "二级指标", "三级指标", "指标值"], *INDICATORS]
NOTES = ["审核意见盖章处", "附件：培训现场照片若干张另附"]


def notes_under_the_table(path: Path) -> Path:
    """NOTED as a ruled Word table with the 审核 note as its last row and the 附件 note a paragraph below."""
    d = docx.Document()
    d.add_paragraph("项目支出绩效目标表（2025年度）")
    d.add_paragraph(UNIT)
    table = _table(d, [*NOTED, [NOTES[0], "", "", ""]])
    table.style = d.styles["Table Grid"]
    d.add_paragraph(NOTES[1])
    d.save(path)
    return path
