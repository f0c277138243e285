"""Small Streamlit building blocks every page uses: seed, charts, messages, log sliders."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Literal, ParamSpec, overload

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.charts.export import figure_to_csv
from core.charts.theme import fit_narrow_screens, for_projector
from ui.presenter import predict_then_reveal, presenter_mode

SEED_KEY = "seed"
IMAGE_FORMAT_KEY = "img"
IMAGE_FORMATS = ("PNG", "SVG")
"""What the camera button on a chart's toolbar saves: PNG (the default) or SVG."""
DEFAULT_SEED = 0
"""The seed a session starts with: the smallest one (the sidebar's input starts at its minimum)."""

CHART_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def chart_config() -> dict[str, object]:
    """Plotly's config for every chart, with the image format chosen in the sidebar."""
    chosen = st.session_state.get(IMAGE_FORMAT_KEY, IMAGE_FORMATS[0])
    image_format = chosen if chosen in IMAGE_FORMATS else IMAGE_FORMATS[0]
    image = CHART_CONFIG["toImageButtonOptions"] | {"format": image_format.lower()}
    return CHART_CONFIG | {"toImageButtonOptions": image}


def global_seed() -> int:
    """The seed chosen in the sidebar (the default when a page runs on its own)."""
    value = st.session_state.get(SEED_KEY, DEFAULT_SEED)
    return int(value) if value is not None else DEFAULT_SEED


P = ParamSpec("P")

SHARED_CHARTS = 64
"""Figures each shared chart builder keeps (one per distinct setting)."""
SHARED_CHARTS_TTL_S = 3600
"""Seconds a shared figure is kept after it was built."""


def shared_chart(builder: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """A chart builder whose figures every session shares (``st.cache_resource``): built and
    fitted to narrow screens once per arguments, then only read. A class that opens the same
    link with the same settings pays for each figure once instead of once a student.
    ``show_chart`` never changes a figure it is given: presenter mode scales a copy."""

    @functools.wraps(builder)
    def fitted(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return fit_narrow_screens(builder(*args, **kwargs))

    cached: Callable[P, go.Figure] = st.cache_resource(
        max_entries=SHARED_CHARTS, ttl=SHARED_CHARTS_TTL_S, show_spinner=False)(fitted)
    return cached


def show_chart(fig: go.Figure, *, key: str | None = None, csv: bool = True,
               reveal: str | None = None) -> None:
    """Render a figure from ``core.charts`` with the app's chart settings.

    The chart's camera button saves a PNG (or an SVG, as chosen in the sidebar); with a
    ``key`` (and ``csv``), a small button under the chart downloads the plotted data as CSV.
    The CSV is built only when clicked, and the click does not rerun the page. With
    ``reveal`` (a question) and a ``key``, presenter mode asks the question first and draws
    the chart once "Reveal" is clicked.
    """
    if reveal is not None and key is not None and not predict_then_reveal(reveal, key=key):
        return
    fig = fit_narrow_screens(fig)
    if presenter_mode():
        fig = for_projector(fig)
    st.plotly_chart(fig, theme=None, key=key, config=chart_config())
    if csv and key is not None:
        st.download_button("Data (CSV)", data=lambda: figure_to_csv(fig),
                           file_name=f"{key}.csv", mime="text/csv", on_click="ignore",
                           key=f"{key}__csv", type="tertiary", icon=":material/download:",
                           help="The plotted values of every curve, one row per point.")


def show_problem(message: str) -> None:
    """A clear, non-technical message shown in place of a result that cannot be computed."""
    st.warning(message, icon=":material/warning:")


def log_values(low_exp: int, high_exp: int, per_decade: int = 3) -> list[float]:
    """Round, log-spaced values from 10**low_exp to 10**high_exp (e.g. 1, 2, 5, 10, ...)."""
    mantissas = {1: [1.0], 2: [1.0, 3.0], 3: [1.0, 2.0, 5.0], 4: [1.0, 2.0, 3.0, 5.0]}[per_decade]
    values = [m * 10.0**e for e in range(low_exp, high_exp) for m in mantissas]
    values.append(10.0**high_exp)
    return [float(f"{v:.6g}") for v in values]


def format_number(value: float) -> str:
    """Compact display of a slider value: 1e-05, 0.003, 20, 1,000,000."""
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:.3g}"


@overload
def log_slider(label: str, values: Sequence[float], default: float, *, key: str,
               help: str | None = ..., integer: Literal[False] = ...) -> float: ...
@overload
def log_slider(label: str, values: Sequence[float], default: float, *, key: str,
               help: str | None = ..., integer: Literal[True]) -> int: ...
def log_slider(label: str, values: Sequence[float], default: float, *, key: str,
               help: str | None = None, integer: bool = False) -> float:
    """A select-slider over log-spaced ``values``, bound to the URL like every other control."""
    options = [int(v) for v in values] if integer else list(values)
    start = int(default) if integer else default
    if start not in options:
        start = min(options, key=lambda v: abs(np.log(v) - np.log(default)))
    return st.select_slider(label, options=options, value=start, key=key, help=help,
                            format_func=format_number, bind="query-params")
