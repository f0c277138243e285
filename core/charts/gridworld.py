"""Charts of the gridworld page: the grid with per-state arrows and heat, convergence of
REINFORCE's estimate, trajectory frequencies and learning curves. Pure builders."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts.theme import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    VERMILLION,
    legend_below,
    new_figure,
)
from core.gridworld.reinforce import Z95, Frequency
from core.gridworld.world import ACTIONS, ARROWS, MOVES, Gridworld

ARROW_REACH = 0.42
"""Length of the longest arrow, in cells."""
POLICY_REACH = 0.5
"""Length of the arrow of an action taken with probability 1, in cells."""
LETTER_OFFSET = 0.3
"""Offset of a cell's letter (S, G, P) from its centre towards the top-left corner, in cells."""
PATH_JITTER = 0.1
"""Largest random offset of a drawn trajectory's points from the cell centres, in cells (so
repeated visits stay apart yet keep clear of the corner letters)."""
KIND_STYLE = {"goal": ("G", GREEN), "pit": ("P", BLACK), "start": ("S", BLUE)}
UNREACHABLE = "rgba(136,136,136,0.25)"
"""Fill of a floor cell the agent cannot reach from S (no arrows, no heat: it never matters)."""


def grid_figure(world: Gridworld, *, title: str, arrows: np.ndarray | None = None,
                signed: bool = False, heat: np.ndarray | None = None, heat_title: str = "",
                path: Sequence[int] | None = None, height: int = 430) -> go.Figure:
    """The grid, one square a cell, with optional per-state heat and four arrows per state.

    Arrows and heat are drawn in the states where the agent acts (``world.acting``); floor
    cells it cannot reach from S are shaded grey. ``arrows`` has shape (S, 4): with ``signed``
    False (a policy) arrow a of state s has length proportional to arrows[s, a]; with
    ``signed`` True (a gradient) to |arrows[s, a]|, blue where positive and vermillion where
    negative, scaled by the largest magnitude. ``path`` draws a trajectory through the cell
    centres.
    """
    fig = new_figure(title, height=height)
    n_rows, n_cols = world.n_rows, world.n_cols
    if heat is not None:
        z = np.full((n_rows, n_cols), np.nan)
        for s, (r, c) in enumerate(world.cells):
            if world.acting[s]:
                z[r, c] = heat[s]
        fig.add_trace(go.Heatmap(
            z=z.astype(np.float32), x=list(range(n_cols)), y=list(range(n_rows)),
            colorscale="Blues", zmin=0, showscale=True, xgap=2, ygap=2,
            colorbar={"title": {"text": heat_title, "side": "right"}, "thickness": 14},
            hovertemplate="cell (%{y},%{x}): %{z:.4g}<extra></extra>", name=heat_title))
    shapes = []
    for r in range(n_rows):
        for c in range(n_cols):
            wall = world.rows[r][c] == "#"
            shapes.append({"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5,
                           "y1": r + 0.5, "line": {"color": "#888888", "width": 1},
                           "fillcolor": "#444444" if wall else "rgba(0,0,0,0)",
                           "layer": "above" if wall else "below"})
    for s, (r, c) in enumerate(world.cells):
        kind = world.kinds[s]
        if not world.acting[s] and not world.terminal[s]:  # out of reach of S
            shapes.append({"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5,
                           "y1": r + 0.5, "line": {"width": 0}, "fillcolor": UNREACHABLE,
                           "layer": "below"})
        if kind in ("goal", "pit"):
            letter, colour = KIND_STYLE[kind]
            shapes.append({"type": "rect", "x0": c - 0.46, "x1": c + 0.46, "y0": r - 0.46,
                           "y1": r + 0.46, "line": {"color": colour, "width": 3},
                           "fillcolor": "rgba(0,158,115,0.25)" if kind == "goal"
                           else "rgba(0,0,0,0.55)"})
    fig.update_layout(shapes=shapes)
    for (r, c), kind in zip(world.cells, world.kinds, strict=True):
        if kind in KIND_STYLE:  # in the top-left corner, clear of arrows and of a path,
            letter, colour = KIND_STYLE[kind]  # which keep near the cell's centre lines
            fig.add_annotation(x=c - LETTER_OFFSET, y=r - LETTER_OFFSET,
                               text=f"<b>{letter}</b>", showarrow=False,
                               font={"size": 18, "color": "#FFFFFF" if kind == "pit" else colour},
                               bgcolor="rgba(0,0,0,0)" if kind == "pit"
                               else "rgba(255,255,255,0.85)")
    if arrows is not None:
        _add_arrows(fig, world, np.asarray(arrows, dtype=np.float64), signed)
    if path is not None and len(path) > 1:
        rng = np.random.default_rng(0)
        jitter = rng.uniform(-PATH_JITTER, PATH_JITTER, size=(len(path), 2))
        xs = [world.cells[s][1] + j[0] for s, j in zip(path, jitter, strict=True)]
        ys = [world.cells[s][0] + j[1] for s, j in zip(path, jitter, strict=True)]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name="trajectory",
                                 line={"color": ORANGE, "width": 3},
                                 marker={"size": 7, "color": ORANGE},
                                 hovertemplate="step %{text}<extra></extra>",
                                 text=[str(t) for t in range(len(path))]))
    # Square cells by shrinking the plot area (constrain="domain"), never by widening the
    # ranges: plotly writes a widened range back into the figure, and each later redraw at
    # another width (a resize, the sidebar opening, presenter mode's CSS) widened it again, so
    # the grid shrank on every resize until the corner letters sat on the arrows.
    fig.update_xaxes(range=[-0.5, n_cols - 0.5], showgrid=False, zeroline=False,
                     tickvals=list(range(n_cols)), title_text="column", showline=False,
                     constrain="domain")
    fig.update_yaxes(range=[n_rows - 0.5, -0.5], showgrid=False, zeroline=False,
                     tickvals=list(range(n_rows)), title_text="row", scaleanchor="x",
                     scaleratio=1, showline=False, constrain="domain")
    fig.update_layout(showlegend=False, margin={"l": 55, "r": 20, "t": 60, "b": 50})
    return fig


