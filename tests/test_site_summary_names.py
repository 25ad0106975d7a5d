"""The county summary the 报送站 builds names each unit's file as the unit uploaded it (with who and when),
never by the site's storage name: PostgreSQL from a throwaway cluster, `jixiao serve` over HTTP, the
summary downloaded and read back with openpyxl, and the site's own pages listing the same names."""

from __future__ import annotations

import hashlib
import io
import re

import httpx
import openpyxl
import pytest

from jixiao.forms.template import write_workbook
from jixiao.site.service import SummaryBuilder
from sitekit import Server, open_site, postgres_cluster, unit_book, unit_file

SEEDS = [0, 1, 2]
XINFANG, SHENJI, SILENT = SEEDS
XINFANG_NAME = "滦平县信访局2027.xlsx"
SHENJI_NAME = "丰宁县审计局 绩效目标表（定稿）.xlsx"
SHENJI_WRONG = "丰宁县审计局 绩效目标表（有错）.xlsx"


def code(seed: int) -> str:
    return unit_book(seed).unit.code


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    cluster = postgres_cluster()
    try:
        tmp = tmp_path_factory.mktemp("names")
        db = cluster.create_db("jixiao_names")
        data, codes = open_site(tmp, SEEDS, db=db)
        server = Server(data, db=db).start()
        try:
            yield {"tmp": tmp, "data": data, "codes": codes, "server": server}
        finally:
            server.stop()
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def client(site):
    with httpx.Client(base_url=site["server"].url, timeout=120) as c:
        yield c


def login(client, **body) -> dict[str, str]:
    r = client.post("/api/v1/login", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def upload(client, auth, path, name):
    with open(path, "rb") as fh:
        r = client.post("/api/v1/submissions", headers=auth, files={"file": (name, fh)})
    assert r.status_code == 200, r.text
    return r.json()


def visible_texts(wb) -> dict[str, list[str]]:
    """Every non-empty cell of each sheet a clerk reads (formulas as written: a link's target too)."""
    return {ws.title: [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
            for ws in wb.worksheets if ws.sheet_state == "visible"}


def test_the_summary_names_files_as_the_units_uploaded_them(site, client):
    books = site["tmp"] / "books"
    xinfang = login(client, code=site["codes"][code(XINFANG)])
    shenji = login(client, code=site["codes"][code(SHENJI)])
    # one unit with warnings only (accepted, its findings in 校验问题)
    a = upload(client, xinfang, unit_file(books, XINFANG, warning_only=True), XINFANG_NAME)
    assert a["status"] == "submitted" and a["report"]["warnings"] >= 1
    # the other first fails validation (not accepted, so not in the summary) ...
    wrong = upload(client, shenji, unit_file(books, SHENJI, mistakes=True), SHENJI_WRONG)
    assert wrong["status"] == "rejected" and wrong["report"]["errors"] >= 1
    # ... then is accepted with a 项目编码 the first unit uses too: JX-D02 in 校验问题 for both
    book = unit_book(SHENJI)
    book.projects[0].code = unit_book(XINFANG).projects[0].code
    b = upload(client, shenji, write_workbook(books / "shenji-d02.xlsx", book), SHENJI_NAME)
    assert b["status"] == "submitted", b["message"]

    bureau = login(client, user="cz", password="bureau-pass-1")
    status = {u["unit_code"]: u for u in client.get("/api/v1/status", headers=bureau).json()["units"]}
    r = client.get("/api/v1/summary.xlsx", headers=bureau)
    assert r.status_code == 200 and r.headers["X-Jixiao-Units"] == "2"
    wb = openpyxl.load_workbook(io.BytesIO(r.content))

    def shown(seed: int, name: str) -> str:  # the name, who uploaded it and when (Beijing time, as the pages)
        unit = status[code(seed)]
        assert unit["filename"] == name
        text = f"{name}（{code(seed)} 于 "
        stamp = re.escape(text) + r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) 上传）"
        return text, stamp

    names = {seed: shown(seed, n) for seed, n in ((XINFANG, XINFANG_NAME), (SHENJI, SHENJI_NAME))}
    units = {row[0]: row[-1] for row in wb["单位汇总"].iter_rows(min_row=2, values_only=True) if row[-1]}
    issues = list(wb["校验问题"].iter_rows(min_row=2, values_only=True))
    assert wb["单位汇总"].cell(1, wb["单位汇总"].max_column).value == "来源文件"
    assert wb["校验问题"]["C1"].value == "文件"
    for seed, (text, stamp) in names.items():
        assert re.fullmatch(stamp, units[code(seed)]), units
        d02 = [row for row in issues if row[0] == code(seed) and row[3] == "JX-D02"]
        assert d02 and all(re.fullmatch(stamp, row[2]) for row in d02), d02
    assert any(row[0] == code(XINFANG) and row[4] == "提示" for row in issues)  # its warnings, by its name
    # 未纳入文件: every accepted file is consolidated; its header stays, no storage name in it
    assert [c.value for c in wb["未纳入文件"][1]][:3] == ["文件", "代码", "原因"] and wb["未纳入文件"].max_row == 1

    # where the clerk reads, no storage name: not the links' file names, not the stored hashes, not the folder
    stored = [SummaryBuilder.link_name(code(s)) for s in SEEDS]
    stored += [hashlib.sha256(p.read_bytes()).hexdigest() for p in books.iterdir()]
    folder = str(site["data"])
    for sheet, texts in visible_texts(wb).items():
        assert not [t for t in texts if folder in t or any(s in t for s in stored)], sheet
        assert not [t for t in texts if SHENJI_WRONG in t], sheet  # the refused upload is not in the summary
    assert not [row for row in wb["项目清单"].iter_rows(min_row=2, values_only=True) if row[-1]]  # no dead link

    # the site's own pages list the same names: the bureau's list and each unit's history
    with httpx.Client(base_url=site["server"].url, timeout=120) as browser:
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', browser.get("/login").text).group(1)
        assert browser.post("/login", data={"kind": "bureau", "user": "cz", "password": "bureau-pass-1",
                                             "csrf": token}).status_code == 303
        page = browser.get("/bureau").text
        assert f'<td class="fname">{XINFANG_NAME}</td>' in page and f'<td class="fname">{SHENJI_NAME}</td>' in page
        assert SummaryBuilder.link_name(code(XINFANG)) not in page
    with httpx.Client(base_url=site["server"].url, timeout=120) as browser:
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', browser.get("/login").text).group(1)
        assert browser.post("/login", data={"kind": "unit", "code": site["codes"][code(SHENJI)],
                                             "csrf": token}).status_code == 303
        history = re.findall(r'<td class="fname">([^<]*)</td>', browser.get("/unit").text)
        assert history == [SHENJI_NAME, SHENJI_WRONG]  # newest first, the refused one kept and named

    # a re-submission under another name: the next summary names the new file, reading only that one
    again = upload(client, xinfang, unit_file(books, XINFANG), "滦平县信访局2027（修改）.xlsx")
    assert again["status"] == "submitted"
    r = client.get("/api/v1/summary.xlsx", headers=bureau)
    assert r.headers["X-Jixiao-Files-Read"] == "1"
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    units = {row[0]: row[-1] for row in wb["单位汇总"].iter_rows(min_row=2, values_only=True) if row[-1]}
    assert units[code(XINFANG)].startswith(f"滦平县信访局2027（修改）.xlsx（{code(XINFANG)} 于 ")
