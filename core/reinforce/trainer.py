"""A REINFORCE trainer that advances in bounded chunks, so a UI tick, the CLI and the tests all
drive the same code.

One update: collect a batch of whole episodes, weight each ∇log π(a_t|s_t) by its return (after
the chosen baseline), reduce to a loss, one backward pass, one optimizer step.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from core.reinforce.config import LIVE_FIELDS, TrainConfig, config_diff, validate_config
from core.reinforce.policy import Policy, ValueNet
from core.reinforce.returns import apply_baseline, step_weights
from core.reinforce.rollout import (
    Batch,
    SingleCollector,
    VectorCollector,
    play_episode,
    reward_threshold,
)
from core.torch_env import torch

SOLVE_WINDOW = 100
"""Finished episodes averaged for the "solved" test."""


@dataclass(frozen=True)
class EpisodeRecord:
    """One finished episode."""

    episode: int
    """1-based index of the episode in the run."""
    ret: float
    """Undiscounted return (for CartPole, the number of steps the pole stayed up)."""
    length: int
    """Steps in the episode."""
    update: int
    """1-based index of the update this episode was used in."""


@dataclass(frozen=True)
class UpdateRecord:
    """One gradient step."""

    update: int
    """1-based index of the update."""
    episodes: int
    """Episodes finished in the run once this update's batch was in."""
    env_steps: int
    """Environment steps recorded in the run up to and including this batch."""
    loss: float
    """Value of the loss that was differentiated."""
    grad_norm: float
    """Total L2 norm of the gradient, before any clipping."""
    entropy: float
    """Mean policy entropy (nats) over the batch's states."""
    lr: float
    """Learning rate in force for this step."""
    mean_return: float
    """Mean undiscounted return of the batch's episodes."""
    value_gap: float = math.nan
    """With the learned baseline: mean of V(s_t) − w_t over the batch (its weights G_t or
    G₀), before this batch's fit: how far the baseline sits above the returns (NaN without)."""


@dataclass(frozen=True)
class ChangeRecord:
    """A setting changed mid-run."""

    update: int
    """1-based index of the first update that uses the new value."""
    episodes: int
    """Episodes finished when the change was made."""
    name: str
    """Config field that changed."""
    old: Any
    """Value before."""
    new: Any
    """Value after."""


@dataclass(frozen=True)
class ChangeOutcome:
    """What happened to a requested config change."""

    applied: tuple[str, ...]
    """Fields that changed and take effect at the next update."""
    needs_restart: tuple[str, ...]
    """Fields that changed but cannot take effect without a restart (not applied)."""
    problem: str | None = None
    """Why nothing was applied, if the new config is invalid."""


@dataclass
class ChunkResult:
    """What one call to ``Trainer.step`` produced."""

    episodes: list[EpisodeRecord] = field(default_factory=list)
    """Episodes finished in this chunk."""
    updates: list[UpdateRecord] = field(default_factory=list)
    """Updates made in this chunk."""
    env_steps: int = 0
    """Environment steps recorded in this chunk."""
    vector_steps: int = 0
    """Calls to the environment's step in this chunk (one advances every copy)."""
    seconds: float = 0.0
    """Wall-clock time of the chunk."""


def build_policy(config: TrainConfig) -> tuple[Policy, torch.optim.Optimizer]:
    """The policy network of ``config`` (seeded, in training mode) and its optimizer."""
    policy = Policy(config.hidden, config.activation, config.dropout, config.seed)
    policy.train()
    params = policy.parameters()
    if config.optimizer == "adam":
        return policy, torch.optim.Adam(params, lr=config.lr)
    return policy, torch.optim.SGD(params, lr=config.lr)


@dataclass(frozen=True)
class LossParts:
    """The factors of the REINFORCE loss, sign · reduce(score_t · w_t)."""

    score: torch.Tensor
    """Per step: log π(a_t|s_t), with its graph."""
    weights: torch.Tensor
    """Per step: w_t, the return after the baseline (in the correct loss a constant: no
    graph)."""
    sign: float
    """−1: minimising the loss ascends J."""


