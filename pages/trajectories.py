"""Trajectories: the dynamics drop out. A slippery gridworld whose dynamics P the learner's code
never reads: exact ∇J two ways, REINFORCE through env.step, and log p(τ) term by term."""

import hashlib
import inspect

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import gridworld as gw
from core import gridworld_reinforce as gr
from core.charts import gridworld as charts
from core.confidence import Z95_TEXT
from ui.common import global_seed, show_chart, show_problem
from ui.entry import run_through_app
from ui.presenter import predict_then_reveal

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

STEP_REWARDS = [-1.0, -0.5, -0.2, -0.1, -0.05, -0.01, 0.0]
GOAL_REWARDS = [0.0, 0.5, 1.0, 2.0, 5.0, 10.0]
PIT_REWARDS = [-10.0, -5.0, -2.0, -1.0, -0.5, 0.0]
GAMMAS = [0.5, 0.8, 0.9, 0.95, 0.99]
POLICIES = {"uniform": "uniform: θ = 0, every move equally likely",
            "random": "random: θ[s, a] ~ N(0, 1), seeded"}
UPDATES = [10, 20, 50, 100, 200, 500]
STEP_SIZES = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
BATCHES = [1, 2, 5, 10, 20, 50]
MAX_TABLE_ROWS = 61


def load_layout(name: str) -> None:
    """Put a ready-made layout into the grid's text box (a callback, before it is drawn)."""
    st.session_state["tj_grid"] = gw.LAYOUTS[name]


def theta_for(world: gw.Gridworld, kind: str, seed: int) -> np.ndarray:
    return gw.random_theta(world, seed) if kind == "random" else gw.uniform_theta(world)


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Sampling episodes through env.step…")
def sampled(config: gw.GridConfig, kind: str, episodes: int, seed: int
            ) -> tuple[gr.Estimate, list[gr.Episode]]:
    world = gw.Gridworld(config)
    return gr.estimate(config, theta_for(world, kind, seed), episodes, seed)


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Training both ways…")
def trained(config: gw.GridConfig, kind: str, settings: gr.TrainSettings, seed: int
            ) -> gr.TrainResult:
    world = gw.Gridworld(config)
    return gr.train(config, theta_for(world, kind, seed), settings, seed)


def source(*functions: object) -> str:
    return "\n\n".join(inspect.getsource(f) for f in functions)  # type: ignore[arg-type]


st.title("Trajectories: the dynamics drop out")
st.markdown(
    "A trajectory's probability has three kinds of factors: where it starts, what the policy "
    "chose, and what the world did with that choice."
)
st.latex(r"p_\theta(\tau) = \rho(s_0)\prod_{t=0}^{T-1}\pi_\theta(a_t\mid s_t)\,"
         r"P(s_{t+1}\mid s_t, a_t)")
st.markdown(
    "The learner does not know P. Here P is a small slippery gridworld that you control: the "
    "exact gradient needs P, REINFORCE only calls `env.step`, and the two agree. Taking the "
    "log turns the product into a sum, and the P terms do not depend on θ, so their gradient "
    "is zero: ∇log p(τ) = Σ_t ∇log π(a_t|s_t)."
)

# ------------------------------------------------------------------ the world
st.header("The world")
controls, picture = st.columns([2, 3], gap="large")
with controls:
    st.caption("Load a layout")
    layout_row = st.container(horizontal=True)
    for name in gw.LAYOUTS:
        layout_row.button(name, key=f"tj_layout_{list(gw.LAYOUTS).index(name)}",
                      on_click=load_layout, args=(name,))
    layout = st.text_area("Grid: S start, G goal, P pit, # wall, . floor (at most 5×5)",
                          value=gw.DEFAULT_LAYOUT, key="tj_grid", height=140, max_chars=80,
                          bind="query-params")
    slip = st.slider("Slip: probability the move is replaced by another", 0.0, 1.0, 0.2, 0.05,
                     key="tj_slip", bind="query-params",
                     help="With probability slip the agent makes one of the three other moves "
                          "instead, each equally likely.")
    c1, c2 = st.columns(2)
    with c1:
        step_reward = st.select_slider("Reward per step", STEP_REWARDS, value=-0.1,
                                       key="tj_step", bind="query-params")
        goal_reward = st.select_slider("Goal reward", GOAL_REWARDS, value=1.0, key="tj_goal",
                                       bind="query-params")
    with c2:
        pit_reward = st.select_slider("Pit reward", PIT_REWARDS, value=-1.0, key="tj_pit",
                                      bind="query-params")
        gamma = st.select_slider("Discount γ", GAMMAS, value=0.95, key="tj_gamma",
                                 bind="query-params")
    kind = st.radio("Policy θ examined", list(POLICIES), format_func=POLICIES.get,
                    key="tj_theta", bind="query-params")

