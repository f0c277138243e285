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
    return None if _split_in_range(spec, g, h) else SPLIT_TOO_LARGE


MAX_ABS_SPLIT = dist.MAX_ABS_VALUE**6
"""The largest size (1e36) any number of the split may reach: what τ³·τ³ gives at the largest
outcome a table accepts. Past it, 1/τ of an outcome near 0 or a huge τ³ soon overflows floating
point (sample sums first), and the scatter's float32 points overflow at 3.4e38."""

SPLIT_TOO_LARGE = (
    f"X, Y or their moments get too large here (beyond 1e{math.log10(MAX_ABS_SPLIT):.0f} in "
    "size), past what can be computed reliably. With 1/τ, keep every outcome further from 0; "
    "otherwise use smaller outcomes (or a larger rate)."
)
"""The message for a split whose numbers leave that range (1/τ of τ = 1e-200 is 1e200)."""


def _split_in_range(spec: dist.DistributionSpec, g: str, h: str) -> bool:
    """Whether every exact number of the split and, for a discrete τ, X, Y and X·Y at every
    outcome are finite and at most ``MAX_ABS_SPLIT`` in size."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            result = split_moments(spec, g, h)
        except (OverflowError, ZeroDivisionError):
            return False
        numbers = [result.mean_x, result.mean_y, result.mean_xy, result.product, result.cov,
                   result.sd_x, result.sd_y]
        if spec.is_discrete:
            table = outcome_table(spec, g, h)
            numbers += [*table.x, *table.y, *table.xy]
    magnitudes = np.abs(np.asarray(numbers, dtype=float))
    return bool(np.all(np.isfinite(magnitudes) & (magnitudes <= MAX_ABS_SPLIT)))


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
    gradient_norm: float
    """‖E[r ∇θ log π]‖, the true gradient's length."""


SCORE_SPLIT_OVERFLOW = (
    "These rewards are too large to compute with: the true gradient or its length goes beyond "
    "the largest floating-point number (about 1.8e308). Scale every reward down by the same "
    "factor (say, divide them all by 1e100): the gradient shrinks by that factor and keeps its "
    "direction."
)
"""The message for rewards whose panel overflows (a reward of 1e200 already does: the
gradient's length squares it)."""


def score_split(logits: np.ndarray, rewards: np.ndarray) -> ScoreSplit:
    """The quantities of ``ScoreSplit``, all finite.

    Raises ValueError with the message of :func:`validate_score_split` for logits and rewards
    it refuses."""
    problem = softmax.validate_logits_and_rewards(logits, rewards)
    if problem:
        raise ValueError(problem)
    logits = np.asarray(logits, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    probs = softmax.probabilities(logits)
    scores = softmax.score_matrix(logits)
    mean_score = probs @ scores
    mean_score[np.abs(mean_score) <= dist.ROUND_OFF] = 0.0  # 5.6e-17 is Σ ∇π = ∇1 = 0
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below
        mean_reward = float(probs @ rewards)
        gradient = (probs * rewards) @ scores
        panel = ScoreSplit(probs=probs, scores=scores, mean_score=mean_score,
                           mean_reward=mean_reward, split=mean_reward * mean_score,
                           gradient=gradient,
                           gradient_direct=softmax.expected_reward_gradient(logits, rewards),
                           gradient_norm=float(np.linalg.norm(gradient)))
    numbers = (panel.split, panel.gradient, panel.gradient_direct,
               [panel.mean_reward, panel.gradient_norm])
    if not all(np.all(np.isfinite(part)) for part in numbers):
        raise ValueError(SCORE_SPLIT_OVERFLOW)
    return panel


def validate_score_split(logits: np.ndarray, rewards: np.ndarray) -> str | None:
    """Why the score-function panel cannot be computed for these logits and rewards, or None:
    the table's own problems (``softmax.validate_logits_and_rewards``), then any of the panel's
    numbers overflowing (:data:`SCORE_SPLIT_OVERFLOW`)."""
    try:
        score_split(logits, rewards)
    except ValueError as error:
        return str(error)
    return None
