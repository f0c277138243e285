"""Learning a distribution: exact gradient ascent and REINFORCE on a K-armed bandit."""

import numpy as np
import streamlit as st

from core import bandit
from core.charts import bandit as charts
from ui.bandit_inputs import arms_table
from ui.common import global_seed, log_slider, log_values, show_chart, show_problem
from ui.entry import run_through_app
from ui.presenter import predict_then_reveal

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

SHIFTS = [-100, -50, -20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20, 50, 100]
FIELD_RESOLUTION = 10

st.title("Learning a distribution: the bandit")
st.markdown(
    "A policy here is just a distribution π = softmax(θ) over K arms; pulling arm k pays a "
    "random reward with mean μ_k. The best policy puts all its probability on the best arm. "
    "From the same starting θ, the **black** path follows the exact gradient ∇J(θ) (an "
    "expectation over arms, computed exactly), and each **blue** path follows REINFORCE, which "
    "only sees N sampled pulls per step."
)

with st.container(border=True):
    col_k, col_table = st.columns([1, 3], gap="large")
    with col_k:
        k = st.slider("Number of arms K", bandit.MIN_ARMS, bandit.MAX_ARMS, bandit.DEFAULT_ARMS,
                      key="bd_k", bind="query-params")
        st.caption("Edit the table: each arm's reward distribution and its starting logit.")
    with col_table:
        kinds, means, sds, logits = arms_table(k, key_prefix="bd_arms_")
    col_rate, col_size, col_options = st.columns(3, gap="large")
    with col_rate:
        lr = log_slider("Learning rate", log_values(-3, 2), 0.1, key="bd_lr",
                        help="Step size in logit units (the same for every path).")
        n_samples = log_slider("Samples per step N", [1, 2, 5, 10, 20, 50, 100], 10,
                               key="bd_n", integer=True)
        shift = st.select_slider("Reward shift c (added to every arm)", SHIFTS, value=0,
                                 key="bd_shift", bind="query-params")
    with col_size:
        steps = log_slider("Steps", [10, 20, 50, 100, 200, 500, 1000], 200, key="bd_steps",
                           integer=True)
        seeds = st.slider("REINFORCE seeds", 1, 10, 5, key="bd_seeds", bind="query-params")
    with col_options:
        baseline = st.radio("Baseline", bandit.BASELINES, key="bd_baseline",
                            bind="query-params", horizontal=True,
                            help="'mean reward' subtracts the average of all rewards this path "
                                 "has seen so far (not counting the sample itself).")
        optimizer = st.radio("Optimizer", bandit.OPTIMIZERS, key="bd_opt",
                             bind="query-params", horizontal=True)
        engine = st.radio("Gradients from", bandit.GRADIENT_ENGINES, key="bd_engine",
                          bind="query-params", horizontal=True,
                          help="The closed form of the softmax score, onehot(a) − π, is faster; "
                               "torch autograd draws exactly the same paths (the tests check "
                               "it step for step).")

problem = bandit.validate_arms(kinds, means, sds, logits)
config = bandit.TrainingConfig(learning_rate=float(lr), samples_per_step=int(n_samples),
                               baseline=baseline, optimizer=optimizer, steps=int(steps),
                               seeds=int(seeds), shift=float(shift))
if problem is None:  # the arms exist only for a valid table
    arms = bandit.arms_from_table(kinds, means, sds)
    problem = bandit.validate_config(config, arms)

if problem:
    show_problem(problem)
else:
    initial = np.asarray(logits, dtype=float)
    paths = bandit.train(arms, initial, config, global_seed(), engine=engine)
    summary = bandit.summarize(paths, arms)
    shifted = arms.expected(config.shift)
    m1, m2, m3 = st.columns(3)
    m1.metric("Exact path: probability of the best arm at the end",
              f"{summary.exact_best_probability:.3f}")
    m2.metric("REINFORCE seeds ending on the best arm",
              f"{summary.seeds_on_best} of {summary.seeds}")
    m3.metric("Mean final J over seeds (best arm: "
              f"{paths.best_reward:.3g})", f"{summary.mean_final_j:.4g}")

    left, right = st.columns([3, 2], gap="large")
    with left:
        if k == 3:
            points, velocity = bandit.simplex_field(arms, FIELD_RESOLUTION)
            show_chart(charts.simplex_figure(paths, shifted, points, velocity,
                                             FIELD_RESOLUTION), key="bd_chart_simplex")
            st.caption("Each corner is a policy that always pulls one arm. Grey arrows: the "
                       "direction plain (SGD) exact gradient ascent moves π at that point "
                       "(longer = faster); Adam takes other routes. The arrows do not depend on "
                       "the shift c.")
        else:
            show_chart(charts.probabilities_figure(paths, shifted), key="bd_chart_probs")
    with right:
        st.subheader("What to try")
        st.markdown(
            "- **Learning rate too small** (0.001, SGD): after 200 steps every path has barely "
            "moved from where it started. The direction is right; the distance is not.\n"
            "- **Learning rate too large** (10 to 100): one noisy step can throw a blue path "
            "into a corner. There ∇log π is almost zero, so it may never leave, even from a "
            "worse arm. The black path has no noise to be thrown by.\n"
            "- **A large shift** (c = 100, no baseline): the black path stays exactly as it "
            "was, since adding c to every arm leaves ∇J unchanged. The blue paths scatter: "
            "each pull now pushes up its own arm with weight ≈ c. Switch the baseline to "
            "*mean reward* and they fall back in line.\n"
            "- **N = 1 vs N = 100**: the noise of a REINFORCE step shrinks like 1/√N; at "
            "N = 100 the blue paths hug the black one.\n"
            "- **Adam** rescales each logit's step by its recent gradient size, so the "
            "learning rate means something else than with SGD."
        )
    # Both curves over steps answer the question: in presenter mode both wait for Reveal.
    if predict_then_reveal("Will J rise at every step, for the exact path and for "
                           "REINFORCE?", key="bd_chart_j"):
        show_chart(charts.objective_figure(paths), key="bd_chart_j")
        if k == 3:
            show_chart(charts.probabilities_figure(paths, shifted), key="bd_chart_probs")
