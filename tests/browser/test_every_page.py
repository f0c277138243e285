"""Every registered page opens in a real browser, renders its charts (the CartPole page: its
prompt to start; the class experiment: its "Open a room" button) and raises nothing."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.server import ROOT, open_app_page
from tests.browser.training import CARTPOLE_PATH
from ui.registry import HOME, PAGES

README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
README_PAGE = "expectation"


@pytest.mark.browser
@pytest.mark.parametrize("entry", [HOME, *PAGES], ids=lambda e: e.url_path or "home")
def test_page_renders(entry, app_url, page, artifacts):
    open_app_page(page, f"{app_url}/{entry.url_path}")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("h1").count() >= 1
    if entry.url_path == CARTPOLE_PATH:  # charts appear once training starts
        page.get_by_text("Press Start").first.wait_for(timeout=30_000)
    elif entry.section == "Class":  # charts appear once a room has runs (tests/browser/test_rooms)
        page.get_by_role("button", name="Open a room").wait_for(timeout=30_000)
    elif entry is not HOME:
        charts = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
        charts.first.wait_for(timeout=30_000)
        assert charts.count() >= 1
    shot = artifacts / "screenshots" / f"{entry.url_path or 'home'}.png"
    page.screenshot(path=str(shot), full_page=True)
    if entry.url_path == README_PAGE:
        page.set_viewport_size({"width": 1400, "height": 900})
        page.screenshot(path=str(README_SCREENSHOT))
    elif entry is HOME and not any(p.url_path == README_PAGE for p in PAGES):
        shutil.copyfile(shot, README_SCREENSHOT)
