"""A Gaussian N(μ, σ²) with four rewards: exact J, exact gradients and estimator variances.

Rewards (from Mohamed et al. 2020, "Monte Carlo Gradient Estimation in Machine Learning",
and two more shapes): (x − k)², cos(kx), exp(−k x²) and a step 1[x > k]. J(μ, σ) = E[f(x)]
has a closed form for each; the exact gradient is torch autograd through it. Estimator
variances need E[f² s²] and similar, computed by composite Gauss-Legendre quadrature over
x = μ + σε (split at the step's jump), which is exact for the polynomial reward and accurate to
rounding for the smooth ones.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from core import score_estimators as se
from core.torch_env import torch

REWARDS: tuple[str, ...] = ("quadratic", "cosine", "bump", "step")
"""Reward shapes, in the order the app lists them."""

REWARD_LABELS: dict[str, str] = {
    "quadratic": "(x − k)²",
    "cosine": "cos(k x)",
    "bump": "exp(−k x²)",
    "step": "step: 1 if x > k",
}
"""Display names of the rewards."""

PARAMETERS: tuple[str, ...] = ("mu", "sigma")
"""Gradient components, in the order of every gradient vector here: ∂/∂μ, ∂/∂σ."""

ESTIMATORS: tuple[str, ...] = ("score", "score_mean", "score_optimal", "pathwise")
"""The four estimators of Mohamed et al.'s Fig. 2 reproduction."""

ESTIMATOR_LABELS: dict[str, str] = {
    "score": "Score function",
    "score_mean": "Score function, mean baseline",
    "score_optimal": "Score function, optimal baseline",
    "pathwise": "Pathwise (reparameterisation)",
}
"""Display names of the estimators."""

QUADRATURE_HALF_WIDTH = 12.0
"""Quadrature covers ε in [−12, 12]; the Gaussian mass outside is below 1e-32."""
_PANEL_WIDTH = 0.5
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)


@dataclass(frozen=True)
class GaussianProblem:
    """One Gaussian family member and reward."""

    mu: float = 1.0
    """Mean μ of the sampling distribution."""
    sigma: float = 1.0
    """Standard deviation σ (> 0)."""
    k: float = 1.0
    """The reward's parameter k."""
    reward: str = "quadratic"
    """One of ``REWARDS``."""


def validate_problem(problem: GaussianProblem) -> str | None:
    """Why this problem cannot be computed, or None if it can."""
    if problem.reward not in REWARDS:
        return f"Unknown reward {problem.reward!r}."
    values = (problem.mu, problem.sigma, problem.k)
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        return "μ, σ and k must be finite numbers."
    if problem.sigma <= 0:
        return "σ must be positive: a Gaussian with σ ≤ 0 has no density to sample from."
    if problem.reward == "bump" and problem.k < 0:
        return ("For exp(−k x²) choose k ≥ 0: with k < 0 the reward grows like exp(|k| x²) "
                "and the expectations or the estimator's variance become infinite.")
    return None


def reward_torch(x: torch.Tensor, reward: str, k: float) -> torch.Tensor:
    """f(x) elementwise, differentiable where f is (the step has derivative 0)."""
    if reward == "quadratic":
        return (x - k) ** 2
    if reward == "cosine":
        return torch.cos(k * x)
    if reward == "bump":
        return torch.exp(-k * x**2)
    if reward == "step":
        return (x > k).to(x.dtype) + 0.0 * x
    raise ValueError(f"unknown reward {reward!r}")


def reward_values(x: np.ndarray, problem: GaussianProblem) -> np.ndarray:
    """f(x) for an array of x."""
    t = torch.as_tensor(np.asarray(x, dtype=float), dtype=torch.float64)
    return reward_torch(t, problem.reward, problem.k).numpy()


