"""Figures for the page "Can the expectation be split?"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.charts.expectation import legend_room
from core.charts.theme import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    VERMILLION,
    new_figure,
)
from core.covariance import ScoreSplit, SplitResult
from core.thinning import MAX_POINTS_PER_TRACE


def scatter_figure(x: np.ndarray, y: np.ndarray, result: SplitResult, *, x_label: str,
                   y_label: str) -> go.Figure:
    """Sampled (X, Y) pairs, repeated pairs drawn as one bubble sized by its count, with lines
    at E[X] and E[Y]: points mostly up-right and down-left of the cross mean Cov > 0."""
    title = ("Samples of (X, Y), Y from an independent τ′" if result.independent
             else "Samples of (X, Y), both from the same τ")
    fig = new_figure(title, x_title=f"X = {x_label}", y_title=f"Y = {y_label}", height=440)
    pairs, counts = np.unique(np.column_stack([x, y]), axis=0, return_counts=True)
    if len(pairs) > MAX_POINTS_PER_TRACE:
        pairs, counts = pairs[:MAX_POINTS_PER_TRACE], counts[:MAX_POINTS_PER_TRACE]
    size = 6 + 30 * np.sqrt(counts / counts.max()) if counts.max() > 1 else np.full(len(pairs), 6)
    fig.add_scatter(x=pairs[:, 0].astype(np.float32), y=pairs[:, 1].astype(np.float32),
                    mode="markers", name="sampled pairs",
                    marker={"size": size.astype(np.float32), "color": BLUE, "opacity": 0.55,
                            "line": {"width": 0}},
                    customdata=counts.astype(np.int32),
                    hovertemplate="X=%{x:.4g}, Y=%{y:.4g}<br>%{customdata} samples<extra></extra>")
    fig.add_vline(x=result.mean_x, line={"color": GREY, "dash": "dash"},
                  annotation_text="E[X]", annotation_position="top")
    fig.add_hline(y=result.mean_y, line={"color": GREY, "dash": "dash"},
                  annotation_text="E[Y]", annotation_position="top right")
    return legend_room(fig)


def identity_figure(result: SplitResult) -> go.Figure:
    """E[XY] as one bar next to E[X]·E[Y] and Cov(X, Y) stacked: the two columns match."""
    fig = new_figure("E[XY] = E[X]·E[Y] + Cov(X, Y)", y_title="value", height=400)
    fig.add_bar(x=["E[XY]"], y=[result.mean_xy], name="E[XY]", marker_color=BLUE,
                text=[f"{result.mean_xy:.4g}"], textposition="inside")
    fig.add_bar(x=["E[X]·E[Y] + Cov"], y=[result.product], name="E[X]·E[Y]",
                marker_color=ORANGE, text=[f"{result.product:.4g}"], textposition="inside")
    fig.add_bar(x=["E[X]·E[Y] + Cov"], y=[result.cov], name="Cov(X, Y)",
                marker_color=VERMILLION, text=[f"{result.cov:.4g}"], textposition="inside")
    fig.update_layout(barmode="relative", bargap=0.35)
    return legend_room(fig)


def score_figure(panel: ScoreSplit) -> go.Figure:
    """Per logit θ_a: the true gradient E[r ∇log π] next to the split E[r]·E[∇log π]."""
    labels = [f"θ{i + 1}" for i in range(len(panel.probs))]
    fig = new_figure("Gradient of the expected reward, one bar per logit",
                     x_title="logit", y_title="∂J/∂θ", height=400)
    fig.add_bar(x=labels, y=panel.gradient, name="E[r·∇log π] (true gradient)",
                marker_color=GREEN)
    # The split is zero: drawn as markers on the zero line so it stays visible.
    fig.add_scatter(x=labels, y=panel.split, mode="markers", name="E[r]·E[∇log π] (the split)",
                    marker={"color": VERMILLION, "size": 16, "symbol": "diamond",
                            "line": {"color": "white", "width": 1.5}})
    fig.add_hline(y=0, line={"color": GREY})
    fig.update_layout(barmode="group")
    return legend_room(fig)
