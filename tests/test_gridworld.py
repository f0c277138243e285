"""core.gridworld.world, core.gridworld.env, core.gridworld.reinforce: the exact gradient two ways,
finite differences, a case done by hand, REINFORCE through env.step within 4 SE, the zero
gradient of the dynamics terms, and the messages for bad input."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.gridworld import reinforce as gr
from core.gridworld import world as gw
from core.gridworld.env import SlipperyGridEnv, make_env
from core.torch_env import torch

DEFAULT = gw.GridConfig()


def _world(config: gw.GridConfig = DEFAULT) -> gw.Gridworld:
    assert gw.validate(config) is None
    return gw.Gridworld(config)


# ------------------------------------------------------------------ exact gradients
def test_the_two_exact_gradients_agree_at_the_defaults():
    world = _world()
    for theta in (gw.uniform_theta(world), gw.random_theta(world, 3, scale=2.0)):
        j_a, g_a = gw.bellman_gradient(world, theta)
        j_b, g_b = gw.theorem_gradient(world, theta)
        assert abs(j_a - j_b) < 1e-12
        assert np.max(np.abs(g_a - g_b)) < 1e-8
        assert np.max(np.abs(g_a)) > 1e-3  # a gradient worth comparing


def test_finite_differences_agree_with_autograd():
    world = _world(gw.GridConfig(layout=gw.LAYOUTS["5×5, pits and walls"], slip=0.3))
    theta = gw.random_theta(world, 1)
    _, grad = gw.bellman_gradient(world, theta)
    fd = gw.finite_difference_gradient(world, theta)
    assert np.max(np.abs(grad - fd)) < 1e-7


def test_terminal_states_have_no_gradient_and_softmax_rows_sum_to_zero():
    world = _world()
    _, grad = gw.bellman_gradient(world, gw.random_theta(world, 2))
    assert np.all(grad[world.terminal] == 0.0)
    # Adding a constant to a row of θ does not change π: each row's gradient sums to 0.
    assert np.max(np.abs(grad.sum(axis=1))) < 1e-12


def test_slip_zero_one_by_three_matches_the_hand_computation():
    """Cells 0, 1, G in a row, every step −1, γ = 1, uniform policy, no slip.

    From 0 only "right" moves on (1/4), from 1 "right" reaches G and "left" goes back:
    expected steps E0 = 4 + E1, E1 = 2 + E0/2, so E0 = 12, E1 = 8 and J = −12.
    Visits d(0) = 8, d(1) = 4. Q(0, →) = −9, Q(0, other) = −13, Q(1, →) = −1,
    Q(1, ←) = −13, Q(1, ↑) = Q(1, ↓) = −9. ∂J/∂θ[s, b] = d(s) π(b|s) (Q(s, b) − v(s)).
    """
    config = gw.GridConfig(layout="S.G", slip=0.0, step_reward=-1.0, goal_reward=0.0,
                           pit_reward=0.0, gamma=1.0)
    world = _world(config)
    theta = gw.uniform_theta(world)
    hand = np.array([[-2.0, 6.0, -2.0, -2.0],     # up, right, down, left in cell 0
                     [-1.0, 7.0, -1.0, -5.0],     # cell 1
                     [0.0, 0.0, 0.0, 0.0]])       # the goal
    for method in (gw.bellman_gradient, gw.theorem_gradient):
        j, grad = method(world, theta)
        assert j == pytest.approx(-12.0, abs=1e-12)
        np.testing.assert_allclose(grad, hand, atol=1e-12)
    values = gw.policy_values(world, theta)
    np.testing.assert_allclose(values.d[:2], [8.0, 4.0], atol=1e-12)
    assert gw.expected_length(world, theta) == pytest.approx(12.0)
    assert gw.optimal_value(world) == pytest.approx(-2.0)


def test_slip_spreads_the_move_over_the_other_three():
    world = _world(gw.GridConfig(layout="...\n.S.\n..G", slip=0.3))
    centre = world.start
    for a in range(4):
        row = world.P[centre, a]
        assert row.sum() == pytest.approx(1.0)
        assert row[world.target(centre, a)] == pytest.approx(0.7)
        others = [world.target(centre, b) for b in range(4) if b != a]
        assert all(row[s] == pytest.approx(0.1) for s in others)
    assert np.all(world.P[world.terminal] == 0.0)


def test_at_theta_zero_the_slip_moves_the_credit_not_the_agent():
    """Uniform π composed with a uniform slip is still uniform: J does not depend on the slip
    at θ = 0, but ∇J and the probability of each (state, action) trajectory do."""
    js, grads, lengths, visits = [], [], [], []
    for slip in (0.0, 0.3, 0.9):
        world = _world(gw.GridConfig(slip=slip))
        j, g = gw.bellman_gradient(world, gw.uniform_theta(world))
        js.append(j)
        grads.append(g)
        lengths.append(gw.expected_length(world, gw.uniform_theta(world)))
        visits.append(gw.policy_values(world, gw.uniform_theta(world)).d)
    assert max(js) - min(js) < 1e-12
    assert max(lengths) - min(lengths) < 1e-9          # where the agent goes: unchanged
    assert np.max(np.abs(visits[0] - visits[2])) < 1e-12
    assert np.max(np.abs(grads[0] - grads[1])) > 1e-3
    world_a = _world(gw.GridConfig(slip=0.2))
    world_b = _world(gw.GridConfig(slip=0.6))
    states, actions = [world_a.start, world_a.index[(1, 0)]], [2]
    theta = gw.uniform_theta(world_a)
    assert gw.log_p(world_a, theta, states, actions) == pytest.approx(np.log(0.25 * 0.8))
    assert gw.log_p(world_b, theta, states, actions) == pytest.approx(np.log(0.25 * 0.4))


@st.composite
def gridworlds(draw: st.DrawFn) -> gw.GridConfig:
    rows = draw(st.integers(1, gw.MAX_SIDE))
    cols = draw(st.integers(2 if rows == 1 else 1, gw.MAX_SIDE))
    cells = draw(st.lists(st.sampled_from(".....#P"), min_size=rows * cols,
                          max_size=rows * cols))
    start, goal = draw(st.lists(st.integers(0, rows * cols - 1), min_size=2, max_size=2,
                                unique=True))
    cells[start], cells[goal] = "S", "G"
    layout = "\n".join("".join(cells[r * cols:(r + 1) * cols]) for r in range(rows))
    reward = st.floats(-1.0, 1.0, allow_nan=False)
    return gw.GridConfig(layout=layout, slip=draw(st.floats(0.0, gw.MAX_SLIP)),
                         step_reward=draw(reward), goal_reward=draw(reward),
                         pit_reward=draw(reward),
                         gamma=draw(st.one_of(st.floats(0.5, 0.99), st.just(1.0))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(config=gridworlds(), seed=st.integers(0, 2**31 - 1), scale=st.floats(0.0, 3.0))
def test_property_the_two_exact_gradients_agree(config, seed, scale):
    assume(gw.validate(config) is None)
    world = gw.Gridworld(config)
    theta = gw.random_theta(world, seed, scale)
    j_a, g_a = gw.bellman_gradient(world, theta)
    j_b, g_b = gw.theorem_gradient(world, theta)
    assert abs(j_a - j_b) < 1e-8
    assert np.max(np.abs(g_a - g_b)) < 1e-8


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(config=gridworlds(), seed=st.integers(0, 2**31 - 1), scale=st.floats(0.0, 3.0))
def test_property_dynamics_terms_have_zero_gradient(config, seed, scale):
    """For a trajectory sampled through the environment: every ρ and P term's gradient is
    exactly 0, so ∇log p(τ) = Σ ∇log π, and the terms add up to log p(τ)."""
    assume(gw.validate(config) is None)
    world = gw.Gridworld(config)
    theta = gw.random_theta(world, seed, scale)
    env = make_env(config)
    episode = gr.play_episode(env, torch.tensor(theta), gr.seed_streams(env, seed))
    terms = gw.log_p_terms(world, theta, episode.states, episode.actions)
    assert len(terms) == 1 + 2 * len(episode.actions)
    for term in terms:
        if term.kind in ("ρ", "P"):
            assert not np.any(term.grad)
        else:
            assert term.grad.sum() == pytest.approx(0.0, abs=1e-12)
    total = np.sum([t.grad for t in terms], axis=0)
    pi_only = np.sum([t.grad for t in terms if t.kind == "π"], axis=0)
    assert np.array_equal(total, pi_only)
    assert sum(t.value for t in terms) == pytest.approx(
        gw.log_p(world, theta, episode.states, episode.actions), abs=1e-9)


def test_a_closed_off_room_does_not_matter_even_at_gamma_one():
    """The bottom row cannot be reached from S. At γ = 1 its cells lead nowhere, which made
    I − P_π singular when the solve covered every cell. Now they are not solved for: with the
    hand computation's rewards the world is the 1×3 corridor of
    ``test_slip_zero_one_by_three_matches_the_hand_computation``, and with the defaults J
    matches the mean return of episodes run through the environment."""
    hand_case = gw.GridConfig(layout="S.G/###/...", slip=0.0, step_reward=-1.0,
                              goal_reward=0.0, pit_reward=0.0, gamma=1.0)
    world = _world(hand_case)
    theta = gw.random_theta(world, 4)  # the room's θ is anything: it never matters
    theta[:2] = 0.0
    hand = np.array([[-2.0, 6.0, -2.0, -2.0], [-1.0, 7.0, -1.0, -5.0]])
    for method in (gw.bellman_gradient, gw.theorem_gradient):
        j, grad = method(world, theta)
        assert j == pytest.approx(-12.0, abs=1e-12)
        np.testing.assert_allclose(grad[:2], hand, atol=1e-12)
        assert not np.any(grad[2:])
    values = gw.policy_values(world, theta)
    assert not np.any(values.v[3:]) and not np.any(values.d[3:])  # the room: states 3-5
    assert world.acting.tolist() == [True, True, False, False, False, False]
    assert gw.expected_length(world, theta) == pytest.approx(12.0)
    assert gw.optimal_value(world) == pytest.approx(-2.0)

    config = gw.GridConfig(layout="S.G/###/...", gamma=1.0)
    world = _world(config)
    theta = gw.random_theta(world, 5)
    est, played = gr.estimate(config, theta, 4000, 0)
    returns = np.array([sum(ep.rewards) for ep in played])
    se = returns.std(ddof=1) / np.sqrt(len(returns))
    assert abs(returns.mean() - gw.value(world, theta)) <= 4 * se
    _, exact = gw.bellman_gradient(world, theta)
    np.testing.assert_allclose(exact, gw.finite_difference_gradient(world, theta), atol=1e-7)
    assert np.all(np.abs(est.mean - exact)[world.acting] <= 4 * est.standard_error[world.acting])


@pytest.mark.parametrize("slip", [1.5, -0.1, float("nan"), 1.0])
def test_the_constructors_refuse_a_slip_outside_its_range(slip):
    """At slip 1.5 P had entries of −0.5 and the solves returned numbers anyway."""
    config = gw.GridConfig(slip=slip)
    message = gw.validate(config)
    assert message is not None and "slip" in message
    for build in (gw.Gridworld, make_env, SlipperyGridEnv):
        with pytest.raises(ValueError, match="slip"):
            build(config)
    with pytest.raises(ValueError, match="slip"):
        gr.estimate(config, np.zeros((16, 4)), 10, 0)


def test_the_constructors_refuse_what_validate_refuses():
    for config in (gw.GridConfig(gamma=1.5), gw.GridConfig(layout="S#G"),
                   gw.GridConfig(layout="S.x/..G"), gw.GridConfig(pit_reward=float("inf")),
                   gw.GridConfig(gamma=1.0, step_reward=0.5)):
        message = gw.validate(config)
        assert message is not None
        with pytest.raises(ValueError) as raised:
            gw.Gridworld(config)
        assert str(raised.value) == message


# ------------------------------------------------------------------ the environment
def test_environment_moves_with_the_frequencies_in_p():
    """The env simulates the slip itself; its transition frequencies match the table P."""
    config = gw.GridConfig(layout=gw.LAYOUTS["4×4, pit beside the shortcut"], slip=0.4)
    world = _world(config)
    env = SlipperyGridEnv(config)
    env.reset(seed=5)
    n = 4000
    for state in (world.start, world.index[(2, 1)]):
        for action in range(4):
            counts = np.zeros(world.n_states)
            for _ in range(n):
                env._state = state
                nxt, *_ = env.step(action)
                counts[nxt] += 1
            p = world.P[state, action]
            se = np.sqrt(p * (1 - p) / n)
            assert np.all(np.abs(counts / n - p) <= 4 * se + 1e-12)


def test_learner_code_never_reads_the_dynamics():
    code = inspect.getsource(gr.play_episode) + inspect.getsource(gr.reinforce_gradients)
    for word in (".P", "slip", "Gridworld", "world", "P[", ".R"):
        assert word not in code
    assert "env.step" in code and "env.reset" in code


# ------------------------------------------------------------------ REINFORCE
CORRIDOR = gw.GridConfig(layout="S.G", slip=0.5)
"""The 1×3 corridor at slip 0.5: a policy draw and a slip draw that were the same number would
bias its first episode the most."""


def _z_scores(samples: np.ndarray, exact: np.ndarray, world: gw.Gridworld) -> np.ndarray:
    """|mean of ``samples`` − ``exact``| / standard error, for every entry of ∇J of a
    non-terminal state (every cell of these grids can be reached)."""
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / np.sqrt(len(samples))
    active = ~world.terminal
    assert np.all(se[active] > 0)  # every entry varies: the test can fail anywhere
    return (np.abs(mean - exact) / np.where(se > 0, se, 1.0))[active]


def _first_episodes(config: gw.GridConfig, seeds: range) -> tuple[np.ndarray, np.ndarray,
                                                                    gw.Gridworld]:
    """Each seed's first REINFORCE gradient (one ``estimate`` call each) at θ = 0, and ∇J."""
    world = _world(config)
    theta = gw.uniform_theta(world)
    first = np.array([gr.estimate(config, theta, 1, seed)[0].per_episode[0] for seed in seeds])
    return first, gw.bellman_gradient(world, theta)[1], world


