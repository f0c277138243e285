"""Real-browser fixtures: the app served on a free loopback port, driven by system Chromium.

A missing browser skips these tests on a laptop; with REQUIRE_BROWSER=1 (as in CI) it fails.
The server and page helpers themselves are in ``harness/server.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.serve_class import free_port
from harness.server import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    fresh_tab,
    start_server,
    stop_server,
    unavailable,
    uncaught_errors,
)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def app_url(artifacts: Path) -> Iterator[str]:
    port = free_port()
    proc = start_server(port, artifacts / "server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)
    errors = uncaught_errors(proc)
    assert not errors, f"the shared server logged script exceptions: {errors}"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def tabs_context(browser):
    """The browser window the tests' tabs open in, as a learner's browser: each test opens a
    tab of its own, and each tab is a Streamlit session of its own (one per connection).

    The window's HTTP and compiled-script caches stay warm from tab to tab: a page load in a
    fresh browser context costs Chromium about 4.5 CPU-seconds, in this one 1-3 (measured on
    six pages). Tests that need a browser of their own (cookies of their own, a first visit)
    open a context themselves."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context
    context.close()


@pytest.fixture(scope="module")
def module_tab(tabs_context):
    """One tab for every test of a module: for tests that go on from where the last one left
    the page."""
    tab = tabs_context.new_page()
    yield tab
    tab.close()


@pytest.fixture
def page(tabs_context):
    """A new tab for one test."""
    tab = tabs_context.new_page()
    yield tab
    tab.close()


@pytest.fixture
def own_browser_page(browser):
    """A tab in a browser context of its own (cookies of its own: a new visitor)."""
    with fresh_tab(browser) as tab:
        yield tab
