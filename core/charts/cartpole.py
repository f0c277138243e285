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
    ORANGE,
    PALETTE,
    TEMPLATE_NAME,
    VERMILLION,
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
    return go.Figure({"data": data, "layout": {"template": _TEMPLATE_JSON, **layout}},
                     _validate=False)


def _line_dict(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS_PER_TRACE,
               **kwargs) -> dict:
    keep = linear_spaced_indices(len(x), max_points)
    return {"type": "scatter", "mode": "lines", "x": np.asarray(x, dtype=np.float64)[keep],
            "y": np.asarray(y, dtype=np.float64)[keep]} | kwargs


def _marker_items(markers: Sequence[Marker]) -> tuple[list[dict], list[dict]]:
    shapes, notes = [], []
    for marker in list(markers)[-MAX_MARKERS:]:
        x = marker.episode + 0.5
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x,
                       "y0": 0, "y1": 1, "line": {"color": GREY, "dash": "dot", "width": 1}})
        notes.append({"x": x, "y": 1.0, "xref": "x", "yref": "paper", "text": marker.label,
                      "showarrow": False, "textangle": -90, "xanchor": "right",
                      "yanchor": "top", "font": {"size": 11, "color": GREY}})
    return shapes, notes


def returns_figure(returns: Sequence[float] | np.ndarray, *, threshold: float = SOLVED_RETURN,
                   markers: Sequence[Marker] = (),
                   overlays: Sequence[tuple[str, np.ndarray]] = (),
                   title: str = "Episode return", height: int = 420) -> go.Figure:
    """Each episode's return (dots; at most EPISODE_DOTS of them, evenly spaced, the legend
    says how many), its 100-episode moving average over every episode, the solved line,
    earlier runs' moving averages (``overlays``: label, returns) and mid-run change markers."""
    data = []
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
    data.append({"type": "scatter", "mode": "markers", "name": dots, "x": x[keep],
                 "y": y[keep], "marker": {"color": BLUE, "size": 4, "opacity": 0.35}})
    data.append(_line_dict(x, moving_average(y), name=f"mean of last {WINDOW}",
                           line={"color": BLUE, "width": 3}))
    shapes, notes = _marker_items(markers)
    shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                   "y0": threshold, "y1": threshold,
                   "line": {"color": VERMILLION, "dash": "dash", "width": 1.5}})
    notes.append({"x": 1, "y": threshold, "xref": "paper", "yref": "y", "showarrow": False,
                  "text": f"solved: {threshold:g}", "xanchor": "right", "yanchor": "top",
                  "font": {"color": VERMILLION}})
    longest = max([int(y.size), *(len(p) for _, p in overlays), 10])
    layout = {"title": {"text": title}, "height": height, "shapes": shapes, "annotations": notes,
              "xaxis": {"title": {"text": "episode"}, "range": [0, longest + 1]},
              "yaxis": {"title": {"text": "return (steps balanced)"}, "range": list(RETURN_AXIS)}}
    return _fast_figure(data, layout)


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
        layout["yaxis" if k == 1 else f"yaxis{k}"] = {"domain": domain, "type": kind,
                                                      "anchor": "x"}
        notes.append({"x": 0, "y": domain[1], "xref": "paper", "yref": "paper", "text": name,
                      "showarrow": False, "xanchor": "left", "yanchor": "bottom"})
    shapes, marks = _marker_items(markers)
    shapes.append({"type": "line", "xref": "paper", "yref": "y3", "x0": 0, "x1": 1,
                   "y0": float(np.log(2)), "y1": float(np.log(2)),
                   "line": {"color": GREY, "dash": "dash", "width": 1}})
    notes.append({"x": 1, "y": float(np.log(2)), "xref": "paper", "yref": "y3",
                  "text": "uniform: ln 2", "showarrow": False, "xanchor": "right",
                  "yanchor": "bottom", "font": {"color": GREY, "size": 11}})
    layout.update(shapes=shapes, annotations=notes + marks)
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
    pole = {"x": [x, x + np.sin(theta)], "y": [h, h + np.cos(theta)]}
    return cart, pole


def _cart_base(title: str, height: int) -> go.Figure:
    fig = new_figure(title, height=height)
    fig.update_xaxes(range=[-TRACK_HALF_WIDTH - 0.4, TRACK_HALF_WIDTH + 0.4], zeroline=False)
    fig.update_yaxes(range=[-0.2, 1.3], visible=False, scaleanchor="x", scaleratio=1)
    for edge in (-TRACK_HALF_WIDTH, TRACK_HALF_WIDTH):
        fig.add_vline(x=edge, line={"color": VERMILLION, "dash": "dash", "width": 1})
    fig.add_hline(y=0, line={"color": GREY, "width": 2})
    fig.update_layout(showlegend=False)
    return fig


def cart_figure(state: np.ndarray, *, title: str = "Now", height: int = 260) -> go.Figure:
    """One CartPole state drawn as a cart and a pole."""
    fig = _cart_base(title, height)
    cart, pole = _cart_shapes(np.asarray(state))
    fig.add_trace(go.Scatter(**cart, fill="toself", mode="lines", line={"color": BLUE}))
    fig.add_trace(go.Scatter(**pole, mode="lines+markers", line={"color": ORANGE, "width": 6},
                             marker={"size": [0, 8], "color": ORANGE}))
    return fig


def episode_animation(states: np.ndarray, actions: np.ndarray, *,
                      title: str = "One episode under the policy",
                      height: int = 360) -> go.Figure:
    """An episode as plotly frames (cart, pole, the push), with play/pause and a scrubber.

    Frames play at CartPole's own pace (0.02 s per step); long episodes show every k-th step.
    """
    states = np.asarray(states, dtype=np.float64)
    n = states.shape[0]
    stride = max(1, int(np.ceil(n / MAX_FRAMES)))
    steps = list(range(0, n, stride))
    if steps[-1] != n - 1:
        steps.append(n - 1)
    fig = cart_figure(states[0], title=f"{title}: {n - 1} steps", height=height)
    frames, slider_steps = [], []
    for t in steps:
        cart, pole = _cart_shapes(states[t])
        push = "→" if t < len(actions) and actions[t] == 1 else "←"
        push = push if t < len(actions) else "end"
        frames.append(go.Frame(name=str(t), data=[go.Scatter(**cart), go.Scatter(**pole)],
                               traces=[0, 1], layout={"title": {"text": f"step {t}  {push}"}}))
        slider_steps.append({"method": "animate", "label": str(t),
                             "args": [[str(t)], {"mode": "immediate",
                                                 "frame": {"duration": 0, "redraw": False},
                                                 "transition": {"duration": 0}}]})
    fig.frames = frames
    duration = int(20 * stride)
    fig.update_layout(
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0.0, "y": -0.22,
                      "xanchor": "left", "yanchor": "top", "showactive": False,
                      "buttons": [
                          {"label": "▶ play", "method": "animate",
                           "args": [None, {"frame": {"duration": duration, "redraw": False},
                                           "fromcurrent": True, "transition": {"duration": 0}}]},
                          {"label": "❚❚ pause", "method": "animate",
                           "args": [[None], {"mode": "immediate",
                                             "frame": {"duration": 0, "redraw": False}}]}]}],
        sliders=[{"active": 0, "x": 0.4, "y": -0.12, "len": 0.6, "xanchor": "left",
                  "currentvalue": {"prefix": "step "}, "pad": {"t": 10},
                  "steps": slider_steps}],
        margin={"b": 110},
    )
    return fig
