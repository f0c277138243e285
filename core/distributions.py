"""Distribution families and functions f(x), with exact expectations and seeded sampling.

Discrete families are reduced to a finite table (outcomes, probabilities), so every exact
expectation is a plain sum. Continuous families use closed forms; a numerical quadrature
(``quadrature_expectation``) exists only to cross-check them.
"""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import KW_ONLY, dataclass
from typing import ClassVar, Protocol, cast

import numpy as np

FUNCTIONS: dict[str, str] = {
    "x": "f(x) = x",
    "x2": "f(x) = x²",
    "abs": "f(x) = |x − c|",
    "indicator": "f(x) = 1 if x > c, else 0",
    "table": "f(x) typed per outcome",
}
"""Function keys and their labels. "table" only applies to discrete distributions."""

MAX_UNIFORM_N = 1000
MAX_TRIALS = 200
MAX_POISSON_RATE = 100.0
MAX_TABLE_ROWS = 50
MAX_ABS_VALUE = 1e6
"""Bounds that keep every sum small and every number printable."""

POISSON_TAIL = 1e-12
"""The Poisson support is cut where the remaining tail mass drops below this."""


@dataclass(frozen=True)
class DistributionSpec:
    """A distribution as the user picked it: a family and that family's parameters."""

    family: str = "uniform_int"
    """One of ``FAMILY_TYPES``."""
    n: int = 10
    """Uniform on 1..n: the largest outcome."""
    trials: int = 10
    """Binomial: number of trials."""
    success: float = 0.5
    """Binomial: success probability of one trial."""
    poisson_rate: float = 3.0
    """Poisson: mean λ."""
    mean: float = 0.0
    """Normal: mean μ."""
    sd: float = 1.0
    """Normal: standard deviation σ."""
    exp_rate: float = 1.0
    """Exponential: rate λ (mean 1/λ)."""
    low: float = 0.0
    """Continuous uniform: left end a."""
    high: float = 1.0
    """Continuous uniform: right end b."""
    table_values: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)
    """Custom table: the outcomes."""
    table_weights: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)
    """Custom table: non-negative weights, normalised to probabilities."""

    @property
    def is_discrete(self) -> bool:
        """Whether the family is discrete."""
        return FAMILY_TYPES[self.family].discrete


@dataclass(frozen=True)
class FunctionSpec:
    """The function f whose expectation E[f(X)] is computed."""

    kind: str = "x2"
    """One of ``FUNCTIONS``."""
    c: float = 0.0
    """The constant c in |x − c| and 1[x > c]."""
    table: tuple[float, ...] = ()
    """For kind "table": f at each outcome of the discrete support, in support order."""


def _finite(*values: float) -> bool:
    return all(isinstance(v, numbers.Real) and math.isfinite(v) for v in values)


def validate_table(values, weights) -> str | None:
    """Why (outcomes, weights) cannot define a discrete distribution, or None if it can."""
    values = np.asarray(values, dtype=float).ravel()
    weights = np.asarray(weights, dtype=float).ravel()
    if values.size == 0:
        return "The table is empty: add at least one outcome with a positive weight."
    if values.size != weights.size:
        return "Every outcome needs exactly one weight."
    if values.size > MAX_TABLE_ROWS:
        return f"Use at most {MAX_TABLE_ROWS} outcomes (got {values.size})."
    if not np.all(np.isfinite(values)):
        return "Every outcome must be a number (one cell is empty or not a number)."
    if not np.all(np.isfinite(weights)):
        return "Every weight must be a number (one cell is empty or not a number)."
    if np.any(np.abs(values) > MAX_ABS_VALUE):
        return f"Keep outcomes between −{MAX_ABS_VALUE:,.0f} and {MAX_ABS_VALUE:,.0f}."
    if np.any(weights < 0):
        return "Weights cannot be negative: a probability is never below zero."
    if np.any(weights > MAX_ABS_VALUE):
        return f"Keep weights at most {MAX_ABS_VALUE:,.0f}."
    if not weights.sum() > 0:
        return "All weights are zero: at least one outcome needs a positive weight."
    if np.unique(values).size != values.size:
        return "An outcome appears twice: merge those rows into one (add their weights)."
    return None


def validate_distribution(spec: DistributionSpec) -> str | None:
    """Why ``spec`` does not define a distribution, or None if it does."""
    if spec.family not in FAMILY_TYPES:
        return f"Unknown distribution {spec.family!r}."
    return family(spec).problem()


