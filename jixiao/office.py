"""LibreOffice headless as a real spreadsheet client: recalculate, convert, render PDF.

Each call gets its own user profile (``-env:UserInstallation``) so parallel
calls do not fight over one. Never use it to re-save a template: it drops
codeNames and VBA references.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import JixiaoError


class LibreOfficeMissing(JixiaoError):
    """LibreOffice (soffice) is not installed."""


def soffice() -> str | None:
    """The soffice executable, or ``None`` when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


# Recalculate every formula on load (OOXML and ODF); LibreOffice's default keeps
# the cached results, which would hide a formula that points at the wrong cell.
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _always_recalculate(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")


def convert(path: str | Path, to: str, outdir: str | Path, *, timeout: float = 180) -> Path:
    """Convert ``path`` with LibreOffice (``to`` = ``pdf``, ``xlsx``, …); returns the output file.

    Converting to xlsx recalculates every formula, which is how the tests check
    that a workbook's formulas agree with Python.
    """
    exe = soffice()
    if exe is None:
        raise LibreOfficeMissing("未安装 LibreOffice（soffice），无法转换；请安装 libreoffice-calc 后重试")
    src = Path(path).resolve()
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as profile:
        _always_recalculate(Path(profile))
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", to, "--outdir", str(outdir), str(src)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    target = outdir / f"{src.stem}.{to.split(':')[0]}"
    if done.returncode != 0 or not target.exists():
        raise JixiaoError(f"LibreOffice 转换失败：{done.stderr.strip() or done.stdout.strip()}")
    return target
