"""Presenter mode: text readable from the back of a lecture room, and "predict, then reveal".

Switched by the sidebar toggle (key ``present``, bound to the URL) or by ``?present=1``.
Streamlit's bound toggle only understands ``true``/``false`` in the URL, so the usual
spellings of "on" (1, yes, on) are accepted here before the toggle is drawn.
"""

from __future__ import annotations

import streamlit as st

from ui.common import PRESENTER_KEY, presenter_mode

TRUTHY = frozenset({"1", "yes", "on", "true"})
"""URL spellings of "presenter mode on" (case-insensitive)."""
FALSY = frozenset({"0", "no", "off", "false"})
"""URL spellings of "presenter mode off" (case-insensitive); off is the default anyway."""

# Static CSS (no user text): bigger body text, labels and headings for a projector.
_PRESENTER_CSS = """
<style>
[data-testid="stMainBlockContainer"] { font-size: 1.3rem; max-width: 100%; }
[data-testid="stMainBlockContainer"] p,
[data-testid="stMainBlockContainer"] li,
[data-testid="stMainBlockContainer"] label,
[data-testid="stMainBlockContainer"] [data-testid="stWidgetLabel"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] { font-size: 1.3rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 3.2rem; }
[data-testid="stMainBlockContainer"] h2 { font-size: 2.4rem; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.9rem; }
[data-testid="stMainBlockContainer"] .katex { font-size: 1.45em; }
</style>
"""


def accept_url_alias() -> None:
    """Turn ``?present=1`` (or yes/on, any case) into presenter mode on the first run that
    sees it. Call before the presenter toggle is created."""
    raw = st.query_params.get(PRESENTER_KEY)
    if raw is None or PRESENTER_KEY in st.session_state:
        return
    if raw.strip().lower() in TRUTHY:
        st.session_state[PRESENTER_KEY] = True


def apply() -> None:
    """Page-wide presenter styling; call after the toggle and before the page runs."""
    if presenter_mode():
        st.set_page_config(layout="wide", initial_sidebar_state="collapsed")
        st.html(_PRESENTER_CSS)


def _reveal_key(key: str) -> str:
    return f"reveal_{key}"


def predict_then_reveal(question: str, key: str, *, answer_label: str = "Reveal the answer"
                        ) -> bool:
    """In presenter mode, pose ``question`` and return True only once the reveal button was
    clicked; outside presenter mode, return True at once (nothing is drawn).

    Adoption is one ``if`` per chart::

        if predict_then_reveal("Will the two estimates agree?", key="ev_reveal_split"):
            show_chart(fig, key="ev_split")
    """
    if not presenter_mode():
        return True
    state_key = _reveal_key(key)
    if st.session_state.get(state_key, False):
        st.button("Ask again", key=f"{state_key}_hide", type="tertiary",
                  icon=":material/visibility_off:",
                  on_click=_set_revealed, args=(state_key, False))
        return True
    with st.container(border=True):
        st.markdown(f"**Predict first.** {question}")
        st.button(answer_label, key=f"{state_key}_show", type="primary",
                  icon=":material/visibility:",
                  on_click=_set_revealed, args=(state_key, True))
    return False


def _set_revealed(state_key: str, value: bool) -> None:
    st.session_state[state_key] = value
