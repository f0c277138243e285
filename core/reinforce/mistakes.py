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

from core.reinforce.config import TrainConfig, label, validate_config
from core.reinforce.mistake_registry import GALLERY_BASE, MISTAKES, Mistake
from core.reinforce.mistake_registry import MISTAKE_KEYS as MISTAKE_KEYS  # re-exported
from core.reinforce.mistake_registry import mistake as mistake  # re-exported
from core.reinforce.policy import Policy
from core.reinforce.rollout import (
    ENV_ID,
    V0_ENV_ID,
    cartpole_state,
    max_episode_steps,
    reward_threshold,
)
from core.reinforce.trainer import Trainer
from core.torch_env import torch

START_UPDATES = 1
"""Updates whose episodes make up the "start" mean (the untrained policy's batch)."""
END_UPDATES = 3
"""Updates whose episodes make up the "end" mean (the last batches of the run)."""
EVAL_EPISODES = 32
"""Evaluation episodes per trained policy, from fresh start states."""
EVAL_SEED_OFFSET = 1_000_003
"""Added to a run's seed to seed its evaluation starts, which training never saw."""

LEVELS: tuple[float, ...] = (reward_threshold(V0_ENV_ID), reward_threshold())
"""Mean returns whose first crossing the ranking reports: CartPole-v0's and CartPole-v1's
solved thresholds (195 and 475, from gymnasium's registry)."""

MAX_SEEDS = 5
"""Most seeds one comparison may use."""
MIN_EPISODES = 32
"""Fewest episodes per run (two updates of the base config)."""
MAX_EPISODES = 600
"""Most episodes per run."""


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
    update_value_gap: np.ndarray
    """With a learned baseline: mean V(s_t) − w_t of each update's batch (NaN without)."""
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
        update_value_gap=np.array([u.value_gap for u in ups], dtype=np.float64),
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

    def area(self) -> np.ndarray:
        """Per seed: the area under the learning curve, as the mean return over every
        episode of the budget (episodes a diverged run never trained count as 0)."""
        return np.array([float(np.nan_to_num(r.returns, nan=0.0).mean()) for r in self.runs])

    def episodes_to(self, level: float) -> np.ndarray:
        """Per seed: episodes trained when a batch's mean return first reached ``level``
        (NaN if it never did)."""
        out = []
        for run in self.runs:
            hit = np.flatnonzero(run.update_returns >= level)
            out.append(float(run.update_episodes[hit[0]]) if len(hit) else math.nan)
        return np.array(out)

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


def correct_runs(keys: Sequence[str]) -> int:
    """Correct runs per seed these mistakes need: one per distinct shared setting (the plain
    correct run, and e.g. the learned baseline's correct run)."""
    return len({mistake(k).setting for k in keys}) or 1


