"""Every page runs through app.py, also when plain `streamlit run app.py` starts in the legacy
pages/ folder mode.

Streamlit (1.67) treats a folder named pages/ beside the entry script as a legacy multipage app
until some script calls ``st.navigation`` in that server process: on a freshly started server, a
shared link such as ``/split?seed=3`` then runs pages/split.py on its own, without app.py (no
navigation sections, no seed or presenter controls, narrow layout, ``?seed=`` ignored). The
first ``st.navigation`` call switches the whole process to app.py's navigation for good.

So each page starts with :func:`run_through_app`. When app.py ran first in this session (it
calls :func:`mark_app_ran`), it does nothing. Otherwise the page stops before drawing anything,
calls ``st.navigation`` with placeholders for the home page and this page (which ends the
legacy mode for the whole process) and asks for a rerun of the same URL, query string
included; that rerun goes through app.py and lands on the same page.
Only public API is used: ``st.session_state``, ``st.navigation``, ``st.rerun``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.registry import HOME, PAGES

APP_RAN_KEY = "_entry_app_ran"
"""Session-state flag: app.py has run in this session (so the process is out of legacy mode)."""
TRIED_KEY = "_entry_rerun_asked"
"""Session-state flag: this session already asked once for a rerun through app.py."""


def mark_app_ran() -> None:
    """Called by app.py on every run, before it runs the page."""
    st.session_state[APP_RAN_KEY] = True


def _nothing() -> None:
    """The body of the one-page navigation that ends the legacy mode (never shown)."""


def run_through_app(page_file: str) -> None:
    """Make sure the page in ``page_file`` (pass ``__file__``) runs inside app.py (see the
    module docstring); call it before drawing anything.

    The one-page navigation carries the page's own URL path, so the rerun keeps its address
    and app.py's navigation resolves it to the same page. A page run on its own (e.g.
    ``AppTest.from_file("pages/x.py")``) reruns once and then proceeds: the rerun is only ever
    asked for once per session.
    """
    if st.session_state.get(APP_RAN_KEY) or st.session_state.get(TRIED_KEY):
        return
    st.session_state[TRIED_KEY] = True
    name = Path(page_file).name
    entry = next((e for e in PAGES if Path(e.path).name == name), HOME)
    # The page the URL names must not be the default one: a default page answers to "" only.
    placeholders = [st.Page(_nothing, title=HOME.title, default=True)]
    if entry is not HOME:
        placeholders.append(st.Page(_nothing, title=entry.title, url_path=entry.url_path))
    st.navigation(placeholders, position="hidden")
    st.rerun()
