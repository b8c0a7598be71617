"""The query page in a real browser: headless Chromium, driven by Selenium, against the real app.

The app runs under uvicorn on 127.0.0.1 over a real seed store; the browser loads ``/``, runs
queries through YASGUI against the real ``/sparql`` and must show known seed values in the result
table, without a single request to another host. Under CI (``CI=true``) a missing Chromium is a
failure; elsewhere the test skips and says why.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api import create_app
from kg.build import build
from tests.conftest import _free_port, settings_for

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
SEED_TIMEOUT = 30.0


def _need(what: str, path: str | None) -> str:
    if path is not None:
        return path
    message = (
        f"{what} is not installed; on Debian: apt-get install chromium chromium-driver "
        "(and pip install selenium, in the '[test]' extra)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Served:
    base: str
    server: uvicorn.Server
    thread: threading.Thread


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The real app over a real seed store, under uvicorn on a free local port."""
    settings = settings_for(tmp_path_factory.mktemp("ui") / "store")
    _, store = build(settings)
    store.close()
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-ui-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + SEED_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", server, thread)
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium with the system chromedriver, so Selenium Manager downloads nothing."""
    chromium = _need("Chromium", next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None))
    driver_path = _need("chromedriver", shutil.which("chromedriver"))
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _need("the selenium package", None)
        raise
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI containers run as root
        "--disable-dev-shm-usage",
        "--window-size=1400,1800",
        # keep the browser's own background traffic (updates, sync, safe browsing) out of the way
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(SEED_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


def _requests(driver: Any) -> list[tuple[str, str]]:
    """(method, URL) of every request the page made since the last call, from the performance log."""
    seen = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            request = message["params"]["request"]
            seen.append((request["method"], request["url"]))
    return seen


def _wait_for(driver: Any, script: str, what: str, timeout: float = SEED_TIMEOUT) -> Any:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script))
    except TimeoutException:
        logs = [e["message"] for e in driver.get_log("browser")]
        pytest.fail(f"timed out waiting for {what}; browser console: {logs}")


RESULT_CELLS = """
const table = document.querySelector('.tabPanel.active .yasr table.dataTable tbody');
const rows = table ? [...table.rows].map((tr) => [...tr.cells].map((td) => td.innerText.trim())) : [];
return rows.length && rows[0].length > 1 ? rows : null;
"""


def _run_active_tab(driver: Any) -> list[list[str]]:
    """Press the editor's run button; the result table's cells (row number first), as shown."""
    driver.execute_script("document.querySelector('.tabPanel.active .yasqe_queryButton').click()")
    rows: list[list[str]] = _wait_for(driver, RESULT_CELLS, "the result table")
    return rows


TAB_NAMES = "return window.kgYasgui && window.kgYasgui.persistentConfig.getTabs().map((id) => window.kgYasgui.getTab(id).getName())"

CROSS_ORIGIN_FETCH = """
const [url, done] = arguments;
let violation = null;
document.addEventListener('securitypolicyviolation', (e) => {
  violation = {directive: e.effectiveDirective, blocked: e.blockedURI};
});
fetch(url, {method: 'POST'}).then(() => false, () => true).then((failed) => {
  setTimeout(() => done(violation && {...violation, failed}), 100);
});
"""

TYPED_QUERY = """PREFIX actor: <https://w3id.org/backchannel-kg/id/actor/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE { actor:hezbollah skos:altLabel ?label } ORDER BY ?label"""


def test_the_page_queries_the_real_endpoint_and_loads_nothing_from_elsewhere(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    browser.get(served.base + "/")
    names = _wait_for(browser, TAB_NAMES, "YASGUI to start")
    buttons = [
        b.get_attribute("data-example") for b in browser.find_elements("css selector", "#examples button")
    ]
    assert {"actors_by_name", "claims_of_actor", "contradictions", "messages_between"} <= set(buttons)
    assert names == [buttons[0]]  # a first visit opens the first example

    # a query typed into a new tab
    browser.execute_script("window.kgYasgui.addTab(true).getYasqe().setValue(arguments[0])", TYPED_QUERY)
    rows = _run_active_tab(browser)
    labels = [label for _, label in rows]
    assert '"Hizbullah"@en' in labels and '"Hizbollah"@en' in labels, rows

    # an example from the list opens in a tab of its own and answers what its REST route answers:
    # who says Iran and the US exchanged messages, through which channel
    browser.find_element("css selector", 'button[data-example="messages_between"]').click()
    assert browser.execute_script("return window.kgYasgui.getTab().getName()") == "messages_between"
    rows = _run_active_tab(browser)
    rest = httpx.get(served.base + "/queries/messages_between", timeout=SEED_TIMEOUT).json()
    assert len(rows) == rest["count"] > 0
    assert {tuple(row[1:3]) for row in rows} == {("actor:iran", "actor:us")}  # ?actor, ?other as bound
    assert any("channel:swiss-interests-section" in row for row in rows), rows
    browser.save_screenshot(str(tmp_path / "query-page.png"))

    requests = _requests(browser)
    urls = [url for _, url in requests]
    assert ("POST", served.base + "/sparql") in requests
    assert served.base + "/static/yasgui/yasgui.min.js" in urls
    assert served.base + "/static/yasgui/yasgui.min.css" in urls
    foreign = [url for url in urls if not (url.startswith(served.base + "/") or url.startswith("data:"))]
    assert foreign == []
    # no script error, no refused load: a load the policy blocks never reaches the performance
    # log, but Chromium logs the violation as SEVERE
    severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []

    # the page's policy stops what a query could not: a request to another host never leaves
    violation = browser.execute_async_script(CROSS_ORIGIN_FETCH, "http://192.0.2.1/sparql")
    assert violation == {"directive": "connect-src", "blocked": "http://192.0.2.1/sparql", "failed": True}

    # a reload keeps the user's tabs (saved in the browser) instead of opening the example again
    browser.refresh()
    assert _wait_for(browser, TAB_NAMES, "YASGUI to restart") == [buttons[0], "Query", "messages_between"]
