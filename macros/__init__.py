"""The VBA source of the buttons and the ribbon (ASCII ``.bas`` text), shipped with the package."""

from __future__ import annotations

from importlib import resources

MODULES = ("JixiaoButtons", "JixiaoRibbon")


def source(name: str) -> str:
    """The text of ``macros/<name>.bas`` exactly as committed."""
    return resources.files(__package__).joinpath(f"{name}.bas").read_bytes().decode("ascii")
