"""Charts of REINFORCE on CartPole: returns, per-update diagnostics, seeds, and the cart itself.

Every trace is downsampled to at most ``MAX_POINTS_PER_TRACE`` points so a long run stays a
small payload however often it is redrawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from core.charts.theme import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    MARGIN_LABEL_PX,
    NARROW_FITTED,
    ORANGE,
    PALETTE,
    TEMPLATE_NAME,
    VERMILLION,
    legend_top_margin,
    margin_label,
    new_figure,
)
from core.reinforce.rollout import EPISODE_CAP, RETURN_AXIS, SOLVED_RETURN
from core.thinning import MAX_POINTS_PER_TRACE, linear_spaced_indices

WINDOW = 100
"""Episodes in the moving average (the same window gymnasium's "solved" uses)."""
OVERLAY_POINTS = 500
"""Points per earlier run's curve (they are smooth moving averages)."""
EPISODE_DOTS = 400
"""Most episodes drawn as dots, evenly spaced: the browser styles every dot on every redraw of
a live chart (2,000 dots kept a renderer busy on one core at four redraws a second)."""
MAX_MARKERS = 30
"""Most recent mid-run changes drawn as markers (older ones are dropped)."""
MAX_FRAMES = 260
"""Animation frames at most; longer episodes show every k-th step."""
LOG_TICKS = 5
"""Most tick labels on a log panel (every k-th decade beyond that)."""
TRACK_HALF_WIDTH = 2.4
"""Cart position at which CartPole-v1 ends the episode."""


@dataclass(frozen=True)
class Marker:
    """A mid-run change drawn as a vertical line."""

    episode: int
    """Episodes finished when the change was made."""
    label: str
    """Short text, e.g. "lr 0.01→0.1"."""


def moving_average(values: Sequence[float] | np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Trailing mean over the last ``window`` values (fewer at the start)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return x
    csum = np.concatenate(([0.0], np.cumsum(x)))
    idx = np.arange(1, x.size + 1)
    lo = np.maximum(idx - window, 0)
    return (csum[idx] - csum[lo]) / (idx - lo)


def _line(x: np.ndarray, y: np.ndarray, *, max_points: int = MAX_POINTS_PER_TRACE,
          **kwargs) -> go.Scatter:
    keep = linear_spaced_indices(len(x), max_points)
    return go.Scatter(x=x[keep], y=y[keep], mode="lines", **kwargs)


# The two live charts are redrawn several times a second: they are built as plain dicts and
# wrapped without plotly's per-property validation, which costs far more than the data. They
# carry only the layout half of the app's template: its trace half styles trace types these
# charts do not use (heatmaps, bars, maps...), and plotly deep-copies and re-encodes the whole
# template on every redraw (about half of a redraw's cost with it). Of the layout half, the
# parts for colour scales, 3-D scenes, maps and polar or ternary axes are left out too.
_CARTESIAN = ("annotationdefaults", "autotypenumbers", "colorway", "font", "hoverlabel",
              "hovermode", "legend", "margin", "paper_bgcolor", "plot_bgcolor",
              "shapedefaults", "title", "xaxis", "yaxis")
_TEMPLATE_JSON = {"layout": {key: value for key, value
                             in pio.templates[TEMPLATE_NAME].layout.to_plotly_json().items()
                             if key in _CARTESIAN}}


def _fast_figure(data: list[dict], layout: dict) -> go.Figure:
    """``layout`` must fit a phone as built (short title; ``legend_top_margin`` for a legend
    above the plot): it is marked so, and not adjusted again on every redraw."""
    return go.Figure({"data": data, "layout": {"template": _TEMPLATE_JSON, "meta": NARROW_FITTED,
                                               **layout}}, _validate=False)


def _line_dict(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS_PER_TRACE,
               **kwargs) -> dict:
    keep = linear_spaced_indices(len(x), max_points)
    return {"type": "scatter", "mode": "lines", "x": np.asarray(x, dtype=np.float64)[keep],
            "y": np.asarray(y, dtype=np.float64)[keep]} | kwargs


MARKER_GAP = 0.06
"""Share of the episode axis within which change markers share one numbered tag ("2–4"):
tags closer than that would print over each other on a chart a few hundred px wide."""


def marker_number(index: int) -> str:
    """The tag of the ``index``-th change (0-based): "1", "2", ..."""
    return str(index + 1)


def _shown_markers(markers: Sequence[Marker]) -> list[tuple[int, Marker]]:
    """The most recent MAX_MARKERS changes with their 0-based index among all of them."""
    first = max(0, len(markers) - MAX_MARKERS)
    return list(enumerate(markers))[first:]


def marker_legend(markers: Sequence[Marker]) -> str:
    """The numbered tags' meaning, for a caption under the charts: "1 (episode 120): lr
    0.01→0.001 · 2 (episode 300): ...". Empty without changes."""
    return " · ".join(f"**{marker_number(k)}** (episode {m.episode:,}): {m.label}"
                      for k, m in _shown_markers(markers))


def _marker_items(markers: Sequence[Marker], span: float) -> tuple[list[dict], list[dict]]:
    """Dotted lines at each change, and short numbered tags at the top of the plot; changes
    closer than MARKER_GAP of the axis ``span`` share one tag ("2–4"), so no two tags
    overlap however the changes cluster. The tags are explained by ``marker_legend``."""
    shapes: list[dict] = []
    clusters: list[list[tuple[int, float]]] = []
    gap = MARKER_GAP * max(span, 1.0)
    for k, marker in _shown_markers(markers):
        x = marker.episode + 0.5
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x,
                       "y0": 0, "y1": 1, "line": {"color": GREY, "dash": "dot", "width": 1}})
        if clusters and x - clusters[-1][0][1] < gap:
            clusters[-1].append((k, x))
        else:
            clusters.append([(k, x)])
    notes = []
    for cluster in clusters:
        (first, x0), (last, x1) = cluster[0], cluster[-1]
        text = marker_number(first) if first == last else (
            f"{marker_number(first)}–{marker_number(last)}")
        notes.append({"x": (x0 + x1) / 2, "y": 1.0, "xref": "x", "yref": "paper",
                      "text": text, "showarrow": False, "xanchor": "center",
                      "yanchor": "top", "bgcolor": "rgba(255,255,255,0.85)",
                      "bordercolor": GREY, "borderwidth": 1, "borderpad": 1,
                      "font": {"size": 12, "color": "#444444"}})
    return shapes, notes


