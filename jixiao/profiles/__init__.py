"""Profiles: the settings that differ between provinces and years.

A profile is a TOML file. Three ship with jixiao (``hebei``, ``hunan``,
``national``); a user's own file is loaded with :func:`load_profile_file`.

>>> load_profile("hebei").milestones
['3月底', '6月底', '10月底']
"""

from __future__ import annotations

import functools
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ProfileError

BUILTIN = ("hebei", "hunan", "national")


class Weights(BaseModel):
    """Self-evaluation weights (domain §5)."""

    model_config = ConfigDict(frozen=True)

    execution: Decimal = Decimal("10")
    output: Decimal = Decimal("50")
    effect: Decimal = Decimal("30")
    satisfaction: Decimal = Decimal("10")
    cost: Decimal = Decimal("0")


class Profile(BaseModel):
    """Settings of one province / form year (immutable: a loaded profile is shared)."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str = ""
    milestones: list[str] = Field(default_factory=lambda: ["3月底", "6月底", "10月底", "12月底"])
    overall_form: bool = False  # ship the 部门整体支出绩效目标表 sheet
    cost_under_output: bool = True  # 成本指标 allowed as 二级 under 产出指标
    strict_project_code: bool = True  # JX-C01 checks the 21-character 一体化 form
    progress: dict[str, Decimal] = Field(default_factory=lambda: {
        "3月底": Decimal("25"), "6月底": Decimal("50"), "10月底": Decimal("75"), "12月底": Decimal("100")})
    indicator_weight_total: Decimal | None = None  # JX-W01 applies when set
    weights: Weights = Field(default_factory=Weights)
    # a printed satisfaction table: [threshold %, share of the weight], highest first (seed 003)
    satisfaction_bands: list[tuple[Decimal, Decimal]] = Field(default_factory=list)
    protection_password: str = "jixiao"

    @property
    def has_december(self) -> bool:
        return "12月底" in self.milestones


def _parse(text: str, origin: str) -> Profile:
    try:
        data = tomllib.loads(text)
        return Profile.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
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
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"无法读取配置文件 {path}：{exc.strerror}") from exc
    return _parse(text, str(path))


def resolve_profile(name: str | None = None, file: str | Path | None = None) -> Profile:
    """``--profile-file`` wins over ``--profile``; the default is ``hebei``."""
    if file:
        return load_profile_file(file)
    return load_profile(name or "hebei")
