"""The 报送站's storage layer on SQLite always, and on a throwaway PostgreSQL cluster (CI: always)."""

from __future__ import annotations

import io
import uuid

import pytest

from jixiao.site.store import FileStore, Store, TooLarge, code_hash
from sitekit import postgres_cluster


@pytest.fixture(scope="module")
def pg():
    cluster = postgres_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """(data folder, db url or None) on each backend; every PostgreSQL test gets a database of its own."""
    if request.param == "sqlite":
        return tmp_path / "site", None
    cluster = request.getfixturevalue("pg")
    return tmp_path / "site", cluster.create_db(f"t{uuid.uuid4().hex[:12]}")


ROSTER = [{"unit_code": "100001", "unit_name": "示例县教育局本级", "department": "教育局"},
          {"unit_code": "100002", "unit_name": "示例县第一中学", "contact": "张三", "phone": "123"}]


def _put(store: Store, text: bytes):
    return store.files.put(io.BytesIO(text), 1 << 20)


def _submit(store, task, code, content: bytes, status="submitted", errors=0, warnings=0):
    return store.add_submission(task_id=task["id"], unit_code=code, stored=_put(store, content), filename="a.xlsx",
                                status=status, errors=errors, warnings=warnings, message="m",
                                report={"files": [{"issues": []}]})


def test_task_codes_submissions_history_returns_and_restart(backend):
    data, db = backend
    store = Store(data, db)
    assert store.url.startswith("sqlite" if db is None else "postgresql+psycopg")
    task, issued = store.open_task(2026, ROSTER, deadline="2026-01-31")
    assert task["year"] == 2026 and len(issued) == 2
    codes = {u["unit_code"]: u["code"] for u in issued}
    assert store.unit_by_login(codes["100001"])["code"] == "100001"
    assert store.unit_by_login(codes["100001"].lower().replace("-", ""))["code"] == "100001"  # as typed
    assert store.unit_by_login("WRONG-CODE-0000") is None

    # re-opening adds the new units only; the codes handed out stay valid
    task2, again = store.open_task(2026, ROSTER + [{"unit_code": "100003", "unit_name": "新单位"}])
    assert task2["id"] == task["id"] and [u["unit_code"] for u in again] == ["100003"]
    assert store.unit_by_login(codes["100002"])["code"] == "100002"

    rejected = _submit(store, task, "100001", b"bad", status="rejected", errors=2)
    assert store.unit(task["id"], "100001")["current_id"] is None  # a rejected upload never becomes current
    first = _submit(store, task, "100001", b"first", warnings=1)
    store.explain(first, {0: ("JX-T03", "沿用上年口径")})
    store.explain(first, {0: ("JX-T03", "已与财政局沟通")})  # a new 说明 is added, the old one kept
    second = _submit(store, task, "100002", b"second")
    states = {u["unit_code"]: u for u in store.units_status(task["id"])}
    assert states["100001"]["status"] == "submitted" and states["100001"]["current_id"] == first
    assert states["100003"]["status"] == "missing"
    assert store.submission(first)["explanations"] == {0: "已与财政局沟通"}

    store.return_submission(second, "项目2 的指标值不合理", "cz")
    states = {u["unit_code"]: u for u in store.units_status(task["id"])}
    assert states["100002"]["status"] == "rejected" and states["100002"]["return_reason"] == "项目2 的指标值不合理"
    third = _submit(store, task, "100002", b"third")  # the re-submission after a 退回 is 已报 again
    states = {u["unit_code"]: u for u in store.units_status(task["id"])}
    assert states["100002"]["status"] == "submitted" and states["100002"]["current_id"] == third
    store.log("财政局:cz", "return", "127.0.0.1", submission_id=second)
    secret = store.secret()
    store.close()

    # a restart keeps everything: the history (nothing deleted), the pointer, the 说明, the secret, the files
    store = Store(data, db)
    assert [h["id"] for h in store.history(task["id"], "100001")] == [first, rejected]
    assert [h["id"] for h in store.history(task["id"], "100002")] == [third, second]
    assert store.submission(second)["returns"][0]["reason"] == "项目2 的指标值不合理"
    assert store.submission(first)["explanations"] == {0: "已与财政局沟通"}
    assert store.secret() == secret
    assert store.audit_log()[0]["action"] == "return"
    assert store.files.path(store.submission(rejected)["sha256"]).read_bytes() == b"bad"
    store.close()


