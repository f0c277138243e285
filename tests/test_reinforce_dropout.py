"""With dropout, the score of the action must come from the forward pass that sampled it.

Under the distribution that actually chose each action (one dropout mask per step), the
expected score E[∇log π(a|s)] is 0. If the trainer recomputed log π with a fresh mask, the
mean score would be far from 0 (issue 13, item 1.1).
"""

import numpy as np
import pytest

from core.reinforce.config import TrainConfig
from core.reinforce.trainer import Trainer
from core.torch_env import torch


def _scores(rollout: str, chunks: int, episodes: int) -> np.ndarray:
    """One summed score per chunk of episodes: shape (chunks, parameters)."""
    n_envs = 1 if rollout == "per_step" else episodes
    config = TrainConfig(hidden=(16,), dropout=0.6, rollout=rollout, seed=5,
                         episodes_per_update=episodes, num_envs=n_envs)
    trainer = Trainer(config)
    out = []
    try:
        for _ in range(chunks):
            collector = trainer.collector
            collector.begin(episodes)
            while not collector.complete:
                collector.advance(trainer.policy, trainer.rng)
            batch = collector.finish()
            log_p, _ = trainer.log_probs(batch)
            trainer.policy.zero_grad(set_to_none=False)
            log_p.sum().backward()
            out.append(torch.cat([p.grad.reshape(-1) for p in trainer.policy.parameters()])
                       .double().numpy().copy())
    finally:
        trainer.close()
    return np.array(out)


@pytest.mark.parametrize(("rollout", "chunks", "episodes"), [("batched", 300, 8),
                                                             ("per_step", 150, 2)])
def test_dropout_score_has_mean_zero(rollout, chunks, episodes):
    scores = _scores(rollout, chunks, episodes)
    mean = scores.mean(axis=0)
    se = scores.std(axis=0, ddof=1) / np.sqrt(len(scores))
    z = np.abs(mean) / np.where(se > 0, se, np.inf)
    # Every parameter within 4 standard errors of 0 (bias-only parameters have se > 0 too).
    assert np.all(z < 4.0), f"largest |mean|/SE = {z.max():.1f}"
