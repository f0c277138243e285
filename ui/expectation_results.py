"""The expectation page's runs and figures, computed once per setting for every session.

A class opening the teacher's link draws the same runs (same distribution, function, N, K and
seed) and moves the same sliders: each setting's samples and charts are computed by the first
student and read by the others. The results are shared objects, read and never changed.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import distributions as dist
from core import sample_average as sa
from core.charts import expectation as charts
from ui.common import SHARED_CHARTS, SHARED_CHARTS_TTL_S, shared_chart


@st.cache_resource(max_entries=SHARED_CHARTS, ttl=SHARED_CHARTS_TTL_S, show_spinner=False)
def runs(spec: dist.DistributionSpec, fn: dist.FunctionSpec, n_samples: int, n_runs: int,
         seed: int) -> sa.RunsResult:
    """K runs of N samples each, seeded by the sidebar's seed (read-only arrays: shared)."""
    result = sa.simulate_runs(spec, fn, n_samples, n_runs, np.random.default_rng([seed, 2]))
    for value in vars(result).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return result


@shared_chart
def distribution_chart(spec: dist.DistributionSpec, fn: dist.FunctionSpec,
                       f_label: str) -> go.Figure:
    """p(x) with f(x) overlaid: bars on the support, or a curve on the plot range."""
    if spec.is_discrete:
        values, probs = dist.support_of(spec)
        return charts.distribution_figure(values, probs, dist.function_on_support(fn, spec),
                                          discrete=True, f_label=f_label)
    lo, hi = dist.plot_range(spec)
    grid = np.linspace(lo, hi, 400)
    return charts.distribution_figure(grid, dist.density(spec, grid),
                                      dist.apply_function(fn, grid), discrete=False,
                                      f_label=f_label)


@shared_chart
def runs_chart(spec: dist.DistributionSpec, fn: dist.FunctionSpec, n_samples: int, n_runs: int,
               seed: int, f_label: str) -> go.Figure:
    """Every run's running average with the envelope (``runs`` with the same arguments)."""
    return charts.running_average_figure(runs(spec, fn, n_samples, n_runs, seed),
                                         f_label=f_label)


@shared_chart
def histogram_chart(spec: dist.DistributionSpec, fn: dist.FunctionSpec, n_samples: int, n_runs: int,
                    seed: int) -> go.Figure:
    """Run 1's sample frequencies against p(x)."""
    result = runs(spec, fn, n_samples, n_runs, seed)
    p = dist.support_of(spec)[1] if spec.is_discrete else dist.density(spec, result.outcomes)
    return charts.histogram_figure(result, p, discrete=spec.is_discrete)


@shared_chart
def trap_chart(spec: dist.DistributionSpec, fn: dist.FunctionSpec, n_samples: int, n_runs: int,
               seed: int) -> go.Figure:
    """Run 1's plain average against its average of p(xᵢ)·f(xᵢ)."""
    return charts.trap_figure(runs(spec, fn, n_samples, n_runs, seed))
