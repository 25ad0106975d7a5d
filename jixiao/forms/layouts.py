"""Which forms a workbook is drawn from: the built-in layouts by name, and a profile's form set.

The layouts themselves are data: one TOML file per official table under
``jixiao/forms/tables/`` (loaded by :mod:`jixiao.forms.formfile` into the vocabulary of
:mod:`jixiao.forms.vocabulary`, re-exported here). A profile names the forms it uses
(``forms = { project = "hebei-project", … }``); a user's profile may name form files beside it.
The template builder (:mod:`jixiao.forms.template`) draws a sheet from a layout and the reader
(:mod:`jixiao.forms.reader`) reads a filled sheet with the same one, so the two cannot drift
apart. Nothing else in jixiao knows a cell address of a form.

A workbook drawn from a form that is not built in carries that form's file text in its hidden
``_jixiao`` sheet (``form.<role>`` rows), so that it reads back anywhere, without the profile file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .formfile import builtin_form, form_from_text, read_form_text, unit_field_refs
from .vocabulary import *  # noqa: F401,F403 - the vocabulary, where it always was
from .vocabulary import (  # noqa: F401
    DEPARTMENT_SHEET, META_SHEET, OVERALL_SHEET, PROJECT_MASTER_SHEET, PROJECT_SHEET_PREFIX, SUPPORTED_VERSIONS,
    TEMPLATE_ID, TEMPLATE_VERSION, UNIT_SHEET, Block, Check, Column, Field, FooterLine, Formula, Panel, Period,
    PrintSetup, SheetLayout, Static, a1, col_index, col_letter, parse_a1, parse_range,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..profiles import Profile

#: the forms a profile uses when it names none (the Hebei and Hunan forms jixiao started with)
DEFAULT_FORMS = {
    "unit": "unit", "department": "department", "project": "hebei-project", "overall": "hunan-overall",
    "selfeval_project": "selfeval-project", "selfeval_department": "selfeval-department",
    "selfeval_subtargets": "selfeval-subtargets",
}
MILESTONE_FORMS = ("project",)
MAX_CARRIED = 32000  # a form file a workbook carries lives in one cell (Excel holds 32767 characters)  # forms whose cells depend on the profile's milestones

UNIT_LAYOUT = builtin_form("unit")
DEPARTMENT_LAYOUT = builtin_form("department")
OVERALL_LAYOUT = builtin_form("hunan-overall")


def project_layout(milestones: tuple[str, ...] = ("3月底", "6月底", "10月底")) -> SheetLayout:
    """The Hebei 项目绩效目标表 with 3 or 4 spending-plan milestones."""
    return builtin_form("hebei-project", tuple(milestones))


def unit_ref(name: str) -> str:
    """An absolute reference to a 单位信息 field, for formulas on other sheets."""
    return unit_field_refs()[name]


def unit_formula(ref: str, name: str, style: str = "footer") -> Formula:
    """A cell that shows a 单位信息 field as text (an empty cell shows nothing, not 0)."""
    return Formula(ref, f'{unit_ref(name)}&""', style, compute=lambda get: get(f"unit.{name}"))


@dataclass(frozen=True)
class FormRef:
    """Where a form comes from: a built-in name, or a file's text (with the path it was read from)."""

    name: str
    text: str | None = None  # None: built in

    def load(self, milestones: tuple[str, ...]) -> SheetLayout:
        if self.text is None:
            return builtin_form(self.name, milestones)
        return form_from_text(self.text, self.name, milestones)


@dataclass(frozen=True)
class FormSet:
    """The forms one workbook is drawn from, by role, for one set of milestones."""

    refs: tuple[tuple[str, FormRef], ...]
    milestones: tuple[str, ...]
    # the layouts loaded, by role: the rules ask for the project form a hundred times a workbook, and
    # hashing the whole set for the cache below each time cost more than the rule that asked
    _loaded: dict[str, SheetLayout] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def ref(self, role: str) -> FormRef:
        return dict(self.refs).get(role) or FormRef(DEFAULT_FORMS[role])

    def __getitem__(self, role: str) -> SheetLayout:
        layout = self._loaded.get(role)
        if layout is None:
            layout = self._loaded[role] = _load(self, role)
        return layout

    @property
    def unit(self) -> SheetLayout:
        return self["unit"]

    @property
    def department(self) -> SheetLayout:
        return self["department"]

    @property
    def project(self) -> SheetLayout:
        return self["project"]

    @property
    def overall(self) -> SheetLayout:
        return self["overall"]

    @property
    def custom(self) -> dict[str, FormRef]:
        """The forms that are not built in: a workbook carries their text."""
        return {role: ref for role, ref in self.refs if ref.text is not None}

    @property
    def named(self) -> dict[str, str]:
        """Built-in forms other than the defaults, by role (recorded in the workbook's ``forms`` row)."""
        return {role: ref.name for role, ref in self.refs
                if ref.text is None and ref.name != DEFAULT_FORMS.get(role)}

    def fixed_sheets(self) -> set[str]:
        return {self.unit.sheet, self.department.sheet, self.overall.sheet, META_SHEET}


@lru_cache(maxsize=256)
def _load(forms: FormSet, role: str) -> SheetLayout:
    layout = forms.ref(role).load(forms.milestones if role in MILESTONE_FORMS else ())
    _check_model(layout, forms.ref(role).name)
    return layout


