"""The 报送站's web application: the JSON API (a contract, see the README), the pages, and the add-in's
xlwings-server endpoint mounted beside them so that one service serves both.

>>> app = create_app("站点数据")  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

from fastapi import Body, Depends, FastAPI, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from .access import (
    Site, client_ip, explain, require, require_bureau, require_unit, return_submission, status_of, submission_for,
    task_for,
)
from .auth import Principal
from .pages import register_pages
from .service import MAX_UPLOAD, marked_copy, submit, warning_indexes, workbook_suffix
from .store import Store, TooLarge

class BodyLimit:
    """Refuse an upload whose declared size is over the limit before any of it is read (413)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST":
            length = dict(scope["headers"]).get(b"content-length", b"0")
            if length.isdigit() and int(length) > self.limit:
                text = f"文件超过 {MAX_UPLOAD // 2**20} MB 的上传限制"
                if scope["path"].startswith("/api/"):
                    response = JSONResponse({"detail": text}, 413)
                else:
                    from .pages import error_page
                    response = error_page(413, f"{text}，未予接收。单位工作簿一般不到 1 MB，请检查是否选错了文件",
                                          home="/unit")
                return await response(scope, receive, send)
        return await self.app(scope, receive, send)


API_ZH = {"Not Found": "没有这个接口", "Method Not Allowed": "此接口不支持这种请求方式"}


