"""core.softmax: autograd scores and gradients against closed forms and finite differences."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core import softmax

finite = st.floats(-5, 5, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(finite, min_size=2, max_size=8))
def test_score_is_onehot_minus_probs_and_has_zero_mean(logits):
    logits = np.array(logits)
    p = softmax.probabilities(logits)
    scores = softmax.score_matrix(logits)
    np.testing.assert_allclose(scores, np.eye(len(p)) - p, atol=1e-12)
    np.testing.assert_allclose(p @ scores, 0.0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8).flatmap(lambda k: st.tuples(st.lists(finite, min_size=k, max_size=k),
                                                     st.lists(finite, min_size=k, max_size=k))))
def test_gradient_matches_finite_differences_and_score_identity(pair):
    logits, rewards = map(np.array, pair)
    grad = softmax.expected_reward_gradient(logits, rewards)
    h = 1e-6
    fd = np.array([(softmax.expected_reward(logits + h * e, rewards)
                    - softmax.expected_reward(logits - h * e, rewards)) / (2 * h)
                   for e in np.eye(len(logits))])
    np.testing.assert_allclose(grad, fd, atol=1e-7)
    p = softmax.probabilities(logits)
    np.testing.assert_allclose(grad, (p * rewards) @ softmax.score_matrix(logits), atol=1e-12)


def test_validation_messages():
    assert softmax.validate_logits_and_rewards(np.zeros(3), np.ones(3)) is None
    assert "between" in softmax.validate_logits_and_rewards(np.zeros(1), np.ones(1))
    assert "finite" in softmax.validate_logits_and_rewards(np.array([0, np.nan]), np.ones(2))
    assert "reward" in softmax.validate_logits_and_rewards(np.zeros(2), np.array([1, np.inf]))


def test_sampling_frequencies_within_4_standard_errors():
    logits = np.array([0.0, 1.0, -1.0])
    p = softmax.probabilities(logits)
    n = 200_000
    counts = np.bincount(softmax.sample_outcomes(logits, n, np.random.default_rng(7)),
                         minlength=3)
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(counts / n - p) < 4 * se)
