"""Excel entry points: the 校验 button, the 绩效 ribbon and UDFs (names are a contract).

Scripts: ``validate``, ``clear_marks``, ``refresh_totals``, ``add_project``,
``consolidate_folder``, ``export_docx``. UDFs: ``JX_PLAN_AMOUNT``,
``JX_PARSE_VALUE``, ``JX_CHECK_PROJECT``. Each is a thin wrapper over the
library through the xlwings Book/Range API, so it runs unchanged in desktop
Excel (the VBA buttons call ``RunPython``; ``book`` is then the caller), in
xlwings Server (``addin/server``) and in xlwings Lite.

The messages a clerk reads come from here, in Chinese.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import xlwings as xw

from ..forms.grid import SheetData
from ..checks.issues import FileReport
from ..forms.layouts import project_layout
from ..forms.reader import read_project
from ..totals.plan import plan_amount
from ..forms.values import parse_decimal, parse_indicator_value
from . import live

__all__ = ["validate", "clear_marks", "refresh_totals", "add_project", "consolidate_folder", "export_docx",
           "JX_PLAN_AMOUNT", "JX_PARSE_VALUE", "JX_CHECK_PROJECT"]


def _caller(book: Any) -> Any:
    return book if book is not None else xw.Book.caller()


def _alert(book: Any, message: str, title: str = "jixiao 绩效") -> None:
    try:
        book.app.alert(message, title=title)
    except Exception:  # noqa: BLE001 - an alert is a courtesy; the marks are the result
        pass


@xw.script
def validate(book: xw.Book | None = None) -> FileReport:
    """校验：检查当前单位工作簿，在问题单元格标色加批注，并生成“校验结果”表。"""
    from ..checks.validate import validate_book

    book = _caller(book)
    model = live.read_book(book)
    report = FileReport(path=book.name, unit_code=model.unit.code, unit_name=model.unit.name,
                        issues=validate_book(model, live.profile_of(model)))
    live.clear_marks(book)
    live.mark(book, report.issues)
    live.write_results(book, report)
    fitted = live.fit_rows(book, model)
    verdict = "可以提交" if report.ok else "请先改正错误（红色）再提交"
    grown = f"文字较多的 {len(fitted)} 行已按文字调整行高，打印时能显示完整。" if fitted else ""
    _alert(book, f"校验完成：{report.errors} 个错误，{report.warnings} 个提示。{verdict}。{grown}")
    return report


@xw.script
def clear_marks(book: xw.Book | None = None) -> int:
    """清除标记：去掉校验时加的颜色、批注和“校验结果”表。"""
    return live.clear_marks(_caller(book))


@xw.script
def refresh_totals(book: xw.Book | None = None) -> None:
    """支出汇总：生成或刷新“支出计划汇总”表（公式随项目表实时更新）。"""
    from ..totals.sheet import SHEET, schedule_table

    book = _caller(book)
    model = live.read_book(book)
    table = schedule_table(model, live.profile_of(model))
    names = [s.name for s in book.sheets]
    if SHEET in names:
        sheet = book.sheets[SHEET]
        sheet.clear()
    else:
        sheet = book.sheets.add(SHEET, after=book.sheets[live.project_sheets(book)[-1][1]]
                                if live.project_sheets(book) else book.sheets[len(book.sheets) - 1])
    sheet["A1"].value = table.rows
    sheet.activate()


@xw.script
def add_project(book: xw.Book | None = None) -> str:
    """新增项目：复制“项目模板”为下一个“项目N”表。"""
    return live.add_project(_caller(book))


@xw.script
def consolidate_folder(book: xw.Book | None = None, folder: str | None = None) -> Any:
    """汇总文件夹：把本工作簿所在文件夹（或指定文件夹）里的单位工作簿汇总为“全县汇总.xlsx”。"""
    from ..consolidation import consolidate

    book = _caller(book)
    try:
        source = folder or str(live.folder_of(book))
    except Exception:  # noqa: BLE001 - a book with no folder (server, Lite)
        _alert(book, "汇总文件夹需要在本机 Excel 中使用（服务器上看不到您的文件）。")
        return None
    from pathlib import Path

    from ..errors import OutputError
    from ..outputs import check_output, protected

    out = Path(source) / "全县汇总.xlsx"
    try:  # a unit that named its workbook 全县汇总.xlsx is consolidated, never overwritten
        check_output(out, inputs=[source], content="summary", replaces="summary")
    except OutputError as exc:
        _alert(book, f"{exc}（{exc.code}）")
        return None
    with protected():
        result = consolidate([source], out, progress=False)
    _alert(book, f"汇总完成：找到 {result.found} 个文件，纳入 {result.consolidated}，未纳入 {result.not_consolidated}。"
                 f"结果：{result.output}")
    return result


@xw.script
def export_docx(book: xw.Book | None = None) -> Any:
    """导出 Word：在工作簿所在文件夹生成正式版式的部门预算绩效文本（.docx）。"""
    from pathlib import Path

    from ..converters.docx import export_docx as write

    book = _caller(book)
    model = live.read_book(book)
    try:
        folder = live.folder_of(book)
    except Exception:  # noqa: BLE001 - a book with no folder (server, Lite)
        _alert(book, "导出 Word 需要在本机 Excel 中使用（服务器上无法保存到您的电脑）。")
        return None
    name = f"{model.unit.name or Path(book.name).stem}{model.unit.year or ''}年部门预算绩效文本.docx"
    out = write(model, folder / name)
    _alert(book, f"已导出：{out}")
    return out


# --- UDFs ----------------------------------------------------------------------------

@xw.func
def JX_PLAN_AMOUNT(budget: Any, percent: Any) -> float | str:
    """某时点累计支出金额 = 预算数 × 累计% ，四舍五入到 0.01 万元（100% 时等于预算数）。"""
    b, p = parse_decimal(budget), parse_decimal(percent, percent_sign=True)
    if b is None or p is None:
        return "#数值?"
    return float(plan_amount(b, p))


@xw.func
def JX_PARSE_VALUE(text: Any) -> list[list[Any]]:
    """拆分指标值：返回 [运算符, 数值, 单位]，如 ≥95% → ≥ | 95 | %。"""
    parsed = parse_indicator_value(None if text is None else str(text))
    number = float(parsed.number) if parsed.number is not None else None
    return [[parsed.operator or "", number if number is not None else "", parsed.unit or ""]]


@xw.func
@xw.arg("rng", "range")
def JX_CHECK_PROJECT(rng: Any) -> int:
    """一张项目绩效目标表（整表区域，从 A1 起）的错误个数。"""
    from ..checks.validate import validate_project

    values = rng.options(ndim=2).value or []
    top, left = rng.row - 1, rng.column - 1
    rows = [[None] * left + list(r) for r in values]
    rows = [[None] * (left + len(values[0]) if values else 0) for _ in range(top)] + rows
    sheet = SheetData(rng.sheet.name, rows)
    labels = {str(v) for v in (rows[5] if len(rows) > 5 else []) if v}
    milestones = ("3月底", "6月底", "10月底", "12月底") if "12月底" in labels else ("3月底", "6月底", "10月底")
    project = read_project(sheet, project_layout(milestones))
    return sum(1 for i in validate_project(project, list(milestones)) if i.severity == "error")
