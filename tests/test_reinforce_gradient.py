"""The trainer's loss differentiates to the hand-derived REINFORCE gradient.

For a linear softmax policy, logits = W s + b, ∇_W log π(a|s) = (e_a − π(·|s)) sᵀ and
∇_b log π(a|s) = e_a − π(·|s). With sign "minus" and reduction "sum", the loss's gradient is
−(1/E) Σ_episodes Σ_t w_t ∇log π(a_t|s_t); with "mean" the sum is divided by the step count.
"""

import numpy as np
import pytest

from core.reinforce.config import TrainConfig
from core.reinforce.returns import apply_baseline, step_weights
from core.reinforce.rollout import Batch
from core.reinforce.trainer import Trainer
from core.torch_env import torch


def _batch(seed: int = 0) -> Batch:
    rng = np.random.default_rng(seed)
    lengths = np.array([3, 5, 2])
    n = int(lengths.sum())
    return Batch(obs=rng.normal(size=(n, 4)).astype(np.float32),
                 actions=rng.integers(0, 2, n).astype(np.int64),
                 rewards=rng.uniform(0.5, 1.5, n), lengths=lengths)


def _hand_gradient(trainer: Trainer, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    cfg = trainer.config
    layer = trainer.policy.net[0]
    W = layer.weight.detach().double().numpy()
    b = layer.bias.detach().double().numpy()
    s = batch.obs.astype(np.float64)
    logits = s @ W.T + b
    pi = np.exp(logits - logits.max(axis=1, keepdims=True))
    pi /= pi.sum(axis=1, keepdims=True)
    score = np.eye(2)[batch.actions] - pi                     # (n, 2): e_a − π
    w = apply_baseline(step_weights(batch.rewards, batch.lengths, cfg.gamma, cfg.weighting),
                       batch.lengths, cfg.baseline)
    scale = 1.0 / len(batch.lengths) if cfg.reduction == "sum" else 1.0 / len(w)
    sign = -1.0 if cfg.sign == "minus" else 1.0
    grad_W = sign * scale * (w[:, None] * score).T @ s
    grad_b = sign * scale * (w[:, None] * score).sum(axis=0)
    return grad_W, grad_b


@pytest.mark.parametrize(("sign", "reduction", "weighting", "baseline"), [
    ("minus", "sum", "total", "none"),
    ("minus", "mean", "reward_to_go", "batch_standardise"),
    ("plus", "sum", "reward_to_go", "episode_standardise"),
    ("minus", "sum", "reward_to_go", "batch_mean"),
])
def test_autograd_gradient_matches_hand_derivation(sign, reduction, weighting, baseline):
    config = TrainConfig(hidden=(), gamma=0.9, sign=sign, reduction=reduction,
                         weighting=weighting, baseline=baseline, seed=3,
                         episodes_per_update=3, num_envs=3)
    trainer = Trainer(config)
    batch = _batch()
    loss, _ = trainer.loss(batch)
    trainer.policy.zero_grad()
    loss.backward()
    layer = trainer.policy.net[0]
    grad_W, grad_b = _hand_gradient(trainer, batch)
    np.testing.assert_allclose(layer.weight.grad.double().numpy(), grad_W, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad.double().numpy(), grad_b, rtol=1e-4, atol=1e-6)
    trainer.close()


def test_entropy_bonus_adds_the_entropy_gradient():
    base = TrainConfig(hidden=(), seed=1, episodes_per_update=3, num_envs=3)
    batch = _batch(1)
    grads = []
    for coef in (0.0, 0.5):
        trainer = Trainer(TrainConfig(**{**base.to_dict(), "hidden": (), "entropy_coef": coef}))
        loss, entropy = trainer.loss(batch)
        trainer.policy.zero_grad()
        loss.backward(retain_graph=True)
        grads.append(trainer.policy.net[0].bias.grad.clone())
        trainer.policy.zero_grad()
        entropy.backward()
        entropy_grad = trainer.policy.net[0].bias.grad.clone()
        trainer.close()
    torch.testing.assert_close(grads[1], grads[0] - 0.5 * entropy_grad)
