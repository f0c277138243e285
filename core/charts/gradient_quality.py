"""Charts of "How good is one batch's gradient?": cosine similarity against the batch size."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.charts.theme import BLUE, GREEN, GREY, ORANGE, VERMILLION, new_figure
from core.reinforce.gradient_quality import AGREEMENT, BATCH_SIZES, Quality

ESTIMATOR_COLOURS = (VERMILLION, ORANGE, BLUE, GREEN)
"""One colour per estimator, in the order of ``ESTIMATORS``."""


def cosine_figure(quality: Quality, *, between: bool, title: str) -> go.Figure:
    """Mean cosine (± 2 standard errors) against the batch size for every estimator, with the
    prediction from the pool's mean and variance dotted, and the agreement line."""
    y_title = ("cos(batch, another batch)" if between else "cos(batch, reference)")
    fig = new_figure(title, x_title="episodes per batch (log scale)", y_title=y_title,
                     height=460)
    grid = np.array(BATCH_SIZES, dtype=np.float64)
    for colour, (label, curve) in zip(ESTIMATOR_COLOURS, quality.curves.items(), strict=False):
        mean = np.array(curve.between if between else curve.vs_reference)
        se = np.array(curve.between_se if between else curve.vs_reference_se)
        fig.add_trace(go.Scatter(
            x=np.array(curve.sizes, dtype=np.float64), y=mean, mode="lines+markers",
            name=label, legendgroup=label, line={"color": colour, "width": 2.5},
            marker={"size": 7}, error_y={"type": "data", "array": 2 * np.nan_to_num(se),
                                         "thickness": 1.2},
            customdata=np.array(curve.pairs),
            hovertemplate=f"{label}<br>B = %{{x}}: cos = %{{y:.3f}} "
                          "(%{customdata} pairs)<extra></extra>"))
        predicted = (curve.predicted_between(grid) if between
                     else curve.predicted_vs_truth(grid))
        if np.all(np.isfinite(predicted)):
            fig.add_trace(go.Scatter(
                x=grid, y=predicted, mode="lines", name=f"{label}, predicted",
                legendgroup=label, showlegend=False,
                line={"color": colour, "width": 1.5, "dash": "dot"},
                hovertemplate=f"{label}, predicted<br>B = %{{x}}: %{{y:.3f}}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[grid[0], grid[-1]], y=[AGREEMENT, AGREEMENT], mode="lines",
                             name=f"cos = {AGREEMENT:g}", line={"color": GREY, "dash": "dash"},
                             hoverinfo="skip"))
    fig.update_xaxes(type="log", tickvals=list(BATCH_SIZES))
    fig.update_yaxes(range=[-0.3, 1.05])
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0.0},
                      margin={"b": 140})
    return fig
