"""A softmax (categorical) policy over K outcomes: probabilities, scores and exact gradients.

Every gradient here comes from torch autograd in float64, so the app shows what PyTorch itself
computes rather than a hand-derived formula.
"""

from __future__ import annotations

import numpy as np

from core.torch_env import torch

MIN_OUTCOMES = 2
MAX_OUTCOMES = 8


def validate_logits_and_rewards(logits: np.ndarray, rewards: np.ndarray) -> str | None:
    """Why these logits and rewards cannot define a softmax bandit, or None if they can."""
    logits = np.asarray(logits, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    if logits.ndim != 1 or rewards.ndim != 1 or logits.shape != rewards.shape:
        return "Logits and rewards need one value per outcome."
    if not MIN_OUTCOMES <= logits.size <= MAX_OUTCOMES:
        return f"Use between {MIN_OUTCOMES} and {MAX_OUTCOMES} outcomes (got {logits.size})."
    if not np.all(np.isfinite(logits)):
        return "Every logit must be a finite number."
    if not np.all(np.isfinite(rewards)):
        return "Every reward must be a finite number."
    if np.ptp(logits) > 700:
        return "Logits differ by more than 700: some probabilities underflow to exactly 0."
    return None


def probabilities(logits: np.ndarray) -> np.ndarray:
    """softmax(logits), computed stably."""
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def score_matrix(logits: np.ndarray) -> np.ndarray:
    """Row x is ∇θ log π_θ(x) for outcome x, shape (K, K), by autograd.

    For a softmax this equals onehot(x) − π, so each column has expectation 0 under π.
    """
    theta = torch.tensor(np.asarray(logits, dtype=float), dtype=torch.float64,
                         requires_grad=True)
    log_probs = torch.log_softmax(theta, dim=0)
    rows = [torch.autograd.grad(log_probs[x], theta, retain_graph=True)[0]
            for x in range(theta.numel())]
    return torch.stack(rows).detach().numpy()


def expected_reward(logits: np.ndarray, rewards: np.ndarray) -> float:
    """J(θ) = Σ_x π_θ(x) r(x)."""
    return float(probabilities(logits) @ np.asarray(rewards, dtype=float))


def expected_reward_gradient(logits: np.ndarray, rewards: np.ndarray) -> np.ndarray:
    """∇θ J(θ), by autograd through the exact sum Σ_x softmax(θ)_x r(x)."""
    theta = torch.tensor(np.asarray(logits, dtype=float), dtype=torch.float64,
                         requires_grad=True)
    r = torch.tensor(np.asarray(rewards, dtype=float), dtype=torch.float64)
    objective = torch.softmax(theta, dim=0) @ r
    (grad,) = torch.autograd.grad(objective, theta)
    return grad.numpy()


def sample_outcomes(logits: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` outcome indices drawn from π_θ."""
    return rng.choice(len(logits), size=n, p=probabilities(logits))


def expected_reward_along(logits: np.ndarray, rewards: np.ndarray, component: int,
                          values: np.ndarray) -> np.ndarray:
    """J(θ) as logit ``component`` runs over ``values`` with the other logits fixed."""
    grid = np.repeat(np.asarray(logits, dtype=float)[None, :], len(values), axis=0)
    grid[:, component] = np.asarray(values, dtype=float)
    z = grid - grid.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return p @ np.asarray(rewards, dtype=float)


def independent_estimates(logits: np.ndarray, rewards: np.ndarray, component: int, n: int,
                          count: int, rng: np.random.Generator,
                          baseline: float = 0.0) -> np.ndarray:
    """``count`` independent N-sample estimates of ∂J/∂θ_component.

    An N-sample average of (r(x) − b) s(x) only depends on how often each outcome was drawn,
    so multinomial counts give exactly the same estimates as N individual draws.
    """
    p = probabilities(logits)
    counts = rng.multinomial(n, p, size=count)
    terms = (np.asarray(rewards, dtype=float) - baseline) * score_matrix(logits)[:, component]
    return counts @ terms / n
