"""Figures for the page "Expectation vs sample average"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.charts.theme import (
    BLACK,
    BLUE,
    GREY,
    ORANGE,
    SKY,
    VERMILLION,
    bar_range,
    new_figure,
)
from core.confidence import Z95, Z95_TEXT
from core.sample_average import RunsResult
from core.thinning import linear_spaced_indices


def _f32(values) -> np.ndarray:
    """Half-size payload: chart values need no more than float32 precision."""
    return np.asarray(values, dtype=np.float32)


def _i32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


def legend_room(fig: go.Figure, rows: int = 1) -> go.Figure:
    """Put the title at the very top and leave ``rows`` legend rows between it and the plot,
    so the two never overlap."""
    # Nested dicts, not magic underscores: plotly parses each underscored path on every call.
    fig.update_layout(margin={"t": 48 + 28 * rows},
                      title={"y": 0.995, "yanchor": "top", "yref": "container"},
                      legend={"y": 1.03, "yanchor": "bottom"})
    return fig


def distribution_figure(x: np.ndarray, p: np.ndarray, fx: np.ndarray, *, discrete: bool,
                        f_label: str) -> go.Figure:
    """p(x) (bars for a pmf, a curve for a pdf) with f(x) overlaid on a second axis."""
    fig = new_figure("The distribution p(x) and the function f(x)", x_title="x",
                     y_title="p(x)" if discrete else "density p(x)", height=380)
    keep = linear_spaced_indices(len(x))
    x, p, fx = x[keep], p[keep], fx[keep]
    if discrete:
        fig.add_bar(x=_f32(x), y=_f32(p), name="p(x)", marker_color=BLUE, opacity=0.85)
    else:
        fig.add_scatter(x=_f32(x), y=_f32(p), name="p(x)", mode="lines", fill="tozeroy",
                        line={"color": BLUE, "width": 2})
    fig.add_scatter(x=_f32(x), y=_f32(fx), name=f_label, yaxis="y2",
                    mode="lines+markers" if discrete and len(x) <= 60 else "lines",
                    line={"color": ORANGE, "width": 3}, marker={"size": 8})
    fig.update_layout(yaxis2={"title": {"text": "f(x)"}, "overlaying": "y", "side": "right",
                              "showgrid": False, "showline": True, "rangemode": "tozero",
                              "tickmode": "auto"},
                      margin={"r": 70}, bargap=0.25)
    if discrete and len(p):
        fig.update_layout(yaxis_range=bar_range(0.0, float(np.max(p))))
    return legend_room(fig)


def running_average_figure(result: RunsResult, *, f_label: str) -> go.Figure:
    """All K running averages on a log-N axis, run 1 with its ±1.96·SE band, the exact value,
    and the ±1.96·σ/√N envelope that holds about 95 % of runs."""
    k = result.averages.shape[0]
    fig = new_figure(f"Sample average of {f_label} as N grows ({k} run{'s' * (k > 1)})",
                     x_title="number of samples N (log scale)", y_title="running average",
                     height=460)
    n = _i32(result.sizes)
    env = result.envelope
    ends = _i32([1, result.sizes[-1]])
    # Traces are collected and added in one call: plotly validates each add separately.
    traces = [
        go.Scatter(x=n, y=_f32(result.exact + env), mode="lines", name=f"exact ± {Z95_TEXT}·σ/√N",
                   line={"color": GREY, "dash": "dash", "width": 1.5}, legendgroup="env"),
        go.Scatter(x=n, y=_f32(result.exact - env), mode="lines", showlegend=False,
                   line={"color": GREY, "dash": "dash", "width": 1.5}, legendgroup="env",
                   hoverinfo="skip"),
    ]
    traces += [go.Scatter(x=n, y=_f32(result.averages[run]), mode="lines", name="other runs",
                          legendgroup="others", showlegend=run == 1, opacity=0.55,
                          line={"color": SKY, "width": 1}) for run in range(1, k)]
    ok = np.isfinite(result.first_se)
    if ok.any():
        mean1, se = result.averages[0][ok], result.first_se[ok]
        traces += [
            go.Scatter(x=n[ok], y=_f32(mean1 - Z95 * se), mode="lines", showlegend=False,
                       line={"width": 0, "color": BLUE}, legendgroup="band", hoverinfo="skip"),
            go.Scatter(x=n[ok], y=_f32(mean1 + Z95 * se), mode="lines", fill="tonexty",
                       fillcolor="rgba(0,114,178,0.18)", line={"width": 0, "color": BLUE},
                       name=f"run 1 ± {Z95_TEXT}·SE", legendgroup="band", hoverinfo="skip"),
        ]
    traces += [
        go.Scatter(x=n, y=_f32(result.averages[0]), mode="lines", name="run 1",
                   line={"color": BLUE, "width": 2.5}),
        go.Scatter(x=ends, y=[result.exact] * 2, mode="lines", name="exact E[f(X)]",
                   line={"color": BLACK, "width": 2}),
    ]
    fig.add_traces(traces)
    fig.update_xaxes(type="log")
    fig.update_yaxes(range=_zoom_range(result))
    return legend_room(fig, rows=2)


def _zoom_range(result: RunsResult) -> list[float]:
    """A y-range that shows the runs settling without the first few wild samples
    flattening everything."""
    n = result.sizes
    late = result.averages[:, n >= min(10, n[-1])]
    lo = min(float(late.min()), result.exact - float(result.envelope[min(9, n.size - 1)]))
    hi = max(float(late.max()), result.exact + float(result.envelope[min(9, n.size - 1)]))
    pad = 0.08 * (hi - lo) if hi > lo else max(1.0, abs(result.exact)) * 0.1
    return [lo - pad, hi + pad]


def histogram_figure(result: RunsResult, p: np.ndarray, *, discrete: bool) -> go.Figure:
    """Run 1's sample frequencies (bars) against the true p(x) (markers or a curve)."""
    n = int(result.sizes[-1])
    fig = new_figure(f"Run 1: how often each value came up (N = {n:,})", x_title="x",
                     y_title="share of samples" if discrete else "density", height=380)
    keep = linear_spaced_indices(len(result.outcomes))
    x = _f32(result.outcomes[keep])
    fig.add_bar(x=x, y=_f32(result.frequencies[keep]), name="samples", marker_color=SKY,
                width=None if discrete else result.bin_width * 0.95)
    if discrete:
        fig.add_scatter(x=x, y=_f32(p[keep]), mode="markers", name="p(x)",
                        marker={"color": VERMILLION, "size": 11, "symbol": "line-ew-open",
                                "line": {"width": 4}})
    else:
        fig.add_scatter(x=x, y=_f32(p[keep]), mode="lines", name="p(x)",
                        line={"color": VERMILLION, "width": 3})
    fig.update_layout(bargap=0.2 if discrete else 0.0)
    if len(keep):
        top = max(float(np.max(result.frequencies[keep])), float(np.max(p[keep])))
        fig.update_layout(yaxis_range=bar_range(0.0, top))
    return legend_room(fig)


