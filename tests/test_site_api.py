"""The 报送站's JSON API, driven with httpx against `jixiao serve` running in a subprocess on loopback."""

from __future__ import annotations

import io
import socket
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import httpx
import openpyxl
import pytest

import corpus
from sitekit import Server, clone_for, jixiao, open_site, read_codes, unit_book, unit_file

SEEDS = list(range(60))
MAIN, OTHER, MISMATCH, WARN, XXE, KILLED = 0, 1, 2, 3, 7, 5
CONCURRENT = [s for s in range(8, 58)]  # 50 units
UPLOAD_MB = 1


def code(seed: int) -> str:
    return unit_book(seed).unit.code


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    data, codes = open_site(tmp, SEEDS)
    state = {"tmp": tmp, "data": data, "codes": codes,
             "server": Server(data, env={"JIXIAO_SITE_MAX_UPLOAD_MB": str(UPLOAD_MB)}).start()}
    yield state
    state["server"].stop()  # the one running now: the restart test replaces it


@pytest.fixture(scope="module")
def client(site):
    with httpx.Client(base_url=site["server"].url, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def bureau(client):
    r = client.post("/api/v1/login", json={"user": "cz", "password": "bureau-pass-1"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def unit_auth(client, site, seed: int) -> dict[str, str]:
    r = client.post("/api/v1/login", json={"code": site["codes"][code(seed)]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def upload(client, auth, path, name=None):
    with open(path, "rb") as fh:
        return client.post("/api/v1/submissions", headers=auth, files={"file": (name or path.name, fh)})


def test_health_and_the_codes_workbook(site, client):
    assert client.get("/api/v1/health").json() == {"ok": True}
    assert len(site["codes"]) == len(SEEDS)
    assert all(len(c) == 14 for c in site["codes"].values())
    assert client.get("/xlwings/custom-scripts-call/nothing").status_code in (404, 405)  # the add-in is mounted
    # the add-in (xlwings Server) asks for the same credentials as the API before it reads a workbook
    anonymous = client.post("/xlwings/custom-scripts-call/nothing", json={})
    assert anonymous.status_code == 401 and "登录" in anonymous.json()["detail"]
    code = next(iter(site["codes"].values()))
    named = client.post("/xlwings/custom-scripts-call/nothing", json={}, headers={"Authorization": f"Bearer {code}"})
    assert named.status_code == 404 and named.json()["detail"] == "没有名为 nothing 的脚本"


def test_login_wrong_password_is_401_and_repeated_failures_are_slowed(client):
    times = []
    for _ in range(5):
        t = time.monotonic()
        r = client.post("/api/v1/login", json={"user": "cz", "password": "wrong"})
        times.append(time.monotonic() - t)
        assert r.status_code == 401 and r.json()["detail"] == "用户名或密码不正确"
    t = time.monotonic()  # the codes count apart from the accounts
    assert client.post("/api/v1/login", json={"code": "AAAA-BBBB-CCCC"}).status_code == 401
    assert time.monotonic() - t < 0.5
    base = min(times[:3])  # argon2 itself takes a while
    assert times[3] >= base + 0.8 and times[4] >= base + 1.7  # 1 s, then 2 s
    t = time.monotonic()  # the right password still works (after its delay), and clears the count
    assert client.post("/api/v1/login", json={"user": "cz", "password": "bureau-pass-1"}).status_code == 200
    t = time.monotonic()
    assert client.post("/api/v1/login", json={"user": "cz", "password": "bureau-pass-1"}).status_code == 200
    assert time.monotonic() - t < base + 0.8


def test_an_error_rejects_the_fixed_file_is_submitted_and_history_keeps_both(site, client, bureau):
    auth = unit_auth(client, site, MAIN)
    r = upload(client, auth, unit_file(site["tmp"] / "books", MAIN, mistakes=True))
    body = r.json()
    assert r.status_code == 200 and body["status"] == "rejected"
    assert f"{body['report']['errors']} 个错误" in body["message"]
    issue = next(i for i in body["report"]["files"][0]["issues"] if i["code"] == "JX-B01")
    assert (issue["sheet"], issue["cell"], issue["severity"]) == ("项目1", "C4", "error")
    assert body["report"]["ok"] is False and body["report"]["files"][0]["errors"] >= 1  # the validate JSON
    state = {u["unit_code"]: u for u in client.get("/api/v1/status", headers=bureau).json()["units"]}
    assert state[code(MAIN)]["status"] == "missing"

    fixed = upload(client, auth, unit_file(site["tmp"] / "books", MAIN)).json()
    assert fixed["status"] == "submitted" and fixed["report"]["ok"] is True
    state = {u["unit_code"]: u for u in client.get("/api/v1/status", headers=bureau).json()["units"]}
    assert state[code(MAIN)]["status"] == "submitted" and state[code(MAIN)]["errors"] == 0
    again = upload(client, auth, unit_file(site["tmp"] / "books", MAIN, budget_delta="5")).json()
    assert again["status"] == "submitted"
    history = client.get("/api/v1/submissions", headers=auth).json()["submissions"]
    assert [h["id"] for h in history] == [again["submission_id"], fixed["submission_id"], body["submission_id"]]
    assert client.get(f"/api/v1/submissions/{again['submission_id']}", headers=auth).json()["current"] is True
    assert client.get(f"/api/v1/submissions/{fixed['submission_id']}", headers=auth).json()["current"] is False
    # every earlier file is still there, byte for byte
    old = client.get(f"/api/v1/submissions/{body['submission_id']}/file", headers=auth)
    assert old.status_code == 200
    assert old.content == unit_file(site["tmp"] / "books", MAIN, mistakes=True).read_bytes()
    marked = client.get(f"/api/v1/submissions/{body['submission_id']}/marked.xlsx", headers=auth)
    wb = openpyxl.load_workbook(io.BytesIO(marked.content))
    assert "校验结果" in wb.sheetnames and wb["项目1"]["C4"].comment is not None


def test_a_workbook_of_another_unit_is_rejected_clearly(site, client):
    auth = unit_auth(client, site, MISMATCH)
    body = upload(client, auth, unit_file(site["tmp"] / "books", OTHER)).json()
    assert body["status"] == "rejected"
    assert code(OTHER) in body["message"] and code(MISMATCH) in body["message"] and "不符" in body["message"]


def test_warnings_are_accepted_and_need_a_note_each(site, client, bureau):
    auth = unit_auth(client, site, WARN)
    body = upload(client, auth, unit_file(site["tmp"] / "books", WARN, warning_only=True)).json()
    assert body["status"] == "submitted" and body["report"]["warnings"] >= 1 and "说明" in body["message"]
    sid = body["submission_id"]
    detail = client.get(f"/api/v1/submissions/{sid}", headers=auth).json()
    todo = detail["warnings_to_explain"]
    assert todo and all(detail["report"]["files"][0]["issues"][i]["severity"] == "warning" for i in todo)
    r = client.post(f"/api/v1/submissions/{sid}/explanations", headers=auth,
                    json={"explanations": {str(todo[0]): "沿用主管部门口径"}})
    assert r.json() == {"stored": 1}
    bad = client.post(f"/api/v1/submissions/{sid}/explanations", headers=auth, json={"explanations": {"999": "x"}})
    assert bad.status_code == 422
    seen = client.get(f"/api/v1/submissions/{sid}", headers=bureau).json()  # the bureau reads the 说明
    assert seen["explanations"] == {str(todo[0]): "沿用主管部门口径"}


def test_return_with_a_reason_the_unit_sees(site, client, bureau):
    auth = unit_auth(client, site, OTHER)
    sid = upload(client, auth, unit_file(site["tmp"] / "books", OTHER)).json()["submission_id"]
    assert client.post(f"/api/v1/submissions/{sid}/return", headers=bureau, json={"reason": ""}).status_code == 422
    assert client.post(f"/api/v1/submissions/{sid}/return", headers=bureau,
                       json={"reason": "项目1 绩效指标不够具体"}).json() == {"ok": True}
    status = client.get("/api/v1/status", headers=bureau).json()
    mine = next(u for u in status["units"] if u["unit_code"] == code(OTHER))
    assert mine["status"] == "rejected" and status["rejected"] >= 1
    assert client.get(f"/api/v1/submissions/{sid}", headers=auth).json()["returns"][0]["reason"] == "项目1 绩效指标不够具体"
    audit = client.get("/api/v1/audit", headers=bureau).json()["entries"]
    assert {"login", "submit", "return", "login_failed"} <= {e["action"] for e in audit}


def test_no_unit_reads_another_units_data_and_no_token_is_401(site, client, bureau):
    mine = unit_auth(client, site, MAIN)
    theirs = unit_auth(client, site, OTHER)
    sid = upload(client, mine, unit_file(site["tmp"] / "books", MAIN)).json()["submission_id"]
    for path in (f"/api/v1/submissions/{sid}", f"/api/v1/submissions/{sid}/file",
                 f"/api/v1/submissions/{sid}/marked.xlsx"):
        assert client.get(path, headers=theirs).status_code == 404, path
        assert client.get(path, headers=mine).status_code == 200, path
        assert client.get(path).status_code == 401, path
    assert client.post(f"/api/v1/submissions/{sid}/explanations", headers=theirs,
                       json={"explanations": {"0": "x"}}).status_code == 404
    listed = client.get("/api/v1/submissions", headers=theirs, params={"unit_code": code(MAIN)}).json()
    assert listed["unit_code"] == code(OTHER) and sid not in [h["id"] for h in listed["submissions"]]
    for path in ("/api/v1/status", "/api/v1/summary.xlsx", "/api/v1/audit", "/api/v1/summary/progress"):
        assert client.get(path, headers=theirs).status_code == 403, path
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers={"Authorization": "Bearer forged.token.here"}).status_code == 401, path
    assert client.post(f"/api/v1/submissions/{sid}/return", headers=theirs, json={"reason": "x"}).status_code == 403
    assert client.post("/api/v1/submissions", headers=bureau,
                       files={"file": ("a.xlsx", b"PK")}).status_code == 403  # the bureau does not submit
    assert client.post("/api/v1/submissions", files={"file": ("a.xlsx", b"PK")}).status_code == 401
    no_file = client.post("/api/v1/submissions", headers=mine, data={"x": "1"})
    assert no_file.status_code == 422 and "请求格式不正确" in no_file.json()["detail"]
    # the 登录码 itself works as the Bearer credential
    raw = {"Authorization": f"Bearer {site['codes'][code(MAIN)]}"}
    assert client.get(f"/api/v1/submissions/{sid}", headers=raw).status_code == 200


def test_hostile_uploads(site, client):
    auth = unit_auth(client, site, XXE)
    folder = site["tmp"] / "hostile"
    folder.mkdir()
    # a name that climbs out of the folder is only text: the file is kept under its hash
    body = upload(client, auth, unit_file(folder, XXE), name="../../x.xlsx").json()
    assert body["status"] == "submitted" and body["report"]["files"][0]["path"] == "x.xlsx"
    assert not (site["data"].parent / "x.xlsx").exists() and not (site["data"] / "x.xlsx").exists()
    stored = sorted(p.name for p in (site["data"] / "files").iterdir() if p.name != ".incoming")
    assert all(len(n) == 64 for n in stored)
    r = client.post("/api/v1/submissions", headers=auth,
                    files={"file": ("big.xlsx", b"PK" + b"\0" * (UPLOAD_MB * 2**20 + 2**17))})
    assert r.status_code == 413 and "上传限制" in r.json()["detail"]
    assert list((site["data"] / "files" / ".incoming").iterdir()) == []
    bomb = upload(client, auth, corpus.zip_bomb(folder)).json()
    assert bomb["status"] == "rejected" and "压缩炸弹" in bomb["message"]
    xxe = upload(client, auth, corpus.xxe(folder))
    assert xxe.status_code == 200 and "root:" not in xxe.text
    state = client.get("/api/v1/submissions", headers=auth).json()["submissions"]
    assert state[-1]["id"] == body["submission_id"]  # the first, accepted one


def test_fifty_units_submitting_at_once_lose_nothing(site, client, bureau):
    source = unit_file(site["tmp"] / "many", CONCURRENT[0])
    files = {s: clone_for(source, CONCURRENT[0], s, site["tmp"] / "many") for s in CONCURRENT}
    auths = {s: {"Authorization": f"Bearer {site['codes'][code(s)]}"} for s in CONCURRENT}

    def one(seed):
        with httpx.Client(base_url=site["server"].url, timeout=300) as c:
            return seed, upload(c, auths[seed], files[seed]).json()

    with ThreadPoolExecutor(50) as pool:
        results = dict(pool.map(one, CONCURRENT))
    assert all(r["status"] == "submitted" for r in results.values())
    assert len({r["submission_id"] for r in results.values()}) == 50
    status = client.get("/api/v1/status", headers=bureau).json()
    units = {u["unit_code"]: u for u in status["units"]}
    assert all(units[code(s)]["status"] == "submitted" for s in CONCURRENT)
    assert status["roster"] == status["submitted"] + status["rejected"] + len(status["missing"]) == len(SEEDS)
    audit = client.get("/api/v1/audit", headers=bureau, params={"limit": 5000}).json()["entries"]
    submitted = {e["detail"] for e in audit if e["action"] == "submit"}
    assert sum(f'"submission_id": {r["submission_id"]},' in d for r in results.values() for d in submitted) == 50


def test_summary_is_the_consolidation_of_the_current_submissions_and_uses_its_cache(site, client, bureau):
    r = client.get("/api/v1/summary.xlsx", headers=bureau)
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    status = client.get("/api/v1/status", headers=bureau).json()
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    codes = {str(row[0]) for row in wb["单位汇总"].iter_rows(min_row=2, values_only=True) if row[0]}
    submitted = {u["unit_code"] for u in status["units"] if u["status"] == "submitted"}
    assert submitted <= codes and code(OTHER) not in codes  # the 退回 unit is not in the summary
    assert int(r.headers["X-Jixiao-Units"]) == len(submitted)
    again = client.get("/api/v1/summary.xlsx", headers=bureau)
    assert again.headers["X-Jixiao-Files-Read"] == "0"  # nothing changed: all from the cache
    upload(client, unit_auth(client, site, MAIN), unit_file(site["tmp"] / "books", MAIN, budget_delta="7"))
    third = client.get("/api/v1/summary.xlsx", headers=bureau)
    assert third.headers["X-Jixiao-Files-Read"] == "1"  # one re-submission: one file read
    assert client.get("/api/v1/summary/progress", headers=bureau).json()["state"] == "done"


def test_restart_keeps_everything_and_a_kill_mid_upload_keeps_the_previous_submission(site, client, bureau):
    before = client.get("/api/v1/status", headers=bureau).json()
    auth = unit_auth(client, site, KILLED)
    first = upload(client, auth, unit_file(site["tmp"] / "books", KILLED)).json()
    assert first["status"] == "submitted"
    history = client.get("/api/v1/submissions", headers=auth).json()["submissions"]

    # an upload is under way (headers and half the body sent) when the server is killed
    body = unit_file(site["tmp"] / "books", KILLED, budget_delta="3").read_bytes()
    boundary = "jixiaoboundary"
    payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"k.xlsx\"\r\n"
               f"Content-Type: application/octet-stream\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
    sock = socket.create_connection(("127.0.0.1", site["server"].port))
    sock.sendall((f"POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: {auth['Authorization']}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                  f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload[: len(payload) // 2])
    time.sleep(0.5)
    site["server"].kill()
    sock.close()

    site["server"] = server = Server(site["data"], env=site["server"].env).start()
    with httpx.Client(base_url=server.url, timeout=60) as c:
        # the old tokens still work: the signing key is in the database
        after = c.get("/api/v1/status", headers=bureau).json()
        assert after["roster"] == before["roster"]
        mine = {u["unit_code"]: u for u in after["units"]}[code(KILLED)]
        assert mine["status"] == "submitted"
        detail = c.get(f"/api/v1/submissions/{first['submission_id']}", headers=auth).json()
        assert detail["current"] is True
        assert c.get("/api/v1/submissions", headers=auth).json()["submissions"] == history
        assert c.post("/api/v1/login", json={"code": site["codes"][code(KILLED)]}).status_code == 200
        # everything else is as before the restart
        for u in before["units"]:
            if u["unit_code"] != code(KILLED):
                assert mine is not None and {x["unit_code"]: x for x in after["units"]}[u["unit_code"]] == u
    client.base_url = server.url  # later tests (if any) talk to the new server


def test_serve_task_again_adds_units_and_keeps_the_codes(site, tmp_path):
    from jixiao.site.roster import write_roster

    roster = write_roster(tmp_path / "名册.xlsx", [{"unit_code": code(0), "unit_name": "x"},
                                                   {"unit_code": "999001", "unit_name": "新增单位"}])
    old = site["data"] / "登录码-2026.xlsx"
    r = jixiao("serve", "task", "--data", str(site["data"]), "--year", "2026", "--roster", str(roster))
    assert r.returncode == 0 and "新发放登录码 1 个" in r.stdout, r.stderr
    assert list(read_codes(old)) == ["999001"]
    kept = [p for p in site["data"].glob("登录码-2026-*.xlsx")]  # the earlier list is kept, renamed
    assert len(kept) == 1 and read_codes(kept[0]) == site["codes"]
    bad = write_roster(tmp_path / "坏名册.xlsx", [{"unit_code": "1", "unit_name": "a"}, {"unit_code": "1", "unit_name": "b"}])
    r = jixiao("serve", "task", "--data", str(site["data"]), "--year", "2026", "--roster", str(bad))
    assert r.returncode == 2 and "重复" in r.stderr
    r = jixiao("serve", "task", "--data", str(site["data"]), "--year", "2026", "--roster", str(roster),
               "--deadline", "1月31日")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr


def test_a_workbook_of_another_year_is_rejected(site, client):
    from jixiao.forms.template import write_workbook

    book = unit_book(XXE)
    book.unit.year = 2025
    path = write_workbook(site["tmp"] / "books" / "2025.xlsx", book)
    body = upload(client, unit_auth(client, site, XXE), path).json()
    assert body["status"] == "rejected" and "预算年度为 2025 年" in body["message"] and "2026" in body["message"]


def test_zip_is_not_a_workbook(site, client):
    auth = unit_auth(client, site, XXE)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<x/>")
    body = client.post("/api/v1/submissions", headers=auth, files={"file": ("a.xlsx", buf.getvalue())}).json()
    assert body["status"] == "rejected" and "无法" in body["message"]


def _csrf(html: str) -> str:
    import re

    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def test_pages_forms_need_their_csrf_token_and_a_cookie_never_authorises_an_api_write(site):
    with httpx.Client(base_url=site["server"].url, timeout=60) as browser:
        login = browser.get("/login")
        assert login.status_code == 200 and "报送单位登录" in login.text
        no_token = browser.post("/login", data={"kind": "unit", "code": site["codes"][code(XXE)]})
        assert no_token.status_code == 403 and "jx_session" not in browser.cookies
        r = browser.post("/login", data={"kind": "unit", "code": site["codes"][code(XXE)], "csrf": _csrf(login.text)})
        assert r.status_code == 303 and r.headers["location"] == "/unit" and "jx_session" in browser.cookies
        page = browser.get("/unit")
        assert page.status_code == 200 and code(XXE) in page.text
        book = unit_file(site["tmp"] / "books", XXE).read_bytes()
        for token in (None, "0" * 40):  # none, or a forged one
            data = {"csrf": token} if token else {}
            r = browser.post("/unit/upload", data=data, files={"file": ("a.xlsx", book)})
            assert r.status_code == 403 and "CSRF" in r.text
        assert browser.post("/api/v1/submissions", files={"file": ("a.xlsx", book)}).status_code == 401
        empty = browser.post("/unit/upload", data={"csrf": _csrf(page.text)}, files={"file": ("", b"")})
        assert empty.status_code == 303 and "选择文件" in browser.get(empty.headers["location"]).text
        r = browser.post("/unit/upload", data={"csrf": _csrf(page.text)}, files={"file": ("a.xlsx", book)})
        assert r.status_code == 303 and r.headers["location"].startswith("/unit?s=")
        shown = browser.get(r.headers["location"])
        assert "已接收" in shown.text
        # a unit's session opens no bureau page and no other unit's submission
        assert browser.get("/bureau").status_code == 403
        assert browser.get("/bureau/submission/1").status_code == 403
        assert browser.post("/bureau/return", data={"sid": 1, "reason": "x", "csrf": _csrf(page.text)}).status_code == 403
        theirs = upload(browser, unit_auth(browser, site, WARN), unit_file(site["tmp"] / "books", WARN))
        sid = theirs.json()["submission_id"]
        other = browser.get("/unit", params={"s": sid})  # another unit's submission id
        assert other.status_code == 200 and f"第 {sid} 次提交" not in other.text
