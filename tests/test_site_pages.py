"""The 报送站's pages as a clerk and the bureau meet them: httpx with the session cookie (as a browser sends it)
against `jixiao serve` in a subprocess, real workbooks, the real forms with their CSRF tokens."""

from __future__ import annotations

import contextlib
import unicodedata
import re
import urllib.parse

import httpx
import pytest

from sitekit import Server, open_site, unit_book, unit_file

SEEDS = [0, 1, 2, 3, 4]


def code(seed: int) -> str:
    return unit_book(seed).unit.code


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    data, codes = open_site(tmp, SEEDS)
    server = Server(data, env={"JIXIAO_SITE_MAX_UPLOAD_MB": "1"}).start()
    yield {"tmp": tmp, "data": data, "codes": codes, "server": server, "url": server.url}
    server.stop()


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


@contextlib.contextmanager
def page_login(site, *, seed: int | None = None):
    """A cookie session through the login form: a unit's (``seed``) or the bureau's."""
    with httpx.Client(base_url=site["url"], timeout=120) as browser:
        form = browser.get("/login")
        data = ({"kind": "unit", "code": site["codes"][code(seed)]} if seed is not None
                else {"kind": "bureau", "user": "cz", "password": "bureau-pass-1"})
        r = browser.post("/login", data={**data, "csrf": csrf(form.text)})
        assert r.status_code == 303 and r.headers["location"] in ("/unit", "/bureau"), r.text
        yield browser


def page_upload(browser: httpx.Client, path, name: str | None = None) -> httpx.Response:
    """The unit page's upload form, followed to the page it redirects to."""
    token = csrf(browser.get("/unit").text)
    with open(path, "rb") as fh:
        r = browser.post("/unit/upload", data={"csrf": token}, files={"file": (name or path.name, fh)})
    assert r.status_code == 303, r.text
    return browser.get(r.headers["location"])


def test_a_units_submissions_are_counted_from_its_own_first(site):
    books = site["tmp"] / "books"
    with page_login(site, seed=0) as first:  # another unit submits first: ids 1 and 2 are its
        page_upload(first, unit_file(books, 0))
        page_upload(first, unit_file(books, 0, mistakes=True))
    with page_login(site, seed=1) as clerk:
        page_upload(clerk, unit_file(books, 1, mistakes=True))
        shown = page_upload(clerk, unit_file(books, 1))
        assert "第 2 次提交的校验结果" in shown.text and "第 4 次" not in shown.text
        history = re.search(r'<table id="history">(.*?)</table>', shown.text, re.S).group(1)
        assert re.findall(r"<tr><td>(\d+)</td>", history) == ["2", "1"]
        sid = int(shown.url.params["s"])
        assert sid == 4  # the 4th upload of the site
        disposition = clerk.get(f"/api/v1/submissions/{sid}/file").headers["content-disposition"]
        name = urllib.parse.unquote(disposition.split("UTF-8''")[1])
        assert name.startswith(f"{code(1)}_") and name.endswith("_第2次.xlsx"), name
    with page_login(site) as bureau:
        page = bureau.get(f"/bureau/submission/{sid}")
        assert "第 2 次提交" in page.text and "第 4 次" not in page.text


ENGLISH = ("Not Found", "Method Not Allowed", "Internal Server Error", "Bad Request", "Traceback", "Input should be")


