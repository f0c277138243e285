"""How good is one batch's gradient? Cosine similarities of REINFORCE batch gradients on CartPole.

After Ilyas et al. (2020, "A closer look at deep policy gradients", ICLR): for one policy
snapshot, estimate a reference gradient from many episodes, then draw batches of B episodes
(independent of the reference) and measure

- the cosine between a batch's gradient and the reference, and
- the cosine between the gradients of two independent batches,

for B from 1 to 256 and the estimators of ``ESTIMATORS``: the whole return G₀ or the
reward-to-go G_t (the trainer's weights, ``core.reinforce.returns``), each with no baseline or
with the batch's mean weight subtracted, and, at γ < 1, the reward-to-go discounted to time 0,
γᵗ G_t, minus its batch mean. Standardising the weights over the batch divides a gradient by a
positive number, so its cosines are those of "minus the batch mean".

Each weighting's reference is its own mean, estimated from the reference pool: for G₀ and
γᵗ G_t that mean is ∇J_γ, the gradient of J_γ = E[Σ_t γᵗ r_t]; for G_t without γᵗ (what the
trainer and most REINFORCE code use) it is another vector at γ < 1 (``DiscountGap``).

A batch whose steps all carry the same weight has, with the batch mean subtracted, weight 0 on
every step: its gradient is exactly zero (always so for G₀ at B = 1) and has no direction. Such
a batch is detected from its weights (``no_direction``), its gradient is returned as exact
zeros, and it gets no cosine (nan), instead of the cosine of a round-off remainder.

Every gradient is assembled from per-episode sums. With g_t = ∇log π(a_t|s_t) for every step
(from one autograd pass, see ``per_step_gradients``), each episode e keeps A_e = Σ_t w_t g_t for
each weighting, B_e = Σ_t g_t, Σ_t w_t and its length. A batch's gradient with the batch-mean
baseline b = Σ w / Σ steps is (1/|E|) Σ_e (A_e − b B_e), the direction the trainer's "sum"
reduction ascends. The policy is evaluated with dropout off (``eval()``).

A prediction comes with the measurement: for i.i.d. episodes with mean gradient g and total
variance tr Σ, E[ĝ_B · g] = ‖g‖² and E‖ĝ_B‖² = ‖g‖² + tr Σ / B, so the cosine with the true
gradient is about ‖g‖ / √(‖g‖² + tr Σ / B), and between two batches about
‖g‖² / (‖g‖² + tr Σ / B). Cosine 0.5 needs B ≈ tr Σ / (3‖g‖²) episodes (against the truth) and
B ≈ tr Σ / ‖g‖² (between batches).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from core.reinforce.config import TrainConfig
from core.reinforce.policy import Policy
from core.reinforce.returns import episode_ids, returns_to_go, step_weights
from core.reinforce.rollout import Batch, VectorCollector
from core.torch_env import torch

BATCH_SIZES: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
"""Episodes per batch, as measured."""
DISCOUNTED = "discounted_reward_to_go"
"""The weighting γᵗ G_t (reward-to-go discounted to time 0): not one of the trainer's."""
ESTIMATORS: dict[str, tuple[str, bool]] = {
    "G₀, no baseline": ("total", False),
    "G₀ − batch mean": ("total", True),
    "G_t (reward-to-go), no baseline": ("reward_to_go", False),
    "G_t − batch mean": ("reward_to_go", True),
    "γᵗ·G_t − batch mean": (DISCOUNTED, True),
}
"""Estimator label -> (weighting, subtract the batch's mean weight)."""
WEIGHTING_NAMES: dict[str, str] = {"total": "G₀", "reward_to_go": "G_t",
                                   DISCOUNTED: "γᵗ·G_t"}
"""Weighting -> its symbol on the page."""
WEIGHTINGS: tuple[str, ...] = tuple(dict.fromkeys(w for w, _ in ESTIMATORS.values()))
"""Every weighting some estimator uses, in registry order."""
AGREEMENT = 0.5
"""The cosine a batch must reach to count as pointing the reference's way."""
MAX_STEPS = 400_000
"""Most environment steps one measurement may take in all."""
GRAD_CHUNK_FLOATS = 4_000_000
"""Per-step gradients are computed in chunks of about this many floats."""


