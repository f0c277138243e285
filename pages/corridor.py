"""The short corridor (Sutton & Barto, Example 13.1): exact values and REINFORCE, live."""

import numpy as np
import streamlit as st

from core import corridor
from core.charts import corridor as charts
from ui.common import global_seed, show_chart, show_problem
from ui.entry import run_through_app

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

EXPONENTS = list(range(-18, -7))
THETA_EXPONENTS = list(range(-16, -5))
W_EXPONENTS = list(range(-12, -1))
EPSILONS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0]
P_GRID = np.linspace(0.0, 1.0, 801)[1:-1]


def exponent_slider(label: str, options: list[int], default: int, key: str) -> int:
    """A step size chosen as a power of two, shown as 2^e."""
    return st.select_slider(label, options=options, value=default, key=key,
                            format_func=corridor.power_label, bind="query-params")


@st.cache_data(max_entries=8, ttl=3600, show_spinner="Running REINFORCE on every run…")
def learning_curves(plain: tuple[int, ...], pair: tuple[int, int, int], runs: int,
                    episodes: int, seed: int) -> corridor.LearningCurves:
    learners = corridor.figure_learners(plain, pair)
    return corridor.learn(learners, corridor.CorridorConfig(runs=runs, episodes=episodes), seed)


@st.cache_data(max_entries=1)
def exact_values() -> tuple[float, float, np.ndarray]:
    p_star, v_star = corridor.optimal_policy()
    return p_star, v_star, corridor.start_value(P_GRID)


st.title("The short corridor")
st.markdown(
    "Three cells and a goal, every step costs −1. In the first and third cell the actions do "
    "what they say; in the middle cell they are **swapped**: *right* moves left and *left* "
    "moves right. The agent sees the same thing in every cell, so a policy is one number: "
    "the probability p of choosing *right*, used everywhere. Always going right, or always "
    "left, never reaches the goal. The best policy is **random**, and a policy-gradient method "
    "can find it, because it learns the probability itself."
)

p_star, v_star, values = exact_values()

st.header("Every policy, valued exactly")
left, right = st.columns([3, 2], gap="large")
with right:
    epsilon = st.select_slider("ε for the ε-greedy policies", EPSILONS, value=0.1,
                               key="sc_eps", bind="query-params",
                               help="ε-greedy picks a random action with probability ε, so the "
                                    "greedy action has probability 1 − ε/2.")
    p_left, p_right = corridor.epsilon_greedy_probabilities(epsilon)
    v_left, v_right = corridor.start_value(p_left), corridor.start_value(p_right)
    m1, m2 = st.columns(2)
    m1.metric("best p (found by bisection)", f"{p_star:.6f}")
    m2.metric("its value v*", f"{v_star:.4f}")
    m3, m4 = st.columns(2)
    m3.metric("ε-greedy left", f"{v_left:.2f}")
    m4.metric("ε-greedy right", f"{v_right:.2f}")
    st.caption("Values come from solving the three Bellman equations exactly. The best p is "
               "where dv/dp (by autograd through that solve) changes sign; it agrees with "
               "2 − √2.")
with left:
    show_chart(charts.value_curve_figure(P_GRID, values, p_star, v_star, epsilon,
                                         (v_left, v_right)), key="sc_chart_value",
               reveal="Is the best policy here deterministic, or does it pick 'right' with a "
                      "probability strictly between 0 and 1?")

st.header("Learning it with REINFORCE")
st.markdown(
    "The policy is a softmax over two action preferences, θ_right and θ_left, starting at "
    f"p ≈ {corridor.initial_p_right():.2f}, close to ε-greedy-left. After every episode each "
    "run moves θ by the sum of its per-step REINFORCE updates (γ = 1); the book applies them "
    "one step at a time, which differs only at second order in α. The baseline version also "
    "learns one number w, an estimate of the value, updated after every step, and uses G − w "
    "in place of G. Step sizes are powers of two, as in the book's figures."
)
with st.container(border=True):
    c1, c2, c3 = st.columns(3, gap="large")
    with c1:
        runs = st.slider("Runs averaged", 1, corridor.MAX_RUNS, 100, key="sc_runs",
                         bind="query-params")
        episodes = st.select_slider("Episodes", [100, 200, 500, 1000, 2000], value=1000,
                                    key="sc_episodes", bind="query-params")
    with c2:
        st.markdown("**Figure 13.1: three step sizes**")
        plain = tuple(exponent_slider(f"α, curve {i + 1}", EXPONENTS, e, key=f"sc_a{i + 1}")
                      for i, e in enumerate((-12, -13, -14)))
    with c3:
        st.markdown("**Figure 13.2: with and without a baseline**")
        pair = (exponent_slider("α without baseline", EXPONENTS, -13, key="sc_ab"),
                exponent_slider("α^θ with baseline", THETA_EXPONENTS, -9, key="sc_at"),
                exponent_slider("α^w of the baseline", W_EXPONENTS, -6, key="sc_aw"))

learners = corridor.figure_learners(plain, pair)
config = corridor.CorridorConfig(runs=int(runs), episodes=int(episodes))
problem = corridor.validate(learners, config)
if problem:
    show_problem(problem)
else:
    curves = learning_curves(plain, pair, int(runs), int(episodes), global_seed())
    show_chart(charts.learning_curves_figure(curves.for_figure(1), v_star,
                                             "REINFORCE with three step sizes (Figure 13.1)"),
               key="sc_chart_fig1")
    left, right = st.columns([3, 2], gap="large")
    with left:
        show_chart(charts.learning_curves_figure(curves.for_figure(2), v_star,
                                                 "With a learned baseline (Figure 13.2)"),
                   key="sc_chart_fig2",
                   reveal="Which will learn faster: REINFORCE with a baseline or without?")
    baseline_w = corridor.describe_baseline_w(curves.for_figure(2))
    with right:
        st.subheader("What to try")
        st.markdown(
            "- **Runs = 1**: a single run is far noisier than the average the book shows.\n"
            "- **A larger α without baseline**: 2^-10 learns faster than the book's three. At "
            "2^-8 the average stalls far below v*: some runs get pushed close to p = 0 or 1, "
            "where one episode can last hundreds of steps.\n"
            f"- **The baseline's α^θ = {corridor.power_label(pair[1])}** is "
            f"{2.0 ** (pair[1] - pair[0]):g} times the α it is compared with. With "
            f"α^w = {corridor.power_label(pair[2])}, the {baseline_w}. Move α^w and watch how "
            "fast w follows the returns: even 2^-12 takes w several units below 0 within 100 "
            "episodes, so G − w is not G.\n"
            f"- Episodes are cut after {config.max_steps:,} steps, which only policies near "
            "p = 0 or 1 reach."
        )
    final = curves.final_p_right.mean(axis=1)
    st.caption("Average p(right) after the last episode: "
               + "; ".join(f"{label}: {p:.3f}" for label, p in zip(curves.labels, final,
                                                                  strict=True)))
