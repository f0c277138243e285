"""REINFORCE on the gridworld, written as a learner writes it: ``env.reset`` and ``env.step``.

Nothing in ``play_episode`` or ``reinforce_gradients`` reads the dynamics P, the slip or the
layout: the page shows their source next to the exact computation, which needs P. Changing the
slip changes what ``env.step`` returns, never this code.

One seed gives two independent random streams (``seed_streams``): the environment's, for its
slips, and the policy's, for its actions. Seeding both with the same number made the slips copy
the action draws and biased the estimate.

Also here: confidence intervals of the estimate, the empirical frequencies of trajectories, and
training by exact gradient ascent and by REINFORCE.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from core.confidence import Z95
from core.gridworld.env import make_env
from core.gridworld.world import (
    GridConfig,
    Gridworld,
    bellman_gradient,
    expected_length,
    log_p,
    value,
)
from core.torch_env import torch

MAX_EPISODES = 20_000
"""Most episodes one estimate may sample."""
STEP_BUDGET = 200_000
"""Most environment steps one estimate (or one training run) is expected to take."""


@dataclass
class Episode:
    """One trajectory: states s₀..s_T, actions a₀..a_{T−1}, rewards r₁..r_T."""

    states: list[int]
    actions: list[int]
    rewards: list[float]
    truncated: bool = False


# ------------------------------------------------------------------ the learner's code
def seed_streams(env: gym.Env, seed: int) -> np.random.Generator:
    """Seed the environment, and return the policy's own generator.

    Both come from one seed, spawned into independent streams. Were
    they the same numbers, the environment's random moves would copy
    the draws that chose the actions, and the estimate would be biased.
    """
    env_seed, policy_seed = np.random.SeedSequence(seed).spawn(2)
    env.reset(seed=int(env_seed.generate_state(1)[0]))
    return np.random.default_rng(policy_seed)


def play_episode(env: gym.Env, theta: torch.Tensor,
                 rng: np.random.Generator) -> Episode:
    """One episode of the softmax policy θ[s, :], through env.reset
    and env.step only; ``rng`` draws the actions."""
    pi = torch.softmax(theta.detach(), dim=-1)  # π(·|s), row s
    cdf = pi.cumsum(dim=-1).numpy()
    state, _ = env.reset()
    episode = Episode(states=[state], actions=[], rewards=[])
    done = False
    while not done:
        u = rng.random() * cdf[state, -1]
        action = int(np.searchsorted(cdf[state], u))  # a ~ π(·|s)
        state, reward, terminated, truncated, _ = env.step(action)
        episode.actions.append(action)
        episode.rewards.append(float(reward))
        episode.states.append(state)
        episode.truncated = truncated
        done = terminated or truncated
    return episode


def reinforce_gradients(env: gym.Env, theta: torch.Tensor,
                        episodes: int, gamma: float,
                        rng: np.random.Generator
                        ) -> tuple[torch.Tensor, list[Episode]]:
    """One REINFORCE gradient per episode, Σ_t γ^t G_t ∇log π(a_t|s_t),
    shape (N, S, A); their mean estimates ∇J(θ).

    One backward pass: each episode gets its own copy of θ, so row i
    of the result is episode i's gradient alone.
    """
    played = [play_episode(env, theta, rng) for _ in range(episodes)]
    rows, states, actions, weights = [], [], [], []
    for i, ep in enumerate(played):
        g = 0.0
        for t in reversed(range(len(ep.actions))):
            g = ep.rewards[t] + gamma * g  # G_t, the reward to go
            rows.append(i)
            states.append(ep.states[t])
            actions.append(ep.actions[t])
            weights.append(gamma**t * g)
    copies = theta.detach().expand(episodes, *theta.shape)
    copies = copies.clone().requires_grad_()
    log_pi = torch.log_softmax(copies, dim=-1)  # every copy's log π
    w = torch.tensor(weights, dtype=log_pi.dtype)
    surrogate = (w * log_pi[rows, states, actions]).sum()
    surrogate.backward()  # fills copies.grad, one row per episode
    assert copies.grad is not None
    return copies.grad, played


# ------------------------------------------------------------------ around it
def validate_episodes(config: GridConfig, theta: np.ndarray, episodes: int) -> str | None:
    """None if sampling ``episodes`` episodes under θ is within the page's budget."""
    if not isinstance(episodes, int) or episodes < 1:
        return "The number of episodes must be a whole number, at least 1."
    if episodes > MAX_EPISODES:
        return (f"{episodes:,} episodes is more than this page samples at once "
                f"(at most {MAX_EPISODES:,}). The intervals shrink like 1/√N: "
                f"{MAX_EPISODES:,} already gives them a width of about "
                f"{1 / math.sqrt(MAX_EPISODES):.3f} of one episode's spread.")
    world = Gridworld(config)
    length = min(expected_length(world, theta), world.max_episode_steps())
    if not math.isfinite(length) or episodes * length > STEP_BUDGET:
        fit = max(1, int(STEP_BUDGET // max(length, 1.0))) if math.isfinite(length) else 0
        return (f"Under this policy an episode lasts about {length:,.0f} steps on average, so "
                f"{episodes:,} episodes would take more than the {STEP_BUDGET:,} steps this "
                f"page allows" + (f": choose at most {fit:,} episodes." if fit else "."))
    return None


@dataclass(frozen=True)
class Estimate:
    """REINFORCE's estimate of ∇J from N episodes, with 95 % intervals."""

    per_episode: np.ndarray
    """Each episode's gradient, shape (N, S, A)."""
    lengths: np.ndarray
    """Steps of each episode, shape (N,)."""
    truncated: int
    """Episodes cut by the time limit."""

    @property
    def n(self) -> int:
        return int(self.per_episode.shape[0])

    @property
    def mean(self) -> np.ndarray:
        """The estimate: the mean of the per-episode gradients."""
        return self.per_episode.mean(axis=0)

    @property
    def standard_error(self) -> np.ndarray:
        """Standard error of each entry of the mean (sample std / √N; 0 for N = 1)."""
        if self.n < 2:
            return np.zeros(self.per_episode.shape[1:])
        return self.per_episode.std(axis=0, ddof=1) / math.sqrt(self.n)

    def running(self, ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard error of the first n episodes, for each n in ``ns``:
        shapes (len(ns), S, A)."""
        flat = self.per_episode.reshape(self.n, -1)
        c1 = np.cumsum(flat, axis=0)
        c2 = np.cumsum(flat**2, axis=0)
        ns = np.asarray(ns, dtype=np.int64)
        s1, s2 = c1[ns - 1], c2[ns - 1]
        mean = s1 / ns[:, None]
        var = np.where(ns[:, None] > 1,
                       (s2 - ns[:, None] * mean**2) / np.maximum(ns[:, None] - 1, 1), 0.0)
        se = np.sqrt(np.clip(var, 0.0, None) / ns[:, None])
        shape = (len(ns), *self.per_episode.shape[1:])
        return mean.reshape(shape), se.reshape(shape)


def estimate(config: GridConfig, theta: np.ndarray, episodes: int, seed: int
             ) -> tuple[Estimate, list[Episode]]:
    """Sample ``episodes`` episodes through the gymnasium environment and estimate ∇J."""
    env = make_env(config)
    try:
        grads, played = reinforce_gradients(env, torch.tensor(np.asarray(theta, np.float64)),
                                            episodes, config.gamma, seed_streams(env, seed))
    finally:
        env.close()
    lengths = np.array([len(ep.actions) for ep in played])
    return (Estimate(per_episode=grads.numpy(), lengths=lengths,
                     truncated=sum(ep.truncated for ep in played)), played)


def coverage(est: Estimate, exact: np.ndarray, active: np.ndarray) -> tuple[int, int]:
    """How many of the ``active`` entries' 95 % intervals contain the exact value, of how many."""
    low = est.mean - Z95 * est.standard_error
    high = est.mean + Z95 * est.standard_error
    inside = (exact >= low) & (exact <= high)
    return int(inside[active].sum()), int(active.sum())


def log_sizes(n_max: int, points: int = 40) -> np.ndarray:
    """Roughly log-spaced sample sizes from 1 to n_max (unique, increasing)."""
    return np.unique(np.round(np.geomspace(1, max(n_max, 1), points)).astype(np.int64))


# ------------------------------------------------------------------ trajectory frequencies
@dataclass(frozen=True)
class Frequency:
    """How often one trajectory turned up among the samples, next to its exact p(τ)."""

    path: str
    """The trajectory as its actions and cells."""
    count: int
    share: float
    """count / N."""
    exact: float
    """p(τ) = ρ(s₀) Π π(a_t|s_t) P(s_{t+1}|s_t, a_t), computed from P."""


def frequencies(world: Gridworld, theta: np.ndarray, played: list[Episode], top: int = 8
                ) -> list[Frequency]:
    """The ``top`` most frequent trajectories among ``played`` and their exact probabilities."""
    from core.gridworld.world import ARROWS, cell_label

    keys = [(tuple(ep.states), tuple(ep.actions)) for ep in played]
    counts = Counter(keys)
    out = []
    for (states, actions), count in counts.most_common(top):
        path = cell_label(world, states[0]) + "".join(
            f" {ARROWS[a]} {cell_label(world, s)}" for a, s in zip(actions, states[1:],
                                                                 strict=True))
        out.append(Frequency(path, count, count / len(played),
                             math.exp(log_p(world, theta, list(states), list(actions)))))
    return out


# ------------------------------------------------------------------ training
@dataclass(frozen=True)
class TrainSettings:
    """Gradient ascent on J, with the exact gradient or with REINFORCE."""

    updates: int = 100
    """Number of gradient steps."""
    lr: float = 2.0
    """Step size α of θ ← θ + α ĝ."""
    episodes_per_update: int = 10
    """Episodes REINFORCE samples for each step."""


@dataclass(frozen=True)
class TrainResult:
    """Learning curves (exact J after each step) and the final policies."""

    j_exact: np.ndarray
    """J(θ_k) along exact gradient ascent, k = 0..updates."""
    j_reinforce: np.ndarray
    """J(θ_k) along REINFORCE's steps (evaluated exactly), k = 0..updates."""
    theta_exact: np.ndarray
    theta_reinforce: np.ndarray
    steps_reinforce: int
    """Environment steps REINFORCE took in all."""


def validate_training(config: GridConfig, theta: np.ndarray, settings: TrainSettings
                      ) -> str | None:
    """None if the training run fits the page's budget."""
    if not 1 <= settings.updates <= 1000:
        return "Choose between 1 and 1,000 updates."
    if not (math.isfinite(settings.lr) and settings.lr > 0):
        return "The step size must be a positive number."
    total = settings.updates * settings.episodes_per_update
    problem = validate_episodes(config, theta, min(total, MAX_EPISODES))
    if total > MAX_EPISODES or problem:
        return (f"{settings.updates:,} updates × {settings.episodes_per_update:,} episodes = "
                f"{total:,} REINFORCE episodes: more than this page runs at once (at most "
                f"{MAX_EPISODES:,} episodes and {STEP_BUDGET:,} steps). Fewer updates or fewer "
                "episodes per update.")
    return None


def train(config: GridConfig, theta0: np.ndarray, settings: TrainSettings, seed: int
          ) -> TrainResult:
    """Exact gradient ascent and REINFORCE from the same θ₀, same step size, same MDP.

    REINFORCE's episodes come from one pair of streams seeded once (``seed_streams``), so
    every update samples fresh, unbiased episodes; the run is reproducible from ``seed``."""
    world = Gridworld(config)
    theta_e = np.array(theta0, dtype=np.float64)
    theta_r = theta_e.copy()
    j_e, j_r = [value(world, theta_e)], [value(world, theta_r)]
    env = make_env(config)
    steps = 0
    try:
        rng = seed_streams(env, seed)  # one pair of streams for the whole run
        for _ in range(settings.updates):
            _, grad = bellman_gradient(world, theta_e)
            theta_e = theta_e + settings.lr * grad
            grads, played = reinforce_gradients(env, torch.tensor(theta_r),
                                                settings.episodes_per_update, config.gamma, rng)
            steps += sum(len(ep.actions) for ep in played)
            theta_r = theta_r + settings.lr * grads.mean(dim=0).numpy()
            j_e.append(value(world, theta_e))
            j_r.append(value(world, theta_r))
    finally:
        env.close()
    return TrainResult(np.array(j_e), np.array(j_r), theta_e, theta_r, steps)
