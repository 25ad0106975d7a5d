"""OS errors in Chinese: the one place an ``OSError`` becomes words a clerk reads.

``strerror`` is English ("No space left on device") and must not reach a clerk;
every message that shows why a file could not be read or written goes through
:func:`os_reason`.

>>> import errno
>>> os_reason(OSError(errno.ENOSPC, "No space left on device"))
'磁盘已满'
>>> os_reason(PermissionError(errno.EACCES, "Permission denied"), writing=True)
'没有写入权限'
"""

from __future__ import annotations

import errno
import os
import re

_REASONS = {
    errno.ENOENT: "文件不存在",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EFBIG: "文件超过系统允许的大小",
    errno.EROFS: "磁盘是只读的",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EEXIST: "文件已存在",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ETXTBSY: "文件正被其他程序占用",
    errno.EIO: "磁盘读写出错（磁盘或网络盘可能有故障）",
    errno.ELOOP: "链接层层相套，形成了循环",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "同时打开的文件太多",
    errno.ENXIO: "设备不存在",
    errno.ENODEV: "设备不存在",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.EINVAL: "文件名或参数无效",
    errno.ESTALE: "网络盘上的文件已失效，请重新连接",
    errno.ETIMEDOUT: "网络盘连接超时",
}
_DENIED = (errno.EACCES, errno.EPERM)


def os_reason(exc: BaseException, *, writing: bool = False) -> str:
    """The cause of ``exc`` in Chinese (``writing``: say 写入 rather than 读取 for a permission error)."""
    code = getattr(exc, "errno", None)
    if code in _DENIED:
        return "没有写入权限" if writing else "没有读取权限"
    if code in _REASONS:
        return _REASONS[code]
    if isinstance(exc, OSError) and code is not None:
        return f"系统错误（{errno.errorcode.get(code, code)}）"
    return "系统错误"


_LIBXML_IO = re.compile(r"\bIO_(E[A-Z0-9]+)\b")  # lxml reports a failed write as "IO_ENOSPC"


def disk_error(exc: BaseException | None) -> OSError | None:
    """The ``OSError`` behind ``exc``, if any: itself, one it wraps (xlsxwriter passes it as an
    argument, others chain it), or the errno name in an lxml ``SerialisationError``."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError):
            return exc
        for arg in exc.args:
            if isinstance(arg, OSError):
                return arg
        named = _LIBXML_IO.search(str(exc))
        if named and hasattr(errno, named.group(1)):
            code = getattr(errno, named.group(1))
            return OSError(code, os.strerror(code))
        exc = exc.__cause__ or exc.__context__
    return None
