"""The dashboard on `metrics-listen`, in headless Chromium (Debian's chromium
and chromium-driver, through python3-selenium): the page loads without a
JavaScript error, the figures it shows are those of /metrics, and the trace
form draws the path of a signed name with its zones and a secure verdict.
The API's bad requests get their status without a browser.

Chromium runs with its own background traffic turned off and only ever
loads the dashboard on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from resolvers import free_port
from test_metrics import Page, raw_http, scrape

SECURE = "www.secure.example."
WAIT = 15  # seconds the browser is given for a step: a bound, not an expectation


@pytest.fixture
def dashboard(cairn):
    """(cairn, the metrics port) with metrics-listen on loopback."""
    port = free_port()
    return cairn({"metrics-listen": [f"127.0.0.1:{port}"]}), port


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--disable-default-apps", "--disable-extensions",
                 "--window-size=1200,1000", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def severe_log_entries(driver) -> list:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def polls(driver) -> int:
    return int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-polls") or 0)


def wait_for_polls(driver, count: int):
    WebDriverWait(driver, WAIT).until(lambda d: polls(d) >= count)


def shown(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def test_the_page_loads_and_shows_the_figures_of_metrics(dashboard, browser):
    c, port = dashboard
    browser.get(f"http://127.0.0.1:{port}/")
    wait_for_polls(browser, 1)
    assert browser.title == "Cairn dashboard"
    for _ in range(3):
        assert c.query(SECURE, "A", dnssec=True).rcode() == 0
    c.query("www.plain.example.", "A")
    before = scrape(port)
    # A poll that starts after `before` was read (the one running now may not).
    wait_for_polls(browser, polls(browser) + 2)
    queries, hits = shown(browser, "total-queries"), shown(browser, "cache-hits")
    secure_row = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#dnssec tr")
                  if r.text.startswith("secure")]
    after = scrape(port)
    # Nothing was asked between the two reads: the page shows exactly those figures.
    assert before.total("cairn_queries_total") == after.total("cairn_queries_total")
    assert int(queries) == after.total("cairn_queries_total") >= 4
    assert int(hits) == after.total("cairn_server_packet_cache_hits_total") >= 2
    secure = after.value("cairn_dnssec_outcomes_total", outcome="secure")
    assert secure_row == [f"secure {int(secure)}"]
    # The latency histogram has a bar per bucket; the servers asked are listed.
    bars = browser.find_elements(By.CSS_SELECTOR, "#latency rect")
    assert len(bars) == len([k for k in after.samples
                             if k[0] == "cairn_answer_latency_seconds_bucket"
                             and ("transport", "udp") in k[1]])
    assert sum(int(b.get_attribute("data-count")) for b in bars) == \
        after.total("cairn_answer_latency_seconds_count")
    servers = browser.find_element(By.ID, "servers").text
    assert "127." in servers and " ms" in servers, servers
    assert severe_log_entries(browser) == []


def test_the_trace_form_draws_a_signed_name(dashboard, browser, tmp_path, mini_internet):
    _, port = dashboard
    browser.get(f"http://127.0.0.1:{port}/")
    wait_for_polls(browser, 1)
    browser.find_element(By.NAME, "name").send_keys(SECURE)
    browser.find_element(By.CSS_SELECTOR, "#trace-form button").click()
    verdict = WebDriverWait(browser, WAIT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#trace text.verdict"))
    assert verdict[0].text == "secure"
    zones = [z.text.splitlines()[0] for z in browser.find_elements(By.CSS_SELECTOR, "#trace g.zone")]
    for zone in (".", "example.", "secure.example."):
        assert zone in zones, zones
    chain = browser.find_elements(By.CSS_SELECTOR, "#trace g.dnssec.secure")
    assert any("secure.example." in g.text for g in chain), [g.text for g in chain]
    # The servers asked, at the test hierarchy's addresses.
    assert f"@{mini_internet.net}." in browser.find_element(By.ID, "trace").text
    assert severe_log_entries(browser) == []
    wait_for_polls(browser, polls(browser) + 2)  # the figures after the trace, for the picture
    browser.set_window_size(1200, 1500)
    screenshot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(screenshot))
    print(f"dashboard screenshot: {screenshot}")


def get(port: int, path: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.headers["Content-Type"], json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], json.loads(e.read())


def test_the_api_answers_bad_requests_with_their_status(dashboard):
    c, port = dashboard
    assert c.query(SECURE, "A").rcode() == 0
    status, kind, servers = get(port, "/api/servers")
    assert (status, kind) == (200, "application/json")
    assert servers["total"] >= 3 and all(s["address"].startswith("127.") for s in servers["servers"])
    assert any(s["measured"] and s["srtt_ms"] > 0 for s in servers["servers"])
    for path, code, error in (("/api/trace", 400, "a name is needed"),
                              ("/api/trace?name=a..b", 400, "bad name"),
                              ("/api/trace?name=x.&type=BOGUS", 400, "unknown type"),
                              ("/api/other", 404, "not found")):
        status, kind, body = get(port, path)
        assert (status, kind) == (code, "application/json"), path
        assert body["error"].startswith(error), body
    status, _, trace = get(port, "/api/trace?name=" + SECURE + "&type=A")
    assert status == 200 and trace["ad"] is True and trace["question"]["name"] == SECURE
    reply = raw_http(port, b"POST /api/trace HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 405 "), reply
    # /metrics is as it was.
    assert Page(urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()).types
