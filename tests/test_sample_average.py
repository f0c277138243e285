"""core.sample_average: checkpoints, running averages within 4 standard errors of the exact
value, the 1/√N spread, and the "weighting by p again" trap converging to Σ p² f."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import distributions as dist
from core import sample_average as sa
from core.distributions import DistributionSpec as Spec
from core.distributions import FunctionSpec as Fn

SPECS = [
    Spec(),
    Spec(family="custom", table_values=(-1.0, 0.0, 2.0, 7.0), table_weights=(3.0, 1.0, 0.0, 2.0)),
    Spec(family="binomial", trials=40, success=0.3),
    Spec(family="poisson", poisson_rate=20.0),
    Spec(family="normal", mean=1.0, sd=2.0),
    Spec(family="exponential", exp_rate=0.5),
    Spec(family="uniform", low=-1.0, high=3.0),
]


def _trap_sd(spec: Spec, fn: Fn) -> float:
    """Exact SD of p(X)·f(X), for the trap's standard error."""
    if spec.is_discrete:
        probs = dist.support_of(spec)[1]
        g = probs * dist.function_on_support(fn, spec)
        return math.sqrt(max(probs @ (g - probs @ g) ** 2, 0.0))
    second = dist.quadrature_expectation(
        spec, lambda x: (dist.density(spec, x) * dist.apply_function(fn, x)) ** 2,
        breaks=(fn.c,))
    return math.sqrt(max(second - dist.expectation_of_p_times_f(spec, fn) ** 2, 0.0))


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 1_000_000), st.integers(2, 2000))
def test_checkpoints_are_sorted_bounded_and_end_at_n(n, max_points):
    sizes = sa.checkpoints(n, max_points)
    assert sizes[0] == 1 and sizes[-1] == n
    assert np.all(np.diff(sizes) > 0)
    assert len(sizes) <= max_points


def test_points_per_trace_keeps_every_trace_under_2000_points():
    assert sa.points_per_trace(1) == 2000
    assert all(sa.points_per_trace(k) * k <= max(sa.POINT_BUDGET, 200 * k) for k in range(1, 21))
    assert min(sa.points_per_trace(k) for k in range(1, 21)) >= 200


def test_validation():
    assert sa.validate_run_sizes(1_000_000, 20) is None
    assert sa.validate_run_sizes(1, 1) is None
    assert "N must" in sa.validate_run_sizes(0, 5)
    assert "N must" in sa.validate_run_sizes(1_000_001, 5)
    assert "K must" in sa.validate_run_sizes(10, 21)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.family)
@pytest.mark.parametrize("fn", [Fn("x2"), Fn("abs", c=1.5), Fn("indicator", c=0.5)],
                         ids=lambda f: f.kind)
def test_every_run_ends_within_4_standard_errors(spec, fn):
    n, k = 200_000, 6
    result = sa.simulate_runs(spec, fn, n, k, np.random.default_rng(7))
    assert result.averages.shape == (k, len(result.sizes))
    assert result.sizes[-1] == n
    assert result.exact == pytest.approx(dist.expectation(spec, fn))
    se = result.sd_f / math.sqrt(n)
    assert np.all(np.abs(result.final - result.exact) <= 4 * se + 1e-12)
    # The trap converges to Σ p² f, not to Σ p f.
    trap_se = _trap_sd(spec, fn) / math.sqrt(n)
    assert abs(result.first_weighted[-1] - result.exact_weighted) <= 4 * trap_se + 1e-12
    # Run 1's own standard-error estimate is close to the exact σ/√N at this N (not for an
    # indicator, whose variance can hinge on an outcome too rare to appear in one run).
    if fn.kind != "indicator":
        assert result.first_se[-1] == pytest.approx(se, rel=0.05)


@pytest.mark.parametrize("spec", [SPECS[0], SPECS[3], SPECS[4]], ids=lambda s: s.family)
def test_spread_of_runs_shrinks_like_one_over_root_n(spec):
    """The variance of the final averages over 200 runs matches σ²/N (chi-square, 4 SDs)."""
    fn = Fn("x2")
    for n in (100, 10_000):
        finals = np.concatenate([
            sa.simulate_runs(spec, fn, n, 20, np.random.default_rng([seed, n])).final
            for seed in range(10)])
        ratio = finals.var(ddof=1) / (dist.sd_of_f(spec, fn) ** 2 / n)
        # Var of the sample variance ratio ≈ 2/(m−1) plus a kurtosis term; 0.5 covers 4 SDs.
        assert abs(ratio - 1) < 0.5, (n, ratio)


def test_discrete_frequencies_are_run_one_counts():
    spec, fn = Spec(), Fn("x2")
    result = sa.simulate_runs(spec, fn, 50_000, 3, np.random.default_rng(1))
    assert result.frequencies.sum() == pytest.approx(1.0)
    counts = result.frequencies * 50_000
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-6)
    # Run 1's final average is exactly Σ (share of samples at x)·f(x).
    fx = dist.function_on_support(fn, spec)
    assert result.final[0] == pytest.approx(result.frequencies @ fx, rel=1e-12)
    assert result.first_weighted[-1] == pytest.approx(result.frequencies @ (0.1 * fx), rel=1e-12)
    # Each share is within 4 SE of its probability.
    se = math.sqrt(0.1 * 0.9 / 50_000)
    assert np.all(np.abs(result.frequencies - 0.1) <= 4 * se)


