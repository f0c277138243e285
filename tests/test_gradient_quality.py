"""core.reinforce.gradient_quality: per-step gradients against autograd, batch gradients against
the trainer's loss, cosines, the prediction, zero gradients (no direction), the γᵗ G_t
estimator and what each weighting's mean is, and a small measurement end to end, with its
chart and the section's sentences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.charts.gradient_quality import NO_DIRECTION, cosine_figure
from core.reinforce import gradient_quality as gq
from core.reinforce.config import TrainConfig
from core.reinforce.returns import apply_baseline, returns_to_go
from core.torch_env import torch
from ui.gradient_quality import no_direction_text, reference_text, zero_text

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


@pytest.mark.parametrize("weighting", gq.WEIGHTINGS)
@pytest.mark.parametrize("baseline", [False, True])
def test_batch_gradient_is_the_gradient_of_the_trainers_objective(sampled, weighting,
                                                                  baseline):
    """(1/E) Σ_t w_t ∇log π(a_t|s_t) with w from core.reinforce.returns (and γᵗ G_t), by
    autograd."""
    config, policy, batch, sums = sampled
    raw = gq.raw_weights(batch.rewards, batch.lengths, config.gamma, weighting)
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
    assert math.isnan(gq.cosine(np.zeros(2), np.ones(2)))  # a zero vector has no direction
    assert math.isnan(gq.cosine(np.zeros(2), np.zeros(2)))


def test_discounted_weights_by_hand():
    """γᵗ G_t with t counted from each episode's start; G_t itself is the trainer's."""
    rewards, lengths = np.ones(5), np.array([3, 2])
    got = gq.raw_weights(rewards, lengths, 0.5, gq.DISCOUNTED)
    np.testing.assert_allclose(got, [1.75, 0.5 * 1.5, 0.25 * 1.0, 1.5, 0.5 * 1.0])
    np.testing.assert_array_equal(gq.raw_weights(rewards, lengths, 0.5, "reward_to_go"),
                                  returns_to_go(rewards, lengths, 0.5))
    assert gq.DISCOUNTED in {w for w, _ in gq.estimators_for(0.99).values()}
    assert gq.DISCOUNTED not in {w for w, _ in gq.estimators_for(1.0).values()}  # = G_t


def test_one_episode_minus_its_mean_weight_has_no_direction(sampled):
    """G₀ − batch mean on one episode: every step carries its G₀, the batch mean is G₀, so the
    gradient is exactly zero, not a round-off remainder with a random direction (whose cosine
    the section used to show). Two episodes of equal length (equal G₀) likewise; of unequal
    length, or with G_t (which changes along an episode), the gradient is a real one."""
    sums = sampled[3]
    reference = gq.reference_gradient(sums, "total")
    for e in range(sums.episodes):
        single = np.array([e])
        g = gq.batch_gradient(sums, single, "total", True)
        assert not g.any()
        assert math.isnan(gq.cosine(g, reference))
        assert gq.no_direction(sums, single, "total", True)
        assert not gq.no_direction(sums, single, "total", False)
        if sums.lengths[e] > 1:
            assert not gq.no_direction(sums, single, "reward_to_go", True)
            assert gq.batch_gradient(sums, single, "reward_to_go", True).any()
    lengths = sums.lengths
    same = [(i, j) for i in range(len(lengths)) for j in range(i) if lengths[i] == lengths[j]]
    other = [(i, j) for i in range(len(lengths)) for j in range(i) if lengths[i] != lengths[j]]
    assert same and other
    for pair in same:
        assert not gq.batch_gradient(sums, np.array(pair), "total", True).any()
    for pair in other:
        assert gq.batch_gradient(sums, np.array(pair), "total", True).any()


def test_discounted_reward_to_go_has_the_mean_of_G0_and_plain_reward_to_go_does_not():
    """The sentence on the page: ∇J_γ is the mean of G₀ and of γᵗ G_t, not of G_t without
    γᵗ (γ = 0.99, untrained policy). Projected on the direction in which an independent sample
    sees G_t and γᵗ G_t differ, the per-episode difference G₀ − γᵗ G_t averages to 0 within
    4 standard errors, and G_t − γᵗ G_t lies more than 4 standard errors above 0."""
    gamma = 0.99
    config = TrainConfig(gamma=gamma, seed=0)
    policy = gq.policy_from(config, gq.initial_state_dict(config))
    first = gq.episode_sums(policy, gq.collect(policy, 4000, 16, seed=11), gamma)
    second = gq.episode_sums(policy, gq.collect(policy, 16000, 16, seed=12), gamma)
    found = []
    for weighting in ("reward_to_go", "total"):
        u = first.weighted[weighting].mean(axis=0) - first.weighted[gq.DISCOUNTED].mean(axis=0)
        u /= np.linalg.norm(u)
        for other in ("total", "reward_to_go"):
            d = (second.weighted[other] - second.weighted[gq.DISCOUNTED]) @ u
            found.append((weighting, other, d.mean() / (d.std(ddof=1) / math.sqrt(d.size))))
    z = {(w, o): value for w, o, value in found}
    assert abs(z["reward_to_go", "total"]) < 4 and abs(z["total", "total"]) < 4
    assert z["reward_to_go", "reward_to_go"] > 4


def _sums(per_episode_x: np.ndarray, per_episode_y: np.ndarray) -> gq.EpisodeSums:
    n = per_episode_x.shape[0]
    zeros = np.zeros(n)
    weights = {"reward_to_go": per_episode_x, gq.DISCOUNTED: per_episode_y}
    return gq.EpisodeSums(weights, np.zeros_like(per_episode_x),
                          dict.fromkeys(weights, zeros), dict.fromkeys(weights, zeros),
                          dict.fromkeys(weights, zeros), np.ones(n, dtype=np.int64))


def test_discount_gap_formulas():
    """Its unbiased estimates are exact when one weighting is a multiple of the other, and it
    gives up when the noise buries the means."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 6)) + np.array([3.0, 0, 0, 1, 0, 0])
    gap = gq.discount_gap(_sums(x, x / 1.25))
    assert gap is not None and gap.episodes == 400
    assert gap.length_ratio == pytest.approx(1.25) and gap.cosine == pytest.approx(1.0)
    assert gq.discount_gap(_sums(x - x.mean(axis=0), x)) is None


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


