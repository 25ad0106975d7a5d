"""Views of a :mod:`jixiao.years.diff` result: Chinese text lines and an .xlsx comparison (xlsxwriter).

The same rows feed both, so the printed and the written comparison cannot disagree.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from .diff import BookDiff, SummaryDiff, change, label
from ..forms.values import format_money

Row = tuple[str, str, str, str, str, Any, Any]  # kind, county, code, name, what, old, new
SHORT = 60  # characters of a long text shown in the terminal


def _fmt(value: Any, name: str = "", scale: int = 0) -> str:
    """A value as the terminal shows it; an amount scaled by ``scale`` as its form prints it (4: a form in 元)."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, Decimal):
        if name.startswith("plan."):
            return f"{format_money(value)}%"
        return format_money(value.scaleb(scale))
    return str(value)


def _signed(value: Decimal | None) -> str:
    return "" if value is None else (f"+{format_money(value)}" if value > 0 else format_money(value))


def _delta(old: Any, new: Any, name: str = "budget", scale: int = 0) -> str:
    diff, pct = change(old, new)
    if diff is None or name.startswith("plan."):
        return ""
    exact = (new - old).scaleb(scale)  # rounded once, in the unit shown (0.01 元, not 0.01 万元)
    return f"（{_signed(exact)}" + (f"，{_signed(pct)}%）" if pct is not None else "）")


def money_unit(result: BookDiff | SummaryDiff) -> tuple[str, int]:
    """The unit a comparison prints amounts in, and its scale: 元 when both workbooks' forms print 元
    (四川; a 四川 clerk reads 3309840.55, not 330.98), else 万元 (summaries are always in 万元)."""
    if isinstance(result, BookDiff):
        from ..forms.layouts import forms_of

        if forms_of(result.old).project.money_unit == forms_of(result.new).project.money_unit == "元":
            return "元", 4
    return "万元", 0


def sides(result: BookDiff | SummaryDiff) -> tuple[str, str]:
    """What the two sides are called: 上年 / 今年 for consecutive years (the usual comparison), 原 / 新
    for two files of the same year (a summary before and after the resubmissions), else their years."""
    if isinstance(result, BookDiff):
        old, new = result.old.unit.year, result.new.unit.year
    else:
        old, new = result.years
    if old is None or new is None or new == old + 1:
        return "上年", "今年"
    if old == new:
        return "原", "新"
    return f"{old}年", f"{new}年"


def _short(text: Any) -> str:
    s = " ".join(str(text).split()) if text not in (None, "") else "（空）"
    return s if len(s) <= SHORT else s[:SHORT] + "……"


def rows(result: BookDiff | SummaryDiff) -> list[Row]:
    """One row per difference: 新增 / 减少 projects or units, each changed field, each indicator change."""
    out: list[Row] = []
    if isinstance(result, SummaryDiff):
        for u in result.added:
            out.append(("新增单位", u.county or "", u.code or "", u.name or "", "预算数", None, u.budget))
        for u in result.removed:
            out.append(("减少单位", u.county or "", u.code or "", u.name or "", "预算数", u.budget, None))
        for c in result.changed:
            for name, (a, b) in c.fields.items():
                out.append(("变化", c.new.county or "", c.new.code or "", c.new.name or c.old.name or "",
                            label(name), a, b))
        return out
    for p in result.added:
        out.append(("新增项目", "", p.code or "", p.name or "", "预算数", None, p.budget))
    for p in result.removed:
        out.append(("减少项目", "", p.code or "", p.name or "", "预算数", p.budget, None))
    for c in result.changed:
        head = ("", c.code or "", c.name or "")
        for name, (a, b) in c.fields.items():
            out.append(("变化", *head, label(name), a, b))
        out += [("新增指标", *head, i.level3 or i.description or "", None, i.value_text) for i in c.added]
        out += [("删除指标", *head, i.level3 or i.description or "", i.value_text, None) for i in c.removed]
        out += [("指标值变化", *head, b.level3 or b.description or "", a.value_text, b.value_text)
                for a, b in c.changed]
    return out