def validate_request(seeds: Sequence[int], episodes: int, n_mistakes: int,
                     episode_cap: int, *, n_correct: int = 1) -> str | None:
    """None if training these runs is allowed, else a short message saying what to change.

    Every seed trains ``n_correct`` correct configs and each mistake once; ``episode_cap``
    bounds the episodes of all those runs together (the server's per-session limit).
    """
    if not 1 <= len(seeds) <= MAX_SEEDS:
        return f"Choose between 1 and {MAX_SEEDS} seeds."
    if len(set(seeds)) != len(seeds) or any(not 0 <= s < 2**62 for s in seeds):
        return "The seeds must be distinct non-negative integers."
    if not MIN_EPISODES <= episodes <= MAX_EPISODES:
        return f"The episode budget must lie between {MIN_EPISODES} and {MAX_EPISODES}."
    if not 1 <= n_mistakes <= len(MISTAKES):
        return f"Choose between 1 and {len(MISTAKES)} mistakes."
    runs = n_mistakes + n_correct
    total = len(seeds) * runs * episodes
    if total > episode_cap:
        return (f"That is {total:,} training episodes ({len(seeds)} seeds × {runs} "
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
        correct.append(runner(entry.correct(cfg)))
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


@dataclass(frozen=True)
class Rank:
    """One row of the gallery's ranking: a config (the correct one or a mistake) over seeds."""

    name: str
    """The correct run, or the mistake's title."""
    is_correct: bool
    """True for the correct run."""
    side: Side
    """Its runs."""
    area: float
    """Mean over seeds of the area under the learning curve (mean return per episode)."""
    final: float
    """Mean over seeds of the last three batches' mean return."""
    reached: tuple[tuple[float, int], ...]
    """For each of ``LEVELS``: (mean episodes to reach it over the seeds that did, how many
    seeds did)."""


def ranking(comparisons: Sequence[Comparison]) -> list[Rank]:
    """The correct run and every mistake, best area under the learning curve first.

    Correct runs that share a setting (the learned baseline's) are listed once per setting."""
    sides: dict[str, tuple[Side, bool]] = {}
    for c in comparisons:
        setting = dict(c.mistake.setting)
        name = "correct" if not setting else "correct, " + ", ".join(
            label(k, v) for k, v in setting.items())
        sides.setdefault(name, (c.correct, True))
    for c in comparisons:
        sides[c.mistake.title] = (c.mistaken, False)
    rows = []
    for name, (side, is_correct) in sides.items():
        reached = []
        for level in LEVELS:
            hits = side.episodes_to(level)
            ok = np.isfinite(hits)
            reached.append((float(hits[ok].mean()) if ok.any() else math.nan, int(ok.sum())))
        rows.append(Rank(name, is_correct, side, float(np.mean(side.area())),
                         float(np.nanmean(side.end_means())), tuple(reached)))
    return sorted(rows, key=lambda r: -r.area)


def reached_text(mean_episodes: float, seeds: int, n_seeds: int) -> str:
    """"not reached", or the mean episodes to reach a level (and on how many seeds)."""
    if seeds == 0:
        return "not reached"
    text = f"{mean_episodes:,.0f}"
    return text if seeds == n_seeds else f"{text} ({seeds} of {n_seeds} seeds)"


def describe_base(base: TrainConfig = GALLERY_BASE) -> str:
    """The correct run's settings in a few words."""
    optimizer = label("optimizer", base.optimizer)
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
    reach = []
    for level in LEVELS:
        texts = []
        for side in (c, m):
            hits = side.episodes_to(level)
            ok = np.isfinite(hits)
            texts.append(reached_text(float(hits[ok].mean()) if ok.any() else math.nan,
                                      int(ok.sum()), n))
        reach.append(f"{level:g}: correct {texts[0]}, with the mistake {texts[1]}")
    lines.append("Episodes until a batch's mean return first reached " + "; ".join(reach)
                 + f". Area under the learning curve (mean return per episode): correct "
                 f"{_fmt(c.area())}, with the mistake {_fmt(m.area())}.")
    if all(np.isfinite(r.update_value_gap[-END_UPDATES:]).all() for r in m.runs + c.runs):
        gaps = [np.mean(r.update_value_gap[-END_UPDATES:]) for r in m.runs]
        gaps_ok = [np.mean(r.update_value_gap[-END_UPDATES:]) for r in c.runs]
        lines.append("How far the learned baseline sits above the returns, mean V(s_t) − G_t "
                     f"over the last three batches: correct {np.mean(gaps_ok):+.1f}, with the "
                     f"mistake {np.mean(gaps):+.1f}.")
    if comparison.mistake.key == "logprob_mean":
        lines.append("Median gradient norm per update: correct "
                     f"{np.median(np.concatenate([r.update_grad_norm for r in c.runs])):.3g}, "
                     "with the mistake "
                     f"{np.median(np.concatenate([r.update_grad_norm for r in m.runs])):.3g}.")
    diverged = sum(r.stop_reason is not None and "diverged" in r.stop_reason for r in m.runs)
    if diverged:
        lines.append(f"Training diverged on {diverged} of {n} seeds (the curves stop there).")
    return lines
