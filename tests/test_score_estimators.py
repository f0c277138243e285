"""core.score_estimators on the categorical family: exact moments, baselines, sample checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import score_estimators as se
from core import softmax

LOGITS = np.array([0.3, -0.5, 1.0])
REWARDS = np.array([1.0, 2.0, 5.0])
finite = st.floats(-4, 4, allow_nan=False)


def exact_inputs(logits, rewards, j):
    return rewards, softmax.score_matrix(logits)[:, j], softmax.probabilities(logits)


def sampled_inputs(logits, rewards, j, n, seed):
    x = softmax.sample_outcomes(logits, n, np.random.default_rng(seed))
    return rewards[x], softmax.score_matrix(logits)[x, j]


@pytest.mark.parametrize("j", [0, 1, 2])
def test_every_baseline_keeps_the_exact_gradient(j):
    grad = softmax.expected_reward_gradient(LOGITS, REWARDS)
    r, s, w = exact_inputs(LOGITS, REWARDS, j)
    for row in se.baseline_table(r, s, w, r, s, constant=3.7):
        assert row.exact_mean == pytest.approx(grad[j], abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("j", [0, 2])
def test_sample_mean_and_variance_within_4_se_of_exact(seed, j):
    r, s, w = exact_inputs(LOGITS, REWARDS, j)
    sr, ss = sampled_inputs(LOGITS, REWARDS, j, 20_000, seed)
    for row in se.baseline_table(r, s, w, sr, ss, constant=1.5):
        assert abs(row.sample.mean - row.exact_mean) < 4 * row.sample.standard_error
        assert abs(row.sample.variance - row.exact_variance) < (
            4 * row.sample.variance_standard_error)


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 8).flatmap(lambda k: st.tuples(
    st.lists(finite, min_size=k, max_size=k), st.lists(finite, min_size=k, max_size=k))),
    st.floats(-50, 50), st.floats(-10, 10))
def test_optimal_baseline_never_worse_than_mean_or_any_constant(pair, shift, constant):
    logits, rewards = map(np.array, pair)
    rewards = rewards + shift
    r, s, w = exact_inputs(logits, rewards, 0)
    rows = {row.kind: row for row in se.baseline_table(r, s, w, r, s, constant)}
    best = rows["optimal"].exact_variance
    tol = 1e-9 * (1 + max(row.exact_variance for row in rows.values()))
    assert best <= rows["mean"].exact_variance + tol
    assert best <= rows["none"].exact_variance + tol
    assert best <= rows["constant"].exact_variance + tol


@settings(max_examples=30, deadline=None)
@given(st.floats(-100, 100))
def test_shift_changes_variance_without_baseline_only(shift):
    r, s, w = exact_inputs(LOGITS, REWARDS, 1)
    base = {row.kind: row.exact_variance for row in se.baseline_table(r, s, w, r, s)}
    moved = {row.kind: row.exact_variance
             for row in se.baseline_table(r + shift, s, w, r + shift, s)}
    for kind in ("mean", "optimal"):
        assert moved[kind] == pytest.approx(base[kind], rel=1e-9, abs=1e-9)
    # Without a baseline the shift adds c² E[s²] + 2c E[r s²]: it is a parabola in c.
    second = w @ s**2
    expected = base["none"] + shift**2 * second + 2 * shift * (w @ (r * s**2))
    assert moved["none"] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_eglp_sample_mean_of_scores_is_near_zero_and_split_fails():
    x = softmax.sample_outcomes(LOGITS, 50_000, np.random.default_rng(3))
    scores = softmax.score_matrix(LOGITS)[x, 2]
    check = se.split_check(REWARDS[x], scores)
    assert abs(check.mean_score.mean) < 4 * check.mean_score.standard_error
    assert check.mean_product == pytest.approx(
        check.mean_reward * check.mean_score.mean + check.covariance, abs=1e-12)
    grad = softmax.expected_reward_gradient(LOGITS, REWARDS)[2]
    assert abs(check.split_product) < 0.1 * abs(grad)
    assert check.mean_product == pytest.approx(grad, rel=0.05)


def test_running_mean_matches_direct_means():
    terms = np.random.default_rng(0).normal(3.0, 2.0, 500)
    idx = np.array([0, 1, 9, 99, 499])
    n, mean, se_ = se.running_mean(terms, idx)
    np.testing.assert_array_equal(n, idx + 1)
    np.testing.assert_allclose(mean, [terms[: i + 1].mean() for i in idx], rtol=1e-12)
    np.testing.assert_allclose(se_[1:], [terms[: i + 1].std(ddof=1) / np.sqrt(i + 1)
                                         for i in idx[1:]], rtol=1e-9)
    assert se_[0] == 0.0


def test_summary_and_histogram_edge_cases():
    one = se.summarize(np.array([2.0]))
    assert one.mean == 2.0 and one.variance == 0.0
    centres, density = se.histogram(np.full(10, 4.0))
    assert centres.size == 1 and density[0] > 0
    centres, density = se.histogram(np.random.default_rng(0).normal(size=1000), bins=20)
    assert centres.size == 20
    assert np.sum(density) * (centres[1] - centres[0]) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        se.summarize(np.array([]))
    with pytest.raises(ValueError):
        se.baseline_value("bogus", np.ones(2), np.ones(2), np.ones(2) / 2)
