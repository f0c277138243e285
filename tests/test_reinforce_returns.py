"""core.reinforce.returns: returns-to-go, total returns and baselines against hand computation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.reinforce.returns import (
    STD_EPS,
    apply_baseline,
    returns_to_go,
    standardise,
    step_weights,
    total_returns,
)

REWARDS = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
LENGTHS = np.array([3, 2])


def test_returns_to_go_by_hand():
    # Episode 1: r = 1, 2, 3 with γ = 0.5: G2 = 3, G1 = 2 + 1.5 = 3.5, G0 = 1 + 1.75 = 2.75.
    # Episode 2: r = 4, 5: G1 = 5, G0 = 4 + 2.5 = 6.5.  Nothing crosses the episode boundary.
    got = returns_to_go(REWARDS, LENGTHS, 0.5)
    np.testing.assert_allclose(got, [2.75, 3.5, 3.0, 6.5, 5.0])
    np.testing.assert_allclose(returns_to_go(REWARDS, LENGTHS, 1.0), [6, 5, 3, 9, 5])


def test_total_return_and_weightings_by_hand():
    np.testing.assert_allclose(total_returns(REWARDS, LENGTHS, 0.5), [2.75, 6.5])
    np.testing.assert_allclose(step_weights(REWARDS, LENGTHS, 0.5, "total"),
                               [2.75, 2.75, 2.75, 6.5, 6.5])
    np.testing.assert_allclose(step_weights(REWARDS, LENGTHS, 0.5, "reward_to_go"),
                               [2.75, 3.5, 3.0, 6.5, 5.0])
    with pytest.raises(ValueError):
        step_weights(REWARDS, LENGTHS, 0.5, "nope")


def test_baselines_by_hand():
    w = np.array([1.0, 2.0, 3.0, 10.0, 20.0])
    np.testing.assert_allclose(apply_baseline(w, LENGTHS, "none"), w)
    np.testing.assert_allclose(apply_baseline(w, LENGTHS, "batch_mean"), w - 7.2)
    # Batch: mean 7.2, population variance (6.2² + 5.2² + 4.2² + 2.8² + 12.8²) / 5 = 50.96.
    np.testing.assert_allclose(apply_baseline(w, LENGTHS, "batch_standardise"),
                               (w - 7.2) / (np.sqrt(50.96) + STD_EPS))
    # Within episodes: (1, 2, 3) has mean 2 and std √(2/3); (10, 20) has mean 15 and std 5.
    s1 = np.sqrt(2.0 / 3.0) + STD_EPS
    np.testing.assert_allclose(apply_baseline(w, LENGTHS, "episode_standardise"),
                               [-1 / s1, 0.0, 1 / s1, -5 / (5 + STD_EPS), 5 / (5 + STD_EPS)])


def test_constant_episode_does_not_divide_by_zero():
    out = apply_baseline(np.array([4.0, 4.0, 1.0]), np.array([2, 1]), "episode_standardise")
    assert np.all(np.isfinite(out)) and np.allclose(out, 0.0)


def test_bad_lengths_raise():
    with pytest.raises(ValueError):
        returns_to_go(REWARDS, np.array([2, 2]), 0.9)
    with pytest.raises(ValueError):
        total_returns(REWARDS, np.array([5, 0]), 0.9)


episodes = st.lists(st.lists(st.floats(-10, 10), min_size=1, max_size=12), min_size=1,
                    max_size=6)


@settings(max_examples=60, deadline=None)
@given(episodes, st.floats(0.0, 1.0))
def test_first_return_to_go_is_the_total_return(eps, gamma):
    rewards = np.concatenate([np.array(e) for e in eps])
    lengths = np.array([len(e) for e in eps])
    rtg = returns_to_go(rewards, lengths, gamma)
    starts = np.cumsum(lengths) - lengths
    np.testing.assert_allclose(rtg[starts], total_returns(rewards, lengths, gamma),
                               rtol=1e-9, atol=1e-9)
    # Recursion G_t = r_t + γ G_{t+1} inside each episode, G_last = r_last.
    for start, n in zip(starts, lengths, strict=True):
        g, r = rtg[start:start + n], rewards[start:start + n]
        np.testing.assert_allclose(g[:-1], r[:-1] + gamma * g[1:], rtol=1e-9, atol=1e-9)
        assert g[-1] == pytest.approx(r[-1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=2, max_size=40))
def test_standardised_values_have_zero_mean_and_unit_spread(values):
    x = np.array(values)
    z = standardise(x)
    assert abs(z.mean()) < 1e-6
    if x.std() > 1e-3:
        assert z.std() == pytest.approx(1.0, rel=1e-4)
