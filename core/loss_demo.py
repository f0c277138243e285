"""The REINFORCE loss as PyTorch code, run on a softmax bandit.

The loss ``-(log_probs * returns).sum()`` is not J: it is a function whose gradient at the
current θ equals −N times the sample-average score-function estimate of ∇J. The functions here
run that exact code (optimizer.zero_grad / loss.backward / optimizer.step) and expose what it
does: where p(τ) went, why the minus sign, why a sum, and why the loss value is not a score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import softmax
from core.torch_env import torch

OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")
"""Optimizers the demo supports."""

REWARD_PRESETS: dict[str, tuple[float, ...]] = {
    "positive": (1.0, 2.0, 5.0),
    "negative": (-5.0, -2.0, -1.0),
}
"""Reward tables: the default, and a cost (all negative) where the loss rises while J rises."""

TRAINING_STEPS = 200
"""Optimizer steps of each training run on the page."""


def validate_batch(n: int, lr: float, steps: int = 1) -> str | None:
    """Why these training settings cannot run, or None."""
    if not (isinstance(n, int | np.integer) and n >= 1):
        return "The batch size N must be a whole number of at least 1."
    if not (np.isfinite(lr) and lr > 0):
        return "The learning rate must be a positive number."
    if not (isinstance(steps, int | np.integer) and steps >= 1):
        return "The number of steps must be at least 1."
    return None


def _make_optimizer(name: str, params: list[dict]) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params)
    if name == "adam":
        return torch.optim.Adam(params)
    raise ValueError(f"unknown optimizer {name!r}")


def batch_counts(logits: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """How often each outcome is drawn in a batch, per run: shape (runs, K).

    Draw i is outcome x when u_i falls in x's slice of the CDF of softmax(logits); counting
    the sorted uniforms below each CDF boundary gives the counts of those N draws directly.
    Every run uses the same uniforms (common random numbers), so runs whose probabilities
    agree draw the same batch.
    """
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    cdf = np.cumsum(z, axis=1)
    cdf /= cdf[:, -1:]
    edges = np.empty((len(cdf), cdf.shape[1] + 1), dtype=np.int64)
    edges[:, 0] = 0
    edges[:, 1:-1] = np.searchsorted(np.sort(uniforms), cdf[:, :-1], side="left")
    edges[:, -1] = uniforms.size
    return edges[:, 1:] - edges[:, :-1]


@dataclass(frozen=True)
class MirrorResult:
    """One pass of the loop on N samples: θ.grad from backward() against the estimators."""

    outcomes: np.ndarray
    """The N sampled outcomes."""
    loss: float
    """Value of the loss on this batch."""
    grad_backward: np.ndarray
    """θ.grad after loss.backward()."""
    estimate: np.ndarray
    """Sample-average estimate (1/N) Σ r(x_i) ∇log π(x_i), from the autograd score matrix."""
    exact: np.ndarray
    """Exact ∇J(θ)."""
    theta_after: np.ndarray
    """θ after optimizer.step() with plain SGD at the given learning rate."""
    j_before: float
    """J(θ) before the step."""
    j_after: float
    """J(θ) after the step."""


def mirror_step(logits: np.ndarray, rewards: np.ndarray, n: int, rng: np.random.Generator,
                *, lr: float = 0.01, minus_sign: bool = True) -> MirrorResult:
    """Run the app's training-loop code once on N samples of the categorical bandit.

    The loss is ``-(log_probs * returns).sum()``, or without the minus sign if ``minus_sign``
    is False; the step is plain SGD so that θ moves by exactly −lr × θ.grad.
    """
    r = np.asarray(rewards, dtype=float)
    outcomes = softmax.sample_outcomes(logits, n, rng)
    theta = torch.tensor(np.asarray(logits, dtype=float), dtype=torch.float64,
                         requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr)

    actions = torch.as_tensor(outcomes)
    log_probs = torch.distributions.Categorical(logits=theta).log_prob(actions)
    returns = torch.as_tensor(r[outcomes], dtype=torch.float64)
    loss = -(log_probs * returns).sum() if minus_sign else (log_probs * returns).sum()
    optimizer.zero_grad()
    loss.backward()
    assert theta.grad is not None  # set by backward()
    grad = theta.grad.detach().numpy().copy()
    optimizer.step()

    estimate = (r[outcomes][:, None] * softmax.score_matrix(logits)[outcomes]).mean(axis=0)
    after = theta.detach().numpy().copy()
    return MirrorResult(outcomes, float(loss.detach()), grad, estimate,
                        softmax.expected_reward_gradient(logits, r), after,
                        softmax.expected_reward(logits, r), softmax.expected_reward(after, r))


def mirror_batches(logits: np.ndarray, rewards: np.ndarray, n: int, count: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """θ.grad from backward() and −N × the sample-average estimate for ``count`` independent
    batches, each shape (count, K)."""
    grads, scaled = [], []
    for _ in range(count):
        result = mirror_step(logits, rewards, n, rng)
        grads.append(result.grad_backward)
        scaled.append(-n * result.estimate)
    return np.array(grads), np.array(scaled)


@dataclass(frozen=True)
class RunSpec:
    """One training run of the loop."""

    optimizer: str = "sgd"
    """"sgd" or "adam"."""
    lr: float = 0.01
    """Learning rate."""
    minus_sign: bool = True
    """Whether the loss carries the minus sign (−Σ log π · R); False drops it."""
    reduction: str = "sum"
    """"sum" or "mean" over the batch of log_probs * returns."""
    name: str = ""
    """How the page addresses this run (unique within one training)."""


@dataclass(frozen=True)
class TrainingResult:
    """Per-step record of several runs trained side by side on the same noise."""

    specs: tuple[RunSpec, ...]
    """The runs, in row order."""
    thetas: np.ndarray
    """θ before each step and after the last, shape (runs, steps + 1, K)."""
    expected_rewards: np.ndarray
    """J(θ) at the same times, shape (runs, steps + 1)."""
    losses: np.ndarray
    """Loss value at each step (before its update), shape (runs, steps)."""
    n: int
    """Batch size."""

    def index(self, name: str) -> int:
        """Row of the run called ``name``."""
        for i, spec in enumerate(self.specs):
            if spec.name == name:
                return i
        raise KeyError(f"no run named {name!r}")

    def theta(self, name: str) -> np.ndarray:
        """θ path of the run called ``name``, shape (steps + 1, K)."""
        return self.thetas[self.index(name)]

    def j(self, name: str) -> np.ndarray:
        """J(θ) path of the run called ``name``, shape (steps + 1,)."""
        return self.expected_rewards[self.index(name)]

    def loss_per_sample(self) -> np.ndarray:
        """Losses on the scale of one sample: sums divided by N, means as they are."""
        scale = np.array([1.0 / self.n if s.reduction == "sum" else 1.0 for s in self.specs])
        return self.losses * scale[:, None]


def train(logits: np.ndarray, rewards: np.ndarray, specs: tuple[RunSpec, ...], *, n: int,
          steps: int, seed: int) -> TrainingResult:
    """Train every run in ``specs`` from ``logits`` for ``steps`` steps of N samples each.

    Each step computes the loop's loss, sign · Σ_i r(x_i) log π_θ(x_i) (times 1/N for a mean),
    with the N terms grouped by outcome, Σ_x n_x r(x) log π_θ(x): the same number, at a cost
    independent of N. All runs see the same uniform random numbers at each step (common
    random numbers), so differences between runs come from the runs, not the noise. The runs
    share one autograd graph for speed; each run's loss depends only on its own θ, so its
    gradient is exactly what it would get alone.
    """
    specs = tuple(specs)
    k = len(logits)
    # Runs with the same optimizer and learning rate share one leaf tensor, one row each: SGD
    # and Adam act elementwise, so each row evolves exactly as it would on its own.
    keys = list(dict.fromkeys((s.optimizer, s.lr) for s in specs))
    rows = [[i for i, s in enumerate(specs) if (s.optimizer, s.lr) == key] for key in keys]
    start = np.asarray(logits, dtype=float)
    leaves = [torch.tensor(np.repeat(start[None, :], len(members), axis=0),
                           dtype=torch.float64, requires_grad=True) for members in rows]
    optimizers = []
    for name in OPTIMIZERS:
        groups = [{"params": [leaf], "lr": lr}
                  for leaf, (opt, lr) in zip(leaves, keys, strict=True) if opt == name]
        if groups:
            optimizers.append(_make_optimizer(name, groups))
    order = np.argsort(np.concatenate(rows), kind="stable")
    reorder = None if np.array_equal(order, np.arange(len(specs))) else torch.as_tensor(order)
    # Row i of the loss is run i's: sign · Σ(log_probs · returns), or the mean (factor 1/N).
    coef = torch.tensor([(-1.0 if s.minus_sign else 1.0) * (1.0 if s.reduction == "sum" else 1 / n)
                         for s in specs], dtype=torch.float64)
    r_np = np.asarray(rewards, dtype=float)
    rng = np.random.default_rng(int(seed))

    def stacked() -> torch.Tensor:
        theta = torch.cat(leaves)
        return theta if reorder is None else theta[reorder]

    history = np.empty((len(specs), steps + 1, k))
    losses = np.empty((len(specs), steps))
    for step in range(steps):
        theta = stacked()
        history[:, step] = current = theta.detach().numpy()
        counts = batch_counts(current, rng.random(n))
        # Σ_i returns_i · log_probs_i over the batch, grouped by outcome: Σ_x n_x r(x) log π(x).
        weights = torch.from_numpy(counts * r_np)
        loss = coef * (torch.log_softmax(theta, dim=1) * weights).sum(dim=1)
        for leaf in leaves:  # what optimizer.zero_grad() does, minus its per-call overhead
            leaf.grad = None
        loss.sum().backward()
        for optimizer in optimizers:
            optimizer.step()
        losses[:, step] = loss.detach().numpy()
    history[:, steps] = stacked().detach().numpy()
    z = np.exp(history - history.max(axis=2, keepdims=True))
    j = (z / z.sum(axis=2, keepdims=True)) @ r_np
    return TrainingResult(specs, history, j, losses, n)


@dataclass(frozen=True)
class EpisodeExample:
    """Two episodes of different length and how three loss reductions weight them."""

    actions: tuple[np.ndarray, ...]
    """The actions of each episode."""
    returns: np.ndarray
    """Return R_i (sum of rewards) of each episode."""
    lengths: np.ndarray
    """Number of steps T_i of each episode."""
    episode_gradients: np.ndarray
    """g_i = R_i Σ_t ∇log π(a_t) per episode, shape (episodes, K), by autograd."""
    weights: dict[str, np.ndarray]
    """Per reduction, the weight of each g_i in −θ.grad."""
    grads: dict[str, np.ndarray]
    """Per reduction, θ.grad from loss.backward()."""


REDUCTIONS: dict[str, str] = {
    "episode_sum": "sum over each episode's steps, mean over episodes",
    "episode_mean": "mean over each episode's steps, mean over episodes",
    "batch_mean": "mean over all steps of the batch",
}
"""The three ways of reducing log_probs * returns that the worked example compares."""


def episode_example(logits: np.ndarray, rewards: np.ndarray, lengths: tuple[int, ...],
                    rng: np.random.Generator) -> EpisodeExample:
    """Episodes of the given lengths (actions drawn from π_θ, reward r(a) per step) and the
    gradient each reduction gives, with the weights it puts on each episode."""
    r = np.asarray(rewards, dtype=float)
    actions = tuple(softmax.sample_outcomes(logits, int(t), rng) for t in lengths)
    returns = np.array([r[a].sum() for a in actions])
    lengths_arr = np.array([len(a) for a in actions], dtype=float)
    episodes = len(actions)

    def grad_of(kind: str | None, index: int | None = None) -> np.ndarray:
        theta = torch.tensor(np.asarray(logits, dtype=float), dtype=torch.float64,
                             requires_grad=True)
        log_pi = torch.log_softmax(theta, dim=0)
        per_episode = []
        for i, a in enumerate(actions):
            terms = log_pi[torch.as_tensor(a)] * float(returns[i])
            per_episode.append(terms.mean() if kind == "episode_mean" else terms.sum())
        if kind is None:  # g_i itself: ∇ of R_i Σ_t log π(a_t)
            assert index is not None
            loss = per_episode[index]
        elif kind == "batch_mean":
            loss = -torch.stack(per_episode).sum() / lengths_arr.sum()
        else:
            loss = -torch.stack(per_episode).mean()
        loss.backward()
        assert theta.grad is not None  # set by backward()
        return theta.grad.numpy().copy()

    g = np.array([grad_of(None, i) for i in range(episodes)])
    weights = {
        "episode_sum": np.full(episodes, 1.0 / episodes),
        "episode_mean": 1.0 / (episodes * lengths_arr),
        "batch_mean": np.full(episodes, 1.0 / lengths_arr.sum()),
    }
    grads = {kind: grad_of(kind) for kind in REDUCTIONS}
    return EpisodeExample(actions, returns, lengths_arr, g, weights, grads)
