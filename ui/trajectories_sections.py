"""Inputs and sections of the trajectories page. Streamlit only: every number comes from
``core`` (gridworld, gridworld_reinforce, gridworld_lab); nothing is computed here."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.charts import gridworld as charts
from core.confidence import Z95_TEXT
from core.gridworld import lab
from core.gridworld import reinforce as gr
from core.gridworld import world as gw
from ui.common import show_chart, show_problem
from ui.presenter import data_table, predict_then_reveal, presenter_mode, table_height

GRID_BOX_PX = {False: 160, True: 210}
"""Height of the grid's text box, normally and in presenter mode (larger text): the five rows
of the largest grid, none hidden behind a scroll bar."""
TERMS_SHOWN = 15
"""Rows of the log p(τ) table in view at once; a longer trajectory's table scrolls."""


def load_layout(name: str) -> None:
    """Put a ready-made layout into the grid's text box (a callback, before it is drawn)."""
    st.session_state["tj_grid"] = gw.LAYOUTS[name]


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Sampling episodes through env.step…")
def sampled(config: gw.GridConfig, kind: str, episodes: int, seed: int
            ) -> tuple[gr.Estimate, list[gr.Episode]]:
    """REINFORCE's per-episode gradients from ``episodes`` episodes, and the episodes (cached
    for every session: the same settings and seed give the same samples)."""
    world = gw.Gridworld(config)
    return gr.estimate(config, lab.initial_theta(world, kind, seed), episodes, seed)


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Training both ways…")
def trained(config: gw.GridConfig, kind: str, settings: gr.TrainSettings, seed: int
            ) -> gr.TrainResult:
    """Exact ascent and REINFORCE from the examined θ (cached like ``sampled``)."""
    world = gw.Gridworld(config)
    return gr.train(config, lab.initial_theta(world, kind, seed), settings, seed)


def world_inputs() -> tuple[gw.GridConfig, str]:
    """Layout buttons, the grid's text box, slip, rewards, γ and the policy examined:
    (the world's config, unvalidated; the policy's kind)."""
    st.caption("Load a layout")
    layout_row = st.container(horizontal=True)
    for index, name in enumerate(gw.LAYOUTS):
        layout_row.button(name, key=f"tj_layout_{index}", on_click=load_layout, args=(name,))
    layout = st.text_area("Grid: S start, G goal, P pit, # wall, . floor (at most 5×5)",
                          value=gw.DEFAULT_LAYOUT, key="tj_grid",
                          height=GRID_BOX_PX[presenter_mode()], max_chars=80,
                          bind="query-params")
    slip = st.slider("Slip: probability the move is replaced by another", 0.0, 1.0, 0.2, 0.05,
                     key="tj_slip", bind="query-params",
                     help="With probability slip the agent makes one of the three other moves "
                          "instead, each equally likely.")
    c1, c2 = st.columns(2)
    with c1:
        step_reward = st.select_slider("Reward per step", lab.STEP_REWARDS, value=-0.1,
                                       key="tj_step", bind="query-params")
        goal_reward = st.select_slider("Goal reward", lab.GOAL_REWARDS, value=1.0,
                                       key="tj_goal", bind="query-params")
    with c2:
        pit_reward = st.select_slider("Pit reward", lab.PIT_REWARDS, value=-1.0, key="tj_pit",
                                      bind="query-params")
        gamma = st.select_slider("Discount γ", lab.GAMMAS, value=0.95, key="tj_gamma",
                                 bind="query-params")
    kind = st.radio("Policy θ examined", list(lab.POLICIES), format_func=lab.POLICIES.get,
                    key="tj_theta", bind="query-params")
    config = gw.GridConfig(layout=layout, slip=float(slip), step_reward=float(step_reward),
                           goal_reward=float(goal_reward), pit_reward=float(pit_reward),
                           gamma=float(gamma))
    return config, kind