config = gw.GridConfig(layout=layout, slip=float(slip), step_reward=float(step_reward),
                       goal_reward=float(goal_reward), pit_reward=float(pit_reward),
                       gamma=float(gamma))
problem = gw.validate(config)
if problem:
    with picture:
        show_problem(problem)
    st.stop()

seed = global_seed()
world = gw.Gridworld(config)
theta = theta_for(world, kind, seed)
values = gw.policy_values(world, theta)
with picture:
    show_chart(charts.grid_figure(world, title="The policy π_θ: arrow length = probability",
                                  arrows=values.pi, heat=values.d,
                                  heat_title="visits d^π(s)"), key="tj_chart_world")
    st.caption(
        f"{world.n_states} states (walls are not states), 4 moves each. With slip {slip:g} the "
        f"chosen move happens with probability {1 - slip:.2f}, each other move with "
        f"{slip / 3:.3f}. Shading: the discounted visitation d^π(s) = Σ_t γ^t Pr(s_t = s).")

# ------------------------------------------------------------------ exact, two ways
st.header("The exact gradient, two independent ways")
j_bellman, g_bellman = gw.bellman_gradient(world, theta)
j_theorem, g_theorem = gw.theorem_gradient(world, theta)
g_fd = gw.finite_difference_gradient(world, theta)
j_star = gw.optimal_value(world)
m = st.columns(4)
m[0].metric("J(θ) = v_π(start)", f"{j_bellman:.6f}")
m[1].metric("best possible J*", f"{j_star:.4f}")
m[2].metric("max |∇J Bellman − ∇J theorem|", f"{np.max(np.abs(g_bellman - g_theorem)):.1e}")
m[3].metric("max |∇J autograd − finite differences|", f"{np.max(np.abs(g_bellman - g_fd)):.1e}")
st.markdown(
    "**Way 1**: solve the Bellman equations (I − γP_π)v = r_π with P, in torch, and let "
    "autograd differentiate J = v(start) back through the solve. **Way 2**: the policy "
    "gradient theorem, ∇J = Σ_s d^π(s) Σ_a ∇π(a|s) Q^π(s, a), with the softmax's Jacobian "
    "written out, in numpy. Both need P. Central finite differences are a third check."
)
left, right = st.columns(2, gap="large")
active = ~world.terminal
with left:
    show_chart(charts.grid_figure(world, title="Exact ∇J: blue raises J, vermillion lowers it",
                                  arrows=g_bellman, signed=True,
                                  heat=np.linalg.norm(g_bellman, axis=1), heat_title="‖∇J(s)‖"),
               key="tj_chart_exact")

# ------------------------------------------------------------------ REINFORCE
st.header("REINFORCE: only env.step")
code_left, code_right = st.columns(2, gap="large")
estimator_code = source(gr.play_episode, gr.reinforce_gradients)
with code_left:
    st.markdown("**The learner's code**: an ordinary `gymnasium.Env`, reset and step. No P.")
    st.code(estimator_code, language="python", wrap_lines=True)
    digest = hashlib.sha256(estimator_code.encode()).hexdigest()[:12]
    st.caption(f"SHA-256 of this code: `{digest}…`. Move the slip: the digest stays the same; "
               "the samples below change.")
with code_right:
    st.markdown("**The exact computation**: it needs the dynamics P (`world.P`).")
    st.code(source(gw.objective, gw.bellman_gradient), language="python", wrap_lines=True)

n_column, _ = st.columns([1, 3])
episodes = n_column.number_input(
    "Episodes N", min_value=1, max_value=1_000_000, value=5000, step=500, key="tj_n",
    bind="query-params",
    help="Each episode runs the policy from the start until the goal, a pit, or the time limit.")
