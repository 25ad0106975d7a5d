"""The 报送站 in a real browser: Debian's chromium driven by Selenium through chromium-driver (nothing is
downloaded). The main flow of issue 19, one screenshot per page (JIXIAO_SCREENSHOTS=folder keeps them)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import openpyxl
import pytest

from sitekit import Server, absent, open_site, unit_book, unit_file

SEEDS = [0, 1, 2, 3]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser(tmp_path):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        absent("selenium")
    if not CHROMIUM or not DRIVER:
        absent("chromium and chromium-driver")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--lang=zh-CN", "--disable-gpu"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.downloads = downloads
    # a page that is still loading (a busy 2-core CI machine) is waited for, not taken for a missing element
    driver.implicitly_wait(15)
    yield driver
    driver.quit()


def navigate(driver, *locator: str) -> None:
    """Click the element at ``locator`` (a form's submit button or a link) and wait until the next page has
    replaced this one and finished loading: looking before that finds the old page's elements (stale on a busy
    machine). A lookup that races the previous page's last replacement is tried again."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    for attempt in range(3):
        try:
            wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
            page = driver.find_element("tag name", "html")
            driver.find_element(*locator).click()
            break
        except (StaleElementReferenceException, WebDriverException):
            if attempt == 2:
                raise
            time.sleep(0.5)
    wait.until(_replaced(page))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def open_url(driver, url: str) -> None:
    """``driver.get`` and wait until the page is there: the first navigation of a fresh headless Chromium on a
    busy 2-core machine can return on an empty document (``page_source == ''``, about 1 run in 6), which
    is then asked again rather than taken for the site's page."""
    from selenium.webdriver.support.ui import WebDriverWait

    for attempt in range(3):
        driver.get(url)
        try:
            WebDriverWait(driver, 20).until(
                lambda d: d.execute_script("return document.readyState") == "complete"
                and d.execute_script("return document.body ? document.body.innerText.length : 0") > 0)
            return
        except Exception:  # noqa: BLE001 - a timeout, or the inspector losing a document still loading
            if attempt == 2:
                raise


def bureau_login(driver, server) -> None:
    """The bureau (财政局) logs in as the demo site's ``cz``."""
    open_url(driver, server.url + "/login")
    driver.find_element("id", "user").send_keys("cz")
    driver.find_element("id", "password").send_keys("bureau-pass-1")
    navigate(driver, "id", "bureau-login")


