"""Charts of REINFORCE on CartPole: returns, per-update diagnostics, seeds, and the cart itself.

Every trace is downsampled to at most ``MAX_POINTS_PER_TRACE`` points so a long run stays a
small payload however often it is redrawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.theme import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    MAX_POINTS_PER_TRACE,
    ORANGE,
    PALETTE,
    TEMPLATE_NAME,
    VERMILLION,
    linear_spaced_indices,
    new_figure,
)

WINDOW = 100
"""Episodes in the moving average (the same window gymnasium's "solved" uses)."""
OVERLAY_POINTS = 500
"""Points per earlier run's curve (they are smooth moving averages)."""
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
    return go.Scatter(x=x[keep], y=_round(y[keep]), mode="lines", **kwargs)


def _round(y: np.ndarray) -> np.ndarray:
    # Four significant digits are plenty on screen and keep the JSON payload small.
    return np.asarray([float(f"{v:.4g}") for v in y]) if y.size else y


def _markers(fig: go.Figure, markers: Sequence[Marker], *, rows: int = 1) -> None:
    for marker in list(markers)[-MAX_MARKERS:]:
        for row in range(1, rows + 1):
            kwargs = {"row": row, "col": 1} if rows > 1 else {}
            fig.add_vline(x=marker.episode + 0.5, line={"color": GREY, "dash": "dot", "width": 1},
                          **kwargs)
        fig.add_annotation(x=marker.episode + 0.5, y=1.0, yref="paper", text=marker.label,
                           showarrow=False, textangle=-90, xanchor="right", yanchor="top",
                           font={"size": 11, "color": GREY})


def returns_figure(returns: Sequence[float] | np.ndarray, *, threshold: float = 475.0,
                   markers: Sequence[Marker] = (),
                   overlays: Sequence[tuple[str, np.ndarray]] = (),
                   title: str = "Episode return", height: int = 420) -> go.Figure:
    """Each episode's return (dots), its 100-episode moving average, the solved line, earlier
    runs' moving averages (``overlays``: label, returns) and mid-run change markers."""
    fig = new_figure(title, x_title="episode", y_title="return (steps balanced)", height=height)
    for k, (label, past) in enumerate(overlays):
        past = np.asarray(past, dtype=np.float64)
        if past.size:
            fig.add_trace(_line(np.arange(1, past.size + 1), moving_average(past), name=label,
                                max_points=OVERLAY_POINTS,
                                line={"color": PALETTE[(k + 2) % len(PALETTE)], "width": 1.5},
                                opacity=0.6))
    y = np.asarray(returns, dtype=np.float64)
    x = np.arange(1, y.size + 1)
    keep = linear_spaced_indices(y.size)
    fig.add_trace(go.Scatter(x=x[keep], y=_round(y[keep]), mode="markers", name="return",
                             marker={"color": BLUE, "size": 4, "opacity": 0.35}))
    fig.add_trace(_line(x, moving_average(y), name=f"mean of last {WINDOW}",
                        line={"color": BLUE, "width": 3}))
    fig.add_hline(y=threshold, line={"color": VERMILLION, "dash": "dash", "width": 1.5},
                  annotation_text=f"solved: {threshold:g}", annotation_position="bottom right")
    _markers(fig, markers)
    fig.update_yaxes(range=[0, 520])
    fig.update_xaxes(range=[0, max(int(y.size), 10) + 1] if not overlays else None)
    return fig


def updates_figure(episodes: np.ndarray, loss: np.ndarray, grad_norm: np.ndarray,
                   entropy: np.ndarray, *, markers: Sequence[Marker] = (),
                   height: int = 520) -> go.Figure:
    """Loss, gradient norm (log scale) and policy entropy at each update, against episodes."""
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=("loss", "gradient norm", "policy entropy (nats)"))
    fig.update_layout(template=TEMPLATE_NAME, height=height, showlegend=False,
                      title="Per update")
    x = np.asarray(episodes, dtype=np.float64)
    series = ((loss, ORANGE), (grad_norm, GREEN), (entropy, BLACK))
    for row, (values, colour) in enumerate(series, start=1):
        y = np.asarray(values, dtype=np.float64)
        fig.add_trace(_line(x, y, line={"color": colour, "width": 1.5}), row=row, col=1)
    fig.update_yaxes(type="log", row=2, col=1)
    fig.add_hline(y=float(np.log(2)), line={"color": GREY, "dash": "dash", "width": 1},
                  row=3, col=1, annotation_text="uniform: ln 2",
                  annotation_position="bottom right")
    fig.update_xaxes(title_text="episode", row=3, col=1)
    _markers(fig, markers, rows=3)
    return fig


def seeds_figure(returns_per_seed: Sequence[np.ndarray], *, threshold: float = 475.0,
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
            fig.add_trace(_line(x, curve, max_points=400, name=f"seed {k + 1}", showlegend=False,
                                line={"color": GREY, "width": 0.8}, opacity=0.5))
        keep = linear_spaced_indices(n)
        upper, lower = np.minimum(mean + std, 500)[keep], np.maximum(mean - std, 0)[keep]
        fig.add_trace(go.Scatter(x=np.concatenate([x[keep], x[keep][::-1]]),
                                 y=_round(np.concatenate([upper, lower[::-1]])), fill="toself",
                                 fillcolor="rgba(0,114,178,0.2)", line={"width": 0},
                                 name="± 1 sd across seeds", hoverinfo="skip"))
        fig.add_trace(_line(x, mean, name="mean", line={"color": BLUE, "width": 3}))
    fig.add_hline(y=threshold, line={"color": VERMILLION, "dash": "dash", "width": 1.5})
    fig.update_yaxes(range=[0, 520])
    return fig


def _cart_shapes(state: np.ndarray) -> tuple[dict, dict]:
    x, theta = float(state[0]), float(state[2])
    w, h = 0.25, 0.15
    cart = {"x": [x - w, x + w, x + w, x - w, x - w], "y": [0, 0, h, h, 0]}
    pole = {"x": [x, x + np.sin(theta)], "y": [h, h + np.cos(theta)]}
    return cart, pole


def _cart_base(title: str, height: int) -> go.Figure:
    fig = new_figure(title, height=height)
    fig.update_xaxes(range=[-TRACK_HALF_WIDTH - 0.4, TRACK_HALF_WIDTH + 0.4], zeroline=False,
                     title_text="cart position")
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
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0.0, "y": -0.18,
                      "xanchor": "left", "yanchor": "top", "showactive": False,
                      "buttons": [
                          {"label": "▶ play", "method": "animate",
                           "args": [None, {"frame": {"duration": duration, "redraw": False},
                                           "fromcurrent": True, "transition": {"duration": 0}}]},
                          {"label": "❚❚ pause", "method": "animate",
                           "args": [[None], {"mode": "immediate",
                                             "frame": {"duration": 0, "redraw": False}}]}]}],
        sliders=[{"active": 0, "x": 0.22, "y": -0.12, "len": 0.78, "xanchor": "left",
                  "currentvalue": {"prefix": "step "}, "pad": {"t": 10},
                  "steps": slider_steps}],
        margin={"b": 90},
    )
    return fig
