"""Presenter mode: text readable from the back of a lecture room, and "predict, then reveal".

Switched by the sidebar toggle (key ``present``, bound to the URL) or by ``?present=1``.
Streamlit's bound toggle only understands ``true``/``false`` in the URL, so the usual
spellings of "on" (1, yes, on) are accepted here before the toggle is drawn.

This module owns the presenter's key and state; it imports nothing else from ``ui`` (so
``ui.common`` can use it without an import circle).
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import streamlit as st

from core import distributions as dist

PRESENTER_KEY = "present"
"""Session-state key (and URL parameter) of the presenter toggle."""
TRUTHY = frozenset({"1", "yes", "on", "true"})
"""URL spellings of "presenter mode on" (case-insensitive)."""
FALSY = frozenset({"0", "no", "off", "false"})
"""URL spellings of "presenter mode off" (case-insensitive); off is the default anyway."""
METRIC_VALUE_REM = 3.0
"""Metric values in presenter mode (rem): the largest numbers on the screen."""
ROW_PX = 35
"""Height of one row of ``st.dataframe`` (and of its header), in pixels."""

# Always on (static CSS, no user text): the sidebar shows each page title in full, and each
# metric its label in full, wrapped over two lines when they must, instead of cutting them
# with an ellipsis (four metrics in a row on a 1280 px projector, or two on a phone).
_BASE_CSS = """
<style>
[data-testid="stSidebarNavLink"] span { white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 1.25; }
[data-testid="stSidebarNavLink"] { height: auto; min-height: 2rem; }
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] p { white-space: normal; overflow: visible; text-overflow: clip; }
</style>
"""

# Presenter mode (static CSS, no user text): body text 1.3 rem, and every text a class reads
# at least that large: widget labels and values, select boxes, slider values (lifted above
# their thumbs), tabs, captions, tables, code; metric values larger than anything else. On
# a projector narrower than 1500 px (1280x720), columns holding a chart or code stack, so
# enlarged chart text keeps room and code lines keep their indentation instead of wrapping.
_PRESENTER_CSS = f"""
<style>
[data-testid="stMainBlockContainer"] {{ font-size: 1.3rem; max-width: 100%; }}
[data-testid="stMainBlockContainer"] p,
[data-testid="stMainBlockContainer"] li,
[data-testid="stMainBlockContainer"] label,
[data-testid="stMainBlockContainer"] [data-testid="stWidgetLabel"] p,
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"],
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"],
[data-testid="stMainBlockContainer"] button p,
[data-testid="stMainBlockContainer"] [data-testid="stTab"] p,
[data-testid="stMainBlockContainer"] [data-testid="stPageLink"] p,
[data-testid="stMainBlockContainer"] input,
[data-testid="stMainBlockContainer"] textarea,
[data-testid="stMainBlockContainer"] [data-baseweb="select"] div,
[data-testid="stMainBlockContainer"] [data-testid="stTable"],
[data-testid="stMainBlockContainer"] [data-testid="stTable"] th,
[data-testid="stMainBlockContainer"] [data-testid="stTable"] td {{ font-size: 1.3rem; }}
[data-testid="stMainBlockContainer"] h1 {{ font-size: 3.2rem; }}
[data-testid="stMainBlockContainer"] h2 {{ font-size: 2.4rem; }}
[data-testid="stMainBlockContainer"] h3 {{ font-size: 1.9rem; }}
[data-testid="stMainBlockContainer"] .katex {{ font-size: 1.45em; }}
[data-testid="stMainBlockContainer"] .katex-display {{ overflow-x: auto; overflow-y: hidden; }}
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] p {{ font-size: 1.3rem; }}
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"],
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] * {{
  font-size: {METRIC_VALUE_REM}rem; line-height: 1.2; }}
[data-testid="stMainBlockContainer"] code,
[data-testid="stMainBlockContainer"] [data-testid="stCode"] code,
[data-testid="stMainBlockContainer"] pre code {{ font-size: 1.25rem; }}
[data-testid="stMainBlockContainer"] [data-testid="stSliderThumbValue"],
[data-testid="stMainBlockContainer"] [data-testid="stSliderTickBarMin"],
[data-testid="stMainBlockContainer"] [data-testid="stSliderTickBarMax"] {{ font-size: 1.3rem; }}
[data-testid="stMainBlockContainer"] [data-testid="stSliderThumbValue"] {{
  white-space: nowrap; }}
[data-testid="stMainBlockContainer"] [data-testid="stSlider"] [data-baseweb="slider"] {{
  margin-top: 1.1rem; }}
