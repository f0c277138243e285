"""Export as a user does it: the camera button on a chart's toolbar saves a PNG, or an SVG
when the sidebar says so, and the CSV button under a chart saves its data."""

from __future__ import annotations

import pytest

from tests.browser.server import open_app_page

PAGE = "expectation"
CAMERA = "[data-testid='stPlotlyChart'] .modebar-btn[data-title^='Download plot']"


def _camera_download(page):
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    with page.expect_download(timeout=60_000) as info:
        page.locator(CAMERA).first.click()
    return info.value


@pytest.mark.browser
@pytest.mark.parametrize(("img", "suffix", "magic"), [("PNG", ".png", b"\x89PNG"),
                                                       ("SVG", ".svg", b"<svg")])
def test_camera_button_saves_the_chosen_format(page, app_url, tmp_path, img, suffix, magic):
    open_app_page(page, f"{app_url}/{PAGE}?img={img}")
    download = _camera_download(page)
    assert download.suggested_filename.endswith(suffix)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().lstrip()[:len(magic)] == magic


@pytest.mark.browser
def test_csv_button_saves_the_plotted_data(page, app_url, tmp_path):
    open_app_page(page, f"{app_url}/{PAGE}")
    button = page.get_by_role("button", name="Data (CSV)").first
    with page.expect_download(timeout=60_000) as info:
        button.click()
    saved = tmp_path / "data.csv"
    info.value.save_as(saved)
    header = saved.read_text().splitlines()[0]
    assert "trace" in header and "x" in header and "y" in header
