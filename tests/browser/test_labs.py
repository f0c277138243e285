"""The bandit and short-corridor pages in a real browser: they render, and one interaction
updates a chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.server import open_app_page, wait_until_idle

CHARTS = "[data-testid='stPlotlyChart'] .js-plotly-plot"
NO_EXCEPTION = "[data-testid='stException']"

EXACT_FINAL_J = """() => {
    const plot = [...document.querySelectorAll('.js-plotly-plot')]
        .find(e => (e.querySelector('.gtitle') || {}).textContent?.includes('Expected reward'));
    if (!plot || !plot._fullData) return null;
    // _fullData holds the decoded arrays (data keeps plotly's base64 form).
    const exact = plot._fullData.find(t => t.name === 'exact gradient');
    const y = Array.from(exact.y);
    return y[y.length - 1];
}"""


@pytest.mark.browser
def test_bandit_optimizer_switch_redraws_the_paths(app_url, page):
    open_app_page(page, f"{app_url}/bandit")
    page.locator(CHARTS).nth(2).wait_for(timeout=30_000)
    assert page.locator(NO_EXCEPTION).count() == 0
    expect(page.locator(CHARTS)).to_have_count(3, timeout=10_000)
    assert page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .filter(e => (e.data || []).some(t => t.type === 'scatterternary')).length""") == 1
    before = page.evaluate(EXACT_FINAL_J)
    assert before is not None and 0 < before < 1
    page.get_by_role("radiogroup", name="Optimizer").get_by_text("Adam").click()
    wait_until_idle(page)
    page.wait_for_function(f"() => ({EXACT_FINAL_J})() > {before} + 0.1", timeout=30_000)
    assert page.locator(NO_EXCEPTION).count() == 0
    assert "bd_opt=Adam" in page.url


@pytest.mark.browser
def test_corridor_epsilon_moves_the_markers(app_url, page):
    open_app_page(page, f"{app_url}/corridor")
    page.locator(CHARTS).nth(2).wait_for(timeout=60_000)
    assert page.locator(NO_EXCEPTION).count() == 0
    expect(page.get_by_text("ε-greedy left (ε = 0.1)").first).to_be_attached()
    thumb = page.get_by_role("slider").first  # the ε slider comes first on the page
    thumb.focus()
    thumb.press("ArrowRight")
    wait_until_idle(page)
    page.get_by_text("ε-greedy left (ε = 0.2)").first.wait_for(timeout=30_000)
    assert page.locator(NO_EXCEPTION).count() == 0
    assert "sc_eps=0.2" in page.url