def test_small_n_keeps_every_sample_and_first_average_is_one_value():
    spec, fn = Spec(), Fn("x2")
    result = sa.simulate_runs(spec, fn, 30, 4, np.random.default_rng(2))
    np.testing.assert_array_equal(result.sizes, np.arange(1, 31))
    assert set(result.averages[:, 0]) <= {float(v) ** 2 for v in range(1, 11)}
    assert math.isnan(result.first_se[0]) and np.all(np.isfinite(result.first_se[1:]))


def test_continuous_histogram_is_a_density():
    spec = Spec(family="normal", mean=1.0, sd=2.0)
    result = sa.simulate_runs(spec, Fn("x"), 200_000, 1, np.random.default_rng(3))
    assert result.bin_width > 0 and len(result.outcomes) == sa.HIST_BINS
    mass = result.frequencies.sum() * result.bin_width
    assert mass == pytest.approx(1.0, abs=1e-4)  # the range holds all but ~7e-6 of the mass
    # The tallest bin is within 4 SE of the density there.
    i = int(np.argmax(dist.density(spec, result.outcomes)))
    p_bin = dist.density(spec, result.outcomes[i]) * result.bin_width
    se = math.sqrt(p_bin * (1 - p_bin) / 200_000) / result.bin_width
    assert abs(result.frequencies[i] - p_bin / result.bin_width) <= 4 * se + 1e-3 * p_bin


def test_point_mass_has_zero_spread_and_no_crash():
    result = sa.simulate_runs(Spec(family="uniform_int", n=1), Fn("x2"), 1000, 3,
                              np.random.default_rng(0))
    assert np.all(result.averages == 1.0)
    assert result.sd_f == 0.0 and np.all(result.envelope == 0.0)
    observed, predicted = sa.spread_summary(result)
    assert observed == 0.0 and predicted == 0.0


def test_same_seed_same_runs():
    a = sa.simulate_runs(Spec(family="poisson"), Fn("x"), 5000, 3, np.random.default_rng(9))
    b = sa.simulate_runs(Spec(family="poisson"), Fn("x"), 5000, 3, np.random.default_rng(9))
    np.testing.assert_array_equal(a.averages, b.averages)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12).flatmap(lambda k: st.tuples(
    st.lists(st.integers(-100, 100), min_size=k, max_size=k, unique=True),
    st.lists(st.floats(0.0, 1e3, allow_nan=False), min_size=k, max_size=k),
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=k, max_size=k)))
    .filter(lambda t: sum(t[1]) > 0),
    st.integers(1, 5000), st.integers(1, 20))
def test_any_valid_table_runs_cleanly(table, n, k):
    values, weights, fvals = table
    spec = Spec(family="custom", table_values=tuple(map(float, values)),
                table_weights=tuple(weights))
    fn = Fn("table", table=tuple(fvals))
    assert dist.validate_function(fn, spec) is None
    result = sa.simulate_runs(spec, fn, n, k, np.random.default_rng(0))
    assert np.all(np.isfinite(result.averages))
    assert result.frequencies.sum() == pytest.approx(1.0)
    # Outcomes of weight 0 never turn up.
    assert np.all(result.frequencies[np.array(weights) == 0] == 0)
    lo, hi = min(fvals), max(fvals)
    assert np.all(result.averages >= lo - 1e-9) and np.all(result.averages <= hi + 1e-9)


@pytest.mark.parametrize(("spec", "fn"), [
    (Spec(family="normal", mean=1.0, sd=2.0), Fn("x")),
    (Spec(family="normal", mean=-0.5, sd=1.5), Fn("x2")),
    (Spec(family="normal", mean=0.0, sd=1.0), Fn("x2")),
    (Spec(family="exponential", exp_rate=0.5), Fn("x")),
    (Spec(family="uniform", low=-1.0, high=3.0), Fn("indicator", c=0.5)),
    (Spec(family="exponential", exp_rate=2.0), Fn("indicator", c=0.3)),
], ids=lambda v: getattr(v, "family", None) or v.kind)
def test_block_sums_by_law_match_summed_samples(spec, fn):
    """Runs 2..K draw each block's sum from its exact law: its mean and variance must be b
    times those of one f(X), and its skewness must match sums of real samples."""
    b, m = 40, 20_000
    sums = sa._block_sums_by_law(spec, fn, np.full(m, b), np.random.default_rng(4))
    assert sums is not None and sums.shape == (m,)
    mean, sd = dist.expectation(spec, fn), dist.sd_of_f(spec, fn)
    assert abs(sums.mean() - b * mean) <= 4 * sd * math.sqrt(b / m)
    # Sample variance of m draws: relative SE ≈ √(2/m) (plus a small kurtosis term).
    assert sums.var(ddof=1) / (b * sd**2) == pytest.approx(1.0, abs=4 * math.sqrt(3 / m))
    real = dist.apply_function(fn, dist.sample(spec, b * m, np.random.default_rng(5)))
    real = real.reshape(m, b).sum(axis=1)

    def skew(a):
        return float(np.mean((a - a.mean()) ** 3) / a.std() ** 3)

    # Both skewness estimates have SE ≈ √(6/m) ≈ 0.017 under near-normality.
    assert abs(skew(sums) - skew(real)) < 4 * math.sqrt(2 * 6 / m)


def test_formulas_without_a_block_law_fall_back_to_samples():
    blocks = np.full(3, 10)
    rng = np.random.default_rng(0)
    assert sa._block_sums_by_law(Spec(family="uniform"), Fn("x"), blocks, rng) is None
    assert sa._block_sums_by_law(Spec(family="normal"), Fn("abs"), blocks, rng) is None
    assert sa._block_sums_by_law(Spec(family="exponential"), Fn("x2"), blocks, rng) is None
