"""Collecting CartPole episodes with the current policy.

Two collectors share one interface (``begin`` a batch, ``advance`` it in bounded pieces,
``finish`` it into a ``Batch``):

- ``VectorCollector`` steps gymnasium's vectorized CartPole (``make_vec`` with the
  ``vector_entry_point``) and samples all actions with one graph-free forward pass per step.
  The log-probabilities are recomputed later, in one batched pass, from the stored
  observations and actions (and, with dropout, the stored masks of the pass that sampled).
- ``SingleCollector`` steps one ``gymnasium.make`` environment with one forward pass per step
  and keeps the autograd graph of every log-probability, like the classic loop.

Gymnasium 1.x vector autoreset: CartPole's vector env runs in ``AutoresetMode.NEXT_STEP``. The
``step`` that follows a terminated or truncated step ignores the action, resets that copy, and
returns the new first observation with reward 0 and no termination. That transition belongs to
no episode, so it is never recorded, and the new episode starts from the observation it returns.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from core.reinforce.policy import OBS_DIM, Policy
from core.torch_env import torch

ENV_ID = "CartPole-v1"
V0_ENV_ID = "CartPole-v0"
"""The older CartPole (200-step episodes), whose solved threshold (195) is the classic first
milestone."""


def reward_threshold(env_id: str = ENV_ID) -> float:
    """The mean return gymnasium calls solved for ``env_id`` (CartPole-v1: 475, v0: 195)."""
    threshold = gym.spec(env_id).reward_threshold
    assert threshold is not None  # registered with both CartPoles
    return float(threshold)


def max_episode_steps() -> int:
    """The time limit of one CartPole-v1 episode (500 steps)."""
    steps = gym.spec(ENV_ID).max_episode_steps
    assert steps is not None  # registered with CartPole-v1
    return int(steps)


def cartpole_state(env: gym.vector.VectorEnv) -> np.ndarray:
    """The (4, num_envs) physical state of gymnasium's vectorized CartPole (its
    ``vector_entry_point``), writable in place; it exists once the environment was reset."""
    state = getattr(env.unwrapped, "state", None)
    if state is None:
        raise RuntimeError("reset the CartPole vector environment before reading its state")
    return state


SOLVED_RETURN: float = reward_threshold()
"""CartPole-v1's solved threshold (475), read once from gymnasium's registry."""
EPISODE_CAP: int = max_episode_steps()
"""CartPole-v1's episode time limit (500 steps), read once from gymnasium's registry."""
RETURN_AXIS: tuple[float, float] = (0.0, EPISODE_CAP * 1.04)
"""y-range of every chart of CartPole returns: the cap with a little headroom."""


@dataclass
class Batch:
    """The finished episodes of one update, stored flat (episode after episode)."""

    obs: np.ndarray
    """Observations s_t, shape (steps, 4), float32."""
    actions: np.ndarray
    """Actions a_t (0 = push left, 1 = push right), shape (steps,), int64."""
    rewards: np.ndarray
    """Rewards r_t, shape (steps,), float64."""
    lengths: np.ndarray
    """Steps in each episode, shape (episodes,), int64."""
    log_probs: torch.Tensor | None = None
    """log π(a_t|s_t) with its autograd graph (per-step collector only)."""
    entropies: torch.Tensor | None = None
    """Policy entropy at each s_t with its graph (per-step collector only)."""
    masks: tuple[np.ndarray, ...] = ()
    """With dropout (batched collector): the keep-masks of the forward pass that sampled each
    a_t, one bool array (steps, units) per dropout layer, so log π(a_t|s_t) is recomputed
    under the very network that chose a_t (a fresh mask would bias the gradient)."""

    @property
    def returns(self) -> np.ndarray:
        """Undiscounted return of each episode."""
        return np.add.reduceat(self.rewards, np.cumsum(self.lengths) - self.lengths)


def _split(episodes: int, num_envs: int) -> np.ndarray:
    """How many episodes each environment runs so the batch has exactly ``episodes``."""
    base, extra = divmod(episodes, num_envs)
    return np.array([base + (1 if j < extra else 0) for j in range(num_envs)], dtype=np.int64)


class Collector(ABC):
    """What both collectors share: a batch is begun, advanced one environment step at a time
    in bounded pieces (a deadline or a step budget, so a page can redraw between pieces),
    and finished into a ``Batch``."""

    env: gym.Env | gym.vector.VectorEnv
    _active_batch: bool = False

    @property
    def in_progress(self) -> bool:
        """A batch has begun and is not finished yet."""
        return self._active_batch

    @property
    @abstractmethod
    def complete(self) -> bool:
        """All episodes of the batch have finished."""

    @abstractmethod
    def _step(self, policy: Policy, rng: np.random.Generator) -> None:
        """Take one (vector) environment step with ``policy`` and record it."""

    @abstractmethod
    def _batch(self) -> Batch:
        """The complete batch's episodes."""

    def advance(self, policy: Policy, rng: np.random.Generator, *,
                deadline: float | None = None, max_steps: int | None = None) -> int:
        """Step until the batch is complete, the deadline passes or ``max_steps`` (vector)
        steps were taken (at least one while the batch is incomplete). Returns the steps
        taken."""
        steps = 0
        while not self.complete:
            self._step(policy, rng)
            steps += 1
            if max_steps is not None and steps >= max_steps:
                break
            if deadline is not None and time.perf_counter() >= deadline:
                break
        return steps

    def finish(self) -> Batch:
        """The collected batch (an error before it is complete)."""
        if not self.complete:
            raise RuntimeError("the batch is not complete")
        self._active_batch = False
        return self._batch()

    def close(self) -> None:
        """Release the environment(s)."""
        self.env.close()