def returns_figure(returns: Sequence[float] | np.ndarray, *, threshold: float = SOLVED_RETURN,
                   markers: Sequence[Marker] = (),
                   overlays: Sequence[tuple[str, np.ndarray]] = (),
                   title: str = "Episode return", height: int = 420) -> go.Figure:
    """Each episode's return (dots; at most EPISODE_DOTS of them, evenly spaced, the legend
    says how many), its 100-episode moving average over every episode, the solved line,
    earlier runs' moving averages (``overlays``: label, returns) and mid-run change markers.
    The solved line is labelled in the right margin, where no trace can cover the label."""
    data: list[dict] = []
    for k, (label, past) in enumerate(overlays):
        past = np.asarray(past, dtype=np.float64)
        if past.size:
            data.append(_line_dict(np.arange(1, past.size + 1), moving_average(past),
                                   OVERLAY_POINTS, name=label, opacity=0.6,
                                   line={"color": PALETTE[(k + 2) % len(PALETTE)],
                                         "width": 1.5}))
    y = np.asarray(returns, dtype=np.float64)
    x = np.arange(1, y.size + 1, dtype=np.float64)
    keep = linear_spaced_indices(y.size, EPISODE_DOTS)
    dots = "return" if keep.size == y.size else f"return ({keep.size:,} of {y.size:,} episodes)"
    if y.size or not data:  # after Reset only the kept runs: the legend names just them
        data.append({"type": "scatter", "mode": "markers", "name": dots, "x": x[keep],
                     "y": y[keep], "marker": {"color": BLUE, "size": 4, "opacity": 0.35}})
        data.append(_line_dict(x, moving_average(y), name=f"mean of last {WINDOW}",
                               line={"color": BLUE, "width": 3}))
    longest = max([int(y.size), *(len(p) for _, p in overlays), 10])
    shapes, notes = _marker_items(markers, longest)
    shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                   "y0": threshold, "y1": threshold,
                   "line": {"color": VERMILLION, "dash": "dash", "width": 1.5}})
    notes.append(margin_label(threshold, f"solved<br>{threshold:g}", VERMILLION))
    # showlegend: plotly hides the legend of a single trace, and one kept run after Reset must
    # still say which run it is.
    layout = {"title": {"text": title}, "height": height, "shapes": shapes, "annotations": notes,
              "showlegend": True, "margin": {"t": legend_top_margin([t["name"] for t in data]),
                                             "r": MARGIN_LABEL_PX},
              "xaxis": {"title": {"text": "episode"}, "range": [0, longest + 1]},
              "yaxis": {"title": {"text": "return (steps balanced)"}, "range": list(RETURN_AXIS)}}
    return _fast_figure(data, layout)


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_label(exponent: int) -> str:
    """10**exponent written as a reader expects it: 0.001 … 1,000, then 10⁻⁴ / 10⁴ beyond."""
    if -3 <= exponent <= 3:
        return f"{10.0 ** exponent:,.{max(0, -exponent)}f}"
    return "10" + str(exponent).translate(_SUPERSCRIPTS)


