"""``jixiao demo``: filled unit workbooks from the seeds and a few synthetic units."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .examples import load_examples
from .profiles import BUILTIN, load_profile
from .synth import generate_national_unit, generate_unit
from .forms.template import write_workbook

TEMPLATE_NAME = "jixiao-unit-{profile}.xlsx"
SELFEVAL_NAME = "jixiao-selfeval-{profile}.xlsx"


def build_templates(out: str | Path, profiles: tuple[Any, ...] = BUILTIN, *, macros: bool = True) -> list[Path]:
    """Write one blank, locked template per profile into ``out``: .xlsx, and .xlsm with the buttons."""
    out = Path(out)
    written = []
    for chosen in profiles:
        profile = load_profile(chosen) if isinstance(chosen, str) else chosen  # a name, or a loaded profile file
        path = out / TEMPLATE_NAME.format(profile=profile.name)
        written.append(write_workbook(path, profile=profile))
        if macros:
            written.append(write_workbook(path.with_suffix(".xlsm"), profile=profile))
        from .selfeval.writer import write_selfeval

        written.append(write_selfeval(out / SELFEVAL_NAME.format(profile=profile.name), profile=profile))
    return written


@dataclass
class DemoResult:
    folder: Path
    units: list[Path]
    templates: list[Path]


def run_demo(out: str | Path = "jixiao-demo", *, synthetic: int = 5, national: int = 2) -> DemoResult:
    """Write the seed units, ``synthetic`` generated units (one 涉密, one with mistakes) and ``national``
    units of the national forms (the last with a 年度 amount above its 中期 one, JX-B04)."""
    folder = Path(out)
    units_dir = folder / "units"
    written, books = [], []
    for name, book in load_examples().items():
        books.append(book)
        code = book.unit.code or "000000"
        written.append(write_workbook(units_dir / f"{code}_{book.unit.name}.xlsx", book))
    for i in range(synthetic):
        book = generate_unit(i, n_projects=3, n_indicators=8,
                             classified=(i == synthetic - 2), mistakes=(i == synthetic - 1))
        books.append(book)
        written.append(write_workbook(units_dir / f"{book.unit.code}_{book.unit.name}.xlsx", book))
    for i in range(national):  # units of a province that uses the Ministry's 申报表 (no plan, 中期 and 年度)
        book = generate_national_unit(i, mistakes=(i == national - 1 and national > 1))
        books.append(book)
        written.append(write_workbook(units_dir / f"{book.unit.code}_{book.unit.name}.xlsx", book))
    templates = build_templates(folder / "templates")
    from .site.roster import write_roster  # the 报送站's roster of these units (jixiao serve task --roster)

    write_roster(folder / "名册.xlsx", [{"unit_code": b.unit.code, "unit_name": b.unit.name}
                                       for b in books if b.unit.code])  # a seed without a 单位编码 cannot log in
    return DemoResult(folder, written, templates)
