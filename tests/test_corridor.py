"""core.corridor: exact values and optimum, episode statistics, the baseline's closed form,
autograd policy steps, and REINFORCE learning on fixed seeds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import corridor as c
from core.torch_env import torch

SQRT2 = np.sqrt(2.0)


def closed_form_value(p):
    """v(start) = (4 − 2p) / (p² − p), from solving the three Bellman equations by hand."""
    return (4 - 2 * p) / (p * p - p)


@settings(max_examples=50, deadline=None)
@given(st.floats(0.001, 0.999))
def test_start_value_matches_closed_form(p):
    assert c.start_value(p) == pytest.approx(closed_form_value(p), rel=1e-10)


def test_values_at_the_ends_are_minus_infinity_and_array_input_works():
    assert c.start_value(0.0) == -np.inf and c.start_value(1.0) == -np.inf
    values = c.start_value(np.array([0.0, 0.5, 1.0]))
    assert values.shape == (3,) and values[1] == pytest.approx(-12.0, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.01, 0.99))
def test_autograd_derivative_matches_finite_differences(p):
    h = 1e-6
    fd = (c.start_value(p + h) - c.start_value(p - h)) / (2 * h)
    assert c.start_value_derivative(p) == pytest.approx(fd, rel=1e-5, abs=1e-5)


def test_optimum_is_two_minus_root_two_and_its_value():
    p_star, v_star = c.optimal_policy()
    assert abs(p_star - (2 - SQRT2)) < 1e-6
    assert abs(v_star - 2 * SQRT2 / (4 - 3 * SQRT2)) < 1e-6
    assert v_star == pytest.approx(-11.6568542, abs=1e-6)
    # A maximum: both neighbours are lower.
    assert c.start_value(p_star - 1e-3) < v_star and c.start_value(p_star + 1e-3) < v_star


def test_epsilon_greedy_values():
    left, right = c.epsilon_greedy_probabilities(0.1)
    assert (left, right) == pytest.approx((0.05, 0.95))
    assert c.start_value(left) == pytest.approx(-82.105263, abs=1e-5)
    assert c.start_value(right) == pytest.approx(-44.210526, abs=1e-5)


def naive_episodes(p_right, seed, n_learners, powers, max_steps, block=64):
    """Step-by-step replay with the same uniforms as core's chunked walk."""
    rng = np.random.default_rng(seed)
    rows = p_right.size
    runs = rows // n_learners
    draws, alive, states = [], np.ones(rows, bool), np.zeros(rows, int)
    out = np.zeros((4, rows))
    t = 0
    while t < max_steps and alive.any():
        u = rng.random((runs, block))
        draws.append(u)
        for j in range(block):
            for r in np.flatnonzero(alive):
                right = u[r % runs, j] < p_right[r]
                out[0, r] += 1
                if right:
                    out[1:, r] += (1, t + j, powers[r, t + j])
                states[r] = c.NEXT_STATE[states[r], int(right)]
                if states[r] == c.TERMINAL or out[0, r] >= max_steps:
                    alive[r] = False
        t += block
    return out


@pytest.mark.parametrize("p, max_steps", [(0.3, 1000), (0.9, 1000), (0.97, 100), (0.5, 70)])
def test_chunked_walk_matches_step_by_step_replay(p, max_steps):
    rows, n_learners = 6, 2
    p_right = np.array([p, 0.5, 0.6, p, 0.2, 0.8])
    decay = np.linspace(0.9, 0.99, rows)
    powers = decay[:, None] ** np.arange(max_steps + 64)[None, :]
    got = c.run_episodes(p_right, np.random.default_rng(11), n_learners, powers, max_steps)
    want = naive_episodes(p_right, 11, n_learners, powers, max_steps)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def sequential_weights(actions, w0, alpha_w, baseline):
    """The book's per-step loop: δ_t = G_t − w_t, w ← w + α^w δ_t (γ = 1, reward −1)."""
    T = len(actions)
    w = w0
    right = left = 0.0
    for t, a in enumerate(actions):
        g = -(T - t)
        delta = g - w if baseline else g
        if baseline:
            w += alpha_w * delta
        if a:
            right += delta
        else:
            left += delta
    return right, left, w


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=300), st.floats(-50, 0),
       st.sampled_from([2.0**-2, 2.0**-6, 2.0**-10]), st.booleans())
def test_closed_form_episode_weights_match_the_sequential_loop(actions, w0, alpha_w, baseline):
    a = np.array(actions, dtype=float)
    t = np.arange(len(a))
    stats = [np.array([x]) for x in (len(a), a.sum(), (t * a).sum(),
                                     ((1 - alpha_w) ** t * a).sum())]
    got = c.episode_weights(*stats, np.array([w0]), np.array([alpha_w]), np.array([baseline]))
    want = sequential_weights(actions, w0, alpha_w, baseline)
    for g, w in zip(got, want, strict=True):
        assert g[0] == pytest.approx(w, rel=1e-9, abs=1e-7)


