"""One visual language for every chart: a colour-blind-safe palette and a shared template.

The palette is Okabe & Ito's (2008), distinguishable under the common colour-vision
deficiencies and still distinct on a washed-out projector.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
YELLOW = "#F0E442"
BLACK = "#000000"
GREY = "#7F7F7F"

PALETTE: tuple[str, ...] = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK, YELLOW)
"""Trace colours in the order charts use them."""

TEMPLATE_NAME = "policy_gradient_seen"

MAX_POINTS_PER_TRACE = 2000
"""Upper bound on the points any one trace sends to the browser."""


def _build_template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.colorway = list(PALETTE)
    template.layout.font = {"family": "Inter, Helvetica, Arial, sans-serif", "size": 15,
                            "color": "#111111"}
    # pad: a title anchored to the figure's top or left edge keeps clear of it (the padding
    # only applies when the anchor is "top" / "left").
    template.layout.title = {"font": {"size": 18}, "x": 0.0, "xanchor": "left",
                             "pad": {"t": 6, "l": 2}}
    template.layout.margin = {"l": 60, "r": 20, "t": 60, "b": 55}
    template.layout.legend = {"orientation": "h", "yanchor": "bottom", "y": 1.02,
                              "xanchor": "left", "x": 0.0, "bgcolor": "rgba(255,255,255,0.6)"}
    template.layout.hoverlabel = {"font": {"size": 14}}
    # automargin: the margins grow to fit tick labels and axis titles, so a long tick label
    # or an enlarged font (presenter mode) never prints an axis title over the ticks.
    axis = {"showline": True, "linecolor": "#444444", "gridcolor": "#E5E5E5",
            "zerolinecolor": "#BBBBBB", "ticks": "outside", "title": {"standoff": 8},
            "automargin": True}
    template.layout.xaxis = axis
    template.layout.yaxis = axis
    return template


pio.templates[TEMPLATE_NAME] = _build_template()
# The process-wide default: applying a template by name on every figure re-validates the whole
# template (about 13 ms a figure); as the default it is applied once at construction.
pio.templates.default = TEMPLATE_NAME


def new_figure(title: str | None = None, *, x_title: str = "", y_title: str = "",
               height: int = 420) -> go.Figure:
    """An empty figure with the shared template, axis titles and a fixed height."""
    fig = go.Figure()
    fig.update_layout(height=height, title=title,
                      xaxis_title=x_title, yaxis_title=y_title)
    return fig


LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.3, "xanchor": "left", "x": 0.0}
"""Legend under the plot: in half-width columns a legend above would run into the title."""


def legend_below(fig: go.Figure) -> go.Figure:
    """Move ``fig``'s legend under the plot, with room for it in the bottom margin."""
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 150})
    return fig


PROJECTOR_TEXT_PX = 22
"""Smallest chart text in presenter mode (px): a little above the presenter body text
(1.3 rem = 20.8 px), so every tick, legend entry and annotation reads at least as large."""
PROJECTOR_TITLE_PX = 28
"""Chart titles in presenter mode (px)."""
PROJECTOR_HEIGHT_FACTOR = 1.2
"""Presenter charts are this much taller, so the plot area keeps its size as margins grow."""


def _at_least(font: object, px: float) -> None:
    """Raise a plotly font object's explicit size to ``px`` (a missing size inherits)."""
    size = getattr(font, "size", None)
    if size is not None and size < px:
        font.size = px  # type: ignore[attr-defined]


def for_projector(fig: go.Figure, text_px: float = PROJECTOR_TEXT_PX,
                  title_px: float = PROJECTOR_TITLE_PX) -> go.Figure:
    """A copy of ``fig`` for a projector: every text at least ``text_px`` (ticks, axis titles,
    legend, annotations, text traces), titles ``title_px``, every axis with automatic margins
    so the enlarged text pushes the plot area in instead of printing over it, and a little
    more height for that."""
    scaled = go.Figure(fig)
    layout = scaled.layout
    layout.font.size = max(layout.font.size or 0, text_px)
    layout.title.font.size = max(layout.title.font.size or 0, title_px)
    _at_least(layout.title.subtitle.font, text_px)
    _at_least(layout.legend.font, text_px)
    _at_least(layout.legend.title.font, text_px)
    _at_least(layout.hoverlabel.font, text_px)
    for annotation in layout.annotations:
        _at_least(annotation.font, text_px)
    scaled.for_each_xaxis(lambda axis: _projector_axis(axis, text_px))
    scaled.for_each_yaxis(lambda axis: _projector_axis(axis, text_px))
    for ternary in [layout[name] for name in layout if name.startswith("ternary")]:
        for axis in (ternary.aaxis, ternary.baxis, ternary.caxis):
            _at_least(axis.tickfont, text_px)
            _at_least(axis.title.font, text_px)
    for trace in scaled.data:
        if "textfont" in trace:
            _at_least(trace.textfont, text_px)
    layout.height = round((layout.height or 450) * PROJECTOR_HEIGHT_FACTOR)
    return scaled


def _projector_axis(axis: go.layout.XAxis | go.layout.YAxis, text_px: float) -> None:
    axis.automargin = True
    _at_least(axis.tickfont, text_px)
    _at_least(axis.title.font, text_px)


def log_spaced_indices(n: int, max_points: int = MAX_POINTS_PER_TRACE) -> np.ndarray:
    """Indices 0..n-1 to keep when drawing a length-``n`` series on a log x-axis.

    Always keeps the first and last index; at most ``max_points`` indices, unique and sorted.
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    idx = np.unique(np.round(np.geomspace(1, n, max_points)).astype(np.int64) - 1)
    return idx


def linear_spaced_indices(n: int, max_points: int = MAX_POINTS_PER_TRACE) -> np.ndarray:
    """Indices 0..n-1 to keep for a linear x-axis: evenly spaced, first and last included."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    return np.unique(np.round(np.linspace(0, n - 1, max_points)).astype(np.int64))
