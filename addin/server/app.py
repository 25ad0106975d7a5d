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
    return main_app