def validate_function(fn: FunctionSpec, spec: DistributionSpec) -> str | None:
    """Why ``fn`` cannot be used with ``spec``, or None if it can (``spec`` must be valid)."""
    if fn.kind not in FUNCTIONS:
        return f"Unknown function {fn.kind!r}."
    if not _finite(fn.c) or abs(fn.c) > MAX_ABS_VALUE:
        return "The constant c must be a number."
    if fn.kind == "table":
        if not spec.is_discrete:
            return "Typing f per outcome needs a discrete distribution."
        table = np.asarray(fn.table, dtype=float)
        if table.size != support_of(spec)[0].size:
            return "Type one value of f for every outcome."
        if not np.all(np.isfinite(table)):
            return "Every value of f must be a number (one cell is empty or not a number)."
        if np.any(np.abs(table) > MAX_ABS_VALUE):
            return f"Keep the values of f between −{MAX_ABS_VALUE:,.0f} and {MAX_ABS_VALUE:,.0f}."
    return None


def apply_function(fn: FunctionSpec, x: np.ndarray) -> np.ndarray:
    """f(x) elementwise, for the formula kinds (not "table")."""
    x = np.asarray(x)
    if fn.kind == "x":
        return x
    if fn.kind == "x2":
        return x * x
    if fn.kind == "abs":
        return np.abs(x - fn.c)
    if fn.kind == "indicator":
        return (x > fn.c).astype(x.dtype if x.dtype.kind == "f" else float)
    raise ValueError(f"f kind {fn.kind!r} has no formula")


# ---------------------------------------------------------------- the families
#
# Each family is one small frozen class holding its parameters, behind the ``Family``
# protocol (``DiscreteFamily`` or ``ContinuousFamily``), and registered once in
# ``FAMILY_TYPES``. The module's functions below take a ``DistributionSpec`` (what the pages
# bind to widgets and URLs) and hand the work to ``family(spec)``.


@dataclass(frozen=True)
class Param:
    """One parameter of a family as the pages offer it: the ``DistributionSpec`` field it
    fills and the widget that sets it (range, default, step)."""

    field: str
    """The ``DistributionSpec`` field."""
    label: str
    """The widget's label."""
    low: float
    """Smallest value the widget offers."""
    high: float
    """Largest value the widget offers."""
    default: float
    """The widget's starting value."""
    _: KW_ONLY
    key: str
    """The widget's key after the page's prefix, also its URL parameter."""
    step: float = 1.0
    """The widget's step."""
    integer: bool = False
    """A whole number (an integer slider)."""
    widget: str = "slider"
    """"slider" or "number" (a typed number; several sit side by side)."""


class Family(Protocol):
    """What every family provides."""

    key: ClassVar[str]
    """Registry key, also the URL value."""
    label: ClassVar[str]
    """Menu label."""
    discrete: ClassVar[bool]
    """Whether outcomes form a finite table."""
    params: ClassVar[tuple[Param, ...]]
    """Its parameters' widgets, in order (empty for the typed table)."""

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> Family:
        """The family with the parameters ``spec`` holds for it."""
        ...

    def problem(self) -> str | None:
        """Why these parameters define no distribution, or None."""
        ...

    def mean(self) -> float:
        """E[X]."""
        ...

    def variance(self) -> float:
        """Var X, computed centred."""
        ...

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws."""
        ...


class _Discrete:
    """A family reduced to a finite table: every expectation is a plain sum over
    ``support()``, whose outcomes of probability 0 count for nothing."""

    discrete: ClassVar[bool] = True

    def support(self) -> tuple[np.ndarray, np.ndarray]:
        """(outcomes, probabilities)."""
        raise NotImplementedError

    def mean(self) -> float:
        values, probs = self.support()
        return float(probs @ values)

    def variance(self) -> float:
        values, probs = self.support()
        return float(probs @ centred(values, probs) ** 2)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        values, probs = self.support()
        return values[rng.choice(values.size, size=n, p=probs / probs.sum())]


class DiscreteFamily(Family, Protocol):
    """A family with a finite table of outcomes."""

    def support(self) -> tuple[np.ndarray, np.ndarray]:
        """(outcomes, probabilities); the Poisson's is cut where its tail mass is below
        ``POISSON_TAIL``."""
        ...


@dataclass(frozen=True)
class UniformInt(_Discrete):
    """Uniform on 1..n."""

    n: int
    """The largest outcome."""
    key: ClassVar[str] = "uniform_int"
    label: ClassVar[str] = "Uniform on 1..n"
    params: ClassVar[tuple[Param, ...]] = (
        Param("n", "n (outcomes 1, 2, …, n)", 1, 100, 10, integer=True, key="size"),)

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> UniformInt:
        return cls(spec.n)

    def problem(self) -> str | None:
        if not isinstance(self.n, numbers.Integral) or not 1 <= self.n <= MAX_UNIFORM_N:
            return f"n must be a whole number from 1 to {MAX_UNIFORM_N}."
        return None

    def support(self) -> tuple[np.ndarray, np.ndarray]:
        return np.arange(1, self.n + 1, dtype=float), np.full(self.n, 1.0 / self.n)

    def mean(self) -> float:
        return (self.n + 1) / 2.0

    def variance(self) -> float:
        return (self.n**2 - 1) / 12.0


@dataclass(frozen=True)
class Custom(_Discrete):
    """The user's own table of outcomes and weights."""

    values: tuple[float, ...]
    """The outcomes."""
    weights: tuple[float, ...]
    """Non-negative weights, normalised to probabilities."""
    key: ClassVar[str] = "custom"
    label: ClassVar[str] = "Your own table"
    params: ClassVar[tuple[Param, ...]] = ()  # the table editor sets values and weights

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> Custom:
        return cls(spec.table_values, spec.table_weights)

    def problem(self) -> str | None:
        return validate_table(self.values, self.weights)

    def support(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.values, dtype=float), normalise(self.weights)