def test_policy_step_is_the_score_function_update():
    theta = torch.tensor([[-1.47, 1.47], [0.3, -0.2]], dtype=torch.float64)
    wr, wl = np.array([-30.0, 4.0]), np.array([-50.0, -2.0])
    alpha = torch.tensor([2.0**-9, 0.1], dtype=torch.float64)
    got = c.policy_step(theta, wr, wl, alpha).numpy()
    p = torch.softmax(theta, dim=1)[:, 0].numpy()
    # ∇ log π(right) = [1 − p, −(1 − p)], ∇ log π(left) = [−p, p].
    grad_right = np.stack([1 - p, -(1 - p)], axis=1)
    grad_left = np.stack([-p, p], axis=1)
    want = alpha.numpy()[:, None] * (wr[:, None] * grad_right + wl[:, None] * grad_left)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    closed = c.policy_step_closed_form(theta.numpy(), wr, wl, alpha.numpy())
    np.testing.assert_allclose(closed, got, rtol=1e-12)


def test_closed_form_engine_equals_autograd_engine():
    """The page uses the closed-form engine; it must give autograd's curves. Rounding
    differences of 1e-16 grow through the learning dynamics (with large step sizes fast enough
    to flip an action after ~100 episodes), hence the book's step sizes and 100 episodes."""
    learners = c.figure_learners((-12, -13, -10), (-13, -9, -6))
    config = c.CorridorConfig(runs=20, episodes=100)
    fast = c.learn(learners, config, seed=6)
    reference = c.learn(learners, config, seed=6, engine="autograd")
    np.testing.assert_array_equal(fast.returns, reference.returns)
    np.testing.assert_allclose(fast.final_p_right, reference.final_p_right, atol=1e-10)
    with pytest.raises(ValueError):
        c.learn(learners, config, seed=6, engine="guess")


def test_fixed_policy_episode_length_matches_exact_value_within_4_se():
    p = 0.3
    config = c.CorridorConfig(runs=100, episodes=200, initial_theta=(np.log(p), np.log(1 - p)))
    curves = c.learn([c.Learner("frozen", 1e-300)], config, seed=3)
    returns = curves.returns.ravel()
    se = returns.std(ddof=1) / np.sqrt(returns.size)
    assert abs(returns.mean() - c.start_value(p)) < 4 * se
    np.testing.assert_allclose(curves.final_p_right, p, rtol=1e-12)


def test_reinforce_learns_and_the_baseline_learns_faster():
    curves = c.learn(c.book_learners(2), c.CorridorConfig(runs=20, episodes=500), seed=0)
    mean = curves.mean()
    plain, baseline = mean
    # Both start near ε-greedy-left's value (−82) and end far above it.
    assert plain[:5].mean() < -60 and baseline[-100:].mean() > -13
    assert plain[-100:].mean() > -20
    # Measured on these seeds: first 100 episodes, −51 vs −21.
    assert baseline[:100].mean() > plain[:100].mean() + 20
    assert abs(curves.final_p_right[1].mean() - (2 - SQRT2)) < 0.05


def test_learners_do_not_disturb_each_other():
    config = c.CorridorConfig(runs=10, episodes=50)
    alone = c.learn([c.Learner("a", 2.0**-12)], config, seed=4)
    together = c.learn([c.Learner("x", 2.0**-8, 2.0**-2), c.Learner("a", 2.0**-12)], config, 4)
    np.testing.assert_array_equal(alone.returns[0], together.returns[1])


def test_figure_learners_and_subset_and_standard_error():
    learners = c.figure_learners((-12, -13, -14), (-13, -9, -6))
    assert [lrn.alpha_theta for lrn in learners] == [2.0**-12, 2.0**-13, 2.0**-14, 2.0**-13,
                                                     2.0**-9]
    assert learners[4].alpha_w == 2.0**-6 and learners[3].alpha_w is None
    curves = c.learn(learners, c.CorridorConfig(runs=1, episodes=3), seed=0)
    assert curves.subset([3, 4]).returns.shape == (2, 1, 3)
    assert np.all(curves.standard_error() == 0)


def test_validation_messages():
    ok = [c.Learner("a", 0.01)]
    assert c.validate(ok, c.CorridorConfig()) is None
    assert "learner" in c.validate([], c.CorridorConfig())
    assert "runs" in c.validate(ok, c.CorridorConfig(runs=0))
    assert "runs" in c.validate(ok, c.CorridorConfig(runs=101))
    assert "episodes" in c.validate(ok, c.CorridorConfig(episodes=0))
    assert "step sizes" in c.validate([c.Learner("a", 0.0)], c.CorridorConfig())
    assert "step sizes" in c.validate([c.Learner("a", 0.1, np.nan)], c.CorridorConfig())
    with pytest.raises(ValueError):
        c.learn([], c.CorridorConfig(), 0)


def test_charts_stay_small_at_the_largest_settings():
    from core.charts import corridor as charts

    learners = c.figure_learners((-12, -13, -14), (-13, -9, -6))
    curves = c.learn(learners, c.CorridorConfig(runs=3, episodes=2000), seed=0)
    p_star, v_star = c.optimal_policy()
    p = np.linspace(0, 1, 801)[1:-1]
    figures = [charts.learning_curves_figure(curves.subset([0, 1, 2]), v_star, "a"),
               charts.value_curve_figure(p, c.start_value(p), p_star, v_star, 1.0,
                                         (c.start_value(0.5), c.start_value(0.5)))]
    for fig in figures:
        assert len(fig.to_json()) < 300_000
        assert max(len(t.y) for t in fig.data if t.y is not None) <= 2000
