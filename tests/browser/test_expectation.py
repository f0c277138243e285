"""The expectation and split pages in a real browser: the default numbers are on screen, and
changing a widget redraws the chart."""

from __future__ import annotations

import pytest

from harness.server import open_app_page, wait_until_idle

CHART_TITLES = "[data-testid='stPlotlyChart'] .gtitle"


def _main_text(tab) -> str:
    return tab.locator("[data-testid='stMainBlockContainer']").inner_text()


@pytest.mark.browser
def test_expectation_defaults_and_a_widget_change_redraws(app_url, page):
    open_app_page(page, f"{app_url}/expectation")
    page.locator(CHART_TITLES).first.wait_for(timeout=30_000)
    text = _main_text(page)
    assert "38.5" in text and "3.85" in text
    # KaTeX renders the written-out sum; its text includes the actual numbers.
    katex = page.locator(".katex").first.inner_text()
    assert "0.1" in katex and "38.5" in katex
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .gtitle")]
                 .some(t => t.textContent.startsWith('Sample average of x² as N'))""",
        timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0

    # Pick f(x) = x from the select box: E becomes 5.5 and the chart title follows.
    page.get_by_role("combobox", name="Function f").click()
    page.get_by_role("option", name="f(x) = x", exact=True).click()
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .gtitle")]
                 .some(t => t.textContent.startsWith('Sample average of x as N'))""",
        timeout=30_000)
    wait_until_idle(page)
    metric = page.locator("[data-testid='stMetricValue']").first.inner_text()
    assert metric.strip() == "5.5"
    assert "ev_f=" in page.url  # the view is a shareable link
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.browser
def test_split_defaults_show_the_three_numbers(app_url, page):
    open_app_page(page, f"{app_url}/split")
    page.locator(CHART_TITLES).first.wait_for(timeout=30_000)
    values = [v.strip() for v in page.locator("[data-testid='stMetricValue']").all_inner_texts()]
    assert values[:3] == ["38.5", "30.25", "8.25"]
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.browser
def test_bad_parameter_from_a_link_shows_a_message_not_a_traceback(app_url, page):
    # Table edits cannot come from a URL (AppTest covers them); σ = 0 can.
    # Select boxes bind their displayed label to the URL.
    open_app_page(page, f"{app_url}/expectation?ev_family=Normal&ev_sd=0.0&ev_k=4")
    page.locator("[data-testid='stAlert']").first.wait_for(timeout=30_000)
    assert "σ" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert "ev_k=4" in page.url  # the other settings are kept