@dataclass(frozen=True)
class Binomial(_Discrete):
    """Successes in ``trials`` independent trials."""

    trials: int
    """Number of trials."""
    success: float
    """Success probability of one trial."""
    key: ClassVar[str] = "binomial"
    label: ClassVar[str] = "Binomial"
    params: ClassVar[tuple[Param, ...]] = (
        Param("trials", "Trials", 1, MAX_TRIALS, 10, integer=True, key="trials"),
        Param("success", "Success probability", 0.0, 1.0, 0.5, step=0.01, key="success"))

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> Binomial:
        return cls(spec.trials, spec.success)

    def problem(self) -> str | None:
        if not isinstance(self.trials, numbers.Integral) or not 1 <= self.trials <= MAX_TRIALS:
            return f"The number of trials must be a whole number from 1 to {MAX_TRIALS}."
        if not _finite(self.success) or not 0 <= self.success <= 1:
            return "The success probability must lie between 0 and 1."
        return None

    def support(self) -> tuple[np.ndarray, np.ndarray]:
        trials, p = self.trials, self.success
        k = np.arange(trials + 1, dtype=float)
        if p == 0.0:
            return k, (k == 0).astype(float)
        if p == 1.0:
            return k, (k == trials).astype(float)
        log_choose = np.array([math.lgamma(trials + 1) - math.lgamma(v + 1)
                               - math.lgamma(trials - v + 1) for v in k])
        return k, np.exp(log_choose + k * math.log(p) + (trials - k) * math.log1p(-p))

    def mean(self) -> float:
        return self.trials * self.success

    def variance(self) -> float:
        return self.trials * self.success * (1.0 - self.success)


@dataclass(frozen=True)
class Poisson(_Discrete):
    """Poisson with mean λ, its support cut where the tail mass drops below
    ``POISSON_TAIL``."""

    rate: float
    """The mean λ."""
    key: ClassVar[str] = "poisson"
    label: ClassVar[str] = "Poisson"
    params: ClassVar[tuple[Param, ...]] = (
        Param("poisson_rate", "Mean λ", 0.1, 50.0, 3.0, step=0.1, key="lam"),)

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> Poisson:
        return cls(spec.poisson_rate)

    def problem(self) -> str | None:
        if not _finite(self.rate) or not 0 < self.rate <= MAX_POISSON_RATE:
            return f"The Poisson mean λ must be above 0 and at most {MAX_POISSON_RATE:g}."
        return None

    def support(self) -> tuple[np.ndarray, np.ndarray]:
        rate = self.rate
        top = int(rate + 40.0 * math.sqrt(rate) + 60)
        k = np.arange(top + 1, dtype=float)
        log_pmf = k * math.log(rate) - rate - np.array([math.lgamma(v + 1) for v in k])
        pmf = np.exp(log_pmf)
        tail_after = np.cumsum(pmf[::-1])[::-1] - pmf  # mass strictly beyond each k
        last = int(np.argmax(tail_after < POISSON_TAIL))
        return k[: last + 1], pmf[: last + 1]

    def mean(self) -> float:
        return self.rate

    def variance(self) -> float:
        return self.rate


