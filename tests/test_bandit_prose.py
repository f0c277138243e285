"""The bandit page's "What to try" list states what each experiment shows; each claim is
checked here on the page's default arms and seeds 0-4 (issue 13, section 4: a claim a page
makes in prose is computed or tested)."""

from dataclasses import replace

import numpy as np
import pytest

from core import bandit

SEEDS = range(5)
ARMS, LOGITS = bandit.default_arms()
BASE = bandit.TrainingConfig()   # the page's defaults: lr 0.1, N = 10, SGD, 200 steps, 5 seeds


def _paths(seed: int, **changes: object) -> bandit.BanditPaths:
    return bandit.train(ARMS, LOGITS, replace(BASE, **changes), seed)


def _distance_to_exact(paths: bandit.BanditPaths) -> float:
    """Mean over REINFORCE paths and steps of the distance from the exact (black) path."""
    p = paths.probabilities
    return float(np.linalg.norm(p[1:] - p[:1], axis=-1).mean())


@pytest.mark.parametrize("seed", SEEDS)
def test_too_small_a_learning_rate_barely_moves_any_path(seed):
    # "Learning rate too small (0.001, SGD): after 200 steps every path has barely moved."
    p = _paths(seed, learning_rate=0.001).probabilities
    moved = np.abs(p[:, -1] - p[:, 0]).max()
    assert moved < 0.02
    # ...while the default rate moves the exact path a long way in the same 200 steps.
    q = _paths(seed).probabilities
    assert np.abs(q[0, -1] - q[0, 0]).max() > 10 * moved


def test_too_large_a_learning_rate_throws_paths_into_corners_they_never_leave():
    # "Learning rate too large (10 to 100): one noisy step can throw a blue path into a corner
    # ... it may never leave, even from a worse arm."
    best = int(np.argmax(ARMS.means))
    cornered_on_worse = 0
    for seed in SEEDS:
        p = _paths(seed, learning_rate=100.0).probabilities
        corner = p[1:, -1].max(axis=-1) > 0.999
        stuck = np.all(p[1:, len(p[0]) // 2:].max(axis=-1) > 0.999, axis=-1)   # whole 2nd half
        cornered_on_worse += int(np.sum(corner & stuck & (p[1:, -1].argmax(axis=-1) != best)))
    assert cornered_on_worse >= 1


@pytest.mark.parametrize("seed", SEEDS)
def test_a_large_shift_leaves_the_exact_path_and_scatters_reinforce_until_a_baseline(seed):
    # "A large shift (c = 100, no baseline): the black path stays exactly as it was ... The
    # blue paths scatter ... Switch the baseline to mean reward and they fall back in line."
    plain, shifted = _paths(seed), _paths(seed, shift=100.0)
    # The same path up to floating-point rounding (∇J = π ⊙ (μ + c − J) is computed with c).
    np.testing.assert_allclose(shifted.probabilities[0], plain.probabilities[0], rtol=0,
                               atol=1e-9)
    fixed = _paths(seed, shift=100.0, baseline="mean reward")
    assert _distance_to_exact(shifted) > 2 * _distance_to_exact(plain)
    assert _distance_to_exact(fixed) < 0.5 * _distance_to_exact(shifted)


def test_more_samples_per_step_bring_reinforce_to_the_exact_path():
    # "N = 1 vs N = 100: the noise of a REINFORCE step shrinks like 1/√N; at N = 100 the blue
    # paths hug the black one."
    one = np.mean([_distance_to_exact(_paths(s, samples_per_step=1)) for s in SEEDS])
    hundred = np.mean([_distance_to_exact(_paths(s, samples_per_step=100)) for s in SEEDS])
    assert hundred < one / 3
    assert hundred < 0.05
