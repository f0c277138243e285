"""Can the expectation be split? E[XY] vs E[X]·E[Y], and E[r·∇log π] vs E[r]·E[∇log π]."""

import numpy as np
import pandas as pd
import streamlit as st

from core import covariance as cv
from core import distributions as dist
from core.charts import split as charts
from ui.common import global_seed, log_slider, log_values, show_chart, show_problem
from ui.entry import run_through_app
from ui.expectation_inputs import distribution_inputs
from ui.presenter import class_editor, data_table, predict_then_reveal, revealed, table_height

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

DEFAULT_BANDIT = pd.DataFrame({"logit θ": [1.0, 0.0, -0.5], "reward r": [1.0, 3.0, 0.0]})

QUESTION = "Is E[X·Y] equal to E[X]·E[Y] when X and Y come from the same τ?"
SCORE_QUESTION = ("For this softmax policy, is the split E[r]·E[∇log π] equal to the true "
                  "gradient E[r·∇log π]?")
SCORE_KEY = "sp_score"
st.title("Can the expectation be split?")
st.markdown(
    "The policy gradient is E[r·∇log π], an expectation of a **product**. It is tempting to "
    "write it as E[r]·E[∇log π]. Both factors are computed from the **same** trajectory τ. "
    "Pick τ's distribution and two functions of it, X = g(τ) and Y = h(τ), and compare."
)
if revealed("sp_split"):
    st.markdown("The split is only allowed when the two factors are uncorrelated. In general "
                "E[XY] = E[X]·E[Y] + Cov(X, Y): watch the covariance term.")

with st.container(border=True):
    col_dist, col_fns, col_more = st.columns(3, gap="large")
    with col_dist:
        spec, _, problem = distribution_inputs("sp_", with_f_column=False,
                                               label="Distribution of τ")
    with col_fns:
        g = st.selectbox("X = g(τ)", list(cv.TRANSFORMS), key="sp_g",
                         format_func=lambda k: cv.TRANSFORMS[k].label, bind="query-params")
        h = st.selectbox("Y = h(τ)", list(cv.TRANSFORMS), key="sp_h",
                         format_func=lambda k: cv.TRANSFORMS[k].label, bind="query-params")
    with col_more:
        independent = st.toggle("Y from an independent τ′", key="sp_indep",
                                bind="query-params",
                                help="Y = h(τ′) with τ′ a fresh draw from the same distribution.")
        n_samples = log_slider("Samples for the scatter and the check", log_values(1, 5), 1000,
                               key="sp_n", integer=True)

problem = problem or cv.validate_split(spec, g, h)
x_label, y_label = cv.TRANSFORMS[g].label, cv.TRANSFORMS[h].label
if problem:
    show_problem(problem)
elif predict_then_reveal(QUESTION, key="sp_split"):
    result = cv.split_moments(spec, g, h, independent=independent)
    m1, m2, m3 = st.columns(3)
    m1.metric("E[XY]", dist.fmt(result.mean_xy), help="The expectation of the product.")
    m2.metric("E[X]·E[Y]", dist.fmt(result.product), help="The product of the expectations.")
    m3.metric("Cov(X, Y)", dist.fmt(result.cov), help="Computed from centred values.")
    st.latex(r"\underbrace{\mathbb{E}[XY]}_{" + dist.fmt(result.mean_xy) + r"} = "
             r"\underbrace{\mathbb{E}[X]\,\mathbb{E}[Y]}_{" + dist.fmt(result.mean_x) + r"\cdot "
             + dist.fmt(result.mean_y) + " = " + dist.fmt(result.product) + r"} + "
             r"\underbrace{\mathrm{Cov}(X,Y)}_{" + dist.fmt(result.cov) + "}")
    if independent:
        st.success("With τ′ independent of τ, X and Y share no randomness: Cov(X, Y) = 0 and "
                   "E[XY] = E[X]·E[Y] exactly. This is the only kind of case where the split "
                   "is allowed.", icon=":material/check_circle:")
    elif result.sd_x == 0 or result.sd_y == 0:
        st.info("One of X, Y is a constant, so it cannot co-vary with anything: the split "
                "holds, trivially.", icon=":material/info:")
    elif abs(result.correlation) < 1e-9:
        st.info(f"X = {x_label} and Y = {y_label} depend on each other completely (both come "
                "from the same τ), yet here they happen to be uncorrelated: Cov(X, Y) = 0, so "
                "the split holds. What the split needs is zero covariance; sharing τ usually "
                "breaks it, as the other choices show.", icon=":material/info:")
    else:
        st.markdown(
            f"X = {x_label} and Y = {y_label} both move with τ (correlation "
            f"{dist.fmt(result.correlation)}), so E[XY] is off from E[X]·E[Y] by exactly the "
            "covariance. Turn on the independent τ′ to see the gap close."
        )

    left, right = st.columns([3, 2])
    rng = np.random.default_rng([global_seed(), 3])
    xs, ys = cv.sample_pairs(spec, g, h, n_samples, rng, independent=independent)
    with left:
        show_chart(charts.scatter_figure(xs, ys, result, x_label=x_label, y_label=y_label),
                   key="sp_chart_scatter")
    with right:
        show_chart(charts.identity_figure(result), key="sp_chart_identity")
    avg_xy, avg_prod = cv.sample_estimates(xs, ys)
    st.markdown(
        f"**Check with {n_samples:,} samples** (seeded): the average of X·Y is "
        f"**{dist.fmt(avg_xy, 4)}** (exact {dist.fmt(result.mean_xy)}), while "
        f"(average of X)·(average of Y) is **{dist.fmt(avg_prod, 4)}** "
        f"(exact {dist.fmt(result.product)})."
    )

    if spec.is_discrete:
        table = cv.outcome_table(spec, g, h)
        st.subheader("Outcome by outcome")
        columns = {"τ": table.tau, "p(τ)": table.p, f"X = {x_label}": table.x,
                   f"Y = {y_label}": table.y}
        if independent:
            st.caption("With τ′ independent, each X meets every Y with probability "
                       "p(τ)·p(τ′), so E[XY] = Σ_τ Σ_τ′ p(τ) p(τ′) X(τ) Y(τ′) = E[X]·E[Y].")
        else:
            st.caption("E[XY] sums p·X·Y down the rows, where X and Y come from the same τ. "
                       "E[X]·E[Y] multiplies two separate averages, as if any X could go "
                       "with any Y.")
            columns |= {"X·Y": table.xy, "p·X·Y": table.p * table.xy}
        data_table(pd.DataFrame(columns), hide_index=True, width="stretch",
                   height=table_height(len(table.p), max_rows=10))