def show_samples(est: gr.Estimate, played: list[gr.Episode], beside_exact: DeltaGenerator
                 ) -> None:
    """The estimate beside the exact gradient, its convergence, log p(τ) term by term and the
    trajectories' frequencies."""
    with beside_exact:
        agrees = predict_then_reveal("REINFORCE never saw P. Will its arrows, from these N "
                                     "episodes, point the same ways as the exact gradient's?",
                                     key="tj_chart_estimate")
        if agrees:
            show_chart(charts.grid_figure(world, title=f"REINFORCE's estimate from N = "
                                                       f"{est.n:,} episodes", arrows=est.mean,
                                          signed=True, heat=np.linalg.norm(est.mean, axis=1),
                                          heat_title="‖ĝ(s)‖"), key="tj_chart_estimate")
    inside, total = gr.coverage(est, g_bellman, np.repeat(active[:, None], 4, axis=1))
    lengths = est.lengths
    ends = np.array([world.kinds[ep.states[-1]] for ep in played])
    m = st.columns(4)
    if agrees:  # in presenter mode the coverage answers the question above: after Reveal
        m[0].metric("95 % intervals that contain the exact value", f"{inside} of {total}")
    m[1].metric("mean episode length", f"{lengths.mean():.1f} steps")
    m[2].metric("episodes reaching the goal", f"{np.mean(ends == 'goal'):.1%}")
    m[3].metric("episodes ending in a pit", f"{np.mean(ends == 'pit'):.1%}")
    if est.truncated:
        st.caption(f"{est.truncated} episode(s) were cut by the time limit of "
                   f"{world.max_episode_steps()} steps, where γ^t < {gw.TRUNCATION_TOLERANCE:g}.")

    ns = gr.log_sizes(est.n)
    run_mean, run_se = est.running(ns)
    flat_exact = g_bellman.reshape(-1)
    pick = int(np.argmax(np.abs(flat_exact)))
    s_pick, a_pick = divmod(pick, gw.N_ACTIONS)
    label = f"∂J/∂θ[{gw.cell_label(world, s_pick)}, {gw.ARROWS[a_pick]}]"
    norm = float(np.linalg.norm(flat_exact))
    if predict_then_reveal("With 100 times more episodes, how much narrower is the 95 % "
                           "interval?", key="tj_convergence"):
        left, right = st.columns(2, gap="large")
        with left:
            show_chart(charts.convergence_figure(ns, run_mean.reshape(len(ns), -1)[:, pick],
                                                 run_se.reshape(len(ns), -1)[:, pick],
                                                 float(flat_exact[pick]), label),
                       key="tj_chart_convergence")
        with right:
            if norm > 0:
                errors = np.linalg.norm(run_mean.reshape(len(ns), -1) - flat_exact,
                                        axis=1) / norm
                spread = float(np.sum(est.per_episode.reshape(est.n, -1).var(axis=0)))
                show_chart(charts.error_figure(ns, errors, np.sqrt(spread / ns) / norm),
                           key="tj_chart_error")
            else:
                st.info("∇J is exactly zero for this world and policy: there is no direction "
                        "to estimate. Change the rewards or the layout.")
        st.caption(
            f"The entry shown on the left is the largest in size, {label}. Intervals are mean "
            f"± {Z95_TEXT} standard errors of the per-episode gradients Σ_t γ^t G_t "
            "∇log π(a_t|s_t); their width shrinks like 1/√N.")

    # ------------------------------------------------------------------ log p(τ), term by term
    st.header("Where P went: log p(τ), term by term")
    st.markdown(
        "One of the sampled trajectories, with every term of log p(τ) and its gradient with "
        "respect to θ, each from `torch.autograd.grad`. The ρ and P terms are numbers the world "
        "supplies; θ is not in them, so their gradient is exactly zero, for any θ and any slip."
    )
    which_column, _ = st.columns([1, 3])
    which = which_column.number_input("Trajectory number", min_value=1,
                                      max_value=gr.MAX_EPISODES, value=1, key="tj_traj",
                                      bind="query-params",
                                      help="Which of the N sampled episodes to take apart.")
    if which > est.n:
        show_problem(f"Only {est.n:,} episodes were sampled: choose a trajectory number from 1 to "
                     f"{est.n:,}, or raise N.")
    else:
        episode = played[int(which) - 1]
        terms = gw.log_p_terms(world, theta, episode.states, episode.actions)
        rows = []
        for term in terms:
            flat = term.grad.reshape(-1)
            shown = ", ".join(f"θ[{gw.cell_label(world, int(i) // 4)},{gw.ARROWS[i % 4]}] "
                              f"{flat[i]:+.3f}" for i in np.flatnonzero(flat))
            rows.append({"t": term.t, "factor": term.kind, "term": term.label,
                         "value": term.value, "‖∇θ term‖": float(np.linalg.norm(term.grad)),
                         "∇θ term (non-zero entries)": shown or "0 (every entry)"})
        grad_all = np.sum([t.grad for t in terms], axis=0)
        grad_pi = np.sum([t.grad for t in terms if t.kind == "π"], axis=0)
        grad_p = np.sum([np.abs(t.grad) for t in terms if t.kind in ("P", "ρ")], axis=0)
        left, right = st.columns([3, 2], gap="large")
        with left:
            revealed = predict_then_reveal("What is the gradient of a log P(s_{t+1}|s_t, a_t) "
                                           "term with respect to θ?", key="tj_table")
            if revealed:
                st.dataframe(rows[:MAX_TABLE_ROWS], hide_index=True, height=420,
                             column_config={"value": st.column_config.NumberColumn(format="%.4f"),
                                            "‖∇θ term‖": st.column_config.NumberColumn(
                                                format="%.4f")})
                if len(rows) > MAX_TABLE_ROWS:
                    st.caption(f"The first {MAX_TABLE_ROWS} of {len(rows)} terms.")
        with right:
            show_chart(charts.grid_figure(world, path=episode.states, height=380,
                                          title=f"Trajectory {which}: "
                                                f"{len(episode.actions)} steps"),
                       key="tj_chart_path", csv=False)
            pair = st.columns(2)
            pair[0].metric("log p(τ)", f"{sum(t.value for t in terms):.4f}")
            if revealed:
                pair[1].metric("Σ |∇ of the ρ and P terms|", f"{float(grad_p.sum()):g}")
                st.caption(
                    "∇log p(τ) − Σ_t ∇log π(a_t|s_t), largest entry: "
                    f"{float(np.max(np.abs(grad_all - grad_pi))):g}. The sum over the P terms "
                    "added exactly nothing.")

    st.subheader("Samples arrive with frequency p(τ)")
    freqs = gr.frequencies(world, theta, played)
    left, right = st.columns([3, 2], gap="large")
    with left:
        show_chart(charts.frequency_figure(freqs, est.n), key="tj_chart_freq")
    with right:
        st.markdown(
            "The exact p(τ) multiplies in every P factor; the sampled share never saw one. "
            "Running the policy in the world makes each trajectory turn up as often as p(τ) says, "
            "so the plain average of r(τ)∇log p(τ) over samples estimates E[r(τ)∇log p(τ)], and "
            "∇log p(τ) needs only π. Move the slip: the trajectories and their frequencies change, "
            "the estimator's code does not.")
        if not np.any(theta):
            st.caption("At θ = 0 every move is equally likely, and a slip to a random other "
                       "move is too: where the agent goes, and J, do not depend on the slip. "
                       "Which action each step is credited to does, and with it p(τ) and ∇J. "
                       "Choose the random θ to see J move with the slip.")
        st.dataframe([{"τ": f"τ{i + 1}", "cells": f.path, "count": f.count}
                      for i, f in enumerate(freqs)], hide_index=True)