def expected_reward_torch(mu: torch.Tensor, sigma: torch.Tensor, reward: str,
                          k: float) -> torch.Tensor:
    """J(μ, σ) = E[f(x)], x ~ N(μ, σ²), in closed form (broadcasts over tensors)."""
    if reward == "quadratic":
        return (mu - k) ** 2 + sigma**2
    if reward == "cosine":
        return torch.cos(k * mu) * torch.exp(-0.5 * (k * sigma) ** 2)
    if reward == "bump":
        spread = 1.0 + 2.0 * k * sigma**2
        return torch.exp(-k * mu**2 / spread) / torch.sqrt(spread)
    if reward == "step":
        return 0.5 * torch.erfc((k - mu) / (sigma * math.sqrt(2.0)))
    raise ValueError(f"unknown reward {reward!r}")


def _params(problem: GaussianProblem) -> tuple[torch.Tensor, torch.Tensor]:
    mu = torch.tensor(float(problem.mu), dtype=torch.float64, requires_grad=True)
    sigma = torch.tensor(float(problem.sigma), dtype=torch.float64, requires_grad=True)
    return mu, sigma


def expected_reward(problem: GaussianProblem) -> float:
    """J(μ, σ)."""
    mu, sigma = _params(problem)
    return float(expected_reward_torch(mu, sigma, problem.reward, problem.k).detach())


def expected_reward_gradient(problem: GaussianProblem) -> np.ndarray:
    """(∂J/∂μ, ∂J/∂σ) by autograd through the closed-form J."""
    mu, sigma = _params(problem)
    value = expected_reward_torch(mu, sigma, problem.reward, problem.k)
    grads = torch.autograd.grad(value, (mu, sigma))
    return np.array([float(g) for g in grads])


def finite_difference_gradient(problem: GaussianProblem, step: float = 1e-5) -> np.ndarray:
    """(∂J/∂μ, ∂J/∂σ) by central differences, as an independent check of autograd."""
    h_mu = step * max(1.0, abs(problem.mu))
    h_sigma = min(step * max(1.0, problem.sigma), 0.5 * problem.sigma)

    def j(mu: float, sigma: float) -> float:
        return expected_reward(GaussianProblem(mu, sigma, problem.k, problem.reward))

    d_mu = (j(problem.mu + h_mu, problem.sigma) - j(problem.mu - h_mu, problem.sigma)) / (2 * h_mu)
    d_sigma = (j(problem.mu, problem.sigma + h_sigma)
               - j(problem.mu, problem.sigma - h_sigma)) / (2 * h_sigma)
    return np.array([d_mu, d_sigma])


def expected_reward_along(problem: GaussianProblem, parameter: str,
                          values: np.ndarray) -> np.ndarray:
    """J as μ (or σ) runs over ``values`` with the other parameter fixed."""
    v = torch.as_tensor(np.asarray(values, dtype=float), dtype=torch.float64)
    mu = v if parameter == "mu" else torch.full_like(v, float(problem.mu))
    sigma = v if parameter == "sigma" else torch.full_like(v, float(problem.sigma))
    return expected_reward_torch(mu, sigma, problem.reward, problem.k).numpy()


