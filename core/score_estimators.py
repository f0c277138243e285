"""Score-function (log-derivative) estimators of ∇E[r], for any family.

Everything here works on one gradient component at a time: per-sample rewards r(x) and scores
s(x) = ∂/∂θ_j log p_θ(x). Exact expectations use a weighted point set (x_i, w_i) that
represents the distribution exactly (the K outcomes of a categorical with their probabilities)
or to quadrature accuracy (Gauss-Legendre nodes for a Gaussian), so one formula serves both.

Baselines b give the estimator terms (r(x) − b)·s(x). The baselines used here are constants
computed from the exact distribution, so every estimator stays unbiased (E[s] = 0) and its
sampled variance can be compared with the exact one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.confidence import Z95

BASELINES: tuple[str, ...] = ("none", "constant", "mean", "optimal")
"""Baseline kinds, in the order the app lists them."""

BASELINE_LABELS: dict[str, str] = {
    "none": "No baseline",
    "constant": "Constant b",
    "mean": "Mean reward E[r]",
    "optimal": "Variance-optimal b*",
}
"""Display names of the baseline kinds."""


@dataclass(frozen=True)
class SampleSummary:
    """Sample mean and spread of N per-sample estimator terms."""

    n: int
    """Number of samples."""
    mean: float
    """Sample mean: the N-sample gradient estimate."""
    variance: float
    """Unbiased sample variance of one term (the estimator's per-sample variance)."""
    standard_error: float
    """Standard error of the mean, sqrt(variance / N)."""
    variance_standard_error: float
    """Approximate standard error of ``variance`` itself, from the fourth central moment."""

    def interval(self, z: float = Z95) -> tuple[float, float]:
        """Normal-approximation confidence interval of the mean (95 % by default)."""
        return self.mean - z * self.standard_error, self.mean + z * self.standard_error


@dataclass(frozen=True)
class BaselineRow:
    """Exact and sampled variance of the estimator with one baseline."""

    kind: str
    """Baseline kind, one of ``BASELINES``."""
    baseline: float
    """Value of b used."""
    exact_mean: float
    """E[(r − b) s], equal to the exact gradient component for every b."""
    exact_variance: float
    """Var[(r − b) s] under the exact distribution."""
    sample: SampleSummary
    """The same quantities estimated from the samples."""


def summarize(terms: np.ndarray) -> SampleSummary:
    """Mean, variance and their standard errors for a 1-D array of per-sample terms."""
    t = np.asarray(terms, dtype=float).ravel()
    n = t.size
    if n == 0:
        raise ValueError("need at least one sample")
    mean = float(t.mean())
    if n == 1:
        return SampleSummary(1, mean, 0.0, float("inf"), float("inf"))
    centred = t - mean
    m2 = float(np.mean(centred**2))
    m4 = float(np.mean(centred**4))
    variance = m2 * n / (n - 1)
    var_se = float(np.sqrt(max(m4 - m2**2, 0.0) / n))
    return SampleSummary(n, mean, variance, float(np.sqrt(variance / n)), var_se)


def baseline_value(kind: str, rewards: np.ndarray, scores: np.ndarray, weights: np.ndarray,
                   constant: float = 0.0) -> float:
    """The baseline b of ``kind`` for one gradient component, from the exact distribution.

    ``mean`` is E[r]; ``optimal`` is b* = E[r s²] / E[s²], the constant that minimises
    Var[(r − b) s] (set the derivative of E[(r − b)² s²] in b to zero).
    """
    r, s, w = (np.asarray(a, dtype=float) for a in (rewards, scores, weights))
    if kind == "none":
        return 0.0
    if kind == "constant":
        return float(constant)
    if kind == "mean":
        return float(w @ r)
    if kind == "optimal":
        second = float(w @ s**2)
        return float(w @ (r * s**2)) / second if second > 0 else float(w @ r)
    raise ValueError(f"unknown baseline kind {kind!r}")


def exact_mean_and_variance(rewards: np.ndarray, scores: np.ndarray, weights: np.ndarray,
                            baseline: float = 0.0) -> tuple[float, float]:
    """E and Var of the term (r − b)·s under the weighted points (x_i, w_i)."""
    r, s, w = (np.asarray(a, dtype=float) for a in (rewards, scores, weights))
    term = (r - baseline) * s
    mean = float(w @ term)
    variance = float(w @ (term - mean) ** 2)
    return mean, max(variance, 0.0)


def score_terms(rewards: np.ndarray, scores: np.ndarray, baseline: float = 0.0) -> np.ndarray:
    """Per-sample estimator terms (r(x) − b)·∇log p(x)."""
    return (np.asarray(rewards, dtype=float) - baseline) * np.asarray(scores, dtype=float)


def baseline_table(exact_rewards: np.ndarray, exact_scores: np.ndarray, weights: np.ndarray,
                   sample_rewards: np.ndarray, sample_scores: np.ndarray,
                   constant: float = 0.0) -> list[BaselineRow]:
    """Exact and sampled variance of the estimator for every baseline kind.

    Rewards should already include any shift c; the same samples serve every baseline, so the
    rows differ only by b.
    """
    rows = []
    for kind in BASELINES:
        b = baseline_value(kind, exact_rewards, exact_scores, weights, constant)
        mean, variance = exact_mean_and_variance(exact_rewards, exact_scores, weights, b)
        sample = summarize(score_terms(sample_rewards, sample_scores, b))
        rows.append(BaselineRow(kind, b, mean, variance, sample))
    return rows


def running_mean(terms: np.ndarray, indices: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The estimate after the first n samples, for n = indices + 1.

    Returns (n, running mean, running standard error); the standard error uses the running
    sample variance (zero for n = 1, where it is undefined).
    """
    t = np.asarray(terms, dtype=float).ravel()
    if indices is None:
        indices = np.arange(t.size)
    indices = np.asarray(indices, dtype=np.int64)
    n = indices + 1
    # Shift by the first term so the running sums of squares do not lose precision.
    shifted = t - t[0] if t.size else t
    csum = np.cumsum(shifted)[indices]
    csq = np.cumsum(shifted**2)[indices]
    mean_shifted = csum / n
    var = np.where(n > 1, (csq - n * mean_shifted**2) / np.maximum(n - 1, 1), 0.0)
    se = np.sqrt(np.maximum(var, 0.0) / n)
    return n, mean_shifted + (t[0] if t.size else 0.0), se


@dataclass(frozen=True)
class SplitCheck:
    """E[r·s] against the 'split' E[r]·E[s], estimated from one set of samples."""

    mean_score: SampleSummary
    """Sample mean of s = ∇log p(x) (EGLP: its exact value is 0)."""
    mean_reward: float
    """Sample mean of r."""
    mean_product: float
    """Sample mean of r·s: the score-function gradient estimate."""
    split_product: float
    """Sample mean of r times sample mean of s: what the split would give."""
    covariance: float
    """Sample covariance of r and s (population normalisation), so that
    mean_product = mean_reward · mean_score + covariance exactly."""


def split_check(rewards: np.ndarray, scores: np.ndarray) -> SplitCheck:
    """Why E[r ∇log p] cannot be split: the samples' own decomposition E[rs] = E[r]E[s] + Cov."""
    r = np.asarray(rewards, dtype=float).ravel()
    s = np.asarray(scores, dtype=float).ravel()
    mean_s = summarize(s)
    mean_r = float(r.mean())
    product = float(np.mean(r * s))
    cov = float(np.mean((r - mean_r) * (s - mean_s.mean)))
    return SplitCheck(mean_s, mean_r, product, mean_r * mean_s.mean, cov)


def histogram(values: np.ndarray, bins: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Bin centres and densities of ``values``; a point mass gets one narrow bin."""
    v = np.asarray(values, dtype=float).ravel()
    low, high = float(v.min()), float(v.max())
    if high - low < 1e-12 * max(1.0, abs(low)):
        width = max(1e-3, 1e-3 * abs(low))
        return np.array([low]), np.array([1.0 / width])
    density, edges = np.histogram(v, bins=bins, range=(low, high), density=True)
    return 0.5 * (edges[:-1] + edges[1:]), density