def _replaced(element):
    """The page's old root is gone: stale, or (Chrome under load) an inspector error naming a node
    that "does not belong to the document", which says the same thing."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def check(_driver) -> bool:
        try:
            element.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True
    return check


def shot(driver, tmp_path: Path, name: str) -> None:
    driver.save_screenshot(str(tmp_path / f"{name}.png"))
    keep = os.environ.get("JIXIAO_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / f"{name}.png", Path(keep) / f"{name}.png")


def wait_for(predicate, timeout: float = 60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_main_flow_in_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By

    data, codes = open_site(tmp_path, SEEDS)  # the bureau creates the task (jixiao serve task)
    server = Server(data).start()
    try:
        me = unit_book(0).unit
        books = tmp_path / "books"
        wrong, fixed = unit_file(books, 0, mistakes=True), unit_file(books, 0, warning_only=True)
        # a unit logs in with its 登录码
        open_url(browser, server.url + "/")
        assert "报送单位登录" in browser.page_source
        shot(browser, tmp_path, "1-login")
        browser.find_element(By.ID, "code").send_keys(codes[me.code])
        navigate(browser, By.ID, "unit-login")
        assert browser.find_element(By.ID, "status").text == "未报"

        # it uploads a workbook with an error: it sees it at its cell, and is not accepted
        browser.find_element(By.ID, "file").send_keys(str(wrong))
        navigate(browser, By.ID, "upload")
        message = browser.find_element(By.ID, "message").text
        assert "未予接收" in message
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in browser.find_elements(By.CSS_SELECTOR, "table.report tr.sev-error")]
        assert ["项目1", "C4", "错误", "JX-B01"] in [r[:4] for r in rows]
        assert any("预算数" in r[4] and "不等于财政资金" in r[4] for r in rows)
        assert browser.find_element(By.ID, "status").text == "未报"
        shot(browser, tmp_path, "2-unit-rejected")

        # it uploads the fixed file: 已报, and writes the 说明 its warning asks for
        browser.find_element(By.ID, "file").send_keys(str(fixed))
        navigate(browser, By.ID, "upload")
        assert "已接收" in browser.find_element(By.ID, "message").text
        assert browser.find_element(By.ID, "status").text == "已报"
        note = browser.find_element(By.CSS_SELECTOR, "textarea[name^=w_]")
        note.send_keys("项目名称沿用批复文件写法")
        navigate(browser, By.ID, "save-explain")
        assert "项目名称沿用批复文件写法" in browser.find_element(By.CSS_SELECTOR, "textarea[name^=w_]").get_attribute("value")
        history = browser.find_elements(By.CSS_SELECTOR, "#history tr")
        assert len(history) == 3 and "当前报送" in history[1].text  # header + 2 submissions
        shot(browser, tmp_path, "3-unit-submitted")
        navigate(browser, By.CSS_SELECTOR, "header button")  # 退出

        # the bureau sees 1 / N and the missing units, and downloads the summary
        browser.find_element(By.ID, "user").send_keys("cz")
        browser.find_element(By.ID, "password").send_keys("bureau-pass-1")
        navigate(browser, By.ID, "bureau-login")
        counts = browser.find_element(By.ID, "counts").text
        assert f"已报 1 / {len(SEEDS)}" in counts and browser.find_element(By.ID, "n-missing").text == "3"
        chase = browser.find_element(By.ID, "chase").get_attribute("value")
        missing = [unit_book(s).unit for s in SEEDS[1:]]
        assert all(u.code in chase and u.name in chase for u in missing) and me.code not in chase
        assert browser.find_elements(By.CSS_SELECTOR, "svg rect")
        browser.find_element(By.ID, "summary-button").click()
        summary = wait_for(lambda: [p for p in browser.downloads.glob("*.xlsx")], 120)[0]
        assert "已生成" in browser.find_element(By.ID, "summary-progress").text
        wb = openpyxl.load_workbook(summary, read_only=True)
        assert [str(r[0]) for r in wb["单位汇总"].iter_rows(min_row=2, values_only=True) if r[0]][:1] == [me.code]
        shot(browser, tmp_path, "4-bureau-dashboard")

        # the filter shows the missing ones; the unit's submission page has its 说明 and the 退回 form
        open_url(browser, server.url + "/bureau?status=missing")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#units tr[data-code]")) == 3
        open_url(browser, server.url + "/bureau")
        navigate(browser, By.CSS_SELECTOR, f"tr[data-code='{me.code}'] a")
        assert "项目名称沿用批复文件写法" in browser.page_source
        browser.find_element(By.ID, "reason").send_keys("项目1 的绩效目标过于笼统")
        shot(browser, tmp_path, "5-bureau-submission")
        navigate(browser, By.ID, "return")
        assert browser.find_element(By.ID, "n-rejected").text == "1"
        shot(browser, tmp_path, "6-bureau-after-return")

        # the unit sees the 退回 and its reason
        navigate(browser, By.CSS_SELECTOR, "header button")
        browser.find_element(By.ID, "code").send_keys(codes[me.code])
        navigate(browser, By.ID, "unit-login")
        assert browser.find_element(By.ID, "status").text == "退回"
        assert "项目1 的绩效目标过于笼统" in browser.find_element(By.ID, "return-reason").text
    finally:
        server.stop()


def _luminance(color) -> float:
    """0 (black) … 1 (white) for a pdfplumber colour: gray (1 value), RGB (3) or CMYK (4)."""
    values = list(color) if isinstance(color, (list, tuple)) else [color]
    if len(values) == 1:
        return float(values[0])
    if len(values) == 3:
        r, g, b = (float(v) for v in values)
        return 0.299 * r + 0.587 * g + 0.114 * b
    c, m, y, k = (float(v) for v in values)
    return (1 - k) * (1 - (0.299 * c + 0.587 * m + 0.114 * y))


def test_the_bureau_page_prints_readable_statuses_and_the_whole_chase_list(browser, tmp_path):
    """Printed (Chrome's print to PDF), the status badges are dark on the white paper (backgrounds are not
    printed), the 催报名单 lists every unit (a textarea prints its first rows only), and no button prints."""
    import base64

    import pdfplumber

    seeds = list(range(10))  # more missing units than the textarea's 6 rows
    data, _codes = open_site(tmp_path, seeds)
    server = Server(data).start()
    try:
        bureau_login(browser, server)
        pdf = tmp_path / "bureau.pdf"
        pdf.write_bytes(base64.b64decode(browser.print_page()))
    finally:
        server.stop()
    with pdfplumber.open(pdf) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
        badge_chars = [c for p in doc.pages for c in p.chars if c["text"] in "未报"]
    chase = text.split("催报名单", 1)[1]
    missing = [unit_book(s).unit for s in seeds]
    assert all(u.code in chase and u.name in chase for u in missing), chase
    assert not any(word in text for word in ("筛选", "复制名单", "生成并下载", "退出"))
    assert badge_chars and all(_luminance(c["non_stroking_color"]) < 0.5 for c in badge_chars), \
        {c["non_stroking_color"] for c in badge_chars}


#: The cells whose text takes more than one line: [text, lines] (a file name may wrap; nothing else should)
WRAPPED = """return [...document.querySelectorAll('th, #history td:not(.fname)')].filter(e => e.textContent.trim())
  .map(e => {const r = document.createRange(); r.selectNodeContents(e);
             return [e.textContent.trim(), new Set([...r.getClientRects()].map(x => Math.round(x.top))).size];})
  .filter(x => x[1] > 1)"""


def test_the_unit_page_reads_on_a_1024_pixel_window(browser, tmp_path):
    """On a 1024-pixel window the headings (单元格, 次序) and the results (未接收) stay on one line, and a long
    file name wraps inside its cell instead of widening the page."""
    from selenium.webdriver.common.by import By

    data, codes = open_site(tmp_path, [0])
    server = Server(data).start()
    try:
        browser.set_window_size(1024, 900)
        open_url(browser, server.url + "/login")
        browser.find_element(By.ID, "code").send_keys(codes[unit_book(0).unit.code])
        navigate(browser, By.ID, "unit-login")
        books = tmp_path / "books"
        for name in ("Budget_performance_targets_2026_final_final_version_3_reviewed_by_the_bureau_v4.xlsx",
                     "示例县教育局2026年度预算绩效目标表最终修改版确认稿第三次修改后再次修改版本号20260115.xlsx"):
            browser.find_element(By.ID, "file").send_keys(str(unit_file(books, 0, mistakes=True, name=name)))
            navigate(browser, By.ID, "upload")
        shot(browser, tmp_path, "unit-1024")
        assert browser.execute_script(WRAPPED) == []
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        server.stop()


def test_the_summary_button_says_why_it_failed(browser, tmp_path):
    """A bureau page left open past its session: 生成并下载 said 生成失败（401）; it says to log in again."""
    from selenium.webdriver.common.by import By

    data, _codes = open_site(tmp_path, [0])
    server = Server(data).start()
    try:
        bureau_login(browser, server)
        browser.delete_cookie("jx_session")  # the session has ended (expired, or logged out in another tab)
        browser.find_element(By.ID, "summary-button").click()
        label = wait_for(lambda: (t := browser.find_element(By.ID, "summary-progress").text) and "生成汇总表" not in t
                         and t, 60)
        assert "重新登录" in label and "401" not in label, label
    finally:
        server.stop()


#: What sticks out of a phone's screen: elements whose right edge is past the window (inside a scrolling
#: table wrapper is fine: the table scrolls, the page does not)
STICKING_OUT = """return [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width && r.right > window.innerWidth + 1 && !e.closest('.scroll');})
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 20))"""


def test_the_pages_are_usable_on_a_phone(browser, tmp_path):
    """At 390 px (a phone) the page does not scroll sideways: the wide tables scroll inside their own box,
    and the buttons (提交, 筛选, 生成汇总表, 退出) are on the screen."""
    from selenium.webdriver.common.by import By

    data, codes = open_site(tmp_path, [0, 1, 2])
    server = Server(data).start()
    try:
        browser.set_window_size(390, 844)
        open_url(browser, server.url + "/login")
        shot(browser, tmp_path, "phone-1-login")
        assert browser.execute_script(STICKING_OUT) == []
        browser.find_element(By.ID, "code").send_keys(codes[unit_book(0).unit.code])
        navigate(browser, By.ID, "unit-login")
        browser.find_element(By.ID, "file").send_keys(str(unit_file(tmp_path / "books", 0, mistakes=True)))
        navigate(browser, By.ID, "upload")
        _fits_the_phone(browser, tmp_path, "phone-2-unit", ("upload", "marked"))
        navigate(browser, By.CSS_SELECTOR, "header button")
        browser.find_element(By.ID, "user").send_keys("cz")
        browser.find_element(By.ID, "password").send_keys("bureau-pass-1")
        navigate(browser, By.ID, "bureau-login")
        _fits_the_phone(browser, tmp_path, "phone-3-bureau", ("summary-button", "filter-status"))
    finally:
        server.stop()


def _fits_the_phone(browser, tmp_path, name: str, buttons: tuple[str, ...]) -> None:
    """Nothing sticks out of the 390 px screen and ``buttons`` are wholly on it (a screenshot kept)."""
    from selenium.webdriver.common.by import By

    shot(browser, tmp_path, name)
    assert browser.execute_script(STICKING_OUT) == []
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    for element in buttons:
        box = browser.find_element(By.ID, element).rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (element, box)