class ChineseErrors:
    """The framework's English 404/405 (``{"detail": "Not Found"}`` from the router or the add-in mounted at
    ``/``) reworded: a page in Chinese for a page address, a Chinese ``detail`` for the API. Other answers
    pass untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        held: list[dict] = []

        async def reword(message):
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers") or []).get(b"content-type", b"")
                if message["status"] in (404, 405) and ctype.startswith(b"application/json"):
                    held.append(message)  # looked at with its body
                    return
                return await send(message)
            if not held:
                return await send(message)
            held.append(message)
            if message.get("more_body"):
                return
            body = b"".join(m.get("body", b"") for m in held[1:])
            try:
                detail = json.loads(body).get("detail")
            except (ValueError, AttributeError):
                detail = None
            if detail not in API_ZH:
                for m in held:
                    await send(m)
                return
            status = held[0]["status"]
            if scope["path"].startswith("/api/") or scope["path"].startswith("/xlwings/"):
                response = JSONResponse({"detail": API_ZH[detail]}, status)
            else:
                from .pages import error_page
                response = error_page(status, detail)
            held.clear()
            await response(scope, receive, send)

        return await self.app(scope, receive, reword)


def attachment(name: str) -> dict[str, str]:
    """Content-Disposition for a Chinese file name (RFC 6266 / 5987), with an ASCII fallback."""
    ascii_name = "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_" for ch in name)
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                   f"filename*=UTF-8''{urllib.parse.quote(name)}"}


def download_name(sub: dict[str, Any], store: Store, suffix: str = "", ext: str = ".xlsx") -> str:
    unit = store.unit(sub["task_id"], sub["unit_code"]) or {"name": ""}
    return f"{sub['unit_code']}_{unit['name']}_第{store.ordinal(sub)}次{suffix}{ext}"


#: the media type of a download by its extension (a macro workbook named .xlsx is refused by Excel)
MEDIA = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12"}


def create_app(data: str | Path, db: str | None = None, *, mount_addin: bool = True,
               public_url: str | None = None, addin_id: str | None = None) -> FastAPI:
    """The 报送站, with the Excel add-in (xlwings Server, ``jixiao.addin.server``) mounted behind it when
    ``xlwings-server`` is installed. ``public_url``/``addin_id`` go into the add-in's manifest."""
    app = FastAPI(title="jixiao 报送站", docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json")
    site = Site(data, db)
    app.state.site = site
    app.add_middleware(BodyLimit, limit=MAX_UPLOAD + 2**16)  # the multipart envelope around the file
    app.add_middleware(ChineseErrors)

    @app.get("/api/v1/health")
    def health() -> dict[str, Any]:
        return {"ok": True}

    @app.post("/api/v1/login")
    async def login(request: Request, body: dict[str, Any] = Body(...)) -> JSONResponse:
        # failures count per address and account (all 登录码 of an address count together)
        key = f"{client_ip(request)}|" + ("code" if "code" in body else f"user:{body.get('user')}")
        delay = site.auth.delay_for(key)
        if delay:  # repeated failures from this address: each answer comes later
            await asyncio.sleep(delay)
        if "code" in body:
            p = await run_in_threadpool(site.auth.login_unit, str(body.get("code") or ""))
        else:
            p = await run_in_threadpool(site.auth.login_bureau, str(body.get("user") or ""),
                                        str(body.get("password") or ""))
        if p is None:
            site.auth.failed(key)
            who = "登录码" if "code" in body else f"用户 {str(body.get('user'))[:50]}"
            await run_in_threadpool(site.store.log, who, "login_failed", key)
            return JSONResponse({"detail": "登录码不正确" if "code" in body else "用户名或密码不正确"}, 401)
        site.auth.succeeded(key)
        await run_in_threadpool(site.store.log, p.actor, "login", key, via="api")
        return JSONResponse({"token": site.auth.token_for(p), "kind": p.kind})

    @app.post("/api/v1/submissions")
    def post_submission(request: Request, file: UploadFile = File(...),
                        p: Principal = Depends(require_unit)) -> dict[str, Any]:
        task = task_for(site, p, None)
        unit = site.store.unit(p.task_id, p.name)
        try:
            return submit(site.store, task, unit, file.file, file.filename, actor=p.actor, ip=client_ip(request))
        except TooLarge as exc:
            raise HTTPException(413, str(exc)) from exc

    @app.get("/api/v1/submissions")
    def list_submissions(unit_code: str | None = None, year: int | None = None,
                         p: Principal = Depends(require)) -> dict[str, Any]:
        task = task_for(site, p, year)
        code = p.name if p.kind == "unit" else unit_code
        if code is None:
            raise HTTPException(422, "请指定 unit_code")
        return {"year": task["year"], "unit_code": code, "submissions": site.store.history(task["id"], code)}

    @app.get("/api/v1/submissions/{sid}")
    def get_submission(sid: int, p: Principal = Depends(require)) -> dict[str, Any]:
        sub = submission_for(site, p, sid)
        unit = site.store.unit(sub["task_id"], sub["unit_code"])
        return {**sub, "current": unit is not None and unit["current_id"] == sid,
                "warnings_to_explain": warning_indexes(sub)}

    @app.get("/api/v1/submissions/{sid}/file")
    def get_file(sid: int, p: Principal = Depends(require)) -> FileResponse:
        sub = submission_for(site, p, sid)
        path = site.store.files.path(sub["sha256"])
        ext = workbook_suffix(path)
        return FileResponse(path, headers=attachment(download_name(sub, site.store, ext=ext)), media_type=MEDIA[ext])

    @app.get("/api/v1/submissions/{sid}/marked.xlsx")
    def get_marked(sid: int, p: Principal = Depends(require)) -> FileResponse:
        sub = submission_for(site, p, sid)  # a clean file is marked too: its 校验结果 sheet says so
        tmp = Path(tempfile.mkdtemp(prefix="jixiao-marked-"))
        try:
            out = marked_copy(site.store, sub, tmp / "marked.xlsx")
        except Exception as exc:  # noqa: BLE001 - an unreadable upload cannot be marked
            shutil.rmtree(tmp, ignore_errors=True)
            raise HTTPException(422, f"这份文件无法生成标注副本：{exc}") from exc
        return FileResponse(out, headers=attachment(download_name(sub, site.store, "_标注", out.suffix)),
                            background=BackgroundTask(shutil.rmtree, tmp, True), media_type=MEDIA[out.suffix])

    @app.post("/api/v1/submissions/{sid}/explanations")
    def post_explanations(request: Request, sid: int, body: dict[str, Any] = Body(...),
                          p: Principal = Depends(require_unit)) -> dict[str, Any]:
        sub = submission_for(site, p, sid)
        return {"stored": explain(site, p, sub, body.get("explanations") or {}, client_ip(request))}

    @app.post("/api/v1/submissions/{sid}/return")
    def post_return(request: Request, sid: int, body: dict[str, Any] = Body(...),
                    p: Principal = Depends(require_bureau)) -> dict[str, Any]:
        sub = submission_for(site, p, sid)
        return_submission(site, p, sub, str(body.get("reason") or ""), client_ip(request))
        return {"ok": True}

    @app.get("/api/v1/status")
    def status(year: int | None = None, p: Principal = Depends(require_bureau)) -> dict[str, Any]:
        return status_of(site, task_for(site, p, year))

    @app.get("/api/v1/summary.xlsx")
    def summary(request: Request, year: int | None = None, p: Principal = Depends(require_bureau)) -> FileResponse:
        task = task_for(site, p, year)
        out, result = site.summary.build(task)
        site.store.log(p.actor, "summary", client_ip(request), year=task["year"], units=result.units,
                       files_read=result.read)
        return FileResponse(out, headers={**attachment(out.name), "X-Jixiao-Units": str(result.units),
                                          "X-Jixiao-Files-Read": str(result.read),
                                          "X-Jixiao-Not-Consolidated": str(result.not_consolidated)},
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.get("/api/v1/summary/progress")
    def summary_progress(p: Principal = Depends(require_bureau)) -> dict[str, Any]:
        return site.summary.progress

    @app.get("/api/v1/audit")
    def audit_log(limit: int = 200, p: Principal = Depends(require_bureau)) -> dict[str, Any]:
        return {"entries": site.store.audit_log(min(max(limit, 1), 5000))}

    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError):
        if not request.url.path.startswith("/api/"):  # a page's address or form, edited or cut short
            from .pages import error_page
            return error_page(422, "网址或表单中的内容不正确，请从首页重新进入后再操作")
        where = "；".join(".".join(str(x) for x in e.get("loc", ())) for e in exc.errors()[:5])
        return JSONResponse({"detail": f"请求格式不正确（{where}）", "errors": jsonable(exc.errors())}, 422)

    def navigation(request: Request) -> bool:
        """A page's link followed in the browser (下载标注副本, 下载): not a program, nor the page's fetch()."""
        return "text/html" in request.headers.get("accept", "") and "authorization" not in request.headers

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/") and not navigation(request):
            return JSONResponse({"detail": API_ZH.get(exc.detail, exc.detail)}, exc.status_code,
                                headers=exc.headers)
        from fastapi.responses import RedirectResponse
        if exc.status_code == 401:
            return RedirectResponse("/login", 303)
        from .pages import error_page
        return error_page(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception):  # logged by the server as well
        text = "服务器内部错误，请稍后重试；如一再出现，请联系财政局"
        if request.url.path.startswith("/api/") and not navigation(request):
            return JSONResponse({"detail": text}, 500)
        from .pages import error_page
        return error_page(500, text)

    register_pages(app, site)

    if mount_addin:
        import importlib.util

        # only asked whether it is installed: importing xlwings_server reads its settings, configured first
        # last, at the root: /manifest, /taskpane.html, /xlwings/custom-scripts-call/{script}, /static/…
        if importlib.util.find_spec("xlwings_server") is not None:
            from ..addin.server.app import create_addin_app

            app.mount("/", create_addin_app(site, public_url=public_url,
                                            addin_id=addin_id or site.store.addin_id()))
    return app


def jsonable(value: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    try:
        return jsonable_encoder(value)
    except Exception:  # noqa: BLE001 - the detail is enough
        return None
