"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Every page a test visits is checked for serious accessibility violations (axe-core, shipped inside the
axe-playwright-python package) and for console errors (CSP violations show up there too).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("THREADLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (see .ci/run).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class CheckedPage:
    """A Playwright page that fails the test on console errors and serious accessibility violations."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.checked: set[str] = set()
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        if response is not None and response.status >= 400:
            # The browser logs the refused document itself; that refusal is what the test checks.
            marker = f"status of {response.status}"
            self.console_errors = [e for e in self.console_errors if marker not in e]
        self.check()
        return response

    def check(self):
        self.page.wait_for_load_state("load")
        url = self.page.url.split("?")[0]
        assert not self.console_errors, f"console errors on {url}: {self.console_errors}"
        if url in self.checked:
            return
        self.checked.add(url)
        self.page.evaluate(_axe_source())
        result = self.page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
            " target: v.nodes[0] && v.nodes[0].target})); }"
        )
        serious = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not serious, f"accessibility violations on {url}: {serious}"


@pytest.fixture
def checked_page(browser, live_server):
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield CheckedPage(page, live_server.url)
    context.close()
