"""core.gridworld.lab: what the trajectories page shows, computed without Streamlit: the exact
gradient's checks, sample summaries, convergence toward ∇J, and log p(τ) as table rows."""

from __future__ import annotations

import numpy as np

from core.gridworld import lab
from core.gridworld import reinforce as gr
from core.gridworld import world as gw


def _setting(kind: str = "random", config: gw.GridConfig | None = None):
    world = gw.Gridworld(config or gw.GridConfig())
    return world, lab.initial_theta(world, kind, 3)


def test_initial_theta_is_uniform_or_seeded_random():
    world, theta = _setting("uniform")
    assert not np.any(theta)
    _, random_theta = _setting("random")
    assert np.array_equal(random_theta, gw.random_theta(world, 3)) and np.any(random_theta)
    assert set(lab.POLICIES) == {"uniform", "random"}


def test_exact_gradients_agree_two_ways_and_with_finite_differences():
    world, theta = _setting()
    exact = lab.exact_gradients(world, theta)
    j, gradient = gw.bellman_gradient(world, theta)
    assert exact.j == j and np.array_equal(exact.gradient, gradient)
    assert exact.theorem_gap < 1e-8 and exact.finite_difference_gap < 1e-6
    assert exact.j < exact.j_star


def test_summary_and_convergence_of_the_samples():
    world, theta = _setting()
    exact = lab.exact_gradients(world, theta)
    est, played = gr.estimate(world.config, theta, 2000, 0)
    summary = lab.summarize(world, est, played, exact.gradient)
    assert summary.total == 4 * int((~world.terminal).sum())
    assert summary.inside >= 0.8 * summary.total  # 95 % intervals
    assert 0 <= summary.goal_share + summary.pit_share <= 1
    assert summary.mean_length == est.lengths.mean()
    conv = lab.convergence(world, est, exact.gradient)
    assert conv.ns[0] == 1 and conv.ns[-1] == est.n
    assert abs(conv.exact) == np.max(np.abs(exact.gradient))
    assert conv.relative_error is not None and conv.predicted_error is not None
    assert conv.relative_error[-1] < conv.relative_error[0]
    assert abs(conv.mean[-1] - conv.exact) < 4 * conv.standard_error[-1]


def test_a_zero_gradient_has_no_relative_error():
    world, theta = _setting("uniform", gw.GridConfig(step_reward=0.0, goal_reward=0.0,
                                                     pit_reward=0.0))
    exact = lab.exact_gradients(world, theta)
    assert not np.any(exact.gradient)
    est, _ = gr.estimate(world.config, theta, 50, 0)
    conv = lab.convergence(world, est, exact.gradient)
    assert conv.relative_error is None and conv.predicted_error is None


def test_log_p_breakdown_dynamics_add_nothing_to_the_gradient():
    world, theta = _setting(config=gw.GridConfig(slip=0.5))
    _, played = gr.estimate(world.config, theta, 20, 1)
    episode = max(played, key=lambda ep: len(ep.actions))
    terms = lab.log_p_breakdown(world, theta, episode)
    assert len(terms.rows) == 1 + 2 * len(episode.actions)
    assert abs(terms.log_p - gw.log_p(world, theta, episode.states, episode.actions)) < 1e-9
    assert terms.dynamics_gradient == 0 and terms.gap == 0
    assert {row["factor"] for row in terms.rows} == {"ρ", "π", "P"}
    assert all(row["∇θ term (non-zero entries)"] == "0 (every entry)"
               for row in terms.rows if row["factor"] != "π")


def test_the_learner_code_never_mentions_the_dynamics_and_has_a_stable_digest():
    code = lab.learner_code()
    assert "env.step" in code and ".P" not in code and "slip" not in code
    assert "world.P" in lab.exact_code()
    assert lab.digest(code) == lab.digest(lab.learner_code()) and len(lab.digest(code)) == 12


def test_the_code_shown_fits_the_page_without_wrapping():
    """The page shows both codes as wide as the page, unwrapped: every line fits."""
    for code in (lab.learner_code(), lab.exact_code()):
        assert max(len(line) for line in code.splitlines()) <= lab.CODE_WIDTH
    assert "SeedSequence(seed).spawn(2)" in lab.learner_code()


def test_gradient_text_lists_each_state_once():
    world, _ = _setting("uniform")
    grad = np.zeros((world.n_states, gw.N_ACTIONS))
    grad[world.start] = [-0.25, 0.75, -0.25, -0.25]
    assert lab.gradient_text(world, grad) == "θ[(0,0)]: ↑ -0.250, → +0.750, ↓ -0.250, ← -0.250"
    grad[world.goal, 2] = 1.0
    assert lab.gradient_text(world, grad).endswith("; θ[(3,3)]: ↓ +1.000")
    assert lab.gradient_text(world, 0 * grad) == "0 (every entry)"


def test_a_closed_off_room_adds_no_intervals():
    """Only the states where the agent acts count: the room's entries (0 and 0 ± 0) would
    count as intervals that trivially contain the exact value."""
    world, theta = _setting(config=gw.GridConfig(layout="S.G/###/..."))
    exact = lab.exact_gradients(world, theta)
    est, played = gr.estimate(world.config, theta, 200, 0)
    summary = lab.summarize(world, est, played, exact.gradient)
    assert summary.total == 8 and summary.goal_share == 1.0