def world_picture(world: gw.Gridworld, values: gw.PolicyValues, slip: float) -> None:
    """The policy's arrows over the visitation shading, and what the slip means."""
    show_chart(charts.grid_figure(world, title="The policy π_θ: arrow length = probability",
                                  arrows=values.pi, heat=values.d,
                                  heat_title="visits d^π(s)"), key="tj_chart_world")
    away = int(np.sum(~world.acting & ~world.terminal))
    st.caption(
        f"{world.n_states} states (walls are not states), 4 moves each"
        + (f"; {away} of them (grey) cannot be reached from S and never matter" if away else "")
        + f". With slip {slip:g} the chosen move happens with probability {1 - slip:.2f}, each "
        f"other move with {slip / 3:.3f}. Shading: the discounted visitation "
        "d^π(s) = Σ_t γ^t Pr(s_t = s).")


def exact_section(world: gw.Gridworld, exact: lab.ExactGradients) -> DeltaGenerator:
    """J, J*, the two checks and the exact gradient's chart; returns the column beside that
    chart, where REINFORCE's estimate goes."""
    m = st.columns(4)
    m[0].metric("J(θ) = v_π(start)", f"{exact.j:.6f}")
    m[1].metric("best possible J*", f"{exact.j_star:.4f}")
    m[2].metric("max |∇J Bellman − ∇J theorem|", f"{exact.theorem_gap:.1e}")
    m[3].metric("max |∇J autograd − finite differences|", f"{exact.finite_difference_gap:.1e}")
    st.markdown(
        "**Way 1**: solve the Bellman equations (I − γP_π)v = r_π with P, in torch, and let "
        "autograd differentiate J = v(start) back through the solve. **Way 2**: the policy "
        "gradient theorem, ∇J = Σ_s d^π(s) Σ_a ∇π(a|s) Q^π(s, a), with the softmax's Jacobian "
        "written out, in numpy. Both need P. Central finite differences are a third check."
    )
    left, right = st.columns(2, gap="large")
    with left:
        show_chart(charts.grid_figure(world, title="Exact ∇J: blue raises J, vermillion lowers it",
                                      arrows=exact.gradient, signed=True,
                                      heat=np.linalg.norm(exact.gradient, axis=1),
                                      heat_title="‖∇J(s)‖"),
                   key="tj_chart_exact")
    return right


def code_section() -> None:
    """The learner's code (with its digest), then the exact computation's, each as wide as the
    page: their lines (at most ``lab.CODE_WIDTH`` characters) never wrap."""
    estimator_code = lab.learner_code()
    st.markdown("**The learner's code**: an ordinary `gymnasium.Env`, reset and step. No P.")
    st.code(estimator_code, language="python")
    st.caption(f"SHA-256 of this code: `{lab.digest(estimator_code)}…`. Move the slip: the "
               "digest stays the same; the samples below change.")
    st.markdown("**The exact computation**: it needs the dynamics P (`world.P`).")
    st.code(lab.exact_code(), language="python")