class VectorCollector(Collector):
    """Episodes from N CartPole copies stepped together, with NEXT_STEP autoreset handled.

    Every batch starts from a fresh reset and each copy runs a fixed number of whole episodes,
    so a batch is never biased towards short episodes (as taking "the first E to finish" would).
    """

    env: gym.vector.VectorEnv

    def __init__(self, num_envs: int, seed: int, *, argmax: bool = False,
                 same_start: bool = False) -> None:
        self.env = gym.make_vec(ENV_ID, num_envs=num_envs, vectorization_mode="vector_entry_point")
        self.num_envs = num_envs
        self._seed: int | None = int(seed)
        self.argmax = argmax
        """Take the more probable action instead of sampling (a classic mistake)."""
        self.same_start = same_start
        """Start every episode from one state (the mistake of resetting with the same seed)."""
        self._start: np.ndarray | None = None
        self._active_batch = False
        self.obs = np.zeros((num_envs, OBS_DIM), dtype=np.float32)

    def begin(self, episodes: int) -> None:
        """Reset every copy and start collecting a batch of ``episodes`` episodes."""
        self.obs, _ = self.env.reset(seed=self._seed)
        self._seed = None  # seed once; later resets continue the same random stream
        if self.same_start:
            self._restart(np.ones(self.num_envs, dtype=bool))
        self._targets = _split(episodes, self.num_envs)
        self._counts = np.zeros(self.num_envs, dtype=np.int64)
        self._remaining = int(self._targets.sum())
        self._resetting = np.zeros(self.num_envs, dtype=bool)
        self._obs: list[np.ndarray] = []
        self._act: list[np.ndarray] = []
        self._rew: list[np.ndarray] = []
        self._mask: list[np.ndarray] = []
        self._done: list[np.ndarray] = []
        self._masks: list[tuple[np.ndarray, ...]] = []
        self._active_batch = True

    @property
    def complete(self) -> bool:
        """Every copy has finished its share of episodes."""
        return self._remaining <= 0

    def _step(self, policy: Policy, rng: np.random.Generator) -> None:
        """One step of all copies; a copy records only until it has its share of episodes."""
        recording = (self._counts < self._targets) & ~self._resetting
        p_right, masks = policy.prob_right_and_masks(self.obs)
        if masks:
            self._masks.append(masks)
        if self.argmax:
            actions = (p_right > 0.5).astype(np.int64)
        else:
            actions = (rng.random(self.num_envs) < p_right).astype(np.int64)
        next_obs, reward, terminated, truncated, _ = self.env.step(actions)
        if self.same_start and self._resetting.any():
            next_obs = self._restart(self._resetting, next_obs)
        done = terminated | truncated
        self._obs.append(self.obs)
        self._act.append(actions)
        self._rew.append(reward)
        self._mask.append(recording)
        self._done.append(done)
        ended = recording & done
        if ended.any():
            self._counts += ended
            self._remaining -= int(ended.sum())
        # The copies that just ended spend their next step resetting (NEXT_STEP mode).
        self._resetting = done
        self.obs = next_obs

    @property
    def start_state(self) -> np.ndarray | None:
        """With ``same_start``, the one state every episode starts from (None until the first
        batch begins, and always None without ``same_start``)."""
        return None if self._start is None else self._start.copy()

    def _restart(self, copies: np.ndarray, obs: np.ndarray | None = None) -> np.ndarray:
        """Put ``copies`` back at the run's one start state (the first state copy 0 was reset
        to); returns the observations with those rows replaced."""
        state = cartpole_state(self.env)
        if self._start is None:
            self._start = state[:, 0].copy()
        state[:, copies] = self._start[:, None]
        obs = self.obs if obs is None else obs
        obs[copies] = self._start.astype(np.float32)
        return obs

    def _batch(self) -> Batch:
        """The collected batch, episodes grouped by environment in the order they ran."""
        mask = np.stack(self._mask)            # (T, N)
        # Order steps environment by environment, in time order within each one.
        env_major = mask.T
        obs = np.stack(self._obs).transpose(1, 0, 2)[env_major]
        act = np.stack(self._act).T[env_major]
        rew = np.stack(self._rew).T[env_major].astype(np.float64)
        done = np.stack(self._done).T[env_major]
        ends = np.flatnonzero(done)
        lengths = np.diff(np.concatenate(([-1], ends))).astype(np.int64)
        masks = tuple(np.stack([step[k] for step in self._masks]).transpose(1, 0, 2)[env_major]
                      for k in range(len(self._masks[0]))) if self._masks else ()
        return Batch(obs=np.ascontiguousarray(obs, dtype=np.float32), actions=act, rewards=rew,
                     lengths=lengths, masks=masks)

    def first_state(self) -> np.ndarray:
        """The current observation of copy 0 (for a live picture of the cart)."""
        return np.asarray(self.obs[0], dtype=np.float64)


