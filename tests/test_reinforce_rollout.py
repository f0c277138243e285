"""core.reinforce.rollout: gymnasium 1.x NEXT_STEP autoreset never leaks into recorded episodes."""

import math

import numpy as np
import pytest

from core.reinforce.policy import Policy
from core.reinforce.rollout import (
    SingleCollector,
    VectorCollector,
    max_episode_steps,
    play_episode,
    reward_threshold,
)

THETA_LIMIT = 12 * 2 * math.pi / 360


def cartpole_step(s: np.ndarray, action: int) -> np.ndarray:
    """CartPole-v1's Euler step (gymnasium's constants), to check recorded transitions."""
    x, x_dot, theta, theta_dot = (float(v) for v in s)
    force = 10.0 if action == 1 else -10.0
    total_mass, pml, length = 1.1, 0.05, 0.5
    temp = (force + pml * theta_dot**2 * math.sin(theta)) / total_mass
    theta_acc = (9.8 * math.sin(theta) - math.cos(theta) * temp) / (
        length * (4.0 / 3.0 - 0.1 * math.cos(theta) ** 2 / total_mass))
    x_acc = temp - pml * theta_acc * math.cos(theta) / total_mass
    return np.array([x + 0.02 * x_dot, x_dot + 0.02 * x_acc,
                     theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc])


def terminal(s: np.ndarray) -> bool:
    return abs(s[0]) > 2.4 or abs(s[2]) > THETA_LIMIT


def check_episodes(batch) -> None:
    assert batch.lengths.sum() == len(batch.obs) == len(batch.actions) == len(batch.rewards)
    # The reset step of NEXT_STEP mode pays reward 0: none may be recorded.
    assert np.all(batch.rewards == 1.0)
    start = 0
    for n in batch.lengths:
        obs, act = batch.obs[start:start + n], batch.actions[start:start + n]
        assert np.all(np.abs(obs[0]) <= 0.05), "an episode must begin at a fresh reset"
        for t in range(n):
            after = cartpole_step(obs[t], int(act[t]))
            if t + 1 < n:
                # Each recorded step continues the previous one: no jump to a reset state.
                np.testing.assert_allclose(obs[t + 1], after, rtol=1e-4, atol=1e-5)
                assert not terminal(after)
            else:
                assert terminal(after) or n == max_episode_steps()
        start += n


@pytest.mark.parametrize(("episodes", "num_envs"), [(12, 4), (7, 3), (2, 5), (6, 1)])
def test_vector_batches_hold_whole_unleaked_episodes(episodes, num_envs):
    policy = Policy((8,), seed=2)
    collector = VectorCollector(num_envs, seed=5)
    rng = np.random.default_rng(0)
    for _ in range(3):  # several batches: later ones start from reset, not from leftovers
        collector.begin(episodes)
        while not collector.complete:
            collector.advance(policy, rng, max_steps=13)  # pause mid-batch on purpose
        batch = collector.finish()
        assert len(batch.lengths) == episodes
        check_episodes(batch)
    collector.close()


def test_an_env_finishing_several_episodes_in_one_batch_is_split_correctly():
    # One env, eight short episodes: every boundary crosses an autoreset step.
    policy = Policy((), seed=0)
    collector = VectorCollector(1, seed=1)
    collector.begin(8)
    collector.advance(policy, np.random.default_rng(1))
    batch = collector.finish()
    assert len(batch.lengths) == 8
    check_episodes(batch)
    collector.close()


def test_single_collector_keeps_graphs_and_whole_episodes():
    policy = Policy((16,), seed=4)
    collector = SingleCollector(seed=3)
    collector.begin(3)
    collector.advance(policy, np.random.default_rng(2))
    batch = collector.finish()
    assert len(batch.lengths) == 3
    assert batch.log_probs is not None and batch.log_probs.requires_grad
    assert batch.log_probs.shape[0] == batch.lengths.sum()
    check_episodes(batch)
    collector.close()


def test_incomplete_batch_cannot_be_finished():
    collector = VectorCollector(2, seed=0)
    collector.begin(4)
    collector.advance(Policy((4,), seed=0), np.random.default_rng(0), max_steps=1)
    with pytest.raises(RuntimeError):
        collector.finish()
    collector.close()


def test_play_episode_trajectory_and_spec():
    states, actions = play_episode(Policy((8,), seed=1), seed=9)
    assert len(states) == len(actions) + 1
    for t, a in enumerate(actions):
        np.testing.assert_allclose(states[t + 1], cartpole_step(states[t], int(a)),
                                   rtol=1e-4, atol=1e-5)
    assert reward_threshold() == 475.0 and max_episode_steps() == 500