def score_columns(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Per-sample scores (∂/∂μ, ∂/∂σ) log N(x; μ, σ²), shape (n, 2), by autograd.

    Each sample gets its own copy of μ and σ, so the gradient of the summed log-density with
    respect to the copies is the per-sample score.
    """
    xt = torch.as_tensor(np.asarray(x, dtype=float), dtype=torch.float64)
    mu_t = torch.full_like(xt, float(mu), requires_grad=True)
    sigma_t = torch.full_like(xt, float(sigma), requires_grad=True)
    log_p = normal_log_density(xt, mu_t, sigma_t)
    d_mu, d_sigma = torch.autograd.grad(log_p.sum(), (mu_t, sigma_t))
    return torch.stack((d_mu, d_sigma), dim=-1).numpy()


def normal_log_density(x: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """log N(x; μ, σ²) elementwise (torch.distributions.Normal.log_prob without its argument
    checks, which cost more than the formula at 10⁶ samples)."""
    return -0.5 * ((x - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)


def score_column(x: np.ndarray, mu: float, sigma: float, parameter: str) -> np.ndarray:
    """Per-sample score for one parameter (∂/∂μ or ∂/∂σ) log N(x; μ, σ²), by autograd."""
    xt = torch.as_tensor(np.asarray(x, dtype=float), dtype=torch.float64)
    mu_t = torch.full_like(xt, float(mu), requires_grad=parameter == "mu")
    sigma_t = torch.full_like(xt, float(sigma), requires_grad=parameter == "sigma")
    log_p = normal_log_density(xt, mu_t, sigma_t)
    (grad,) = torch.autograd.grad(log_p.sum(), mu_t if parameter == "mu" else sigma_t)
    return grad.numpy()


def pathwise_columns(eps: np.ndarray, problem: GaussianProblem) -> np.ndarray:
    """Per-sample pathwise terms (∂/∂μ, ∂/∂σ) f(μ + σε), shape (n, 2), by autograd."""
    et = torch.as_tensor(np.asarray(eps, dtype=float), dtype=torch.float64)
    mu_t = torch.full_like(et, float(problem.mu), requires_grad=True)
    sigma_t = torch.full_like(et, float(problem.sigma), requires_grad=True)
    f = reward_torch(mu_t + sigma_t * et, problem.reward, problem.k)
    d_mu, d_sigma = torch.autograd.grad(f.sum(), (mu_t, sigma_t))
    return torch.stack((d_mu, d_sigma), dim=-1).numpy()


def pathwise_is_unbiased(reward: str) -> bool:
    """Whether E[∂f(μ+σε)/∂θ] equals ∂J/∂θ. Not for the step: its derivative is 0 almost
    everywhere, while moving μ moves probability mass across the jump."""
    return reward != "step"


@dataclass(frozen=True)
class GaussianSamples:
    """N draws x = μ + σε with everything the estimators need."""

    eps: np.ndarray
    """Standard-normal noise ε, shape (n,)."""
    x: np.ndarray
    """Samples x = μ + σε, shape (n,)."""
    rewards: np.ndarray
    """f(x), shape (n,)."""
    scores: np.ndarray
    """∇log p(x) for (μ, σ), shape (n, 2)."""
    pathwise: np.ndarray
    """∇ f(μ + σε) for (μ, σ), shape (n, 2)."""


def sample(problem: GaussianProblem, n: int, rng: np.random.Generator) -> GaussianSamples:
    """Draw ``n`` samples and their rewards, scores and pathwise terms."""
    eps = rng.standard_normal(n)
    x = problem.mu + problem.sigma * eps
    return GaussianSamples(eps, x, reward_values(x, problem),
                           score_columns(x, problem.mu, problem.sigma),
                           pathwise_columns(eps, problem))


def quadrature(problem: GaussianProblem) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal nodes ε_i and weights w_i with Σ w_i g(ε_i) ≈ E[g(ε)].

    Composite 16-point Gauss-Legendre on panels of width ≤ 0.5 over [−12, 12], with a panel
    edge at the step's jump so the discontinuity never falls inside a panel.
    """
    half = QUADRATURE_HALF_WIDTH
    breaks = [-half, half]
    if problem.reward == "step":
        jump = (problem.k - problem.mu) / problem.sigma
        if -half < jump < half:
            breaks = [-half, jump, half]
    nodes, weights = [], []
    for a, b in itertools.pairwise(breaks):
        panels = max(1, math.ceil((b - a) / _PANEL_WIDTH))
        edges = np.linspace(a, b, panels + 1)
        mid = 0.5 * (edges[:-1] + edges[1:])[:, None]
        half_w = 0.5 * np.diff(edges)[:, None]
        nodes.append((mid + half_w * _GL_NODES).ravel())
        weights.append((half_w * _GL_WEIGHTS).ravel())
    eps = np.concatenate(nodes)
    w = np.concatenate(weights) * np.exp(-0.5 * eps**2) / math.sqrt(2 * math.pi)
    return eps, w


@dataclass(frozen=True)
class ExactPoints:
    """Quadrature nodes with reward, scores and pathwise terms: the exact distribution."""

    weights: np.ndarray
    """Quadrature weights (sum to 1)."""
    eps: np.ndarray
    """Standard-normal nodes."""
    rewards: np.ndarray
    """f at the nodes."""
    scores: np.ndarray
    """∇log p at the nodes, shape (m, 2)."""
    pathwise: np.ndarray
    """∇ f(μ + σε) at the nodes, shape (m, 2)."""


def exact_points(problem: GaussianProblem) -> ExactPoints:
    """The quadrature representation of N(μ, σ²) with everything evaluated at the nodes."""
    eps, w = quadrature(problem)
    x = problem.mu + problem.sigma * eps
    return ExactPoints(w, eps, reward_values(x, problem),
                       score_columns(x, problem.mu, problem.sigma),
                       pathwise_columns(eps, problem))


def exact_pathwise_mean_and_variance(points: ExactPoints, parameter: str) -> tuple[float, float]:
    """E and Var of the pathwise term for one parameter."""
    j = PARAMETERS.index(parameter)
    g = points.pathwise[:, j]
    mean = float(points.weights @ g)
    return mean, max(float(points.weights @ (g - mean) ** 2), 0.0)


def quadratic_mu_variances(mu: float, sigma: float, k: float) -> dict[str, float]:
    """Closed-form variances of the four ∂/∂μ estimators for f = (x − k)², x ~ N(μ, σ²).

    With d = μ − k and x = μ + σε: f·s = (d² ε + 2dσ ε² + σ² ε³)/σ, and E[ε^(2m)] = 1, 3, 15
    give E[(f s)²] = (d⁴ + 18 d²σ² + 15σ⁴)/σ²; subtract (∂J/∂μ)² = 4d². A baseline b adds
    −2b E[f s²] + b² E[s²] with E[f s²] = (d² + 3σ²)/σ², E[s²] = 1/σ², so b = E[f] = d² + σ²
    and b* = d² + 3σ² give the two baseline rows. Pathwise: 2(d + σε) has variance 4σ².
    """
    d2, s2 = (mu - k) ** 2, sigma**2
    return {
        "score": d2**2 / s2 + 14 * d2 + 15 * s2,
        "score_mean": 8 * d2 + 10 * s2,
        "score_optimal": 8 * d2 + 6 * s2,
        "pathwise": 4 * s2,
    }


@dataclass(frozen=True)
class Figure2Data:
    """Variance of four ∂/∂μ estimators against k: exact curves and Monte Carlo points."""

    k_exact: np.ndarray
    """k values of the exact curves."""
    exact: dict[str, np.ndarray]
    """Exact variance per estimator at ``k_exact``."""
    k_sampled: np.ndarray
    """k values of the Monte Carlo points."""
    sampled: dict[str, np.ndarray]
    """Sample variance per estimator at ``k_sampled``."""
    sampled_se: dict[str, np.ndarray]
    """Standard error of each sample variance."""
    n_samples: int
    """Samples per k."""


def _row_variances(terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unbiased row variances of a 2-D array and their standard errors."""
    n = terms.shape[1]
    centred = terms - terms.mean(axis=1, keepdims=True)
    m2 = np.mean(centred**2, axis=1)
    m4 = np.mean(centred**4, axis=1)
    return m2 * n / (n - 1), np.sqrt(np.maximum(m4 - m2**2, 0.0) / n)


def _figure2_terms(eps: np.ndarray, ks: np.ndarray, mu: float, sigma: float
                   ) -> dict[str, np.ndarray]:
    """f, ∂log p/∂μ and the pathwise term ∂f/∂μ at points ε (quadrature nodes or samples),
    rows = k, for f = (x − k)², all derivatives by autograd."""
    et = torch.tensor(np.asarray(eps, dtype=float), dtype=torch.float64)
    kt = torch.as_tensor(ks, dtype=torch.float64)[:, None]
    mu_t = torch.full(et.shape, float(mu), dtype=torch.float64, requires_grad=True)
    sigma_t = torch.full(et.shape, float(sigma), dtype=torch.float64)
    x = mu_t + sigma_t * et
    f = (x - kt) ** 2
    log_p = normal_log_density(x.detach(), mu_t, sigma_t)
    (score,) = torch.autograd.grad(log_p.sum(), mu_t, retain_graph=True)
    (path,) = torch.autograd.grad(f.sum(), mu_t)
    return {"f": f.detach().numpy(), "s": score.numpy(), "pathwise": path.numpy()}


def _figure2_baselines(ks: np.ndarray, mu: float, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact mean baseline E[f] and optimal baseline E[f s²]/E[s²] per k, by quadrature."""
    eps, w = quadrature(GaussianProblem(mu, sigma, 0.0, "quadratic"))
    t = _figure2_terms(np.broadcast_to(eps, (len(ks), eps.size)), ks, mu, sigma)
    f, s = t["f"], t["s"]
    mean_b = f @ w
    opt_b = ((f * s**2) @ w) / ((s**2) @ w)
    return mean_b, opt_b


def figure2_exact(ks: np.ndarray, mu: float = 1.0, sigma: float = 1.0) -> dict[str, np.ndarray]:
    """Exact variances of the four ∂/∂μ estimators for f = (x − k)², by quadrature."""
    ks = np.asarray(ks, dtype=float)
    eps, w = quadrature(GaussianProblem(mu, sigma, 0.0, "quadratic"))
    t = _figure2_terms(np.broadcast_to(eps, (len(ks), eps.size)), ks, mu, sigma)
    mean_b, opt_b = _figure2_baselines(ks, mu, sigma)
    terms = {
        "score": t["f"] * t["s"],
        "score_mean": (t["f"] - mean_b[:, None]) * t["s"],
        "score_optimal": (t["f"] - opt_b[:, None]) * t["s"],
        "pathwise": t["pathwise"],
    }
    out = {}
    for name, g in terms.items():
        mean = g @ w
        out[name] = np.maximum((g - mean[:, None]) ** 2 @ w, 0.0)
    return out


def figure2(k_exact: np.ndarray, k_sampled: np.ndarray, n_samples: int,
            rng: np.random.Generator, mu: float = 1.0, sigma: float = 1.0) -> Figure2Data:
    """Mohamed et al. (2020) Fig. 2 for ∂/∂μ: exact curves and Monte Carlo variances.

    Every k gets its own ``n_samples`` fresh draws; the baselines are the exact constants.
    """
    k_sampled = np.asarray(k_sampled, dtype=float)
    eps = rng.standard_normal((k_sampled.size, n_samples))
    t = _figure2_terms(eps, k_sampled, mu, sigma)
    mean_b, opt_b = _figure2_baselines(k_sampled, mu, sigma)
    terms = {
        "score": t["f"] * t["s"],
        "score_mean": (t["f"] - mean_b[:, None]) * t["s"],
        "score_optimal": (t["f"] - opt_b[:, None]) * t["s"],
        "pathwise": t["pathwise"],
    }
    sampled, sampled_se = {}, {}
    for name, g in terms.items():
        sampled[name], sampled_se[name] = _row_variances(g)
    return Figure2Data(np.asarray(k_exact, dtype=float), figure2_exact(k_exact, mu, sigma),
                       k_sampled, sampled, sampled_se, n_samples)


def independent_estimates(problem: GaussianProblem, parameter: str, n: int, count: int,
                          rng: np.random.Generator, baseline: float = 0.0,
                          shift: float = 0.0) -> np.ndarray:
    """``count`` independent N-sample score-function estimates of one gradient component."""
    x = problem.mu + problem.sigma * rng.standard_normal((count, n))
    scores = score_column(x, problem.mu, problem.sigma, parameter)
    rewards = reward_values(x, problem) + shift
    return np.mean(se.score_terms(rewards, scores, baseline), axis=1)
