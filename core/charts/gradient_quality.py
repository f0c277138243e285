"""Charts of "How good is one batch's gradient?": cosine similarity against the batch size."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.charts.theme import (
    BLUE,
    GREEN,
    GREY,
    LEGEND_BELOW_MARGIN,
    ORANGE,
    PURPLE,
    VERMILLION,
    legend_below,
    legend_rows,
    new_figure,
)
from core.reinforce.gradient_quality import (
    AGREEMENT,
    BATCH_SIZES,
    ESTIMATORS,
    EstimatorCurves,
    Quality,
)

ESTIMATOR_COLOURS: dict[str, str] = dict(zip(ESTIMATORS, (VERMILLION, ORANGE, BLUE, GREEN,
                                                          PURPLE), strict=True))
"""One colour per estimator (the same whichever of them a measurement holds)."""
HEIGHT = 460
"""Figure height (px) with a legend of up to ``LEGEND_ROWS_IN_MARGIN`` rows."""
LEGEND_ROW_PX = 24
"""Height of one more legend row (15 px text) below the plot."""
LEGEND_ROWS_IN_MARGIN = 3
"""Legend rows ``LEGEND_BELOW_MARGIN`` holds under the ticks and the axis title."""
NO_DIRECTION = "no direction (zero gradient)"
"""What a batch whose gradient is exactly zero shows instead of a cosine."""


def sizes_text(sizes: list[int]) -> str:
    """"B = 1", "B = 1, 2": batch sizes as the section names them."""
    return "B = " + ", ".join(f"{b:,}" for b in sizes)


def legend_name(label: str, curve: EstimatorCurves) -> str:
    """The estimator's label, with the sizes at which every batch had no direction (on a
    line of its own: on a phone one line ran off the chart)."""
    empty = curve.no_direction_sizes()
    return f"{label}:<br>{NO_DIRECTION} at {sizes_text(empty)}" if empty else label


def _hover(label: str, curve: EstimatorCurves, between: bool) -> list[str]:
    """Per measured size: the mean cosine and how many batches (pairs) it averages."""
    texts = []
    values = curve.between if between else curve.vs_reference
    for b, value, pairs, zeros in zip(curve.sizes, values, curve.pairs, curve.zero_batches,
                                      strict=True):
        batches = 2 * pairs
        head = f"{label}<br>B = {b:,}: "
        if not np.isfinite(value):
            texts.append(head + f"{NO_DIRECTION} in {zeros} of {batches} batches")
            continue
        counted = f"{pairs} pairs" if between else f"{batches} batches"
        note = f"; {zeros} of {batches} batches zero (left out)" if zeros else ""
        texts.append(head + f"cos = {value:.3f} ({counted}{note})")
    return texts


def cosine_figure(quality: Quality, *, between: bool, title: str) -> go.Figure:
    """Mean cosine (± 2 standard errors) against the batch size for every estimator, with the
    prediction from the pool's mean and variance dotted, and the agreement line. A size at
    which every batch's gradient was exactly zero has no point and no prediction (no
    direction, no cosine); the legend names it."""
    y_title = ("cos(batch, another batch)" if between else "cos(batch, reference)")
    fig = new_figure(title, x_title="episodes per batch (log scale)", y_title=y_title,
                     height=HEIGHT)
    grid = np.array(BATCH_SIZES, dtype=np.float64)
    for label, curve in quality.curves.items():
        colour = ESTIMATOR_COLOURS[label]
        mean = np.array(curve.between if between else curve.vs_reference, dtype=np.float64)
        se = np.array(curve.between_se if between else curve.vs_reference_se)
        fig.add_trace(go.Scatter(
            x=np.array(curve.sizes, dtype=np.float64), y=mean, mode="lines+markers",
            name=legend_name(label, curve), legendgroup=label,
            line={"color": colour, "width": 2.5}, marker={"size": 7},
            error_y={"type": "data", "array": 2 * np.nan_to_num(se), "thickness": 1.2},
            text=_hover(label, curve, between), hovertemplate="%{text}<extra></extra>"))
        predicted = (curve.predicted_between(grid) if between
                     else curve.predicted_vs_truth(grid))
        if np.all(np.isfinite(predicted)):
            predicted[np.isin(grid, curve.no_direction_sizes())] = np.nan
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
    legend_below(fig)  # room for the rows the legend needs on a phone, the figure taller
    rows = legend_rows(fig) + sum(str(t.name).count("<br>") for t in fig.data)
    extra = LEGEND_ROW_PX * max(0, rows - LEGEND_ROWS_IN_MARGIN)
    fig.update_layout(margin={"b": LEGEND_BELOW_MARGIN + extra}, height=HEIGHT + extra)
    return fig