def _check_model(layout: SheetLayout, origin: str) -> None:
    """Every field and block a target form names is an attribute of the model it reads into.

    (The 自评表 models live above this package; their columns are checked when a block is read.)
    """
    from .formfile import FormFileError
    from .model import DepartmentTargets, OverallTargets, Project, Unit

    model = {"unit": Unit, "department": DepartmentTargets, "project": Project,
             "overall": OverallTargets}.get(layout.role)
    if model is None:
        return
    names = {f.name.split(".", 1)[0] for f in layout.fields} | {b.name for b in layout.blocks}
    unknown = sorted(names - set(model.model_fields))
    if unknown:
        raise FormFileError(f"{origin}：{'、'.join(unknown)} 不是{layout.role}表的字段"
                            f"（可用：{'、'.join(n for n in model.model_fields if n not in ('raw', 'cells'))}）")


def form_set(profile: "Profile | None" = None, milestones: tuple[str, ...] | list[str] | None = None) -> FormSet:
    """The forms of a profile (the defaults without one) for the given milestones (else the profile's)."""
    refs: dict[str, FormRef] = {}
    if profile is not None:
        base = getattr(profile, "base_dir", None)
        carried = getattr(profile, "form_texts", {})
        for role, name in profile.forms.items():
            refs[role] = FormRef(name, carried[role]) if role in carried else _form_ref(name, base)
        milestones = milestones if milestones is not None else profile.milestones
    return FormSet(tuple(sorted(refs.items())), tuple(milestones or ("3月底", "6月底", "10月底")))


def _form_ref(name: str, base: str | None) -> FormRef:
    """A built-in name (``hebei-project``) or a ``.toml`` path, relative to the profile file's folder."""
    from pathlib import Path

    if not name.endswith(".toml"):
        return FormRef(name)
    path = Path(name)
    if not path.is_absolute() and base:
        path = Path(base) / path
    return FormRef(str(path), read_form_text(path))


def form_set_from_meta(meta: dict[str, str], milestones: tuple[str, ...]) -> FormSet:
    """The forms a workbook was drawn from, as its ``_jixiao`` sheet records them.

    A workbook records every form that is not one of :data:`DEFAULT_FORMS`: built-in ones by name
    (``forms`` row), others by their text (``form.<role>`` rows). So a workbook that records none
    (every Hebei and Hunan one, and every workbook made before forms were data) reads with the
    defaults, whatever its profile names today: a profile moving to new forms never changes how
    last year's workbooks read.
    """
    refs: dict[str, FormRef] = {}
    for item in (meta.get("forms") or "").split("|"):
        role, _, name = item.partition("=")
        if role and name:
            refs[role] = FormRef(name)
    for key, text in meta.items():
        if key.startswith("form.") and text:
            refs[key[5:]] = FormRef(f"（工作簿内的表样 {key[5:]}）", text)
    return FormSet(tuple(sorted(refs.items())), tuple(milestones))


def meta_rows(forms: FormSet) -> list[tuple[str, str]]:
    """What a workbook records of its forms: nothing for the default ones (so old templates stay as they were)."""
    rows = []
    if forms.named:
        rows.append(("forms", "|".join(f"{role}={name}" for role, name in sorted(forms.named.items()))))
    for role, ref in sorted(forms.custom.items()):
        if len(ref.text) > MAX_CARRIED:
            from .formfile import FormFileError

            raise FormFileError(f"表样文件 {ref.name} 超过 {MAX_CARRIED} 个字符，无法随工作簿保存；请删去注释或拆分表样")
        rows.append((f"form.{role}", ref.text))
    return rows


def forms_of(book: Any) -> FormSet:
    """The forms a read (or built) unit workbook uses."""
    forms = getattr(book, "_forms", None)
    if forms is not None:
        return forms
    # a model says which built-in forms it is of (``book.forms``); none named: the defaults. Not its
    # profile's forms: those of ``national`` changed (the Ministry's 申报表), its older models did not.
    refs = tuple(sorted((role, FormRef(name)) for role, name in (getattr(book, "forms", None) or {}).items()))
    return FormSet(refs, tuple(book.milestones))


def layouts_for(milestones: tuple[str, ...], forms: FormSet | None = None) -> dict[str, SheetLayout]:
    """Every layout a unit workbook uses, by key."""
    forms = forms or FormSet((), tuple(milestones))
    return {"unit": forms.unit, "department": forms.department, "project": forms.project, "overall": forms.overall}


def layout_of_sheet(name: str, milestones: tuple[str, ...], forms: FormSet | None = None) -> SheetLayout | None:
    """The layout a unit workbook's sheet is drawn from, by its name."""
    forms = forms or FormSet((), tuple(milestones))
    fixed = {forms.unit.sheet: forms.unit, forms.department.sheet: forms.department,
             forms.overall.sheet: forms.overall}
    if name in fixed:
        return fixed[name]
    if name == PROJECT_MASTER_SHEET or name.startswith(PROJECT_SHEET_PREFIX):
        return forms.project
    return None


def is_input_cell(layout: SheetLayout, row: int, col: int) -> bool:
    """Whether (row, col) is an input cell of the layout (the template draws it unlocked, pale yellow)."""
    for f in layout.fields:
        r1, c1, r2, c2 = parse_range(f.ref)
        if r1 <= row <= r2 and c1 <= col <= c2:
            return True
    for block in layout.blocks:
        last = None if block.open_ended else block.first_row + block.rows - 1
        if row >= block.first_row and (last is None or row <= last):
            if any(c.index <= col < c.index + c.span for c in block.columns):
                return True
    return False


def has_field(layout: SheetLayout, name: str) -> bool:
    """Whether a form has a field (rules that need a 项目编码, a 资金用途 … run only where it has)."""
    return any(f.name == name for f in layout.fields)


def has_column(layout: SheetLayout, name: str) -> bool:
    """Whether a form's blocks have a column (JX-V08 needs a 指标值确定依据 or a 指标解释 column)."""
    return any(c.name == name for b in layout.blocks for c in b.columns)