@dataclass(frozen=True)
class QualityConfig:
    """What one measurement samples."""

    reference_steps: int = 20_000
    """Environment steps (at least) of the episodes that make the reference gradient."""
    batch_steps: int = 40_000
    """Environment steps (at least) of the separate pool the measured batches are drawn from."""
    max_pairs: int = 64
    """Most pairs of disjoint batches measured per batch size (fewer if the pool is short)."""
    num_envs: int = 32
    """CartPole copies stepped together while sampling."""
    seed: int = 0
    """Seed of the environments, the action sampling and the batch draws."""


def validate(quality: QualityConfig) -> str | None:
    """None if the measurement fits the limits, else a clear message."""
    if quality.reference_steps < 1000 or quality.batch_steps < 1000:
        return "Use at least 1,000 steps for the reference and for the batches."
    if quality.reference_steps + quality.batch_steps > MAX_STEPS:
        return (f"At most {MAX_STEPS:,} environment steps in all (reference plus batches); "
                f"asked for {quality.reference_steps + quality.batch_steps:,}.")
    if not 1 <= quality.max_pairs <= 256 or not 1 <= quality.num_envs <= 256:
        return "Between 1 and 256 batch pairs and environments."
    return None


def snapshot_digest(config: TrainConfig, state_dict: dict[str, torch.Tensor]) -> str:
    """A short fingerprint of a policy snapshot (its architecture and its weights), for caching."""
    h = hashlib.sha256(repr((config.hidden, config.activation, config.gamma)).encode())
    for name in sorted(state_dict):
        h.update(name.encode())
        h.update(state_dict[name].detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:20]


def policy_from(config: TrainConfig, state_dict: dict[str, torch.Tensor]) -> Policy:
    """The snapshot's policy network, in evaluation mode (dropout off)."""
    policy = Policy(config.hidden, config.activation, config.dropout, config.seed)
    policy.load_state_dict(state_dict)
    policy.eval()
    return policy


def initial_state_dict(config: TrainConfig) -> dict[str, torch.Tensor]:
    """The weights a run with ``config`` starts from (the "before training" snapshot)."""
    policy = Policy(config.hidden, config.activation, config.dropout, config.seed)
    return {k: v.detach().clone() for k, v in policy.state_dict().items()}


def estimators_for(gamma: float) -> dict[str, tuple[str, bool]]:
    """The estimators measured at discount ``gamma``: at γ = 1, γᵗ G_t is G_t, so the
    discounted one would repeat "G_t − batch mean" and is left out."""
    return {label: spec for label, spec in ESTIMATORS.items()
            if spec[0] != DISCOUNTED or gamma < 1.0}


def raw_weights(rewards: np.ndarray, lengths: np.ndarray, gamma: float,
                weighting: str) -> np.ndarray:
    """The weight of every flat step: the trainer's (``step_weights``), or γᵗ G_t for
    ``DISCOUNTED``, t counted from each episode's start."""
    if weighting != DISCOUNTED:
        return step_weights(rewards, lengths, gamma, weighting)
    t = np.arange(rewards.shape[0]) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.power(gamma, t) * returns_to_go(rewards, lengths, gamma)


# ------------------------------------------------------------------ sampling
def collect(policy: Policy, steps: int, num_envs: int, seed: int) -> Batch:
    """Whole episodes under ``policy`` until at least ``steps`` steps, one Batch."""
    collector = VectorCollector(num_envs, seed)
    rng = np.random.default_rng([seed, 31])
    parts: list[Batch] = []
    total = 0
    try:
        while total < steps:
            collector.begin(num_envs)
            while not collector.complete:
                collector.advance(policy, rng)
            part = collector.finish()
            parts.append(part)
            total += int(part.lengths.sum())
    finally:
        collector.close()
    return Batch(obs=np.concatenate([p.obs for p in parts]),
                 actions=np.concatenate([p.actions for p in parts]),
                 rewards=np.concatenate([p.rewards for p in parts]),
                 lengths=np.concatenate([p.lengths for p in parts]))


