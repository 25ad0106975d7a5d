"""Findings: :class:`Issue` and :class:`Report`, rendered from the rule catalogue (:mod:`jixiao.checks.catalogue`).

>>> CATALOGUE["JX-B01"].severity
'error'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .catalogue import CATALOGUE, ERROR, SEVERITY_ZH, WARNING, CodeSpec, message  # noqa: F401 - also here
from ..forms.model import Loc, Located

# Field names in findings are part of the JSON contract; they differ from the
# model's attribute names where the contract spells them out.
PUBLIC_FIELD = {"budget": "budget_total", "fiscal": "budget_fiscal", "other": "budget_other"}


class Issue(BaseModel):
    """One finding, pointing at the cell it is about."""

    code: str
    severity: str
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    value: str | None = None
    message: str
    fix: dict[str, Any] | None = None

    @classmethod
    def make(cls, code: str, *, loc: Loc | None = None, field: str | None = None, value: Any = None,
             fix: dict[str, Any] | None = None, **params: Any) -> "Issue":
        shown = None if value is None else str(value)
        return cls(code=code, severity=CATALOGUE[code].severity, sheet=loc.sheet if loc else None,
                   cell=loc.cell if loc else None, field=PUBLIC_FIELD.get(field, field) if field else None,
                   value=shown, message=message(code, shown, **params), fix=fix)

    @classmethod
    def at(cls, code: str, obj: Located, field: str, value: Any = None, **params: Any) -> "Issue":
        """A finding about ``obj.field``; the location comes from the value's own cell."""
        return cls.make(code, loc=obj.loc(field), field=field, value=value, **params)


class FileReport(BaseModel):
    """The findings of one workbook."""

    path: str
    unit_code: str | None = None
    unit_name: str | None = None
    issues: list[Issue] = Field(default_factory=list)
    readable: bool = True

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "unit_code": self.unit_code, "unit_name": self.unit_name, "ok": self.ok,
                "errors": self.errors, "warnings": self.warnings,
                "issues": [i.model_dump() for i in self.issues]}


class Report(BaseModel):
    """The findings of a validation run: one entry per workbook."""

    files: list[FileReport] = Field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    @property
    def exit_code(self) -> int:
        """0 no errors, 1 errors found, 2 a file could not be read."""
        if any(not f.readable for f in self.files):
            return 2
        return 0 if self.ok else 1

    def to_json(self) -> dict[str, Any]:
        """The ``jixiao validate --format json`` object (a contract)."""
        return {"ok": self.ok, "errors": self.errors, "warnings": self.warnings,
                "files": [f.to_json() for f in self.files]}
