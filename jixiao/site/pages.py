"""The 报送站's server-rendered pages (Jinja2, Chinese, no build step): login, the unit's page, the bureau's
dashboard. Every form carries a CSRF token bound to the session cookie (or, before login, to a pre-login
cookie); the session is a signed token in an HttpOnly cookie.
"""

from __future__ import annotations

import datetime as dt
import secrets
import urllib.parse
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .access import SESSION_COOKIE, client_ip, current, explain, return_submission, status_of
from .auth import TOKEN_AGE
from .service import BEIJING, MAX_UPLOAD, STATUS_ZH, beijing, submit
from .store import TooLarge

PRE_COOKIE = "jx_pre"


def _late(at: str | None, deadline: str | None) -> bool:
    """``at`` (an ISO time; None: now) falls after the deadline's day has ended in Beijing."""
    if not deadline:
        return False
    when = dt.datetime.fromisoformat(at) if at else dt.datetime.now(dt.timezone.utc)
    return when.astimezone(BEIJING).date().isoformat() > deadline


env = Environment(loader=FileSystemLoader(str(Path(__file__).with_name("templates"))),
                  autoescape=select_autoescape(["html"]))
env.filters["bj"] = beijing
env.globals["late"] = _late


#: The framework's own English answers, as a clerk reads them.
FRAMEWORK_ZH = {"Not Found": "没有这个页面，请检查网址，或从首页进入", "Method Not Allowed": "页面已过期，请从首页重新进入"}
TITLES = {400: "请求不完整", 403: "没有权限", 404: "没有找到", 413: "文件太大", 422: "无法处理", 500: "服务器出错"}


#: What a redirect may say on the page it leads to, by key: a link cannot put words of its own on the site's
#: pages (``/login?error=请拨打…`` showed any text as the site's message).
NOTICES = {"unit-login": "登录码不正确，请核对财政局发放的登录码", "bureau-login": "用户名或密码不正确",
           "no-file": "请先点“选择文件”选中要提交的工作簿，再点“提交”", "no-reason": "退回时请填写退回原因（单位会看到）"}


def error_page(status: int, text: str, home: str = "/") -> HTMLResponse:
    """A page's error in the site's own layout, with a way back (the form just sent is one step back)."""
    text = FRAMEWORK_ZH.get(text, text)
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):  # the framework's own words (a form cut short)
        text = "请求不完整或格式不正确（可能是上传时网络中断），请返回上一页重新提交" if status == 400 else "出错了，请返回上一页重试"
    html = env.get_template("error.html").render(who=None, task=None, title=TITLES.get(status, "出错了"),
                                                 text=text, home=home)
    return HTMLResponse(html, status, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})