st.header("Back to the policy gradient")
st.markdown(
    "Take a softmax policy over a few actions: π = softmax(θ), reward r(a). Both factors of the "
    "policy gradient E[r·∇log π] are computed from the same action a. Everything below comes "
    "from torch autograd."
)
if revealed(SCORE_KEY):
    st.markdown(
        "The score ∇θ log π(a) has expectation **exactly zero** under π, for any θ. So the "
        "split E[r]·E[∇log π] is always the zero vector, while the true gradient E[r·∇log π] "
        "is not: r and ∇log π co-vary, and the gradient *is* that covariance."
    )
edited = class_editor(DEFAULT_BANDIT, key="sp_bandit", num_rows="dynamic", hide_index=True,
                      width="stretch")
logits = pd.to_numeric(edited.get("logit θ"), errors="coerce").to_numpy(float, na_value=np.nan)
rewards = pd.to_numeric(edited.get("reward r"), errors="coerce").to_numpy(float, na_value=np.nan)
bandit_problem = cv.validate_score_split(logits, rewards)
if bandit_problem:
    show_problem(bandit_problem)
elif predict_then_reveal(SCORE_QUESTION, key=SCORE_KEY):
    panel = cv.score_split(logits, rewards)
    b1, b2, b3 = st.columns(3)
    b1.metric("E[r]", dist.fmt(panel.mean_reward))
    b2.metric("largest |E[∇log π]| component", dist.fmt(float(np.abs(panel.mean_score).max())),
              help="Zero for every θ; a sum that leaves only floating-point round-off is shown "
                   "as 0.")
    b3.metric("‖true gradient‖", dist.fmt(panel.gradient_norm))
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        show_chart(charts.score_figure(panel), key="sp_chart_score")
    with right:
        st.markdown(
            "**Why the split is always zero.** For every θ, Σ π(a) = 1, so "
            "Σ ∇π(a) = ∇1 = 0, and Σ π(a)·∇log π(a) is that same sum. Multiplying a zero "
            "vector by E[r] leaves zero, whatever the rewards.\n\n"
            "**Why the true gradient is not.** E[r·∇log π] = Cov(r, ∇log π): actions with "
            "above-average reward pull their logit up, the others down."
        )
    data_table(pd.DataFrame({
        "action": [f"a{i + 1}" for i in range(len(panel.probs))], "π(a)": panel.probs,
        "r(a)": rewards, "E[∇log π] (component a)": panel.mean_score,
        "E[r]·E[∇log π]": panel.split, "E[r·∇log π]": panel.gradient,
        "∇J by autograd": panel.gradient_direct}),
        hide_index=True, width="stretch")
    st.caption("The last column differentiates J(θ) = Σ π(a)·r(a) directly with autograd; it "
               "matches E[r·∇log π], the score-function form, to round-off.")