def test_accounts(backend):
    data, db = backend
    store = Store(data, db)
    assert store.set_user("cz", "hash1") is True
    assert store.set_user("cz", "hash2") is False  # a reset, not a second account
    assert store.user("cz")["password_hash"] == "hash2" and store.user("nobody") is None
    store.close()


def test_a_later_submission_stays_current_whatever_the_commit_order(backend):
    data, db = backend
    store = Store(data, db)
    task, _ = store.open_task(2026, ROSTER)
    a = _submit(store, task, "100001", b"a")
    b = _submit(store, task, "100001", b"b")
    assert store.unit(task["id"], "100001")["current_id"] == b > a
    store.close()


def test_file_store_is_content_addressed_and_leaves_nothing_half_written(tmp_path):
    files = FileStore(tmp_path / "files")
    one = files.put(io.BytesIO(b"x" * 1000), 4096)
    two = files.put(io.BytesIO(b"x" * 1000), 4096)
    assert one.sha256 == two.sha256 and one.path == tmp_path / "files" / one.sha256
    with pytest.raises(TooLarge):
        files.put(io.BytesIO(b"y" * 5000), 4096)
    assert list((tmp_path / "files" / ".incoming").iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == [".incoming", one.sha256]
    with pytest.raises(ValueError):
        files.path("../../etc/passwd")


def test_login_codes_are_stored_hashed(tmp_path):
    store = Store(tmp_path / "site")
    _, issued = store.open_task(2026, ROSTER)
    raw = b"".join(p.read_bytes() for p in (tmp_path / "site").glob("jixiao-site.sqlite*"))  # with the WAL
    store.close()
    for u in issued:
        assert u["code"].encode() not in raw and code_hash(u["code"]).encode() in raw


def test_the_site_runs_on_postgresql_end_to_end(pg, tmp_path):
    """`jixiao serve admin/task/serve --db postgresql://…`: the same site, the database elsewhere."""
    import httpx

    from sitekit import Server, open_site, unit_book, unit_file

    db = pg.create_db(f"site{uuid.uuid4().hex[:8]}")
    data, codes = open_site(tmp_path, [0, 1], db=db)
    assert not (data / "jixiao-site.sqlite").exists()  # nothing went to SQLite
    server = Server(data, db=db).start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            me = unit_book(0).unit.code
            with open(unit_file(tmp_path / "b", 0), "rb") as fh:
                r = c.post("/api/v1/submissions", headers={"Authorization": f"Bearer {codes[me]}"},
                           files={"file": ("a.xlsx", fh)})
            assert r.json()["status"] == "submitted", r.text
            token = c.post("/api/v1/login", json={"user": "cz", "password": "bureau-pass-1"}).json()["token"]
            status = c.get("/api/v1/status", headers={"Authorization": f"Bearer {token}"}).json()
            assert (status["roster"], status["submitted"], [m["unit_code"] for m in status["missing"]]) == \
                   (2, 1, [unit_book(1).unit.code])
    finally:
        server.stop()


def test_serve_admin_generates_or_reads_a_password_and_resets_it(tmp_path):
    import re

    from click.testing import CliRunner

    from jixiao.cli import main
    from jixiao.site.auth import Auth

    data = str(tmp_path / "site")
    r = CliRunner().invoke(main, ["serve", "admin", "--data", data, "--user", "cz"])
    assert r.exit_code == 0 and "已创建财政局账号：cz" in r.output
    generated = re.search(r"密码：(\S+)", r.output).group(1)
    short = CliRunner().invoke(main, ["serve", "admin", "--data", data, "--user", "cz", "--password-stdin"],
                               input="short\n")
    assert short.exit_code == 2 and "至少 8 个字符" in short.output
    store = Store(data)
    auth = Auth(store)
    assert auth.login_bureau("cz", generated) is not None and auth.login_bureau("cz", "wrong") is None
    assert store.user("cz")["password_hash"].startswith("$argon2id$")  # never the password itself
    token = auth.token_for(auth.login_bureau("cz", generated))
    r = CliRunner().invoke(main, ["serve", "admin", "--data", data, "--user", "cz", "--password-stdin"],
                           input="new-password-2\n")
    assert r.exit_code == 0 and "已重置" in r.output and "new-password-2" not in r.output
    assert auth.login_bureau("cz", generated) is None and auth.login_bureau("cz", "new-password-2") is not None
    assert auth.from_token(token) is None  # a reset ends the sessions made with the old password
    missing = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert missing.exit_code == 2 and "--data" in missing.output
    store.close()
