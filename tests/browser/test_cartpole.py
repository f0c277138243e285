"""CartPole page in a real browser: Start makes the return chart gain points, Pause stops it."""

from __future__ import annotations

import time

import pytest

from harness.server import open_app_page

POINTS_JS = """() => {
    for (const div of document.querySelectorAll('.js-plotly-plot')) {
        // _fullData holds the decoded arrays (data may keep plotly's base64 form).
        const trace = (div._fullData || []).find(t => (t.name || '').startsWith('return'));
        if (trace && trace.x && trace.x.length !== undefined) return trace.x.length;
    }
    return -1;
}"""


def _points(tab) -> int:
    return int(tab.evaluate(POINTS_JS))


def _wait_for_points(tab, above: int, timeout_s: float = 30.0) -> int:
    """Wait (in the page, on its own redraws) until the return chart has more than ``above``
    points; returns how many it has then."""
    tab.wait_for_function(f"() => ({POINTS_JS})() > {int(above)}", timeout=timeout_s * 1000)
    return _points(tab)


@pytest.mark.browser
def test_start_adds_points_and_pause_stops(app_url, page):
    open_app_page(page, f"{app_url}/cartpole")
    page.get_by_text("Press Start").first.wait_for(timeout=30_000)
    assert _points(page) == -1                   # no chart before there is a return to plot
    page.get_by_role("button", name="Start", exact=True).click()
    first = _wait_for_points(page, 0)
    _wait_for_points(page, first)       # keeps growing tick after tick
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Resume", exact=True).wait_for(timeout=15_000)
    time.sleep(1.0)
    paused = _points(page)
    time.sleep(1.5)
    assert _points(page) == paused
    assert page.locator("[data-testid='stException']").count() == 0