class ContinuousFamily(Family, Protocol):
    """A family with a density and closed forms for every f in ``FUNCTIONS`` but "table"."""

    def density(self, x: np.ndarray) -> np.ndarray:
        """The pdf at ``x``."""
        ...

    def plot_range(self) -> tuple[float, float]:
        """An interval holding essentially all of the mass (for pdf curves and histograms)."""
        ...

    def quadrature_range(self) -> tuple[float, float]:
        """An interval holding all but a negligible mass (for the quadrature cross-check)."""
        ...

    def expect(self, kind: str, c: float) -> float:
        """E[f(X)] for the formula kinds of ``FUNCTIONS``."""
        ...

    def expect_p_times(self, kind: str, c: float) -> float:
        """E[p(X) f(X)] = ∫ p² f."""
        ...

    def probability_at_most(self, c: float) -> float:
        """P(X ≤ c), computed as its own tail."""
        ...

    def abs_variance(self, c: float) -> float:
        """Var |X − c|, without subtracting two large squares."""
        ...

    def central_moment(self, k: int) -> float:
        """E[(X − EX)^k] for k ≥ 0."""
        ...

    def raw_moment(self, k: int) -> float:
        """E[X^k] for an integer k whose moment exists."""
        ...

    def negative_moments_exist(self) -> bool:
        """Whether E[X^k] exists for negative k (the density vanishes near 0)."""
        ...

    def power_covariance(self, p: int, q: int) -> float:
        """Cov(X^p, X^q), computed centred."""
        ...

    def block_sums(self, kind: str, blocks: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray | None:
        """Σ f(xᵢ) over each block of b draws, drawn from its exact law, or None."""
        ...


class _Continuous:
    """What the continuous families share: Cov(X^p, X^q) from central moments, and no exact
    law for block sums unless a family knows one."""

    discrete: ClassVar[bool] = False

    def mean(self) -> float:
        raise NotImplementedError

    def central_moment(self, k: int) -> float:
        raise NotImplementedError

    def negative_moments_exist(self) -> bool:
        return False

    def power_covariance(self, p: int, q: int) -> float:
        """Writing X = μ + Z, Cov(X^p, X^q) = Σ_{j,k ≥ 1} C(p,j) C(q,k) μ^{p−j+q−k}
        (m_{j+k} − m_j m_k) with the central moments m (p, q ≥ 0): the μ^{p+q} terms that
        E[X^{p+q}] − E[X^p]E[X^q] subtracts never appear."""
        if p == 0 or q == 0:
            return 0.0
        mu = self.mean()
        m = [self.central_moment(k) for k in range(p + q + 1)]
        return float(sum(math.comb(p, j) * math.comb(q, k) * mu ** (p - j + q - k)
                         * (m[j + k] - m[j] * m[k])
                         for j in range(1, p + 1) for k in range(1, q + 1)))

    def block_sums(self, kind: str, blocks: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray | None:
        return None


def _phi(z: float) -> float:
    """Standard normal density."""
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _big_phi(z: float) -> float:
    """Standard normal CDF."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


@dataclass(frozen=True)
class Normal(_Continuous):
    """N(μ, σ²)."""

    mu: float
    """The mean μ."""
    sd: float
    """The standard deviation σ."""
    key: ClassVar[str] = "normal"
    label: ClassVar[str] = "Normal"
    params: ClassVar[tuple[Param, ...]] = (
        Param("mean", "Mean μ", -100.0, 100.0, 0.0, step=0.5, key="mu", widget="number"),
        Param("sd", "Standard deviation σ", 0.0, 100.0, 1.0, step=0.1, key="sd",
              widget="number"))

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> Normal:
        return cls(spec.mean, spec.sd)

    def problem(self) -> str | None:
        if not _finite(self.mu, self.sd) or abs(self.mu) > 1e4:
            return "The mean must be a number between −10,000 and 10,000."
        if not 0 < self.sd <= 1e4:
            return "The standard deviation σ must be above 0 (and at most 10,000)."
        return None

    def density(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mu) / self.sd
        return np.exp(-0.5 * z * z) / (self.sd * math.sqrt(2.0 * math.pi))

    def plot_range(self) -> tuple[float, float]:
        return self.mu - 4.5 * self.sd, self.mu + 4.5 * self.sd

    def quadrature_range(self) -> tuple[float, float]:
        return self.mu - 12 * self.sd, self.mu + 12 * self.sd

    def expect(self, kind: str, c: float) -> float:
        mu, sd = self.mu, self.sd
        if kind == "x":
            return mu
        if kind == "x2":
            return mu * mu + sd * sd
        if kind == "abs":
            d = mu - c
            return sd * 2.0 * _phi(d / sd) + d * (1.0 - 2.0 * _big_phi(-d / sd))
        return _big_phi((mu - c) / sd)  # P(X > c)

    def expect_p_times(self, kind: str, c: float) -> float:
        # p² is a scaled N(μ, σ²/2) density.
        narrow = Normal(self.mu, self.sd / math.sqrt(2))
        return narrow.expect(kind, c) / (2.0 * self.sd * math.sqrt(math.pi))

    def probability_at_most(self, c: float) -> float:
        return _big_phi((c - self.mu) / self.sd)

    def abs_variance(self, c: float) -> float:
        u = abs(self.mu - c) / self.sd
        t = _phi(u) - u * _big_phi(-u)  # E|Z + u| = u + 2t; Var/σ² = 1 + u² − (u + 2t)²
        return self.sd**2 * (1.0 - 4.0 * u * t - 4.0 * t * t)

    def mean(self) -> float:
        return self.mu

    def variance(self) -> float:
        return self.sd**2

    def central_moment(self, k: int) -> float:  # σ^k (k − 1)!! for even k
        return 0.0 if k % 2 else self.sd**k * math.prod(range(k - 1, 0, -2))

    def raw_moment(self, k: int) -> float:
        if k == 0:
            return 1.0
        mu, var = self.mu, self.sd**2
        prev, cur = 1.0, mu  # m_0, m_1; m_j = μ m_{j−1} + (j−1) σ² m_{j−2}
        for j in range(2, k + 1):
            prev, cur = cur, mu * cur + (j - 1) * var * prev
        return cur

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.mu + self.sd * rng.standard_normal(n)

    def block_sums(self, kind: str, blocks: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray | None:
        b = blocks.astype(float)
        if kind == "x":
            return rng.normal(b * self.mu, np.sqrt(b) * self.sd)
        if kind == "x2":
            # Σ (μ + σZ)² = σ² Σ (μ/σ + Z)², a noncentral χ² with b degrees of freedom.
            shift = (self.mu / self.sd) ** 2
            return self.sd**2 * rng.noncentral_chisquare(b, b * shift)
        return None


@dataclass(frozen=True)
class Exponential(_Continuous):
    """Exponential with rate λ (mean 1/λ)."""

    rate: float
    """The rate λ."""
    key: ClassVar[str] = "exponential"
    label: ClassVar[str] = "Exponential"
    params: ClassVar[tuple[Param, ...]] = (
        Param("exp_rate", "Rate λ (mean 1/λ)", 0.0, 100.0, 1.0, step=0.1, key="rate",
              widget="number"),)

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> Exponential:
        return cls(spec.exp_rate)

    def problem(self) -> str | None:
        if not _finite(self.rate) or not 1e-4 <= self.rate <= 1e4:
            return "The rate λ must be positive (between 0.0001 and 10,000)."
        return None

    def density(self, x: np.ndarray) -> np.ndarray:
        return np.where(x >= 0, self.rate * np.exp(-self.rate * np.maximum(x, 0)), 0.0)

    def plot_range(self) -> tuple[float, float]:
        return 0.0, 9.0 / self.rate

    def quadrature_range(self) -> tuple[float, float]:
        return 0.0, 40.0 / self.rate

    def expect(self, kind: str, c: float) -> float:
        rate = self.rate
        if kind == "x":
            return 1.0 / rate
        if kind == "x2":
            return 2.0 / rate**2
        if kind == "abs":
            if c <= 0:
                return 1.0 / rate - c
            return c - 1.0 / rate + 2.0 * math.exp(-rate * c) / rate
        return 1.0 if c < 0 else math.exp(-rate * c)

    def expect_p_times(self, kind: str, c: float) -> float:
        # p² is λ/2 times the density of rate 2λ.
        return self.rate / 2.0 * Exponential(2.0 * self.rate).expect(kind, c)

    def probability_at_most(self, c: float) -> float:
        return 0.0 if c < 0 else -math.expm1(-self.rate * c)

    def abs_variance(self, c: float) -> float:
        if c <= 0:
            return self.variance()
        s = self.rate * c  # E|X − c|·λ = s − 1 + 2e^{−s}, E(X − c)²·λ² = (s − 1)² + 1
        return (1.0 - 4.0 * (s - 1.0) * math.exp(-s) - 4.0 * math.exp(-2.0 * s)) / self.rate**2

    def mean(self) -> float:
        return 1.0 / self.rate

    def variance(self) -> float:
        return 1.0 / self.rate**2

    def central_moment(self, k: int) -> float:  # !k / λ^k, the subfactorial of k
        derangements = [1, 0]
        for j in range(2, k + 1):
            derangements.append((j - 1) * (derangements[-1] + derangements[-2]))
        return derangements[k] / self.rate**k

    def raw_moment(self, k: int) -> float:
        return math.factorial(k) / self.rate**k

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.standard_exponential(n) / self.rate

    def block_sums(self, kind: str, blocks: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray | None:
        if kind == "x":  # a sum of b exponentials is a gamma
            return rng.gamma(blocks.astype(float), 1.0 / self.rate)
        return None


@dataclass(frozen=True)
class Uniform(_Continuous):
    """Uniform on [a, b]."""

    low: float
    """The left end a."""
    high: float
    """The right end b."""
    key: ClassVar[str] = "uniform"
    label: ClassVar[str] = "Uniform on [a, b]"
    params: ClassVar[tuple[Param, ...]] = (
        Param("low", "Left end a", -100.0, 100.0, 0.0, step=0.5, key="a", widget="number"),
        Param("high", "Right end b", -100.0, 100.0, 1.0, step=0.5, key="b", widget="number"))

    @classmethod
    def from_spec(cls, spec: DistributionSpec) -> Uniform:
        return cls(spec.low, spec.high)

    def problem(self) -> str | None:
        if not _finite(self.low, self.high) or max(abs(self.low), abs(self.high)) > 1e4:
            return "Both ends must be numbers between −10,000 and 10,000."
        if not self.low < self.high:
            return "The left end a must be below the right end b."
        return None

    def density(self, x: np.ndarray) -> np.ndarray:
        inside = (x >= self.low) & (x <= self.high)
        return np.where(inside, 1.0 / (self.high - self.low), 0.0)

    def plot_range(self) -> tuple[float, float]:
        return self.low, self.high

    def quadrature_range(self) -> tuple[float, float]:
        return self.low, self.high

    def expect(self, kind: str, c: float) -> float:
        a, b = self.low, self.high
        if kind == "x":
            return (a + b) / 2.0
        if kind == "x2":
            return (a * a + a * b + b * b) / 3.0
        if kind == "abs":
            if c <= a:
                return (a + b) / 2.0 - c
            if c >= b:
                return c - (a + b) / 2.0
            return ((c - a) ** 2 + (b - c) ** 2) / (2.0 * (b - a))
        return min(1.0, max(0.0, (b - c) / (b - a)))

    def expect_p_times(self, kind: str, c: float) -> float:
        return self.expect(kind, c) / (self.high - self.low)

    def probability_at_most(self, c: float) -> float:
        return min(1.0, max(0.0, (c - self.low) / (self.high - self.low)))

    def abs_variance(self, c: float) -> float:
        a, b = self.low, self.high
        if c <= a or c >= b:
            return self.variance()
        left, right, w = c - a, b - c, b - a
        return (left**3 + right**3) / (3.0 * w) - ((left**2 + right**2) / (2.0 * w)) ** 2

    def mean(self) -> float:
        return (self.low + self.high) / 2.0

    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def central_moment(self, k: int) -> float:
        half = (self.high - self.low) / 2.0
        return 0.0 if k % 2 else half**k / (k + 1)

    def raw_moment(self, k: int) -> float:
        a, b = self.low, self.high
        if k == 0:
            return 1.0
        if k == -1:
            return (math.log(abs(b)) - math.log(abs(a))) / (b - a)
        return (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))

    def negative_moments_exist(self) -> bool:
        return self.low > 0 or self.high < 0

    def power_covariance(self, p: int, q: int) -> float:
        """With a negative power (an interval without 0): X = m(1 + rU), U uniform on
        [−1, 1], m the midpoint and r = half-width/m (|r| < 1), so E[X^s] = m^s (1 + F_s) and
        Cov = m^{p+q} (F_{p+q} − F_p − F_q − F_p F_q), every F_s O(r²) and computed without
        cancellation."""
        if (p >= 0 and q >= 0) or p == 0 or q == 0:
            return super().power_covariance(p, q)
        a, b = self.low, self.high
        mid, half = (a + b) / 2.0, (b - a) / 2.0
        r = half / mid

        def excess(s: int) -> float:  # F_s = E[(1 + rU)^s] − 1
            if s >= 0:
                return sum(math.comb(s, j) * r**j / (j + 1) for j in range(2, s + 1, 2))
            if s == -1:  # atanh(r)/r − 1 = Σ_{i ≥ 1} r^{2i}/(2i + 1)
                if abs(r) < 0.5:
                    return sum(r ** (2 * i) / (2 * i + 1) for i in range(1, 60))
                return mid / (b - a) * math.log(b / a) - 1.0  # atanh(r) = log(b/a)/2
            if s == -2:  # 1/(1 − r²) − 1 = half²/(a·b)
                return half * half / (a * b)
            raise ValueError(f"power {s} is not supported")

        fp, fq = excess(p), excess(q)
        return mid ** (p + q) * (excess(p + q) - fp - fq - fp * fq)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


FAMILY_TYPES: dict[str, type[DiscreteFamily] | type[ContinuousFamily]] = {
    cls.key: cls for cls in (UniformInt, Custom, Binomial, Poisson, Normal, Exponential, Uniform)
}
"""Every family, by key, in menu order: adding a family is one class and one entry here."""

FAMILIES: dict[str, str] = {key: cls.label for key, cls in FAMILY_TYPES.items()}
"""Every family key and its label, in menu order."""


def family(spec: DistributionSpec) -> Family:
    """The family object ``spec`` picks, with its parameters."""
    return FAMILY_TYPES[spec.family].from_spec(spec)


def discrete_family(spec: DistributionSpec) -> DiscreteFamily:
    """``family(spec)``, which must be discrete."""
    fam = family(spec)
    if not isinstance(fam, _Discrete):
        raise ValueError(f"{spec.family!r} is not discrete")
    return cast(DiscreteFamily, fam)


def continuous_family(spec: DistributionSpec) -> ContinuousFamily:
    """``family(spec)``, which must be continuous."""
    fam = family(spec)
    if not isinstance(fam, _Continuous):
        raise ValueError(f"{spec.family!r} is not continuous")
    return cast(ContinuousFamily, fam)


# ---------------------------------------------------------------- discrete support


def support_of(spec: DistributionSpec) -> tuple[np.ndarray, np.ndarray]:
    """(outcomes, probabilities) of a valid discrete ``spec``.

    Probabilities are exact except for the Poisson, whose support is cut where the remaining
    tail mass is below ``POISSON_TAIL``.
    """
    return discrete_family(spec).support()


def normalise(weights) -> np.ndarray:
    """Weights divided by their sum: probabilities that add up to 1."""
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def function_on_support(fn: FunctionSpec, spec: DistributionSpec) -> np.ndarray:
    """f at each outcome of a valid discrete ``spec`` (support order)."""
    if fn.kind == "table":
        return np.asarray(fn.table, dtype=float)
    return apply_function(fn, support_of(spec)[0]).astype(float)


def centred(values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``values`` minus their mean under ``probs``: exactly 0 everywhere when the values are
    all equal (a constant never shows a rounding residue), the real deviations otherwise,
    however small."""
    values = np.asarray(values, dtype=float)
    if values.size == 0 or np.all(values == values[0]):
        return np.zeros_like(values)
    return values - probs @ values


# ---------------------------------------------------------------- continuous closed forms


def density(spec: DistributionSpec, x: np.ndarray) -> np.ndarray:
    """The pdf of a valid continuous ``spec`` at ``x``."""
    return continuous_family(spec).density(np.asarray(x, dtype=float))


def plot_range(spec: DistributionSpec) -> tuple[float, float]:
    """An interval holding essentially all of the mass (for pdf curves and histograms)."""
    if spec.is_discrete:
        values = support_of(spec)[0]
        return float(values.min()), float(values.max())
    return continuous_family(spec).plot_range()


# ---------------------------------------------------------------- exact moments


def mean(spec: DistributionSpec) -> float:
    """E[X], in closed form."""
    return family(spec).mean()


def variance(spec: DistributionSpec) -> float:
    """Var[X], in closed form."""
    return family(spec).variance()


def expectation(spec: DistributionSpec, fn: FunctionSpec) -> float:
    """E[f(X)]: Σ p(x) f(x) for discrete X, the closed-form integral for continuous X."""
    if spec.is_discrete:
        return float(support_of(spec)[1] @ function_on_support(fn, spec))
    return continuous_family(spec).expect(fn.kind, fn.c)


def second_moment_of_f(spec: DistributionSpec, fn: FunctionSpec) -> float:
    """E[f(X)²], used for the spread of the sample average."""
    if spec.is_discrete:
        return float(support_of(spec)[1] @ function_on_support(fn, spec) ** 2)
    fam, kind, c = continuous_family(spec), fn.kind, fn.c
    if kind == "x":
        return fam.expect("x2", 0.0)
    if kind == "indicator":
        return fam.expect("indicator", c)
    if kind == "abs":  # (x − c)² = x² − 2cx + c²
        return fam.expect("x2", 0.0) - 2 * c * fam.expect("x", 0.0) + c * c
    return raw_moment(spec, 4)  # f = x², so f² = x⁴


def sd_of_f(spec: DistributionSpec, fn: FunctionSpec) -> float:
    """The standard deviation of f(X): exactly 0 when f(X) is constant, and computed centred
    (never as E[f²] − E[f]², whose cancellation turns a small real spread into 0)."""
    if spec.is_discrete:
        probs = support_of(spec)[1]
        keep = probs > 0
        fvals = function_on_support(fn, spec)[keep]
        var = float(probs[keep] @ centred(fvals, probs[keep]) ** 2)
    else:
        fam = continuous_family(spec)
        if fn.kind == "x":
            var = fam.variance()
        elif fn.kind == "x2":
            var = fam.power_covariance(2, 2)
        elif fn.kind == "indicator":
            var = fam.expect("indicator", fn.c) * fam.probability_at_most(fn.c)
        else:
            var = fam.abs_variance(fn.c)
    return math.sqrt(max(var, 0.0))


def central_moment(spec: DistributionSpec, k: int) -> float:
    """E[(X − EX)^k] of a continuous family, in closed form (k ≥ 0)."""
    return continuous_family(spec).central_moment(k)


def power_covariance(spec: DistributionSpec, p: int, q: int) -> float:
    """Cov(X^p, X^q) of a continuous family, computed centred (p, q ≥ −1; a negative power
    only where E[X^p] exists)."""
    return continuous_family(spec).power_covariance(p, q)


def raw_moment(spec: DistributionSpec, k: int) -> float:
    """E[X^k] for an integer k (negative k allowed when the moment exists).

    Raises ValueError when the moment does not exist; ``moment_problem`` says why beforehand.
    """
    problem = moment_problem(spec, k)
    if problem:
        raise ValueError(problem)
    if spec.is_discrete:
        values, probs = support_of(spec)
        keep = probs > 0  # outcomes of probability 0 (e.g. τ = 0) do not count
        return float(probs[keep] @ values[keep] ** float(k))
    return continuous_family(spec).raw_moment(k)


def moment_problem(spec: DistributionSpec, k: int) -> str | None:
    """Why E[X^k] does not exist (a negative power of a variable that can be 0), or None."""
    if k >= 0:
        return None
    if spec.is_discrete:
        values, probs = support_of(spec)
        if np.any(values[probs > 0] == 0):
            return ("1/τ is undefined at τ = 0, and τ = 0 has positive probability here: "
                    "pick a distribution that never gives 0.")
        return None
    fam = continuous_family(spec)
    if fam.negative_moments_exist():
        try:
            finite = math.isfinite(fam.raw_moment(k)) and math.isfinite(fam.raw_moment(2 * k))
        except (OverflowError, ZeroDivisionError):
            finite = False
        if finite:
            return None
        return ("E[1/τ] and E[1/τ²] are too large to compute here: move the interval's ends "
                "further away from 0.")
    return ("E[1/τ] does not exist for this distribution: its density is positive near τ = 0, "
            "where 1/τ blows up. Use a uniform on an interval that excludes 0.")


def expectation_of_p_times_f(spec: DistributionSpec, fn: FunctionSpec) -> float:
    """E[p(X) f(X)] = Σ p(x)² f(x) (or ∫ p² f): what "weighting the samples by p again" gives.

    For the continuous families p² is itself a scaled density of the same family, so the
    integral has a closed form.
    """
    if spec.is_discrete:
        probs = support_of(spec)[1]
        return float(probs**2 @ function_on_support(fn, spec))
    return continuous_family(spec).expect_p_times(fn.kind, fn.c)


def quadrature_expectation(spec: DistributionSpec, g, points: int = 400_001,
                           breaks: tuple[float, ...] = ()) -> float:
    """∫ p(x) g(x) dx by the midpoint rule on a fine grid: a cross-check of the closed forms.

    ``breaks`` are points where g jumps or kinks (such as c); the grid is split there so the
    rule stays accurate.
    """
    lo, hi = continuous_family(spec).quadrature_range()
    edges = [lo, *sorted(b for b in breaks if lo < b < hi), hi]
    total = 0.0
    for a, b in itertools.pairwise(edges):
        m = max(100, int(points * (b - a) / (hi - lo)))
        x = a + (b - a) * (np.arange(m) + 0.5) / m  # midpoints never sit on a break
        total += float(np.sum(density(spec, x) * g(x)) * (b - a) / m)
    return total


# ---------------------------------------------------------------- sampling


def sample(spec: DistributionSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` independent draws of X."""
    return family(spec).sample(n, rng)


def sum_expression(probs: np.ndarray, fvals: np.ndarray, total: float, *,
                   max_terms: int = 6) -> str:
    """The exact expectation written out as a LaTeX sum with the actual numbers,
    e.g. ``0.1 \\cdot 1 + 0.1 \\cdot 4 + \\dots = 38.5``, every number as :func:`fmt` shows an
    exact value; long sums keep the first three and last two terms."""
    terms = [f"{fmt(p)} \\cdot {_paren(fmt(f))}" for p, f in zip(probs, fvals, strict=True)]
    if len(terms) > max_terms:
        terms = [*terms[:3], "\\dots", *terms[-2:]]
    return " + ".join(terms) + f" = {fmt(total)}"


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


EXACT_DECIMALS = 4
"""Decimals of an exact value on every page, in sentences, metrics and tables alike (tables
through ``ui.presenter.readable``); trailing zeros are dropped."""
ROUND_OFF = 1e-12
"""An exact value with ``|value| ≤ ROUND_OFF`` is floating-point round-off of zero (5.6e-17 for
Σ π(a)·∇log π(a)): double precision leaves about 1e-16 per operation on the numbers of order
one these values come from."""


def fmt(value: float, digits: int | None = None) -> str:
    """A number as every page shows it.

    An exact value (``digits`` None): :data:`EXACT_DECIMALS` decimals without trailing zeros
    (38.5, 0.25, 2.6667, -0.5556, 1); round-off of zero (:data:`ROUND_OFF`) as 0, never
    5.6e-17 or -0; a real value too small for four decimals in three significant digits
    (1.23e-7), never as 0. An estimate (``digits`` given): ``digits`` significant digits
    (3.5123, 0.0123, 1.2e-7)."""
    if not math.isfinite(value):
        return str(value)
    if value == 0 or (digits is None and abs(value) <= ROUND_OFF):
        return "0"
    if digits is None:
        text = f"{value:.{EXACT_DECIMALS}f}".rstrip("0").rstrip(".")
        if text not in ("0", "-0"):
            return text
        digits = 3
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text