def log_decade_axis(values: Sequence[float] | np.ndarray) -> dict:
    """A log axis from the decade at or below the smallest positive value to the one at or
    above the largest, ticked and labelled at the decades only (plotly's own log ticks print
    "2" and "5" between decades, which read as 2 and 5 whatever the decade)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = (int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))) if v.size \
        else (-1, 1)
    if hi - lo < 1:
        hi = lo + 1
    exponents = range(lo, hi + 1, -(-(hi - lo + 1) // LOG_TICKS))  # a short panel: <= 5
    return {"range": [lo, hi], "tickmode": "array",
            "tickvals": [10.0 ** e for e in exponents],
            "ticktext": [decade_label(e) for e in exponents]}


def updates_figure(episodes: np.ndarray, loss: np.ndarray, grad_norm: np.ndarray,
                   entropy: np.ndarray, *, markers: Sequence[Marker] = (),
                   height: int = 520) -> go.Figure:
    """Loss, gradient norm (log scale) and policy entropy at each update, against episodes,
    as three stacked panels sharing the episode axis."""
    x = np.asarray(episodes, dtype=np.float64)
    panels = (("loss", loss, ORANGE, [0.72, 1.0], "linear"),
              ("gradient norm", grad_norm, GREEN, [0.37, 0.63], "log"),
              ("policy entropy (nats)", entropy, BLACK, [0.0, 0.28], "linear"))
    data, notes = [], []
    layout: dict = {"title": {"text": "Per update"}, "height": height, "showlegend": False,
                    "xaxis": {"anchor": "y3", "title": {"text": "episode"}}}
    for k, (name, values, colour, domain, kind) in enumerate(panels, start=1):
        axis = "y" if k == 1 else f"y{k}"
        # Dots as well while there are few updates, so a single one is visible.
        data.append(_line_dict(x, np.asarray(values, dtype=np.float64), name=name,
                               yaxis=axis, line={"color": colour, "width": 1.5},
                               mode="lines+markers" if x.size <= 60 else "lines",
                               marker={"size": 5, "color": colour}))
        axis_layout = {"domain": domain, "type": kind, "anchor": "x"}
        if kind == "log":
            axis_layout |= log_decade_axis(values)
        layout["yaxis" if k == 1 else f"yaxis{k}"] = axis_layout
        notes.append({"x": 0, "y": domain[1], "xref": "paper", "yref": "paper", "text": name,
                      "showarrow": False, "xanchor": "left", "yanchor": "bottom"})
    span = max([float(x.max()) if x.size else 0.0, *(m.episode for m in markers), 10.0])
    shapes, marks = _marker_items(markers, span)
    shapes.append({"type": "line", "xref": "paper", "yref": "y3", "x0": 0, "x1": 1,
                   "y0": float(np.log(2)), "y1": float(np.log(2)),
                   "line": {"color": GREY, "dash": "dash", "width": 1}})
    # In the right margin: the entropy curve starts on this line and would cover a label there.
    notes.append({**margin_label(float(np.log(2)), "uniform:<br>ln 2", GREY), "yref": "y3"})
    layout.update(shapes=shapes, annotations=notes + marks)
    layout["margin"] = {**layout.get("margin", {}), "r": MARGIN_LABEL_PX}
    return _fast_figure(data, layout)


def seeds_figure(returns_per_seed: Sequence[np.ndarray], *, threshold: float = SOLVED_RETURN,
                 height: int = 420) -> go.Figure:
    """Mean over seeds of the 100-episode moving average, with a band of ± one standard
    deviation across seeds, and each seed faintly. Seeds are cut to the shortest run."""
    fig = new_figure(f"{len(returns_per_seed)} seeds: mean of the moving averages",
                     x_title="episode", y_title="return", height=height)
    curves = [moving_average(r) for r in returns_per_seed if len(r)]
    if curves:
        n = min(len(c) for c in curves)
        stack = np.stack([c[:n] for c in curves])
        x = np.arange(1, n + 1)
        mean, std = stack.mean(axis=0), stack.std(axis=0)
        for k, curve in enumerate(stack):
            fig.add_trace(_line(x, curve, max_points=400, name=f"seed {k + 1}",
                                showlegend=False,
                                line={"color": GREY, "width": 0.8}, opacity=0.5))
        keep = linear_spaced_indices(n, MAX_POINTS_PER_TRACE // 2)  # band: there and back
        upper, lower = np.minimum(mean + std, EPISODE_CAP)[keep], np.maximum(mean - std, 0)[keep]
        fig.add_trace(go.Scatter(x=np.concatenate([x[keep], x[keep][::-1]]),
                                 y=np.concatenate([upper, lower[::-1]]), fill="toself",
                                 fillcolor="rgba(0,114,178,0.2)", line={"width": 0},
                                 name="± 1 sd across seeds", hoverinfo="skip"))
        fig.add_trace(_line(x, mean, name="mean", line={"color": BLUE, "width": 3}))
    fig.add_hline(y=threshold, line={"color": VERMILLION, "dash": "dash", "width": 1.5})
    fig.update_yaxes(range=list(RETURN_AXIS))
    return fig


def _cart_shapes(state: np.ndarray) -> tuple[dict, dict]:
    x, theta = float(state[0]), float(state[2])
    w, h = 0.25, 0.15
    cart = {"x": [x - w, x + w, x + w, x - w, x - w], "y": [0, 0, h, h, 0]}
    pole = {"x": [x, x + float(np.sin(theta))], "y": [h, h + float(np.cos(theta))]}
    return cart, pole


def _cart_data(state: np.ndarray) -> list[dict]:
    cart, pole = _cart_shapes(state)
    return [{"type": "scatter", "mode": "lines", "fill": "toself", "line": {"color": BLUE},
             "hoverinfo": "skip"} | cart,
            {"type": "scatter", "mode": "lines+markers", "hoverinfo": "skip",
             "line": {"color": ORANGE, "width": 6},
             "marker": {"size": [0, 8], "color": ORANGE}} | pole]


def _cart_layout(title: str, height: int) -> dict:
    """The track: its ends (where CartPole-v1 stops) dashed, the ground a grey line."""
    x_range, y_range = [-TRACK_HALF_WIDTH - 0.4, TRACK_HALF_WIDTH + 0.4], [-0.2, 1.3]
    edges = [{"type": "line", "xref": "x", "yref": "y", "x0": e, "x1": e, "y0": y_range[0],
              "y1": y_range[1], "line": {"color": VERMILLION, "dash": "dash", "width": 1}}
             for e in (-TRACK_HALF_WIDTH, TRACK_HALF_WIDTH)]
    ground = {"type": "line", "xref": "x", "yref": "y", "x0": x_range[0], "x1": x_range[1],
              "y0": 0, "y1": 0, "line": {"color": GREY, "width": 2}}
    # True proportions by a smaller plot area (constrain "domain"), not by wider ranges: plotly
    # writes a widened range back into the figure and widens it again on every resize (see
    # gridworld.py), so the cart shrank each time. The lines span the ranges, not the paper.
    return {"title": {"text": title}, "height": height, "showlegend": False,
            "shapes": [*edges, ground],
            "xaxis": {"range": x_range, "zeroline": False, "title": {"text": ""},
                      "constrain": "domain"},
            "yaxis": {"range": y_range, "visible": False, "scaleanchor": "x",
                      "scaleratio": 1, "title": {"text": ""}, "constrain": "domain"}}


def cart_figure(state: np.ndarray, *, title: str = "Now", height: int = 260) -> go.Figure:
    """One CartPole state drawn as a cart and a pole (plain dicts: redrawn live)."""
    return _fast_figure(_cart_data(np.asarray(state, dtype=np.float64)),
                        _cart_layout(title, height))


SLIDER_LABELS = 10
"""Most intervals between the animation slider's stops: one labelled stop every 1, 2, 5, 10,
25, 50, 100, ... steps (500 steps: every 50), so the labels are round and never crowd."""
_NICE_STEPS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)
CONTROLS_MARGIN = 125
"""Bottom margin (px) holding, under the track, the play/pause buttons and under them the
slider across the whole width (side by side, the buttons covered the slider's start on a
narrow chart)."""


def slider_spacing(steps: int) -> int:
    """Environment steps between two slider stops: the smallest round number giving at most
    SLIDER_LABELS intervals over ``steps`` steps."""
    return next((s for s in _NICE_STEPS if steps <= s * SLIDER_LABELS), _NICE_STEPS[-1])


def episode_animation(states: np.ndarray, actions: np.ndarray, *,
                      title: str = "One episode under the policy",
                      height: int = 360) -> go.Figure:
    """An episode as plotly frames (cart, pole, the push), with play/pause and a slider.

    Frames play at CartPole's own pace (0.02 s per step); long episodes show every k-th step
    (at most MAX_FRAMES frames). A line over the track names the frame's step and push, once
    (the slider shows no current value); the slider under the track stops every
    ``slider_spacing`` steps, labelled with round step numbers.
    Built as plain dicts: plotly validates only the frames (it always does), and the lab
    keeps the built figure for as long as its episode is shown (ui.cartpole_session).
    """
    states = np.asarray(states, dtype=np.float64)
    n = states.shape[0]
    last = n - 1
    spacing = slider_spacing(last)
    # Every stride-th step, stride a divisor of the slider's spacing so every stop is a frame.
    stride = next(d for d in range(1, spacing + 1)
                  if spacing % d == 0 and last // d + 2 <= MAX_FRAMES)
    steps = sorted({*range(0, last + 1, stride), last})
    stops = sorted({*range(0, last + 1, spacing), last})

    def now(t: int) -> dict:
        """The frame's step and push, as a text trace: frames drawn without a full redraw
        move traces, but leave the layout (a title) as it was."""
        push = ("push →" if actions[t] == 1 else "push ←") if t < len(actions) else "end"
        return {"type": "scatter", "mode": "text", "x": [-TRACK_HALF_WIDTH + 0.08],
                "y": [1.22], "text": [f"step {t}: {push}"], "textposition": "middle right",
                "hoverinfo": "skip", "cliponaxis": False,
                "textfont": {"size": 15, "color": "#111111"}}

    frames = []
    for t in steps:
        cart, pole = _cart_shapes(states[t])
        frames.append({"name": str(t), "traces": [0, 1, 2],
                       "data": [{"type": "scatter"} | cart, {"type": "scatter"} | pole,
                                now(t)]})
    slider_steps = [{"method": "animate", "label": f"{t:,}", "value": str(t),
                     "args": [[str(t)], {"mode": "immediate",
                                         "frame": {"duration": 0, "redraw": False},
                                         "transition": {"duration": 0}}]}
                    for t in stops]
    duration = int(20 * stride)
    layout = _cart_layout(f"{title}: {last} steps", height)
    layout["xaxis"]["showticklabels"] = False  # the dashed ends mark the track; the controls
    layout["margin"] = {"b": CONTROLS_MARGIN, "t": 60}  # sit under it, clear of the cart
    layout["updatemenus"] = [
        {"type": "buttons", "direction": "left", "x": 0.0, "y": 0.0, "xanchor": "left",
         "yanchor": "top", "pad": {"t": 8}, "showactive": False,
         "buttons": [
             {"label": "▶ play", "method": "animate",
              "args": [None, {"frame": {"duration": duration, "redraw": False},
                              "fromcurrent": True, "transition": {"duration": 0}}]},
             {"label": "❚❚ pause", "method": "animate",
              "args": [[None], {"mode": "immediate",
                                "frame": {"duration": 0, "redraw": False}}]}]}]
    layout["sliders"] = [{"active": 0, "x": 0.0, "y": 0.0, "len": 1.0, "xanchor": "left",
                          "yanchor": "top", "pad": {"t": 50, "l": 0, "r": 10},
                          "currentvalue": {"visible": False}, "steps": slider_steps}]
    return go.Figure({"data": [*_cart_data(states[0]), now(0)],
                      "layout": {"template": _TEMPLATE_JSON, "meta": NARROW_FITTED, **layout},
                      "frames": frames}, _validate=False)
