"""Compare an import of a wild document with its hand-written truth (tests/data/wild/README.md).

Used by tests/test_wild.py and scripts/wild_report.py. A project is right when its name, code and
budget (converted exactly to 万元) match; an indicator row when its name and value match; a project's
年度目标 (``goal``) is compared apart (``Result.goals``). Names and
values are compared NFKC-folded without spaces; an indicator name's numbering prefix (``指标1:``) is
ignored. Truth rows with no name (undecidable cells) are not counted; the 中期 rows of a two-period
form are compared, by the same rules, with the project's 中期 indicator table (``mid_indicators``) and
counted apart (``Result.mid``), and so are its 中期 amount and goal (``budget_midterm_total``,
``goal_midterm``) when the truth has them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

WILD = Path(__file__).parent / "data" / "wild"


def documents() -> list[Path]:
    return sorted(p for p in WILD.iterdir() if p.name.endswith(".truth.json"))


def key(text) -> str:
    t = unicodedata.normalize("NFKC", str(text or ""))
    t = "".join(t.split())
    t = re.sub(r"^指标\d+[:：]", "", t)
    return t.replace("≧", "≥").replace("≦", "≤").rstrip("。.")


def amount(text, unit) -> Decimal | None:
    if text in (None, ""):
        return None
    t = unicodedata.normalize("NFKC", str(text)).replace(",", "").replace(" ", "")
    m = re.match(r"^(-?\d+(?:\.\d+)?)(万元|万|元)?$", t)
    if not m:
        return None
    n = Decimal(m.group(1))
    return n / 10000 if (m.group(2) or unit) == "元" else n


@dataclass
class Result:
    name: str
    rejected: str | None = None
    projects: list[tuple[str, str, str]] = field(default_factory=list)  # (truth name, status, detail)
    indicators: list[tuple[str, str, str]] = field(default_factory=list)  # (name, status, detail)
    extra_projects: list[str] = field(default_factory=list)
    extra_indicators: list[str] = field(default_factory=list)
    midterm: int = 0  # the truth's 中期 rows (named)
    mid: list[tuple[str, str, str]] = field(default_factory=list)  # those rows and 中期 amounts, checked
    selfeval: list[tuple[str, str, str]] = field(default_factory=list)
    goals: list[tuple[str, str, str]] = field(default_factory=list)  # the year's goal (年度目标) of each project
    unplaced: int = 0

    def count(self, what: str, status: str) -> int:
        return sum(1 for _, s, _ in getattr(self, what) if s == status)


def whole_value(ind) -> str | None:
    """The 指标值 as one string, as the truth writes it: on a form that splits it (四川's 指标性质 | 指标值 |
    度量单位) the three cells joined, 定性 alone when nothing else."""
    if ind.value_type is None and ind.measure_unit is None:
        return ind.value_text
    op, num, unit = ind.value_type or "", ind.value_text or "", ind.measure_unit or ""
    if op.startswith("定性"):
        return f"{num}{unit}" or "定性"
    return f"{op}{num}{unit}" if num else None


def _rows(out: list, truth_rows, got_rows) -> None:
    got = {}
    for ind in got_rows:
        got.setdefault(key(ind.level3), ind)
    for t in truth_rows:
        ind = got.get(key(t["name"]))
        if ind is None:
            out.append((t["name"], "missing", ""))
        elif key(whole_value(ind)) == key(t.get("value")):
            out.append((t["name"], "right", ""))
        else:
            out.append((t["name"], "wrong", f"指标值 {whole_value(ind)!r} ≠ {t.get('value')!r}"))


def _indicators(result: Result, truth_rows, got_rows, mid_rows=()) -> None:
    named = [t for t in truth_rows if t.get("name") is not None]
    year = [t for t in named if t.get("period", "年度") == "年度"]
    mid = [t for t in named if t.get("period", "年度") != "年度"]
    result.midterm += len(mid)
    _rows(result.indicators, year, got_rows)
    _rows(result.mid, mid, mid_rows)
    known = {key(t["name"]) for t in year}
    result.extra_indicators += [ind.level3 or "" for ind in got_rows if key(ind.level3) not in known]
    known_mid = {key(t["name"]) for t in mid}
    result.extra_indicators += [f"中期 {ind.level3 or ''}" for ind in mid_rows if key(ind.level3) not in known_mid]


def compare(truth_path: Path) -> Result:
    from jixiao.converters import import_any
    from jixiao.errors import JixiaoError

    stem = truth_path.name[: -len(".truth.json")]
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    doc = next(p for p in WILD.iterdir() if p.name.startswith(stem + ".") and not p.name.endswith(".json"))
    result = Result(stem)
    try:
        imported = import_any(doc)
    except JixiaoError as exc:
        result.rejected = str(exc)
        for p in truth.get("projects", []):
            result.projects.append((p["name"], "missing", "文档被拒"))
            for t in p.get("indicators", []):
                if t.get("name"):
                    (result.indicators if t.get("period", "年度") == "年度" else result.mid).append(
                        (t["name"], "missing", "文档被拒"))
        return result
    book, ev = imported.book, imported.selfeval
    result.unplaced = len(imported.unplaced)
    by_name = {key(p.name): p for p in book.projects}
    matched = set()
    for t in truth.get("projects", []):
        got = by_name.get(key(t["name"])) or next((p for p in book.projects if t.get("code") and p.code == t["code"]),
                                                  None)
        if got is None:
            result.projects.append((t["name"], "missing", ""))
            for row in t.get("indicators", []):
                if row.get("name"):
                    (result.indicators if row.get("period", "年度") == "年度" else result.mid).append(
                        (row["name"], "missing", "项目未导入"))
            continue
        matched.add(id(got))
        problems = []
        if key(got.name) != key(t["name"]):
            problems.append(f"名称 {got.name!r}")
        if (got.code or None) != (t.get("code") or None):
            problems.append(f"编码 {got.code!r} ≠ {t.get('code')!r}")
        want = amount(t.get("budget_total"), t.get("amount_unit"))
        if got.budget != want and not (got.budget is not None and want is not None and got.budget == want):
            problems.append(f"预算 {got.budget} ≠ {want}")
        result.projects.append((t["name"], "wrong" if problems else "right", "；".join(problems)))
        if t.get("goal"):
            status = "right" if key(got.goals) == key(t["goal"]) else "wrong" if got.goals else "missing"
            result.goals.append((f"{t['name']} 年度目标", status,
                                 f"年度目标 {(got.goals or '')[:20]!r}" if status == "wrong" else ""))
        if t.get("budget_midterm_total") is not None:
            want_mid = amount(t["budget_midterm_total"], t.get("amount_unit"))
            ok = got.mid_budget == want_mid
            result.mid.append((f"{t['name']} 中期资金", "right" if ok else "wrong",
                               "" if ok else f"中期资金 {got.mid_budget} ≠ {want_mid}"))
        if t.get("goal_midterm"):
            ok = key(got.mid_goals) == key(t["goal_midterm"])
            status = "right" if ok else "wrong" if got.mid_goals else "missing"
            result.mid.append((f"{t['name']} 中期目标", status,
                               f"中期目标 {got.mid_goals[:20]!r}" if status == "wrong" else ""))
        _indicators(result, t.get("indicators", []), got.indicators, got.mid_indicators)
    result.extra_projects = [p.name or "" for p in book.projects if id(p) not in matched]
    overall = truth.get("overall")
    if overall and overall.get("indicators"):
        _indicators(result, overall["indicators"], book.overall.indicators if book.overall else [])
    for item in (truth.get("selfeval") or {}).get("items", []):
        sheets = ([ev.department] if item.get("project") is None else
                  [s for s in ev.projects if key(s.name) == key(item["project"])]) if ev else []
        got = {key(i.level3): i for s in sheets for i in s.indicators}
        for t in item.get("indicators", []):
            ind = got.get(key(t["name"]))
            if ind is None:
                result.selfeval.append((t["name"], "missing", ""))
                continue
            ok = key(ind.actual) == key(t.get("actual")) and \
                (ind.weight == amount(t.get("weight"), None)) and (ind.score == amount(t.get("score"), None))
            result.selfeval.append((t["name"], "right" if ok else "wrong",
                                    "" if ok else f"{ind.actual!r}/{ind.weight}/{ind.score}"))
    return result
