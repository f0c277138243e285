"""Why E[XY] is not E[X]E[Y] when X and Y come from the same draw, and what that means for
the policy gradient.

X = g(τ) and Y = h(τ) are signed powers of one τ, so every expectation reduces to a raw
moment E[τ^k] of τ's distribution: E[XY] = E[X]E[Y] + Cov(X, Y). Drawing Y from an
independent copy τ′ removes the covariance and the product splits exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import distributions as dist
from core import softmax


@dataclass(frozen=True)
class Transform:
    """A function of τ of the form coefficient · τ^power."""

    label: str
    """How the function is written (with τ)."""
    coefficient: float
    """The constant factor."""
    power: int
    """The power of τ (0 for a constant, −1 for 1/τ)."""

    def __call__(self, tau: np.ndarray) -> np.ndarray:
        """The function applied elementwise."""
        tau = np.asarray(tau, dtype=float)
        if self.power == 0:
            return np.full(tau.shape, self.coefficient)
        return self.coefficient * tau ** float(self.power)


TRANSFORMS: dict[str, Transform] = {
    "tau": Transform("τ", 1.0, 1),
    "tau2": Transform("τ²", 1.0, 2),
    "tau3": Transform("τ³", 1.0, 3),
    "inv": Transform("1/τ", 1.0, -1),
    "neg": Transform("−τ", -1.0, 1),
    "neg2": Transform("−τ²", -1.0, 2),
    "const": Transform("1 (a constant)", 1.0, 0),
}
"""The functions g and h the user can pick, by key."""


@dataclass(frozen=True)
class SplitResult:
    """Exact moments of X = g(τ) and Y = h(τ) (or h(τ′) for an independent τ′)."""

    mean_x: float
    """E[X]."""
    mean_y: float
    """E[Y]."""
    mean_xy: float
    """E[XY]."""
    product: float
    """E[X]·E[Y]."""
    cov: float
    """Cov(X, Y), computed from centred values (not as the difference above)."""
    sd_x: float
    """Standard deviation of X."""
    sd_y: float
    """Standard deviation of Y."""
    independent: bool
    """Whether Y uses an independent copy τ′ of τ."""

    @property
    def correlation(self) -> float:
        """Corr(X, Y), NaN when X or Y is constant."""
        if self.sd_x == 0 or self.sd_y == 0:
            return math.nan
        return self.cov / (self.sd_x * self.sd_y)


@dataclass(frozen=True)
class OutcomeTable:
    """One row per outcome τ of a discrete distribution (outcomes of probability 0 dropped)."""

    tau: np.ndarray
    """The outcomes."""
    p: np.ndarray
    """Their probabilities."""
    x: np.ndarray
    """X = g(τ)."""
    y: np.ndarray
    """Y = h(τ)."""
    xy: np.ndarray
    """X·Y from the same τ."""


def validate_split(spec: dist.DistributionSpec, g: str, h: str) -> str | None:
    """Why the moments of g(τ), h(τ) and their product are undefined here, or None."""
    if g not in TRANSFORMS or h not in TRANSFORMS:
        return "Pick g and h from the list."
    pg, ph = TRANSFORMS[g].power, TRANSFORMS[h].power
    for k in sorted({pg, ph, 2 * pg, 2 * ph, pg + ph}):
        problem = dist.moment_problem(spec, k)
        if problem:
            return problem
    return None


def _moment(spec: dist.DistributionSpec, t: Transform, times: int = 1) -> float:
    """E[t(τ)^times]."""
    return t.coefficient**times * dist.raw_moment(spec, t.power * times)


def split_moments(spec: dist.DistributionSpec, g: str, h: str, *,
                  independent: bool = False) -> SplitResult:
    """Exact E[X], E[Y], E[XY], E[X]E[Y] and Cov(X, Y) (inputs must be valid)."""
    tg, th = TRANSFORMS[g], TRANSFORMS[h]
    mean_x, mean_y = _moment(spec, tg), _moment(spec, th)
    if spec.is_discrete:
        table = outcome_table(spec, g, h)
        cx, cy = dist.centred(table.x, table.p), dist.centred(table.y, table.p)
        var_x, var_y = float(table.p @ cx**2), float(table.p @ cy**2)
        same_draw_xy = float(table.p @ table.xy)
        same_draw_cov = float(table.p @ (cx * cy))
    else:  # centred closed forms: Cov(aτ^p, bτ^q) = ab·Cov(τ^p, τ^q)
        var_x = tg.coefficient**2 * dist.power_covariance(spec, tg.power, tg.power)
        var_y = th.coefficient**2 * dist.power_covariance(spec, th.power, th.power)
        same_draw_xy = tg.coefficient * th.coefficient * dist.raw_moment(
            spec, tg.power + th.power)
        same_draw_cov = tg.coefficient * th.coefficient * dist.power_covariance(
            spec, tg.power, th.power)
    if independent:
        mean_xy, cov = mean_x * mean_y, 0.0
    else:
        mean_xy, cov = same_draw_xy, same_draw_cov
    # + 0.0 turns a −0.0 (a constant times negative deviations) into 0.
    return SplitResult(mean_x=mean_x, mean_y=mean_y, mean_xy=mean_xy, product=mean_x * mean_y,
                       cov=cov + 0.0, sd_x=math.sqrt(max(var_x, 0.0)),
                       sd_y=math.sqrt(max(var_y, 0.0)), independent=independent)


def outcome_table(spec: dist.DistributionSpec, g: str, h: str) -> OutcomeTable:
    """τ, p, X, Y, XY per outcome of a valid discrete ``spec``."""
    tau, p = dist.support_of(spec)
    keep = p > 0
    tau, p = tau[keep], p[keep]
    x, y = TRANSFORMS[g](tau), TRANSFORMS[h](tau)
    return OutcomeTable(tau=tau, p=p, x=x, y=y, xy=x * y)


def table_moments(p: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(E[XY], E[X]E[Y], Cov) for any finite table of probabilities and paired values."""
    p, x, y = (np.asarray(a, dtype=float) for a in (p, x, y))
    ex, ey = p @ x, p @ y
    cov = float(p @ (dist.centred(x, p) * dist.centred(y, p))) + 0.0
    return float(p @ (x * y)), float(ex * ey), cov


