"""core.distributions: exact values, closed forms against sums and quadrature, validation,
and seeded sampling within 4 standard errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import distributions as dist
from core.distributions import DistributionSpec as Spec
from core.distributions import FunctionSpec as Fn

DISCRETE_SPECS = [
    Spec(family="uniform_int", n=10),
    Spec(family="uniform_int", n=1),
    Spec(family="uniform_int", n=37),
    Spec(family="custom", table_values=(-2.0, 0.5, 3.0), table_weights=(1.0, 0.0, 3.0)),
    Spec(family="binomial", trials=10, success=0.5),
    Spec(family="binomial", trials=200, success=0.03),
    Spec(family="binomial", trials=7, success=1.0),
    Spec(family="poisson", poisson_rate=3.0),
    Spec(family="poisson", poisson_rate=0.1),
    Spec(family="poisson", poisson_rate=100.0),
]
CONTINUOUS_SPECS = [
    Spec(family="normal", mean=0.0, sd=1.0),
    Spec(family="normal", mean=-1.5, sd=2.5),
    Spec(family="exponential", exp_rate=1.0),
    Spec(family="exponential", exp_rate=0.4),
    Spec(family="uniform", low=0.0, high=1.0),
    Spec(family="uniform", low=-3.0, high=2.0),
]
FORMULAS = [Fn("x"), Fn("x2"), Fn("abs", c=0.7), Fn("abs", c=-4.0), Fn("indicator", c=0.3),
            Fn("indicator", c=-2.0), Fn("abs", c=6.0)]


def test_default_is_the_uniform_square_example():
    spec, fn = Spec(), Fn()
    assert (spec.family, spec.n, fn.kind) == ("uniform_int", 10, "x2")
    assert dist.expectation(spec, fn) == pytest.approx(38.5, abs=1e-12)
    assert dist.mean(spec) == 5.5
    assert dist.variance(spec) == 8.25
    probs = dist.support_of(spec)[1]
    text = dist.sum_expression(probs, dist.function_on_support(fn, spec), 38.5)
    assert text.startswith(r"0.1 \cdot 1 + 0.1 \cdot 4 + 0.1 \cdot 9")
    assert text.endswith(r"0.1 \cdot 100 = 38.5")


def test_long_sums_are_shortened_and_negative_values_bracketed():
    text = dist.sum_expression(np.full(20, 0.05), -np.arange(20.0), -9.5)
    assert r"\dots" in text and text.count("+") == 5
    assert r"0.05 \cdot (-19) = -9.5" in text


@pytest.mark.parametrize("spec", DISCRETE_SPECS, ids=lambda s: f"{s.family}")
def test_discrete_closed_form_moments_match_the_sums(spec):
    values, probs = dist.support_of(spec)
    assert dist.validate_distribution(spec) is None
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    # The cut Poisson tail (mass < 1e-12 beyond the largest kept k) shifts the sums a little.
    tol = 1e-12 if spec.family != "poisson" else 10 * (values[-1] + 1) ** 2 * 1e-12
    assert dist.mean(spec) == pytest.approx(probs @ values, rel=1e-11, abs=tol)
    var = probs @ (values - probs @ values) ** 2
    assert dist.variance(spec) == pytest.approx(var, rel=1e-10, abs=tol)


def test_poisson_truncation_leaves_under_1e12_of_tail():
    for rate in (0.1, 3.0, 42.0, 100.0):
        values, probs = dist.support_of(Spec(family="poisson", poisson_rate=rate))
        assert values[0] == 0 and np.all(np.diff(values) == 1)
        assert 0 <= 1.0 - probs.sum() < 1e-12
        # The first dropped term is itself below the bound, and the cut is not wasteful.
        k = values[-1] + 1
        assert math.exp(k * math.log(rate) - rate - math.lgamma(k + 1)) < 1e-12
        assert probs[-1] > 1e-16


@pytest.mark.parametrize("spec", CONTINUOUS_SPECS, ids=lambda s: f"{s.family}")
def test_continuous_closed_forms_match_quadrature(spec):
    assert dist.validate_distribution(spec) is None
    m = dist.quadrature_expectation(spec, lambda x: x)
    assert dist.mean(spec) == pytest.approx(m, abs=1e-6)
    v = dist.quadrature_expectation(spec, lambda x: (x - m) ** 2)
    assert dist.variance(spec) == pytest.approx(v, rel=1e-5)
    for fn in FORMULAS:
        exact = dist.expectation(spec, fn)
        quad = dist.quadrature_expectation(spec, lambda x, fn=fn: dist.apply_function(fn, x),
                                           breaks=(fn.c,))
        assert exact == pytest.approx(quad, rel=1e-4, abs=1e-5), fn
        # The "weight by p again" integral ∫ p² f.
        trap = dist.quadrature_expectation(
            spec, lambda x, fn=fn: dist.density(spec, x) * dist.apply_function(fn, x),
            breaks=(fn.c,))
        assert dist.expectation_of_p_times_f(spec, fn) == pytest.approx(trap, rel=1e-4, abs=1e-5)
        sq = dist.quadrature_expectation(spec, lambda x, fn=fn: dist.apply_function(fn, x) ** 2,
                                         breaks=(fn.c,))
        assert dist.second_moment_of_f(spec, fn) == pytest.approx(sq, rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("spec", CONTINUOUS_SPECS, ids=lambda s: f"{s.family}")
def test_raw_moments_match_quadrature(spec):
    for k in range(7):
        quad = dist.quadrature_expectation(spec, lambda x, k=k: x**k)
        assert dist.raw_moment(spec, k) == pytest.approx(quad, rel=1e-5, abs=1e-6), k


def test_negative_moments_only_where_they_exist():
    away = Spec(family="uniform", low=1.0, high=3.0)
    assert dist.raw_moment(away, -1) == pytest.approx(math.log(3) / 2)
    assert dist.raw_moment(away, -2) == pytest.approx((1 - 1 / 3) / 2)
    negative = Spec(family="uniform", low=-3.0, high=-1.0)
    assert dist.raw_moment(negative, -1) == pytest.approx(-math.log(3) / 2)
    for spec in (Spec(family="normal"), Spec(family="exponential"),
                 Spec(family="uniform", low=-1.0, high=1.0), Spec(family="poisson")):
        assert dist.moment_problem(spec, -1)
        with pytest.raises(ValueError):
            dist.raw_moment(spec, -1)
    # τ = 0 is in the binomial support but has probability 0 when p = 1.
    assert dist.moment_problem(Spec(family="binomial", trials=4, success=1.0), -1) is None
    assert dist.raw_moment(Spec(family="binomial", trials=4, success=1.0), -1) == 0.25
    assert dist.raw_moment(Spec(), -1) == pytest.approx(np.mean(1 / np.arange(1, 11)))


@pytest.mark.parametrize("spec", DISCRETE_SPECS, ids=lambda s: f"{s.family}")
def test_discrete_expectations_are_the_weighted_sums(spec):
    values, probs = dist.support_of(spec)
    for fn in FORMULAS:
        fx = dist.apply_function(fn, values)
        assert dist.expectation(spec, fn) == pytest.approx(probs @ fx, rel=1e-12, abs=1e-12)
        assert dist.expectation_of_p_times_f(spec, fn) == pytest.approx(probs**2 @ fx, abs=1e-12)
    table = Fn("table", table=tuple(np.sin(values)))
    assert dist.validate_function(table, spec) is None
    assert dist.expectation(spec, table) == pytest.approx(probs @ np.sin(values), abs=1e-12)


def test_uniform_square_trap_value():
    # Σ p² f = 0.01 · Σ x² = 3.85, a tenth of the right answer.
    assert dist.expectation_of_p_times_f(Spec(), Fn()) == pytest.approx(3.85)


@pytest.mark.parametrize(("spec", "needle"), [
    (Spec(family="custom", table_values=(), table_weights=()), "empty"),
    (Spec(family="custom", table_values=(1.0, 2.0), table_weights=(1.0, -1.0)), "negative"),
    (Spec(family="custom", table_values=(1.0, 2.0), table_weights=(0.0, 0.0)), "zero"),
    (Spec(family="custom", table_values=(1.0, 2.0), table_weights=(1.0, math.nan)), "number"),
    (Spec(family="custom", table_values=(math.nan, 2.0), table_weights=(1.0, 1.0)), "number"),
    (Spec(family="custom", table_values=(1.0, 1.0), table_weights=(1.0, 1.0)), "twice"),
    (Spec(family="custom", table_values=(1.0,), table_weights=(1.0, 2.0)), "one weight"),
    (Spec(family="custom", table_values=(1.0, 2.0), table_weights=(1.0, math.inf)), "number"),
    (Spec(family="uniform_int", n=0), "n must"),
    (Spec(family="uniform_int", n=2000), "n must"),
    (Spec(family="binomial", trials=0), "trials"),
    (Spec(family="binomial", success=1.5), "between 0 and 1"),
    (Spec(family="binomial", success=math.nan), "between 0 and 1"),
    (Spec(family="poisson", poisson_rate=0.0), "λ"),
    (Spec(family="poisson", poisson_rate=-1.0), "λ"),
    (Spec(family="normal", sd=0.0), "σ"),
    (Spec(family="normal", mean=math.inf), "mean"),
    (Spec(family="exponential", exp_rate=0.0), "rate"),
    (Spec(family="uniform", low=1.0, high=1.0), "below"),
    (Spec(family="uniform", low=2.0, high=1.0), "below"),
    (Spec(family="gamma"), "Unknown"),
])
def test_bad_distributions_get_a_clear_message(spec, needle):
    message = dist.validate_distribution(spec)
    assert message and needle in message


def test_n_equal_one_is_a_valid_point_mass():
    spec = Spec(family="uniform_int", n=1)
    assert dist.validate_distribution(spec) is None
    assert dist.expectation(spec, Fn()) == 1.0
    assert dist.variance(spec) == 0.0
    assert dist.sd_of_f(spec, Fn()) == 0.0


def test_bad_functions_get_a_clear_message():
    assert "discrete" in dist.validate_function(Fn("table", table=(1.0,)), Spec(family="normal"))
    assert "every outcome" in dist.validate_function(Fn("table", table=(1.0, 2.0)), Spec())
    nan_table = Fn("table", table=(math.nan,) * 10)
    assert "number" in dist.validate_function(nan_table, Spec())
    assert "c must" in dist.validate_function(Fn("abs", c=math.nan), Spec())
    assert dist.validate_function(Fn("indicator", c=3.0), Spec()) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=50)
       .filter(lambda w: sum(w) > 0))
def test_weights_normalise_to_probabilities(weights):
    probs = dist.normalise(weights)
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(probs >= 0)
    # Ratios are kept: normalising only rescales.
    i = int(np.argmax(weights))
    np.testing.assert_allclose(probs * weights[i], np.array(weights) * probs[i], rtol=1e-9,
                               atol=1e-300)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 20).flatmap(lambda k: st.tuples(
    st.lists(st.integers(-50, 50), min_size=k, max_size=k, unique=True),
    st.lists(st.floats(0.0, 100.0, allow_nan=False), min_size=k, max_size=k)))
    .filter(lambda pair: sum(pair[1]) > 0))
def test_any_valid_table_is_accepted_and_its_mean_is_the_weighted_mean(pair):
    values, weights = (np.array(v, dtype=float) for v in pair)
    spec = Spec(family="custom", table_values=tuple(values), table_weights=tuple(weights))
    assert dist.validate_distribution(spec) is None
    expected = float(weights @ values / weights.sum())
    assert dist.mean(spec) == pytest.approx(expected, abs=1e-9)
    assert dist.variance(spec) >= 0


@pytest.mark.parametrize("spec", DISCRETE_SPECS + CONTINUOUS_SPECS,
                         ids=lambda s: f"{s.family}")
def test_sample_mean_within_4_standard_errors(spec):
    n = 200_000
    x = dist.sample(spec, n, np.random.default_rng(123))
    assert x.shape == (n,)
    se = math.sqrt(dist.variance(spec) / n)
    assert abs(x.mean() - dist.mean(spec)) <= 4 * se + 1e-12
    if spec.is_discrete:
        assert set(np.unique(x)) <= set(dist.support_of(spec)[0])


def test_sampling_is_reproducible_from_the_seed():
    a = dist.sample(Spec(family="normal"), 10, np.random.default_rng(5))
    b = dist.sample(Spec(family="normal"), 10, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


def test_fmt():
    assert dist.fmt(38.50000000000001) == "38.5"
    assert dist.fmt(30.250000000000007) == "30.25"
    assert dist.fmt(0.0) == "0"
    assert dist.fmt(1.23e-7) == "1.23e-7"


# ---------------------------------------------------------------- the family registry


@pytest.mark.parametrize("key", list(dist.FAMILY_TYPES))
def test_every_registered_family_is_complete_and_its_widget_defaults_are_valid(key):
    cls = dist.FAMILY_TYPES[key]
    assert cls.key == key and dist.FAMILIES[key] == cls.label
    fields = set(Spec.__dataclass_fields__)
    defaults = {}
    for p in cls.params:
        assert p.field in fields, p
        assert p.low <= p.default <= p.high, p
        defaults[p.field] = int(p.default) if p.integer else p.default
    assert len({p.key for p in cls.params}) == len(cls.params)
    spec = Spec(family=key, **defaults)
    assert dist.validate_distribution(spec) is None
    assert spec.is_discrete == cls.discrete
    fam = dist.family(spec)
    assert isinstance(fam, cls)
    assert math.isfinite(fam.mean()) and fam.variance() >= 0
    assert dist.sample(spec, 5, np.random.default_rng(0)).shape == (5,)


def test_widget_keys_do_not_collide_across_families():
    keys = [p.key for cls in dist.FAMILY_TYPES.values() for p in cls.params]
    fields = [p.field for cls in dist.FAMILY_TYPES.values() for p in cls.params]
    assert len(set(keys)) == len(keys) and len(set(fields)) == len(fields)
    assert not {"family", "f", "c", "table", "table_kept"} & set(keys)  # the other widgets
