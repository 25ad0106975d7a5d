"""The 报送站's storage: one SQLAlchemy Core schema on SQLite (default) or PostgreSQL, and a content-addressed
file store under ``DIR/files/<sha256>``.

Nothing is ever deleted: every uploaded file, every submission (accepted or rejected), every 说明 and every
退回 stays; a unit's *current* submission is a pointer (``units.current_id``) moved in one transaction, so a
crash before that commit leaves the previous submission current. An uploaded file's name is kept as text
for display only; it never becomes part of a path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable

import sqlalchemy as sa

from ..errors import JixiaoError
from .roster import code_key

metadata = sa.MetaData()

settings = sa.Table("settings", metadata,
                    sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))

users = sa.Table("users", metadata,
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("name", sa.String(100), nullable=False, unique=True),
                 sa.Column("password_hash", sa.Text, nullable=False),
                 sa.Column("created_at", sa.String(40), nullable=False),
                 sa.Column("updated_at", sa.String(40), nullable=False))

tasks = sa.Table("tasks", metadata,
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("year", sa.Integer, nullable=False, unique=True),
                 sa.Column("profile", sa.String(40)),
                 sa.Column("deadline", sa.String(10)),
                 sa.Column("created_at", sa.String(40), nullable=False))

units = sa.Table("units", metadata,
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id"), nullable=False),
                 sa.Column("code", sa.String(64), nullable=False),
                 sa.Column("name", sa.String(200), nullable=False),
                 sa.Column("department", sa.String(200)),
                 sa.Column("contact", sa.String(100)),
                 sa.Column("phone", sa.String(100)),
                 sa.Column("code_hash", sa.String(64), nullable=False, unique=True),  # sha256 of the 登录码
                 sa.Column("current_id", sa.Integer),  # the current accepted submission, if any
                 sa.UniqueConstraint("task_id", "code"))

submissions = sa.Table("submissions", metadata,
                       sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id"), nullable=False),
                       sa.Column("unit_code", sa.String(64), nullable=False),
                       sa.Column("sha256", sa.String(64), nullable=False),
                       sa.Column("filename", sa.Text, nullable=False),  # as uploaded, for display only
                       sa.Column("size", sa.BigInteger, nullable=False),
                       sa.Column("status", sa.String(16), nullable=False),  # submitted | rejected
                       sa.Column("errors", sa.Integer, nullable=False),
                       sa.Column("warnings", sa.Integer, nullable=False),
                       sa.Column("message", sa.Text, nullable=False),
                       sa.Column("report", sa.Text, nullable=False),  # the validate JSON
                       sa.Column("created_at", sa.String(40), nullable=False),
                       sa.Index("ix_submissions_unit", "task_id", "unit_code"))

explanations = sa.Table("explanations", metadata,
                        sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
                        sa.Column("issue", sa.Integer, nullable=False),  # index into the report's issues
                        sa.Column("code", sa.String(16), nullable=False),
                        sa.Column("text", sa.Text, nullable=False),
                        sa.Column("created_at", sa.String(40), nullable=False),
                        sa.Index("ix_explanations_submission", "submission_id"))

returns = sa.Table("returns", metadata,
                   sa.Column("id", sa.Integer, primary_key=True),
                   sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
                   sa.Column("task_id", sa.Integer, nullable=False),
                   sa.Column("unit_code", sa.String(64), nullable=False),
                   sa.Column("reason", sa.Text, nullable=False),
                   sa.Column("by_user", sa.String(100), nullable=False),
                   sa.Column("created_at", sa.String(40), nullable=False))

audit = sa.Table("audit", metadata,
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("at", sa.String(40), nullable=False),
                 sa.Column("actor", sa.String(200), nullable=False),
                 sa.Column("action", sa.String(40), nullable=False),
                 sa.Column("detail", sa.Text, nullable=False),
                 sa.Column("ip", sa.String(64)))

#: Unambiguous characters for 登录码 (no 0/O, 1/I/L): 12 of them carry about 60 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def new_login_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def code_hash(code: str) -> str:
    """The stored form of a 登录码: codes are random and long, so a plain hash is enough (and searchable).
    Typed with a Chinese input method in full-width mode (ＣＧＫ８－…) it is the same code (NFKC)."""
    canon = "".join(ch for ch in unicodedata.normalize("NFKC", code).upper() if ch.isascii() and ch.isalnum())
    return hashlib.sha256(("jixiao-login-code:" + canon).encode()).hexdigest()


def engine_url(data: Path, db: str | None) -> str:
    if not db:
        return f"sqlite:///{data / 'jixiao-site.sqlite'}"
    if db.startswith("postgresql://") or db.startswith("postgres://"):
        rest = db.split("://", 1)[1]
        try:
            import psycopg  # noqa: F401
            return "postgresql+psycopg://" + rest
        except ImportError:  # psycopg2 is SQLAlchemy's default driver
            return "postgresql://" + rest
    return db


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False},
                                  pool_size=20, max_overflow=40)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # WAL: readers never wait for the writer; a crash loses no commit
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _immediate(conn):  # take the write lock at BEGIN: no deadlock between two upgrading readers
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        # pysqlite's own transaction handling is switched off so that the BEGIN above is ours
        @sa.event.listens_for(engine, "connect", insert=True)
        def _autocommit(conn, _record):
            conn.isolation_level = None

        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


@dataclass
class Stored:
    sha256: str
    size: int
    path: Path


class TooLarge(JixiaoError):
    pass


class FileStore:
    """Files kept by content: ``root/<sha256>``; written to ``root/.incoming`` first, renamed when complete."""

    def __init__(self, root: Path):
        self.root = root
        self.incoming = root / ".incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)

    def path(self, sha: str) -> Path:
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ValueError("not a sha256")
        return self.root / sha

    def put(self, stream: BinaryIO, limit: int) -> Stored:
        tmp = self.incoming / uuid.uuid4().hex
        h = hashlib.sha256()
        size = 0
        try:
            with tmp.open("wb") as out:
                while chunk := stream.read(1 << 16):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"文件超过 {limit // 2**20} MB 的上传限制")
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            target = self.path(h.hexdigest())
            if target.exists():
                tmp.unlink()
            else:
                os.replace(tmp, target)
                os.chmod(target, 0o444)
        finally:
            if tmp.exists():
                tmp.unlink()
        return Stored(h.hexdigest(), size, self.path(h.hexdigest()))


class Store:
    """Every read and write of the 报送站 goes through here."""

    def __init__(self, data: str | Path, db: str | None = None):
        self.data = Path(data)
        self.data.mkdir(parents=True, exist_ok=True)
        self.files = FileStore(self.data / "files")
        self.url = engine_url(self.data, db)
        self.engine = make_engine(self.url)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- settings -------------------------------------------------------------------------------------
    def secret(self) -> str:
        """The key that signs sessions, made once and shared by every server process on this database."""
        return self._setting("secret", lambda: secrets.token_urlsafe(32))

    def addin_id(self) -> str:
        """The Excel add-in's ID (a UUID in its manifest), made once: a deployed manifest keeps working."""
        import uuid

        return self._setting("addin_id", lambda: str(uuid.uuid4()))

    def _setting(self, key: str, make) -> str:
        try:
            with self.engine.begin() as c:
                row = c.execute(sa.select(settings.c.value).where(settings.c.key == key)).first()
                if row:
                    return row[0]
                value = make()
                c.execute(settings.insert().values(key=key, value=value))
                return value
        except sa.exc.IntegrityError:  # another server process made it first: use theirs
            with self.engine.connect() as c:
                return c.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar_one()

    # -- bureau accounts -----------------------------------------------------------------------------
    def set_user(self, name: str, password_hash: str) -> bool:
        """Create or reset a bureau account; True when it is new."""
        with self.engine.begin() as c:
            found = c.execute(sa.select(users.c.id).where(users.c.name == name)).first()
            if found:
                c.execute(users.update().where(users.c.id == found[0])
                          .values(password_hash=password_hash, updated_at=now()))
                return False
            c.execute(users.insert().values(name=name, password_hash=password_hash, created_at=now(),
                                            updated_at=now()))
            return True

    def user(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(users).where(users.c.name == name)).mappings().first()
            return dict(row) if row else None

    # -- tasks and units -----------------------------------------------------------------------------
    def open_task(self, year: int, roster: Iterable[dict[str, Any]], *, profile: str | None = None,
                  deadline: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Open (or extend) the year's task; returns it and the units that got a new 登录码 (with ``code``).

        Units already in the task keep their codes (they may have been handed out); their names and
        contacts are updated from the roster. Nothing is removed.
        """
        issued = []
        with self.engine.begin() as c:
            task = c.execute(sa.select(tasks).where(tasks.c.year == year)).mappings().first()
            if task is None:
                tid = c.execute(tasks.insert().values(year=year, profile=profile, deadline=deadline,
                                                      created_at=now())).inserted_primary_key[0]
            else:
                tid = task["id"]
                changes = {k: v for k, v in (("profile", profile), ("deadline", deadline)) if v}
                if changes:
                    c.execute(tasks.update().where(tasks.c.id == tid).values(**changes))
            # a unit already in the task is found as the roster compares codes: 1001 (a numeric column that
            # lost its zeros) or １５４００１ is the unit 001001 / 154001 already given a 登录码, not a new one
            existing = {code_key(r.code): r.code
                        for r in c.execute(sa.select(units.c.code).where(units.c.task_id == tid))}
            for u in roster:
                fields = {"name": u["unit_name"], "department": u.get("department"),
                          "contact": u.get("contact"), "phone": u.get("phone")}
                if code_key(u["unit_code"]) in existing:
                    known = existing[code_key(u["unit_code"])]
                    c.execute(units.update().where(units.c.task_id == tid, units.c.code == known).values(**fields))
                    continue
                login = new_login_code()
                c.execute(units.insert().values(task_id=tid, code=u["unit_code"], code_hash=code_hash(login),
                                                **fields))
                issued.append({**u, "code": login})
            task = c.execute(sa.select(tasks).where(tasks.c.id == tid)).mappings().first()
        return dict(task), issued

    def task(self, year: int | None = None) -> dict[str, Any] | None:
        """The year's task, or the latest one."""
        with self.engine.connect() as c:
            q = sa.select(tasks)
            q = q.where(tasks.c.year == year) if year is not None else q.order_by(tasks.c.year.desc()).limit(1)
            row = c.execute(q).mappings().first()
            return dict(row) if row else None

    def task_by_id(self, task_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(tasks).where(tasks.c.id == task_id)).mappings().first()
            return dict(row) if row else None

    def unit_by_login(self, login: str) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(units).where(units.c.code_hash == code_hash(login))).mappings().first()
            return dict(row) if row else None

    def unit(self, task_id: int, code: str) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(units).where(units.c.task_id == task_id, units.c.code == code)
                            ).mappings().first()
            return dict(row) if row else None

    # -- submissions ---------------------------------------------------------------------------------
    def add_submission(self, *, task_id: int, unit_code: str, stored: Stored, filename: str, status: str,
                       errors: int, warnings: int, message: str, report: dict[str, Any],
                       actor: str | None = None, ip: str | None = None) -> int:
        """Record one submission; an accepted one becomes the unit's current one, and the audit log gets its
        line (when ``actor`` is given), in the same transaction."""
        with self.engine.begin() as c:
            sid = c.execute(submissions.insert().values(
                task_id=task_id, unit_code=unit_code, sha256=stored.sha256, filename=filename, size=stored.size,
                status=status, errors=errors, warnings=warnings, message=message,
                report=json.dumps(report, ensure_ascii=False), created_at=now())).inserted_primary_key[0]
            if status == "submitted":  # the later submission wins, whatever order the commits come in
                c.execute(units.update().where(units.c.task_id == task_id, units.c.code == unit_code,
                                               sa.or_(units.c.current_id.is_(None), units.c.current_id < sid))
                          .values(current_id=sid))
            if actor is not None:
                c.execute(audit.insert().values(at=now(), actor=actor, action="submit", ip=ip, detail=json.dumps(
                    {"submission_id": sid, "unit": unit_code, "status": status, "sha256": stored.sha256,
                     "filename": filename, "errors": errors, "warnings": warnings}, ensure_ascii=False)))
            return sid

    def submission(self, sid: int) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            row = c.execute(sa.select(submissions).where(submissions.c.id == sid)).mappings().first()
            if row is None:
                return None
            out = dict(row)
            out["report"] = json.loads(out["report"])
            out["explanations"] = self._explanations(c, [sid]).get(sid, {})
            out["returns"] = [dict(r) for r in c.execute(
                sa.select(returns).where(returns.c.submission_id == sid).order_by(returns.c.id)).mappings()]
            return out

    def history(self, task_id: int, unit_code: str) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            q = (sa.select(submissions.c.id, submissions.c.filename, submissions.c.size, submissions.c.status,
                           submissions.c.errors, submissions.c.warnings, submissions.c.message,
                           submissions.c.created_at, submissions.c.sha256)
                 .where(submissions.c.task_id == task_id, submissions.c.unit_code == unit_code)
                 .order_by(submissions.c.id.desc()))
            return [dict(r) for r in c.execute(q).mappings()]

    def ordinal(self, submission: dict[str, Any]) -> int:
        """Which of its unit's submissions this is (1 for the first): ids count all units' uploads together."""
        with self.engine.connect() as c:
            return c.execute(sa.select(sa.func.count()).select_from(submissions).where(
                submissions.c.task_id == submission["task_id"], submissions.c.unit_code == submission["unit_code"],
                submissions.c.id <= submission["id"])).scalar_one()

    @staticmethod
    def _explanations(c, sids: list[int]) -> dict[int, dict[int, str]]:
        out: dict[int, dict[int, str]] = {}
        if not sids:
            return out
        q = sa.select(explanations).where(explanations.c.submission_id.in_(sids)).order_by(explanations.c.id)
        for r in c.execute(q).mappings():  # the latest 说明 for an issue is the one shown; none is removed
            out.setdefault(r["submission_id"], {})[r["issue"]] = r["text"]
        return out

    def explain(self, sid: int, texts: dict[int, tuple[str, str]]) -> int:
        """Store 说明 (issue index → (code, text)); returns how many were stored."""
        with self.engine.begin() as c:
            rows = [dict(submission_id=sid, issue=i, code=code, text=text, created_at=now())
                    for i, (code, text) in texts.items() if text.strip()]
            if rows:
                c.execute(explanations.insert(), rows)
            return len(rows)

    def return_submission(self, sid: int, reason: str, by_user: str) -> None:
        sub = self.submission(sid)
        if sub is None:
            raise KeyError(sid)
        with self.engine.begin() as c:
            c.execute(returns.insert().values(submission_id=sid, task_id=sub["task_id"],
                                              unit_code=sub["unit_code"], reason=reason, by_user=by_user,
                                              created_at=now()))

    def units_status(self, task_id: int) -> list[dict[str, Any]]:
        """Every unit of the task with its status: submitted (已报), rejected (退回 by the bureau) or missing (未报)."""
        with self.engine.connect() as c:
            roster = [dict(r) for r in c.execute(sa.select(units).where(units.c.task_id == task_id)
                                                  .order_by(units.c.code)).mappings()]
            current = {r["id"]: dict(r) for r in c.execute(
                sa.select(submissions.c.id, submissions.c.created_at, submissions.c.errors,
                          submissions.c.warnings, submissions.c.sha256, submissions.c.filename)
                .where(submissions.c.id.in_([u["current_id"] for u in roster if u["current_id"]]))).mappings()}
            returned: dict[int, dict[str, Any]] = {}
            for r in c.execute(sa.select(returns).where(returns.c.task_id == task_id)
                               .order_by(returns.c.id)).mappings():
                returned[r["submission_id"]] = dict(r)
            latest = {r.unit_code: r for r in c.execute(
                sa.select(submissions.c.unit_code, sa.func.max(submissions.c.id).label("id"),
                          sa.func.count().label("n"))
                .where(submissions.c.task_id == task_id).group_by(submissions.c.unit_code))}
            last_ids = [r.id for r in latest.values()]
            last = {r.id: r for r in c.execute(
                sa.select(submissions.c.id, submissions.c.status, submissions.c.errors, submissions.c.warnings,
                          submissions.c.created_at).where(submissions.c.id.in_(last_ids)))} if last_ids else {}
        out = []
        for u in roster:
            cur = current.get(u["current_id"]) if u["current_id"] else None
            ret = returned.get(u["current_id"]) if cur else None
            status = "missing" if cur is None else ("rejected" if ret else "submitted")
            lt = latest.get(u["code"])
            lr = last.get(lt.id) if lt else None
            shown = cur or ({"errors": lr.errors, "warnings": lr.warnings} if lr else {})
            out.append({"unit_code": u["code"], "unit_name": u["name"], "department": u["department"],
                        "contact": u["contact"], "phone": u["phone"], "status": status,
                        "submitted_at": cur["created_at"] if cur else None,
                        "errors": shown.get("errors"), "warnings": shown.get("warnings"),
                        "current_id": u["current_id"], "sha256": cur["sha256"] if cur else None,
                        "filename": cur["filename"] if cur else None,
                        "return_reason": ret["reason"] if ret else None,
                        "attempts": lt.n if lt else 0, "last_id": lt.id if lt else None,
                        "last_status": lr.status if lr else None})
        return out

    # -- audit ---------------------------------------------------------------------------------------
    def log(self, actor: str, action: str, ip: str | None = None, **detail: Any) -> None:
        with self.engine.begin() as c:
            c.execute(audit.insert().values(at=now(), actor=actor, action=action, ip=ip,
                                            detail=json.dumps(detail, ensure_ascii=False, default=str)))

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            q = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
            return [dict(r) for r in c.execute(q).mappings()]
