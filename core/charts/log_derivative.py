"""Figures for the page "The log-derivative trick"."""

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
    PURPLE,
    SKY,
    VERMILLION,
    legend_below,
    new_figure,
)
from core.confidence import Z95, Z95_TEXT
from core.thinning import MAX_POINTS_PER_TRACE, log_spaced_indices

ESTIMATOR_COLOURS: dict[str, str] = {
    "score": VERMILLION,
    "score_mean": ORANGE,
    "score_optimal": GREEN,
    "pathwise": BLUE,
}
"""One colour per Fig. 2 estimator."""


def _vertical(fig: go.Figure, x: float, top: float, name: str, colour: str, dash: str) -> None:
    fig.add_scatter(x=[x, x], y=[0, top], mode="lines", name=name,
                    line={"color": colour, "width": 3, "dash": dash},
                    hovertemplate=f"{name}: {x:.5g}<extra></extra>")


def terms_histogram(centres: np.ndarray, density: np.ndarray, *, mean: float, exact: float,
                    interval: tuple[float, float], n: int, title: str) -> go.Figure:
    """Histogram of the per-sample terms with the sample mean, the exact gradient and the 95 %
    interval of the mean marked. The bars' width is the estimator's per-sample spread."""
    fig = new_figure(title, x_title="per-sample term (r(x) − b)·∂log p(x)/∂θ",
                     y_title="density", height=400)
    width = float(centres[1] - centres[0]) if len(centres) > 1 else None
    fig.add_bar(x=centres.astype(np.float32), y=density.astype(np.float32), width=width,
                name=f"{n:,} terms", marker={"color": SKY, "line": {"width": 0}},
                hovertemplate="term ≈ %{x:.4g}<br>density %{y:.3g}<extra></extra>")
    top = float(density.max()) * 1.05 if len(density) else 1.0
    low, high = interval
    fig.add_vrect(x0=low, x1=high, fillcolor=ORANGE, opacity=0.35, line_width=0)
    fig.add_scatter(x=[low, high], y=[top, top], mode="lines", name="95 % interval of the mean",
                    line={"color": ORANGE, "width": 8},
                    hovertemplate="95 %% interval: [%{x:.4g}]<extra></extra>")
    _vertical(fig, exact, top, "exact gradient", BLACK, "solid")
    _vertical(fig, mean, top, "sample mean (the estimate)", VERMILLION, "dash")
    fig.update_layout(bargap=0.02)
    return legend_below(fig)


