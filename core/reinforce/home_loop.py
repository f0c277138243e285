"""The home page's REINFORCE loop, as code that runs.

``reinforce_episode`` is the function the home page shows (its source, read from this file):
one CartPole episode through gymnasium's ``env.reset``/``env.step``, the loss
−(Σ_t log π_θ(a_t|s_t))·r(τ), and one optimizer step. The CartPole lab's "home" preset
(``core.reinforce.config.PRESETS``) trains this very loss: ``tests/test_home_loop.py`` plays an
episode with it and checks that ``Trainer.loss`` under that preset gives the same gradient.

Run it: ``python -m core.reinforce.home_loop --episodes 300 --seed 0`` trains a policy with the
home preset's network and optimizer and prints the mean return every 20 episodes.
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

from core.reinforce.config import preset
from core.reinforce.rollout import ENV_ID
from core.reinforce.trainer import build_policy
from core.torch_env import torch


def reinforce_episode(env: gym.Env, policy: torch.nn.Module,
                      optimizer: torch.optim.Optimizer) -> float:
    """Play one episode, then take one REINFORCE step. Returns r(τ)."""
    log_probs: list[torch.Tensor] = []
    rewards: list[float] = []
    state, _ = env.reset()
    done = False
    while not done:                              # one episode: τ drawn from π_θ
        logits = policy(torch.as_tensor(state))
        dist = torch.distributions.Categorical(logits=logits)
        action = dist.sample()
        log_probs.append(dist.log_prob(action))  # log π_θ(a_t | s_t)
        state, reward, terminated, truncated, _ = env.step(action.item())
        rewards.append(float(reward))
        done = terminated or truncated

    R = sum(rewards)                             # r(τ)
    loss = -(torch.stack(log_probs) * R).sum()   # minus, and a sum over t
    optimizer.zero_grad()
    loss.backward()                              # θ.grad = −r(τ) ∇log π_θ(τ)
    optimizer.step()
    return R


def train(episodes: int, seed: int = 0) -> list[float]:
    """Train a fresh policy of the "home" preset (its network, optimizer and learning rate,
    seeded by ``seed``) with ``reinforce_episode``, one update per episode; the returns.

    The environment's starts are seeded by the first reset; the actions are sampled from
    torch's global random stream, seeded here and restored afterwards.
    """
    policy, optimizer = build_policy(preset("home", seed=seed))
    env = gym.make(ENV_ID)
    env.reset(seed=seed)  # seeds the starts: later resets continue the same random stream
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return [reinforce_episode(env, policy, optimizer) for _ in range(episodes)]
    finally:
        env.close()


def main(argv: list[str] | None = None) -> int:
    """Train from the command line, printing the mean return of every 20 episodes."""
    parser = argparse.ArgumentParser(prog="python -m core.reinforce.home_loop",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=300, help="episodes (= updates)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, starts, actions")
    args = parser.parse_args(argv)
    if args.episodes < 1 or args.seed < 0:
        parser.error("episodes must be at least 1 and the seed non-negative")
    returns = train(args.episodes, args.seed)
    for first in range(0, len(returns), 20):
        chunk = returns[first:first + 20]
        print(f"episodes {first + 1:>5}-{first + len(chunk):<5} mean return "
              f"{float(np.mean(chunk)):6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