class SingleCollector(Collector):
    """Episodes from one environment, one forward pass with autograd per step."""

    env: gym.Env

    def __init__(self, seed: int, *, argmax: bool = False, same_start: bool = False) -> None:
        self.env = gym.make(ENV_ID)
        self.keep_entropy = True
        """Keep each step's entropy with its graph (needed only for an entropy bonus)."""
        self._seed: int | None = int(seed)
        self.argmax = argmax
        """Take the more probable action instead of sampling (a classic mistake)."""
        self.same_start = same_start
        """Reset every episode with the run's seed (a classic mistake): all start alike."""
        self._first_seed = int(seed)
        self._active_batch = False
        self.obs = np.zeros(OBS_DIM, dtype=np.float32)

    def begin(self, episodes: int) -> None:
        """Start collecting ``episodes`` episodes, one after the other."""
        self._target = episodes
        self._count = 0
        self._obs: list[np.ndarray] = []
        self._act: list[int] = []
        self._rew: list[float] = []
        self._lengths: list[int] = []
        self._logp: list[torch.Tensor] = []
        self._ent: list[torch.Tensor] = []
        self._t = 0
        self._reset()
        self._active_batch = True

    def _reset(self) -> None:
        self.obs, _ = self.env.reset(seed=self._first_seed if self.same_start else self._seed)
        self._seed = None

    @property
    def complete(self) -> bool:
        """All episodes of the batch have finished."""
        return self._count >= self._target

    def _step(self, policy: Policy, rng: np.random.Generator) -> None:
        """One step, keeping the graph of log π(a|s); a finished episode resets the env."""
        logits = policy(torch.as_tensor(self.obs, dtype=torch.float32))
        log_p = torch.log_softmax(logits, dim=-1)
        p_right = float(log_p[1].detach().exp())
        action = int(p_right > 0.5) if self.argmax else int(rng.random() < p_right)
        self._logp.append(log_p[action])
        if self.keep_entropy:
            self._ent.append(-(log_p.exp() * log_p).sum())
        next_obs, reward, terminated, truncated, _ = self.env.step(action)
        self._obs.append(np.asarray(self.obs, dtype=np.float32))
        self._act.append(action)
        self._rew.append(float(reward))
        self._t += 1
        self.obs = next_obs
        if terminated or truncated:
            self._lengths.append(self._t)
            self._t = 0
            self._count += 1
            if not self.complete:
                self._reset()

    def _batch(self) -> Batch:
        """The collected batch, with the graphs of its log-probabilities."""
        return Batch(obs=np.array(self._obs, dtype=np.float32),
                     actions=np.array(self._act, dtype=np.int64),
                     rewards=np.array(self._rew, dtype=np.float64),
                     lengths=np.array(self._lengths, dtype=np.int64),
                     log_probs=torch.stack(self._logp),
                     entropies=torch.stack(self._ent) if self._ent else None)

    def first_state(self) -> np.ndarray:
        """The current observation (for a live picture of the cart)."""
        return np.asarray(self.obs, dtype=np.float64)


def play_episode(policy: Policy, seed: int, *, max_steps: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """One episode under ``policy`` (sampling its actions), from ``gymnasium.make``.

    Returns the states s_0..s_T, shape (T+1, 4), and the actions, shape (T,).
    """
    env = gym.make(ENV_ID)
    rng = np.random.default_rng([int(seed), 7])
    limit = max_steps if max_steps is not None else max_episode_steps()
    was_training = policy.training
    policy.eval()
    try:
        obs, _ = env.reset(seed=int(seed))
        states = [np.asarray(obs, dtype=np.float64)]
        actions: list[int] = []
        for _ in range(limit):
            p_right = float(policy.prob_right(np.asarray(obs, dtype=np.float32)[None])[0])
            action = int(rng.random() < p_right)
            obs, _, terminated, truncated, _ = env.step(action)
            states.append(np.asarray(obs, dtype=np.float64))
            actions.append(action)
            if terminated or truncated:
                break
    finally:
        policy.train(was_training)
        env.close()
    return np.array(states), np.array(actions, dtype=np.int64)
