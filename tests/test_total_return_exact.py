""""Total return G₀" vs reward-to-go, by exact enumeration of every trajectory of a tiny
episodic problem (issue 13, item 1.2).

A walker starts at x = 0, steps left or right (π(right|x) = σ(θ_x)), earns 1 per step and the
episode ends when |x| reaches 2 (the pole fell) or after T steps (the time limit). Summing over
all action sequences gives every expectation exactly, and autograd gives ∇J_γ.

Claims checked (and printed in the gallery's sentence): G₀ weighting is unbiased for ∇J_γ at
every γ; the usual reward-to-go Σ_t G_t ∇log π (no γ^t factor) equals it only at γ = 1.
"""

from __future__ import annotations

import itertools

import pytest

from core.reinforce import mistakes as gm
from core.torch_env import torch

THETA = (0.4, -0.3, 0.6)  # logits of "right" at x = -1, 0, 1


def _expectations(gamma: float, horizon: int) -> dict[str, torch.Tensor]:
    theta = torch.tensor(THETA, dtype=torch.float64, requires_grad=True)
    seen: set[tuple[int, ...]] = set()
    j = torch.zeros((), dtype=torch.float64)
    surrogate = {"total": j.clone(), "rtg": j.clone(), "rtg_discounted": j.clone()}
    for actions in itertools.product((0, 1), repeat=horizon):
        x, log_ps, steps = 0, [], 0
        for a in actions:
            p_right = torch.sigmoid(theta[x + 1])
            log_ps.append(torch.log(p_right if a == 1 else 1 - p_right))
            x += 1 if a == 1 else -1
            steps += 1
            if abs(x) == 2:
                break
        prefix = actions[:steps]
        if prefix in seen:        # a trajectory that ended early appears once
            continue
        seen.add(prefix)
        log_p = torch.stack(log_ps)
        prob = log_p.sum().exp()
        rewards = [1.0] * steps
        g = [sum(gamma ** (k - t) * rewards[k] for k in range(t, steps)) for t in range(steps)]
        g0 = g[0]
        j = j + prob * g0
        w = prob.detach()
        surrogate["total"] = surrogate["total"] + w * g0 * log_p.sum()
        g_t = torch.tensor(g, dtype=torch.float64)
        discount = torch.tensor([gamma ** t for t in range(steps)], dtype=torch.float64)
        surrogate["rtg"] = surrogate["rtg"] + w * (g_t * log_p).sum()
        surrogate["rtg_discounted"] = surrogate["rtg_discounted"] + w * (
            discount * g_t * log_p).sum()
    out = {"true": torch.autograd.grad(j, theta, retain_graph=True)[0]}
    for name, value in surrogate.items():
        out[name] = torch.autograd.grad(value, theta, retain_graph=True)[0]
    return out


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.linalg.norm(a - b) / torch.linalg.norm(b))


@pytest.mark.parametrize("gamma", [1.0, 0.99, 0.9])
def test_total_return_is_unbiased_for_the_discounted_objective(gamma):
    g = _expectations(gamma, 8)
    assert _rel(g["total"], g["true"]) < 1e-12
    assert _rel(g["rtg_discounted"], g["true"]) < 1e-12


def test_reward_to_go_without_gamma_t_agrees_only_at_gamma_one():
    assert _rel(_expectations(1.0, 8)["rtg"], _expectations(1.0, 8)["true"]) < 1e-12
    at_099 = _expectations(0.99, 8)
    at_09 = _expectations(0.9, 8)
    assert _rel(at_099["rtg"], at_099["true"]) > 0.005
    assert _rel(at_09["rtg"], at_09["true"]) > 5 * _rel(at_099["rtg"], at_099["true"])


def test_the_gallery_sentence_says_what_enumeration_shows():
    sentence = gm.mistake("total").sentence
    assert "Only at γ = 1" in sentence and "γ^t" in sentence
    assert "the expected gradient is the same, but" not in sentence
