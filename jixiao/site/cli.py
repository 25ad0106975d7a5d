"""``jixiao serve``: run the 报送站, create bureau accounts, open a year's task (a contract: see issue 19)."""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from pathlib import Path

import click

from ..cliusage import ChineseGroup
from ..profiles import BUILTIN

DATA = click.option("--data", default=None, type=click.Path(file_okay=False),
                    help="站点数据文件夹（数据库、上传的文件、登录码表），必填。")
DB = click.option("--db", default=None, help="数据库地址，如 postgresql://用户@主机/库名；默认使用数据文件夹中的 SQLite。")


def _need_server() -> None:
    """The 报送站 needs the server extra; without it, say how to install it (not a traceback)."""
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import itsdangerous  # noqa: F401
        import jinja2  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn  # noqa: F401
        import importlib.util
        if not (importlib.util.find_spec("python_multipart") or importlib.util.find_spec("multipart")):
            raise ImportError(name="python-multipart")
    except ImportError as exc:
        click.secho(f"错误：报送站需要另外安装组件（缺少 {exc.name}），请执行：pip install \"jixiao[server]\"",
                    fg="red", err=True)
        sys.exit(2)


def _store(data: str, db: str | None):
    _need_server()
    from .store import Store

    return Store(data, db)


@click.group(cls=ChineseGroup, invoke_without_command=True)
@DATA
@DB
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（内网服务用 0.0.0.0）。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口。")
@click.option("--public-url", default=None,
              help="Excel 加载项的对外地址（HTTPS 根地址，如 https://jixiao.example.gov.cn），写入加载项清单；"
                   "不填时清单使用访问时的地址。")
@click.option("--addin-id", default=None, type=click.UUID,
              help="加载项 ID（UUID）；默认为数据文件夹中首次启动时生成并保存的 ID。")
@click.pass_context
def serve(ctx: click.Context, data: str | None, db: str | None, host: str, port: int, public_url: str | None,
          addin_id) -> None:
    """报送站：单位在网页上提交工作簿，校验有错误的不予接收，财政局查看报送进度、催报、下载汇总。

    \b
    jixiao serve --data 站点数据                                 # 运行
    jixiao serve admin --data 站点数据 --user caizheng            # 创建财政局账号
    jixiao serve task --data 站点数据 --year 2026 --roster 名册.xlsx  # 开启年度报送任务，生成登录码表
    """
    ctx.obj = {"data": data, "db": db}
    if ctx.invoked_subcommand is not None:
        return
    if not data:
        raise click.UsageError("请用 --data 指定站点数据文件夹，如：jixiao serve --data 站点数据")
    _need_server()
    import multiprocessing

    import uvicorn

    # the summary's reader processes start from a clean server process, not forked from this threaded one
    if "forkserver" in multiprocessing.get_all_start_methods():  # POSIX; Windows spawns anyway
        multiprocessing.set_start_method("forkserver", force=True)

    from .app import create_app

    if public_url:
        from ..addin.server.settings import hostname_of

        try:
            hostname_of(public_url)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    app = create_app(data, db, public_url=public_url, addin_id=str(addin_id) if addin_id else None)
    click.echo(f"报送站已启动：http://{host}:{port}/   数据：{Path(data).resolve()}   （Ctrl-C 停止）")
    if any(getattr(r, "path", None) == "" for r in app.routes):  # the add-in (xlwings Server) is mounted
        click.echo(f"Excel 加载项清单：{(public_url or f'http://{host}:{port}').rstrip('/')}/manifest")
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=10)


def _sub_data(ctx: click.Context, data: str | None, db: str | None) -> tuple[str, str | None]:
    parent = ctx.obj or {}
    data = data or parent.get("data")
    if not data:
        raise click.UsageError("请用 --data 指定站点数据文件夹")
    return data, db or parent.get("db")


@serve.command("admin")
@click.option("--data", default=None, type=click.Path(file_okay=False), help="站点数据文件夹。")
@DB
@click.option("--user", required=True, help="财政局账号的用户名。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码；否则自动生成并显示一个。")
@click.pass_context
def admin(ctx: click.Context, data: str | None, db: str | None, user: str, password_stdin: bool) -> None:
    """创建财政局账号，或重置其密码。"""
    _need_server()
    from .auth import hash_password

    data, db = _sub_data(ctx, data, db)
    user = user.strip()
    if not user:
        raise click.UsageError("用户名不能为空")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 8:
            click.secho("错误：密码至少 8 个字符", fg="red", err=True)
            sys.exit(2)
    else:
        password = secrets.token_urlsafe(12)
    store = _store(data, db)
    created = store.set_user(user, hash_password(password))
    store.log("命令行", "admin_create" if created else "admin_reset", None, user=user)
    store.close()
    click.echo(f"已{'创建' if created else '重置'}财政局账号：{user}")
    if not password_stdin:
        click.echo(f"密码：{password}")
        click.echo("请妥善保管；忘记时可再次执行本命令重置。")


@serve.command("task")
@click.option("--data", default=None, type=click.Path(file_okay=False), help="站点数据文件夹。")
@DB
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="预算年度。")
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False),
              help="报送单位名册（.xlsx，也可以是 .xls、.csv；列：单位编码、单位名称，可选 主管部门、联系人、电话）。")
@click.option("--profile", type=click.Choice(BUILTIN), default=None,
              help="校验配置；默认用各工作簿自己的配置。")
@click.option("--deadline", default=None, help="截止日期，YYYY-MM-DD。")
@click.pass_context
def task(ctx: click.Context, data: str | None, db: str | None, year: int, roster: str, profile: str | None,
         deadline: str | None) -> None:
    """开启（或补充）年度报送任务，为每个单位生成登录码，写入 数据文件夹/登录码-YYYY.xlsx。"""
    from .roster import read_roster, write_codes

    data, db = _sub_data(ctx, data, db)
    if deadline:
        try:
            deadline = dt.date.fromisoformat(deadline).isoformat()
        except ValueError:
            raise click.UsageError(f"截止日期 {deadline} 的格式应为 YYYY-MM-DD，如 2026-01-31") from None
    units = read_roster(roster)
    for note in units.notes:
        click.echo(f"注意：{note}")
    store = _store(data, db)
    task_row, issued = store.open_task(year, units, profile=profile, deadline=deadline)
    out = Path(data) / f"登录码-{year}.xlsx"
    if issued:
        if out.exists():  # an earlier list may still be needed: it is kept under a new name
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            out.rename(out.with_name(f"登录码-{year}-{stamp}.xlsx"))
        write_codes(out, issued)
    store.log("命令行", "task", None, year=year, roster=len(units), issued=len(issued))
    store.close()
    click.echo(f"{year} 年度报送任务：名册 {len(units)} 个单位，新发放登录码 {len(issued)} 个。")
    if issued:
        click.echo(f"登录码表：{out}（请将登录码分别发给各单位，勿整表外传）")
    else:
        click.echo("名册中的单位都已有登录码，未生成新的登录码表。")
