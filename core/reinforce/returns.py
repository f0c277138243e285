"""From per-step rewards to the weights that multiply ∇log π(a_t|s_t): returns and baselines.

All functions work on a batch stored flat: ``rewards`` holds the steps of every episode one
after the other, and ``lengths`` says how many steps each episode has.
"""

from __future__ import annotations

import numpy as np

STD_EPS = float(np.finfo(np.float32).eps)
"""Added to a standard deviation before dividing, so a constant episode does not divide by 0."""


def _check(rewards: np.ndarray, lengths: np.ndarray) -> None:
    if lengths.ndim != 1 or np.any(lengths < 1):
        raise ValueError("every episode needs at least one step")
    if int(lengths.sum()) != rewards.shape[0]:
        raise ValueError("lengths must add up to the number of rewards")


def episode_ids(lengths: np.ndarray) -> np.ndarray:
    """For each flat step, the index of the episode it belongs to."""
    return np.repeat(np.arange(len(lengths)), lengths)


def returns_to_go(rewards: np.ndarray, lengths: np.ndarray, gamma: float) -> np.ndarray:
    """G_t = Σ_{k≥t} γ^(k−t) r_k within each episode, for every flat step."""
    rewards = np.asarray(rewards, dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.int64)
    _check(rewards, lengths)
    out = np.empty_like(rewards)
    ends = np.cumsum(lengths)
    # Backward recursion, run over all episodes at once: one pass down the longest episode.
    running = np.zeros(len(lengths))
    for back in range(int(lengths.max())):
        alive = lengths > back
        idx = ends[alive] - 1 - back
        running[alive] = rewards[idx] + gamma * running[alive]
        out[idx] = running[alive]
    return out


def total_returns(rewards: np.ndarray, lengths: np.ndarray, gamma: float) -> np.ndarray:
    """G_0 of each episode (Σ_t γ^t r_t), one value per episode."""
    rewards = np.asarray(rewards, dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.int64)
    _check(rewards, lengths)
    t = np.arange(rewards.shape[0]) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    discounted = rewards * np.power(gamma, t)
    return np.add.reduceat(discounted, np.cumsum(lengths) - lengths)


def rewards_so_far(rewards: np.ndarray, lengths: np.ndarray, gamma: float) -> np.ndarray:
    """Σ_{k≤t} γ^(t−k) r_k within each episode: the reward-to-go recursion R ← r + γR run
    forwards from the start (a classic mistake: the loop without ``reversed``)."""
    rewards = np.asarray(rewards, dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.int64)
    _check(rewards, lengths)
    out = np.empty_like(rewards)
    starts = np.cumsum(lengths) - lengths
    running = np.zeros(len(lengths))
    for t in range(int(lengths.max())):
        alive = lengths > t
        idx = starts[alive] + t
        running[alive] = rewards[idx] + gamma * running[alive]
        out[idx] = running[alive]
    return out


def step_weights(rewards: np.ndarray, lengths: np.ndarray, gamma: float,
                 weighting: str) -> np.ndarray:
    """The raw weight of each step: G_0 of its episode ("total"), G_t ("reward_to_go") or the
    rewards so far ("reward_so_far", the forwards mistake)."""
    if weighting == "reward_so_far":
        return rewards_so_far(rewards, lengths, gamma)
    if weighting == "total":
        return np.repeat(total_returns(rewards, lengths, gamma), lengths)
    if weighting == "reward_to_go":
        return returns_to_go(rewards, lengths, gamma)
    raise ValueError(f"unknown weighting {weighting!r}")


def standardise(values: np.ndarray) -> np.ndarray:
    """(x − mean) / (population std + eps)."""
    values = np.asarray(values, dtype=np.float64)
    return (values - values.mean()) / (values.std() + STD_EPS)


def apply_baseline(weights: np.ndarray, lengths: np.ndarray, baseline: str) -> np.ndarray:
    """Weights after the chosen baseline or standardisation."""
    weights = np.asarray(weights, dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.int64)
    if baseline in ("none", "learned"):  # the learned baseline is subtracted by the trainer
        return weights.copy()
    if baseline == "batch_mean":
        return weights - weights.mean()
    if baseline == "batch_standardise":
        return standardise(weights)
    if baseline == "episode_standardise":
        starts = np.cumsum(lengths) - lengths
        counts = lengths.astype(np.float64)
        mean = np.add.reduceat(weights, starts) / counts
        centred = weights - np.repeat(mean, lengths)
        std = np.sqrt(np.add.reduceat(centred**2, starts) / counts)
        return centred / np.repeat(std + STD_EPS, lengths)
    raise ValueError(f"unknown baseline {baseline!r}")
