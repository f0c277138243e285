"""A shared link to a page, opened first on a freshly started plain `streamlit run app.py`
server, shows the full app with the link's settings (ui/entry.py)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Locator, Page, expect

from deploy.serve_class import free_port
from harness.server import (
    fresh_tab,
    open_app_page,
    start_server,
    stop_server,
    uncaught_errors,
)
from ui.registry import PAGES, PageEntry

SPLIT = next(p for p in PAGES if p.url_path == "split")
OTHER = next(p for p in PAGES if p.url_path == "expectation")


def _check_full_app(page: Page, target: PageEntry, seed: int) -> str:
    """Assert app.py's navigation, sidebar controls, wide layout and the seed; return the
    page body's text."""
    sidebar = page.locator("[data-testid='stSidebar']")
    # The navigation is app.py's (sections, titles), not a listing of the pages/ folder.
    expect(sidebar.get_by_text("The four questions").first).to_be_attached(timeout=30_000)
    expect(sidebar.get_by_text("Start here").first).to_be_visible()
    assert page.get_by_text("Page not found").count() == 0
    # expect() retries: under load the input can show its value a moment after the run.
    expect(page.locator("[data-testid='stNumberInput'] input").first).to_have_value(str(seed))
    assert page.locator("h1").first.inner_text() == target.title
    main = page.locator("[data-testid='stMainBlockContainer']")
    box = main.bounding_box()
    assert box is not None and box["width"] > 900, f"narrow layout: {box}"  # centered is 736
    return _settled_text(page, main)


IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CHARTS_DRAWN_JS = """() => document.querySelectorAll("[data-testid='stPlotlyChart']").length ===
    document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot").length"""
QUIET_S = 2.0


def _settled_text(page: Page, main: Locator, timeout_s: float = 60.0) -> str:
    """The element's text once the script is idle, every chart is drawn, and the text has not
    changed for QUIET_S (charts and their download buttons appear a moment after the script
    run ends; while a slow run is still going, the previous run's elements stay on screen
    unchanged)."""
    deadline = time.monotonic() + timeout_s

    def settled_read() -> str:
        page.wait_for_selector(IDLE, timeout=timeout_s * 1000)
        page.wait_for_function(CHARTS_DRAWN_JS, timeout=timeout_s * 1000)
        return main.inner_text()

    text = settled_read()
    while time.monotonic() < deadline:
        time.sleep(QUIET_S)
        again = settled_read()
        if again == text:
            return text
        text = again
    raise AssertionError("the page kept changing")


@pytest.mark.browser
def test_deep_link_first_on_plain_streamlit_run(browser, artifacts):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    link = f"{base}/{SPLIT.url_path}?seed=3&present=1"
    other = f"{base}/{OTHER.url_path}?seed=3&present=1"
    proc = start_server(port, artifacts / "server-deep-link.log")
    texts: dict[str, str] = {}

    def read(page: Page, url: str, target: PageEntry, name: str) -> None:
        open_app_page(page, url)
        expect(page.get_by_role("switch", name="Presenter mode")).to_be_checked(timeout=30_000)
        texts[name] = _check_full_app(page, target, 3)
        page.screenshot(path=artifacts / "screenshots" / f"deep-link-{name}.png")

    try:
        with fresh_tab(browser) as page:
            read(page, link, SPLIT, "first")  # the very first request the server sees
        with fresh_tab(browser) as page:
            read(page, other, OTHER, "other")  # a second fresh browser, another page
        with fresh_tab(browser) as page:  # a third: the home page, then each link
            open_app_page(page, base + "/")
            read(page, link, SPLIT, "split-after-home")
            read(page, other, OTHER, "other-after-split")
        assert texts["first"] == texts["split-after-home"]
        assert texts["other"] == texts["other-after-split"]
    finally:
        stop_server(proc)
    assert not uncaught_errors(proc)