def running_estimate_chart(n: np.ndarray, mean: np.ndarray, se: np.ndarray, exact: float, *,
                           title: str, y_title: str, exact_name: str = "exact value"
                           ) -> go.Figure:
    """The estimate after n samples (log x-axis) with a ±1.96 SE band, converging to ``exact``."""
    # The band goes out and back, so each side gets half of the point budget.
    keep = log_spaced_indices(len(n), MAX_POINTS_PER_TRACE // 2)
    n, mean, se = n[keep], mean[keep], se[keep]
    fig = new_figure(title, x_title="number of samples N", y_title=y_title, height=380)
    x = np.concatenate([n, n[::-1]]).astype(np.float64)
    band = np.concatenate([mean + Z95 * se, (mean - Z95 * se)[::-1]])
    fig.add_scatter(x=x, y=band.astype(np.float32), fill="toself", mode="lines",
                    line={"width": 0}, fillcolor="rgba(86,180,233,0.30)",
                    name=f"±{Z95_TEXT} standard errors", hoverinfo="skip")
    fig.add_scatter(x=n, y=mean.astype(np.float64), mode="lines", name="running estimate",
                    line={"color": BLUE, "width": 2},
                    hovertemplate="N=%{x:,}<br>estimate %{y:.5g}<extra></extra>")
    fig.add_scatter(x=[n[0], n[-1]], y=[exact, exact], mode="lines", name=exact_name,
                    line={"color": BLACK, "width": 2, "dash": "dash"},
                    hovertemplate=f"{exact_name}: {exact:.5g}<extra></extra>")
    fig.update_xaxes(type="log")
    return legend_below(fig)


def tangent_fan_chart(grid: np.ndarray, values: np.ndarray, *, at: float, value_at: float,
                      exact_slope: float, sample_slopes: np.ndarray, n: int,
                      x_title: str) -> go.Figure:
    """J along one parameter with the exact tangent and the tangents of independent N-sample
    estimates: the fan's width is the estimator's noise at this N."""
    fig = new_figure(f"J along {x_title}: exact tangent and {len(sample_slopes)} sampled "
                     f"tangents (N = {n:,})", x_title=x_title, y_title="J = E[r]", height=420)
    fig.add_scatter(x=grid, y=values, mode="lines", name="J (exact)",
                    line={"color": BLUE, "width": 3})
    half = 0.18 * float(grid[-1] - grid[0])
    xs = np.array([at - half, at + half])
    for i, slope in enumerate(sample_slopes):
        fig.add_scatter(x=xs, y=value_at + slope * (xs - at), mode="lines",
                        name="tangents from N-sample estimates", legendgroup="fan",
                        showlegend=i == 0, opacity=0.6, line={"color": ORANGE, "width": 1.5},
                        hovertemplate=f"estimated slope {slope:.4g}<extra></extra>")
    fig.add_scatter(x=xs, y=value_at + exact_slope * (xs - at), mode="lines",
                    name="exact tangent", line={"color": BLACK, "width": 3},
                    hovertemplate=f"exact slope {exact_slope:.4g}<extra></extra>")
    fig.add_scatter(x=[at], y=[value_at], mode="markers", name="current value",
                    marker={"color": VERMILLION, "size": 11}, showlegend=False)
    span = float(values.max() - values.min()) or 1.0
    fig.update_yaxes(range=[float(values.min()) - 0.25 * span, float(values.max()) + 0.25 * span])
    return legend_below(fig)


def variance_chart(labels: Sequence[str], exact: Sequence[float], sampled: Sequence[float],
                   sampled_se: Sequence[float], *, highlight: int | None = None) -> go.Figure:
    """Exact variance of one estimator term per baseline (bars) with the sampled variance and
    ±2 standard errors (points). A log axis when every value is positive."""
    exact_v, sampled_v, se_v = (np.asarray(a, dtype=float) for a in (exact, sampled,
                                                                      sampled_se))
    fig = new_figure("Variance of one term, by baseline", y_title="variance", height=380)
    colours = [VERMILLION if i == highlight else GREY for i in range(len(labels))]
    fig.add_bar(x=list(labels), y=exact_v, name="exact variance", marker_color=colours,
                text=[f"{v:.4g}" for v in exact_v], textposition="outside",
                hovertemplate="%{x}<br>exact %{y:.5g}<extra></extra>")
    fig.add_scatter(x=list(labels), y=sampled_v, mode="markers", name="sampled (±2 SE)",
                    marker={"color": BLACK, "size": 10, "symbol": "diamond"},
                    error_y={"type": "data", "array": 2 * se_v, "visible": True},
                    hovertemplate="%{x}<br>sampled %{y:.5g}<extra></extra>")
    positive = np.all(exact_v > 0) and np.all(sampled_v > 0)
    if positive and exact_v.max() / exact_v.min() > 20:
        fig.update_yaxes(type="log", dtick=1)
    return legend_below(fig)


def figure2_chart(k_exact: np.ndarray, exact: dict[str, np.ndarray], k_sampled: np.ndarray,
                  sampled: dict[str, np.ndarray], sampled_se: dict[str, np.ndarray],
                  labels: dict[str, str], n_samples: int) -> go.Figure:
    """Mohamed et al. (2020) Fig. 2: estimator variance of ∂/∂μ E[(x − k)²] against k, log
    axis; lines are exact, points are the app's Monte Carlo with ±2 standard errors."""
    fig = new_figure(f"Variance of ∂/∂μ estimators, μ = σ = 1, f = (x − k)²  "
                     f"(points: {n_samples:,} samples per k)", x_title="k",
                     y_title="variance (log scale)", height=520)
    for name, values in exact.items():
        colour = ESTIMATOR_COLOURS.get(name, PURPLE)
        fig.add_scatter(x=k_exact, y=values, mode="lines", name=labels.get(name, name),
                        legendgroup=name, line={"color": colour, "width": 2.5},
                        hovertemplate="k=%{x:.2f}<br>exact %{y:.4g}<extra></extra>")
        low = np.maximum(sampled[name] - 2 * sampled_se[name], 1e-12)
        fig.add_scatter(x=k_sampled, y=sampled[name], mode="markers", legendgroup=name,
                        showlegend=False, marker={"color": colour, "size": 5},
                        error_y={"type": "data", "symmetric": False,
                                 "array": 2 * sampled_se[name],
                                 "arrayminus": sampled[name] - low, "thickness": 1},
                        hovertemplate="k=%{x:.2f}<br>sampled %{y:.4g}<extra></extra>")
    fig.update_yaxes(type="log", dtick=1)
    return legend_below(fig)
