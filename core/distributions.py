"""Distribution families and functions f(x), with exact expectations and seeded sampling.

Discrete families are reduced to a finite table (outcomes, probabilities), so every exact
expectation is a plain sum. Continuous families use closed forms; a numerical quadrature
(``quadrature_expectation``) exists only to cross-check them.
"""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass

import numpy as np

DISCRETE_FAMILIES: dict[str, str] = {
    "uniform_int": "Uniform on 1..n",
    "custom": "Your own table",
    "binomial": "Binomial",
    "poisson": "Poisson",
}
"""Discrete family keys and their labels."""

CONTINUOUS_FAMILIES: dict[str, str] = {
    "normal": "Normal",
    "exponential": "Exponential",
    "uniform": "Uniform on [a, b]",
}
"""Continuous family keys and their labels."""

FAMILIES: dict[str, str] = {**DISCRETE_FAMILIES, **CONTINUOUS_FAMILIES}
"""Every family key and its label, in menu order."""

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
    """One of ``FAMILIES``."""
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
        return self.family in DISCRETE_FAMILIES


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
    fam = spec.family
    if fam not in FAMILIES:
        return f"Unknown distribution {fam!r}."
    if fam == "uniform_int":
        if not isinstance(spec.n, numbers.Integral) or not 1 <= spec.n <= MAX_UNIFORM_N:
            return f"n must be a whole number from 1 to {MAX_UNIFORM_N}."
    elif fam == "custom":
        return validate_table(spec.table_values, spec.table_weights)
    elif fam == "binomial":
        if not isinstance(spec.trials, numbers.Integral) or not 1 <= spec.trials <= MAX_TRIALS:
            return f"The number of trials must be a whole number from 1 to {MAX_TRIALS}."
        if not _finite(spec.success) or not 0 <= spec.success <= 1:
            return "The success probability must lie between 0 and 1."
    elif fam == "poisson":
        if not _finite(spec.poisson_rate) or not 0 < spec.poisson_rate <= MAX_POISSON_RATE:
            return f"The Poisson mean λ must be above 0 and at most {MAX_POISSON_RATE:g}."
    elif fam == "normal":
        if not _finite(spec.mean, spec.sd) or abs(spec.mean) > 1e4:
            return "The mean must be a number between −10,000 and 10,000."
        if not 0 < spec.sd <= 1e4:
            return "The standard deviation σ must be above 0 (and at most 10,000)."
    elif fam == "exponential":
        if not _finite(spec.exp_rate) or not 1e-4 <= spec.exp_rate <= 1e4:
            return "The rate λ must be positive (between 0.0001 and 10,000)."
    elif fam == "uniform":
        if not _finite(spec.low, spec.high) or max(abs(spec.low), abs(spec.high)) > 1e4:
            return "Both ends must be numbers between −10,000 and 10,000."
        if not spec.low < spec.high:
            return "The left end a must be below the right end b."
    return None


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


# ---------------------------------------------------------------- discrete support


def _poisson_support(rate: float) -> tuple[np.ndarray, np.ndarray]:
    top = int(rate + 40.0 * math.sqrt(rate) + 60)
    k = np.arange(top + 1, dtype=float)
    log_pmf = k * math.log(rate) - rate - np.array([math.lgamma(v + 1) for v in k])
    pmf = np.exp(log_pmf)
    tail_after = np.cumsum(pmf[::-1])[::-1] - pmf  # mass strictly beyond each k
    last = int(np.argmax(tail_after < POISSON_TAIL))
    return k[: last + 1], pmf[: last + 1]


def _binomial_pmf(trials: int, p: float) -> np.ndarray:
    k = np.arange(trials + 1, dtype=float)
    if p == 0.0:
        return (k == 0).astype(float)
    if p == 1.0:
        return (k == trials).astype(float)
    log_choose = np.array([math.lgamma(trials + 1) - math.lgamma(v + 1)
                           - math.lgamma(trials - v + 1) for v in k])
    return np.exp(log_choose + k * math.log(p) + (trials - k) * math.log1p(-p))


def support_of(spec: DistributionSpec) -> tuple[np.ndarray, np.ndarray]:
    """(outcomes, probabilities) of a valid discrete ``spec``.

    Probabilities are exact except for the Poisson, whose support is cut where the remaining
    tail mass is below ``POISSON_TAIL``.
    """
    if spec.family == "uniform_int":
        return np.arange(1, spec.n + 1, dtype=float), np.full(spec.n, 1.0 / spec.n)
    if spec.family == "custom":
        values = np.asarray(spec.table_values, dtype=float)
        weights = np.asarray(spec.table_weights, dtype=float)
        return values, normalise(weights)
    if spec.family == "binomial":
        return np.arange(spec.trials + 1, dtype=float), _binomial_pmf(spec.trials, spec.success)
    if spec.family == "poisson":
        return _poisson_support(spec.poisson_rate)
    raise ValueError(f"{spec.family!r} is not discrete")


