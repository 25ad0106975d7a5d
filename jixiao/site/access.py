"""Who is asking and what they may reach: the site every request shares, the principal behind a
request (a Bearer credential or the session cookie), and the records a unit or the bureau may act on.

Both the JSON API (:mod:`.app`) and the pages (:mod:`.pages`) go through these, so a page and its API
call answer alike (the same 403, the same 404 for another unit's submission).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, HTTPException, Request

from .auth import Auth, Principal
from .service import SummaryBuilder, warning_indexes
from .store import Store

SESSION_COOKIE = "jx_session"


class Site:
    """What every request needs: the store, the authenticator, the summary builder."""

    def __init__(self, data: str | Path, db: str | None = None):
        self.store = Store(data, db)
        self.auth = Auth(self.store)
        self.summary = SummaryBuilder(self.store)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "-"


def site_of(request: Request) -> Site:
    return request.app.state.site


def current(request: Request, *, cookie: bool = True) -> Principal | None:
    """The Bearer credential (a token or a 登录码), else — for reads and the pages — the session cookie."""
    site = site_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return site.auth.from_token(header[7:].strip())
    if cookie and (session := request.cookies.get(SESSION_COOKIE)):
        return site.auth.from_token(session)
    return None


def require(request: Request) -> Principal:
    p = current(request, cookie=request.method == "GET")  # a cookie never authorises a write: no CSRF here
    if p is None:
        raise HTTPException(401, "请先登录（缺少或无效的登录凭据）", headers={"WWW-Authenticate": "Bearer"})
    return p


def require_bureau(p: Principal = Depends(require)) -> Principal:
    if p.kind != "bureau":
        raise HTTPException(403, "只有财政局账号可以使用此功能")
    return p


def require_unit(p: Principal = Depends(require)) -> Principal:
    if p.kind != "unit":
        raise HTTPException(403, "只有报送单位可以提交工作簿")
    return p


def task_for(site: Site, p: Principal, year: int | None = None) -> dict[str, Any]:
    task = site.store.task_by_id(p.task_id) if p.kind == "unit" else site.store.task(year)
    if task is None:
        raise HTTPException(404, "还没有报送任务（请先执行 jixiao serve task）" if year is None
                            else f"没有 {year} 年度的报送任务")
    return task


def submission_for(site: Site, p: Principal, sid: int) -> dict[str, Any]:
    """The submission, if ``p`` may see it: the bureau sees all, a unit only its own (others are 404)."""
    sub = site.store.submission(sid)
    if sub is None or (p.kind == "unit" and (sub["task_id"], sub["unit_code"]) != (p.task_id, p.name)):
        raise HTTPException(404, "没有这份报送记录")
    return sub


def explain(site: Site, p: Principal, sub: dict[str, Any], texts: dict[Any, Any], ip: str | None) -> int:
    allowed = set(warning_indexes(sub))
    issues = sub["report"]["files"][0]["issues"]
    clean: dict[int, tuple[str, str]] = {}
    for key, text in texts.items():
        try:
            i = int(key)
        except (TypeError, ValueError):
            raise HTTPException(422, f"说明的编号 {key!r} 无效") from None
        if i not in allowed:
            raise HTTPException(422, f"第 {i} 条不是需要说明的提示")
        clean[i] = (issues[i]["code"], str(text or "")[:2000])
    n = site.store.explain(sub["id"], clean)
    site.store.log(p.actor, "explain", ip, submission_id=sub["id"], count=n)
    return n


def return_submission(site: Site, p: Principal, sub: dict[str, Any], reason: str, ip: str | None) -> None:
    reason = reason.strip()
    if not reason:
        raise HTTPException(422, "退回时请填写退回原因")
    unit = site.store.unit(sub["task_id"], sub["unit_code"])
    if unit is None or unit["current_id"] != sub["id"]:
        raise HTTPException(409, "只能退回单位当前的报送")
    site.store.return_submission(sub["id"], reason[:2000], p.name)
    site.store.log(p.actor, "return", ip, submission_id=sub["id"], unit=sub["unit_code"], reason=reason[:2000])


def status_of(site: Site, task: dict[str, Any]) -> dict[str, Any]:
    units = site.store.units_status(task["id"])
    public = ("unit_code", "unit_name", "status", "submitted_at", "filename", "errors", "warnings")
    return {"year": task["year"], "deadline": task.get("deadline"), "roster": len(units),
            "submitted": sum(u["status"] == "submitted" for u in units),
            "rejected": sum(u["status"] == "rejected" for u in units),
            "missing": [{"unit_code": u["unit_code"], "unit_name": u["unit_name"]}
                        for u in units if u["status"] == "missing"],
            "units": [{k: u[k] for k in public} | {"return_reason": u["return_reason"]} for u in units]}
