"""Inputs and tab contents of the log-derivative page. Streamlit only: every number comes from
``core`` (gradient_lab, gaussian_gradients, score_estimators); nothing is computed here."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import distributions as dist
from core import gaussian_gradients as gg
from core import gradient_lab as gl
from core import score_estimators as se
from core import softmax
from core.charts import log_derivative as charts
from core.confidence import Z95_TEXT
from ui.common import shared_chart, show_chart
from ui.presenter import class_editor, data_table

DEFAULT_TABLE = pd.DataFrame({"logit θ": [0.0, 0.0, 0.0], "reward r": [1.0, 2.0, 5.0]})
FIG2_K_SAMPLED = 100
FIG2_SAMPLES = 10_000


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.zeros(0)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def categorical_inputs() -> gl.CategoricalInputs:
    """The logits/rewards table and the logit to study."""
    st.caption(f"One row per outcome ({softmax.MIN_OUTCOMES} to {softmax.MAX_OUTCOMES}); add or "
               "delete rows at the table's edge. Probabilities are softmax(θ).")
    edited = class_editor(DEFAULT_TABLE, key="ld_table", num_rows="dynamic", hide_index=True,
                          width="stretch")
    logits, rewards = _column(edited, "logit θ"), _column(edited, "reward r")
    choice = st.selectbox("Differentiate with respect to", list(range(softmax.MAX_OUTCOMES)),
                          format_func=lambda j: f"θ{j + 1}", key="ld_component",
                          bind="query-params")
    lab = gl.CategoricalInputs(logits, rewards, min(int(choice), max(len(logits) - 1, 0)))
    if lab.validate() is None and lab.component != choice:
        st.caption(f"The table has {len(logits)} rows, so θ{lab.component + 1} is shown.")
    return lab


def gaussian_inputs() -> gl.GaussianInputs:
    """Reward and μ, σ, k sliders, and the parameter to study."""
    reward = st.selectbox("Reward f(x)", list(gg.REWARDS), format_func=gg.REWARD_LABELS.__getitem__,
                          key="ld_reward", bind="query-params")
    mu = st.slider("Mean μ", -3.0, 3.0, 1.0, step=0.1, key="ld_mu", bind="query-params")
    sigma = st.slider("Standard deviation σ", 0.0, 3.0, 1.0, step=0.05, key="ld_sigma",
                      bind="query-params")
    k = st.slider("Reward parameter k", -3.0, 3.0, 0.0, step=0.1, key="ld_k",
                  bind="query-params")
    parameter = st.radio("Differentiate with respect to", list(gg.PARAMETERS),
                         format_func={"mu": "μ", "sigma": "σ"}.get, key="ld_param",
                         horizontal=True, bind="query-params")
    return gl.GaussianInputs(gg.GaussianProblem(float(mu), float(sigma), float(k), reward),
                             parameter)


FAMILY_INPUTS: dict[str, Callable[[], gl.LabFamily]] = {
    "categorical": categorical_inputs,
    "gaussian": gaussian_inputs,
}
"""The widgets of every family in ``gl.LAB_FAMILIES``, under the same keys."""


def family_inputs(family: str) -> gl.LabFamily:
    """The chosen family's widgets, drawn; their values as that family's inputs."""
    return FAMILY_INPUTS[family]()


def estimate_tab(result: gl.LabResult) -> None:
    """J, the exact gradient two ways, and the N-sample estimate with its histogram."""
    name = result.parameter_names[result.component]
    row = result.chosen
    cols = st.columns(4)
    cols[0].metric("J = E[r]", dist.fmt(result.j),
                   help="Exact, with the shift c included (every reward is r + c).")
    cols[1].metric(f"∂J/∂{name}, autograd", dist.fmt(result.gradient[result.component]))
    cols[2].metric(f"∂J/∂{name}, finite differences",
                   dist.fmt(result.gradient_fd[result.component]))
    cols[3].metric(f"estimate from N = {row.sample.n:,}", dist.fmt(row.sample.mean, 5),
                   help="Sample mean of the per-sample terms shown in the histogram.")
    data_table(pd.DataFrame({"parameter": result.parameter_names,
                               "autograd through the exact J": result.gradient,
                               "central finite differences": result.gradient_fd,
                               "difference": result.gradient - result.gradient_fd}),
                 hide_index=True, width="stretch")
    low, high = row.sample.interval()
    st.markdown(f"95 % interval of the estimate: **[{dist.fmt(low, 5)}, {dist.fmt(high, 5)}]** "
                f"(± {Z95_TEXT} standard errors, SE = {dist.fmt(row.sample.standard_error, 3)}). "
                f"Baseline: {se.BASELINE_LABELS[row.kind]}, b = {dist.fmt(row.baseline)}.")
    centres, density = se.histogram(result.terms)
    left, right = st.columns(2)
    with left:
        show_chart(charts.terms_histogram(
            centres, density, mean=row.sample.mean, exact=row.exact_mean, interval=(low, high),
            n=row.sample.n, title=f"Per-sample terms for ∂J/∂{name}"), key="ld_hist_chart")
    with right:
        n, mean, err = result.running
        show_chart(charts.running_estimate_chart(
            n, mean, err, row.exact_mean, title="Running estimate against N",
            y_title=f"estimate of ∂J/∂{name}", exact_name="exact gradient"),
            key="ld_running_chart")


def fan_tab(result: gl.LabResult) -> None:
    """J along the chosen parameter with exact and sampled tangents."""
    name = result.parameter_names[result.component]
    show_chart(charts.tangent_fan_chart(
        result.curve_x, result.curve_j, at=result.at, value_at=result.j,
        exact_slope=result.gradient[result.component], sample_slopes=result.fan,
        n=result.chosen.sample.n, x_title=name), key="ld_fan_chart")
    st.caption(f"Each orange line has the slope of one independent estimate from N = "
               f"{result.chosen.sample.n:,} samples (with the chosen baseline). Their spread is "
               "what a single REINFORCE step sees; it shrinks like 1/√N, and a good baseline "
               "narrows it at the same N.")


def eglp_tab(result: gl.LabResult) -> None:
    """E[∇log p] = 0 from samples, and why the split E[r]·E[∇log p] is useless."""
    name = result.parameter_names[result.component]
    check = result.split
    st.latex(r"\mathbb{E}_{x\sim p_\theta}\!\left[\nabla_\theta \log p_\theta(x)\right]"
             r" = \int \nabla_\theta p_\theta(x)\,dx = \nabla_\theta 1 = 0")
    cols = st.columns(3)
    cols[0].metric(f"sample mean of ∂log p/∂{name}", dist.fmt(check.mean_score.mean, 3),
                   help=f"± {dist.fmt(check.mean_score.standard_error, 2)} (one standard error)")
    cols[1].metric("exact value", "0")
    cols[2].metric("distance in standard errors",
                   f"{abs(check.mean_score.mean) / check.mean_score.standard_error:.2f}"
                   if check.mean_score.standard_error > 0 else "—")
    n, mean, err = result.running_scores
    show_chart(charts.running_estimate_chart(
        n, mean, err, 0.0, title=f"Sample mean of ∂log p/∂{name} against N",
        y_title="sample mean of the score", exact_name="exact value 0"),
        key="ld_eglp_chart")
    st.markdown("**The split.** On the same samples, the estimate of E[r·s] is the product of "
                "the two means plus their covariance:")
    data_table(pd.DataFrame({
        "quantity": ["mean of r·s (the estimate)", "mean of r × mean of s (the split)",
                     "covariance of r and s", "exact gradient"],
        "value": [check.mean_product, check.split_product, check.covariance,
                  result.gradient[result.component]]}), hide_index=True, width="stretch")
    st.markdown("Because E[s] = 0, the split E[r]·E[s] is zero for every policy: all of the "
                "gradient lives in the covariance between reward and score.")


def baselines_tab(result: gl.LabResult) -> None:
    """Variance of the estimator per baseline: exact and sampled, chart and table."""
    labels = [se.BASELINE_LABELS[row.kind] for row in result.rows]
    highlight = next(i for i, row in enumerate(result.rows) if row.kind == result.chosen.kind)
    show_chart(charts.variance_chart(
        labels, [r.exact_variance for r in result.rows], [r.sample.variance for r in result.rows],
        [r.sample.variance_standard_error for r in result.rows], highlight=highlight),
        key="ld_variance_chart")
    table = pd.DataFrame({
        "baseline": labels, "b": [r.baseline for r in result.rows],
        "exact mean": [r.exact_mean for r in result.rows],
        "exact variance": [r.exact_variance for r in result.rows],
        "sampled variance": [r.sample.variance for r in result.rows],
        "± SE": [r.sample.variance_standard_error for r in result.rows]})
    if result.pathwise is not None and result.pathwise_exact is not None:
        table.loc[len(table)] = ["Pathwise (not a baseline)", np.nan, result.pathwise_exact[0],
                                 result.pathwise_exact[1], result.pathwise.variance,
                                 result.pathwise.variance_standard_error]
    data_table(table, hide_index=True, width="stretch")
    st.markdown("Every baseline leaves the mean unchanged (E[b·s] = b·E[s] = 0) and only moves "
                "the variance. Shifting all rewards by c changes the variance without a "
                "baseline, but not with the mean or optimal baseline, which shift along with "
                "the rewards. The optimal b* = E[r s²]/E[s²] is never worse than E[r].")
    if (result.pathwise is not None and result.pathwise_exact is not None
            and abs(result.pathwise_exact[0] - result.gradient[result.component]) > 1e-6):
        st.caption("The pathwise estimator is biased for the step reward: its derivative is "
                   "zero wherever it exists, so it never sees mass crossing the jump.")


@st.cache_data(max_entries=8, show_spinner=False)
def _figure2(seed: int) -> gg.Figure2Data:
    return gg.figure2(np.linspace(-3.0, 3.0, 241), np.linspace(-3.0, 3.0, FIG2_K_SAMPLED),
                      FIG2_SAMPLES, np.random.default_rng([seed, 2]))


@shared_chart
def _figure2_chart(seed: int) -> go.Figure:
    data = _figure2(seed)
    return charts.figure2_chart(data.k_exact, data.exact, data.k_sampled, data.sampled,
                                data.sampled_se, gg.ESTIMATOR_LABELS, data.n_samples)


def figure2_tab(seed: int) -> None:
    """Mohamed et al. (2020) Fig. 2 from the app's own formulas and sampler."""
    show_chart(_figure2_chart(seed), key="ld_fig2_chart")
    at_one = gg.figure2_exact(np.array([1.0]))
    st.markdown("At k = 1: " + ", ".join(f"{gg.ESTIMATOR_LABELS[name]} "
                                         f"**{dist.fmt(at_one[name][0])}**"
                                         for name in gg.ESTIMATORS) + ".")
    st.caption("Lines: exact variances from quadrature (they match the closed forms "
               "d⁴/σ² + 14d² + 15σ², 8d² + 10σ², 8d² + 6σ² and 4σ² with d = μ − k). Points: "
               f"{FIG2_SAMPLES:,} fresh samples per k, error bars ± 2 standard errors. The "
               "pathwise estimator uses f′(x) and wins here; for a step reward it fails.")
