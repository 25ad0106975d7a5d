"""Exceptions raised by the jixiao library.

Every failure the library can report is a subclass of :class:`JixiaoError`, so
callers (the CLI, the Excel entry points) catch one class and show its message.
Messages are Chinese because they reach the clerk unchanged.
"""

from __future__ import annotations


class JixiaoError(Exception):
    """Base class of every error jixiao raises on purpose."""

    #: Rule code from the catalogue when the error is also a finding (e.g. JX-L01).
    code: str | None = None


class NotAJixiaoWorkbook(JixiaoError):
    """The file is a workbook, but not one made from a jixiao template (JX-L01)."""

    code = "JX-L01"


class UnknownTemplateVersion(JixiaoError):
    """The workbook comes from a jixiao template version this release cannot read (JX-L01)."""

    code = "JX-L01"


class UnreadableFile(JixiaoError):
    """The file cannot be opened as a workbook: corrupt, encrypted, or another format (JX-D03).

    ``what`` says what the file is; ``remedy`` what to do, phrased for a unit's workbook unless
    ``general`` (it then fits any workbook, a roster as well). The message is both, joined by "：".
    """

    code = "JX-D03"

    def __init__(self, what: str, remedy: str = "", *, general: bool = False) -> None:
        super().__init__(f"{what}：{remedy}" if remedy else what)
        self.what = what
        self.remedy = remedy
        self.general = general


class TemplateCapacityError(JixiaoError):
    """The model holds more items than a fixed block of the form can take."""


class ProfileError(JixiaoError):
    """A profile name or profile file is unknown or invalid."""


class OutputError(JixiaoError):
    """An output file could not be written (e.g. it is open in Excel, or the disk is full) or is refused (JX-D05)."""

    code = "JX-D05"