def trap_figure(result: RunsResult) -> go.Figure:
    """Run 1's plain average of f (→ Σ p f) next to its average of p(xᵢ)·f(xᵢ) (→ Σ p² f)."""
    fig = new_figure("Weighting the samples by p again lands somewhere else",
                     x_title="number of samples N (log scale)", y_title="running average",
                     height=420)
    n = _i32(result.sizes)
    ends = _i32([1, result.sizes[-1]])
    fig.add_traces([
        go.Scatter(x=n, y=_f32(result.averages[0]), mode="lines", name="average of f(xᵢ)",
                   line={"color": BLUE, "width": 2.5}),
        go.Scatter(x=ends, y=[result.exact] * 2, mode="lines", name="→ E[f(X)] = Σ p·f",
                   line={"color": BLUE, "dash": "dash", "width": 1.5}),
        go.Scatter(x=n, y=_f32(result.first_weighted), mode="lines",
                   name="average of p(xᵢ)·f(xᵢ)", line={"color": VERMILLION, "width": 2.5}),
        go.Scatter(x=ends, y=[result.exact_weighted] * 2, mode="lines",
                   name="→ E[p(X)·f(X)] = Σ p²·f",
                   line={"color": VERMILLION, "dash": "dash", "width": 1.5}),
    ])
    fig.update_xaxes(type="log")
    return legend_room(fig, rows=2)
