"""Running sample averages of f(X): K independent runs, a ±1.96·SE band, and the
"weighting by p again" trap (the average of p(xᵢ)·f(xᵢ), which tends to Σ p² f, not Σ p f).

Only the running average at a few hundred log-spaced checkpoints is ever drawn, so for a
discrete X the samples between two checkpoints are summarised by how often each outcome
occurred. Those counts are drawn directly from their exact multinomial distribution, which is
the same in law as drawing every sample one by one, but costs per checkpoint, not per sample.
For a continuous X, run 1 is sampled draw by draw (its samples feed the histogram, the
standard error and the p-weighted average); the other runs draw each block's sum from its
exact law when there is one (``_block_sums_by_law``) and are sampled draw by draw otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import distributions as dist
from core.confidence import Z95
from core.limits import sample_budget_problem
from core.thinning import MAX_POINTS_PER_TRACE, log_spaced_indices

MAX_SAMPLES = 1_000_000
"""Largest N (samples per run)."""
MAX_RUNS = 20
"""Largest K (independent runs)."""
POINT_BUDGET = 12_000
"""Points shared by all run traces of one chart, so K runs stay well under 300 KB."""
HIST_BINS = 60
"""Histogram bins for a continuous X."""


@dataclass(frozen=True)
class RunsResult:
    """K independent runs of the running average of f(X), at log-spaced checkpoints."""

    sizes: np.ndarray
    """Sample count n at each checkpoint (1 ... N), shape (B,)."""
    averages: np.ndarray
    """Running average of f over the first n samples, shape (K, B)."""
    first_se: np.ndarray
    """Run 1's estimated standard error s_n/√n at each checkpoint (NaN at n = 1)."""
    first_weighted: np.ndarray
    """Run 1's running average of p(xᵢ)·f(xᵢ), the "weight by p again" mistake."""
    exact: float
    """E[f(X)] = Σ p f (or ∫ p f)."""
    exact_weighted: float
    """E[p(X) f(X)] = Σ p² f (or ∫ p² f): where the mistaken average goes."""
    sd_f: float
    """Exact standard deviation of f(X)."""
    outcomes: np.ndarray
    """Discrete: the support; continuous: histogram bin centres."""
    frequencies: np.ndarray
    """Run 1's share of samples at each outcome (discrete) or its density per bin
    (continuous, normalised by N so it compares with the pdf)."""
    bin_width: float
    """Histogram bin width (0 for a discrete X)."""

    @property
    def final(self) -> np.ndarray:
        """The K sample averages at n = N."""
        return self.averages[:, -1]

    @property
    def envelope(self) -> np.ndarray:
        """Half-width 1.96·σ_f/√n of the band that holds about 95 % of runs at each n."""
        return Z95 * self.sd_f / np.sqrt(self.sizes)


def validate_run_sizes(n_samples: int, n_runs: int) -> str | None:
    """Why (N, K) is not a valid request, or None."""
    if not 1 <= int(n_samples) <= MAX_SAMPLES:
        return f"N must be between 1 and {MAX_SAMPLES:,}."
    if not 1 <= int(n_runs) <= MAX_RUNS:
        return f"K must be between 1 and {MAX_RUNS}."
    return sample_budget_problem(int(n_samples) * int(n_runs))


