"""Who an add-in call comes from: the 报送站's accounts, through xlwings Server's custom auth provider.

The task pane signs in with the unit's 登录码 (``POST /api/v1/login``, the 报送站's own endpoint) and sends
the token it gets back as ``Authorization: Bearer …`` with every call; a bureau account's token works
too. :func:`validate_token` is the provider (``project/auth/custom``); :func:`allow` is the owner rule a
script applies to the posted workbook: a unit's Excel works only on a workbook whose 单位编码 is that
unit's (the identity rule the 报送站 uses for uploads, :func:`jixiao.forms.values.identity_key`).
"""

from __future__ import annotations

from typing import Any

from . import settings as _settings  # noqa: F401 - xlwings Server's settings before its first import

from fastapi import HTTPException, status  # noqa: E402
from xlwings_server.models import CurrentUser, User  # noqa: E402

from ...errors import JixiaoError  # noqa: E402
from ...forms.values import identity_key  # noqa: E402

__all__ = ["CurrentUser", "validate_token", "allow", "use_site"]

_site: dict[str, Any] = {}


def use_site(site: Any) -> None:
    """The 报送站 (its store and authenticator) whose accounts the add-in accepts."""
    _site["site"] = site


def _refuse(detail: str, code: int = status.HTTP_401_UNAUTHORIZED) -> HTTPException:
    return HTTPException(status_code=code, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def validate_token(token_string: str) -> User:
    """The provider xlwings Server calls with the Authorization header of every add-in request."""
    site = _site.get("site")
    if site is None:
        raise _refuse("加载项未连接报送站（请用 jixiao serve 启动）", status.HTTP_503_SERVICE_UNAVAILABLE)
    token = token_string.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise _refuse("请先在任务窗格中输入登录码登录")
    from fastapi.concurrency import run_in_threadpool

    p = await run_in_threadpool(site.auth.from_token, token)
    if p is None:
        raise _refuse("登录已失效或登录码不正确，请在任务窗格中重新登录")
    if p.kind == "unit":
        return User(id=f"unit:{p.task_id}:{p.name}", name=p.actor, roles=["unit"],
                    claims={"kind": "unit", "unit_code": p.name, "task_id": p.task_id, "unit_name": p.unit_name})
    return User(id=f"bureau:{p.name}", name=p.actor, roles=["bureau"], claims={"kind": "bureau"})


def book_unit_code(book: Any) -> str | None:
    """The 单位编码 of a posted workbook, read from its 单位信息 sheet alone."""
    from ...forms.grid import Grid
    from ...forms.layouts import META_SHEET, UNIT_SHEET
    from ...forms.reader import read_grid
    from .. import live

    names = [s.name for s in book.sheets]
    wanted = [n for n in names if n in (META_SHEET, UNIT_SHEET)]
    grid = Grid(wanted, lambda name: live.sheet_data(book.sheets[name]), source=book.name)
    return read_grid(grid, department=False).unit.code


def allow(book: Any, user: User) -> None:
    """Let a unit run a script only on its own workbook (403 otherwise); the bureau on any workbook."""
    claims = user.claims or {}
    if claims.get("kind") == "bureau":
        return
    if claims.get("kind") != "unit":  # no provider configured: nobody is let in
        raise _refuse("请先登录")
    try:
        code = book_unit_code(book)
    except JixiaoError as exc:  # not a jixiao unit workbook: nothing to check it against, so nothing is done
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"此工作簿不是 jixiao 的单位工作簿，加载项不处理它：{exc}") from None
    except Exception:  # noqa: BLE001 - whatever it is, it cannot be shown to be this unit's
        raise HTTPException(status.HTTP_403_FORBIDDEN, "无法读取此工作簿的“单位信息”表，加载项不处理它。") from None
    if identity_key(code) != identity_key(claims["unit_code"]):
        unit = f"{claims['unit_code']} {claims.get('unit_name') or ''}".strip()
        if not identity_key(code):
            detail = f"此工作簿还没有填写单位编码：请在“单位信息”表中填写本单位的单位编码（{claims['unit_code']}）后再试。"
        else:
            detail = f"此工作簿的单位编码为 {code}，与登录的单位 {unit} 不符：加载项只处理本单位的工作簿。"
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail)
