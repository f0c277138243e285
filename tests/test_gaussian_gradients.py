"""core.gaussian_gradients: exact J and gradients, quadrature, estimator variances, Fig. 2."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import gaussian_gradients as gg
from core import score_estimators as se

problems = st.builds(gg.GaussianProblem, mu=st.floats(-3, 3), sigma=st.floats(0.2, 3),
                     k=st.floats(0, 3), reward=st.sampled_from(gg.REWARDS))


@settings(max_examples=80, deadline=None)
@given(problems)
def test_autograd_gradient_matches_finite_differences(problem):
    grad = gg.expected_reward_gradient(problem)
    fd = gg.finite_difference_gradient(problem)
    scale = max(1.0, float(np.max(np.abs(grad))))
    assert np.max(np.abs(grad - fd)) / scale < 1e-5


@settings(max_examples=60, deadline=None)
@given(problems)
def test_quadrature_reproduces_closed_form_j_and_score_identity(problem):
    pts = gg.exact_points(problem)
    assert pts.weights.sum() == pytest.approx(1.0, abs=1e-13)
    assert pts.weights @ pts.rewards == pytest.approx(gg.expected_reward(problem), abs=1e-10)
    grad = gg.expected_reward_gradient(problem)
    np.testing.assert_allclose(pts.weights @ (pts.rewards[:, None] * pts.scores), grad,
                               atol=1e-9)
    np.testing.assert_allclose(pts.weights @ pts.scores, 0.0, atol=1e-12)
    if gg.pathwise_is_unbiased(problem.reward):
        np.testing.assert_allclose(pts.weights @ pts.pathwise, grad, atol=1e-9)


def test_scores_are_the_textbook_formulas():
    x = np.array([-1.0, 0.5, 3.0])
    mu, sigma = 0.5, 2.0
    s = gg.score_columns(x, mu, sigma)
    np.testing.assert_allclose(s[:, 0], (x - mu) / sigma**2, rtol=1e-14)
    np.testing.assert_allclose(s[:, 1], ((x - mu) ** 2 - sigma**2) / sigma**3, rtol=1e-14)


def test_step_pathwise_is_zero_and_biased():
    problem = gg.GaussianProblem(0.0, 1.0, 0.5, "step")
    pts = gg.exact_points(problem)
    assert not gg.pathwise_is_unbiased("step")
    assert np.all(pts.pathwise == 0.0)
    assert gg.expected_reward_gradient(problem)[0] > 0.3


@pytest.mark.parametrize("k", np.linspace(-3, 3, 13))
def test_figure2_exact_curves_match_derived_closed_forms(k):
    exact = gg.figure2_exact(np.array([k]))
    closed = gg.quadratic_mu_variances(1.0, 1.0, k)
    for name in gg.ESTIMATORS:
        assert exact[name][0] == pytest.approx(closed[name], rel=1e-10)


def test_closed_forms_at_k_equal_one():
    closed = gg.quadratic_mu_variances(1.0, 1.0, 1.0)
    assert closed == {"score": 15.0, "score_mean": 10.0, "score_optimal": 6.0, "pathwise": 4.0}
    exact = gg.figure2_exact(np.array([1.0]))
    assert exact["score"][0] == pytest.approx(15.0, rel=1e-12)
    assert exact["pathwise"][0] == pytest.approx(4.0, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(-3, 3), st.floats(0.2, 3), st.floats(-3, 3))
def test_closed_forms_hold_for_other_mu_sigma_via_generic_estimators(mu, sigma, k):
    problem = gg.GaussianProblem(mu, sigma, k, "quadratic")
    pts = gg.exact_points(problem)
    r, s, w = pts.rewards, pts.scores[:, 0], pts.weights
    closed = gg.quadratic_mu_variances(mu, sigma, k)
    got = {}
    for kind, name in (("none", "score"), ("mean", "score_mean"), ("optimal", "score_optimal")):
        b = se.baseline_value(kind, r, s, w)
        got[name] = se.exact_mean_and_variance(r, s, w, b)[1]
    got["pathwise"] = gg.exact_pathwise_mean_and_variance(pts, "mu")[1]
    for name, value in closed.items():
        assert got[name] == pytest.approx(value, rel=1e-8, abs=1e-10)
    assert got["score_optimal"] <= got["score_mean"] + 1e-10


def test_figure2_monte_carlo_points_within_4_se_of_exact_curves():
    ks = np.linspace(-3, 3, 25)
    data = gg.figure2(ks, ks, 10_000, np.random.default_rng(7))
    for name in gg.ESTIMATORS:
        z = np.abs(data.sampled[name] - data.exact[name]) / data.sampled_se[name]
        # 4 SE per point; heavy tails make a rare 4-SE miss possible, so allow at most one.
        assert np.sum(z > 4) <= 1, (name, z.max())
    assert np.all(data.exact["score_optimal"] <= data.exact["score_mean"] + 1e-9)


@pytest.mark.parametrize("reward", gg.REWARDS)
@pytest.mark.parametrize("parameter", gg.PARAMETERS)
def test_sampled_estimates_within_4_se_of_exact(reward, parameter):
    problem = gg.GaussianProblem(0.4, 0.8, 1.2, reward)
    j = gg.PARAMETERS.index(parameter)
    samples = gg.sample(problem, 40_000, np.random.default_rng(11))
    pts = gg.exact_points(problem)
    rows = se.baseline_table(pts.rewards, pts.scores[:, j], pts.weights,
                             samples.rewards, samples.scores[:, j], constant=0.5)
    grad = gg.expected_reward_gradient(problem)[j]
    for row in rows:
        assert row.exact_mean == pytest.approx(grad, abs=1e-9)
        assert abs(row.sample.mean - grad) < 4 * row.sample.standard_error
        assert abs(row.sample.variance - row.exact_variance) < (
            4 * row.sample.variance_standard_error)
    optimal = next(r for r in rows if r.kind == "optimal").exact_variance
    assert all(optimal <= r.exact_variance + 1e-10 for r in rows)


def test_independent_estimates_spread_matches_exact_variance():
    problem = gg.GaussianProblem(1.0, 1.0, 1.0, "quadratic")
    est = gg.independent_estimates(problem, "mu", 100, 2000, np.random.default_rng(5))
    summary = se.summarize(est)
    assert abs(summary.mean) < 4 * summary.standard_error
    # Var of a 100-sample mean is 15/100; the sample variance of 2000 such means is close.
    assert abs(summary.variance - 0.15) < 4 * summary.variance_standard_error


def test_j_along_a_parameter_and_validation():
    problem = gg.GaussianProblem(0.0, 1.0, 2.0, "quadratic")
    mus = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(gg.expected_reward_along(problem, "mu", mus), (mus - 2) ** 2 + 1)
    sigmas = np.array([0.5, 2.0])
    np.testing.assert_allclose(gg.expected_reward_along(problem, "sigma", sigmas), 4 + sigmas**2)
    assert gg.validate_problem(problem) is None
    assert "positive" in gg.validate_problem(gg.GaussianProblem(0.0, 0.0, 1.0))
    assert "positive" in gg.validate_problem(gg.GaussianProblem(0.0, -1.0, 1.0))
    assert "finite" in gg.validate_problem(gg.GaussianProblem(float("nan"), 1.0, 1.0))
    assert "k ≥ 0" in gg.validate_problem(gg.GaussianProblem(0.0, 1.0, -1.0, "bump"))
    assert "Unknown" in gg.validate_problem(gg.GaussianProblem(reward="nope"))


def test_log_density_and_single_score_match_torch_distributions():
    from core.torch_env import torch

    x = np.linspace(-4, 5, 11)
    mu, sigma = torch.tensor(0.7, dtype=torch.float64), torch.tensor(1.3, dtype=torch.float64)
    xt = torch.as_tensor(x)
    np.testing.assert_allclose(gg.normal_log_density(xt, mu, sigma).numpy(),
                               torch.distributions.Normal(mu, sigma).log_prob(xt).numpy(),
                               rtol=1e-14)
    both = gg.score_columns(x, 0.7, 1.3)
    np.testing.assert_allclose(gg.score_column(x, 0.7, 1.3, "mu"), both[:, 0], rtol=1e-14)
    np.testing.assert_allclose(gg.score_column(x, 0.7, 1.3, "sigma"), both[:, 1], rtol=1e-14)