def test_the_first_episode_is_unbiased_on_the_slippery_corridor():
    """The first episode of every call is a sample like any other: the environment's slips
    and the policy's draws come from independent streams. When both were seeded with the same
    number (z up to 12 here, 3,000 seeds), step t slipped exactly when its action's own
    uniform was below the slip, and the mean of first episodes missed ∇J by 60 % of its
    size."""
    first, exact, world = _first_episodes(CORRIDOR, range(3000))
    assert np.max(_z_scores(first, exact, world)) <= 4


@pytest.mark.slow
def test_the_first_episode_is_unbiased_on_the_page_default_grid():
    """The same on the page's default grid and policy (z up to 9 with the shared stream,
    16,000 seeds)."""
    first, exact, world = _first_episodes(DEFAULT, range(16_000))
    assert np.max(_z_scores(first, exact, world)) <= 4


def test_one_episode_training_steps_are_unbiased():
    """``train`` with one episode per update steps along REINFORCE's estimate: θ moves by
    α ĝ_k. With α tiny, θ stays at θ₀ (the exact ∇J changes by far less than one SE) and the
    mean step / α over 150 runs × 20 updates estimates ∇J(θ₀) without bias. When ``train``
    reseeded policy and environment with one number every update, every step was biased
    (z up to 10)."""
    world = _world(CORRIDOR)
    theta = gw.uniform_theta(world)
    _, exact = gw.bellman_gradient(world, theta)
    lr, updates = 1e-6, 20
    settings_ = gr.TrainSettings(updates=updates, lr=lr, episodes_per_update=1)
    steps = np.array([(gr.train(CORRIDOR, theta, settings_, seed).theta_reinforce - theta)
                      / (lr * updates) for seed in range(150)])
    assert np.max(_z_scores(steps, exact, world)) <= 4