def register_pages(app: FastAPI, site) -> None:
    def markable(submission: dict[str, Any]) -> bool:
        """The stored file is a workbook (a marked copy can be made): not a zip, an .xls or an empty file."""
        from ..errors import JixiaoError
        from ..forms.grid import sniff

        try:
            sniff(site.store.files.path(submission["sha256"]))
        except JixiaoError:
            return False
        return True

    def csrf_for(request: Request) -> str:
        bound = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_COOKIE) or ""
        return site.auth.csrf_token(bound) if bound else ""

    def check_csrf(request: Request, sent: str | None) -> None:
        bound = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_COOKIE) or ""
        if not bound or not site.auth.csrf_ok(bound, sent):
            raise HTTPException(403, "页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试")

    def page(request: Request, name: str, **ctx: Any) -> HTMLResponse:
        p = current(request)
        who = None if p is None else (f"财政局 {p.name}" if p.kind == "bureau" else f"{p.name} {p.unit_name}")
        html = env.get_template(name).render(who=who, csrf=ctx.pop("csrf", None) or csrf_for(request),
                                             status_zh=STATUS_ZH, max_mb=MAX_UPLOAD // 2**20, **ctx)
        response = HTMLResponse(html, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})
        return response

    def cookie(response, request: Request, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")

    def need(request: Request, kind: str):
        p = current(request)
        if p is None:
            raise HTTPException(401, "请先登录")
        if p.kind != kind:
            raise HTTPException(403, "没有权限访问此页面")
        return p

    @app.get("/", include_in_schema=False)
    def root(request: Request):
        p = current(request)
        return RedirectResponse("/login" if p is None else ("/bureau" if p.kind == "bureau" else "/unit"), 303)

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, error: str | None = None):
        pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
        response = page(request, "login.html", csrf=site.auth.csrf_token(pre), task=site.store.task(),
                        error=NOTICES.get(error or ""))
        cookie(response, request, PRE_COOKIE, pre, 86400)
        return response

    @app.post("/login", include_in_schema=False)
    async def login_form(request: Request, kind: str = Form(...), csrf: str = Form(""), code: str = Form(""),
                         user: str = Form(""), password: str = Form("")):
        pre = request.cookies.get(PRE_COOKIE) or ""
        if not pre or not site.auth.csrf_ok(pre, csrf):
            raise HTTPException(403, "页面已过期，请刷新登录页后重试")
        from fastapi.concurrency import run_in_threadpool
        import asyncio

        key = f"{client_ip(request)}|" + ("code" if kind == "unit" else f"user:{user}")  # as the API counts
        if delay := site.auth.delay_for(key):
            await asyncio.sleep(delay)
        if kind == "unit":
            p = await run_in_threadpool(site.auth.login_unit, code)
        else:
            p = await run_in_threadpool(site.auth.login_bureau, user, password)
        if p is None:
            site.auth.failed(key)
            await run_in_threadpool(site.store.log, "登录码" if kind == "unit" else f"用户 {user[:50]}",
                                    "login_failed", key)
            return RedirectResponse(f"/login?error={'unit' if kind == 'unit' else 'bureau'}-login", 303)
        site.auth.succeeded(key)
        await run_in_threadpool(site.store.log, p.actor, "login", key, via="page")
        response = RedirectResponse("/bureau" if p.kind == "bureau" else "/unit", 303)
        cookie(response, request, SESSION_COOKIE, site.auth.token_for(p), TOKEN_AGE)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: str = Form("")):
        check_csrf(request, csrf)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- the unit --------------------------------------------------------------------------------------
    @app.get("/unit", include_in_schema=False)
    def unit_page(request: Request, s: int | None = None, notice: str | None = None):
        p = need(request, "unit")
        task = site.store.task_by_id(p.task_id)
        unit = site.store.unit(p.task_id, p.name)
        state = next(u for u in site.store.units_status(p.task_id) if u["unit_code"] == p.name)
        history = site.store.history(p.task_id, p.name)
        sid = s if s is not None else (history[0]["id"] if history else None)
        shown = site.store.submission(sid) if sid is not None else None
        if shown is not None and (shown["task_id"], shown["unit_code"]) != (p.task_id, p.name):
            shown = None  # another unit's submission id: nothing is shown
        # a unit counts its own submissions (第 1 次 is its first), not the ids all units share
        nth = {h["id"]: len(history) - i for i, h in enumerate(history)}
        return page(request, "unit.html", task=task, unit=unit, state=state, history=history, shown=shown,
                    notice=NOTICES.get(notice or ""), nth=nth, markable=shown is not None and markable(shown))

    @app.post("/unit/upload", include_in_schema=False)
    def unit_upload(request: Request, file: UploadFile | None = File(None), csrf: str = Form("")):
        check_csrf(request, csrf)
        p = need(request, "unit")
        if file is None or not file.filename:
            return RedirectResponse("/unit?notice=no-file", 303)
        task = site.store.task_by_id(p.task_id)
        unit = site.store.unit(p.task_id, p.name)
        try:
            result = submit(site.store, task, unit, file.file, file.filename, actor=p.actor, ip=client_ip(request))
        except TooLarge as exc:
            raise HTTPException(413, str(exc)) from exc
        return RedirectResponse(f"/unit?s={result['submission_id']}#result", 303)

    @app.post("/unit/explain", include_in_schema=False)
    async def unit_explain(request: Request):
        form = await request.form()
        check_csrf(request, form.get("csrf"))
        p = need(request, "unit")
        sid = str(form.get("sid") or "")
        sub = site.store.submission(int(sid)) if sid.isdigit() else None
        if sub is None or (sub["task_id"], sub["unit_code"]) != (p.task_id, p.name):
            raise HTTPException(404, "没有这份报送记录")
        texts = {k[2:]: v for k, v in form.items() if k.startswith("w_")}
        explain(site, p, sub, texts, client_ip(request))
        return RedirectResponse(f"/unit?s={sid}#result", 303)

    # -- the bureau -----------------------------------------------------------------------------------
    @app.get("/bureau", include_in_schema=False)
    def bureau_page(request: Request, status: str = "", dept: str = "", q: str = "", year: int | None = None,
                    notice: str | None = None, unit: str = ""):
        need(request, "bureau")
        task = site.store.task(year)
        if task is None:
            return page(request, "notask.html", task=None, year=year, latest=site.store.task() if year else None)
        s = status_of(site, task)
        units = site.store.units_status(task["id"])
        rows = [u for u in units if (not status or u["status"] == status) and (not dept or u["department"] == dept)
                and (not q or q in u["unit_code"] or q in u["unit_name"])]
        chasing = [u for u in units if u["status"] != "submitted"]
        chase = "\n".join(
            f"{u['unit_code']}\t{u['unit_name']}\t{STATUS_ZH[u['status']]}\t{u['contact'] or ''}\t{u['phone'] or ''}"
            for u in chasing)
        departments = sorted({u["department"] for u in units if u["department"]})
        returned = next((f"已退回 {u['unit_code']} {u['unit_name']}" for u in units
                         if notice == "returned" and u["unit_code"] == unit), None)
        return page(request, "bureau.html", task=task, s=s, rows=rows, chase=chase, chasing=chasing, departments=departments,
                    f={"status": status, "dept": dept, "q": q}, notice=returned)

    @app.get("/bureau/submission/{sid}", include_in_schema=False)
    def bureau_submission(request: Request, sid: int, notice: str | None = None):
        need(request, "bureau")
        sub = site.store.submission(sid)
        if sub is None:
            raise HTTPException(404, "没有这份报送记录")
        unit = site.store.unit(sub["task_id"], sub["unit_code"])
        state = next(u for u in site.store.units_status(sub["task_id"]) if u["unit_code"] == sub["unit_code"])
        history = site.store.history(sub["task_id"], sub["unit_code"])
        nth = {h["id"]: len(history) - i for i, h in enumerate(history)}
        return page(request, "submission.html", task=site.store.task_by_id(sub["task_id"]), sub=sub, unit=unit,
                    state=state, is_current=unit["current_id"] == sid, history=history, nth=nth,
                    notice=NOTICES.get(notice or ""), markable=markable(sub))

    @app.post("/bureau/return", include_in_schema=False)
    def bureau_return(request: Request, sid: int = Form(...), reason: str = Form(""), csrf: str = Form("")):
        check_csrf(request, csrf)
        p = need(request, "bureau")
        sub = site.store.submission(sid)
        if sub is None:
            raise HTTPException(404, "没有这份报送记录")
        if not reason.strip():  # back to the form, not to a page of its own
            return RedirectResponse(f"/bureau/submission/{sid}?notice=no-reason#return-form", 303)
        return_submission(site, p, sub, reason, client_ip(request))
        return RedirectResponse(f"/bureau?notice=returned&unit={urllib.parse.quote(sub['unit_code'])}", 303)
