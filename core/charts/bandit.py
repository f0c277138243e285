"""Charts of the bandit lab: paths on the probability simplex, probabilities and J over steps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.bandit import BanditPaths
from core.charts.theme import (
    BLACK,
    BLUE,
    GREY,
    LEGEND_BELOW_MARGIN,
    TEMPLATE_NAME,
    legend_below,
    new_figure,
)
from core.thinning import linear_spaced_indices

EXACT_NAME = "exact gradient"
REINFORCE_NAME = "REINFORCE (one line per seed)"
POINTS_PER_PATH = 180
"""Points kept per path; ten seeds joined into one trace stay under 2,000 points."""
_SQRT3_2 = np.sqrt(3) / 2
# Corner positions of plotly's ternary plot: a on top, b bottom left, c bottom right.
_CORNERS = np.array([[0.5, _SQRT3_2], [0.0, 0.0], [1.0, 0.0]])


def arm_labels(means: np.ndarray) -> list[str]:
    """'Arm k (μ = …)' for every arm, with the shifted mean."""
    return [f"Arm {k + 1} (μ = {m:.3g})" for k, m in enumerate(means)]


def _joined(values: np.ndarray) -> np.ndarray:
    """Rows of ``values`` (seeds, points, ...) joined into one series with NaN breaks, so all
    seeds travel as one trace (a chart with one trace per seed is slow to build)."""
    pad = np.full((values.shape[0], 1, *values.shape[2:]), np.nan)
    joined = np.concatenate([values, pad], axis=1)
    return joined.reshape(-1, *values.shape[2:]).astype(np.float32)


def _to_plane(bary: np.ndarray) -> np.ndarray:
    return bary @ _CORNERS


def _to_bary(xy: np.ndarray) -> np.ndarray:
    a = xy[..., 1] / _SQRT3_2
    c = xy[..., 0] - a / 2
    return np.stack([a, 1 - a - c, c], axis=-1)


def _arrow_segments(points: np.ndarray, velocity: np.ndarray, spacing: float) -> np.ndarray:
    """Barycentric vertices (with NaN separators) of one arrow per point, lengths ∝ √speed."""
    direction = velocity @ _CORNERS
    speed = np.linalg.norm(direction, axis=1)
    top = speed.max()
    if not np.isfinite(top) or top <= 0:
        return np.zeros((0, 3))
    length = 0.8 * spacing * np.sqrt(speed / top)
    unit = direction / np.where(speed > 0, speed, 1.0)[:, None]
    start = _to_plane(points) - 0.5 * length[:, None] * unit
    tip = start + length[:, None] * unit
    rotations = [np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
                 for a in (np.deg2rad(150), np.deg2rad(-150))]
    head = 0.35 * length[:, None]
    nan = np.full_like(start, np.nan)
    parts = [start, tip, nan]
    for rot in rotations:
        parts += [tip, tip + head * (unit @ rot.T), nan]
    xy = np.stack(parts, axis=1).reshape(-1, 2)
    keep = np.repeat(speed > 1e-12 * top, len(parts))
    return _to_bary(xy[keep])


def simplex_figure(paths: BanditPaths, means: np.ndarray, field_points: np.ndarray,
                   field_velocity: np.ndarray, resolution: int) -> go.Figure:
    """K = 3: exact-gradient arrows over the simplex, and every path from the common start."""
    fig = new_figure("Where the probabilities go", height=560)
    arrows = _arrow_segments(field_points, field_velocity, 1.0 / resolution)
    fig.add_trace(go.Scatterternary(
        a=arrows[:, 0], b=arrows[:, 1], c=arrows[:, 2], mode="lines", hoverinfo="skip",
        line={"color": GREY, "width": 1}, name="exact gradient direction"))
    idx = linear_spaced_indices(paths.probabilities.shape[1], POINTS_PER_PATH)
    seeds = _joined(paths.probabilities[1:, idx])
    exact = paths.probabilities[0, idx].astype(np.float32)
    hover = "π = (%{a:.3f}, %{b:.3f}, %{c:.3f})<extra>%{fullData.name}</extra>"
    fig.add_trace(go.Scatterternary(
        a=seeds[:, 0], b=seeds[:, 1], c=seeds[:, 2], mode="lines", name=REINFORCE_NAME,
        line={"color": BLUE, "width": 1.5}, opacity=0.65, hovertemplate=hover))
    fig.add_trace(go.Scatterternary(
        a=exact[:, 0], b=exact[:, 1], c=exact[:, 2], mode="lines", name=EXACT_NAME,
        line={"color": BLACK, "width": 3.5}, hovertemplate=hover))
    ends = paths.probabilities[:, -1]
    fig.add_trace(go.Scatterternary(
        a=ends[:, 0], b=ends[:, 1], c=ends[:, 2], mode="markers", name="after the last step",
        showlegend=False, hovertemplate="end: π = (%{a:.3f}, %{b:.3f}, %{c:.3f})<extra></extra>",
        marker={"color": [BLACK] + [BLUE] * (len(ends) - 1), "size": 8, "symbol": "circle"}))
    start = paths.probabilities[0, 0]
    fig.add_trace(go.Scatterternary(
        a=[start[0]], b=[start[1]], c=[start[2]], mode="markers", name="start",
        marker={"color": "white", "size": 12, "symbol": "diamond",
                "line": {"color": BLACK, "width": 2}}))
    # Ticks at 1/4, 1/2, 3/4 only: 0 and 1 sit in the corners, on top of the corner titles,
    # and more ticks crowd a small triangle. Each corner's title names what its axis
    # measures: that arm's probability.
    axis = {"min": 0, "linecolor": "#444444", "gridcolor": "#E5E5E5", "ticks": "outside",
            "tickformat": ".2g", "tickmode": "array", "tickvals": [0.25, 0.5, 0.75]}
    # Corner titles on two lines ("π(Arm 2)", then its μ): on one line they ran into the
    # bottom ticks of a phone-wide triangle.
    corner = [f"π(Arm {k + 1})<br>μ = {m:.3g}" for k, m in enumerate(means)]
    fig.update_layout(ternary={"sum": 1,
                               "aaxis": {**axis, "title": {"text": corner[0]}},
                               "baxis": {**axis, "title": {"text": corner[1]}},
                               "caxis": {**axis, "title": {"text": corner[2]}}},
                      margin={"l": 100, "r": 100, "t": 80})
    # The bottom corners' two-line titles sit in the bottom margin above the legend.
    return legend_below(fig).update_layout(margin_b=LEGEND_BELOW_MARGIN + 40)


def probabilities_figure(paths: BanditPaths, means: np.ndarray) -> go.Figure:
    """π_θ(k) over steps, one panel per arm, every path."""
    probs = paths.probabilities
    k = probs.shape[2]
    cols = min(k, 3)
    n_rows = int(np.ceil(k / cols))
    fig = make_subplots(rows=n_rows, cols=cols, shared_xaxes=True, shared_yaxes=True,
                        # μ on a second line: side by side on a phone, one-line titles ran
                        # into each other.
                        subplot_titles=[label.replace(" (", "<br>(")
                                        for label in arm_labels(means)],
                        vertical_spacing=0.18,
                        horizontal_spacing=0.09)
    idx = linear_spaced_indices(probs.shape[1], POINTS_PER_PATH)
    x = idx.astype(np.float32)
    x_seeds = _joined(np.broadcast_to(x, (probs.shape[0] - 1, idx.size)).astype(float))
    for arm in range(k):
        r, c = arm // cols + 1, arm % cols + 1
        fig.add_trace(go.Scatter(
            x=x_seeds, y=_joined(probs[1:, idx, arm]), mode="lines", name=REINFORCE_NAME,
            line={"color": BLUE, "width": 1.2}, opacity=0.6, legendgroup="reinforce",
            showlegend=arm == 0, hovertemplate="step %{x}: π = %{y:.3f}<extra>REINFORCE</extra>"),
            row=r, col=c)
        fig.add_trace(go.Scatter(
            x=x, y=probs[0, idx, arm].astype(np.float32), mode="lines", name=EXACT_NAME,
            line={"color": BLACK, "width": 3}, legendgroup="exact", showlegend=arm == 0,
            hovertemplate="step %{x}: π = %{y:.3f}<extra>exact</extra>"), row=r, col=c)
    height = 260 * n_rows + 200
    margin = {"l": 60, "r": 20, "t": 115, "b": 120}  # t: the title, then two-line headings
    plot_height = height - margin["t"] - margin["b"]
    fig.update_layout(template=TEMPLATE_NAME, height=height,
                      title="Probability of each arm over steps",
                      legend={"orientation": "h", "yanchor": "top", "y": -75 / plot_height,
                              "xanchor": "left", "x": 0.0},
                      margin=margin)
    fig.update_yaxes(range=[-0.02, 1.02])
    fig.update_xaxes(title_text="step", row=n_rows)
    fig.update_xaxes(nticks=4)  # a third of a phone's width holds three or four labels
    fig.update_yaxes(title_text="π(arm)", col=1)
    return fig


def objective_figure(paths: BanditPaths) -> go.Figure:
    """Exact J(θ) of every path over steps, with the best arm's value for reference."""
    fig = new_figure("Expected reward J(θ) of each path", x_title="step", y_title="J(θ)",
                     height=420)
    j = paths.expected_rewards
    idx = linear_spaced_indices(j.shape[1], POINTS_PER_PATH)
    x = idx.astype(np.float32)
    x_seeds = _joined(np.broadcast_to(x, (j.shape[0] - 1, idx.size)).astype(float))
    fig.add_trace(go.Scatter(
        x=x_seeds, y=_joined(j[1:, idx]), mode="lines", name=REINFORCE_NAME,
        line={"color": BLUE, "width": 1.2}, opacity=0.6,
        hovertemplate="step %{x}: J = %{y:.4g}<extra>REINFORCE</extra>"))
    fig.add_trace(go.Scatter(
        x=x, y=j[0, idx].astype(np.float32), mode="lines", name=EXACT_NAME,
        line={"color": BLACK, "width": 3},
        hovertemplate="step %{x}: J = %{y:.4g}<extra>exact</extra>"))
    fig.add_hline(y=paths.best_reward, line={"color": GREY, "dash": "dash"},
                  annotation_text="best arm", annotation_position="bottom right")
    fig.update_layout(margin={"t": 95})
    return fig
