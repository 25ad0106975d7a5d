"""LibreOffice headless as a real spreadsheet client: recalculate, convert, render PDF.

Each call gets its own user profile (``-env:UserInstallation``) so parallel
calls do not fight over one. Never use it to re-save a template: it drops
codeNames and VBA references.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ..errors import JixiaoError


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


#: seconds a LibreOffice call may take before its whole process tree is ended (JIXIAO_OFFICE_TIMEOUT)
TIMEOUT = float(os.environ.get("JIXIAO_OFFICE_TIMEOUT", "180"))

#: what LibreOffice says when it has no filter for the input (Writer missing, or a damaged file)
_NOT_LOADED = "source file could not be loaded"


def writer_missing() -> bool:
    """True when the LibreOffice found has Calc but no Writer (Debian's libreoffice-calc alone):
    a .docx then cannot be loaded, and LibreOffice only says "source file could not be loaded"."""
    exe = soffice()
    if exe is None:
        return False
    program = Path(os.path.realpath(exe)).parent
    if not any(program.glob("libsclo.*")):
        return False  # not a layout we know (Windows, macOS bundles): do not guess
    return not any(program.glob("libswlo.*"))


def convert(path: str | Path, to: str, outdir: str | Path, *, timeout: float | None = None) -> Path:
    """Convert ``path`` with LibreOffice (``to`` = ``pdf``, ``xlsx``, …); returns the output file.

    Converting to xlsx recalculates every formula, which is how the tests check
    that a workbook's formulas agree with Python. LibreOffice runs in its own
    session; after ``timeout`` seconds (default :data:`TIMEOUT`) the whole
    process group is killed, so no ``soffice.bin`` is left spinning.
    """
    exe = soffice()
    src = Path(path).resolve()
    document = src.suffix.lower() in (".docx", ".doc", ".odt", ".rtf")
    if exe is None:
        needed = "libreoffice-writer" if document else "libreoffice-calc"
        raise LibreOfficeMissing(f"未安装 LibreOffice（soffice），无法转换 {src.name}；请安装 {needed} 后重试")
    if document and writer_missing():
        raise LibreOfficeMissing("已安装的 LibreOffice 没有 Writer 组件，无法把 Word 文档转换为 PDF；"
                                 "请安装 libreoffice-writer 后重试")
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    limit = TIMEOUT if timeout is None else timeout
    profile = tempfile.mkdtemp(prefix="jixiao-lo-")
    try:
        _always_recalculate(Path(profile))
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", to, "--outdir", str(outdir), str(src)]
        code, out, err = _run(cmd, limit, src, Path(profile) / "tmp")
    finally:
        _remove(profile)
    target = outdir / f"{src.stem}.{to.split(':')[0]}"
    if code != 0 or not target.exists():
        said = (err.strip() or out.strip())
        if _NOT_LOADED in said:
            hint = ("多半是没有安装 Writer 组件，请安装 libreoffice-writer 后重试（文件也可能已损坏）" if document
                    else "文件可能已损坏，或不是 LibreOffice 能打开的格式")
            raise JixiaoError(f"LibreOffice 无法打开 {src.name}：{hint}")
        raise JixiaoError(f"LibreOffice 转换 {src.name} 失败（退出码 {code}）")
    return target


def _run(cmd: list[str], timeout: float, src: Path, tmp: Path) -> tuple[int, str, str]:
    """Run LibreOffice in a new session; on timeout (or Ctrl-C) kill its whole process group.

    Its temporary files (``lu*.tmp``) go to ``tmp`` inside the profile, which is removed with it:
    killed, soffice.bin cannot clean up after itself, and they would pile up in the clerk's TEMP."""
    tmp.mkdir(exist_ok=True)
    env = dict(os.environ, TMPDIR=str(tmp), TMP=str(tmp), TEMP=str(tmp))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise JixiaoError(f"LibreOffice 处理 {src.name} 超过 {timeout:g} 秒仍未完成，已结束它的全部进程；"
                          "文件可能过大，可设置环境变量 JIXIAO_OFFICE_TIMEOUT（秒）放宽时限") from None
    except BaseException:
        _kill_group(proc)
        raise
    return proc.returncode, out or "", err or ""


def _remove(folder: str, patience: float = 5) -> None:
    """Remove a LibreOffice profile, again while anything is left: a soffice.bin still dying on a loaded
    machine (Ctrl-C, a timeout) may write into it after the first pass, and it stayed in the clerk's TEMP."""
    deadline = time.monotonic() + patience
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.lexists(folder) or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the session's group: soffice and its soffice.bin
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    try:
        proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass
    _wait_gone(proc.pid)


def _wait_gone(pgid: int, timeout: float = 10) -> None:
    """Wait until no live process is left in group ``pgid``: soffice.bin is soffice's child, not ours, so
    waiting for our child alone returns while it may still be running (and holding its files)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _group_alive(pgid):
        time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError, AttributeError):
        return False
    try:  # a member may be a zombie waiting for its new parent to reap it: that one is gone
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return True  # no /proc: the signal test above is all there is
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[0] != b"Z" and int(fields[2]) == pgid:
            return True
    return False
