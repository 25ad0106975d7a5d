"""The 概览's county plan when some units' forms have no 资金支出计划 (the national 申报表, 四川).

Its amounts are of the planned budget only, so its 12月底 (39,296.72) sat under a 预算数 of 52,858.71
with nothing to say why: a finance bureau reads that as money missing from the plan. The 概览 says
which budget the plan covers and how much is on forms without one.
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.consolidation import consolidate


def _overview_text(path) -> list[str]:
    ws = openpyxl.load_workbook(path, read_only=True)["概览"]
    return [str(v) for row in ws.iter_rows(max_col=1, values_only=True) for v in row if v is not None]


def test_plan_note_names_the_budget_without_a_plan(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    units = tmp_path / "demo" / "units"
    out = tmp_path / "汇总.xlsx"
    consolidate([units], out, year=2026, use_cache=False, workers=1)
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["单位汇总"].iter_rows(values_only=True))
    head, body = rows[0], [r for r in rows[1:] if r[0] != "合计"]
    budget, dec = head.index("预算数"), head.index("12月底累计金额")
    planned = sum((Decimal(str(r[budget])) for r in body if r[dec] is not None), Decimal(0))
    unplanned = sum((Decimal(str(r[budget])) for r in body if r[dec] is None), Decimal(0))
    n = sum(1 for r in body if r[dec] is None)
    assert n == 2 and unplanned > 0  # the demo's two units on the national form
    text = "".join(_overview_text(out))
    assert f"只含有资金支出计划的表样（预算 {planned:,.2f} 万元）" in text
    assert f"{n} 个单位的表样没有资金支出计划（预算 {unplanned:,.2f} 万元）" in text

    hebei = tmp_path / "hebei"
    hebei.mkdir()
    for f in units.glob("1000*.xlsx"):  # the Hebei-form units only: every budget has a plan, no note
        (hebei / f.name).write_bytes(f.read_bytes())
    consolidate([hebei], tmp_path / "河北.xlsx", year=2026, use_cache=False, workers=1)
    assert not any("没有资金支出计划" in t for t in _overview_text(tmp_path / "河北.xlsx"))
