"""Driving the live CartPole training page from a browser, without knowing its layout.

The page is found in ui/registry by url_path "cartpole". Conventions relied on (kept loose
on purpose, so the page can change its wording): the start control is a button whose label
starts with "Train" or "Start" (or whose key contains "train"); a session refused by the
process-wide cap sees an alert mentioning busy / capacity / limit / slots / try again; progress
is shown as "<N> episodes · ..." (a status line).
"""

from __future__ import annotations

import re

from ui.registry import PAGES, PageEntry

CARTPOLE_PATH = "cartpole"
START_LABEL = re.compile(r"^\s*(train|start)", re.I)
REFUSED = re.compile(r"busy|capacity|limit|slots?\b|try again|too many", re.I)
EPISODES = re.compile(r"([\d][\d,\u202f\u00a0]*)\s+episodes?\s*·", re.I)
KEEP_TRAINING = "cp_stop=false&cp_budget=20000"
"""Query string that switches off "Stop when solved" and sets the largest episode budget, so a
session trains for as long as it is open (the default preset solves within seconds, and 2,000
episodes can run out within a minute)."""


def cartpole_entry() -> PageEntry:
    """The registered live-training page."""
    return next(p for p in PAGES if p.url_path == CARTPOLE_PATH)


def start_training(tab, timeout_ms: int = 30_000) -> bool:
    """Click the page's start button; False if there is none."""
    main = tab.locator("[data-testid='stMain']")
    button = main.get_by_role("button", name=START_LABEL).and_(
        main.locator("button:not([disabled])"))
    try:
        button.first.wait_for(state="visible", timeout=timeout_ms)
    except Exception:
        return False
    button.first.click(timeout=timeout_ms)
    return True


def refused(tab) -> bool:
    """Whether the page tells this session that training is not possible right now."""
    texts = tab.locator("[data-testid='stAlert']").all_inner_texts()
    return any(REFUSED.search(t) for t in texts)


def episodes_shown(tab) -> int:
    """The largest "<N> episodes ·" figure on the page (0 if none)."""
    # Chart text cannot match: "<N> episodes ·" only appears in the status line.
    text = tab.locator("[data-testid='stMain']").inner_text()
    counts = [int(re.sub(r"\D", "", m)) for m in EPISODES.findall(text)]
    return max(counts, default=0)
