"""Every registered page, at default settings, read as a class would read it: no chart text
over other chart text, nothing cut by a chart's edge, no curve through a label or the legend,
no bar cut by (or touching) its axis, no ASCII exponents; and in presenter mode (every answer
revealed, every tab opened) metric values larger than their labels and at least 32 px, code at
least 18 px, chart text at least as large as body text, no sideways scrolling and the sidebar
folded away, on a 1920x1080 screen and on a 1280x720 projector (the same page, resized: no
second run), and every chart's axes as they were once the window is back at 1920x1080
(plotly's scale constraints could widen a range on every resize). Every page ends with its
check-yourself question and its Previous/Next links.

The pages come from the registry, so a new page is covered without touching this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.server import open_app_page, wait_until_idle
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


@pytest.mark.browser
@pytest.mark.parametrize("entry", [HOME, *PAGES], ids=lambda e: e.url_path or "home")
def test_page_reads_cleanly(entry: Any, mode_tab: tuple[str, Any], app_url: str,
                            artifacts: Any) -> None:
    mode, tab = mode_tab
    presenter = mode == "presenter"
    size, query = MODES[mode]
    open_app_page(tab, f"{app_url}/{entry.url_path}{query}")
    settle(tab, wait_until_idle)
    name = entry.url_path or "home"
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
    assert main.get_by_text("Check yourself.").count() == 1
    before, after = neighbours(entry.url_path)
    for word, other in (("Previous", before), ("Next", after)):
        if other is not None:
            assert main.get_by_text(f"{word}: {other.title}").count() == 1, word