@dataclass(frozen=True)
class EpisodeSums:
    """Per-episode sums from which any batch's gradient is assembled."""

    weighted: dict[str, np.ndarray]
    """Weighting -> A_e = Σ_t w_t g_t, shape (episodes, parameters)."""
    plain: np.ndarray
    """B_e = Σ_t g_t, shape (episodes, parameters)."""
    weight_sums: dict[str, np.ndarray]
    """Weighting -> Σ_t w_t per episode."""
    weight_min: dict[str, np.ndarray]
    """Weighting -> min_t w_t per episode."""
    weight_max: dict[str, np.ndarray]
    """Weighting -> max_t w_t per episode."""
    lengths: np.ndarray
    """Steps per episode."""

    @property
    def episodes(self) -> int:
        return int(self.lengths.shape[0])


def per_step_gradients(policy: Policy, obs: np.ndarray, actions: np.ndarray) -> torch.Tensor:
    """g_t = ∇_θ log π(a_t|s_t) for every step, flattened in ``named_parameters`` order:
    shape (steps, parameters).

    One autograd pass gives δ_t = ∂ log π(a_t|s_t) / ∂z_t at every linear layer's output z_t
    (steps do not interact: the policy is in eval mode). A linear layer's per-step gradients are
    then δ_t x_tᵀ for its weight and δ_t for its bias, x_t being its input at step t (the
    per-sample gradient identity used by Opacus and BackPACK).
    """
    x = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32))
    a = torch.from_numpy(np.asarray(actions, dtype=np.int64))
    inputs: list[torch.Tensor] = []
    outputs: list[torch.Tensor] = []
    h = x
    for layer in policy.net:
        if isinstance(layer, torch.nn.Linear):
            inputs.append(h.detach())
            h = layer(h)
            outputs.append(h)
        else:
            h = layer(h)
    log_p = torch.log_softmax(h, dim=-1).gather(1, a[:, None]).sum()
    deltas = torch.autograd.grad(log_p, outputs)
    parts = []
    for inp, delta in zip(inputs, deltas, strict=True):
        parts.append((delta[:, :, None] * inp[:, None, :]).reshape(delta.shape[0], -1))
        parts.append(delta)
    return torch.cat(parts, dim=1).detach()


