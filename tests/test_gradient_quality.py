"""core.reinforce.gradient_quality: per-step gradients against autograd, batch gradients against
the trainer's loss, cosines, the prediction, and a small measurement end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.reinforce import gradient_quality as gq
from core.reinforce.config import TrainConfig
from core.reinforce.returns import apply_baseline, step_weights
from core.torch_env import torch

SMALL = gq.QualityConfig(reference_steps=2000, batch_steps=4000, num_envs=16, seed=3)


def _flat_grad(policy, loss) -> np.ndarray:
    grads = torch.autograd.grad(loss, list(policy.parameters()))
    return torch.cat([g.reshape(-1) for g in grads]).double().numpy()


@pytest.mark.parametrize(("hidden", "activation"), [((32,), "tanh"), ((), "tanh"),
                                                    ((8, 8), "relu")])
def test_per_step_gradients_match_autograd_one_step_at_a_time(hidden, activation):
    config = TrainConfig(hidden=hidden, activation=activation, seed=2)
    policy = gq.policy_from(config, gq.initial_state_dict(config))
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(6, 4)).astype(np.float32)
    actions = rng.integers(0, 2, size=6)
    per_step = gq.per_step_gradients(policy, obs, actions).double().numpy()
    for t in range(6):
        log_p = torch.log_softmax(policy(torch.from_numpy(obs[t])), dim=-1)[int(actions[t])]
        np.testing.assert_allclose(per_step[t], _flat_grad(policy, log_p), rtol=1e-5,
                                   atol=1e-6)


@pytest.fixture(scope="module")
def sampled():
    config = TrainConfig(gamma=0.99, seed=1)
    policy = gq.policy_from(config, gq.initial_state_dict(config))
    batch = gq.collect(policy, 600, 8, seed=5)
    return config, policy, batch, gq.episode_sums(policy, batch, config.gamma)


@pytest.mark.parametrize("weighting", ["total", "reward_to_go"])
@pytest.mark.parametrize("baseline", [False, True])
def test_batch_gradient_is_the_gradient_of_the_trainers_objective(sampled, weighting,
                                                                  baseline):
    """(1/E) Σ_t w_t ∇log π(a_t|s_t) with w from core.reinforce.returns, by autograd."""
    config, policy, batch, sums = sampled
    raw = step_weights(batch.rewards, batch.lengths, config.gamma, weighting)
    weights = apply_baseline(raw, batch.lengths, "batch_mean" if baseline else "none")
    log_all = torch.log_softmax(policy(torch.from_numpy(batch.obs)), dim=-1)
    log_p = log_all.gather(1, torch.from_numpy(batch.actions)[:, None]).squeeze(1)
    objective = (log_p.double() * torch.from_numpy(weights)).sum() / len(batch.lengths)
    expected = _flat_grad(policy, objective)
    got = gq.batch_gradient(sums, np.arange(sums.episodes), weighting, baseline)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    assert sums.episodes == len(batch.lengths)
    assert sums.lengths.sum() == batch.obs.shape[0] >= 600


def test_cosine():
    assert gq.cosine(np.array([1.0, 0.0]), np.array([2.0, 0.0])) == pytest.approx(1.0)
    assert gq.cosine(np.array([1.0, 0.0]), np.array([0.0, 3.0])) == pytest.approx(0.0)
    assert gq.cosine(np.array([1.0, 1.0]), np.array([-1.0, -1.0])) == pytest.approx(-1.0)
    assert gq.cosine(np.zeros(2), np.ones(2)) == 0.0


def test_prediction_formulas():
    curve = gq.EstimatorCurves(signal=1.0, noise=3.0)
    sizes = np.array([1.0, 3.0])
    np.testing.assert_allclose(curve.predicted_vs_truth(sizes), [0.5, math.sqrt(0.5)])
    np.testing.assert_allclose(curve.predicted_between(sizes), [0.25, 0.5])
    assert curve.predicted_needed() == pytest.approx(1.0)       # cos 0.5 with the truth at B=1
    assert curve.predicted_needed(True) == pytest.approx(3.0)   # between batches at B=3
    assert math.isinf(gq.EstimatorCurves(signal=-1.0, noise=1.0).predicted_needed())


def test_snapshot_digest_follows_the_weights():
    config = TrainConfig(seed=4)
    weights = gq.initial_state_dict(config)
    same = {k: v.clone() for k, v in weights.items()}
    assert gq.snapshot_digest(config, weights) == gq.snapshot_digest(config, same)
    same["net.0.bias"][0] += 1e-3
    assert gq.snapshot_digest(config, weights) != gq.snapshot_digest(config, same)


def test_validate():
    assert gq.validate(gq.QualityConfig()) is None
    assert "At most" in gq.validate(gq.QualityConfig(reference_steps=300_000,
                                                     batch_steps=300_000))
    assert gq.validate(gq.QualityConfig(reference_steps=10)) is not None


def test_small_measurement_on_the_untrained_policy():
    config = TrainConfig(seed=0)
    result = gq.measure(config, gq.initial_state_dict(config), SMALL)
    assert set(result.curves) == set(gq.ESTIMATORS)
    assert result.reference_steps >= SMALL.reference_steps
    assert result.pool_steps >= SMALL.batch_steps
    assert 8 < result.mean_return < 60  # an untrained policy drops the pole quickly
    best = result.curves["G_t − batch mean"]
    assert best.sizes[0] == 1 and best.sizes[-1] >= 64
    assert all(p >= 1 for p in best.pairs)
    # Bigger batches point closer to the reference, and the pool holds a real signal.
    assert best.vs_reference[-1] > best.vs_reference[0] + 0.3
    assert best.vs_reference[-1] > 0.8
    assert best.signal > 0 and best.noise > 0
    assert best.needed() is not None
    for q in result.reference_quality.values():
        assert 0.0 < q <= 1.0
    # Same seed, same numbers.
    again = gq.measure(config, gq.initial_state_dict(config), SMALL)
    assert again.curves["G_t − batch mean"].vs_reference == best.vs_reference
