"""`jixiao import` on the published variants of docs/forms/variants-found.md, as real .docx files
(tests/variant_docs.py) imported through the CLI and read back from the workbook written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import variant_docs as V
from conftest import requires_soffice
from jixiao.cli import main
from jixiao.converters import import_any
from jixiao.forms.reader import read_workbook
from jixiao.selfeval.reading import read_selfeval


def _import(path: Path, out: Path):
    result = CliRunner().invoke(main, ["import", str(path), "-o", str(out)])
    assert "意外错误" not in result.output, result.output
    return result


def _money(p):
    return p.budget, p.fiscal, p.other


def test_a_list_of_projects_with_money_columns_is_one_project_a_row(tmp_path):
    doc = V.list_style(tmp_path / "清单.docx")
    out = tmp_path / "清单.xlsx"
    result = _import(doc, out)
    assert result.exit_code == 0, result.output
    book = read_workbook(out)
    assert [p.name for p in book.projects] == ["高素质农民培训", "耕地地力保护补贴发放"]
    assert _money(book.projects[0]) == (Decimal("120"), Decimal("100"), Decimal("20"))
    assert _money(book.projects[1]) == (Decimal("85.5"), Decimal("85.5"), Decimal("0"))
    assert book.projects[1].goals == "按时足额发放补贴"
    assert [len(p.indicators) for p in book.projects] == [4, 4]
    # the list names no 单位名称 of its own: said, not "已导入： ，2 个项目"
    assert result.output.startswith("已导入：（文档中未找到单位名称，请在“单位信息”中填写），2 个项目"), result.output


@pytest.mark.parametrize("total, wrong", [(["205.50", "185.5", "20"], None),
                                          (["200.00", "185.5", "20"], "合计资金总额 200.00 万元与各项目之和 205.50 万元不符")])
def test_a_list_with_indicators_checks_its_total(total, wrong, tmp_path):
    """The 合计 under a list whose projects carry indicator rows was read as the indicators' 分值 / 得分
    total and its money never compared; now it is, column by column, as for a list without indicators."""
    result = _import(V.list_style(tmp_path / "清单.docx", totals=total), tmp_path / "清单.xlsx")
    book = read_workbook(tmp_path / "清单.xlsx")
    assert [p.name for p in book.projects] == ["高素质农民培训", "耕地地力保护补贴发放"]
    assert [len(p.indicators) for p in book.projects] == [4, 4]
    notes = [line for line in result.output.splitlines() if "合计" in line]
    assert notes == ([] if wrong is None else [next(n for n in notes if wrong in n)]), result.output
    assert result.exit_code == (0 if wrong is None else 1), result.output


def test_a_summary_list_without_indicators_gives_its_projects_and_not_its_total(tmp_path):
    doc = V.list_without_indicators(tmp_path / "汇总表.docx")
    got = import_any(doc)
    assert [(p.name, *_money(p)) for p in got.book.projects] == [
        ("高素质农民培训", Decimal("120.00"), Decimal("100.00"), Decimal("20.00")),
        ("耕地地力保护补贴发放", Decimal("85.5"), Decimal("85.5"), Decimal("0"))]
    assert not got.unplaced, got.unplaced  # 序号 and the 合计 row are placed, not listed
    out = tmp_path / "汇总表.xlsx"
    assert _import(doc, out).exit_code == 0
    assert len(read_workbook(out).projects) == 2


@pytest.mark.parametrize("shape", sorted(V.STACKS))
def test_stacked_money_rows_give_total_fiscal_and_other(shape, tmp_path):
    doc = V.stacked_money(tmp_path / f"{shape}.docx", shape)
    out = tmp_path / f"{shape}.xlsx"
    result = _import(doc, out)
    assert result.exit_code == 0, result.output
    (p,) = read_workbook(out).projects
    assert _money(p) == (Decimal("120"), Decimal("100"), Decimal("20"))
    assert p.goals == "完成高素质农民培训500人次" and len(p.indicators) == 4


def test_notes_under_the_table_and_the_bracketed_year_are_not_data(tmp_path):
    doc = V.notes_and_year(tmp_path / "注.docx")
    got = import_any(doc)
    (p,) = got.book.projects
    assert [i.level3 for i in p.indicators] == ["培训农户人次", "培训合格率", "带动农户增收", "参训农户满意度"]
    assert got.book.unit.year == 2025
    assert not got.unplaced, got.unplaced
    assert _import(doc, tmp_path / "注.xlsx").exit_code == 0


def test_a_year_on_its_own_line_under_the_title_is_the_year(tmp_path):
    doc = V.selfeval_national(tmp_path / "自评.docx")  # “项目支出绩效自评表” then “（2024年度）”
    got = import_any(doc)
    assert got.book.unit.year == 2024
    assert not got.unplaced, got.unplaced


def test_overall_form_tasks_are_imported_as_the_departments_tasks(tmp_path):
    doc = V.overall_with_tasks(tmp_path / "整体.docx")
    out = tmp_path / "整体.xlsx"
    result = _import(doc, out)
    assert result.exit_code == 0, result.output
    assert "未导入" not in result.output
    book = read_workbook(out)
    assert [(t.name, t.detail, t.budget, t.fiscal, t.other) for t in book.overall.tasks] == [
        (name, detail, Decimal(b), Decimal(f), Decimal(o)) for name, detail, b, f, o in V.TASKS]
    assert book.overall.annual_goal == "提高农业技术推广覆盖面，保护耕地质量"
    assert len(book.overall.indicators) == 4


def test_a_tasks_total_that_is_not_their_sum_is_listed(tmp_path):
    doc = V.overall_with_tasks(tmp_path / "整体.docx", total="240.00")
    result = _import(doc, tmp_path / "整体.xlsx")
    assert result.exit_code == 1
    assert "年度主要任务的合计 240.00 万元与各任务预算之和 230.00 万元不符" in result.output


@pytest.mark.parametrize("title", ["项目支出绩效自评表", "项目绩效目标自评表", None])
def test_a_project_selfeval_form_is_imported_as_a_selfeval(title, tmp_path):
    doc = V.selfeval_national(tmp_path / "自评.docx", title=title)
    out = tmp_path / "自评.xlsx"
    result = _import(doc, out)
    assert result.exit_code == 0, result.output
    assert "已导入自评表" in result.output
    assert "文档中没有部门整体支出绩效自评表：工作簿中的这张表留空，由单位填写" in result.output
    (p,) = read_selfeval(out).projects
    assert p.name == "高素质农民培训"
    assert [(i.level3, i.actual, i.score) for i in p.indicators][0] == ("培训农户人次", "480人次", Decimal("48"))
    # the 预算执行 block under a merged 项目资金（万元） column (blank on every row): its amounts were lost
    assert (p.initial_total, p.full_total, p.executed_total, p.execution_weight) == tuple(
        Decimal(x) for x in ("120", "120", "108", "10"))
    assert (p.initial_fiscal, p.executed_fiscal, p.initial_other, p.executed_other) == tuple(
        Decimal(x) for x in ("100", "90", "20", "18"))
    assert (p.goal, p.goal_actual, p.implementer) == ("完成高素质农民培训500人次", "完成培训480人次", "某县农业技术推广中心")


def test_a_department_selfeval_docx_is_not_read_as_jixiaos_overall_form(tmp_path):
    """Its first cell is 部门(单位)名称, as on jixiao's own 整体支出绩效目标表, and the .docx reader placed it
    by position: a target workbook with indicators named 上年结转资金 and 预期目标, and nothing listed."""
    doc = V.selfeval_department(tmp_path / "整体自评.docx")
    out = tmp_path / "整体自评.xlsx"
    result = _import(doc, out)
    assert result.exit_code == 0 and "已导入自评表" in result.output, result.output
    d = read_selfeval(out).department
    assert (d.initial_total, d.full_total, d.executed_total, d.execution_weight) == tuple(
        Decimal(x) for x in ("500", "520", "510", "10"))
    assert (d.initial_carry, d.executed_carry, d.initial_other) == tuple(Decimal(x) for x in ("50", "45", "50"))
    assert (d.goal, d.goal_actual) == ("完成全年农业农村工作", "基本完成")
    assert [(i.level3, i.target, i.actual, i.score) for i in d.indicators][0] == (
        "培训农户人次", "≥500人次", "480人次", Decimal("48"))


@requires_soffice
def test_a_department_selfeval_printed_to_pdf_keeps_its_amounts(tmp_path):
    """The same 部门整体支出绩效自评表 through Word → PDF: pdfplumber's table rows, the merged 预算资金 column blank
    on each row, read as the .docx is."""
    from jixiao.excel.office import convert

    pdf = convert(V.selfeval_department(tmp_path / "整体自评.docx", ruled=True), "pdf", tmp_path)
    got = import_any(pdf)
    assert got.unplaced == [], got.unplaced
    d = got.selfeval.department
    assert (d.initial_total, d.full_total, d.executed_total, d.initial_carry, d.executed_carry) == tuple(
        Decimal(x) for x in ("500", "520", "510", "50", "45"))
    assert [i.score for i in d.indicators] == [Decimal("48"), Decimal("30"), Decimal("10")]


def test_a_table_that_only_starts_like_hebeis_form_is_read_by_its_labels(tmp_path):
    """项目编码 in its first cell, but not Hebei's layout: read by position it gave project “13082426P…”
    (the code as its name), no money, 绩效目标 “数量指标” and one indicator of four, and listed nothing."""
    out = tmp_path / "县表.xlsx"
    result = _import(V.code_first_other_layout(tmp_path / "县表.docx"), out)
    assert result.exit_code == 0, result.output
    (p,) = read_workbook(out).projects
    assert (p.code, p.name, p.budget, p.fiscal, p.other, p.goals) == (
        "13082426P000327100327", "高素质农民培训", Decimal("120"), Decimal("100"), Decimal("20"), "完成高素质农民培训500人次")
    assert [i.level3 for i in p.indicators] == [row[2] for row in V.INDICATORS]


def test_a_column_the_model_has_no_place_for_is_named_with_its_rows(tmp_path):
    doc = V.unplaceable_column(tmp_path / "科室.docx")
    result = _import(doc, tmp_path / "科室.xlsx")
    assert result.exit_code == 1, result.output
    assert "“责任科室”一栏" in result.output
    # each row named as the clerk finds it in Word: the table, and its row counted from the top
    rows = [[c.text for c in row.cells] for row in __import__("docx").Document(str(doc)).tables[0].rows]
    named = [(r, row[-1]) for r, row in enumerate(rows, 1) if row[-1] in ("科教股", "计财股", "办公室")]
    assert [office for _, office in named] == ["科教股", "科教股", "计财股", "办公室"]
    for r, office in named:
        assert f"表 1 第 {r} 行“{office}”" in result.output, result.output
    (p,) = read_workbook(tmp_path / "科室.xlsx").projects
    assert [i.level3 for i in p.indicators] == ["培训农户人次", "培训合格率", "带动农户增收", "参训农户满意度"]


WILD = Path(__file__).parent / "data" / "wild"


@pytest.mark.parametrize("stem, line", [
    ("cq_fengjie_yw_2023_targets", "2023年度"),  # “( 2023年度)” under the 奉节 title
    ("gd_dongguan_jtj_2019_targets", "2019 年度"),
    ("ah_jinzhai_cgmlxc_2023_overall_selfeval", "2023年度"),
    ("hn_hengshan_gtx_2023_overall_selfeval", "说明:项目支出需要填报"),  # the 衡山 table's 说明 line
])
def test_published_year_and_note_lines_are_not_listed_as_unrecognised(stem, line):
    from jixiao.converters.build import import_wild

    book, unplaced, _ = import_wild((WILD / f"{stem}.txt").read_text(encoding="utf-8"))
    lines = [u for u in unplaced if line in u and u.kind == "line"]  # (a field's text may hold the year)
    assert not lines, lines


def test_a_list_in_yuan_converts_exactly_and_names_its_extra_column(tmp_path):
    doc = V.list_in_yuan_with_office(tmp_path / "元.docx")
    got = import_any(doc)
    assert [_money(p) for p in got.book.projects] == [
        (Decimal("120"), Decimal("100"), Decimal("20")), (Decimal("85.5"), Decimal("85.5"), Decimal("0"))]
    assert [u for u in got.unplaced] == [  # the form has no 备注 to copy it to; said where the clerk finds it
        "表 1 第 2 行起“主管科室”一栏（表 1 第 2 行“科教股”、表 1 第 3 行“计财股”）：工作簿没有这一栏，未导入，请核对原文"]
    table = __import__("docx").Document(str(doc)).tables[0]
    assert [c.text for c in table.rows[1].cells].count("科教股") == 1 and "计财股" in [c.text for c in table.rows[2].cells]


def test_a_list_total_that_is_not_the_sum_of_its_projects_is_listed(tmp_path):
    result = _import(V.list_in_yuan_with_office(tmp_path / "元.docx", total="2,000,000.00"), tmp_path / "元.xlsx")
    assert result.exit_code == 1
    assert "项目清单的合计资金总额 200.00 万元与各项目之和 205.50 万元不符" in result.output
    assert len(read_workbook(tmp_path / "元.xlsx").projects) == 2


def test_more_tasks_than_the_form_has_rows_imports_the_first_and_lists_the_rest(tmp_path, monkeypatch):
    tasks = [(f"任务{k}", f"内容{k}", "10.00", "10.00", "0.00") for k in range(12)]
    monkeypatch.setattr(V, "TASKS", tasks)
    doc = V.overall_with_tasks(tmp_path / "整体.docx", total="120.00")
    out = tmp_path / "整体.xlsx"
    result = _import(doc, out)
    assert result.exit_code == 1, result.output  # was 2: the writer refused the whole workbook
    assert "年度主要任务共 12 项" in result.output and "任务10、任务11" in result.output
    assert [t.name for t in read_workbook(out).overall.tasks] == [f"任务{k}" for k in range(10)]


def test_a_task_table_in_an_overall_selfeval_is_listed_not_taken_for_targets(tmp_path):
    doc = V.overall_with_tasks(tmp_path / "整体自评.docx")
    d = __import__("docx").Document(str(doc))
    d.paragraphs[0].runs[0].text = "部门整体支出绩效自评表（2024年度）"
    d.save(str(doc))
    got = import_any(doc)
    assert got.selfeval is not None
    assert not (got.book.overall and got.book.overall.tasks)
    assert "表 1 第 5 行起 2 项年度主要任务：自评表没有这一栏，未导入，请核对原文" in got.unplaced


def test_what_the_chosen_form_has_no_place_for_is_listed_and_a_coded_table_goes_to_the_reader_that_places_it(tmp_path):
    """A 申报表 with a 中期 part and a 项目编码 (a table the county 绩效文本 reader claims, and could not read:
    实施单位, 中期资金总额 … were listed unread) lands on the national 申报表, which has no 项目编码 and no
    指标值确定依据 column: both are listed with their lines and text, not dropped without a word."""
    doc = tmp_path / "申报表.txt"
    doc.write_text("\n".join([
        "项目支出绩效目标申报表(2025年度)",
        "| 项目名称 | 高素质农民培训 |",
        "| 项目编码 | 13082425P000327100327 |",
        "| 实施单位 | 某县农业技术推广中心 |",
        "| 中期资金总额 | 300 |",
        "| 年度资金总额 | 120 |",
        "| 实施期目标 | 三年培训农民1500人次 |",
        "| 年度目标 | 完成高素质农民培训500人次 |",
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 | 指标值确定依据 |",
        "| 产出指标 | 数量指标 | 培训农户人次 | ≥500人次 | 计划标准 |",
        "| 满意度指标 | 服务对象满意度指标 | 参训农户满意度 | ≥90% | 行业标准 |"]), encoding="utf-8")
    out = tmp_path / "申报表.xlsx"
    result = _import(doc, out)
    assert result.exit_code == 1 and "0 行未能识别，2 处识别出的内容无处安放" in result.output, result.output
    assert "第 3 行起“项目编码”一栏（第 3 行“13082425P000327100327”）" in result.output
    assert "“指标值确定依据”一栏（第 10 行“计划标准”、第 11 行“行业标准”）" in result.output
    (p,) = read_workbook(out).projects
    assert (p.mid_budget, p.budget, p.mid_goals) == (Decimal("300"), Decimal("120"), "三年培训农民1500人次")
    assert [i.value_text for i in p.indicators] == ["≥500人次", "≥90%"]


def test_a_blank_form_is_refused_not_imported_as_a_project_named_by_its_checkbox(tmp_path):
    """佳县's blank 财政支出项目绩效目标申报表 (a sharing site's preview of the empty form): each label's
    "value" was the next label or a checkbox, and it imported as unit “新增项目” with project “□”."""
    blank = tmp_path / "空白表样.txt"
    blank.write_text("\n".join([
        "佳县财政支出项目绩效目标申报表 ( 年度) 填报单位(盖章) 项目名称 项目属性 新增项目 □ 延续项目 □ 主管部门 主管部门 编码 "
        "项目实施单位 项目负责人 联系电话 项目起止时间 项目资金申请(万元) 资金总额: 财政拨款: 自有资金: 事业收入: 经营性收入: 其他: 其他: 单位职能概述",
        "年度绩效指标 一级指标 二级指标 指标内容 指标值 备注 产出指标 数量指标 质量指标 时效指标 成本指标 … 效益指标 经济效益指标 "
        "社会效益指标 环境效益指标 可持续影响指标 … 服务对象满意度指标 具体指标 …… 其他说明的问题 填报人: 单位负责人: 填报日期:"]),
        encoding="utf-8")
    out = tmp_path / "空白.xlsx"
    result = _import(blank, out)
    assert result.exit_code == 2 and "这是空白的表样" in result.output and "JX-D03" in result.output, result.output
    assert not out.exists()


def test_a_points_cell_over_100_is_listed_not_imported_as_a_weight(tmp_path):
    """分值 / 得分 are at most 100: a run-together page (宁夏 原州's 自评表: “2010010020”, 20 | 100 | 100 | 20)
    or a typing slip gave weights in the thousands millions, and W01 a total of 2111011059.34."""
    from jixiao.converters.build import import_wild

    text = "\n".join([
        "项目支出绩效目标表(2025年度)",
        "| 项目名称 | 高素质农民培训 |",
        "| 资金总额 | 120 |",
        "| 年度目标 | 完成高素质农民培训500人次 |",
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 | 分值 |",
        "| 产出指标 | 数量指标 | 培训农户人次 | ≥500人次 | 2010010020 |",
        "| 满意度指标 | 服务对象满意度指标 | 参训农户满意度 | ≥90% | 10 |"])
    book, unplaced, _ = import_wild(text)
    assert [i.weight for i in book.projects[0].indicators] == [None, Decimal("10")]
    assert [u for u in unplaced if "分值" in u and "2010010020" in u] == [
        "第 6 行“培训农户人次”的分值“2010010020”超过 100，像是几栏数字连在一起，未导入，请核对原文"]


@pytest.mark.parametrize("line, want", [
    ("填表人: 宋云花 联系电话:16607326331 填报日期:", {"filler": "宋云花", "phone": "16607326331"}),  # 湘潭
    ("填报人及联系电话: 张三 0838-7211924 填报日期: 2025年1月5日",
     {"filler": "张三", "phone": "0838-7211924", "fill_date": "2025年1月5日"}),
    ("填报人及联系电话:李四13900001111", {"filler": "李四", "phone": "13900001111"}),
    ("项目负责人 王五 联系电话 13900002222", {}),  # the 项目负责人's phone, not the filler's: no 填表人 on the line
])
def test_the_footer_line_fills_the_unit_information(line, want):
    from jixiao.converters import footer
    from jixiao.converters import labels as L
    from jixiao.converters.shapes import cells_of

    assert {k: v for k, (v, _) in footer.read(cells_of(line, L.split_run_together)).items()} == want


def _sheet_of(path: Path, rows: list[list], merges=(), formats=None, hidden_rows=None) -> Path:
    """A workbook as a county's own Excel form or an 一体化 export: values as typed, cells merged."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    for r in rows:
        ws.append(r)
    for ref in merges:
        ws.merge_cells(ref)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    if hidden_rows:
        hidden = wb.create_sheet("草稿")
        for r in hidden_rows:
            hidden.append(r)
        hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def test_a_workbook_that_is_not_jixiaos_imports_by_structure(tmp_path):
    """An Excel 自评表 (a county's own, or an 一体化 export) was refused as “Excel 工作簿，不需要导入”, and
    validate then said it was no jixiao workbook: a dead end. Its sheets are read as tables now."""
    rows = [["项目支出绩效自评表"], ["（2024年度）"], ["项目名称", "高素质农民培训"],
            ["主管部门", V.UNIT, "实施单位", "某县农业技术推广中心"],
            ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            [None, "年度资金总额：", 120, 120.0, 108, 10, 0.9, 9],
            [None, "其中：本年财政拨款", 100, 100, 90], [None, "其他资金", 20, 20, 18],
            ["年度总体目标", "预期目标", "实际完成情况"], [None, "完成高素质农民培训500人次", "完成培训480人次"],
            *V.SCORED, ["总分", None, None, None, None, 100, 97]]
    path = _sheet_of(tmp_path / "县自评表.xlsx", rows, merges=["A5:A8", "A9:A10"], formats={"G6": "0%"},
                     hidden_rows=[["项目名称", "草稿里的项目"]])
    import openpyxl

    wb = openpyxl.load_workbook(path)  # a working column and a draft row the county hid
    ws = wb["自评表"]
    ws.insert_cols(9)
    ws["I3"], ws["I6"] = "内部编号", "X-001"
    ws.column_dimensions["I"].hidden = True
    ws.insert_rows(4)
    ws["A4"], ws["B4"] = "项目名称", "隐藏行里的旧名称"
    ws.row_dimensions[4].hidden = True
    wb.save(path)
    out = tmp_path / "自评.xlsx"
    result = _import(path, out)
    assert result.exit_code == 0 and "已导入自评表" in result.output, result.output
    (p,) = read_selfeval(out).projects
    assert (p.name, p.full_total, p.executed_total, p.execution_weight) == (
        "高素质农民培训", Decimal("120"), Decimal("108"), Decimal("10"))
    assert [(i.level3, i.target, i.score) for i in p.indicators][0] == ("培训农户人次", "≥500人次", Decimal("48"))
    assert "草稿里的项目" not in result.output and "内部编号" not in result.output  # hidden: not what the clerk sees
    told = CliRunner().invoke(main, ["validate", str(path)])  # the way out is named where the clerk first looks
    assert told.exit_code == 1 and "JX-L01" in told.output and "可用 jixiao import 转成" in told.output, told.output


def test_jixiaos_own_workbooks_are_not_imported_and_a_renamed_file_is_named(tmp_path, example_files):
    from jixiao.converters.xlsx_text import cell_text

    unit = example_files["luanping_xinfang_2026"]
    result = _import(unit, tmp_path / "o.xlsx")
    assert result.exit_code == 2 and "这是 jixiao 的工作簿，不需要导入" in result.output, result.output
    fake = tmp_path / "改了扩展名.xlsx"
    fake.write_text("项目名称 某项目", encoding="utf-8")
    result = _import(fake, tmp_path / "o.xlsx")
    assert result.exit_code == 2 and "不是 Excel 工作簿" in result.output, result.output
    for name, says in (("旧版.xls", "旧版 Excel 工作簿（.xls）"), ("表格.et", "WPS 表格文件（.et）")):
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
        result = _import(tmp_path / name, tmp_path / "o.xlsx")
        assert result.exit_code == 2 and says in result.output and "另存为" in result.output, result.output
    assert [cell_text(0.95, "0%"), cell_text(3309840.0), cell_text(0.1 + 0.2), cell_text("a|b\n c")] == [
        "95%", "3309840", "0.3", "a｜b<br>c"]


def test_an_export_in_excel_imports_as_its_published_text_does(tmp_path):
    """井研's 部门预算项目绩效目标申报表 as the 一体化 system exports it (amounts as numbers, in 元), against the
    same table as the web page printed it: the same projects, money and indicators."""
    import re

    rows = []
    for line in (WILD / "sc_jingyan_mtz_2023_targets.txt").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else [line.strip()]
        rows.append([float(c.replace(",", "")) if re.fullmatch(r"[\d,]+\.\d+", c) else (c or None) for c in cells])
    exported = _sheet_of(tmp_path / "一体化导出.xlsx", [r for r in rows if any(r)])
    renamed = exported.rename(tmp_path / "一体化导出.dat")  # a download without its extension: --format xlsx
    text, excel = import_any(WILD / "sc_jingyan_mtz_2023_targets.txt").book, import_any(renamed, "xlsx").book
    assert excel.profile == text.profile == "sichuan"
    assert [(p.name, p.budget, [(i.level3, i.value_type, i.value_text, i.measure_unit, i.weight) for i in p.indicators])
            for p in excel.projects] == [
        (p.name, p.budget, [(i.level3, i.value_type, i.value_text, i.measure_unit, i.weight) for i in p.indicators])
        for p in text.projects]


def test_a_sheet_copied_and_left_in_is_imported_once(tmp_path):
    """A clerk copies a project's sheet to start the next one and forgets it: the 自评表 came out with the
    project twice and nothing said. The copy is imported once and listed under 请核对."""
    import openpyxl

    rows = [["项目支出绩效自评表"], ["项目名称", "高素质农民培训"],
            *V._execution("项目资金（万元）", ["年度资金总额：", 120, 120, 108, 10, "90%", 9]), *V.SCORED]
    path = _sheet_of(tmp_path / "自评.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb.worksheets[0])  # “自评表 Copy”
    wb.save(path)
    result = _import(path, tmp_path / "out.xlsx")
    assert result.exit_code == 0 and "请核对" in result.output and "完全相同" in result.output, result.output
    assert [p.name for p in read_selfeval(tmp_path / "out.xlsx").projects] == ["高素质农民培训"]


@requires_soffice
def test_old_word_and_excel_files_import_through_libreoffice(tmp_path, example_books):
    """Older years' documents are .doc and .xls (and WPS's .wps and .et): each had to be re-saved by hand.
    A real .doc and .xls, made by LibreOffice from a .docx and an .xlsx, import as those do, and say how.
    (The .doc is made from jixiao's export: LibreOffice writes python-docx's bare tables to .doc as text.)"""
    from jixiao.converters import export_docx
    from jixiao.excel.office import convert

    document = export_docx(example_books["luanping_xinfang_2026"], tmp_path / "文本.docx")
    sheet = _sheet_of(tmp_path / "自评.xlsx", [["项目支出绩效自评表"], ["项目名称", "高素质农民培训"],
                                              *V._execution("项目资金（万元）", ["年度资金总额：", 120, 120, 108, 10, "90%", 9]),
                                              *V.SCORED])

    def projects(got):
        if got.selfeval is not None:
            return [(p.name, p.initial_total, [(r.level3, r.target, r.actual, r.weight, r.score) for r in p.indicators])
                    for p in got.selfeval.projects]
        # as printed: the .doc keeps no metadata to put back a seed's wrapped name (完成维稳任\n务)
        return [(p.code, p.name, p.budget, [(i.level3.replace("\n", ""), i.value_text.replace("\n", ""))
                                            for i in p.indicators]) for p in got.book.projects]

    for new, to in ((document, "doc"), (sheet, "xls")):
        old = convert(new, to, tmp_path / "old")
        before = old.read_bytes()
        assert before[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real 97-2003 file, not a renamed one
        got, reference = import_any(old), import_any(new)
        assert projects(got) == projects(reference) and projects(got)[0][-1], projects(got)
        assert f"已用 LibreOffice 转为 .{to}x 后导入" in got.unplaced[0] and got.unplaced[0].kind == "read"
        assert old.read_bytes() == before and sorted(p.name for p in old.parent.iterdir()) == [old.name]
        old.rename(tmp_path / f"{to}.{to}")  # the next one's folder holds only itself
    wps = (tmp_path / "doc.doc").rename(tmp_path / "文字.wps")
    assert "WPS 文字文档（.wps）" in import_any(wps).unplaced[0]


def test_a_docx_under_an_old_name_is_read_as_what_it_is(tmp_path):
    """A web site's download named .doc that is a .docx inside: read directly, and said so."""
    named = V.selfeval_national(tmp_path / "自评.docx").rename(tmp_path / "下载.doc")
    got = import_any(named)
    assert "内容其实是 .docx 文件" in got.unplaced[0]
    assert len(got.selfeval.projects[0].indicators) == 3


def _selfeval_rows(got):
    return [(p.name, p.initial_total, [(r.level3, r.target, r.actual, r.weight, r.score) for r in p.indicators])
            for p in got.selfeval.projects]


def _pasted_form(tmp_path) -> Path:
    return _sheet_of(tmp_path / "自评.xlsx", [["项目名称", "高素质农民培训"],
                                             *V._execution("项目资金（万元）", ["年度资金总额：", 120, 120, 108, 10, "90%", 9]),
                                             *V.SCORED])


def test_an_excel_sheet_pasted_into_word_as_an_object_is_imported(tmp_path):
    """Word shows a pasted worksheet object as a picture; its text is nowhere in the document, and the import
    said there was no form. The embedded workbook is read where the object sits."""
    sheet = _pasted_form(tmp_path)
    doc = V.with_pasted_sheet(tmp_path / "自评表.docx", sheet.read_bytes())
    got, alone = import_any(doc), import_any(sheet)
    assert _selfeval_rows(got) == _selfeval_rows(alone) and len(_selfeval_rows(got)[0][2]) == 3
    assert got.book.unit.year == 2024  # the document's own title, above the object
    note = next(u for u in got.unplaced if "嵌入的 Excel 表格对象" in u)
    assert "已按其中的工作表导入" in note and note.kind == "read"


def test_a_pasted_object_that_cannot_be_read_is_said(tmp_path):
    doc = V.with_pasted_sheet(tmp_path / "自评表.docx", b"PK\x03\x04" + bytes(300))
    result = _import(doc, tmp_path / "out.xlsx")
    assert result.exit_code == 2 and "第 1 个嵌入的 Excel 表格对象未能读取" in result.output, result.output
    assert "另存为" in result.output and not (tmp_path / "out.xlsx").exists()


@requires_soffice
def test_an_excel_97_object_pasted_into_word_is_imported(tmp_path):
    from jixiao.excel.office import convert

    sheet = _pasted_form(tmp_path)
    old = convert(sheet, "xls", tmp_path / "old")
    doc = V.with_pasted_sheet(tmp_path / "自评表.docx", old.read_bytes(), legacy=True)
    assert _selfeval_rows(import_any(doc)) == _selfeval_rows(import_any(sheet))
