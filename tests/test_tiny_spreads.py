"""Issue #13, items 1.4-1.6: a real spread, however small, is never reported as 0; covariances
are computed centred, free of the cancellation in E[XY] − E[X]E[Y]; and an exact zero (a
constant X or Y) is exactly 0, never a signed rounding residue.

Reference values are the closed forms evaluated in 60-digit arithmetic (mpmath), so they do
not share the float cancellation under test."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import covariance as cv
from core import distributions as dist
from core import sample_average as sa
from core.distributions import DistributionSpec as Spec
from core.distributions import FunctionSpec as Fn

mp.mp.dps = 60

TINY = [
    # (spec, f, exact sd of f(X)), each a spread the old code reported as exactly 0.
    pytest.param(Spec(family="uniform", low=9999.999, high=10000.0), Fn("x"),
                 (10000.0 - 9999.999) / math.sqrt(12), id="uniform-narrow-far"),
    pytest.param(Spec(family="normal", mean=1e4, sd=0.001), Fn("x"), 0.001, id="normal-x"),
    pytest.param(Spec(family="normal", mean=1e4, sd=0.001), Fn("x2"),
                 math.sqrt(4 * 1e8 * 1e-6 + 2 * 1e-12), id="normal-x2"),
    pytest.param(Spec(family="binomial", trials=1, success=1e-14), Fn("x"),
                 math.sqrt(1e-14 * (1 - 1e-14)), id="binomial-1e-14"),
    pytest.param(Spec(family="custom", table_values=(0.0, 1e-7), table_weights=(1.0, 1.0)),
                 Fn("x"), 0.5e-7, id="table-0-1e-7"),
    pytest.param(Spec(family="exponential", exp_rate=1e-4), Fn("abs", c=2e5),
                 1e4 * math.sqrt(1 - 4 * 19 * math.exp(-20) - 4 * math.exp(-40)),
                 id="exponential-abs-far-c"),
    pytest.param(Spec(family="normal", mean=0.0, sd=1.0), Fn("indicator", c=30.0),
                 math.sqrt(0.5 * math.erfc(30 / math.sqrt(2))), id="normal-indicator-tail"),
]


@pytest.mark.parametrize(("spec", "fn", "sd"), TINY)
def test_tiny_real_spreads_are_not_zero(spec, fn, sd):
    assert dist.validate_distribution(spec) is None
    assert dist.sd_of_f(spec, fn) == pytest.approx(sd, rel=1e-6)


@pytest.mark.parametrize(("spec", "fn", "sd"), TINY[:5])
def test_the_envelope_of_a_tiny_spread_does_not_collapse(spec, fn, sd):
    result = sa.simulate_runs(spec, fn, 1000, 2, np.random.default_rng(0))
    assert result.sd_f == pytest.approx(sd, rel=1e-6)
    assert np.all(result.envelope > 0)


@pytest.mark.parametrize(("spec", "fn", "sd"), [*TINY[:3], TINY[4]])
def test_run_one_standard_error_sees_a_tiny_spread(spec, fn, sd):
    # Not cancelled to 0 in Σf² − (Σf)²/n. (Binomial(1, 1e-14) is left out: its 1,000 draws
    # are all 0, so their honest sample spread is 0.)
    result = sa.simulate_runs(spec, fn, 1000, 1, np.random.default_rng(0))
    se = result.first_se[-1]
    assert se > 0 and se == pytest.approx(sd / math.sqrt(1000), rel=0.2)


def test_the_split_of_a_tiny_table_is_not_called_constant():
    spec = Spec(family="custom", table_values=(0.0, 1e-7), table_weights=(1.0, 1.0))
    result = cv.split_moments(spec, "tau", "tau2")
    assert result.sd_x == pytest.approx(0.5e-7, rel=1e-9)
    assert result.sd_y == pytest.approx(0.5e-14, rel=1e-9)
    assert result.correlation == pytest.approx(1.0)


def test_covariance_of_a_narrow_uniform_is_computed_centred():
    # Uniform on [100, 100.0001]: Cov(τ, τ²) = 2μ·w²/12 = 1.667e-7 (was −5.0e-5).
    spec = Spec(family="uniform", low=100.0, high=100.0001)
    result = cv.split_moments(spec, "tau", "tau2")
    assert result.cov == pytest.approx(_cov_reference(spec, 1, 2), rel=1e-9)
    assert result.cov == pytest.approx(1.6667e-7, rel=1e-4)
    assert result.sd_x == pytest.approx((100.0001 - 100.0) / math.sqrt(12), rel=1e-9)


def _raw_moment_reference(spec: Spec, k: int) -> mp.mpf:
    if spec.family == "uniform":
        a, b = mp.mpf(spec.low), mp.mpf(spec.high)
        if k == -1:
            return (mp.log(abs(b)) - mp.log(abs(a))) / (b - a)
        return (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))
    if spec.family == "normal":
        mu, var = mp.mpf(spec.mean), mp.mpf(spec.sd) ** 2
        prev, cur = mp.mpf(1), mu
        if k == 0:
            return prev
        for j in range(2, k + 1):
            prev, cur = cur, mu * cur + (j - 1) * var * prev
        return cur
    if spec.family == "exponential":
        return mp.factorial(k) / mp.mpf(spec.exp_rate) ** k
    values, probs = dist.support_of(spec)
    keep = probs > 0
    return mp.fsum(mp.mpf(float(p)) * mp.mpf(float(v)) ** k
                   for v, p in zip(values[keep], probs[keep], strict=True))


def _cov_reference(spec: Spec, p: int, q: int) -> float:
    return float(_raw_moment_reference(spec, p + q)
                 - _raw_moment_reference(spec, p) * _raw_moment_reference(spec, q))


POWERS = {key: t.power for key, t in cv.TRANSFORMS.items()}
SIGNS = {key: t.coefficient for key, t in cv.TRANSFORMS.items()}


@settings(max_examples=150, deadline=None)
@given(low=st.floats(-1e4, 1e4), width_exp=st.floats(-6, 3),
       g=st.sampled_from(sorted(POWERS)), h=st.sampled_from(sorted(POWERS)))
def test_uniform_covariances_match_60_digit_arithmetic(low, width_exp, g, h):
    high = low + abs(low) * 10**width_exp + 10**width_exp
    spec = Spec(family="uniform", low=low, high=high)
    if dist.validate_distribution(spec) or cv.validate_split(spec, g, h):
        return
    result = cv.split_moments(spec, g, h)
    exact = SIGNS[g] * SIGNS[h] * _cov_reference(spec, POWERS[g], POWERS[h])
    assert result.cov == pytest.approx(exact, rel=1e-8, abs=1e-300)
    var_x = _cov_reference(spec, POWERS[g], POWERS[g])
    assert result.sd_x == pytest.approx(math.sqrt(var_x), rel=1e-8, abs=1e-300)


@settings(max_examples=100, deadline=None)
@given(family=st.sampled_from(["normal", "exponential"]), location=st.floats(-1e4, 1e4),
       scale_exp=st.floats(-4, 4), g=st.sampled_from(["tau", "tau2", "tau3", "neg", "neg2"]),
       h=st.sampled_from(["tau", "tau2", "tau3", "neg", "neg2"]))
def test_normal_and_exponential_covariances_match_60_digit_arithmetic(family, location,
                                                                        scale_exp, g, h):
    scale = 10**scale_exp
    spec = (Spec(family="normal", mean=location, sd=scale) if family == "normal"
            else Spec(family="exponential", exp_rate=1 / scale))
    if dist.validate_distribution(spec):
        return
    result = cv.split_moments(spec, g, h)
    exact = SIGNS[g] * SIGNS[h] * _cov_reference(spec, POWERS[g], POWERS[h])
    assert result.cov == pytest.approx(exact, rel=1e-8)


SPECS = [
    Spec(), Spec(family="uniform_int", n=37), Spec(family="binomial", trials=9, success=0.3),
    Spec(family="poisson", poisson_rate=7.0),
    Spec(family="custom", table_values=(0.1, 0.7, 3.3), table_weights=(1.0, 2.0, 4.0)),
    Spec(family="normal", mean=3.0, sd=0.7), Spec(family="exponential", exp_rate=3.0),
    Spec(family="uniform", low=1.0, high=3.0),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.family)
@pytest.mark.parametrize("g", sorted(POWERS))
def test_a_constant_gives_exactly_zero_covariance_never_a_residue(spec, g):
    if cv.validate_split(spec, g, "const"):
        return
    for x, y in ((g, "const"), ("const", g)):
        result = cv.split_moments(spec, x, y)
        assert result.cov == 0.0 and math.copysign(1.0, result.cov) == 1.0, (x, y, result.cov)
        assert dist.fmt(result.cov) == "0"
    assert cv.split_moments(spec, "const", "const").sd_x == 0.0


@pytest.mark.parametrize("spec", SPECS[:5], ids=lambda s: s.family)
def test_a_constant_f_has_exactly_zero_spread(spec):
    values = dist.support_of(spec)[0]
    fn = Fn("table", table=tuple([0.1] * values.size))
    assert dist.sd_of_f(spec, fn) == 0.0


def test_table_moments_of_a_constant_are_exact():
    p = dist.normalise([1.0, 2.0, 4.0])
    _, _, cov = cv.table_moments(p, [0.1, 0.7, 3.3], [0.3, 0.3, 0.3])
    assert cov == 0.0 and math.copysign(1.0, cov) == 1.0
