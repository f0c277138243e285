"""Export as a user does it: the camera button on a chart's toolbar saves a PNG, or an SVG
once the sidebar says so, and the CSV button under a chart saves its data. One tab does all
three, in that order, as a learner would."""

from __future__ import annotations

from typing import Any

import pytest

from harness.server import open_app_page, wait_until_idle

PAGE = "expectation"
CAMERA = "[data-testid='stPlotlyChart'] .modebar-btn[data-title^='Download plot']"
FORMAT_DRAWN_JS = """(format) => {
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
  const plots = [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")];
  return charts.length > 0 && plots.length === charts.length && plots.every(
    (plot) => plot._context?.toImageButtonOptions?.format === format);
}"""


@pytest.fixture(scope="module")
def tab(module_tab: Any, app_url: str) -> Any:
    """The expectation page in one tab, for the three downloads in turn."""
    open_app_page(module_tab, f"{app_url}/{PAGE}")
    return module_tab


def _camera_download(page):
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    with page.expect_download(timeout=60_000) as info:
        page.locator(CAMERA).first.click()
    return info.value


def _choose_format(page, img: str) -> None:
    """Pick the camera's format in the sidebar, as a learner does, and wait for the rerun."""
    choice = page.locator("[data-testid='stSidebar']").get_by_role("radio", name=img)
    if not choice.is_checked():
        choice.check(force=True)  # the radio's input is drawn over by its styled label
        page.wait_for_function(f"() => location.search.includes('img={img}')", timeout=30_000)
        wait_until_idle(page)
    # Plotly redraws a chart whose config changed a moment after the run ends (the old chart's
    # element leaves the page): wait until every chart on the page carries the format.
    page.wait_for_function(FORMAT_DRAWN_JS, arg=img.lower(), timeout=30_000)


@pytest.mark.browser
@pytest.mark.parametrize(("img", "suffix", "magic"), [("PNG", ".png", b"\x89PNG"),
                                                       ("SVG", ".svg", b"<svg")])
def test_camera_button_saves_the_chosen_format(tab, tmp_path, img, suffix, magic):
    _choose_format(tab, img)
    download = _camera_download(tab)
    assert download.suggested_filename.endswith(suffix)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().lstrip()[:len(magic)] == magic


@pytest.mark.browser
def test_csv_button_saves_the_plotted_data(tab, tmp_path):
    button = tab.get_by_role("button", name="Data (CSV)").first
    with tab.expect_download(timeout=60_000) as info:
        button.click()
    saved = tmp_path / "data.csv"
    info.value.save_as(saved)
    header = saved.read_text().splitlines()[0]
    assert "trace" in header and "x" in header and "y" in header
