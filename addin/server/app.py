"""The add-in's server: xlwings Server (the ``xlwings-server`` package) with jixiao's project folder.

Nothing of xlwings Server is copied here. Its app (routes ``/manifest``, ``/taskpane.html``,
``/xlwings/custom-scripts-call/{script}``, ``/xlwings/custom-functions-*``, ``/static/…``) is used as
it ships; jixiao supplies what xlwings Server expects a project folder to hold (``project/``): the
scripts and UDFs (:mod:`.registry`, the desktop functions), the custom auth provider
(:mod:`.identity`, the 报送站's accounts), the manifest with its 绩效 tab and the Chinese task pane.
``xlwings-server init`` would scaffold such a folder into the working directory; jixiao ships it
inside the package instead, so ``pip install "jixiao[server]"`` is the whole installation.

``jixiao serve`` mounts this app behind the 报送站 (one process, one login)::

    jixiao serve --data 站点数据 --public-url https://jixiao.example.gov.cn

xlwings' server parts are under the PolyForm Noncommercial licence, which counts government
institutions as noncommercial users (``XLWINGS_LICENSE_KEY=noncommercial``).
"""

from __future__ import annotations

from typing import Any

from .settings import configure


def create_addin_app(site: Any, *, public_url: str | None = None, addin_id: str | None = None) -> Any:
    """xlwings Server's ASGI app, taking the add-in's calls for ``site``'s accounts.

    ``public_url`` (https) and ``addin_id`` (a UUID) go into the manifest; without ``public_url`` the
    manifest names the address it was fetched from, as xlwings Server does.
    """
    configure(public_url=public_url, addin_id=addin_id)
    from xlwings_server.main import main_app  # noqa: PLC0415 - after configure(): settings are read on import

    from .identity import use_site

    use_site(site)
    return Gate(main_app, site)


class Gate:
    """In front of xlwings Server: an add-in call (a POST under ``/xlwings/``) must carry a valid 报送站
    credential before its body is read (xlwings Server would build the workbook from an anonymous 20 MB post
    before asking who sent it), and a script call must name one of jixiao's scripts (404, in Chinese).
    The custom auth provider still decides who the caller is; this only turns strangers away early."""

    def __init__(self, app: Any, site: Any):
        self.app, self.site = app, site

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].startswith("/xlwings/"):
            from fastapi.concurrency import run_in_threadpool
            from fastapi.responses import JSONResponse

            from .registry import SCRIPTS

            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1").strip()
            token = header[7:].strip() if header.lower().startswith("bearer ") else header
            who = await run_in_threadpool(self.site.auth.from_token, token) if token else None
            if who is None:
                detail = "登录已失效或登录码不正确，请在任务窗格中重新登录" if token else "请先在任务窗格中输入登录码登录"
                response = JSONResponse({"detail": detail}, 401, headers={"WWW-Authenticate": "Bearer"})
                return await response(scope, receive, send)
            prefix = "/xlwings/custom-scripts-call/"
            if scope["path"].startswith(prefix) and scope["path"][len(prefix):] not in SCRIPTS:
                name = scope["path"][len(prefix):]
                return await JSONResponse({"detail": f"没有名为 {name} 的脚本"}, 404)(scope, receive, send)
        return await self.app(scope, receive, send)