def normalise(weights) -> np.ndarray:
    """Weights divided by their sum: probabilities that add up to 1."""
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def function_on_support(fn: FunctionSpec, spec: DistributionSpec) -> np.ndarray:
    """f at each outcome of a valid discrete ``spec`` (support order)."""
    if fn.kind == "table":
        return np.asarray(fn.table, dtype=float)
    return apply_function(fn, support_of(spec)[0]).astype(float)


# ---------------------------------------------------------------- continuous closed forms


def _phi(z: float) -> float:
    """Standard normal density."""
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _big_phi(z: float) -> float:
    """Standard normal CDF."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _normal_expect(kind: str, c: float, mu: float, sd: float) -> float:
    if kind == "x":
        return mu
    if kind == "x2":
        return mu * mu + sd * sd
    if kind == "abs":
        d = mu - c
        return sd * 2.0 * _phi(d / sd) + d * (1.0 - 2.0 * _big_phi(-d / sd))
    return _big_phi((mu - c) / sd)  # P(X > c)


def _exponential_expect(kind: str, c: float, rate: float) -> float:
    if kind == "x":
        return 1.0 / rate
    if kind == "x2":
        return 2.0 / rate**2
    if kind == "abs":
        if c <= 0:
            return 1.0 / rate - c
        return c - 1.0 / rate + 2.0 * math.exp(-rate * c) / rate
    return 1.0 if c < 0 else math.exp(-rate * c)


def _uniform_expect(kind: str, c: float, a: float, b: float) -> float:
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


def _continuous_expect(kind: str, c: float, spec: DistributionSpec) -> float:
    if spec.family == "normal":
        return _normal_expect(kind, c, spec.mean, spec.sd)
    if spec.family == "exponential":
        return _exponential_expect(kind, c, spec.exp_rate)
    return _uniform_expect(kind, c, spec.low, spec.high)


def density(spec: DistributionSpec, x: np.ndarray) -> np.ndarray:
    """The pdf of a valid continuous ``spec`` at ``x``."""
    x = np.asarray(x, dtype=float)
    if spec.family == "normal":
        z = (x - spec.mean) / spec.sd
        return np.exp(-0.5 * z * z) / (spec.sd * math.sqrt(2.0 * math.pi))
    if spec.family == "exponential":
        return np.where(x >= 0, spec.exp_rate * np.exp(-spec.exp_rate * np.maximum(x, 0)), 0.0)
    if spec.family == "uniform":
        inside = (x >= spec.low) & (x <= spec.high)
        return np.where(inside, 1.0 / (spec.high - spec.low), 0.0)
    raise ValueError(f"{spec.family!r} is not continuous")


def plot_range(spec: DistributionSpec) -> tuple[float, float]:
    """An interval holding essentially all of the mass (for pdf curves and histograms)."""
    if spec.is_discrete:
        values = support_of(spec)[0]
        return float(values.min()), float(values.max())
    if spec.family == "normal":
        return spec.mean - 4.5 * spec.sd, spec.mean + 4.5 * spec.sd
    if spec.family == "exponential":
        return 0.0, 9.0 / spec.exp_rate
    return spec.low, spec.high


# ---------------------------------------------------------------- exact moments


def mean(spec: DistributionSpec) -> float:
    """E[X], in closed form."""
    fam = spec.family
    if fam == "uniform_int":
        return (spec.n + 1) / 2.0
    if fam == "binomial":
        return spec.trials * spec.success
    if fam == "poisson":
        return spec.poisson_rate
    if fam == "normal":
        return spec.mean
    if fam == "exponential":
        return 1.0 / spec.exp_rate
    if fam == "uniform":
        return (spec.low + spec.high) / 2.0
    values, probs = support_of(spec)
    return float(probs @ values)


def variance(spec: DistributionSpec) -> float:
    """Var[X], in closed form."""
    fam = spec.family
    if fam == "uniform_int":
        return (spec.n**2 - 1) / 12.0
    if fam == "binomial":
        return spec.trials * spec.success * (1.0 - spec.success)
    if fam == "poisson":
        return spec.poisson_rate
    if fam == "normal":
        return spec.sd**2
    if fam == "exponential":
        return 1.0 / spec.exp_rate**2
    if fam == "uniform":
        return (spec.high - spec.low) ** 2 / 12.0
    values, probs = support_of(spec)
    return float(probs @ centred(values, probs) ** 2)


def expectation(spec: DistributionSpec, fn: FunctionSpec) -> float:
    """E[f(X)]: Σ p(x) f(x) for discrete X, the closed-form integral for continuous X."""
    if spec.is_discrete:
        return float(support_of(spec)[1] @ function_on_support(fn, spec))
    return _continuous_expect(fn.kind, fn.c, spec)


def second_moment_of_f(spec: DistributionSpec, fn: FunctionSpec) -> float:
    """E[f(X)²], used for the spread of the sample average."""
    if spec.is_discrete:
        return float(support_of(spec)[1] @ function_on_support(fn, spec) ** 2)
    kind, c = fn.kind, fn.c
    if kind == "x":
        return _continuous_expect("x2", 0.0, spec)
    if kind == "indicator":
        return _continuous_expect("indicator", c, spec)
    if kind == "abs":  # (x − c)² = x² − 2cx + c²
        return (_continuous_expect("x2", 0.0, spec) - 2 * c * _continuous_expect("x", 0.0, spec)
                + c * c)
    return raw_moment(spec, 4)  # f = x², so f² = x⁴


def centred(values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``values`` minus their mean under ``probs``: exactly 0 everywhere when the values are
    all equal (a constant never shows a rounding residue), the real deviations otherwise,
    however small."""
    values = np.asarray(values, dtype=float)
    if values.size == 0 or np.all(values == values[0]):
        return np.zeros_like(values)
    return values - probs @ values