def points_per_trace(n_runs: int) -> int:
    """Checkpoints per run trace: at most 2,000, fewer when many runs share one chart."""
    return int(min(MAX_POINTS_PER_TRACE, max(200, POINT_BUDGET // max(1, n_runs))))


def checkpoints(n_samples: int, max_points: int) -> np.ndarray:
    """Sample counts 1..N, log-spaced, first and last included, at most ``max_points``."""
    return log_spaced_indices(n_samples, max_points) + 1


def _standard_error(sum_d: np.ndarray, sum_d2: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """s_n/√n from running sums of d = f − shift and d², shift near E[f]: the deviations are
    summed, not f itself, so Σd² − (Σd)²/n keeps a small spread that Σf² − (Σf)²/n, two
    nearly equal large numbers, would round to 0."""
    n = sizes.astype(float)
    mean = sum_d / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.maximum(sum_d2 / n - mean**2, 0.0) * n / (n - 1)
        se = np.sqrt(var / n)
    se[sizes < 2] = np.nan
    return se


def simulate_runs(spec: dist.DistributionSpec, fn: dist.FunctionSpec, n_samples: int,
                  n_runs: int, rng: np.random.Generator,
                  max_points: int | None = None) -> RunsResult:
    """Draw K runs of N samples of X and track the running averages (inputs must be valid)."""
    n_samples, n_runs = int(n_samples), int(n_runs)
    sizes = checkpoints(n_samples, max_points or points_per_trace(n_runs))
    blocks = np.diff(sizes, prepend=0)
    exact = dist.expectation(spec, fn)
    if spec.is_discrete:
        body = _discrete_runs(spec, fn, sizes, blocks, n_runs, rng, exact)
    else:
        body = _continuous_runs(spec, fn, sizes, blocks, n_runs, rng, exact)
    averages, first_dev, first_dev_sq, first_weighted, outcomes, frequencies, width = body
    return RunsResult(
        sizes=sizes,
        averages=averages,
        first_se=_standard_error(first_dev, first_dev_sq, sizes),
        first_weighted=first_weighted,
        exact=exact,
        exact_weighted=dist.expectation_of_p_times_f(spec, fn),
        sd_f=dist.sd_of_f(spec, fn),
        outcomes=outcomes,
        frequencies=frequencies,
        bin_width=width,
    )


def _discrete_runs(spec, fn, sizes, blocks, n_runs, rng, shift):
    values, probs = dist.support_of(spec)
    fvals = dist.function_on_support(fn, spec)
    # Most likely outcomes first: numpy's multinomial stops once a block is used up.
    order = np.argsort(-probs, kind="stable")
    p_sorted = probs[order] / probs.sum()
    counts = rng.multinomial(np.broadcast_to(blocks, (n_runs, blocks.size)), p_sorted)
    f_sorted = fvals[order]
    averages = np.cumsum(counts @ f_sorted, axis=1) / sizes
    first = counts[0]
    first_dev = np.cumsum(first @ (f_sorted - shift))
    first_dev_sq = np.cumsum(first @ (f_sorted - shift) ** 2)
    first_weighted = np.cumsum(first @ (p_sorted * f_sorted)) / sizes
    totals = np.empty(values.size)
    totals[order] = first.sum(axis=0)
    return averages, first_dev, first_dev_sq, first_weighted, values, totals / sizes[-1], 0.0


def _continuous_runs(spec, fn, sizes, blocks, n_runs, rng, shift):
    n = int(sizes[-1])
    starts = sizes - blocks
    averages = np.empty((n_runs, sizes.size))
    first_dev = first_dev_sq = first_weighted = frequencies = centres = None
    lo, hi = dist.plot_range(spec)
    width = (hi - lo) / HIST_BINS
    for k in range(n_runs):
        exact_law = _block_sums_by_law(spec, fn, blocks, rng) if k > 0 else None
        if exact_law is not None:
            averages[k] = np.cumsum(exact_law) / sizes
            continue
        x = dist.sample(spec, n, rng)
        fx = dist.apply_function(fn, x)
        averages[k] = np.cumsum(np.add.reduceat(fx, starts)) / sizes
        if k == 0:
            dev = fx - shift
            first_dev = np.cumsum(np.add.reduceat(dev, starts))
            first_dev_sq = np.cumsum(np.add.reduceat(dev * dev, starts))
            pf = dist.density(spec, x) * fx
            first_weighted = np.cumsum(np.add.reduceat(pf, starts)) / sizes
            idx = np.floor((x - lo) / width).astype(np.int64)
            inside = (idx >= 0) & (idx < HIST_BINS)
            frequencies = np.bincount(idx[inside], minlength=HIST_BINS) / (n * width)
            centres = lo + width * (np.arange(HIST_BINS) + 0.5)
    return averages, first_dev, first_dev_sq, first_weighted, centres, frequencies, width


def _block_sums_by_law(spec: dist.DistributionSpec, fn: dist.FunctionSpec, blocks: np.ndarray,
                       rng: np.random.Generator) -> np.ndarray | None:
    """Σ f(xᵢ) over each block of b independent draws, drawn in one step from its exact law,
    or None when that law has no sampler here.

    Used for runs 2..K only (run 1 keeps its samples for the histogram, its standard error
    and the p-weighted average). An indicator sums to a binomial; otherwise the family says
    (``ContinuousFamily.block_sums``: for a normal, Σ x is normal and Σ x² is σ² times a
    noncentral chi-square; for an exponential, Σ x is a gamma).
    """
    if fn.kind == "indicator":
        above = dist.expectation(spec, fn)
        return rng.binomial(blocks, min(max(above, 0.0), 1.0)).astype(float)
    if spec.is_discrete:
        return None
    return dist.continuous_family(spec).block_sums(fn.kind, blocks, rng)


def spread_summary(result: RunsResult) -> tuple[float, float]:
    """(observed SD of the K final averages, predicted σ_f/√N); the first is NaN for K = 1."""
    final = result.final
    observed = float(np.std(final, ddof=1)) if final.size > 1 else math.nan
    return observed, result.sd_f / math.sqrt(float(result.sizes[-1]))
