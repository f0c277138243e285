"""Expectation vs sample average: where did p(τ) go in the code?"""

import streamlit as st

from core import distributions as dist
from core import sample_average as sa
from core.confidence import Z95_TEXT
from ui.common import global_seed, log_slider, log_values, show_chart, show_problem
from ui.entry import run_through_app
from ui.expectation_inputs import distribution_inputs, function_inputs
from ui.expectation_results import distribution_chart, histogram_chart, runs, runs_chart, trap_chart
from ui.presenter import revealed

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

st.title("Expectation vs sample average")
st.markdown(
    "The gradient formula is a **p-weighted sum**, E[f(X)] = Σ p(x)·f(x), yet the PyTorch loop "
    "never multiplies by p. Here you can see why."
)
ANSWERED = revealed("ev_chart_runs")  # presenter mode: the answer waits for its Reveal
if ANSWERED:
    st.markdown("When the samples are *drawn from p*, each value already turns up with "
                "frequency p(x), so the **plain average** of f over the samples homes in on the "
                "weighted sum. Multiplying by p a second time counts p twice.")

with st.container(border=True):
    col_dist, col_f, col_n = st.columns(3, gap="large")
    with col_dist:
        spec, f_column, dist_problem = distribution_inputs("ev_", with_f_column=True)
    with col_n:
        n_samples = log_slider("Samples per run N", log_values(0, 6), 10_000, key="ev_n",
                               integer=True, help="Log scale: 1, 2, 5, 10, … up to 1,000,000.")
        n_runs = st.slider("Independent runs K", 1, sa.MAX_RUNS, 10, key="ev_k",
                           bind="query-params",
                           help="Each run draws its own N samples; all K are drawn below.")
    with col_f:
        fn, f_problem = function_inputs("ev_", spec, f_column, dist_problem is None)
        if spec.family == "custom" and fn.kind != "table":
            st.caption("The table's f(x) column is used when f is “typed per outcome”.")

problem = dist_problem or f_problem or sa.validate_run_sizes(n_samples, n_runs)
if problem:
    show_problem(problem)
    st.stop()

exact = dist.expectation(spec, fn)
weighted = dist.expectation_of_p_times_f(spec, fn)
seed = global_seed()
result = runs(spec, fn, n_samples, n_runs, seed)
observed_spread, predicted_spread = sa.spread_summary(result)
f_label = dist.FUNCTIONS[fn.kind].removeprefix("f(x) = ") if fn.kind != "table" else "f(x)"

m1, m2, m3, m4 = st.columns(4)
m1.metric("Exact E[f(X)]", dist.fmt(exact), help="Σ p(x)·f(x), or ∫ p(x)·f(x) dx.")
if ANSWERED:  # the runs' averages answer the question of section 2
    m2.metric(f"Run 1 average at N = {n_samples:,}", dist.fmt(result.final[0], 5),
              delta=f"{result.final[0] - exact:+.3g} from exact", delta_color="off")
    m3.metric("Predicted spread σ/√N", dist.fmt(predicted_spread, 3),
              help="Standard deviation of one run's final average; it shrinks like 1/√N.")
    m4.metric(f"Spread of the {n_runs} runs" if n_runs > 1 else "Spread of the runs",
              "needs K ≥ 2" if n_runs < 2 else dist.fmt(observed_spread, 3),
              help="Standard deviation of the K final averages: close to the prediction.")

st.header("1. The exact expectation: a weighted sum")
if spec.is_discrete:
    st.latex(r"\mathbb{E}[f(X)] = \sum_x p(x)\,f(x) = "
             + dist.sum_expression(dist.support_of(spec)[1], dist.function_on_support(fn, spec),
                                   exact))
else:
    st.latex(r"\mathbb{E}[f(X)] = \int p(x)\,f(x)\,dx = " + dist.fmt(exact))
st.caption(f"Each outcome contributes its value f(x) times its probability p(x). Nothing "
           f"random yet: this is the number the samples should reproduce. For reference, "
           f"E[X] = {dist.fmt(dist.mean(spec))} and Var[X] = {dist.fmt(dist.variance(spec))}; "
           f"the spread of f(X) itself is σ = {dist.fmt(result.sd_f, 4)}.")
show_chart(distribution_chart(spec, fn, f_label), key="ev_chart_dist")

st.header("2. Plain averages of samples from p")
st.markdown(
    "Draw N values x₁, x₂, … from p and average f(xᵢ), **without any weights**. "
    + ("Every run wanders at first and then settles on the exact line. " if ANSWERED else "")
    + "The dashed envelope is the exact value "
    f"± {Z95_TEXT}·σ/√N: about 95 % of runs lie inside it at any N, and it narrows by a factor of "
    "√10 ≈ 3.2 for every tenfold increase in N. The shaded band is what run 1 can estimate "
    f"from its own samples (±{Z95_TEXT} standard errors)."
)
show_chart(runs_chart(spec, fn, n_samples, n_runs, seed, f_label), key="ev_chart_runs",
           reveal="Will the plain average of draws from p settle on the p-weighted sum?")
left, right = st.columns([3, 2], vertical_alignment="center")
with left:
    show_chart(histogram_chart(spec, fn, n_samples, n_runs, seed), key="ev_chart_hist")
with right:
    if ANSWERED:  # presenter mode: this says why the answer is yes
        st.markdown(
            "**Why no p is needed.** The bars are how often each value came up in run 1; the "
            + ("markers are p(x). " if spec.is_discrete else "curve is the density p(x). ")
            + "Averaging f over the samples is the same as summing f(x) times each value's "
            "*share of the samples*, and those shares match p(x) more closely as N grows. "
            "The sampling has already done the weighting."
        )

if ANSWERED:  # presenter mode: the trap's prose, chart and note state the answer too
    st.header("3. The trap: weighting by p again")
    st.markdown(
        "A tempting fix is to multiply each sample by its probability before averaging. But the "
        "samples already come with frequency p, so this weights by p **twice**: the average of "
        "p(xᵢ)·f(xᵢ) converges to Σ p(x)²·f(x) (∫ p² f for a density), a different number."
    )
    t1, t2, t3 = st.columns(3)
    sum_sign = "Σ" if spec.is_discrete else "∫"
    t1.metric(f"{sum_sign} p·f (the target)", dist.fmt(exact))
    t2.metric(f"{sum_sign} p²·f (where the trap goes)", dist.fmt(weighted))
    t3.metric("Run 1: average of p(xᵢ)·f(xᵢ)", dist.fmt(result.first_weighted[-1], 5))
    show_chart(trap_chart(spec, fn, n_samples, n_runs, seed), key="ev_chart_trap")
    st.info(
        "This is why the REINFORCE loop has no p(τ) in it: trajectories produced by running the "
        "policy arrive with probability p(τ), so a plain average over them already estimates "
        "E[r(τ)·∇log π(τ)].", icon=":material/lightbulb:"
    )