def _add_arrows(fig: go.Figure, world: Gridworld, arrows: np.ndarray, signed: bool) -> None:
    scale = np.max(np.abs(arrows[world.acting]))  # S always acts
    if signed and scale > 0:
        lengths = ARROW_REACH * np.abs(arrows) / scale
    else:
        lengths = POLICY_REACH * np.clip(arrows, 0.0, 1.0)
    hover_x, hover_y, hover_text = [], [], []
    shafts: dict[str, tuple[list[float | None], list[float | None]]] = {}
    heads: dict[str, tuple[list[float], list[float], list[float]]] = {}
    for s, (r, c) in enumerate(world.cells):
        if not world.acting[s]:
            continue
        for a, (dr, dc) in enumerate(MOVES):
            length = float(lengths[s, a])
            if length < 0.02:
                continue
            colour = (BLUE if arrows[s, a] >= 0 else VERMILLION) if signed else BLACK
            xs, ys = shafts.setdefault(colour, ([], []))
            xs.extend([c, c + dc * length, None])
            ys.extend([r, r + dr * length, None])
            hx, hy, angle = heads.setdefault(colour, ([], [], []))
            hx.append(c + dc * length)
            hy.append(r + dr * length)
            angle.append(90.0 * a)  # up 0°, right 90°, down 180°, left 270° (clockwise)
        hover_x.append(c)
        hover_y.append(r)
        hover_text.append("<br>".join(f"{ARROWS[a]} {ACTIONS[a]}: {arrows[s, a]:+.4g}"
                                      for a in range(len(ACTIONS))))
    for colour, (xs, ys) in shafts.items():
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": 3},
                                 hoverinfo="skip", showlegend=False))
        hx, hy, angle = heads[colour]
        fig.add_trace(go.Scatter(x=hx, y=hy, mode="markers", hoverinfo="skip",
                                 showlegend=False,
                                 marker={"symbol": "triangle-up", "size": 9, "angle": angle,
                                         "color": colour}))
    fig.add_trace(go.Scatter(x=hover_x, y=hover_y, mode="markers", text=hover_text,
                             marker={"size": 6, "color": GREY},
                             hovertemplate="%{text}<extra></extra>", showlegend=False))


def convergence_figure(ns: np.ndarray, mean: np.ndarray, se: np.ndarray, exact: float,
                       label: str) -> go.Figure:
    """One entry of the running REINFORCE estimate against N, its 95 % interval and the exact
    value."""
    fig = new_figure(f"REINFORCE's estimate of {label}",
                     x_title="episodes N (log scale)", y_title=label, height=480)
    x = ns.astype(np.float64)
    fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]),
                             y=np.concatenate([mean + Z95 * se, (mean - Z95 * se)[::-1]]),
                             fill="toself", fillcolor="rgba(0,114,178,0.18)",
                             line={"width": 0}, name="95 % interval", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=mean, mode="lines+markers", name="estimate (mean of N)",
                             line={"color": BLUE, "width": 2.5}, marker={"size": 5},
                             hovertemplate="N = %{x}: %{y:.5f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[x[0], x[-1]], y=[exact, exact], mode="lines",
                             name="exact (Bellman + autograd)",
                             line={"color": BLACK, "width": 2, "dash": "dash"},
                             hovertemplate="exact: %{y:.6f}<extra></extra>"))
    fig.update_xaxes(type="log", dtick=1)  # decades only: 2…9 between them collide
    return legend_below(fig)