def sample_pairs(spec: dist.DistributionSpec, g: str, h: str, n: int,
                 rng: np.random.Generator, *, independent: bool = False
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws of (X, Y): both from the same τ, or Y from an independent τ′."""
    tau = dist.sample(spec, n, rng)
    tau_y = dist.sample(spec, n, rng) if independent else tau
    return TRANSFORMS[g](tau), TRANSFORMS[h](tau_y)


def sample_estimates(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(average of XY, (average of X)·(average of Y)) over paired samples."""
    return float(np.mean(x * y)), float(np.mean(x) * np.mean(y))


# ---------------------------------------------------------------- the score-function panel


@dataclass(frozen=True)
class ScoreSplit:
    """For a softmax policy π = softmax(θ) with reward r(a): the true gradient E[r ∇log π]
    next to the "split" E[r]·E[∇log π], all from torch autograd."""

    probs: np.ndarray
    """π(a) for each action."""
    scores: np.ndarray
    """Row a is ∇θ log π(a), shape (A, A)."""
    mean_score: np.ndarray
    """E[∇θ log π] = Σ π(a) ∇θ log π(a): zero for every θ, and exactly 0 here where the sum
    left only round-off (``dist.ROUND_OFF``: each term is at most 1 in size)."""
    mean_reward: float
    """E[r] = Σ π(a) r(a)."""
    split: np.ndarray
    """E[r]·E[∇θ log π]: the wrong "split" gradient."""
    gradient: np.ndarray
    """E[r ∇θ log π] = Σ π(a) r(a) ∇θ log π(a)."""
    gradient_direct: np.ndarray
    """∇θ Σ π(a) r(a) by autograd through J itself: must equal ``gradient``."""


def score_split(logits: np.ndarray, rewards: np.ndarray) -> ScoreSplit:
    """The quantities of ``ScoreSplit`` (validate with
    ``softmax.validate_logits_and_rewards`` first)."""
    logits = np.asarray(logits, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    probs = softmax.probabilities(logits)
    scores = softmax.score_matrix(logits)
    mean_score = probs @ scores
    mean_score[np.abs(mean_score) <= dist.ROUND_OFF] = 0.0  # 5.6e-17 is Σ ∇π = ∇1 = 0
    mean_reward = float(probs @ rewards)
    return ScoreSplit(probs=probs, scores=scores, mean_score=mean_score,
                      mean_reward=mean_reward, split=mean_reward * mean_score,
                      gradient=(probs * rewards) @ scores,
                      gradient_direct=softmax.expected_reward_gradient(logits, rewards))
