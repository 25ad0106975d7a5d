"""The Excel add-in through xlwings Server, behind the 报送站: `jixiao serve` on loopback, real payloads
built from real workbooks, the actions compared with the desktop path's exactly, the auth rules."""

from __future__ import annotations

import inspect
import os

import httpx
import pytest
from lxml import etree

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402

import jixiao.addin as addin  # noqa: E402
from jixiao.addin.replay import apply_actions, payload_from_file  # noqa: E402

from sitekit import Server, open_site, unit_book, unit_file  # noqa: E402

PUBLIC = "https://jixiao.example.gov.cn"
NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0"}
ADDIN_ID = "6f0c9a4e-2b7d-4c1e-9a53-0d8e7f1b2c3a"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("addin-site")
    data, codes = open_site(tmp, [1, 2])
    server = Server(data, args=["--public-url", PUBLIC, "--addin-id", ADDIN_ID]).start()
    a, b = unit_book(1).unit.code, unit_book(2).unit.code
    books = tmp / "books"
    yield {"url": server.url, "codes": codes, "a": a, "b": b,
           "mine": unit_file(books, 1, mistakes=True), "theirs": unit_file(books, 2, mistakes=True),
           "tmp": tmp}
    server.stop()


def login(site, **body) -> str:
    r = httpx.post(site["url"] + "/api/v1/login", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def meta(site) -> dict:
    r = httpx.get(site["url"] + "/xlwings/custom-scripts-meta.json", timeout=30)
    assert r.status_code == 200
    return {m["function_name"]: m for m in r.json()}


def post(site, script, path, token, **sheets):
    payload = payload_from_file(path, **sheets)
    headers = {"Authorization": f"Bearer {token}", "Auth-Provider": "custom"} if token else {}
    return httpx.post(f"{site['url']}/xlwings/custom-scripts-call/{script}", json=payload, headers=headers,
                      timeout=60)


def desktop(path, script):
    """What the desktop button does with the whole workbook (the same function, not through a server)."""
    book = xw.Book(json=payload_from_file(path))
    inspect.unwrap(getattr(addin, script))(book)
    return book.json()["actions"]


# -- the manifest and the task pane ---------------------------------------------------------------------
def test_manifest_names_the_deployment_and_has_the_jixiao_tab(site):
    r = httpx.get(site["url"] + "/manifest", timeout=30)
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.tag == f"{{{NS['o']}}}OfficeApp"
    assert root.findtext("o:Id", namespaces=NS) == ADDIN_ID
    assert root.findtext("o:DefaultLocale", namespaces=NS) == "zh-CN"
    # every address Excel will load is the deployment's, over HTTPS
    urls = [e.get("DefaultValue") for e in root.iter() if (e.get("DefaultValue") or "").startswith("http")]
    urls += [e.text for e in root.iter(f"{{{NS['o']}}}AppDomain")]
    assert urls and all(u.startswith(PUBLIC + "/") or u == PUBLIC for u in urls), urls
    strings = {e.get("id"): e.get("DefaultValue") for e in root.iter(f"{{{NS['bt']}}}String")}
    tab = root.find(".//ov:CustomTab", NS)
    assert strings[tab.find("ov:Label", NS).get("resid")] == "绩效"
    labels = [strings[c.find("ov:Label", NS).get("resid")] for c in tab.iter(f"{{{NS['ov']}}}Control")]
    assert labels == ["校验", "清除标记", "支出汇总", "新增项目", "任务窗格"]
    # every resid points at a resource, within Office's length limits
    defined = {e.get("id") for e in root.iter() if e.get("id") and e.tag.startswith(f"{{{NS['bt']}}}")}
    used = {e.get("resid") for e in root.iter() if e.get("resid")}
    assert used <= defined, used - defined
    short = root.find(".//bt:ShortStrings", NS)
    assert all(len(s.get("DefaultValue")) <= 125 for s in short)
    assert all(len(s.get("DefaultValue")) <= 250 for s in root.find(".//bt:LongStrings", NS))
    assert all(len(i) <= 32 for i in [s.get("id") for s in short])  # resid: at most 32 characters
    # the ribbon buttons call functions the served ribbon.js associates, with scripts the server has
    functions = [f.text for f in root.iter(f"{{{NS['ov']}}}FunctionName")]
    ribbon = httpx.get(site["url"] + "/static/js/ribbon.js", timeout=30).text
    scripts = meta(site)
    for name in functions:
        assert f'"{name}"' in ribbon
        script = ribbon.split(f'"{name}": "')[1].split('"')[0]
        assert script in scripts
    assert r.headers["content-type"].startswith("text/plain")
    download = httpx.get(site["url"] + "/manifest/download", timeout=30)
    assert download.content == r.content
    assert download.headers["content-disposition"] == "attachment; filename=jixiao-prod.xml"


def test_manifest_against_the_office_schema_when_present(site):
    """Validated with lxml against Microsoft's XSDs when they are kept in tests/data/office-manifest/."""
    folder = os.path.join(os.path.dirname(__file__), "data", "office-manifest")
    main = os.path.join(folder, "OfficeAppManifestV1_1.xsd")  # imports the other four of MS-OWEMXML §5
    if not os.path.exists(main):
        pytest.skip("the Office add-in manifest XSDs are not in tests/data/office-manifest/ (see README)")
    schema = etree.XMLSchema(etree.parse(main))
    doc = etree.fromstring(httpx.get(site["url"] + "/manifest", timeout=30).content)
    assert schema.validate(doc), schema.error_log


# The sequences MS-OWEMXML §2 gives for the parts of the manifest jixiao writes (OfficeApp, TaskPaneApp,
# ShowTaskpane, ExecuteFunction, Supertip): what an XSD would check about order and presence, kept here while
# the XSDs themselves are not in tests/data/office-manifest/. (name, required)
OFFICE_APP = [("Id", 1), ("AlternateId", 0), ("Version", 1), ("ProviderName", 1), ("DefaultLocale", 1),
              ("DisplayName", 1), ("Description", 1), ("IconUrl", 0), ("HighResolutionIconUrl", 0),
              ("SupportUrl", 0), ("AppDomains", 0), ("Hosts", 0),
              # TaskPaneApp extends OfficeApp with:
              ("Requirements", 0), ("DefaultSettings", 1), ("Permissions", 1), ("Dictionary", 0),
              ("VersionOverrides", 0)]
SEQUENCES = {"ShowTaskpane": [("TaskpaneId", 0), ("SourceLocation", 1), ("Title", 0)],
             "ExecuteFunction": [("FunctionName", 1)],
             "Supertip": [("Title", 1), ("Description", 1)]}


def in_sequence(element, sequence) -> bool:
    names = [etree.QName(child).localname for child in element if isinstance(child.tag, str)]
    order = [n for n, _ in sequence]
    return (all(n in order for n in names) and names == sorted(names, key=order.index)
            and all(n in names for n, required in sequence if required))


def test_manifest_follows_the_documented_schema_order(site):
    root = etree.fromstring(httpx.get(site["url"] + "/manifest", timeout=30).content)
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "TaskPaneApp"
    assert in_sequence(root, OFFICE_APP)
    assert root.findtext("o:Permissions", namespaces=NS) in (
        "Restricted", "ReadDocument", "ReadAllDocument", "WriteDocument", "ReadWriteDocument")
    import re
    import uuid

    assert uuid.UUID(root.findtext("o:Id", namespaces=NS))
    assert re.fullmatch(r"\d{1,5}(\.\d{1,5}){0,3}", root.findtext("o:Version", namespaces=NS))
    actions = list(root.iter(f"{{{NS['ov']}}}Action"))
    assert actions
    for action in actions:
        kind = action.get("{http://www.w3.org/2001/XMLSchema-instance}type")
        assert in_sequence(action, SEQUENCES[kind]), kind
    for tip in root.iter(f"{{{NS['ov']}}}Supertip"):
        assert in_sequence(tip, SEQUENCES["Supertip"])
    ids = [c.get("id") for c in root.iter() if etree.QName(c).localname in ("Control", "Group", "CustomTab")]
    assert len(ids) == len(set(ids)) and all(len(i) <= 125 for i in ids)


def test_task_pane_has_the_chinese_buttons_and_signs_in(site):
    html = httpx.get(site["url"] + "/taskpane.html", timeout=30).text
    scripts = meta(site)
    for label, script in [("校验", "validate"), ("清除标记", "clear_marks"), ("支出汇总", "refresh_totals"),
                          ("新增项目", "add_project")]:
        assert f'xw-click="{script}" type="button">{label}</button>' in html
        assert script in scripts
    assert "登录码" in html and "/static/js/jixiao.js" in html
    auth = httpx.get(site["url"] + "/static/js/auth.js", timeout=30).text
    assert '"Bearer "' in auth and 'provider: "custom"' in auth  # our override, not the package's


# -- scripts: the desktop path's actions, exactly ---------------------------------------------------------
def test_validate_returns_the_desktop_actions(site):
    token = login(site, code=site["codes"][site["a"]])
    declared = meta(site)["validate"]
    assert declared["exclude"] == "校验结果,支出计划汇总"
    r = post(site, "validate", site["mine"], token, exclude=declared["exclude"])
    assert r.status_code == 200, r.text
    actions = r.json()["actions"]
    assert actions == desktop(site["mine"], "validate")
    assert any(a["func"] == "setRangeColor" for a in actions) and actions[-1]["func"] == "alert"


def test_a_big_outputs_sheet_stays_home_and_changes_nothing(site):
    """A workbook validated and totalled before: its 校验结果 and 支出计划汇总 are not posted, the actions are
    the desktop path's on the whole workbook."""
    token = login(site, code=site["codes"][site["a"]])
    tmp = site["tmp"]
    marked = apply_actions(site["mine"], desktop(site["mine"], "validate"), tmp / "marked.xlsx")
    both = apply_actions(marked, desktop(marked, "refresh_totals"), tmp / "both.xlsx")
    declared = meta(site)
    for script in ("validate", "refresh_totals", "clear_marks"):
        full, lean = payload_from_file(both), payload_from_file(both, exclude=declared[script]["exclude"])
        assert len(str(lean)) < len(str(full))
        r = post(site, script, both, token, exclude=declared[script]["exclude"])
        assert r.status_code == 200, (script, r.text)
        assert r.json()["actions"] == desktop(both, script), script


def test_add_project_posts_three_sheets_and_matches(site):
    token = login(site, code=site["codes"][site["a"]])
    declared = meta(site)["add_project"]
    assert declared["include"] == "单位信息,_jixiao,项目模板"
    r = post(site, "add_project", site["mine"], token, include=declared["include"])
    assert r.status_code == 200, r.text
    assert r.json()["actions"] == desktop(site["mine"], "add_project")
    assert [a["func"] for a in r.json()["actions"]][:2] == ["copySheet", "setSheetName"]


def test_export_docx_says_it_needs_the_desktop(site):
    token = login(site, code=site["codes"][site["a"]])
    r = post(site, "export_docx", site["mine"], token, exclude=meta(site)["export_docx"]["exclude"])
    assert r.status_code == 200
    assert r.json()["actions"] == desktop(site["mine"], "export_docx")
    assert "本机 Excel" in r.json()["actions"][-1]["args"][0]


def test_udf_through_the_server(site):
    token = login(site, code=site["codes"][site["a"]])
    body = {"func_name": "JX_PLAN_AMOUNT", "args": [[[31.5]], [[25]]], "caller_address": "Sheet1!A1",
            "formula_name": "JX.JX_PLAN_AMOUNT", "version": xw.__version__, "client": "Office.js",
            "runtime": "1.4", "culture_info_name": "zh-CN", "date_format": "yyyy/m/d"}
    r = httpx.post(site["url"] + "/xlwings/custom-functions-call", json=body,
                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["result"] == [[7.88]] == [[addin.JX_PLAN_AMOUNT(31.5, 25)]]
    names = {f["name"] for f in httpx.get(site["url"] + "/xlwings/custom-functions-meta.json").json()["functions"]}
    assert names == {"JX_PLAN_AMOUNT", "JX_PARSE_VALUE"}


# -- who may call -----------------------------------------------------------------------------------------
def test_no_or_bad_credentials_are_refused(site):
    for token in (None, "not-a-code", "a.b.c"):
        r = post(site, "validate", site["mine"], token)
        assert r.status_code == 401, (token, r.text)
        assert "登录" in r.json()["detail"]
    r = httpx.post(site["url"] + "/xlwings/custom-functions-call", json={"func_name": "JX_PLAN_AMOUNT"}, timeout=30)
    assert r.status_code == 401
    # refused before the body is read: even a body that is not JSON gets the 401, not a parse error
    r = httpx.post(site["url"] + "/xlwings/custom-scripts-call/validate", content=b"{not json", timeout=30)
    assert r.status_code == 401
    token = login(site, code=site["codes"][site["a"]])
    r = httpx.post(site["url"] + "/xlwings/custom-scripts-call/hello_world", json=payload_from_file(site["mine"]),
                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 404 and r.json()["detail"] == "没有名为 hello_world 的脚本"


def test_a_second_units_token_is_refused_on_my_workbook(site):
    theirs = login(site, code=site["codes"][site["b"]])
    r = post(site, "validate", site["mine"], theirs)
    assert r.status_code == 403
    assert site["a"] in r.json()["detail"] and site["b"] in r.json()["detail"]
    assert "actions" not in r.json()
    for script in ("clear_marks", "refresh_totals", "add_project"):
        assert post(site, script, site["mine"], theirs).status_code == 403, script
    assert post(site, "validate", site["theirs"], theirs).status_code == 200  # their own: fine


def test_the_owner_rule_is_the_sites_identity_rule(site):
    """Full-width digits and spaces in the 单位编码 are the same unit (as the 报送站 decides); an empty code or a
    workbook that is not a jixiao one is refused with what to do."""
    import openpyxl

    token = login(site, code=site["codes"][site["a"]])
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in site["a"])  # １０００２…
    folder = site["tmp"] / "owner"
    spaced = unit_file(folder, 1, mistakes=True, code=wide[:3] + " " + wide[3:], name="wide.xlsx")
    r = post(site, "validate", spaced, token)
    assert r.status_code == 200, r.text
    assert r.json()["actions"] == desktop(spaced, "validate")
    empty = unit_file(folder, 1, code=" ", name="empty.xlsx")  # a blank cell to the reader
    r = post(site, "validate", empty, token)
    assert r.status_code == 403 and "还没有填写单位编码" in r.json()["detail"] and site["a"] in r.json()["detail"]
    other = folder / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "随便一个表"
    wb.save(other)
    r = post(site, "validate", other, token)
    assert r.status_code == 403 and "不处理" in r.json()["detail"], r.text


def test_the_login_code_itself_and_a_bureau_token_work(site):
    code = site["codes"][site["a"]]
    assert post(site, "validate", site["mine"], code).status_code == 200
    bureau = login(site, user="cz", password="bureau-pass-1")
    assert post(site, "validate", site["theirs"], bureau).status_code == 200
    assert post(site, "validate", site["mine"], bureau).status_code == 200


def test_public_url_must_be_https_root(tmp_path):
    from click.testing import CliRunner

    from jixiao.cli import main

    for bad in ("http://jixiao.example.gov.cn", "https://jixiao.example.gov.cn/jx", "jixiao.example.gov.cn"):
        r = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "d"), "--public-url", bad])
        assert r.exit_code == 2 and "https://" in r.output, (bad, r.output)
    r = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "d"), "--addin-id", "not-a-uuid"])
    assert r.exit_code == 2


def test_the_site_still_answers_beside_the_addin(site):
    assert httpx.get(site["url"] + "/api/v1/health", timeout=30).json() == {"ok": True}
    assert httpx.get(site["url"] + "/login", timeout=30).status_code == 200
