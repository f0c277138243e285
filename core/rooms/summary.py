"""What a room stores of one run: its progress figures and a thinned learning curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from core.reinforce.rollout import SOLVED_RETURN, V0_ENV_ID, reward_threshold

WINDOW = 100
"""Episodes in the moving mean that decides 'solved' (gymnasium's definition)."""
THRESHOLDS = (int(reward_threshold(V0_ENV_ID)), int(SOLVED_RETURN))
"""Last-100 mean returns marking CartPole-v0's and CartPole-v1's 'solved' (195 and 475, from
gymnasium's registry)."""


@dataclass(frozen=True)
class RunSummary:
    """A run's progress as posted to the room."""

    episodes: int
    """Episodes finished so far."""
    mean_last100: float
    """Mean return of the last 100 episodes (of all, if fewer)."""
    to_195: int | None
    """Episodes until the last-100 mean first reached 195 (None: not reached)."""
    to_475: int | None
    """Episodes until the last-100 mean first reached 475 (None: not reached)."""
    curve: tuple[tuple[int, float], ...]
    """(episode, mean return of the episodes up to it since the previous point), at most the
    room's curve-point limit."""
    finished: bool = False
    """True once the run has stopped for good (solved, budget spent or diverged)."""


def episodes_to(returns: np.ndarray, threshold: float, window: int = WINDOW) -> int | None:
    """Episodes until the mean of the last ``window`` returns first reaches ``threshold`` (at
    least ``window`` episodes are needed), or None."""
    if len(returns) < window:
        return None
    sums = np.convolve(returns, np.ones(window), mode="valid")
    hits = np.flatnonzero(sums >= threshold * window - 1e-9)
    return int(hits[0]) + window if hits.size else None


def thin_curve(returns: np.ndarray, max_points: int) -> tuple[tuple[int, float], ...]:
    """At most ``max_points`` points summarising a learning curve: consecutive episodes are
    split into equal bins and each point is (last episode of the bin, mean return in it); with
    no more episodes than points every episode is its own point."""
    n = len(returns)
    if n == 0 or max_points < 1:
        return ()
    bins = min(n, max_points)
    edges = np.linspace(0, n, bins + 1).round().astype(int)
    sums = np.concatenate(([0.0], np.cumsum(returns, dtype=float)))
    return tuple((int(hi), float((sums[hi] - sums[lo]) / (hi - lo)))
                 for lo, hi in pairwise(edges.tolist()) if hi > lo)


def summarize(returns: Sequence[float], max_points: int, finished: bool = False) -> RunSummary:
    """The room's summary of a run with these episode returns."""
    values = np.asarray(returns, dtype=float)
    mean = float(values[-WINDOW:].mean()) if len(values) else 0.0
    return RunSummary(len(values), mean, episodes_to(values, THRESHOLDS[0]),
                      episodes_to(values, THRESHOLDS[1]), thin_curve(values, max_points),
                      finished)
