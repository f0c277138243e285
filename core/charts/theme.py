"""One visual language for every chart: a colour-blind-safe palette and a shared template.

The palette is Okabe & Ito's (2008), distinguishable under the common colour-vision
deficiencies and still distinct on a washed-out projector.
"""

from __future__ import annotations

from collections.abc import Sequence

# Plotly looks pandas up lazily (sys.modules) while building a figure: on a fresh server two
# sessions' first runs could see a half-imported pandas ("partially initialized module
# 'pandas' has no attribute 'Series'"). Importing it here, fully, before any figure, avoids it.
import pandas  # noqa: F401
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

TRACE_TYPES = ("scatter", "bar", "heatmap", "scatterternary")
"""The trace types the app's charts draw: the template keeps plotly_white's defaults for these
alone. Plotly deep-copies the default template into every new figure, and the defaults for
the other twenty types (maps, 3-D, tables...) were most of it: a page's rerun took a fifth
less CPU without them. tests/test_warmup.py fails when a chart uses a type missing here."""
UNUSED_LAYOUT = ("geo", "polar", "scene", "mapbox", "map")
"""Parts of plotly_white's layout for subplot kinds the app never draws."""


def _build_template() -> go.layout.Template:
    base = pio.templates["plotly_white"].to_plotly_json()
    template = go.layout.Template(
        data={kind: base["data"][kind] for kind in TRACE_TYPES},
        layout={k: v for k, v in base["layout"].items() if k not in UNUSED_LAYOUT})
    template.layout.colorway = list(PALETTE)
    template.layout.font = {"family": "Inter, Helvetica, Arial, sans-serif", "size": 15,
                            "color": "#111111"}
    # pad: a title anchored to the figure's top or left edge keeps clear of it (the padding
    # only applies when the anchor is "top" / "left").
    # Anchored at the figure's top, so a title of two lines (fit_narrow_screens wraps long
    # ones) grows downwards into the margin kept for it, never off the top edge.
    template.layout.title = {"font": {"size": 18}, "x": 0.0, "xanchor": "left",
                             "y": 1.0, "yref": "container", "yanchor": "top",
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
    """An empty figure with the shared template, axis titles and a fixed height.

    Built with its layout in one go: each ``update_layout`` call costs about a millisecond
    (plotly batches and dispatches every change), and every page builds several figures on
    every rerun."""
    return go.Figure(layout={"height": height,
                             "title": {"text": title} if title is not None else {},
                             "xaxis": {"title": {"text": x_title}},
                             "yaxis": {"title": {"text": y_title}}})


BAR_HEADROOM = 0.12
"""Share of the value span left free above the highest bar (and below the lowest negative
one): plotly's autorange leaves 5 %, which reads as bars touching the top of their axis."""


def bar_range(low: float, high: float, headroom: float = BAR_HEADROOM) -> list[float]:
    """An axis range from ``min(0, low)`` to ``max(0, high)`` with ``headroom`` of the span
    added on every side that holds bars (zero stays the edge on a side without any)."""
    lo, hi = min(0.0, float(low)), max(0.0, float(high))
    span = hi - lo if hi > lo else 1.0
    return [lo - headroom * span if lo < 0 else 0.0, hi + headroom * span if hi > 0 or lo == 0
            else 0.0]


LEGEND_BELOW = {"orientation": "h", "yanchor": "bottom", "y": 0.0, "yref": "container",
                "xanchor": "left", "x": 0.0}
"""Legend at the very bottom of the figure: in half-width columns a legend above would run
into the title, and one placed a fixed share of the plot below it runs into the x-axis title
once the ticks grow (presenter mode)."""
LEGEND_BELOW_MARGIN = 150
"""Bottom margin (px at the normal text size) for the x ticks, the x title and the legend."""


def legend_below(fig: go.Figure) -> go.Figure:
    """Move ``fig``'s legend under the plot, with room for it in the bottom margin."""
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": LEGEND_BELOW_MARGIN})
    return fig


MARGIN_LABEL_PX = 80
"""Right margin (px) that holds a reference line's label beside the plot."""


def margin_label(y: float, text: str, colour: str = GREY) -> dict:
    """The annotation naming a horizontal reference line at height ``y`` in the right margin,
    beside its end (the figure keeps ``MARGIN_LABEL_PX`` of right margin for it): inside the
    plot, curves that approach the line would run through the label."""
    return {"xref": "paper", "x": 1.0, "xanchor": "left", "xshift": 4, "yref": "y", "y": y,
            "text": text, "showarrow": False, "align": "left", "font": {"color": colour}}


def label_line_in_margin(fig: go.Figure, y: float, text: str, colour: str = GREY) -> go.Figure:
    """Name a horizontal reference line at height ``y`` in the right margin (``margin_label``)."""
    fig.add_annotation(margin_label(y, text, colour))
    right = fig.layout.margin.r
    fig.update_layout(margin={"r": max(right or 0, MARGIN_LABEL_PX)})
    return fig


PROJECTOR_TEXT_PX = 22
"""Smallest chart text in presenter mode (px): a little above the presenter body text
(1.3 rem = 20.8 px), so every tick, legend entry and annotation reads at least as large."""
PROJECTOR_TITLE_PX = 28
"""Chart titles in presenter mode (px)."""
PROJECTOR_HEIGHT_FACTOR = 1.3
PROJECTOR_TITLE_CHARS = 32
"""A longer chart title is set only a little above the chart text in presenter mode: at
28 px it would not fit a half-width column on a 1280 px wide projector."""
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
    extra = 0
    first_line = (layout.title.text or "").partition("<br>")[0]
    if len(first_line) > PROJECTOR_TITLE_CHARS:  # a half-width chart on a 1280 px projector
        title_px = min(title_px, text_px + 2)
    layout.font.size = max(layout.font.size or 0, text_px)
    layout.title.font.size = max(layout.title.font.size or 0, title_px)
    _at_least(layout.title.subtitle.font, text_px)
    _at_least(layout.legend.font, text_px)
    _at_least(layout.legend.title.font, text_px)
    _at_least(layout.hoverlabel.font, text_px)
    for annotation in layout.annotations:
        _at_least(annotation.font, text_px)
    base_px = pio.templates[TEMPLATE_NAME].layout.font.size
    growth = text_px / base_px
    scaled.for_each_xaxis(lambda axis: _projector_axis(axis, text_px))
    scaled.for_each_yaxis(lambda axis: _projector_axis(axis, text_px))
    if layout.legend.yref == "container" and layout.margin.b:  # legend_below: ticks, title
        extra += round(100 * (growth - 1))                    # and legend all grow
        layout.margin.b = layout.margin.b + extra
    if layout.margin.r and layout.margin.r > 60:  # a label in the right margin grows too
        layout.margin.r = round(layout.margin.r * growth)
    ternaries = [key for key in layout.to_plotly_json() if key.startswith("ternary")]
    # The template's legend (y and yanchor unset here) sits above the plot too.
    legend_above = ((layout.legend.y is None or layout.legend.y >= 1)
                    and layout.legend.yanchor in (None, "bottom")
                    and layout.legend.yref != "container" and layout.showlegend is not False)
    if layout.title.pad.t:  # a title of several lines: its lift grows with its font
        layout.title.pad.t = round(layout.title.pad.t * title_px / 18)
    several_lines = "<br>" in (layout.title.text or "")
    if ternaries or legend_above or several_lines:  # title (all its lines) + legend rows, or
        old_top = layout.margin.t or 60  # the top corner's title, sit in the top margin
        layout.margin.t = round(old_top * max(growth, title_px / 18))  # under the title
        extra += layout.margin.t - old_top
    if ternaries:  # the corner titles overhang the triangle sideways
        layout.margin.l = round((layout.margin.l or 60) * growth)
        layout.margin.r = round((layout.margin.r or 20) * growth)
    for ternary in (layout[key] for key in ternaries):
        for axis in (ternary.aaxis, ternary.baxis, ternary.caxis):
            _at_least(axis.tickfont, text_px)
            _at_least(axis.title.font, text_px)
    for trace in scaled.data:
        if "textfont" in trace:
            _at_least(trace.textfont, text_px)
    layout.height = round((layout.height or 450) * PROJECTOR_HEIGHT_FACTOR) + extra
    return scaled


def _projector_axis(axis: go.layout.XAxis | go.layout.YAxis, text_px: float) -> None:
    axis.automargin = True
    if axis.type == "log" and axis.dtick is None:
        axis.dtick = 1  # plotly labels 2 and 5 between decades at 3/4 size: decades only
    _at_least(axis.tickfont, text_px)
    _at_least(axis.title.font, text_px)



NARROW_CHART_PX = 280
"""Width a legend above the plot has on a phone (a 390 px screen less Streamlit's padding
and the chart's left margin): the legend must fit it without running into the title."""
TITLE_LINE_CHARS = 36
"""A longer one-line chart title is broken at a space into lines of at most this many
characters: on a phone a longer line runs off the chart (and under the toolbar)."""
_LINE_PX = 24
"""Height of one more line of 15-18 px chart text (legend row or title line)."""
TITLE_LIFT = 0.75
"""Share of its font size by which plotly lifts a top-anchored title per extra line."""


NARROW_FITTED = "fits narrow screens"
"""``layout.meta`` of a figure built to fit a phone already (short title, top margin for its
legend): ``fit_narrow_screens`` leaves it as it is, costing a live redraw nothing."""


def legend_top_margin(names: Sequence[str]) -> int:
    """Top margin (px) for a one-line title and a legend above the plot of entries ``names``,
    as many rows as it needs on a phone."""
    return max(60, 6 + _LINE_PX * (1 + rows_for(names)) + 12)


def _legend_entry_px(name: str, font_px: float) -> float:
    return 55 + 0.6 * font_px * len(name)  # symbol and gaps, then the text


def legend_rows(fig: go.Figure, width_px: float = NARROW_CHART_PX) -> int:
    """Rows a horizontal legend needs at ``width_px`` (estimated from its entries' text)."""
    font_px = fig.layout.legend.font.size or fig.layout.font.size or 15
    names = [t.name for t in fig.data
             if t.name and t.showlegend is not False and t.visible is not False]
    return rows_for(names, font_px, width_px)


def rows_for(names: Sequence[str], font_px: float = 15,
             width_px: float = NARROW_CHART_PX) -> int:
    """Rows a horizontal legend of entries ``names`` needs at ``width_px``."""
    rows, used = (1 if names else 0), 0.0
    for name in names:
        entry = _legend_entry_px(str(name), font_px)
        if used and used + entry > width_px:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def wrap_title(text: str, chars: int = TITLE_LINE_CHARS) -> str:
    """``text`` broken at spaces into lines of at most ``chars`` characters ("<br>")."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _wrap_title_lines(title: str) -> str:
    """Each line of a title wrapped: plain lines, and ``<sup>`` subtitle lines (smaller text,
    so longer lines); a line with other markup is left alone."""
    lines = []
    for line in title.split("<br>"):
        inner = line.removeprefix("<sup>").removesuffix("</sup>")
        if "<" in inner:
            lines.append(line)
        elif inner != line:
            lines.append("<sup>" + wrap_title(inner, round(TITLE_LINE_CHARS * 1.4)).replace(
                "<br>", "</sup><br><sup>") + "</sup>")
        else:
            lines.append(wrap_title(line))
    return "<br>".join(lines)


def fit_narrow_screens(fig: go.Figure) -> go.Figure:
    """Make ``fig`` readable on a phone as well: a long one-line title wrapped, and, when
    the legend sits above the plot, room in the top margin for the legend rows it needs on a
    narrow chart and for the title's lines, so a wrapping legend grows into free space
    instead of over the title. (The server does not know the screen's width, so the room
    is kept on every screen: on a wide one it is a little blank space above the legend.)
    The figure is marked fitted (``layout.meta``), so fitting it again does nothing."""
    layout = fig.layout
    if layout.meta == NARROW_FITTED:  # fitted already (a live chart, a shared figure): no
        return fig                     # more work, and a shared figure is never changed
    title = layout.title.text or ""
    wrapped = _wrap_title_lines(title)
    if wrapped != title:
        title = layout.title.text = wrapped
    extra_lines = title.count("<br>")
    if extra_lines:  # plotly lifts a title of several lines by part of a line each: push it
        layout.title.pad.t = round(6 + TITLE_LIFT * 18 * extra_lines)  # back under the edge
    legend_above = ((layout.legend.y is None or layout.legend.y >= 1)
                    and layout.legend.yref != "container" and layout.showlegend is not False)
    rows = legend_rows(fig) if legend_above else 0
    needed = round((layout.title.pad.t or 6) + _LINE_PX * (extra_lines + 1 + rows) + 12)
    if needed > (layout.margin.t or 60):
        layout.margin.t = needed
    layout.meta = NARROW_FITTED
    return fig