def chinese_page(r: httpx.Response, status: int) -> str:
    """An error shown as a page of the site: its status, HTML in the site's layout, no framework English."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    assert "预算绩效目标报送站" in r.text and "返回上一页" in r.text
    assert not any(word in r.text for word in ENGLISH), r.text
    return re.search(r'id="error">([^<]*)<', r.text).group(1)


def test_errors_are_pages_in_chinese_never_the_frameworks_english(site):
    with page_login(site, seed=2) as clerk:
        assert "没有这个页面" in chinese_page(clerk.get("/unit/upload"), 404)  # a form's address typed or bookmarked
        assert "没有这个页面" in chinese_page(clerk.get("/no-such-page"), 404)
        assert "不正确" in chinese_page(clerk.get("/unit", params={"s": "abc"}), 422)  # an edited link
        token = csrf(clerk.get("/unit").text)
        assert "没有这份报送记录" in chinese_page(clerk.post("/unit/explain", data={"csrf": token, "sid": "x"}), 404)
        big = clerk.post("/unit/upload", data={"csrf": token},
                         files={"file": ("big.xlsx", b"PK" + b"\0" * (2**20 + 2**17))})
        assert "上传限制" in chinese_page(big, 413)
    with httpx.Client(base_url=site["url"], timeout=60) as cut:  # a form cut short (no multipart boundary)
        r = cut.post("/login", content=b"kind=unit", headers={"content-type": "multipart/form-data"})
        assert "请求不完整" in chinese_page(r, 400)
    for path in ("/api/v1/no-such-call", "/api/v1/submissions/1/nothing"):
        r = httpx.get(site["url"] + path)
        assert r.status_code == 404 and r.json() == {"detail": "没有这个接口"}


def test_a_return_without_a_reason_goes_back_to_the_form(site):
    books = site["tmp"] / "books"
    with page_login(site, seed=3) as clerk:
        sid = int(page_upload(clerk, unit_file(books, 3)).url.params["s"])
    with page_login(site) as bureau:
        form = bureau.get(f"/bureau/submission/{sid}")
        assert 'id="reason" rows="3" required' in form.text
        r = bureau.post("/bureau/return", data={"csrf": csrf(form.text), "sid": sid, "reason": "  "})
        assert r.status_code == 303 and r.headers["location"].startswith(f"/bureau/submission/{sid}?")
        again = bureau.get(r.headers["location"])
        assert "退回时请填写退回原因" in again.text and 'id="return"' in again.text
        status = bureau.get("/api/v1/status").json()
        assert next(u for u in status["units"] if u["unit_code"] == code(3))["status"] == "submitted"


def _multipart(fields: dict[str, bytes], filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A form as an older browser sends it: the file's name in raw GBK bytes (httpx would send UTF-8)."""
    boundary = b"----jixiao-gbk"
    parts = [b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k.encode(), v)
             for k, v in fields.items()]
    parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                 b"Content-Type: application/vnd.ms-excel\r\n\r\n%s\r\n" % (boundary, filename, content))
    return b"".join(parts) + b"--%s--\r\n" % boundary, f"multipart/form-data; boundary={boundary.decode()}"


def test_a_file_name_sent_in_gbk_is_shown_in_chinese(site):
    name = "示例县第一中学（修改稿）.xlsx"
    book = unit_file(site["tmp"] / "books", 2).read_bytes()
    with page_login(site, seed=2) as clerk:
        body, ctype = _multipart({"csrf": csrf(clerk.get("/unit").text).encode()}, name.encode("gbk"), book)
        r = clerk.post("/unit/upload", content=body, headers={"content-type": ctype})
        assert r.status_code == 303, r.text
        shown = clerk.get(r.headers["location"])
        assert f"（{name}，" in shown.text and f">{name}</td>" in shown.text
        login = httpx.post(site["url"] + "/api/v1/login", json={"code": site["codes"][code(2)]}).json()
        body, ctype = _multipart({}, ("C:\\桌面\\" + name).encode("gbk"), book)
        r = httpx.post(site["url"] + "/api/v1/submissions", content=body,
                       headers={"content-type": ctype, "authorization": f"Bearer {login['token']}"}, timeout=120)
        assert r.status_code == 200 and r.json()["report"]["files"][0]["path"] == name, r.text


def test_the_bureau_sees_a_refused_submission_as_refused_and_the_units_history(site):
    books = site["tmp"] / "books"
    with page_login(site, seed=4) as clerk:
        refused = int(page_upload(clerk, unit_file(books, 4, mistakes=True)).url.params["s"])
    with page_login(site) as bureau:
        listing = bureau.get("/bureau", params={"q": code(4)}).text
        row = re.search(rf'<tr data-code="{code(4)}">(.*?)</tr>', listing, re.S).group(1)
        assert "已提交 1 次，均未被接收" in row and f'href="/bureau/submission/{refused}">查看最近一次' in row
        page = bureau.get(f"/bureau/submission/{refused}").text
        assert re.search(r'id="unit-status">未报<', page) and "未接收" in re.search(r'id="this-result">(.*?)</b>', page).group(1)
        assert "未予接收" in re.search(r'id="message">([^<]*)<', page).group(1)
        assert "<th>说明</th>" not in page and 'id="return"' not in page  # nothing to explain or return
    with page_login(site, seed=4) as clerk:
        page_upload(clerk, unit_file(books, 4))
    with page_login(site) as bureau:
        page = bureau.get(f"/bureau/submission/{refused}").text
        assert re.search(r'id="unit-status">已报<', page)  # the unit's, beside this one's 未接收
        assert "未接收" in re.search(r'id="this-result">(.*?)</b>', page).group(1)
        history = re.search(r'<table id="history">(.*?)</table>', page, re.S).group(1)
        assert re.findall(r"<td>(\d+)</td><td class=\"nw\">", history) == ["2", "1"] and "当前报送" in history


