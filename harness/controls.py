"""Moving the app's controls in a browser tab as a keyboard user does, waiting for states (what
the page shows), never for a number of tries: a busy machine makes each step slower, not
fewer. Shared by the room tests and the rooms documentation's screenshots."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from harness.server import wait_until_idle

STEP_S = 15.0
"""How long one key press may take to show on the slider (a rerun on a busy machine)."""


def slide_to(tab: Any, key: str, target: str, direction: str, timeout_s: float = 120.0) -> None:
    """Move the slider with widget key ``key`` by the arrow key ``direction`` ("ArrowLeft" or
    "ArrowRight") until it shows ``target`` (its ``aria-valuetext``).

    Each press is followed by a wait until the slider shows another value than before it: a
    press that a re-render swallowed shows nothing new, and is pressed again once the run is
    over. Fails after ``timeout_s`` without reaching the target."""
    handle = tab.locator(f".st-key-{key} input[type='range']")
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            shown = handle.get_attribute("aria-valuetext", timeout=STEP_S * 1000)
            if shown == target:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{key} shows {shown}, never {target}")
            handle.focus(timeout=STEP_S * 1000)
            handle.press(direction, timeout=STEP_S * 1000)
            expect(handle).not_to_have_attribute("aria-valuetext", shown or "",
                                                 timeout=STEP_S * 1000)
        except (PlaywrightError, AssertionError) as error:
            if time.monotonic() > deadline:
                raise AssertionError(f"{key} never showed {target}") from error
            wait_until_idle(tab)  # re-rendered under the press: try again once it is drawn


def open_expander(tab: Any, label: str, inside: str, timeout_s: float = 60.0) -> None:
    """Open the expander titled ``label`` until the element ``inside`` (a selector) is visible:
    a click that a rerun swallowed is made again once the run is over."""
    target = tab.locator(inside)
    deadline = time.monotonic() + timeout_s
    while not target.is_visible():
        if time.monotonic() > deadline:
            raise AssertionError(f"the expander {label!r} did not open")
        tab.get_by_text(label).click()
        try:
            target.wait_for(state="visible", timeout=5_000)
        except PlaywrightError:
            wait_until_idle(tab)
