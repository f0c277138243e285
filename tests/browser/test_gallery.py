"""The gallery of classic mistakes in a real browser: it renders from a link, and picking
another mistake then pressing Run trains it and updates the link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.server import open_app_page, wait_until_idle

CHARTS = "[data-testid='stPlotlyChart'] .js-plotly-plot"
NO_EXCEPTION = "[data-testid='stException']"


@pytest.mark.browser
def test_gallery_renders_and_runs_another_mistake(app_url, page):
    # One seed and the smallest budget keep the training in this test to about a second.
    open_app_page(page, f"{app_url}/gallery?gm_seeds=1&gm_episodes=100", timeout_ms=120_000)
    page.locator(CHARTS).nth(2).wait_for(timeout=60_000)
    assert page.locator(NO_EXCEPTION).count() == 0
    expect(page.get_by_role("heading", name="The minus sign dropped")).to_have_count(1)
    page.get_by_role("combobox", name="Mistake").click()
    page.get_by_role("option", name="Actions by argmax instead of sampling").click()
    wait_until_idle(page)
    page.get_by_text("The settings changed").wait_for(timeout=30_000)
    assert "gm_mistake=Actions+by+argmax" in page.url  # the link carries the label
    page.get_by_role("button", name="Run").click()
    wait_until_idle(page, timeout_ms=120_000)
    page.get_by_role("heading", name="Actions by argmax instead of sampling").wait_for(
        timeout=60_000)
    expect(page.get_by_text("The settings changed")).to_have_count(0, timeout=10_000)
    # The previous mistake's charts are removed just after the run ends (the browser fades
    # stale elements out), so the count is awaited, not read once.
    expect(page.locator(CHARTS)).to_have_count(3, timeout=10_000)
    assert page.locator(NO_EXCEPTION).count() == 0
