"""Charts of the short corridor: the exact value curve and REINFORCE learning curves."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.charts.theme import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    VERMILLION,
    label_line_in_margin,
    legend_below,
    new_figure,
)
from core.corridor import LearningCurves
from core.thinning import linear_spaced_indices

CURVE_COLOURS = (VERMILLION, BLUE, GREEN, ORANGE, PURPLE)
VALUE_FLOOR = -100.0
"""Lowest value drawn on the value curve (v → −∞ at p = 0 and p = 1)."""


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def value_curve_figure(p: np.ndarray, values: np.ndarray, p_star: float, v_star: float,
                       epsilon: float, epsilon_values: tuple[float, float]) -> go.Figure:
    """v(start) against π(right), with the optimum and the two ε-greedy policies marked."""
    fig = new_figure("Value of the start state for every policy",
                     x_title="probability of choosing right, p", y_title="v(start)", height=480)
    shown = np.where(values >= VALUE_FLOOR, values, np.nan).astype(np.float32)
    fig.add_trace(go.Scatter(x=p.astype(np.float32), y=shown, mode="lines", name="v(p), exact",
                             line={"color": BLUE, "width": 3},
                             hovertemplate="p = %{x:.3f}: v = %{y:.2f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=[p_star], y=[v_star], mode="markers+text", name="best stochastic policy",
        marker={"color": BLACK, "size": 13, "symbol": "star"},
        text=[f"p* = {p_star:.3f}, v* = {v_star:.2f}"], textposition="top center",
        cliponaxis=False,  # the label sits above v* ≈ −12, by the axis' top at 0
        hovertemplate="p* = %{x:.6f}: v* = %{y:.6f}<extra></extra>"))
    left, right = epsilon_values
    p_left, p_right = epsilon / 2, 1 - epsilon / 2
    for name, px, vy, colour, pos in ((f"ε-greedy left (ε = {epsilon:g})", p_left, left,
                                       VERMILLION, "middle right"),
                                      (f"ε-greedy right (ε = {epsilon:g})", p_right, right,
                                       ORANGE, "middle left")):
        visible = np.isfinite(vy) and vy >= VALUE_FLOOR
        fig.add_trace(go.Scatter(
            x=[px] if visible else [], y=[vy] if visible else [], mode="markers+text",
            name=name, marker={"color": colour, "size": 12, "symbol": "circle"},
            text=[f"{vy:.1f}"] if visible else [], textposition=pos,
            hovertemplate="p = %{x:.3f}: v = %{y:.2f}<extra></extra>"))
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[VALUE_FLOOR, 0])
    # Under the plot: inside it, in the empty space under the curve, the legend covered the
    # ε-greedy-left label on a phone.
    return legend_below(fig)


LONG_LABEL = 24
"""Characters of a legend label beyond which the legend goes under the plot."""


def learning_curves_figure(curves: LearningCurves, v_star: float, title: str) -> go.Figure:
    """Mean total reward per episode over runs, ± 2 standard errors, with v* as reference."""
    fig = new_figure(title, x_title="episode", y_title="total reward per episode",
                     height=440)
    mean, se = curves.mean(), curves.standard_error()
    episodes = mean.shape[1]
    idx = linear_spaced_indices(episodes, 1000)
    x = (idx + 1).astype(np.float32)
    runs = curves.returns.shape[1]
    low_all, high_all = [], []
    for i, label in enumerate(curves.labels):
        colour = CURVE_COLOURS[i % len(CURVE_COLOURS)]
        m, band = mean[i, idx], 2 * se[i, idx]
        low_all.append(np.min(m - band))
        high_all.append(np.max(m + band))
        if runs > 1:
            fig.add_trace(go.Scatter(
                x=np.concatenate([x, x[::-1]]),
                y=np.concatenate([m + band, (m - band)[::-1]]).astype(np.float32),
                # Edges in the curve's colour: where two bands overlap their tints mix, the
                # edges still say which band ends where.
                fill="toself", fillcolor=_rgba(colour, 0.15),
                line={"width": 0.8, "color": _rgba(colour, 0.55)},
                hoverinfo="skip", showlegend=False, legendgroup=label))
        fig.add_trace(go.Scatter(x=x, y=m.astype(np.float32), mode="lines", name=label,
                                 line={"color": colour, "width": 2}, legendgroup=label,
                                 hovertemplate="episode %{x}: %{y:.1f}<extra></extra>"))
    # v* is named in the right margin, beside its line: inside the plot the curves, which
    # all rise towards v*, would run through the label.
    fig.add_hline(y=v_star, line={"color": GREY, "dash": "dash"})
    label_line_in_margin(fig, v_star, f"v*<br>{v_star:.2f}".replace("-", "−"))
    bottom = max(min(low_all), VALUE_FLOOR)
    top = max(max(high_all), v_star)
    fig.update_yaxes(range=[bottom - 2, top + 6])
    band_note = f"mean of {runs} runs ± 2 standard errors" if runs > 1 else "a single run"
    # Learning curves rise towards v*, so the lower right corner is free for a legend of short
    # labels; long ones (Figure 13.2's pair of step sizes) go under the plot, where they wrap
    # on a phone instead of squeezing the plot into a corner.
    fig.update_layout(title={"text": f"{title}<br><sup>{band_note}</sup>"},
                      legend={"orientation": "v", "x": 0.98, "xanchor": "right", "y": 0.04,
                              "yanchor": "bottom"},
                      margin={"t": 80})
    if max((len(label) for label in curves.labels), default=0) > LONG_LABEL:
        legend_below(fig)
    return fig
