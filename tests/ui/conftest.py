"""Browser fixtures: one live emulator and one headless Chromium per test session.

Chromium is Debian's `chromium` package driven through Playwright's `executable_path` (a
browser download at install time is not possible everywhere). Without it, every test here
skips with one reason; `.ci/run` installs it when it runs as root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

from emulator.core.settings import Settings
from emulator.testing.server import LiveServer

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# A closed network: nothing that phones home, no QUIC, no sandbox (containers run as root).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NO_BROWSER = ("Chromium not found (install Debian's `chromium` package, or set CHROMIUM to its "
              "path); .ci/run installs it when run as root")


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    with LiveServer(Settings(memory=True, access_log=False)) as server:
        yield server


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(NO_BROWSER)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=ARGS, viewport={"width": 1400, "height": 900})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[Page]:
    """A fresh tab; failed page scripts fail the test."""
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(15_000)
    yield tab
    tab.close()
    assert errors == []


@pytest.fixture
def api(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        yield client
