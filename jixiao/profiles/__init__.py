"""Profiles: the settings that differ between provinces and years.

A profile is a TOML file. Three ship with jixiao (``hebei``, ``hunan``,
``national``); a user's own file is loaded with :func:`load_profile_file`.

>>> load_profile("hebei").milestones
['3月底', '6月底', '10月底']
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any
from importlib import resources
from pathlib import Path

from ..errors import ProfileError
from ..oserror import os_reason

#: the built-in profiles: every TOML file beside this module (adding one is adding a file)
BUILTIN = tuple(sorted(p.name[:-5] for p in resources.files(__package__).iterdir() if p.name.endswith(".toml")))

# Plain frozen dataclasses, checked by hand below: a profile is read by every command, and
# `jixiao consolidate` should not pay for pydantic before it knows it has a file to read.


@dataclass(frozen=True)
class Weights:
    """Self-evaluation weights (domain §5)."""

    execution: Decimal = Decimal("10")
    output: Decimal = Decimal("50")
    effect: Decimal = Decimal("30")
    satisfaction: Decimal = Decimal("10")
    cost: Decimal = Decimal("0")


def _default_progress() -> dict[str, Decimal]:
    return {"3月底": Decimal("25"), "6月底": Decimal("50"), "10月底": Decimal("75"), "12月底": Decimal("100")}


@dataclass(frozen=True)
class Profile:
    """Settings of one province / form year (immutable: a loaded profile is shared)."""

    name: str
    title: str = ""
    milestones: list[str] = field(default_factory=lambda: ["3月底", "6月底", "10月底", "12月底"])
    overall_form: bool = False  # ship the 部门整体支出绩效目标表 sheet
    cost_under_output: bool = True  # 成本指标 allowed as 二级 under 产出指标
    strict_project_code: bool = True  # JX-C01 checks the 21-character 一体化 form
    progress: dict[str, Decimal] = field(default_factory=_default_progress)
    indicator_weight_total: Decimal | None = None  # JX-W01 applies when set
    # JX-B05: an amount in 万元 this large (10 亿元) on a county project was most likely typed in 元
    large_amount: Decimal = Decimal(100000)
    weights: Weights = field(default_factory=Weights)
    # a printed satisfaction table: [threshold %, share of the weight], highest first (seed 003)
    satisfaction_bands: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    protection_password: str = "jixiao"
    # the forms it uses, by role (unit / department / project / overall / selfeval_*): a built-in
    # form's name (jixiao/forms/tables/<name>.toml) or a .toml path relative to the profile file
    forms: dict[str, str] = field(default_factory=dict)
    base_dir: str | None = None  # the folder of a user's profile file (form paths are relative to it)
    text: str | None = field(default=None, repr=False, compare=False)  # a user's file as written (a workbook carries it)
    # the text of form files by role, for a profile read back from a workbook (its forms travel with it)
    form_texts: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_december(self) -> bool:
        return "12月底" in self.milestones


class _Invalid(ValueError):
    pass


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Invalid(f"{where} 应为数字")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise _Invalid(f"{where} 应为数字，而不是“{value}”") from None
    if not number.is_finite():
        raise _Invalid(f"{where} 应为数字，而不是“{value}”")
    return number


def _of(kind: type, value: Any, where: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        names = {str: "文字", bool: "true 或 false", list: "列表", dict: "表"}
        raise _Invalid(f"{where} 应为{names.get(kind, kind.__name__)}")
    return value


def _profile(data: dict[str, Any]) -> Profile:
    """A :class:`Profile` from parsed TOML; keys it does not know are ignored, wrong types refused."""
    values: dict[str, Any] = {}
    if "name" not in data:
        raise _Invalid("缺少 name")
    for key in ("name", "title", "protection_password"):
        if key in data:
            values[key] = _of(str, data[key], key)
    for key in ("overall_form", "cost_under_output", "strict_project_code"):
        if key in data:
            values[key] = _of(bool, data[key], key)
    if "milestones" in data:
        values["milestones"] = [_of(str, m, "milestones 的每一项") for m in _of(list, data["milestones"], "milestones")]
    if "progress" in data:
        values["progress"] = {str(k): _decimal(v, f"progress.{k}")
                              for k, v in _of(dict, data["progress"], "progress").items()}
    if data.get("large_amount") is not None:
        values["large_amount"] = _decimal(data["large_amount"], "large_amount")
    if data.get("indicator_weight_total") is not None:
        values["indicator_weight_total"] = _decimal(data["indicator_weight_total"], "indicator_weight_total")
    if "weights" in data:
        given = _of(dict, data["weights"], "weights")
        values["weights"] = Weights(**{f.name: _decimal(given[f.name], f"weights.{f.name}")
                                       for f in fields(Weights) if f.name in given})
    if "forms" in data:
        from ..forms.formfile import ROLES

        forms = {}
        for role, name in _of(dict, data["forms"], "forms").items():
            if role not in ROLES:
                raise _Invalid(f"forms 中的“{role}”不是表样角色（可选：{'、'.join(ROLES)}）")
            forms[role] = _of(str, name, f"forms.{role}")
        values["forms"] = forms
    if "satisfaction_bands" in data:
        bands = []
        for band in _of(list, data["satisfaction_bands"], "satisfaction_bands"):
            if not isinstance(band, list) or len(band) != 2:
                raise _Invalid("satisfaction_bands 的每一项应为 [阈值, 得分比例]")
            bands.append((_decimal(band[0], "satisfaction_bands 阈值"), _decimal(band[1], "satisfaction_bands 得分比例")))
        values["satisfaction_bands"] = bands
    return Profile(**values)


def _parse(text: str, origin: str, base_dir: str | None = None) -> Profile:
    try:
        profile = _profile(tomllib.loads(text))
        return dataclasses.replace(profile, base_dir=base_dir, text=text) if base_dir else profile
    except tomllib.TOMLDecodeError as exc:
        from ..forms.formfile import toml_problem

        raise ProfileError(f"配置文件 {origin} 格式不正确：{toml_problem(exc, text)}") from exc
    except _Invalid as exc:
        raise ProfileError(f"配置文件 {origin} 格式不正确：{exc}") from exc


@functools.lru_cache(maxsize=None)
def load_profile(name: str) -> Profile:
    """A built-in profile by name (parsed once per process: consolidation asks for it per file)."""
    if name not in BUILTIN:
        raise ProfileError(f"未知的配置“{name}”，可选：{'、'.join(BUILTIN)}")
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return _parse(text, name)


def load_profile_file(path: str | Path) -> Profile:
    """A user's own profile file."""
    try:
        from ..forms.formfile import decode_toml

        text = decode_toml(Path(path).read_bytes())
    except OSError as exc:
        raise ProfileError(f"无法读取配置文件 {path}：{os_reason(exc)}") from exc
    return _parse(text, str(path), str(Path(path).resolve().parent))


def resolve_profile(name: str | None = None, file: str | Path | None = None) -> Profile:
    """``--profile-file`` wins over ``--profile``; the default is ``hebei``."""
    if file:
        return load_profile_file(file)
    return load_profile(name or "hebei")


@functools.lru_cache(maxsize=64)
def _carried(text: str, name: str) -> Profile:
    return dataclasses.replace(_parse(text, f"（工作簿内的配置 {name}）"), text=text)


def profile_for(book: Any) -> Profile:
    """The profile a workbook was made with: a built-in one by name, a user's from the copy the workbook
    carries (``profile.toml`` in ``_jixiao``), else ``hebei`` (a workbook of an unknown profile, as before)."""
    if book.profile in BUILTIN:
        return load_profile(book.profile)
    text = getattr(book, "_profile_text", None)
    if not text:
        return load_profile("hebei")
    profile = _carried(text, book.profile)
    forms = getattr(book, "_forms", None)
    if forms is not None and forms.custom:  # the form files it names, as the workbook carries them
        profile = dataclasses.replace(profile, form_texts={role: ref.text for role, ref in forms.custom.items()})
    return profile
