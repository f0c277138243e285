"""The home page's REINFORCE loop runs, and the "home" preset trains exactly it.

``core.reinforce.home_loop.reinforce_episode`` is what the home page shows; the Trainer under
the "home" preset must compute the same gradient from the same episode and the same weights.
"""

from __future__ import annotations

import inspect
import math
import subprocess
import sys
from pathlib import Path
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
import pytest

from core.reinforce import home_loop as hl
from core.reinforce.config import PRESETS, preset
from core.reinforce.rollout import ENV_ID, Batch
from core.reinforce.trainer import Trainer, build_policy
from core.source import function_source
from core.torch_env import torch

ROOT = Path(__file__).resolve().parent.parent


class Recorder(gym.Wrapper):
    """Passes everything through and keeps the last episode's states, actions and rewards."""

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self.states, self.actions, self.rewards = [obs], [], []
        return obs, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.states.append(obs)
        self.actions.append(action)
        self.rewards.append(float(reward))
        return obs, reward, terminated, truncated, info

    def batch(self) -> Batch:
        """The last episode as the Trainer's batch of one episode."""
        n = len(self.actions)
        return Batch(obs=np.array(self.states[:n], dtype=np.float32),
                     actions=np.array(self.actions, dtype=np.int64),
                     rewards=np.array(self.rewards, dtype=np.float64),
                     lengths=np.array([n], dtype=np.int64))


def _flat(tensors) -> torch.Tensor:
    return torch.cat([t.detach().reshape(-1) for t in tensors])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_home_preset_gives_the_home_loops_gradient_and_steps(seed):
    config = preset("home", seed=seed)
    policy, optimizer = build_policy(config)     # what the home loop trains
    trainer = Trainer(config)                    # what the CartPole lab trains
    env = Recorder(gym.make(ENV_ID))
    env.reset(seed=seed)
    try:
        assert torch.equal(_flat(policy.parameters()), _flat(trainer.policy.parameters()))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for _ in range(3):
                ret = hl.reinforce_episode(env, policy, optimizer)
                batch = env.batch()
                assert ret == float(batch.rewards.sum()) == len(batch.actions)
                loss, _ = trainer.loss(batch)
                trainer.optimizer.zero_grad()
                loss.backward()
                # The same gradient (the home loop left its own in .grad before stepping), up
                # to float32 rounding of sums of up to 500 terms: measured at most 3e-7 of the
                # largest component, allowed 1e-5 of it (γ = 0.99 would be off by 1-20 %) ...
                mine = _flat(p.grad for p in policy.parameters())
                torch.testing.assert_close(_flat(p.grad for p in trainer.policy.parameters()),
                                           mine, rtol=0.0, atol=1e-5 * float(mine.abs().max()))
                # ... and the same optimizer, so the same weights after the step.
                trainer.optimizer.step()
                torch.testing.assert_close(_flat(trainer.policy.parameters()),
                                           _flat(policy.parameters()), rtol=1e-5, atol=1e-6)
    finally:
        env.close()
        trainer.close()


def test_the_home_loop_trains_and_is_seeded():
    returns = hl.train(4, seed=3)
    assert len(returns) == 4 and all(math.isfinite(r) and r >= 1 for r in returns)
    assert hl.train(4, seed=3) == returns                 # seeded: the same run again
    assert hl.train(4, seed=4) != returns
    policy, optimizer = build_policy(PRESETS["home"])
    before = _flat(policy.parameters()).clone()
    env = gym.make(ENV_ID)
    env.reset(seed=0)
    hl.reinforce_episode(env, policy, optimizer)
    env.close()
    after = _flat(policy.parameters())
    assert torch.isfinite(after).all() and not torch.equal(before, after)


def test_cli_prints_the_mean_returns(capsys):
    assert hl.main(["--episodes", "3", "--seed", "1"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("episodes     1-3") and "mean return" in line
    with pytest.raises(SystemExit):
        hl.main(["--episodes", "0"])


def test_reading_the_source_does_not_load_torch():
    # The home page shows the loop without importing it: app.py's background warm-up loads
    # torch, and the first page a visitor opens does not wait for it.
    code = ("import sys; from core.source import function_source; "
            "function_source('core.reinforce.home_loop', 'reinforce_episode'); "
            "print(sorted(m for m in ('torch', 'gymnasium', 'core.reinforce.home_loop') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_the_page_shows_the_source_that_runs():
    shown = function_source("core.reinforce.home_loop", "reinforce_episode")
    assert shown == inspect.getsource(hl.reinforce_episode)
    assert "loss = -(torch.stack(log_probs) * R).sum()" in shown
    assert max(len(line) for line in shown.splitlines()) <= 80   # fits the page at 1280 px
    with pytest.raises(ValueError):
        function_source("core.reinforce.home_loop", "nope")
