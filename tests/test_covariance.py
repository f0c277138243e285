"""core.covariance: E[XY] = E[X]E[Y] + Cov exactly, the default 38.5 / 30.25 / 8.25, the
independent τ′ split, Monte Carlo within 4 SE, and the softmax score panel."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import covariance as cv
from core import distributions as dist
from core.distributions import DistributionSpec as Spec


def test_default_numbers():
    result = cv.split_moments(Spec(), "tau", "tau")
    assert result.mean_xy == pytest.approx(38.5, abs=1e-12)
    assert result.product == pytest.approx(30.25, abs=1e-12)
    assert result.cov == pytest.approx(8.25, abs=1e-12)
    assert result.correlation == pytest.approx(1.0)
    assert (dist.fmt(result.mean_xy), dist.fmt(result.product), dist.fmt(result.cov)) == (
        "38.5", "30.25", "8.25")


def test_independent_copy_splits_exactly():
    result = cv.split_moments(Spec(), "tau", "tau", independent=True)
    assert result.mean_xy == result.product == pytest.approx(30.25)
    assert result.cov == 0.0


IDENTITY_SPECS = [
    Spec(), Spec(family="binomial", trials=8, success=0.3), Spec(family="poisson"),
    Spec(family="custom", table_values=(-2.0, 1.0, 4.0), table_weights=(1.0, 1.0, 2.0)),
    Spec(family="normal", mean=0.5, sd=1.5), Spec(family="exponential", exp_rate=2.0),
    Spec(family="uniform", low=1.0, high=4.0),
]
PAIRS = [("tau", "tau2"), ("neg", "tau"), ("tau3", "neg2"), ("const", "tau"), ("inv", "tau")]
# 1/τ is undefined where τ can be 0 (checked in test_validation), so those cases are left out.
DEFINED = [pytest.param(spec, g, h, id=f"{spec.family}-{g}-{h}")
           for spec in IDENTITY_SPECS for g, h in PAIRS if cv.validate_split(spec, g, h) is None]


@pytest.mark.parametrize(("spec", "g", "h"), DEFINED)
def test_identity_and_monte_carlo_for_every_pair(spec, g, h):
    result = cv.split_moments(spec, g, h)
    assert result.mean_xy == pytest.approx(result.product + result.cov, rel=1e-9, abs=1e-9)
    n = 400_000
    x, y = cv.sample_pairs(spec, g, h, n, np.random.default_rng(11))
    xy = x * y
    assert abs(xy.mean() - result.mean_xy) <= 4 * xy.std() / math.sqrt(n) + 1e-12
    # Independent τ′: the average of XY tends to E[X]E[Y] instead.
    xi, yi = cv.sample_pairs(spec, g, h, n, np.random.default_rng(12), independent=True)
    prod = xi * yi
    assert abs(prod.mean() - result.product) <= 4 * prod.std() / math.sqrt(n) + 1e-12


def test_known_continuous_covariances():
    # Normal: Cov(τ, τ²) = 2μσ².
    r = cv.split_moments(Spec(family="normal", mean=1.5, sd=2.0), "tau", "tau2")
    assert r.cov == pytest.approx(2 * 1.5 * 4.0)
    # Exponential(λ): Cov(τ, τ) = 1/λ².
    r = cv.split_moments(Spec(family="exponential", exp_rate=2.0), "tau", "neg")
    assert r.cov == pytest.approx(-0.25)
    # Uniform on [1, 3]: E[τ·(1/τ)] = 1 exactly, so Cov = 1 − E[τ]·E[1/τ].
    r = cv.split_moments(Spec(family="uniform", low=1.0, high=3.0), "tau", "inv")
    assert r.mean_xy == pytest.approx(1.0)
    assert r.cov == pytest.approx(1.0 - 2.0 * math.log(3) / 2)


def test_constant_never_covaries():
    r = cv.split_moments(Spec(family="poisson", poisson_rate=4.0), "const", "tau2")
    assert r.cov == pytest.approx(0.0, abs=1e-9) and r.sd_x == 0.0
    assert math.isnan(r.correlation)


def test_validation():
    assert cv.validate_split(Spec(), "tau", "inv") is None
    assert "τ = 0" in cv.validate_split(Spec(family="poisson"), "inv", "tau")
    assert "τ = 0" in cv.validate_split(Spec(family="binomial"), "tau", "inv")
    assert "does not exist" in cv.validate_split(Spec(family="normal"), "inv", "tau")
    assert "does not exist" in cv.validate_split(Spec(family="uniform", low=-1.0, high=1.0),
                                                 "tau", "inv")
    assert cv.validate_split(Spec(family="uniform", low=-3.0, high=-1.0), "inv", "inv") is None
    assert "Pick" in cv.validate_split(Spec(), "sin", "tau")


def test_outcome_table_drops_impossible_outcomes():
    table = cv.outcome_table(Spec(family="binomial", trials=3, success=1.0), "inv", "tau")
    np.testing.assert_array_equal(table.tau, [3.0])
    assert table.p[0] == 1.0 and table.xy[0] == pytest.approx(1.0)
    default = cv.outcome_table(Spec(), "tau", "tau")
    np.testing.assert_array_equal(default.xy, np.arange(1, 11) ** 2)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 15).flatmap(lambda k: st.tuples(
    st.lists(st.floats(0.0, 50.0, allow_nan=False), min_size=k, max_size=k),
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=k, max_size=k),
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=k, max_size=k)))
    .filter(lambda t: sum(t[0]) > 0))
def test_any_valid_table_gives_exy_minus_product_equal_cov(table):
    weights, x, y = (np.array(v) for v in table)
    p = dist.normalise(weights)
    mean_xy, product, cov = cv.table_moments(p, x, y)
    assert mean_xy - product == pytest.approx(cov, abs=1e-8 * (1 + np.abs(x * y).max()))


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 12).flatmap(lambda k: st.tuples(
    st.lists(st.integers(1, 30), min_size=k, max_size=k, unique=True),
    st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=k, max_size=k)))
    .filter(lambda t: sum(t[1]) > 0),
    st.sampled_from(list(cv.TRANSFORMS)), st.sampled_from(list(cv.TRANSFORMS)))
def test_split_moments_identity_on_custom_tables(table, g, h):
    values, weights = table
    spec = Spec(family="custom", table_values=tuple(map(float, values)),
                table_weights=tuple(weights))
    assert cv.validate_split(spec, g, h) is None  # positive outcomes: 1/τ always defined
    r = cv.split_moments(spec, g, h)
    assert r.mean_xy - r.product == pytest.approx(r.cov, rel=1e-9, abs=1e-6)
    ri = cv.split_moments(spec, g, h, independent=True)
    assert ri.cov == 0.0 and ri.mean_xy == ri.product


def test_score_panel_default_style():
    panel = cv.score_split(np.array([1.0, 0.0, -0.5]), np.array([1.0, 3.0, 0.0]))
    np.testing.assert_allclose(panel.mean_score, 0.0, atol=1e-15)
    np.testing.assert_allclose(panel.split, 0.0, atol=1e-14)
    np.testing.assert_allclose(panel.gradient, panel.gradient_direct, atol=1e-12)
    # For a softmax, ∂J/∂θ_a = π(a)·(r(a) − E[r]): non-zero unless all rewards are equal.
    p, r = panel.probs, np.array([1.0, 3.0, 0.0])
    np.testing.assert_allclose(panel.gradient, p * (r - p @ r), atol=1e-12)
    assert np.linalg.norm(panel.gradient) > 0.1


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8).flatmap(lambda k: st.tuples(
    st.lists(st.floats(-5, 5, allow_nan=False), min_size=k, max_size=k),
    st.lists(st.floats(-5, 5, allow_nan=False), min_size=k, max_size=k))))
def test_split_is_always_zero_and_gradient_is_the_covariance(pair):
    logits, rewards = (np.array(v) for v in pair)
    panel = cv.score_split(logits, rewards)
    np.testing.assert_allclose(panel.split, 0.0, atol=1e-12)
    # The true gradient is Cov(r, ∇log π) componentwise, since E[∇log π] = 0.
    p = panel.probs
    cov = p @ ((rewards - p @ rewards)[:, None] * (panel.scores - panel.mean_score))
    np.testing.assert_allclose(panel.gradient, cov, atol=1e-12)
    np.testing.assert_allclose(panel.gradient, panel.gradient_direct, atol=1e-12)