def gallery_mistakes(config: TrainConfig, parts: LossParts, returns: torch.Tensor,
                     value: torch.Tensor | None) -> LossParts:
    """The correct loss's ``parts`` with the gallery's mistakes in the loss made, as ``config``
    asks (each marked with its key in ``core/reinforce/mistake_registry.py``); the same
    parts under the correct settings. ``returns`` are the weights before the learned
    baseline ``value`` V(s_t) (with its graph; None without that baseline) was subtracted.

    The gallery's other mistakes live where their code does: "total" and "forwards" in
    ``returns.step_weights``, "episode_std" in ``returns.apply_baseline``, "same_reset" and
    "argmax" in the collectors, "zero_grad" in the update, "lr10" in the config alone.
    """
    score, weights, sign = parts.score, parts.weights, parts.sign
    if value is not None and config.value_detach == "attached":  # "not_detached"
        weights = returns - value       # V keeps its graph: the policy loss also pushes V
    if config.logprob_pairing == "batch_mean_first":  # "logprob_mean"
        weights = weights.mean().expand_as(weights)   # every step gets the batch's mean
    if config.score == "prob":  # "prob": π(a|s) for log π(a|s); ∇π = π ∇log π, biased
        score = score.exp()
    if config.sign == "plus":  # "sign": the minus dropped, every step descends J
        sign = -sign
    return LossParts(score, weights, sign)