def test_reinforce_mean_over_many_batches_is_within_4_se_of_the_exact_gradient():
    world = _world()
    theta = gw.random_theta(world, 11)
    _, exact = gw.bellman_gradient(world, theta)
    batches = [gr.estimate(DEFAULT, theta, 400, seed)[0].mean for seed in range(20)]
    means = np.array(batches)
    mean = means.mean(axis=0)
    se = means.std(axis=0, ddof=1) / np.sqrt(len(batches))
    active = ~world.terminal
    assert np.all(np.abs(mean - exact)[active] <= 4 * se[active])
    # The test has power: twice the gradient, its negative, zero, and the exact gradient of
    # the same grid without slip all lie beyond 4 SE somewhere.
    _, no_slip = gw.bellman_gradient(gw.Gridworld(gw.GridConfig(slip=0.0)), theta)
    for wrong in (2 * exact, -exact, 0 * exact, no_slip):
        assert np.any(np.abs(mean - wrong)[active] > 4 * se[active])


def test_estimate_intervals_and_running_means():
    world = _world()
    theta = gw.uniform_theta(world)
    est, played = gr.estimate(DEFAULT, theta, 300, 4)
    assert est.n == 300 and len(played) == 300
    assert est.lengths.tolist() == [len(ep.actions) for ep in played]
    mean, se = est.running(np.array([1, 150, 300]))
    np.testing.assert_allclose(mean[-1], est.mean, atol=1e-12)
    np.testing.assert_allclose(se[-1], est.standard_error, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(mean[0], est.per_episode[0], atol=1e-12)
    assert np.all(se[0] == 0)
    # Same seed, same samples.
    again, _ = gr.estimate(DEFAULT, theta, 300, 4)
    assert np.array_equal(again.per_episode, est.per_episode)
    inside, total = gr.coverage(est, gw.bellman_gradient(world, theta)[1],
                                np.repeat(~world.terminal[:, None], 4, axis=1))
    assert total == 4 * int((~world.terminal).sum()) and 0 <= inside <= total


def test_frequencies_use_the_exact_probabilities():
    config = gw.GridConfig(layout="S.G", slip=0.2)
    world = _world(config)
    theta = gw.uniform_theta(world)
    _, played = gr.estimate(config, theta, 2000, 0)
    freqs = gr.frequencies(world, theta, played, top=3)
    # The most likely trajectory: → as intended twice, (1/4 · 0.8)² = 0.04.
    assert freqs[0].exact == pytest.approx((0.25 * 0.8) ** 2, abs=1e-12)
    assert freqs[0].path == "(0,0) → (0,1) → (0,2)"
    for f in freqs:
        se = np.sqrt(f.exact * (1 - f.exact) / 2000)
        assert abs(f.share - f.exact) <= 4 * se


def test_training_exact_ascent_climbs_and_reinforce_improves():
    world = _world()
    theta = gw.uniform_theta(world)
    result = gr.train(DEFAULT, theta, gr.TrainSettings(updates=60, lr=5.0,
                                                       episodes_per_update=10), seed=0)
    assert len(result.j_exact) == 61 == len(result.j_reinforce)
    assert np.all(np.diff(result.j_exact) > -1e-9)
    assert result.j_exact[-1] > result.j_exact[0] + 0.5
    assert result.j_reinforce[-1] > result.j_reinforce[0]
    assert result.j_exact[-1] <= gw.optimal_value(world) + 1e-9
    assert result.steps_reinforce > 600


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(("layout", "words"), [
    ("S#G", "no path"),
    ("S.P\n#PG", "no path"),
    ("S..\n...", "exactly one start"),
    ("SSG", "exactly one start"),
    ("", "empty"),
    ("S.....G", "at most 5"),
    ("S.\n..G", "same number"),
    ("S.x\n..G", "characters"),
])
def test_bad_layouts_get_a_message(layout, words):
    problem = gw.validate(gw.GridConfig(layout=layout))
    assert problem is not None and words in problem


def test_slip_one_gamma_and_rewards_are_checked():
    assert "slip" in gw.validate(gw.GridConfig(slip=1.0))
    assert "γ" in gw.validate(gw.GridConfig(gamma=0.0))
    assert "unbounded" in gw.validate(gw.GridConfig(gamma=1.0, step_reward=0.1))
    assert "finite" in gw.validate(gw.GridConfig(step_reward=float("nan")))
    assert gw.validate(gw.GridConfig(layout="S/./G")) is None  # "/" separates rows


def test_huge_or_long_sampling_gets_a_message():
    world = _world()
    theta = gw.uniform_theta(world)
    assert "at most" in gr.validate_episodes(DEFAULT, theta, 1_000_000)
    assert gr.validate_episodes(DEFAULT, theta, 0) is not None
    # A policy that walks into the wall almost surely: episodes last long, the budget is hit.
    stuck = np.zeros_like(theta)
    stuck[:, 0] = 30.0
    long_config = gw.GridConfig(slip=0.0, gamma=0.99)
    message = gr.validate_episodes(long_config, stuck, 5000)
    assert message is not None and "steps" in message
    assert gr.validate_episodes(DEFAULT, theta, 1000) is None
    assert gr.validate_training(DEFAULT, theta, gr.TrainSettings(updates=0)) is not None