@media (max-width: 1500px) {{
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]),
  [data-testid="stHorizontalBlock"]:has([data-testid="stCode"]) {{ flex-wrap: wrap; }}
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) > [data-testid="stColumn"],
  [data-testid="stHorizontalBlock"]:has([data-testid="stCode"]) > [data-testid="stColumn"] {{
    min-width: 100%; flex: 1 1 100%; }}
}}
</style>
"""


def presenter_mode() -> bool:
    """Whether the app is in presenter mode (large text, questions before answers)."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def readable(data: Any) -> Any:
    """A table's floats as every page shows an exact value (:func:`core.distributions.fmt`: four
    decimals without trailing zeros, round-off as 0). A data frame, or rows as dicts; other data
    as given."""
    if isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
        data = pd.DataFrame(data)  # rows as dicts, one column per key
    if not isinstance(data, pd.DataFrame):
        return data
    floats = data.select_dtypes("float").columns
    if floats.empty:
        return data
    return data.style.format(dist.fmt, subset=list(floats), na_rep="")


def table_height(rows: int, max_rows: int | None = None) -> int:
    """Pixels of an ``st.dataframe`` that shows its header and ``rows`` rows, with no empty
    rows under them; at most ``max_rows`` rows in view (a longer table scrolls), every row when
    ``max_rows`` is None. Pass it as :func:`data_table`'s ``height``."""
    shown = rows if max_rows is None else min(rows, max_rows)
    return ROW_PX * (shown + 1) + 3


def data_table(data: Any, *, hide_index: bool | None = None,
               width: Literal["stretch", "content"] | int = "stretch",
               height: int | Literal["auto"] = "auto", column_config: Any = None) -> None:
    """A table the class reads, its floats as :func:`readable` shows them in both modes:
    ``st.dataframe`` (sortable, scrollable) normally; in presenter mode ``st.table``, whose
    text the presenter CSS enlarges. (``st.dataframe`` draws its cells on a canvas at the
    theme's text size, which page CSS cannot reach, and Streamlit offers no per-session font
    size for it; its ``row_height`` only spaces the rows.) ``column_config`` applies to the
    dataframe."""
    if presenter_mode():
        st.table(readable(data), hide_index=hide_index)
    else:
        st.dataframe(readable(data), hide_index=hide_index, width=width, height=height,
                     column_config=column_config)


def class_editor(data: Any, **kwargs: Any) -> Any:
    """``st.data_editor`` (same arguments, returns the edited data); in presenter mode its values
    again just under it as an ``st.table``, which the presenter CSS enlarges. The editor draws
    its cells on a canvas at the theme's text size, which page CSS cannot reach: the teacher
    edits in the editor, the class reads the copy."""
    edited = st.data_editor(data, **kwargs)
    if presenter_mode():
        st.table(readable(edited), hide_index=kwargs.get("hide_index"))
    return edited


def accept_url_alias() -> None:
    """Turn ``?present=1`` (or yes/on, any case) into presenter mode on the first run that
    sees it. Call before the presenter toggle is created.

    The address is then rewritten to ``present=true`` and the run restarted: the bound toggle
    reads only true/false from the URL, so Streamlit would drop the alias from the address,
    and a reload or a page change would leave presenter mode. The restarted run sees the
    query string the browser will show, and the toggle takes it as its own."""
    raw = st.query_params.get(PRESENTER_KEY)
    if raw is None or PRESENTER_KEY in st.session_state:
        return
    if raw.strip().lower() in TRUTHY:
        st.session_state[PRESENTER_KEY] = True
        if raw != "true":
            st.query_params[PRESENTER_KEY] = "true"
            st.rerun()


def apply() -> None:
    """Page-wide styling (full page titles in the sidebar), plus the presenter's large text
    when it is on; call after the toggle and before the page runs.

    Also the sidebar's state, set here alone and once per run: folded away in presenter mode,
    "auto" otherwise (open on a wide screen, folded on a phone). Streamlit applies a state
    that differs from the last one it received, so an "auto" sent earlier in every run and
    "collapsed" after it made each rerun in presenter mode (every Reveal click) open the
    sidebar over the lesson."""
    st.html(_BASE_CSS)
    if presenter_mode():
        st.set_page_config(initial_sidebar_state="collapsed")
        st.html(_PRESENTER_CSS)
    else:
        st.set_page_config(initial_sidebar_state="auto")


def _reveal_key(key: str) -> str:
    return f"reveal_{key}"


def revealed(key: str) -> bool:
    """Whether the answer to the question asked with ``key`` may be shown: always outside
    presenter mode, after its Reveal click in it. Use it to hold back prose, numbers and
    captions that would give the answer away (the question itself is asked by
    :func:`predict_then_reveal`)."""
    return not presenter_mode() or bool(st.session_state.get(_reveal_key(key), False))


def predict_then_reveal(question: str, key: str, *, answer_label: str = "Reveal the answer"
                        ) -> bool:
    """In presenter mode, pose ``question`` and return True only once the reveal button was
    clicked; outside presenter mode, return True at once (nothing is drawn).

    Adoption is one ``if`` around everything that answers the question::

        if predict_then_reveal("Is E[X·Y] equal to E[X]·E[Y]?", key="sp_split"):
            st.metric("E[XY]", ...)
            show_chart(fig, key="sp_chart_identity")
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