def sd_of_f(spec: DistributionSpec, fn: FunctionSpec) -> float:
    """The standard deviation of f(X): exactly 0 when f(X) is constant, and computed centred
    (never as E[f²] − E[f]², whose cancellation turns a small real spread into 0)."""
    if spec.is_discrete:
        probs = support_of(spec)[1]
        keep = probs > 0
        fvals = function_on_support(fn, spec)[keep]
        var = float(probs[keep] @ centred(fvals, probs[keep]) ** 2)
    else:
        var = _continuous_variance_of_f(spec, fn)
    return math.sqrt(max(var, 0.0))


def _continuous_variance_of_f(spec: DistributionSpec, fn: FunctionSpec) -> float:
    """Var f(X) for a continuous family, from centred closed forms."""
    if fn.kind == "x":
        return variance(spec)
    if fn.kind == "x2":
        return power_covariance(spec, 2, 2)
    if fn.kind == "indicator":
        above = _continuous_expect("indicator", fn.c, spec)
        return above * _probability_at_most(spec, fn.c)
    return _abs_variance(spec, fn.c)


def _probability_at_most(spec: DistributionSpec, c: float) -> float:
    """P(X ≤ c), computed as its own tail (not as 1 − P(X > c), which rounds to 0)."""
    if spec.family == "normal":
        return _big_phi((c - spec.mean) / spec.sd)
    if spec.family == "exponential":
        return 0.0 if c < 0 else -math.expm1(-spec.exp_rate * c)
    return min(1.0, max(0.0, (c - spec.low) / (spec.high - spec.low)))


def _abs_variance(spec: DistributionSpec, c: float) -> float:
    """Var |X − c| without subtracting two large squares: where X − c has one sign it is
    Var X; otherwise each family's form below, rearranged so the (μ − c)² terms cancel
    algebraically."""
    if spec.family == "normal":
        u = abs(spec.mean - c) / spec.sd
        t = _phi(u) - u * _big_phi(-u)  # E|Z + u| = u + 2t
        return spec.sd**2 * (1.0 - 4.0 * u * t - 4.0 * t * t)
    if spec.family == "exponential":
        if c <= 0:
            return variance(spec)
        s = spec.exp_rate * c  # E|X − c|·λ = s − 1 + 2e^{−s}, E(X − c)²·λ² = (s − 1)² + 1
        return (1.0 - 4.0 * (s - 1.0) * math.exp(-s) - 4.0 * math.exp(-2.0 * s)) / spec.exp_rate**2
    a, b = spec.low, spec.high
    if c <= a or c >= b:
        return variance(spec)
    left, right = c - a, b - c
    w = b - a
    return (left**3 + right**3) / (3.0 * w) - ((left**2 + right**2) / (2.0 * w)) ** 2


def central_moment(spec: DistributionSpec, k: int) -> float:
    """E[(X − EX)^k] of a continuous family, in closed form (k ≥ 0)."""
    if k == 0:
        return 1.0
    if spec.family == "normal":  # σ^k (k − 1)!! for even k
        return 0.0 if k % 2 else spec.sd**k * math.prod(range(k - 1, 0, -2))
    if spec.family == "exponential":  # !k / λ^k, the subfactorial of k
        derangements = [1, 0]
        for j in range(2, k + 1):
            derangements.append((j - 1) * (derangements[-1] + derangements[-2]))
        return derangements[k] / spec.exp_rate**k
    half = (spec.high - spec.low) / 2.0
    return 0.0 if k % 2 else half**k / (k + 1)


