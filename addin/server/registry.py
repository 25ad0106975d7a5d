"""jixiao's scripts and UDFs as xlwings Server registers them: the desktop functions, wrapped, never copied.

xlwings Server finds scripts in a ``custom_scripts`` module and UDFs in a ``custom_functions``
module of its project folder (``project/`` beside this file); both re-export what is built here.
Each script is the very function the desktop 校验 button runs (``jixiao.addin.validate`` …), taken
with :func:`inspect.unwrap` so that it does not matter whether ``jixiao.addin`` was imported with
xlwings in server mode or not, then wrapped by :func:`xlwings.server.script` with

- the sheets it needs (``include`` / ``exclude``: what Excel posts; see :data:`SCRIPTS`),
- the owner rule: a unit's Excel runs a script only on its own workbook (:func:`.identity.allow`),
- a :class:`~jixiao.errors.JixiaoError` shown to the clerk as an alert, in Chinese.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import xlwings as xw
from xlwings.server import func as server_func
from xlwings.server import script as server_script

from ... import addin
from ...checks.annotate import RESULT_SHEET
from ...errors import JixiaoError
from ...forms.layouts import META_SHEET, PROJECT_MASTER_SHEET, UNIT_SHEET
from ...totals.sheet import SHEET as TOTALS_SHEET
from .identity import CurrentUser, allow

#: Sheets jixiao writes and no script reads: their content never needs to travel to the server. (The hidden
#: marks sheet is read by validate and clear_marks: it is never left out.)
#: A 校验结果 sheet with hundreds of findings, or a 支出计划汇总, is most of a large workbook's payload.
OUTPUTS = [RESULT_SHEET, TOTALS_SHEET]

#: What each script needs Excel to post (xlwings' include/exclude; sheet names always travel).
#: ``add_project`` copies the master and needs only the unit (for the owner rule) and the template info.
SCRIPTS: dict[str, dict[str, Any]] = {
    "validate": {"name": "校验", "exclude": OUTPUTS},
    "clear_marks": {"name": "清除标记", "exclude": OUTPUTS},
    "refresh_totals": {"name": "支出汇总", "exclude": OUTPUTS},
    "add_project": {"name": "新增项目", "include": [UNIT_SHEET, META_SHEET, PROJECT_MASTER_SHEET]},
    "export_docx": {"name": "导出 Word", "exclude": OUTPUTS},
}

#: The UDFs that work on values alone (Office.js passes a UDF values, never a Range with its position,
#: so ``JX_CHECK_PROJECT``, which needs the sheet and origin of its range, stays desktop-only).
FUNCTIONS = ["JX_PLAN_AMOUNT", "JX_PARSE_VALUE"]


def desktop(name: str) -> Callable[..., Any]:
    """The function the desktop button ``name`` runs (undecorated, whatever mode xlwings was imported in)."""
    return inspect.unwrap(getattr(addin, name))


def _registered(name: str) -> Callable[..., Any]:
    body = desktop(name)

    def run(book: xw.Book, current_user: CurrentUser) -> None:
        allow(book, current_user)  # raises HTTP 403 for another unit's workbook
        try:
            body(book)
        except JixiaoError as exc:
            book.app.alert(f"{exc}", title="jixiao 绩效")

    run.__name__ = run.__qualname__ = name
    run.__doc__ = body.__doc__
    return server_script(**SCRIPTS[name])(run)


def _function(name: str) -> Callable[..., Any]:
    f = desktop(name)
    if not hasattr(f, "__xlfunc__"):  # jixiao.addin imported outside server mode: register it now
        f = server_func(f)
    # the return annotations (float | str, list[list[Any]]) are for readers; xlwings Server would take
    # them for converters: the values go back as they are, as the desktop UDFs return them
    f.__xlfunc__["ret"]["options"].pop("convert", None)
    return f


validate = _registered("validate")
clear_marks = _registered("clear_marks")
refresh_totals = _registered("refresh_totals")
add_project = _registered("add_project")
export_docx = _registered("export_docx")

JX_PLAN_AMOUNT = _function("JX_PLAN_AMOUNT")
JX_PARSE_VALUE = _function("JX_PARSE_VALUE")

__all__ = [*SCRIPTS, *FUNCTIONS]
