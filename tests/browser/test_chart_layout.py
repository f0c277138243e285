"""Every registered page, at default settings, opens in a real browser, draws (its charts; the
CartPole page its prompt to start; the class experiment its "Open a room" button), raises
nothing, and reads as a class would read it: no chart text
over other chart text, nothing cut by a chart's edge, no curve through a label or the legend,
no bar cut by (or touching) its axis, no ASCII exponents; and in presenter mode (every answer
revealed, every tab opened) metric values larger than their labels and at least 32 px, code at
least 18 px, chart text at least as large as body text, no sideways scrolling and the sidebar
folded away, on a 1920x1080 screen and on a 1280x720 projector (the same page, resized: no
second run), and every chart's axes as they were once the window is back at 1920x1080
(plotly's scale constraints could widen a range on every resize). Every page ends with its
check-yourself question and its Previous/Next links.

The pages come from the registry, so a new page is covered without touching this file. In normal
mode one tab goes from page to page by the sidebar's links, as a learner does (a page change over
the open connection: half the browser's CPU of a page load); presenter mode, whose sidebar is
folded away, goes on by each page's "Next" link (opening each page by its own address is also
tested in tests/browser/test_share.py, test_cartpole.py, test_rooms.py and test_deep_link.py).
The README's screenshot is taken here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.server import ROOT, follow_nav_link, open_app_page, wait_until_idle
from harness.training import CARTPOLE_PATH
from tests.browser.layout_probe import (
    axis_ranges,
    chart_text,
    charts_drawn,
    open_tab,
    resize,
    reveal_everything,
    settle,
    tab_labels,
    text_sizes,
)
from ui.lesson import neighbours
from ui.registry import HOME, PAGES

MODES = {"normal": ((1440, 900), ""), "presenter": ((1920, 1080), "?present=1")}
SMALL_PROJECTOR = (1280, 720)
"""Presenter mode is probed again at this size, on the same page resized."""
README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
README_PAGE = "expectation"
README_VIEWPORT = {"width": 1400, "height": 900}
METRIC_MIN_PX = 32
CODE_MIN_PX = 18


@pytest.fixture(scope="module", params=list(MODES))
def mode_tab(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[str, Any]]:
    """One browser tab per mode, shared by every page of that mode (fewer contexts, less
    time)."""
    (width, height), _ = MODES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    yield request.param, context.new_page()
    context.close()


def _problems(tab: Any, presenter: bool, where: str) -> list[str]:
    problems = []
    sizes = text_sizes(tab)
    body = sizes["body_px"] or 16.0
    for chart in chart_text(tab):
        name = f"{where} / {chart['name'][:60]}"
        problems += [f"{name}: overlap {pair}" for pair in chart["overlaps"]]
        problems += [f"{name}: cut by the chart's edge: {text}" for text in chart["cut"]]
        problems += [f"{name}: {mark}" for mark in chart["marks"]]
        if presenter and chart["smallest"] is not None and chart["smallest"] < body:
            problems.append(f"{name}: chart text {chart['smallest']} px < body {body} px")
    if presenter:
        for metric in sizes["metrics"]:
            if metric["value_px"] < METRIC_MIN_PX or metric["value_px"] <= metric["label_px"]:
                problems.append(f"{where}: metric '{metric['label']}' value "
                                f"{metric['value_px']} px, label {metric['label_px']} px")
        problems += [f"{where}: code '{code['text']}' at {code['px']} px"
                     for code in sizes["code"] if code["px"] < CODE_MIN_PX]
        if sizes["horizontal_scroll"]:
            problems.append(f"{where}: the page scrolls sideways")
        problems += [f"{where}: text cut short: '{text}'" for text in sizes["cut"]]
        if sizes["sidebar_open"]:  # folded away in presenter mode, also after a Reveal
            problems.append(f"{where}: the sidebar is open")
    return problems


def follow_next_link(tab: Any, entry: Any) -> None:
    """Open ``entry`` by the "Next" link that ends the page the tab shows (its predecessor in
    the registry), a page change over the open connection, and wait for its run to finish."""
    tab.locator("[data-testid='stMain'] a").filter(has_text=f"Next: {entry.title}").click()
    tab.wait_for_function(f"() => location.pathname.endsWith('/{entry.url_path}')")
    tab.locator("h1").filter(has_text=entry.title).first.wait_for()
    wait_until_idle(tab)


def assert_drawn(tab: Any, entry: Any, presenter: bool) -> None:
    """The page raised nothing and drew what it draws before any click (in presenter mode an
    answer's chart waits for its Reveal)."""
    main = tab.locator("[data-testid='stMain']")
    assert tab.locator("[data-testid='stException']").count() == 0
    expect(main.locator("h1").first).to_be_visible()
    if entry.url_path == CARTPOLE_PATH:  # charts appear once training starts
        expect(main.get_by_text("Press Start").first).to_be_visible()
    elif entry.section == "Class":  # charts appear once a room has runs (test_rooms.py)
        expect(main.get_by_role("button", name="Open a room")).to_be_visible()
    elif entry is not HOME and not presenter:
        expect(main.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first
               ).to_be_attached()


def test_readme_page_is_registered() -> None:
    """The README's screenshot comes from a registered page."""
    assert any(p.url_path == README_PAGE for p in PAGES)


@pytest.mark.browser
@pytest.mark.parametrize("entry", [HOME, *PAGES], ids=lambda e: e.url_path or "home")
def test_page_reads_cleanly(entry: Any, mode_tab: tuple[str, Any], app_url: str,
                            artifacts: Any) -> None:
    mode, tab = mode_tab
    presenter = mode == "presenter"
    size, query = MODES[mode]
    if entry is HOME or not tab.url.startswith(app_url):
        open_app_page(tab, f"{app_url}/{entry.url_path}{query}")
    elif presenter:  # the sidebar is folded away: the last page's "Next" link, as a class goes
        follow_next_link(tab, entry)
        assert "present=true" in tab.url, tab.url
    else:  # the link sits in the sidebar of whatever page the tab shows (the last test's)
        follow_nav_link(tab, entry.url_path, entry.title)
    settle(tab, wait_until_idle)
    name = entry.url_path or "home"
    assert_drawn(tab, entry, presenter)
    if entry.url_path == README_PAGE and not presenter:
        tab.set_viewport_size(README_VIEWPORT)
        tab.screenshot(path=str(README_SCREENSHOT))
        tab.set_viewport_size({"width": size[0], "height": size[1]})
    problems: list[str] = []
    labels = tab_labels(tab) or [""]
    for index, label in enumerate(labels):
        if label:
            open_tab(tab, index)
        if presenter:
            reveal_everything(tab, wait_until_idle)
        charts_drawn(tab)
        problems += _problems(tab, presenter, f"{mode} {name} {label}")
        if index == 0:
            first_tab_ranges = axis_ranges(tab)
    shots = artifacts / "screenshots"
    if problems:  # a picture of what failed (only then: each costs browser time)
        tab.screenshot(path=str(shots / f"layout_{mode}_{name}.png"))
    if presenter:  # the same revealed page on a small projector; the last tab is open
        resize(tab, *SMALL_PROJECTOR)
        small: list[str] = []
        for index in reversed(range(len(labels))):
            if labels[index] and index < len(labels) - 1:
                open_tab(tab, index)
                charts_drawn(tab)
            small += _problems(tab, presenter, f"{mode} 1280x720 {name} {labels[index]}")
        if small:
            tab.screenshot(path=str(shots / f"layout_{mode}_1280_{name}.png"))
        problems += small
        resize(tab, *size)  # back, on the first tab again
        ranges = axis_ranges(tab)
        problems += [f"{mode} {name}: chart {chart} axes {first_tab_ranges[chart]} at "
                     f"{size[0]} px, {ranges.get(chart)} after 1280 px and back"
                     for chart in first_tab_ranges if ranges.get(chart) != first_tab_ranges[chart]]
    assert not problems, "\n".join(problems)
    main = tab.locator("[data-testid='stMainBlockContainer']")
    expect(main.get_by_text("Check yourself.")).to_have_count(1)
    before, after = neighbours(entry.url_path)
    for word, other in (("Previous", before), ("Next", after)):
        if other is not None:
            expect(main.get_by_text(f"{word}: {other.title}")).to_have_count(1)