class Trainer:
    """Policy, optimizer, environments, random streams and history of one run."""

    def __init__(self, config: TrainConfig) -> None:
        problem = validate_config(config)
        if problem:
            raise ValueError(problem)
        self.config = config
        self.policy, self.optimizer = build_policy(config)
        self.value: ValueNet | None = None
        self.value_optimizer: torch.optim.Optimizer | None = None
        self.rng = np.random.default_rng([config.seed, 1])
        mistakes = {"argmax": config.action_selection == "argmax",
                    "same_start": config.reset_seed == "same"}
        if config.rollout == "per_step":
            self.collector: VectorCollector | SingleCollector = SingleCollector(config.seed,
                                                                                **mistakes)
        else:
            self.collector = VectorCollector(config.num_envs, config.seed, **mistakes)
        self.threshold = reward_threshold()
        self.episodes: list[EpisodeRecord] = []
        self.updates: list[UpdateRecord] = []
        self.changes: list[ChangeRecord] = []
        self.returns: list[float] = []
        self.env_steps = 0
        self.seconds = 0.0
        self.stop_reason: str | None = None
        self.diverged = False
        self.solved_at: int | None = None

    # ----------------------------------------------------------------- state queries
    @property
    def stopped(self) -> bool:
        """No more training possible: budget reached or diverged."""
        return self.stop_reason is not None

    def mean_last(self, n: int = SOLVE_WINDOW) -> float:
        """Mean return of the last ``n`` finished episodes (NaN before any)."""
        if not self.returns:
            return math.nan
        return float(np.mean(self.returns[-n:]))

    @property
    def solved(self) -> bool:
        """At least 100 episodes finished and their last-100 mean reaches the threshold."""
        return len(self.returns) >= SOLVE_WINDOW and self.mean_last() >= self.threshold

    def live_state(self) -> np.ndarray:
        """The current state of the first environment (cart position, velocity, angle, rate)."""
        return self.collector.first_state()

    # ----------------------------------------------------------------- changes
    def change(self, new: TrainConfig) -> ChangeOutcome:
        """Take the live-changeable fields of ``new`` from the next update on; report the rest."""
        problem = validate_config(new)
        if problem:
            return ChangeOutcome((), (), problem)
        diff = config_diff(self.config, new)
        live = {k: v for k, (_, v) in diff.items() if k in LIVE_FIELDS}
        restart = tuple(sorted(k for k in diff if k not in LIVE_FIELDS))
        for name, value in live.items():
            self.changes.append(ChangeRecord(len(self.updates) + 1, len(self.episodes), name,
                                             getattr(self.config, name), value))
        self.config = replace(self.config, **live)
        if "max_episodes" in live and not self.diverged:
            self.stop_reason = None
            self._check_budget()
        return ChangeOutcome(tuple(sorted(live)), restart)

    # ----------------------------------------------------------------- training
    def step(self, max_seconds: float | None = None, max_episodes: int | None = None, *,
             max_vector_steps: int | None = None, stop_when_solved: bool = False
             ) -> ChunkResult:
        """Train until one bound is reached (time, episodes finished in this chunk, or vector
        steps), the episode budget is spent, training diverges, or (if asked) it is solved.

        Time and step bounds may end the chunk in the middle of collecting a batch; the next
        call continues it. Without any bound the chunk runs to the end of the budget.
        """
        result = ChunkResult()
        start = time.perf_counter()
        deadline = None if max_seconds is None else start + max_seconds
        while not self.stopped:
            if stop_when_solved and self.solved:
                break
            if not self.collector.in_progress:
                if isinstance(self.collector, SingleCollector):
                    self.collector.keep_entropy = self.config.entropy_coef > 0
                remaining = self.config.max_episodes - len(self.episodes)
                self.collector.begin(min(self.config.episodes_per_update, remaining))
            left = None if max_vector_steps is None else max_vector_steps - result.vector_steps
            result.vector_steps += self.collector.advance(self.policy, self.rng,
                                                          deadline=deadline, max_steps=left)
            if self.collector.complete:
                self._update(self.collector.finish(), result)
            if max_episodes is not None and len(result.episodes) >= max_episodes:
                break
            if deadline is not None and time.perf_counter() >= deadline:
                break
            if max_vector_steps is not None and result.vector_steps >= max_vector_steps:
                break
        result.seconds = time.perf_counter() - start
        self.seconds += result.seconds
        return result

    def log_probs(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """log π(a_t|s_t) of every step, with its graph, and the policy's entropy at s_t.

        Each log-probability is that of the forward pass that sampled a_t: the per-step
        collector kept it; for the batched one the stored dropout masks are replayed.
        """
        if batch.log_probs is not None:
            if batch.entropies is not None:
                return batch.log_probs, batch.entropies
            with torch.no_grad():  # reported only: recompute without a graph
                log_all = torch.log_softmax(self.policy(torch.from_numpy(batch.obs)), dim=-1)
            return batch.log_probs, -(log_all.exp() * log_all).sum(dim=1)
        masks = [torch.from_numpy(m.astype(np.float32)) for m in batch.masks] or None
        logits = self.policy(torch.from_numpy(batch.obs), masks)
        log_all = torch.log_softmax(logits, dim=-1)
        log_p = log_all.gather(1, torch.from_numpy(batch.actions)[:, None]).squeeze(1)
        return log_p, -(log_all.exp() * log_all).sum(dim=1)

    def loss(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """The REINFORCE loss of ``batch`` under the current config, and the mean entropy.

        ∇loss = −(1/E) Σ_episodes Σ_t w_t ∇log π(a_t|s_t) (sum) or the mean over all steps
        (mean), minus the entropy bonus; w_t are the returns after the baseline. Read top to
        bottom this is the correct loss: the gallery's mistakes all enter at one line,
        ``gallery_mistakes``.
        """
        cfg = self.config
        log_p, entropy = self.log_probs(batch)  # log π(a_t|s_t), with its graph
        raw = step_weights(batch.rewards, batch.lengths, cfg.gamma, cfg.weighting)  # G_t or G₀
        g = torch.from_numpy(apply_baseline(raw, batch.lengths, cfg.baseline).astype(np.float32))
        v = self.value_net()(torch.from_numpy(batch.obs)) if cfg.baseline == "learned" else None
        weights = g if v is None else g - v.detach()  # V(s_t) is a constant in this loss
        correct = LossParts(score=log_p, weights=weights, sign=-1.0)
        parts = gallery_mistakes(cfg, correct, g, v)  # ``correct`` unless a mistake is set
        terms = parts.score * parts.weights
        objective = terms.sum() / len(batch.lengths) if cfg.reduction == "sum" else terms.mean()
        mean_entropy = entropy.mean()
        return parts.sign * objective - cfg.entropy_coef * mean_entropy, mean_entropy

    def value_net(self) -> ValueNet:
        """The learned baseline V(s), created (seeded) the first time it is needed."""
        if self.value is None:
            cfg = self.config
            self.value = ValueNet(cfg.hidden or (32,), cfg.activation, cfg.seed)
            self.value_optimizer = torch.optim.Adam(self.value.parameters(), lr=cfg.value_lr)
        return self.value

    def fit_value(self, batch: Batch) -> float:
        """``value_steps`` Adam steps on the mean squared error between V(s_t) and the raw
        weights (G_t or G₀) of ``batch``; returns the last squared error. Run after the policy
        step, so the baseline used for a batch never saw that batch's returns.

        With ``value_detach="attached"`` (the mistake) each step minimises the value loss
        plus the policy loss, as one optimizer stepping their sum would: V's weights then
        also follow the policy loss's gradient through the undetached V(s_t)."""
        cfg = self.config
        value = self.value_net()
        assert self.value_optimizer is not None
        for group in self.value_optimizer.param_groups:
            group["lr"] = cfg.value_lr
        params = list(value.parameters())
        obs = torch.from_numpy(batch.obs)
        target = torch.from_numpy(step_weights(batch.rewards, batch.lengths, cfg.gamma,
                                               cfg.weighting).astype(np.float32))
        last = math.nan
        for _ in range(cfg.value_steps):
            mse = torch.mean((value(obs) - target) ** 2)
            total = mse
            if cfg.value_detach == "attached":
                total = total + self.loss(batch)[0]
            grads = torch.autograd.grad(total, params)
            for p, g in zip(params, grads, strict=True):
                p.grad = g
            self.value_optimizer.step()
            last = float(mse.detach())
        return last

    def _update(self, batch: Batch, result: ChunkResult) -> None:
        cfg = self.config
        for group in self.optimizer.param_groups:
            group["lr"] = cfg.lr
        value_gap = math.nan
        if cfg.baseline == "learned":
            with torch.no_grad():
                v = self.value_net()(torch.from_numpy(batch.obs)).double().numpy()
            value_gap = float(np.mean(v - step_weights(batch.rewards, batch.lengths, cfg.gamma,
                                                       cfg.weighting)))
        loss, entropy = self.loss(batch)
        if cfg.zero_grad == "every_update":  # mistake "zero_grad" ("never"): grads pile up
            self.optimizer.zero_grad(set_to_none=False)
        loss_value = float(loss.detach())
        if math.isfinite(loss_value):
            loss.backward()
        grads = [p.grad for p in self.policy.parameters() if p.grad is not None]
        grad_norm = float(torch.sqrt(sum(((g.double() ** 2).sum() for g in grads),
                                          torch.zeros((), dtype=torch.float64))))
        step_failed = False
        if math.isfinite(loss_value) and math.isfinite(grad_norm):
            if cfg.max_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(self.policy.parameters(), cfg.max_grad_norm)
            try:
                self.optimizer.step()
            except (RuntimeError, OverflowError):
                step_failed = True  # e.g. Adam refusing a step size beyond float32's range
            if cfg.baseline == "learned" and not step_failed:
                self.fit_value(batch)
        n_updates = len(self.updates) + 1
        first = len(self.episodes) + 1
        returns = batch.returns
        steps = int(batch.lengths.sum())
        self.env_steps += steps
        result.env_steps += steps
        for k, (ret, length) in enumerate(zip(returns, batch.lengths, strict=True)):
            record = EpisodeRecord(first + k, float(ret), int(length), n_updates)
            self.episodes.append(record)
            self.returns.append(float(ret))
            result.episodes.append(record)
        update = UpdateRecord(n_updates, len(self.episodes), self.env_steps, loss_value,
                              grad_norm, float(entropy.detach()), cfg.lr, float(returns.mean()),
                              value_gap)
        self.updates.append(update)
        result.updates.append(update)
        if self.solved and self.solved_at is None:
            self.solved_at = len(self.episodes)
        self._check_divergence(loss_value, grad_norm, n_updates, step_failed)
        if not self.diverged:
            self._check_budget()

    def _check_divergence(self, loss_value: float, grad_norm: float, n_update: int,
                          step_failed: bool) -> None:
        what = None
        if step_failed:
            what = "the optimizer's step overflowed"
        elif not math.isfinite(loss_value):
            what = "the loss became NaN or infinite"
        elif not math.isfinite(grad_norm):
            what = "the gradient became NaN or infinite"
        elif not self.policy.parameters_finite():
            what = "the network's weights became NaN or infinite"
        if what:
            self.diverged = True
            self.stop_reason = (f"Training diverged at update {n_update}: {what} (learning "
                                f"rate {self.config.lr:g}). Lower the learning rate or clip the "
                                "gradient, then reset.")

    def _check_budget(self) -> None:
        if len(self.episodes) >= self.config.max_episodes:
            self.stop_reason = f"Reached the episode budget ({self.config.max_episodes:,})."

    # ----------------------------------------------------------------- watching
    def watch(self, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """States and actions of one fresh episode under the current policy."""
        return play_episode(self.policy, seed)

    def close(self) -> None:
        """Release the environments."""
        self.collector.close()
