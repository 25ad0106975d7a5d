"""The label index: which printed label names which model field (data: jixiao/forms/tables/import/labels.toml).

A label is compared after NFKC folding, without spaces, stray ``。_—``, a trailing colon, and a
trailing bracket of points or unit (``产出指标(50分)``, ``年度预算数(万元)``, ``实施单位(盖章)``), which
are returned alongside. One OCR slip is tolerated in labels of four characters or more.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from ..forms.taxonomy import LEVEL1_ALIASES, LEVEL2_ALIASES, TAXONOMY
from ..forms.values import nfkc, squeeze

# groups whose labels can be cut out of run-together text (short generic ones excluded)
_SPLIT_MIN = 3


@functools.lru_cache(maxsize=1)
def data() -> dict:
    text = resources.files("jixiao.forms").joinpath("tables/import/labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_STRAY = re.compile(r"[。_—\-\s·.、]")
_TAIL = re.compile(r"[(（]\s*(?P<inner>[^()（）]{0,12})\s*[)）]?\s*分?$")
_POINTS = re.compile(r"^(?P<points>\d+(?:\.\d+)?(?:\s*[-~－]\s*\d+(?:\.\d+)?)?)\s*分?$")


def norm(text: str | None) -> str:
    """A cell as labels are compared: folded, no spaces or stray marks, no trailing colon."""
    t = squeeze(nfkc(text or ""))
    t = t.replace("其它", "其他") if t.startswith("其中") and "其它" in t else t
    return t.rstrip(":：")


@dataclass(frozen=True)
class Hit:
    group: str  # project / unit / indicator / selfeval / furniture / level1 / level2
    field: str
    label: str
    points: str | None = None  # "50" from 产出指标(50分)
    suffix: str | None = None  # "万元" from 年度预算数(万元)


def _strip_tail(t: str) -> tuple[str, str | None, str | None]:
    m = _TAIL.search(t)
    if not m or m.start() == 0:
        return t, None, None
    inner = m.group("inner").strip()
    p = _POINTS.match(inner)
    if p:
        return t[:m.start()], p.group("points").replace(" ", ""), None
    if inner in ("万元", "元", "盖章", "人", "分", "%") or t[:m.start()] in index():
        return t[:m.start()], None, inner
    return t, None, None


@functools.lru_cache(maxsize=1)
def index() -> dict[str, list[Hit]]:
    """Normalised label → the fields it may name (several: 得分 is a column of both tables)."""
    out: dict[str, list[Hit]] = {}
    d = data()
    for group in ("project", "unit", "indicator", "selfeval", "furniture"):
        for fld, labels in d[group].items():
            if not isinstance(labels, list):
                continue
            for label in labels:
                key = _STRAY.sub("", norm(label))
                out.setdefault(key, []).append(Hit(group, fld, label))
    for group, fld, label in form_file_labels():
        key = _STRAY.sub("", norm(label))
        if key and key not in out:  # labels.toml decides where both name a label
            out[key] = [Hit(group, fld, label)]
    for level1, level2s in TAXONOMY.items():
        out.setdefault(level1, []).append(Hit("level1", level1, level1))
        for level2 in level2s:
            out.setdefault(level2, []).append(Hit("level2", level2, level2))
    for alias, name in LEVEL1_ALIASES.items():
        out.setdefault(alias, []).append(Hit("level1", name, alias))
    for alias in LEVEL2_ALIASES:
        out.setdefault(alias, []).append(Hit("level2", alias, alias))
    for alias in d.get("taxonomy", {}).get("level1", []):
        out.setdefault(norm(alias), []).append(Hit("level1", alias, alias))
    for alias in d.get("taxonomy", {}).get("level2", []):
        out.setdefault(norm(alias), []).append(Hit("level2", alias, alias))
    return out


_COLUMNS = {"level1", "level2", "level3", "value_text", "value_type", "measure_unit", "weight", "basis", "explanation",
            "remark", "actual", "score", "reason", "target"}
_ROLES = {"project": "project", "selfeval_project": "project", "unit": "unit"}


def form_file_labels() -> list[tuple[str, str, str]]:
    """(group, field, label) from the form files' own labels and ``synonyms`` (jixiao/forms/tables/*.toml,
    where the form-file loader exists): a form declared as data is recognised without a line here."""
    try:
        from ..forms import formfile  # type: ignore[attr-defined]
    except ImportError:
        return []
    out: list[tuple[str, str, str]] = []
    try:
        names = formfile.builtin_names()
    except Exception:  # noqa: BLE001 - the loader is another module's; never fail the importer for it
        return []
    for name in names:
        try:
            layout = formfile.builtin_form(name)
        except Exception:  # noqa: BLE001
            continue
        group = _ROLES.get(getattr(layout, "role", ""))
        for f in getattr(layout, "fields", ()) if group else ():
            if getattr(f, "period", None) in (None, "year"):
                out += [(group, f.name, label) for label in (f.label, *getattr(f, "synonyms", ())) if label]
        for block in getattr(layout, "blocks", ()):
            for col in block.columns:
                name_ = "value_text" if col.name == "target" else col.name
                if name_ in _COLUMNS and getattr(col, "period", None) in (None, "year"):
                    out += [("indicator", name_, label) for label in (col.label, *getattr(col, "synonyms", ()))
                            if label]
    return out


def _one_slip(a: str, b: str) -> bool:
    if len(b) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False


@functools.lru_cache(maxsize=8192)
def lookup(text: str) -> tuple[Hit, ...]:
    """The fields a cell names when it is a label (empty when it is not)."""
    t = norm(text)
    if not t or len(t) > 30:
        return ()
    base, points, suffix = _strip_tail(t)
    idx = index()
    for key in (t, _STRAY.sub("", t), base, _STRAY.sub("", base)):
        if key in idx:
            return tuple(Hit(h.group, h.field, h.label, points, suffix) for h in idx[key])
    key = _STRAY.sub("", base)
    if key in idx:
        return tuple(idx[key])
    # one OCR slip, or a level name as the 二级 of a national form written with its 一级 prefix
    close = [k for k in idx if _one_slip(key, k) and idx[k][0].group not in ("level1", "level2")
             and not re.search(r"\d", key)]  # a digit is a value stuck to a label, not an OCR slip
    if len(close) == 1:
        return tuple(Hit(h.group, h.field, h.label, points, suffix) for h in idx[close[0]])
    return ()


def level_of(text: str) -> tuple[str, str, str | None] | None:
    """("level1" | "level2", the name as printed without its points, points) for a taxonomy cell."""
    t = norm(text)
    base, points, _ = _strip_tail(t)
    base = re.sub(r"[(（][^)）]*[)）]$", "", base) if base not in index() else base  # 数量指标(或建筑规模指标)
    for key in (base, norm(text)):
        for h in index().get(key, ()):
            if h.group in ("level1", "level2"):
                name = re.sub(r"\s*[(（][\d\s\-~－.]+分?[)）]?\s*分?$", "", (text or "").strip()).strip()
                return h.group, re.sub(r"\s+", "", name), points
    return None


@functools.lru_cache(maxsize=1)
def splitter_pattern() -> re.Pattern:
    keys = set()
    d = data()
    for group in ("project", "unit", "indicator", "selfeval", "furniture"):
        for labels in d[group].values():
            if isinstance(labels, list):
                keys.update(nfkc(label) for label in labels if len(norm(label)) >= _SPLIT_MIN)
    for level1, level2s in TAXONOMY.items():
        keys.add(level1)
        keys.update(level2s)
    keys.update(LEVEL2_ALIASES)
    keys.update(d.get("taxonomy", {}).get("level1", []))
    keys.update(d.get("taxonomy", {}).get("level2", []))
    keys -= set(d.get("splitting", {}).get("never", []))
    keys |= set(d.get("splitting", {}).get("always", []))
    alternation = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    points = r"(?:[(（]\s*\d+(?:\s*-\s*\d+)?\s*分?\s*[)）]\s*分?)?"
    return re.compile(rf"(?:{alternation}){points}(?:[:：])?")


_TITLE_IN_TEXT = re.compile(r"[^\s:：()（）]{0,30}?(?:绩效目标(?:申报|审批|批复)?表|绩效自评表)")


def split_run_together(text: str) -> list[str]:
    """Cut text with no separators at every label it contains; a form title stays whole."""
    t = nfkc(text)
    out: list[str] = []
    pos = 0
    for m in _TITLE_IN_TEXT.finditer(t):
        out += _split_labels(t[pos:m.start()])
        out.append(m.group(0))
        pos = m.end()
    return out + _split_labels(t[pos:])


def _split_labels(t: str) -> list[str]:
    out: list[str] = []
    pos = 0
    for m in splitter_pattern().finditer(t):
        if m.start() > pos:
            out.append(t[pos:m.start()])
        out.append(m.group(0))
        pos = m.end()
    if pos < len(t):
        out.append(t[pos:])
    return [p.strip() for p in out if p.strip()]