def render_text(result: BookDiff | SummaryDiff, old_path: str, new_path: str) -> list[str]:
    """The comparison as Chinese lines for the terminal."""
    lines = [f"对比：{old_path} → {new_path}"]
    old_total, new_total = result.budgets
    unit, scale = money_unit(result)
    before, after = sides(result)
    if isinstance(result, SummaryDiff):
        lines.append(f"单位：{before} {len(result.old)} 个，{after} {len(result.new)} 个；预算数合计 {format_money(old_total)} → "
                     f"{format_money(new_total)} 万元{_delta(old_total, new_total)}")
        what, items_added, items_removed = "单位", result.added, result.removed
        describe = lambda u: f"{(u.county + ' ') if u.county else ''}{u.code or '—'} {u.name or '—'}"  # noqa: E731
    else:
        o, n = result.old.unit, result.new.unit
        lines.append(f"单位：{n.code or o.code or '—'} {n.name or o.name or '—'}  预算年度 {o.year or '—'} → {n.year or '—'}")
        lines.append(f"项目：{before} {len(result.old.projects)} 个，{after} {len(result.new.projects)} 个；预算数合计 "
                     f"{_fmt(old_total, scale=scale)} → {_fmt(new_total, scale=scale)} {unit}"
                     f"{_delta(old_total, new_total, scale=scale)}")
        what, items_added, items_removed = "项目", result.added, result.removed
        describe = lambda p: " ".join(t for t in (p.code, p.name) if t) or "—"  # noqa: E731 (no 项目编码: its name)
    lines.append(f"新增{what} {len(items_added)} 个：" if items_added else f"新增{what}：无")
    lines += [f"  + {describe(x)}  预算数 {_fmt(x.budget, scale=scale)} {unit}" for x in items_added]
    lines.append(f"减少{what} {len(items_removed)} 个：" if items_removed else f"减少{what}：无")
    lines += [f"  - {describe(x)}  预算数 {_fmt(x.budget, scale=scale)} {unit}" for x in items_removed]
    lines.append(f"有变化的{what} {len(result.changed)} 个，无变化 {result.unchanged} 个" +
                 ("：" if result.changed else ""))
    for c in result.changed:
        lines.append(f"  * {describe(c.new)}" if isinstance(result, SummaryDiff)
                     else f"  * {' '.join(t for t in (c.code, c.name) if t) or '—'}")
        for name, (a, b) in c.fields.items():
            if name in ("goals", "purpose"):
                lines += [f"      {label(name)}已修改：", f"        {before}：{_short(a)}", f"        {after}：{_short(b)}"]
            else:
                lines.append(f"      {label(name)}：{_fmt(a, name, scale)} → {_fmt(b, name, scale)}"
                             f"{_delta(a, b, name, scale)}")
        if isinstance(result, BookDiff):
            lines += [f"      新增指标：{i.level3 or i.description or '—'}（{_fmt(i.value_text)}）" for i in c.added]
            lines += [f"      删除指标：{i.level3 or i.description or '—'}（{_fmt(i.value_text)}）" for i in c.removed]
            lines += [f"      指标值：{b.level3 or b.description or '—'} {_fmt(a.value_text)} → {_fmt(b.value_text)}"
                      for a, b in c.changed]
    return lines


def write_xlsx(path: str | Path, result: BookDiff | SummaryDiff, old_path: str, new_path: str) -> Path:
    """The comparison as a workbook: one row per difference, money as numbers, A4 landscape, fit to width."""
    import xlsxwriter

    from ..fsutil import atomic_path
    from ..forms.printfit import text_height

    summary = isinstance(result, SummaryDiff)
    header = ["变化", *(["县区"] if summary else []), "单位编码" if summary else "项目编码",
              "单位名称" if summary else "项目名称", "内容", *sides(result), "差额", "变化%"]
    widths = [10, *([10] if summary else []), 22, 26, 18, 24, 24, 12, 9]
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                            "strings_to_urls": False})
        base = {"font_name": "仿宋", "font_size": 11, "valign": "vcenter", "text_wrap": True, "border": 1}
        fmt = {"title": wb.add_format({"font_name": "宋体", "font_size": 14, "bold": True}),
               "header": wb.add_format({**base, "font_name": "宋体", "bold": True, "align": "center",
                                        "bg_color": "#D9E1F2"}),
               "text": wb.add_format(base), "money": wb.add_format({**base, "num_format": "0.00"}),
               "percent": wb.add_format({**base, "num_format": '0.00"%"'})}
        ws = wb.add_worksheet("单位对比" if summary else "项目对比")
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.merge_range(0, 0, 0, len(header) - 1, f"对比：{Path(old_path).name} → {Path(new_path).name}", fmt["title"])
        ws.write_row(1, 0, header, fmt["header"])
        r = 2
        for kind, county, code, name, what, old, new in rows(result):
            cells = [kind, *([county] if summary else []), code, name, what]
            for c, v in enumerate(cells):
                ws.write_string(r, c, v or "", fmt["text"])
            field_name = "plan." if what.startswith("支出计划") else ""
            numeric = fmt["percent"] if field_name else fmt["money"]
            tall = max((text_height(v, widths[c]) for c, v in enumerate((*cells, old, new))
                        if isinstance(v, str)), default=0)
            if tall > 18:  # wrapped text in a cell: xlsxwriter does not size rows, so size it here
                ws.set_row(r, tall)
            for c, v in enumerate((old, new), start=len(cells)):
                if isinstance(v, Decimal):
                    ws.write_number(r, c, float(v), numeric)
                else:
                    ws.write_string(r, c, "" if v is None else str(v), fmt["text"])
            diff, pct = change(old if old is not None else (Decimal(0) if isinstance(new, Decimal) else None),
                               new if new is not None else (Decimal(0) if isinstance(old, Decimal) else None))
            _num(ws, r, len(cells) + 2, None if field_name else diff, fmt)
            _num(ws, r, len(cells) + 3, None if field_name or old is None else pct, fmt, "percent")
            r += 1
        old_total, new_total = result.budgets
        diff, pct = change(old_total, new_total)
        ws.write_string(r, 0, "预算数合计", fmt["header"])
        for c in range(1, len(header) - 4):
            ws.write_blank(r, c, None, fmt["header"])
        for c, v in enumerate((old_total, new_total, diff), start=len(header) - 4):
            ws.write_number(r, c, float(v), fmt["money"])
        _num(ws, r, len(header) - 1, pct, fmt, "percent")
        ws.autofilter(1, 0, max(r - 1, 1), len(header) - 1)
        ws.freeze_panes(2, 0)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, 1)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.print_area(0, 0, r, len(header) - 1)
        wb.close()
    return Path(path)


def _num(ws, r: int, c: int, value: Decimal | None, fmt: dict, kind: str = "money") -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt["text"])
    else:
        ws.write_number(r, c, float(value), fmt[kind])
