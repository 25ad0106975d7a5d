"""How jixiao configures xlwings Server: its settings are read from ``XLWINGS_*`` variables once, when
``xlwings_server`` is first imported, so :func:`configure` runs before that import (every module of
this package that imports ``xlwings_server`` imports this one first).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: The xlwings Server project folder jixiao ships: custom_scripts, custom_functions, the custom auth
#: provider, the manifest and task pane templates, two static scripts.
PROJECT = Path(__file__).parent / "project"

DEFAULTS = {
    "XLWINGS_PROJECT_DIR": str(PROJECT),
    # xlwings' server parts are PolyForm Noncommercial; government institutions count as noncommercial
    "XLWINGS_LICENSE_KEY": "noncommercial",
    "XLWINGS_AUTH_PROVIDERS": json.dumps(["custom"]),  # project/auth/custom: the 报送站's accounts
    "XLWINGS_PROJECT_NAME": "jixiao 绩效",  # the manifest download is named jixiao-prod.xml after it
    "XLWINGS_FUNCTIONS_NAMESPACE": "JX",
    "XLWINGS_ENVIRONMENT": "prod",
    "XLWINGS_ENABLE_SOCKETIO": "false",  # no streaming functions: no websocket endpoint to secure
    "XLWINGS_ENABLE_HOTRELOAD": "false",
    "XLWINGS_ENABLE_EXAMPLES": "false",
    "XLWINGS_ENABLE_HTMX": "false",
    "XLWINGS_ENABLE_ALPINEJS_CSP": "false",
    "XLWINGS_LOG_LEVEL": "WARNING",
}


def configure(*, public_url: str | None = None, addin_id: str | None = None) -> None:
    """Set xlwings Server's settings (before its first import; ``public_url``/``addin_id`` also after)."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ["XLWINGS_PROJECT_DIR"] = str(PROJECT)  # never the working folder's .env or config.py
    if public_url:
        os.environ["XLWINGS_HOSTNAME"] = hostname_of(public_url)
    if addin_id:
        os.environ["XLWINGS_MANIFEST_ID_PROD"] = addin_id
    import sys

    if "xlwings_server.config" in sys.modules:  # already imported: the two per-deployment values still apply
        from xlwings_server.config import settings

        if public_url:
            settings.hostname = hostname_of(public_url)
        if addin_id:
            settings.manifest_id_prod = addin_id


def hostname_of(public_url: str) -> str:
    """``https://jx.example.gov.cn[:port]`` → the host xlwings Server puts in the manifest (always https)."""
    from urllib.parse import urlsplit

    parts = urlsplit(public_url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"加载项地址 {public_url} 须以 https:// 开头（Excel 只加载 HTTPS 地址的加载项），"
                         "如 https://jixiao.example.gov.cn")
    if parts.path not in ("", "/") or parts.query:
        raise ValueError(f"加载项地址 {public_url} 只能是站点根地址（不带路径），如 https://jixiao.example.gov.cn")
    return parts.netloc


configure()
