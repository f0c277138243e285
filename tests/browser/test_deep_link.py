"""A shared link to a page, opened first on a freshly started server, shows the full app."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.server import (
    free_port,
    open_app_page,
    start_server,
    stop_server,
    uncaught_errors,
)
from ui.registry import PAGES


@pytest.mark.browser
def test_deep_link_on_fresh_server_runs_through_app_entry(page, artifacts):
    target = PAGES[0]
    port = free_port()
    proc = start_server(port, artifacts / "server-deep-link.log")
    try:
        open_app_page(page, f"http://127.0.0.1:{port}/{target.url_path}?seed=7")
        sidebar = page.locator("[data-testid='stSidebar']")
        # The navigation is app.py's (sections, titles), not a listing of the pages/ folder.
        assert sidebar.get_by_text("The four questions").count() >= 1
        assert sidebar.get_by_text("Start here").count() >= 1
        assert page.get_by_text("Page not found").count() == 0
        # expect() retries: under load the input can show its value a moment after the run.
        expect(page.locator("[data-testid='stNumberInput'] input").first).to_have_value("7")
        assert page.locator("h1").first.inner_text() == target.title
    finally:
        stop_server(proc)
    assert not uncaught_errors(proc)