def error_figure(ns: np.ndarray, relative_error: np.ndarray, predicted: np.ndarray
                 ) -> go.Figure:
    """‖ĝ_N − ∇J‖ / ‖∇J‖ against N on log-log axes, with the 1/√N prediction."""
    fig = new_figure("Relative error of the whole gradient",
                     x_title="episodes N (log scale)", y_title="‖estimate − ∇J‖ / ‖∇J‖",
                     height=480)
    x = ns.astype(np.float64)
    fig.add_trace(go.Scatter(x=x, y=relative_error, mode="lines+markers", name="measured",
                             line={"color": VERMILLION, "width": 2.5}, marker={"size": 5},
                             hovertemplate="N = %{x}: %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=predicted, mode="lines",
                             name="√(trace of covariance / N) / ‖∇J‖",
                             line={"color": GREY, "width": 2, "dash": "dot"},
                             hovertemplate="N = %{x}: %{y:.3f}<extra></extra>"))
    fig.update_xaxes(type="log", dtick=1)  # decades only: 2…9 between them collide
    fig.update_yaxes(type="log", dtick=_log_dtick(np.concatenate([relative_error, predicted])))
    return legend_below(fig)


def _log_dtick(values: np.ndarray) -> int | None:
    """1 (label the decades only) when the positive ``values`` span a decade or more, where
    plotly's labels between decades would collide; None (plotly's choice) for a narrower span,
    which may hold no decade at all."""
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0 or np.log10(positive.max() / positive.min()) < 1:
        return None
    return 1


def frequency_figure(freqs: Sequence[Frequency], n: int) -> go.Figure:
    """The most frequent sampled trajectories: their share of N samples (95 % interval) beside
    their exact probability p(τ)."""
    labels = [f"τ{i + 1}" for i in range(len(freqs))]
    share = np.array([f.share for f in freqs])
    half = Z95 * np.sqrt(share * (1 - share) / max(n, 1))
    fig = new_figure(f"The {len(freqs)} most frequent of {n:,} sampled trajectories",
                     x_title="trajectory (hover for its cells)", y_title="probability",
                     height=480)
    fig.add_trace(go.Bar(x=labels, y=share, name="share of the samples",
                         marker_color=BLUE, error_y={"type": "data", "array": half},
                         customdata=[f.path for f in freqs],
                         hovertemplate="%{customdata}<br>share %{y:.4f}<extra></extra>"))
    fig.add_trace(go.Bar(x=labels, y=[f.exact for f in freqs], name="exact p(τ), from P",
                         marker_color=ORANGE, customdata=[f.path for f in freqs],
                         hovertemplate="%{customdata}<br>p(τ) = %{y:.4f}<extra></extra>"))
    fig.update_layout(barmode="group")
    return legend_below(fig)


def learning_figure(j_exact: np.ndarray, j_reinforce: np.ndarray, j_star: float,
                    episodes_per_update: int) -> go.Figure:
    """J(θ_k) along exact gradient ascent and along REINFORCE, with the optimum J*."""
    fig = new_figure("Learning curves: J after each update (evaluated exactly)",
                     x_title="update k", y_title="J(θ_k)", height=480)
    k = np.arange(len(j_exact))
    fig.add_trace(go.Scatter(x=k, y=j_exact, mode="lines", name="exact gradient ascent",
                             line={"color": BLACK, "width": 2.5},
                             hovertemplate="k = %{x}: J = %{y:.4f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=k, y=j_reinforce, mode="lines",
                             name=f"REINFORCE, {episodes_per_update} episodes per update",
                             line={"color": BLUE, "width": 2.5},
                             hovertemplate="k = %{x}: J = %{y:.4f}<extra></extra>"))
    if np.isfinite(j_star):
        fig.add_trace(go.Scatter(x=[0, k[-1]], y=[j_star, j_star], mode="lines",
                                 name="best possible J* (value iteration)",
                                 line={"color": GREEN, "width": 2, "dash": "dash"},
                                 hovertemplate="J* = %{y:.4f}<extra></extra>"))
    return legend_below(fig)