def test_a_link_to_the_api_followed_in_the_browser_answers_with_a_page(site):
    """下载标注副本 of a file that cannot be read: the browser shows a page, a program still gets JSON."""
    html = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    folder = site["tmp"] / "zips"
    folder.mkdir(exist_ok=True)
    archive = folder / "报表.zip"
    import zipfile

    with zipfile.ZipFile(archive, "w") as z:
        z.write(unit_file(site["tmp"] / "books", 2), "报表.xlsx")
    with page_login(site, seed=2) as clerk:
        sid = int(page_upload(clerk, archive).url.params["s"])
        followed = clerk.get(f"/api/v1/submissions/{sid}/marked.xlsx", headers=html)
        assert "无法生成标注副本" in chinese_page(followed, 422)
        assert "无法生成标注副本" in clerk.get(f"/api/v1/submissions/{sid}/marked.xlsx").json()["detail"]
        assert "没有这份报送记录" in chinese_page(clerk.get("/api/v1/submissions/99999/file", headers=html), 404)
    expired = httpx.get(f"{site['url']}/api/v1/submissions/{sid}/file", headers=html, cookies={"jx_session": "x"})
    assert expired.status_code == 303 and expired.headers["location"] == "/login"  # a session gone: log in again


def _deadline(site, day) -> None:
    from click.testing import CliRunner

    from jixiao.cli import main

    r = CliRunner().invoke(main, ["serve", "task", "--data", str(site["data"]), "--year", "2026", "--roster",
                                  str(site["tmp"] / "名册.xlsx"), "--deadline", day.isoformat()])
    assert r.exit_code == 0, r.output


def test_after_the_deadline_the_unit_is_told_and_the_bureau_sees_the_late_submission(site):
    import datetime as dt

    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # the deadline is a day in Beijing
    try:
        _deadline(site, today - dt.timedelta(days=1))
        with page_login(site, seed=1) as clerk:
            page = clerk.get("/unit").text
            assert f"已过截止日期（{today - dt.timedelta(days=1)}）" in page and "仍可提交" in page
            page_upload(clerk, unit_file(site["tmp"] / "books", 1, warning_only=True))
        with page_login(site) as bureau:
            listing = bureau.get("/bureau").text
            assert "已过截止日期" in listing
            row = re.search(rf'<tr data-code="{code(1)}">(.*?)</tr>', listing, re.S).group(1)
            assert "逾期" in row
        _deadline(site, today)  # the same submission, made on the day of the deadline, is in time
        with page_login(site) as bureau:
            listing = bureau.get("/bureau").text
            row = re.search(rf'<tr data-code="{code(1)}">(.*?)</tr>', listing, re.S).group(1)
            assert "逾期" not in row and "已过截止日期" not in listing
        with page_login(site, seed=1) as clerk:
            assert "已过截止日期" not in clerk.get("/unit").text
    finally:
        _deadline(site, dt.date(2026, 1, 31))


def test_a_login_code_typed_in_full_width_logs_in(site):
    """A Chinese input method in full-width mode types ＣＧＫ８－…: the same 登录码."""
    typed = unicodedata.normalize("NFKC", site["codes"][code(0)]).translate(
        {c: c + 0xFEE0 for c in range(0x21, 0x7F)}).lower().replace("－", " － ")
    assert typed != site["codes"][code(0)] and not typed.isascii()
    with httpx.Client(base_url=site["url"], timeout=60) as browser:
        form = browser.get("/login")
        r = browser.post("/login", data={"kind": "unit", "code": typed, "csrf": csrf(form.text)})
        assert r.status_code == 303 and r.headers["location"] == "/unit", r.headers.get("location")
        assert code(0) in browser.get("/unit").text


def test_a_link_cannot_put_its_own_words_on_the_sites_pages(site):
    """/login?error=…, /unit?notice=…, /bureau?notice=… showed any text as the site's own message (a phishing
    link: 登录码已更换，请拨打…). The redirects name their message by a key; other text shows nothing."""
    bait = "登录码已更换，请拨打 0314-0000000 领取新码"
    assert bait not in httpx.get(site["url"] + "/login", params={"error": bait}).text
    with httpx.Client(base_url=site["url"], timeout=60) as browser:
        form = browser.get("/login")
        r = browser.post("/login", data={"kind": "unit", "code": "AAAA-BBBB-CCCC", "csrf": csrf(form.text)})
        assert "登录码不正确" in browser.get(r.headers["location"]).text
    with page_login(site, seed=3) as clerk:
        assert bait not in clerk.get("/unit", params={"notice": bait}).text
        r = clerk.post("/unit/upload", data={"csrf": csrf(clerk.get("/unit").text)}, files={"file": ("", b"")})
        assert "选择文件" in clerk.get(r.headers["location"]).text
        sid = int(page_upload(clerk, unit_file(site["tmp"] / "books", 3)).url.params["s"])
    with page_login(site) as bureau:
        assert bait not in bureau.get("/bureau", params={"notice": bait}).text
        assert bait not in bureau.get(f"/bureau/submission/{sid}", params={"notice": bait}).text
        assert bait not in bureau.get("/bureau", params={"notice": "returned", "unit": bait}).text
        form = bureau.get(f"/bureau/submission/{sid}").text
        r = bureau.post("/bureau/return", data={"csrf": csrf(form), "sid": sid, "reason": "目标不清"})
        assert f"已退回 {code(3)} {unit_book(3).unit.name}" in bureau.get(r.headers["location"]).text


