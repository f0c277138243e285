"""A gallery of classic REINFORCE mistakes on CartPole, each trained beside the correct version.

Every mistake is one or two config fields changed from ``GALLERY_BASE`` (the app's default
run). ``compare`` trains the correct and the mistaken config on the same seeds (same initial
weights, same environment seeds) and returns their learning curves, their policies' entropy,
and returns of evaluation episodes from fresh, unseen start states.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import gymnasium as gym
import numpy as np

from core.reinforce.config import TrainConfig, validate_config
from core.reinforce.policy import Policy
from core.reinforce.rollout import ENV_ID, cartpole_state, max_episode_steps
from core.reinforce.trainer import Trainer
from core.torch_env import torch

GALLERY_BASE = TrainConfig(
    lr=0.02, optimizer="adam", gamma=0.99, hidden=(32,), activation="tanh",
    episodes_per_update=16, num_envs=16, rollout="batched", weighting="reward_to_go",
    baseline="batch_standardise", reduction="sum", sign="minus", max_episodes=300)
"""The correct run every mistake is compared with (the app's default config, written out so
the gallery's measured effects do not move if that default changes)."""

START_UPDATES = 1
"""Updates whose episodes make up the "start" mean (the untrained policy's batch)."""
END_UPDATES = 3
"""Updates whose episodes make up the "end" mean (the last batches of the run)."""
EVAL_EPISODES = 32
"""Evaluation episodes per trained policy, from fresh start states."""
EVAL_SEED_OFFSET = 1_000_003
"""Added to a run's seed to seed its evaluation starts, which training never saw."""

MAX_SEEDS = 5
"""Most seeds one comparison may use."""
MIN_EPISODES = 32
"""Fewest episodes per run (two updates of the base config)."""
MAX_EPISODES = 600
"""Most episodes per run."""


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: what to change, and what goes wrong."""

    key: str
    """Short id, used in links."""
    title: str
    """The mistake, named in a few words."""
    changes: tuple[tuple[str, Any], ...]
    """Config fields set to the mistaken values, as (field, value) pairs."""
    sentence: str
    """What goes wrong and why, in one sentence."""

    def config(self, base: TrainConfig = GALLERY_BASE) -> TrainConfig:
        """``base`` with this mistake made."""
        return replace(base, **dict(self.changes))


MISTAKES: tuple[Mistake, ...] = (
    Mistake("sign", "The minus sign dropped", (("sign", "plus"),),
            "Optimizers minimise, so a loss of +J instead of −J makes every step descend J: "
            "actions followed by long episodes become less likely, the policy grows sure of "
            "the wrong moves, and the return falls instead of rising."),
    Mistake("total", "Total return G₀ for every step", (("weighting", "total"),),
            "An action cannot change the rewards that came before it, yet G₀ credits it with "
            "them: without a baseline the expected gradient is the same, but each estimate "
            "carries the noise of those earlier rewards, so on average learning is slower."),
    Mistake("logprob_mean", "Log-probabilities averaged before multiplying by returns",
            (("logprob_pairing", "batch_mean_first"),),
            "The mean of log π times the mean of the weights is not the mean of their product: "
            "every action loses its own return, and weights standardised over the batch have "
            "mean 0, so the gradient is zero up to rounding and nothing is learned."),
    Mistake("episode_std", "Returns standardised per episode, not per batch",
            (("baseline", "episode_standardise"),),
            "Standardising within each episode gives every episode the same pattern of "
            "weights, positive early and negative on its last third to half (reward-to-go "
            "falls along every episode), so a 500-step success is discouraged at its end just "
            "like a 10-step failure; the run can no longer tell which episodes were better, "
            "only which steps came early, and learns more slowly."),
    Mistake("same_reset", "The environment reset with the same seed every episode",
            (("reset_seed", "same"),),
            "Every training episode starts from one and the same state, yet the sampled "
            "actions still make the episodes differ and every start state of CartPole lies "
            "within ±0.05 of upright and still, so the policy still learns and does almost as "
            "well from fresh starts as from its own."),
    Mistake("argmax", "Actions by argmax instead of sampling", (("action_selection", "argmax"),),
            "Always taking the more probable action means never trying the other: the "
            "untrained policy pushes the same way nearly every step, so the pole falls after "
            "about 10 steps, and with nothing else tried the returns cannot say which action "
            "would have been better: they stay at about 10."),
    Mistake("lr10", "A learning rate ten times too large",
            (("lr", GALLERY_BASE.lr * 10),),
            "Steps ten times larger make the policy almost deterministic within about a "
            "hundred episodes; a seed may race ahead at first, but a policy that no longer "
            "explores cannot recover once it locks onto poor moves, so runs stall or fall back "
            "while the correct ones keep improving."),
)
"""The gallery, in the order the page shows it."""

MISTAKE_KEYS: tuple[str, ...] = tuple(m.key for m in MISTAKES)


def mistake(key: str) -> Mistake:
    """The mistake with this key."""
    for entry in MISTAKES:
        if entry.key == key:
            return entry
    raise ValueError(f"unknown mistake {key!r}; choose one of {', '.join(MISTAKE_KEYS)}")


@dataclass(frozen=True)
class Run:
    """What one training run produced."""

    returns: np.ndarray
    """Return of every training episode, in order, shape (episodes,), float32 (NaN after a
    divergence)."""
    update_episodes: np.ndarray
    """Episodes finished after each update, shape (updates,)."""
    update_returns: np.ndarray
    """Mean return of each update's batch, shape (updates,)."""
    update_entropy: np.ndarray
    """Mean policy entropy (nats) over each update's batch, shape (updates,)."""
    update_grad_norm: np.ndarray
    """Gradient norm of each update, shape (updates,)."""
    eval_returns: np.ndarray
    """Returns of ``EVAL_EPISODES`` episodes from fresh start states, with the run's own way of
    choosing actions (sampling, or argmax for that mistake), shape (EVAL_EPISODES,)."""
    start_state_eval_returns: np.ndarray | None
    """For a run that always started from one state: evaluation returns from that state."""
    seconds: float
    """Wall-clock time of the training."""
    stop_reason: str | None
    """Why training stopped (budget reached, or a divergence)."""


def evaluate(policy: Policy, seed: int, *, episodes: int = EVAL_EPISODES, argmax: bool = False,
             start: np.ndarray | None = None) -> np.ndarray:
    """Returns of ``episodes`` CartPole episodes played by ``policy`` side by side.

    Start states come from ``seed`` (or all equal ``start``); actions are sampled, or the more
    probable one with ``argmax``. The policy runs in eval mode (no dropout).
    """
    env = gym.make_vec(ENV_ID, num_envs=episodes, vectorization_mode="vector_entry_point")
    rng = np.random.default_rng([int(seed), 3])
    was_training = policy.training
    policy.eval()
    try:
        obs, _ = env.reset(seed=int(seed))
        if start is not None:
            cartpole_state(env)[:] = np.asarray(start, dtype=np.float64)[:, None]
            obs = np.tile(np.asarray(start, dtype=np.float32), (episodes, 1))
        returns = np.zeros(episodes)
        alive = np.ones(episodes, dtype=bool)
        for _ in range(max_episode_steps()):
            p_right = policy.prob_right(obs)
            if argmax:
                actions = (p_right > 0.5).astype(np.int64)
            else:
                actions = (rng.random(episodes) < p_right).astype(np.int64)
            obs, reward, terminated, truncated, _ = env.step(actions)
            returns += reward * alive
            alive &= ~(terminated | truncated)
            if not alive.any():
                break
    finally:
        policy.train(was_training)
        env.close()
    return returns


def train_run(config: TrainConfig) -> Run:
    """Train ``config`` to its episode budget, then evaluate it from fresh starts."""
    problem = validate_config(config)
    if problem:
        raise ValueError(problem)
    trainer = Trainer(config)
    try:
        trainer.step()
        argmax = config.action_selection == "argmax"
        eval_seed = config.seed + EVAL_SEED_OFFSET
        eval_returns = evaluate(trainer.policy, eval_seed, argmax=argmax)
        start_returns = None
        start = getattr(trainer.collector, "start_state", None)  # batched rollout only
        if config.reset_seed == "same" and start is not None:
            start_returns = evaluate(trainer.policy, eval_seed, argmax=argmax, start=start)
    finally:
        trainer.close()
    returns = np.full(config.max_episodes, np.nan, dtype=np.float32)
    returns[:len(trainer.returns)] = trainer.returns
    ups = trainer.updates
    return Run(
        returns=returns,
        update_episodes=np.array([u.episodes for u in ups], dtype=np.int64),
        update_returns=np.array([u.mean_return for u in ups], dtype=np.float64),
        update_entropy=np.array([u.entropy for u in ups], dtype=np.float64),
        update_grad_norm=np.array([u.grad_norm for u in ups], dtype=np.float64),
        eval_returns=eval_returns.astype(np.float32),
        start_state_eval_returns=(None if start_returns is None
                                  else start_returns.astype(np.float32)),
        seconds=trainer.seconds, stop_reason=trainer.stop_reason)


@dataclass(frozen=True)
class Side:
    """Several seeds of one config (correct or mistaken)."""

    runs: tuple[Run, ...]
    """One run per seed."""

    def _window(self, first: bool, updates: int) -> np.ndarray:
        out = []
        for run in self.runs:
            ends = run.update_episodes
            if len(ends) == 0:
                out.append(math.nan)
                continue
            if first:
                stop = int(ends[min(updates, len(ends)) - 1])
                chunk = run.returns[:stop]
            else:
                begin = int(ends[-updates - 1]) if len(ends) > updates else 0
                chunk = run.returns[begin:int(ends[-1])]
            out.append(float(np.mean(chunk)))
        return np.array(out)

    def start_means(self) -> np.ndarray:
        """Per seed: mean return of the first update's episodes (the untrained policy)."""
        return self._window(True, START_UPDATES)

    def end_means(self) -> np.ndarray:
        """Per seed: mean return of the last three updates' episodes."""
        return self._window(False, END_UPDATES)

    def eval_means(self) -> np.ndarray:
        """Per seed: mean return of the evaluation episodes from fresh starts."""
        return np.array([float(np.mean(r.eval_returns)) for r in self.runs])

    def final_entropy(self) -> np.ndarray:
        """Per seed: the policy's mean entropy over the last update's batch (nats)."""
        return np.array([float(r.update_entropy[-1]) if len(r.update_entropy) else math.nan
                         for r in self.runs])

    def update_curves(self) -> tuple[np.ndarray, np.ndarray]:
        """Episodes finished after each update and the batch mean returns, seeds × updates.

        Seeds share the update schedule unless one diverged; shorter rows are NaN-padded.
        """
        n = max(len(r.update_returns) for r in self.runs)
        x = next(r.update_episodes for r in self.runs if len(r.update_returns) == n)
        y = np.full((len(self.runs), n), np.nan)
        for i, run in enumerate(self.runs):
            y[i, :len(run.update_returns)] = run.update_returns
        return x, y

    def entropy_curves(self) -> np.ndarray:
        """Mean policy entropy per update, seeds × updates (NaN-padded)."""
        n = max(len(r.update_entropy) for r in self.runs)
        y = np.full((len(self.runs), n), np.nan)
        for i, run in enumerate(self.runs):
            y[i, :len(run.update_entropy)] = run.update_entropy
        return y


@dataclass(frozen=True)
class Comparison:
    """The correct and the mistaken config trained on the same seeds."""

    mistake: Mistake
    """Which mistake."""
    seeds: tuple[int, ...]
    """The seeds, shared by both sides."""
    episodes: int
    """Episode budget of every run."""
    correct: Side
    """The correct config's runs."""
    mistaken: Side
    """The mistaken config's runs."""


def validate_request(seeds: Sequence[int], episodes: int, n_mistakes: int,
                     episode_cap: int) -> str | None:
    """None if training these runs is allowed, else a short message saying what to change.

    Every seed trains the correct config once and each mistake once; ``episode_cap`` bounds the
    episodes of all those runs together (the server's per-session limit).
    """
    if not 1 <= len(seeds) <= MAX_SEEDS:
        return f"Choose between 1 and {MAX_SEEDS} seeds."
    if len(set(seeds)) != len(seeds) or any(not 0 <= s < 2**62 for s in seeds):
        return "The seeds must be distinct non-negative integers."
    if not MIN_EPISODES <= episodes <= MAX_EPISODES:
        return f"The episode budget must lie between {MIN_EPISODES} and {MAX_EPISODES}."
    if not 1 <= n_mistakes <= len(MISTAKES):
        return f"Choose between 1 and {len(MISTAKES)} mistakes."
    total = len(seeds) * (n_mistakes + 1) * episodes
    if total > episode_cap:
        return (f"That is {total:,} training episodes ({len(seeds)} seeds × {n_mistakes + 1} "
                f"runs × {episodes:,}); this server allows {episode_cap:,} per request. Use "
                "fewer seeds, fewer episodes, or one mistake at a time.")
    return None


Runner = Callable[[TrainConfig], Run]


def compare(entry: Mistake, seeds: Sequence[int], episodes: int, *,
            runner: Runner = train_run, base: TrainConfig = GALLERY_BASE) -> Comparison:
    """Train ``base`` and ``entry``'s mistaken config on every seed with ``episodes`` each.

    ``runner`` trains one config (the page passes a cached version, so the correct runs are
    shared between mistakes).
    """
    correct, mistaken = [], []
    for seed in seeds:
        cfg = replace(base, seed=int(seed), max_episodes=int(episodes))
        correct.append(runner(cfg))
        mistaken.append(runner(entry.config(cfg)))
    return Comparison(entry, tuple(int(s) for s in seeds), int(episodes),
                      Side(tuple(correct)), Side(tuple(mistaken)))


def paired_gradients(config: TrainConfig, variants: Sequence[dict[str, Any]], batches: int
                     ) -> np.ndarray:
    """Gradient estimates of several loss variants on the same batches, at the initial policy.

    Collects ``batches`` independent batches with ``config``'s untrained policy and returns,
    for each variant (config fields to change in the loss, e.g. {"weighting": "total"}), the
    gradient of its loss on every batch: shape (variants, batches, parameters), float64.
    """
    trainer = Trainer(config)
    out = np.zeros((len(variants), batches,
                    sum(p.numel() for p in trainer.policy.parameters())))
    try:
        collector = trainer.collector
        for b in range(batches):
            collector.begin(config.episodes_per_update)
            while not collector.complete:
                collector.advance(trainer.policy, trainer.rng)
            batch = collector.finish()
            for v, changes in enumerate(variants):
                trainer.config = replace(config, **changes)
                loss, _ = trainer.loss(batch)
                trainer.policy.zero_grad(set_to_none=False)
                loss.backward()
                out[v, b] = torch.cat([p.grad.reshape(-1) for p in trainer.policy.parameters()
                                       if p.grad is not None]).double().numpy()
    finally:
        trainer.close()
    return out


def describe_base(base: TrainConfig = GALLERY_BASE) -> str:
    """The correct run's settings in a few words."""
    optimizer = {"adam": "Adam", "sgd": "SGD"}[base.optimizer]
    return (f"{optimizer} with learning rate {base.lr:g}, {base.episodes_per_update} episodes "
            f"per update, γ = {base.gamma:g}, reward-to-go standardised over the batch")


def _fmt(values: np.ndarray, digits: int = 0) -> str:
    return f"{float(np.nanmean(values)):.{digits}f}"


def measured_lines(comparison: Comparison) -> list[str]:
    """What this comparison measured, as short sentences (numbers are means over the seeds)."""
    c, m = comparison.correct, comparison.mistaken
    n = len(comparison.seeds)
    over = "one seed" if n == 1 else f"mean of {n} seeds"
    lines = [
        f"Mean return, first batch → last three batches ({over}): correct "
        f"{_fmt(c.start_means())} → {_fmt(c.end_means())}; with the mistake "
        f"{_fmt(m.start_means())} → {_fmt(m.end_means())}.",
        f"After training, from {EVAL_EPISODES} fresh start states per seed: correct "
        f"{_fmt(c.eval_means())}, with the mistake {_fmt(m.eval_means())}.",
        f"Policy entropy in the last batch: correct {_fmt(c.final_entropy(), 2)}, with the "
        f"mistake {_fmt(m.final_entropy(), 2)} nats (ln 2 ≈ 0.69 is a coin flip, 0 is "
        "certainty).",
    ]
    below = int(np.sum(m.end_means() < c.end_means()))
    lines.append(f"The mistake ends below the correct run on {below} of {n} "
                 f"seed{'s' if n > 1 else ''}.")
    own = [r.start_state_eval_returns for r in m.runs]
    if all(r is not None for r in own):
        lines.append("The mistaken policy from its one training start state: "
                     f"{_fmt(np.array([np.mean(r) for r in own if r is not None]))} (fresh starts: "
                     f"{_fmt(m.eval_means())}).")
    if comparison.mistake.key == "logprob_mean":
        lines.append("Median gradient norm per update: correct "
                     f"{np.median(np.concatenate([r.update_grad_norm for r in c.runs])):.3g}, "
                     "with the mistake "
                     f"{np.median(np.concatenate([r.update_grad_norm for r in m.runs])):.3g}.")
    diverged = sum(r.stop_reason is not None and "diverged" in r.stop_reason for r in m.runs)
    if diverged:
        lines.append(f"Training diverged on {diverged} of {n} seeds (the curves stop there).")
    return lines
