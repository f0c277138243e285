"""The log-derivative and PyTorch-loss pages in a real browser: they render, and a click
updates a chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.server import open_app_page, wait_until_idle

CHARTS = "[data-testid='stPlotlyChart'] .js-plotly-plot"


def _dismiss_dialogs(tab) -> None:
    """Close a modal if one is open: on a fresh server, Streamlit may announce "Page not
    found" for a deep link before the navigation is known, and the modal blocks clicks."""
    close = tab.locator("[role='dialog'] button[aria-label='Close']")
    if close.count():
        close.first.click()
        close.first.wait_for(state="detached", timeout=10_000)


def _chart_titles(tab) -> list[str]:
    return tab.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]
                                 .map(e => e.textContent)""")


@pytest.mark.browser
def test_log_derivative_switches_to_the_gaussian_family(app_url, page):
    open_app_page(page, f"{app_url}/log-derivative")
    page.locator(CHARTS).first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]
                 .some(e => e.textContent.includes('∂J/∂θ1'))""", timeout=30_000)
    _dismiss_dialogs(page)
    page.get_by_text("Gaussian N(μ, σ²)", exact=True).click()
    wait_until_idle(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]
                 .some(e => e.textContent.includes('∂J/∂μ'))""", timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not any("∂J/∂θ1" in t for t in _chart_titles(page))
    assert "ld_family=Gaussian" in page.url  # the view is a shareable link


@pytest.mark.browser
def test_pytorch_loss_renders_its_charts(app_url, page):
    open_app_page(page, f"{app_url}/pytorch-loss")
    page.locator(CHARTS).first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    expect(page.get_by_text("loss = -(log_probs * returns).sum()").first).to_be_attached()