def power_covariance(spec: DistributionSpec, p: int, q: int) -> float:
    """Cov(X^p, X^q) of a continuous family, computed centred (p, q ≥ −1; a negative power
    only where E[X^p] exists).

    Writing X = μ + Z, Cov(X^p, X^q) = Σ_{j,k ≥ 1} C(p,j) C(q,k) μ^{p−j+q−k} (m_{j+k} − m_j m_k)
    with the central moments m: the μ^{p+q} terms that E[X^{p+q}] − E[X^p]E[X^q] subtracts
    never appear. With a negative power (a uniform on an interval without 0), see
    ``_uniform_power_covariance``.
    """
    if p == 0 or q == 0:
        return 0.0
    if p < 0 or q < 0:
        return _uniform_power_covariance(spec.low, spec.high, p, q)
    mu = mean(spec)
    m = [central_moment(spec, k) for k in range(p + q + 1)]
    return float(sum(math.comb(p, j) * math.comb(q, k) * mu ** (p - j + q - k)
                     * (m[j + k] - m[j] * m[k])
                     for j in range(1, p + 1) for k in range(1, q + 1)))


def _uniform_power_covariance(a: float, b: float, p: int, q: int) -> float:
    """Cov(X^p, X^q) for X uniform on [a, b] not containing 0: with X = m(1 + rU), U uniform
    on [−1, 1], m the midpoint and r = half-width/m (|r| < 1), E[X^s] = m^s (1 + F_s) and
    Cov = m^{p+q} (F_{p+q} − F_p − F_q − F_p F_q), where every F_s is O(r²) and computed
    without cancellation."""
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
    if k == 0:
        return 1.0
    if spec.family == "normal":
        mu, var = spec.mean, spec.sd**2
        prev, cur = 1.0, mu  # m_0, m_1; m_j = μ m_{j−1} + (j−1) σ² m_{j−2}
        for j in range(2, k + 1):
            prev, cur = cur, mu * cur + (j - 1) * var * prev
        return cur
    if spec.family == "exponential":
        return math.factorial(k) / spec.exp_rate**k
    a, b = spec.low, spec.high
    if k == -1:
        return (math.log(abs(b)) - math.log(abs(a))) / (b - a)
    return (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))


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
    if spec.family == "uniform" and (spec.low > 0 or spec.high < 0):
        return None
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
    if spec.family == "normal":
        narrow = DistributionSpec(family="normal", mean=spec.mean, sd=spec.sd / math.sqrt(2))
        return _continuous_expect(fn.kind, fn.c, narrow) / (2.0 * spec.sd * math.sqrt(math.pi))
    if spec.family == "exponential":
        faster = DistributionSpec(family="exponential", exp_rate=2.0 * spec.exp_rate)
        return spec.exp_rate / 2.0 * _continuous_expect(fn.kind, fn.c, faster)
    return _continuous_expect(fn.kind, fn.c, spec) / (spec.high - spec.low)


def quadrature_expectation(spec: DistributionSpec, g, points: int = 400_001,
                           breaks: tuple[float, ...] = ()) -> float:
    """∫ p(x) g(x) dx by the midpoint rule on a fine grid: a cross-check of the closed forms.

    ``breaks`` are points where g jumps or kinks (such as c); the grid is split there so the
    rule stays accurate.
    """
    lo, hi = plot_range(spec)
    if spec.family == "normal":
        lo, hi = spec.mean - 12 * spec.sd, spec.mean + 12 * spec.sd
    elif spec.family == "exponential":
        hi = 40.0 / spec.exp_rate
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
    if spec.is_discrete:
        values, probs = support_of(spec)
        return values[rng.choice(values.size, size=n, p=probs / probs.sum())]
    if spec.family == "normal":
        return spec.mean + spec.sd * rng.standard_normal(n)
    if spec.family == "exponential":
        return rng.standard_exponential(n) / spec.exp_rate
    return rng.uniform(spec.low, spec.high, n)


def sum_expression(probs: np.ndarray, fvals: np.ndarray, total: float, *,
                   max_terms: int = 6) -> str:
    """The exact expectation written out as a LaTeX sum with the actual numbers,
    e.g. ``0.1 \\cdot 1 + 0.1 \\cdot 4 + \\dots = 38.5``. Terms show 4 significant digits (the
    total 6); long sums keep the first three and last two terms."""
    terms = [f"{fmt(p, 4)} \\cdot {_paren(fmt(f, 4))}" for p, f in zip(probs, fvals, strict=True)]
    if len(terms) > max_terms:
        terms = [*terms[:3], "\\dots", *terms[-2:]]
    return " + ".join(terms) + f" = {fmt(total)}"


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def fmt(value: float, digits: int = 6) -> str:
    """A number as people write it: 38.5, 0.1, 30.25, 1.2e-07."""
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text
