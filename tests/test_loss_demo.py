"""core.loss_demo: the PyTorch loss against the estimator, sign, sum vs mean, episodes."""

import numpy as np
import pytest

from core import loss_demo as ld
from core import softmax

LOGITS = np.array([0.0, 0.0, 0.0])
REWARDS = np.array([1.0, 2.0, 5.0])


@pytest.mark.parametrize("n", [1, 7, 1000, 100_000])
@pytest.mark.parametrize("seed", [0, 1])
def test_backward_equals_minus_n_times_the_estimate(n, seed):
    logits = np.array([0.2, -1.0, 0.7])
    result = ld.mirror_step(logits, REWARDS, n, np.random.default_rng(seed))
    # Relative to the gradient's size: torch and numpy sum N terms in different orders.
    scale = max(1.0, float(np.max(np.abs(n * result.estimate))))
    assert np.max(np.abs(result.grad_backward + n * result.estimate)) <= 1e-10 * scale
    assert result.loss == pytest.approx(
        -np.sum(np.log(softmax.probabilities(logits))[result.outcomes]
                * REWARDS[result.outcomes]), rel=1e-12)


def test_backward_is_exact_to_1e_10_at_moderate_n():
    result = ld.mirror_step(np.array([0.5, 0.0, -0.5]), REWARDS, 500, np.random.default_rng(4))
    assert np.max(np.abs(result.grad_backward + 500 * result.estimate)) < 1e-10


def test_minus_n_estimate_scatters_around_minus_n_exact():
    n, count = 200, 400
    grads, scaled = ld.mirror_batches(LOGITS, REWARDS, n, count, np.random.default_rng(2))
    np.testing.assert_allclose(grads, scaled, atol=1e-10)
    exact = -n * softmax.expected_reward_gradient(LOGITS, REWARDS)
    mean = scaled.mean(axis=0)
    sem = scaled.std(axis=0, ddof=1) / np.sqrt(count)
    assert np.all(np.abs(mean - exact) < 4 * sem)


def test_one_sgd_step_moves_along_plus_estimate_and_minus_sign_flip_reverses():
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    lr, n = 0.001, 500
    up = ld.mirror_step(LOGITS, REWARDS, n, rng_a, lr=lr)
    down = ld.mirror_step(LOGITS, REWARDS, n, rng_b, lr=lr, minus_sign=False)
    np.testing.assert_allclose(up.theta_after - LOGITS, lr * n * up.estimate, atol=1e-12)
    np.testing.assert_allclose(down.theta_after - LOGITS, -lr * n * down.estimate, atol=1e-12)
    assert up.j_after > up.j_before > down.j_after


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_sign_flip_lowers_j_and_normal_run_raises_it(optimizer, seed):
    lr = 0.01 if optimizer == "sgd" else 0.05
    specs = (ld.RunSpec(optimizer, lr, True), ld.RunSpec(optimizer, lr, False))
    res = ld.train(LOGITS, REWARDS, specs, n=50, steps=200, seed=seed)
    j = res.expected_rewards
    start = softmax.expected_reward(LOGITS, REWARDS)
    assert j[0, 0] == j[1, 0] == pytest.approx(start)
    assert j[0, -1] > start + 1.5
    assert j[1, -1] < start - 1.0


@pytest.mark.parametrize("n", [1, 10, 300])
@pytest.mark.parametrize("seed", [0, 5])
def test_sgd_sum_with_lr_over_n_equals_mean_with_lr(n, seed):
    lr = 0.5
    specs = (ld.RunSpec("sgd", lr / n, True, "sum"), ld.RunSpec("sgd", lr, True, "mean"))
    res = ld.train(np.array([0.3, -0.2, 0.0, 1.0]), np.array([1.0, -2.0, 3.0, 0.5]), specs,
                   n=n, steps=300, seed=seed)
    assert np.max(np.abs(res.thetas[0] - res.thetas[1])) < 1e-12
    np.testing.assert_allclose(res.loss_per_sample()[0], res.loss_per_sample()[1], atol=1e-12)


def test_adam_sum_and_mean_nearly_identical_but_sgd_same_lr_is_not():
    specs = (ld.RunSpec("adam", 0.02, True, "sum"), ld.RunSpec("adam", 0.02, True, "mean"),
             ld.RunSpec("sgd", 0.02, True, "sum"), ld.RunSpec("sgd", 0.02, True, "mean"))
    res = ld.train(LOGITS, REWARDS, specs, n=100, steps=200, seed=3)
    adam_gap = np.max(np.abs(res.thetas[0] - res.thetas[1]))
    sgd_gap = np.max(np.abs(res.thetas[2] - res.thetas[3]))
    assert adam_gap < 1e-4
    assert sgd_gap > 1.0


def test_runs_sharing_a_tensor_match_runs_trained_alone():
    spec_a = ld.RunSpec("adam", 0.05, True, "sum")
    spec_b = ld.RunSpec("adam", 0.05, False, "mean")
    together = ld.train(LOGITS, REWARDS, (spec_a, spec_b), n=20, steps=50, seed=1)
    alone = ld.train(LOGITS, REWARDS, (spec_a,), n=20, steps=50, seed=1)
    np.testing.assert_array_equal(together.thetas[0], alone.thetas[0])


def test_negative_rewards_loss_rises_while_j_rises():
    rewards = np.array(ld.REWARD_PRESETS["negative"])
    res = ld.train(LOGITS, rewards, (ld.RunSpec("adam", 0.05, True, "mean"),), n=100,
                   steps=200, seed=0)
    j, loss = res.expected_rewards[0], res.loss_per_sample()[0]
    assert j[-1] > j[0] + 1.5
    assert loss[-20:].mean() > loss[:20].mean() + 1.0


def test_episode_example_weights_reproduce_backward():
    ex = ld.episode_example(LOGITS, REWARDS, (2, 8), np.random.default_rng(1))
    np.testing.assert_array_equal(ex.lengths, [2, 8])
    for kind in ld.REDUCTIONS:
        np.testing.assert_allclose(ex.grads[kind], -(ex.weights[kind] @ ex.episode_gradients),
                                   atol=1e-12)
    w = ex.weights
    assert w["episode_sum"][0] == w["episode_sum"][1]
    assert w["episode_mean"][0] / w["episode_mean"][1] == pytest.approx(4.0)


def test_validation():
    assert ld.validate_batch(10, 0.1) is None
    assert "batch" in ld.validate_batch(0, 0.1)
    assert "learning rate" in ld.validate_batch(10, float("nan"))
    assert "steps" in ld.validate_batch(10, 0.1, 0)


def test_batch_counts_match_per_sample_inverse_cdf_and_the_loss_is_the_same_sum():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 5))
    u = rng.random(777)
    counts = ld.batch_counts(logits, u)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for row, probs in enumerate(p):
        draws = np.searchsorted(np.cumsum(probs), u, side="right")
        np.testing.assert_array_equal(counts[row], np.bincount(draws, minlength=5))
        log_pi = np.log(probs)
        r = np.arange(5.0) - 2
        assert np.sum(r[draws] * log_pi[draws]) == pytest.approx(counts[row] @ (r * log_pi),
                                                                 rel=1e-12)


def test_batch_counts_frequencies_within_4_se():
    logits = np.log(np.array([[0.2, 0.3, 0.5]]))
    n = 50_000
    counts = ld.batch_counts(logits, np.random.default_rng(1).random(n))[0]
    p = np.array([0.2, 0.3, 0.5])
    assert counts.sum() == n
    assert np.all(np.abs(counts / n - p) < 4 * np.sqrt(p * (1 - p) / n))