@pytest.fixture(scope="module")
def small():
    config = TrainConfig(seed=0)
    return config, gq.measure(config, gq.initial_state_dict(config), SMALL)


def test_small_measurement_on_the_untrained_policy(small):
    config, result = small
    assert list(result.curves) == list(gq.estimators_for(config.gamma)) == list(gq.ESTIMATORS)
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
    assert result.gamma == config.gamma and result.gap is not None and not result.zero_references
    # Same seed, same numbers.
    again = gq.measure(config, gq.initial_state_dict(config), SMALL)
    assert again.curves["G_t − batch mean"].vs_reference == best.vs_reference


def test_zero_gradients_get_no_cosine(small):
    """G₀ − batch mean at B = 1: every batch is exactly zero, so no cosine (nan), not the mean
    of round-off cosines; at B = 2 only some are (equal lengths), and the mean is over the
    others. No other estimator has a zero batch."""
    _, result = small
    curve = result.curves["G₀ − batch mean"]
    assert curve.sizes[0] == 1 and curve.zero_batches[0] == 2 * curve.pairs[0]
    assert math.isnan(curve.vs_reference[0]) and math.isnan(curve.between[0])
    assert curve.no_direction_sizes() == [1]
    assert 0 < curve.zero_batches[1] < 2 * curve.pairs[1]
    assert math.isfinite(curve.vs_reference[1]) and math.isfinite(curve.vs_reference_se[1])
    assert zero_text(curve).startswith(f"B = 1 (all {2 * curve.pairs[0]}), 2 ("
                                       f"{curve.zero_batches[1]})")
    for label, other in result.curves.items():
        if label != "G₀ − batch mean":
            assert sum(other.zero_batches) == 0 and zero_text(other) == "none"
            assert all(math.isfinite(c) for c in other.vs_reference)


@pytest.mark.parametrize("between", [False, True])
def test_chart_draws_no_cosine_for_a_zero_gradient(small, between):
    """The chart has no point and no prediction at B = 1 for G₀ − batch mean, and its legend
    says why; the other estimators keep theirs."""
    _, result = small
    fig = cosine_figure(result, between=between, title="t")
    measured = {t.legendgroup: t for t in fig.data if t.mode == "lines+markers"}
    predicted = {t.legendgroup: t for t in fig.data if t.name.endswith(", predicted")}
    zero = measured["G₀ − batch mean"]
    assert zero.name == f"G₀ − batch mean:<br>{NO_DIRECTION} at B = 1"
    assert zero.x[0] == 1 and np.isnan(zero.y[0])
    assert NO_DIRECTION in zero.text[0]
    assert np.isnan(predicted["G₀ − batch mean"].y[0])
    assert np.isfinite(predicted["G₀ − batch mean"].y[1:]).all()
    for label in ("G₀, no baseline", "G_t − batch mean", "γᵗ·G_t − batch mean"):
        assert measured[label].name == label and np.isfinite(measured[label].y[0])


def test_the_sections_sentences_come_from_the_measurement(small):
    _, result = small
    zeros = no_direction_text(result)
    curve = result.curves["G₀ − batch mean"]
    n = 2 * curve.pairs[0]
    assert f"**G₀ − batch mean**: {n} of {n} batches at B = 1, " in zeros
    assert "at B = 1 \"G₀ − batch mean\" is always zero" in zeros
    text = reference_text(result)
    assert f"all {result.reference_episodes:,} reference episodes" in text
    assert "At γ = 0.99 the objective is J_γ" in text
    assert f"cosine {result.gap.cosine:.4f} with ∇J_γ" in text
    assert f"about {result.gap.length_ratio:.2g} times as long" in text
    at_one = gq.Quality(curves={}, reference_episodes=10, reference_steps=100,
                        pool_episodes=10, pool_steps=100, mean_return=10.0,
                        reference_quality={"total": 0.9}, gamma=1.0)
    assert "At γ = 1" in reference_text(at_one) and no_direction_text(at_one) == ""