def samples_section(world: gw.Gridworld, theta: np.ndarray, exact: lab.ExactGradients,
                    est: gr.Estimate, played: list[gr.Episode], beside_exact: DeltaGenerator
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
    summary = lab.summarize(world, est, played, exact.gradient)
    m = st.columns(4)
    if agrees:  # in presenter mode the coverage answers the question above: after Reveal
        m[0].metric("95 % intervals that contain the exact value",
                    f"{summary.inside} of {summary.total}")
    m[1].metric("mean episode length", f"{summary.mean_length:.1f} steps")
    m[2].metric("episodes reaching the goal", f"{summary.goal_share:.1%}")
    m[3].metric("episodes ending in a pit", f"{summary.pit_share:.1%}")
    if est.truncated:
        st.caption(f"{est.truncated} episode(s) were cut by the time limit of "
                   f"{world.max_episode_steps()} steps, where γ^t < {gw.TRUNCATION_TOLERANCE:g}.")
    if predict_then_reveal("With 100 times more episodes, how much narrower is the 95 % "
                           "interval?", key="tj_convergence"):
        convergence_charts(lab.convergence(world, est, exact.gradient))
    log_p_section(world, theta, est, played)
    frequency_section(world, theta, est, played)


def convergence_charts(conv: lab.Convergence) -> None:
    """The largest entry's running estimate with its intervals, and the relative error."""
    left, right = st.columns(2, gap="large")
    with left:
        show_chart(charts.convergence_figure(conv.ns, conv.mean, conv.standard_error,
                                             conv.exact, conv.label),
                   key="tj_chart_convergence")
    with right:
        if conv.relative_error is not None and conv.predicted_error is not None:
            show_chart(charts.error_figure(conv.ns, conv.relative_error, conv.predicted_error),
                       key="tj_chart_error")
        else:
            st.info("∇J is exactly zero for this world and policy: there is no direction "
                    "to estimate. Change the rewards or the layout.")
    st.caption(
        f"The entry shown on the left is the largest in size, {conv.label}. Intervals are mean "
        f"± {Z95_TEXT} standard errors of the per-episode gradients Σ_t γ^t G_t "
        "∇log π(a_t|s_t); their width shrinks like 1/√N.")


def log_p_section(world: gw.Gridworld, theta: np.ndarray, est: gr.Estimate,
                  played: list[gr.Episode]) -> None:
    """One sampled trajectory's log p(τ), term by term, with each term's ∇θ."""
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
        return
    episode = played[int(which) - 1]
    terms = lab.log_p_breakdown(world, theta, episode)
    left, right = st.columns([2, 3], gap="large")
    with left:
        show_chart(charts.grid_figure(world, path=episode.states, height=380,
                                      title=f"Trajectory {which}: "
                                            f"{len(episode.actions)} steps"),
                   key="tj_chart_path", csv=False)
    with right:
        st.metric("log p(τ)", f"{terms.log_p:.4f}")
        revealed = predict_then_reveal("What is the gradient of a log P(s_{t+1}|s_t, a_t) "
                                       "term with respect to θ?", key="tj_table")
        if revealed:
            st.metric("Σ |∇ of the ρ and P terms|", f"{terms.dynamics_gradient:g}")
            st.caption(
                "∇log p(τ) − Σ_t ∇log π(a_t|s_t), largest entry: "
                f"{terms.gap:g}. The sum over the P terms added exactly nothing.")
    if revealed:  # as wide as the page: the last column holds a state's four entries
        rows = terms.rows[:lab.MAX_TABLE_ROWS]
        data_table(rows, hide_index=True, height=table_height(len(rows), TERMS_SHOWN),
                   column_config={"value": st.column_config.NumberColumn(format="%.4f"),
                                  "‖∇θ term‖": st.column_config.NumberColumn(format="%.4f")})
        if len(terms.rows) > lab.MAX_TABLE_ROWS:
            st.caption(f"The first {lab.MAX_TABLE_ROWS} of {len(terms.rows)} terms.")


def frequency_section(world: gw.Gridworld, theta: np.ndarray, est: gr.Estimate,
                      played: list[gr.Episode]) -> None:
    """The sampled trajectories' shares next to their exact p(τ)."""
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
        data_table([{"τ": f"τ{i + 1}", "cells": f.path, "count": f.count}
                    for i, f in enumerate(freqs)], hide_index=True)


def training_results(world: gw.Gridworld, result: gr.TrainResult, j_star: float, batch: int
                     ) -> None:
    """Both learning curves and both final policies (after the reveal in presenter mode)."""
    if not predict_then_reveal("Which curve will be smoother, and which will end higher?",
                               key="tj_training"):
        return
    show_chart(charts.learning_figure(result.j_exact, result.j_reinforce, j_star, batch),
               key="tj_chart_learning")
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