too_many = gr.validate_episodes(config, theta, int(episodes))
if too_many:
    show_problem(too_many)
    with right:
        st.caption("REINFORCE's estimate appears here once N fits the page's budget.")
else:
    est, played = sampled(config, kind, int(episodes), seed)
    show_samples(est, played, right)

# ------------------------------------------------------------------ training
st.header("Training: the exact gradient vs REINFORCE")
c = st.columns(3)
with c[0]:
    updates = st.select_slider("Updates", UPDATES, value=100, key="tj_updates",
                               bind="query-params")
with c[1]:
    lr = st.select_slider("Step size α (θ ← θ + α·gradient)", STEP_SIZES, value=5.0,
                          key="tj_lr", bind="query-params")
with c[2]:
    batch = st.select_slider("REINFORCE episodes per update", BATCHES, value=10,
                             key="tj_batch", bind="query-params")
settings = gr.TrainSettings(updates=int(updates), lr=float(lr), episodes_per_update=int(batch))
problem = gr.validate_training(config, theta, settings)
if problem:
    show_problem(problem)
else:
    result = trained(config, kind, settings, seed)
    if predict_then_reveal("Which curve will be smoother, and which will end higher?",
                           key="tj_training"):
        show_chart(charts.learning_figure(result.j_exact, result.j_reinforce, j_star,
                                          int(batch)), key="tj_chart_learning")
        left, right = st.columns(2, gap="large")
        with left:
            show_chart(charts.grid_figure(
                world, title=f"After exact ascent: J = {result.j_exact[-1]:.4f}",
                arrows=gw.softmax(result.theta_exact), height=400), key="tj_chart_pol_exact",
                csv=False)
        with right:
            show_chart(charts.grid_figure(
                world, title=f"After REINFORCE: J = {result.j_reinforce[-1]:.4f}",
                arrows=gw.softmax(result.theta_reinforce), height=400),
                key="tj_chart_pol_rf", csv=False)
    st.caption(
        f"Both start from the same θ and take {settings.updates} steps of size α = {lr:g}. "
        f"REINFORCE used {result.steps_reinforce:,} environment steps; exact ascent used P "
        "instead. J of both is evaluated exactly after every step.")