def episode_sums(policy: Policy, batch: Batch, gamma: float) -> EpisodeSums:
    """A_e for each weighting, B_e, Σ w, min w, max w and lengths, for every episode of
    ``batch``."""
    ids = torch.from_numpy(episode_ids(batch.lengths))
    n_eps = int(batch.lengths.shape[0])
    weighted: dict[str, np.ndarray] = {}
    weight_sums: dict[str, np.ndarray] = {}
    starts = np.cumsum(batch.lengths) - batch.lengths
    raws = {w: raw_weights(batch.rewards, batch.lengths, gamma, w) for w in WEIGHTINGS}
    plain: torch.Tensor | None = None
    acc: dict[str, torch.Tensor | None] = dict.fromkeys(WEIGHTINGS)
    steps = int(batch.lengths.sum())
    n_params = sum(p.numel() for p in policy.parameters())
    chunk = max(1, GRAD_CHUNK_FLOATS // max(n_params, 1))
    for start in range(0, steps, chunk):
        stop = min(steps, start + chunk)
        g = per_step_gradients(policy, batch.obs[start:stop], batch.actions[start:stop]
                               ).to(torch.float64)
        part_ids = ids[start:stop]
        b = torch.zeros(n_eps, g.shape[1], dtype=torch.float64).index_add_(0, part_ids, g)
        plain = b if plain is None else plain + b
        for w in WEIGHTINGS:
            wt = torch.from_numpy(raws[w][start:stop])[:, None]
            a = torch.zeros(n_eps, g.shape[1], dtype=torch.float64).index_add_(0, part_ids,
                                                                               wt * g)
            prev = acc[w]
            acc[w] = a if prev is None else prev + a
    for w in WEIGHTINGS:
        value = acc[w]
        assert value is not None
        weighted[w] = value.numpy()
        weight_sums[w] = np.add.reduceat(raws[w], starts)
    assert plain is not None
    return EpisodeSums(weighted, plain.numpy(), weight_sums,
                       {w: np.minimum.reduceat(raws[w], starts) for w in WEIGHTINGS},
                       {w: np.maximum.reduceat(raws[w], starts) for w in WEIGHTINGS},
                       batch.lengths.copy())


def no_direction(sums: EpisodeSums, episodes: np.ndarray, weighting: str,
                 baseline: bool) -> bool:
    """Whether the batch's gradient is exactly zero whatever the policy: every step's weight
    is 0 (with the batch's mean weight subtracted: every step carries the same weight, as in
    one episode weighted by its G₀). Decided on the weights, exactly, not on a gradient's
    round-off remainder."""
    low = float(sums.weight_min[weighting][episodes].min())
    high = float(sums.weight_max[weighting][episodes].max())
    return low == high if baseline else low == high == 0.0


def batch_gradient(sums: EpisodeSums, episodes: np.ndarray, weighting: str,
                   baseline: bool) -> np.ndarray:
    """The gradient estimate of one batch (rows ``episodes`` of ``sums``); exact zeros when
    ``no_direction`` (A − b·B would leave a round-off remainder of about 1e-16 of A)."""
    if no_direction(sums, episodes, weighting, baseline):
        return np.zeros(sums.plain.shape[1])
    a = sums.weighted[weighting][episodes].sum(axis=0)
    if baseline:
        b = sums.weight_sums[weighting][episodes].sum() / sums.lengths[episodes].sum()
        a = a - b * sums.plain[episodes].sum(axis=0)
    return a / len(episodes)


def reference_gradient(sums: EpisodeSums, weighting: str) -> np.ndarray:
    """The reference: every episode of the reference pool, with the pool's mean weight
    subtracted (same expectation as without, less noise)."""
    return batch_gradient(sums, np.arange(sums.episodes), weighting, baseline=True)


def cosine(x: np.ndarray, y: np.ndarray) -> float:
    """cos∠(x, y); nan if either is zero (a zero vector has no direction)."""
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    return float(x @ y / (nx * ny)) if nx > 0 and ny > 0 else math.nan


# ------------------------------------------------------------------ the measurement
def centred_per_episode(sums: EpisodeSums, weighting: str, baseline: bool) -> np.ndarray:
    """Each episode's gradient term, with the pool's mean weight subtracted if ``baseline``
    (a batch of the whole pool): shape (episodes, parameters)."""
    per_episode = sums.weighted[weighting]
    if baseline:
        b = sums.weight_sums[weighting].sum() / sums.lengths.sum()
        per_episode = per_episode - b * sums.plain
    return per_episode


def _signal_noise(per_episode: np.ndarray) -> tuple[float, float]:
    """(unbiased ‖mean‖², total variance of one row) of i.i.d. rows."""
    n = per_episode.shape[0]
    mean = per_episode.mean(axis=0)
    noise = float(per_episode.var(axis=0, ddof=1).sum()) if n > 1 else 0.0
    return float(mean @ mean) - noise / n, noise


def _mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error of the values that are defined (nan: a zero gradient)."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan
    se = float(np.std(x, ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan
    return float(x.mean()), se


@dataclass
class EstimatorCurves:
    """One estimator's cosines against the batch size."""

    sizes: list[int] = field(default_factory=list)
    """Batch sizes the pool allowed (at least one pair of disjoint batches)."""
    vs_reference: list[float] = field(default_factory=list)
    """Mean cosine between a batch and the reference, over the batches with a direction (nan
    if none had one)."""
    vs_reference_se: list[float] = field(default_factory=list)
    between: list[float] = field(default_factory=list)
    """Mean cosine between two disjoint batches, over the pairs in which both have a
    direction (nan if none)."""
    between_se: list[float] = field(default_factory=list)
    pairs: list[int] = field(default_factory=list)
    """Pairs of batches measured at each size (2 × pairs batches)."""
    zero_batches: list[int] = field(default_factory=list)
    """Batches at each size whose gradient was exactly zero: no direction, so no cosine."""
    signal: float = 0.0
    """Unbiased estimate of ‖g‖² (the squared norm of the true mean gradient), from the pool."""
    noise: float = 0.0
    """tr Σ, the total variance of one episode's gradient, from the pool."""

    def zero_sizes(self) -> list[tuple[int, int, int]]:
        """(B, zero batches, batches) at every size where some batch was exactly zero."""
        return [(b, z, 2 * p) for b, z, p in zip(self.sizes, self.zero_batches, self.pairs,
                                                  strict=True) if z]

    def no_direction_sizes(self) -> list[int]:
        """Sizes at which every batch's gradient was exactly zero."""
        return [b for b, z, n in self.zero_sizes() if z == n]

    def predicted_vs_truth(self, sizes: np.ndarray) -> np.ndarray:
        """‖g‖ / √(‖g‖² + tr Σ / B) (nan if ‖g‖² is not above 0)."""
        if self.signal <= 0:
            return np.full(len(sizes), np.nan)
        return np.sqrt(self.signal / (self.signal + self.noise / sizes))

    def predicted_between(self, sizes: np.ndarray) -> np.ndarray:
        """‖g‖² / (‖g‖² + tr Σ / B)."""
        if self.signal <= 0:
            return np.full(len(sizes), np.nan)
        return self.signal / (self.signal + self.noise / sizes)

    def needed(self, between: bool = False) -> int | None:
        """Smallest measured batch size whose mean cosine exceeds AGREEMENT (None if none)."""
        values = self.between if between else self.vs_reference
        return next((b for b, c in zip(self.sizes, values, strict=True) if c > AGREEMENT),
                    None)

    def predicted_needed(self, between: bool = False) -> float:
        """Episodes the prediction says cosine AGREEMENT needs (inf if ‖g‖² ≤ 0)."""
        if self.signal <= 0:
            return math.inf
        factor = AGREEMENT / (1 - AGREEMENT) if between else AGREEMENT**2 / (1 - AGREEMENT**2)
        return self.noise / self.signal * factor


@dataclass(frozen=True)
class DiscountGap:
    """The G_t weighting's mean (no γᵗ) against ∇J_γ (the mean of γᵗ G_t), estimated from
    the pool's episodes, each centred with the pool's mean weight: from unbiased estimates of
    ‖μ‖², ‖∇J_γ‖² and μ·∇J_γ (the plug-in ones are inflated by the noise over n)."""

    cosine: float
    """cos∠(μ, ∇J_γ) (clipped to [−1, 1]: the ratio of estimates may stray past 1)."""
    length_ratio: float
    """‖μ‖ / ‖∇J_γ‖."""
    episodes: int
    """Pool episodes it is estimated from."""


def discount_gap(pool: EpisodeSums) -> DiscountGap | None:
    """How far the G_t weighting's mean is from ∇J_γ; None if the pool cannot tell (either
    squared norm estimated at or below 0: the noise buries the means)."""
    x = centred_per_episode(pool, "reward_to_go", True)
    y = centred_per_episode(pool, DISCOUNTED, True)
    n = x.shape[0]
    if n < 2:
        return None
    xx, _ = _signal_noise(x)
    yy, _ = _signal_noise(y)
    xm, ym = x.mean(axis=0), y.mean(axis=0)
    cross = float(((x - xm) * (y - ym)).sum()) / (n - 1)
    xy = float(xm @ ym) - cross / n
    if xx <= 0 or yy <= 0:
        return None
    return DiscountGap(cosine=float(np.clip(xy / math.sqrt(xx * yy), -1.0, 1.0)),
                       length_ratio=math.sqrt(xx / yy), episodes=n)


@dataclass
class Quality:
    """The whole measurement for one snapshot."""

    curves: dict[str, EstimatorCurves]
    """Estimator label -> its curves, for ``estimators_for(gamma)``."""
    reference_episodes: int
    reference_steps: int
    pool_episodes: int
    pool_steps: int
    mean_return: float
    """Mean undiscounted return of the sampled episodes (how good the snapshot is)."""
    reference_quality: dict[str, float]
    """Predicted cosine between each weighting's reference and that weighting's mean."""
    gamma: float = 1.0
    """The discount of the measured config."""
    zero_references: tuple[str, ...] = ()
    """Weightings whose reference is exactly zero (no direction: every cosine with it nan)."""
    gap: DiscountGap | None = None
    """The G_t weighting's mean against ∇J_γ (None at γ = 1, or if the pool cannot tell)."""
    seconds: float = 0.0


def measure(config: TrainConfig, state_dict: dict[str, torch.Tensor],
            quality: QualityConfig = QualityConfig(),
            sizes: tuple[int, ...] = BATCH_SIZES) -> Quality:
    """Sample the reference and the batch pool under the snapshot, and measure every cosine."""
    import time

    started = time.perf_counter()
    policy = policy_from(config, state_dict)
    ref_batch = collect(policy, quality.reference_steps, quality.num_envs, quality.seed)
    pool_batch = collect(policy, quality.batch_steps, quality.num_envs, quality.seed + 1)
    ref = episode_sums(policy, ref_batch, config.gamma)
    pool = episode_sums(policy, pool_batch, config.gamma)
    rng = np.random.default_rng([quality.seed, 47])
    estimators = estimators_for(config.gamma)
    references = {w: reference_gradient(ref, w) for w, _ in estimators.values()}
    curves: dict[str, EstimatorCurves] = {}
    reference_quality: dict[str, float] = {}
    for label, (weighting, baseline) in estimators.items():
        reference = references[weighting]
        curve = EstimatorCurves()
        per_episode = centred_per_episode(pool, weighting, baseline)
        n = per_episode.shape[0]
        curve.signal, curve.noise = _signal_noise(per_episode)
        for size in sizes:
            pairs = min(quality.max_pairs, n // (2 * size))
            if pairs < 1:
                continue
            to_ref, between, zeros = [], [], 0
            for _ in range(pairs):
                chosen = rng.choice(n, size=2 * size, replace=False)
                g1 = batch_gradient(pool, chosen[:size], weighting, baseline)
                g2 = batch_gradient(pool, chosen[size:], weighting, baseline)
                zeros += int(not g1.any()) + int(not g2.any())
                to_ref.extend([cosine(g1, reference), cosine(g2, reference)])
                between.append(cosine(g1, g2))
            curve.sizes.append(size)
            curve.pairs.append(pairs)
            curve.zero_batches.append(zeros)
            mean, se = _mean_se(to_ref)
            curve.vs_reference.append(mean)
            curve.vs_reference_se.append(se)
            mean, se = _mean_se(between)
            curve.between.append(mean)
            curve.between_se.append(se)
        curves[label] = curve
        if baseline:  # the reference is this estimator over the whole reference pool
            ref_curve = curve.predicted_vs_truth(np.array([float(ref.episodes)]))
            reference_quality[weighting] = float(ref_curve[0])
    returns = np.concatenate([ref_batch.returns, pool_batch.returns])
    return Quality(curves=curves, reference_episodes=ref.episodes,
                   reference_steps=int(ref.lengths.sum()), pool_episodes=pool.episodes,
                   pool_steps=int(pool.lengths.sum()), mean_return=float(returns.mean()),
                   reference_quality=reference_quality, gamma=config.gamma,
                   zero_references=tuple(w for w, r in references.items() if not r.any()),
                   gap=discount_gap(pool) if config.gamma < 1.0 else None,
                   seconds=time.perf_counter() - started)


def measure_arrays(config: TrainConfig, weights: dict[str, np.ndarray],
                   quality: QualityConfig = QualityConfig()) -> Quality:
    """:func:`measure` for a training worker process: the weights arrive as numpy arrays
    (pickled by value; torch tensors would travel through shared memory)."""
    return measure(config, {name: torch.from_numpy(np.array(value))
                            for name, value in weights.items()}, quality)
