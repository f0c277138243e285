"""Every registered page opens in a real browser, renders its charts (the CartPole page: its
prompt to start; the class experiment: its "Open a room" button) and raises nothing.

The pages share one tab and are opened as a learner opens them: the home page by its address,
every other page by its link in the sidebar's navigation (a page change over the open
connection; a full page load per page cost twice the browser's CPU). Opening each page by its
own address is tested in tests/browser/test_share.py (every analytic page), test_cartpole.py,
test_rooms.py and test_deep_link.py. The full-page screenshot of each page is left to
tests/browser/test_chart_layout.py, which saves one per page and mode; this file saves only the
README's screenshot."""

from __future__ import annotations

import pytest

from harness.server import ROOT, VIEWPORT, follow_nav_link, open_app_page
from harness.training import CARTPOLE_PATH
from ui.registry import HOME, PAGES

README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
README_PAGE = "expectation"
README_VIEWPORT = {"width": 1400, "height": 900}


@pytest.mark.browser
@pytest.mark.parametrize("entry", [HOME, *PAGES], ids=lambda e: e.url_path or "home")
def test_page_renders(entry, app_url, module_tab):
    tab = module_tab  # one tab for every page of this file
    if entry is HOME or not tab.url.startswith(app_url):
        open_app_page(tab, f"{app_url}/")
    if entry is not HOME:
        # The link sits in the sidebar of whatever page the tab shows (the last test's).
        follow_nav_link(tab, entry.url_path, entry.title)
    assert tab.locator("[data-testid='stException']").count() == 0
    assert tab.locator("h1").count() >= 1
    if entry.url_path == CARTPOLE_PATH:  # charts appear once training starts
        tab.get_by_text("Press Start").first.wait_for(timeout=30_000)
    elif entry.section == "Class":  # charts appear once a room has runs (tests/browser/test_rooms)
        tab.get_by_role("button", name="Open a room").wait_for(timeout=30_000)
    elif entry is not HOME:
        charts = tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
        charts.first.wait_for(timeout=30_000)
        assert charts.count() >= 1
    if entry.url_path == README_PAGE:
        tab.set_viewport_size(README_VIEWPORT)
        tab.screenshot(path=str(README_SCREENSHOT))
        tab.set_viewport_size(VIEWPORT)


def test_readme_page_is_registered():
    """The README's screenshot comes from a registered page."""
    assert any(p.url_path == README_PAGE for p in PAGES)