def test_a_long_file_name_is_shortened_keeping_its_extension(site):
    name = "示例县教育局2026年度预算绩效目标表" + "最终修改版" * 30 + ".xlsx"
    with page_login(site, seed=2) as clerk:
        shown = page_upload(clerk, unit_file(site["tmp"] / "books", 2), name=name)
        kept = re.search(r'<td class="fname">([^<]*)</td>', shown.text).group(1)
        assert len(kept) == 120 and kept.endswith("….xlsx") and kept.startswith("示例县教育局2026年度")


def test_the_blank_template_is_refused_asking_for_the_units_code(site):
    """A clerk who submits the template before filling 单位信息 is told to fill the code in, not that
    '（未填写）' differs from the unit."""
    from pathlib import Path

    blank = Path(__file__).parents[1] / "workbook_templates" / "jixiao-unit-hebei.xlsx"
    with page_login(site, seed=2) as clerk:
        shown = page_upload(clerk, blank)
        message = re.search(r'id="message">([^<]*)<', shown.text).group(1)
        assert "没有填写单位编码" in message and code(2) in message and "不符" not in message, message


def test_a_returned_submission_no_longer_reads_as_accepted_on_the_units_page(site):
    """After a 退回 the unit's page said 报送状态 退回 and, below it, the upload's own green 已接收，状态为已报。"""
    with page_login(site, seed=0) as clerk:
        sid = int(page_upload(clerk, unit_file(site["tmp"] / "books", 0, warning_only=True)).url.params["s"])
    with page_login(site) as bureau:
        form = bureau.get(f"/bureau/submission/{sid}").text
        bureau.post("/bureau/return", data={"csrf": csrf(form), "sid": sid, "reason": "绩效目标过于笼统"})
        assert "已被退回" in re.search(r'id="this-result">(.*?)</b>', bureau.get(f"/bureau/submission/{sid}").text).group(1)
    with page_login(site, seed=0) as clerk:
        page = clerk.get("/unit").text
        assert re.search(r'id="status">退回<', page) and "绩效目标过于笼统" in page
        message = re.search(r'<div class="msg (\w+)" id="message">([^<]*)<', page)
        assert message.group(1) == "bad" and "退回" in message.group(2) and "状态为已报" not in message.group(2)
        history = re.search(r'<table id="history">(.*?)</table>', page, re.S).group(1)
        assert "<b>已被退回</b>" in history and "当前报送" not in history


def test_a_year_without_a_task_links_back_to_the_current_one(site):
    with page_login(site) as bureau:
        page = bureau.get("/bureau", params={"year": 2025}).text
        assert "没有 2025 年度的报送任务" in page and '<a href="/bureau" id="latest">查看 2026 年度的报送情况</a>' in page


def test_a_refusal_without_errors_gives_its_reason_not_0_errors(site):
    """Another unit's workbook (no cell is wrong) and a Windows zip are refused: the page said
    "0 个错误，0 个提示" and "未发现问题" under "未予接收", and offered a marked copy of a zip."""
    from conftest import windows_zip

    books = site["tmp"] / "books"
    other = unit_file(books, 3)  # a clean workbook of unit 3, sent by unit 2
    with page_login(site, seed=2) as clerk:
        answer = page_upload(clerk, other, "别人的.xlsx")
        html, mismatched = answer.text, int(answer.url.params["s"])
        result = html.split('id="result"', 1)[1].split("提交记录", 1)[0]
        assert "与登录的单位" in result and "不符" in result
        assert "0 个错误" not in result and "未发现问题" not in result and "原因见上方" in result
        history = html.split('id="history"', 1)[1]
        assert ">0<" not in history.split("</tr>", 2)[1]  # the refusal's row: no 0 errors, 0 warnings
        zipped = books / "报送.zip"
        zipped.write_bytes(windows_zip([("示例县教育局.xlsx", unit_file(books, 2).read_bytes())]))
        answer = page_upload(clerk, zipped)
        result, zip_id = answer.text.split('id="result"', 1)[1].split("提交记录", 1)[0], int(answer.url.params["s"])
        assert "压缩包" in result and "示例县教育局.xlsx" in result
        assert "0 个错误" not in result and 'id="marked"' not in result
    with page_login(site) as bureau:  # the bureau's page of each: the same
        page = bureau.get(f"/bureau/submission/{mismatched}").text
        assert "未发现问题" not in page and "原因见上方" in page and 'id="marked"' in page
        assert 'id="marked"' not in bureau.get(f"/bureau/submission/{zip_id}").text
