"""Rules of the forms with periods and tasks (the national 申报表; docs/forms/national-*.md).

- JX-B04: a 年度 amount is part of the 中期 (实施期) amount of the same source, so it is never
  larger (``docs/forms/national-project-targets.md``: 东莞 919.00 of 284500.00);
- the 年度主要任务 of the national 部门整体 form: each task's 预算总额 = 财政拨款 + 其他资金 (JX-B01),
  amounts not negative (JX-B02), two decimals (JX-B03), numbers (JX-L03).

Registered with :func:`jixiao.checks.context.rule` like every rule; :mod:`jixiao.checks.validate`
imports this module. The per-period checks of the indicator tables are the ordinary rules, run
once per period (``Context.period``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from ..forms.values import formula_or_error
from .issues import Issue
from .context import Context, field_labels, rule
from .rules import as_typed, sum_of_sources

_ROLES = ("budget", "fiscal", "other")


@rule("JX-B04", "project")
def year_within_mid(ctx: Context) -> Iterator[Issue]:
    p = ctx.project
    labels = field_labels(ctx.layout)
    for role in _ROLES:
        year, mid = getattr(p, role), getattr(p, "mid_" + role)
        if year is not None and mid is not None and year > mid:
            yield Issue.at("JX-B04", p, role, f"{year:.2f}", label=labels.get(role, role),
                           mid_label=labels.get("mid_" + role, "中期" + role), mid=f"{mid:.2f}")


def _task_labels(ctx: Context) -> dict[str, str]:
    return {f"{n}": f"年度主要任务的{label}" for n, label in
            (("budget", "预算总额"), ("fiscal", "财政拨款"), ("other", "其他资金"))}


@rule("JX-B01", "overall")
def task_sum_of_sources(ctx: Context) -> Iterator[Issue]:
    labels = _task_labels(ctx)
    for task in ctx.overall.tasks:
        yield from sum_of_sources(task, labels)


@rule("JX-B02", "overall")
def task_amounts_not_negative(ctx: Context) -> Iterator[Issue]:
    labels = _task_labels(ctx)
    for task in ctx.overall.tasks:
        for role in _ROLES:
            value = getattr(task, role)
            if value is not None and value < 0:
                yield Issue.at("JX-B02", task, role, as_typed(value), label=labels[role])


@rule("JX-B03", "overall")
def task_amounts_two_decimals(ctx: Context) -> Iterator[Issue]:
    labels = _task_labels(ctx)
    for task in ctx.overall.tasks:
        for role in _ROLES:
            value = getattr(task, role)
            if value is not None and value != value.quantize(Decimal("0.01")):
                yield Issue.at("JX-B03", task, role, value, label=labels[role], unit="万元")


@rule("JX-L03", "overall")
def task_amounts_are_numbers(ctx: Context) -> Iterator[Issue]:
    labels = _task_labels(ctx)
    for task in ctx.overall.tasks:
        for role in _ROLES:
            if role in task.raw and not formula_or_error(task.raw[role]):
                yield Issue.at("JX-L03", task, role, task.raw[role], label=labels[role], unit="万元")
