"""A K-armed bandit learned by a softmax policy: exact gradient ascent next to REINFORCE.

Every path (the exact one and one per seed) is a row of one (paths, K) logit array, so one
gradient call per step serves every path: row 0 differentiates the exact objective
J(θ) = Σ_k π_θ(k) μ_k, the other rows the REINFORCE surrogate of their own samples. Rows never
mix, and both optimizers act element-wise, so batching changes nothing about any one path.
The gradients come from torch autograd or from the softmax closed form; the tests check the
two agree step for step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.limits import LIMITS
from core.torch_env import torch

MIN_ARMS = 2
MAX_ARMS = 6
DEFAULT_ARMS = 3
GAUSSIAN = "Gaussian"
BERNOULLI = "Bernoulli"
DISTRIBUTIONS = (GAUSSIAN, BERNOULLI)
BASELINES = ("none", "mean reward")
OPTIMIZERS = ("SGD", "Adam")
MAX_ABS_MEAN = 1e4
MAX_SD = 1e4
MAX_ABS_LOGIT = 50.0


@dataclass(frozen=True)
class Arms:
    """The reward distribution of every arm (before the shift c)."""

    kinds: tuple[str, ...]
    """"Gaussian" or "Bernoulli", one per arm."""
    means: tuple[float, ...]
    """Mean reward of a Gaussian arm, or the success probability p of a Bernoulli arm
    (which pays 1 with probability p, else 0)."""
    sds: tuple[float, ...]
    """Standard deviation of a Gaussian arm (ignored for a Bernoulli arm)."""

    @property
    def size(self) -> int:
        """Number of arms K."""
        return len(self.kinds)

    def expected(self, shift: float = 0.0) -> np.ndarray:
        """μ_k + c: the expected reward of each arm after the shift."""
        return np.asarray(self.means, dtype=float) + shift


@dataclass(frozen=True)
class TrainingConfig:
    """How the exact path and the REINFORCE paths learn."""

    learning_rate: float = 0.1
    """Step size of the optimizer, in logit units."""
    samples_per_step: int = 10
    """N: pulls averaged into one REINFORCE gradient estimate."""
    baseline: str = "none"
    """"none", or "mean reward": subtract the average of every reward the path has seen so far
    (excluding the sample itself, so the estimate stays unbiased)."""
    optimizer: str = "SGD"
    """"SGD" (plain gradient ascent) or "Adam" (torch defaults apart from the learning rate)."""
    steps: int = 200
    """Number of updates of every path."""
    seeds: int = 5
    """Number of REINFORCE paths, each with its own random stream."""
    shift: float = 0.0
    """c, added to every reward of every arm."""


@dataclass(frozen=True)
class BanditPaths:
    """The learning paths: row 0 is exact gradient ascent, rows 1.. are REINFORCE seeds."""

    probabilities: np.ndarray
    """π_θ over arms after 0..steps updates, shape (1 + seeds, steps + 1, K)."""
    expected_rewards: np.ndarray
    """Exact J(θ) (with the shift) of each path after 0..steps updates,
    shape (1 + seeds, steps + 1)."""
    best_reward: float
    """max_k μ_k + c: the value of always pulling the best arm."""


def default_arms(k: int = DEFAULT_ARMS) -> tuple[Arms, np.ndarray]:
    """K Gaussian arms with means 1 .. 0 (sd 1), and initial logits that favour the worst arm."""
    means = np.round(np.linspace(1.0, 0.0, k), 3)
    logits = np.round(np.linspace(-1.0, 1.0, k), 3)
    return Arms((GAUSSIAN,) * k, tuple(float(m) for m in means), (1.0,) * k), logits


def validate_arms(kinds: list, means: list, sds: list, logits: list) -> str | None:
    """Why this table of arms cannot be used, or None if it can. Accepts raw table cells."""
    k = len(kinds)
    if not (len(means) == len(sds) == len(logits) == k):
        return "Every arm needs a distribution, a mean (or p), a standard deviation and a logit."
    if not MIN_ARMS <= k <= MAX_ARMS:
        return f"Use between {MIN_ARMS} and {MAX_ARMS} arms (got {k})."
    for i in range(k):
        arm = f"Arm {i + 1}"
        if kinds[i] not in DISTRIBUTIONS:
            return f"{arm}: choose Gaussian or Bernoulli as its distribution."
        mean, sd, logit = _number(means[i]), _number(sds[i]), _number(logits[i])
        if logit is None:
            return f"{arm}: the initial logit must be a number."
        if abs(logit) > MAX_ABS_LOGIT:
            return f"{arm}: keep the initial logit between −{MAX_ABS_LOGIT:g} and " \
                   f"{MAX_ABS_LOGIT:g}."
        if mean is None:
            return f"{arm}: the mean (or p) must be a number."
        if kinds[i] == BERNOULLI:
            if not 0.0 <= mean <= 1.0:
                return f"{arm}: a Bernoulli arm needs p between 0 and 1 (got {mean:g})."
        else:
            if abs(mean) > MAX_ABS_MEAN:
                return f"{arm}: keep the mean between −{MAX_ABS_MEAN:g} and {MAX_ABS_MEAN:g}."
            if sd is None:
                return f"{arm}: the standard deviation must be a number."
            if not 0.0 <= sd <= MAX_SD:
                return f"{arm}: the standard deviation must be between 0 and {MAX_SD:g}."
    return None


def _number(value: object) -> float | None:
    """The finite float in a table cell, or None (empty, text, NaN or infinite)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def arms_from_table(kinds: list, means: list, sds: list) -> Arms:
    """Arms from validated table cells (a Bernoulli arm's sd cell is ignored)."""
    sd_values = tuple(0.0 if kind == BERNOULLI else float(sd)
                      for kind, sd in zip(kinds, sds, strict=True))
    return Arms(tuple(kinds), tuple(float(m) for m in means), sd_values)


def validate_config(config: TrainingConfig, arms: Arms) -> str | None:
    """Why this training cannot run, or None if it can."""
    if not (np.isfinite(config.learning_rate) and config.learning_rate > 0):
        return "The learning rate must be a positive number."
    if config.baseline not in BASELINES:
        return f"Unknown baseline {config.baseline!r}."
    if config.optimizer not in OPTIMIZERS:
        return f"Unknown optimizer {config.optimizer!r}."
    if config.samples_per_step < 1 or config.steps < 1 or config.seeds < 1:
        return "Samples per step, steps and seeds must each be at least 1."
    if not np.isfinite(config.shift):
        return "The reward shift must be a finite number."
    pulls = config.seeds * config.steps * config.samples_per_step
    if pulls > LIMITS.max_samples_per_request:
        return (f"{pulls:,} pulls is more than this server allows at once "
                f"({LIMITS.max_samples_per_request:,}): use fewer seeds, steps or samples.")
    if not 0 < arms.size <= MAX_ARMS:
        return f"Use between {MIN_ARMS} and {MAX_ARMS} arms."
    return None


def exact_objective(logits: np.ndarray, arms: Arms, shift: float = 0.0) -> float:
    """J(θ) = Σ_k π_θ(k)(μ_k + c)."""
    z = np.asarray(logits, dtype=float)
    p = np.exp(z - z.max())
    return float(p @ arms.expected(shift) / p.sum())


def exact_gradient(logits: np.ndarray, arms: Arms, shift: float = 0.0) -> np.ndarray:
    """∇θ J(θ) by autograd through the exact sum over arms."""
    theta = torch.tensor(np.asarray(logits, dtype=float), dtype=torch.float64,
                         requires_grad=True)
    mu = torch.tensor(arms.expected(shift), dtype=torch.float64)
    (grad,) = torch.autograd.grad(torch.softmax(theta, dim=0) @ mu, theta)
    return grad.numpy()


def simplex_field(arms: Arms, resolution: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Where exact gradient ascent moves the probabilities, at interior points of the simplex
    (K = 3 only).

    Returns the points π (M, 3) and the velocities dπ/dt = (∂π/∂θ) ∇θJ (M, 3) of gradient flow
    θ' = ∇θJ, both factors by autograd (∂π/∂θ is symmetric for a softmax, so the product is a
    second gradient). The shift c does not change it: Σ_k ∂π_k/∂θ = 0.
    """
    if arms.size != 3:
        raise ValueError("the simplex field needs exactly 3 arms")
    n = resolution
    grid = np.array([(i, j, n - i - j) for i in range(1, n) for j in range(1, n - i)],
                    dtype=float) / n
    theta = torch.tensor(np.log(grid), dtype=torch.float64, requires_grad=True)
    mu = torch.tensor(arms.expected(), dtype=torch.float64)
    probs = torch.softmax(theta, dim=1)
    (grad,) = torch.autograd.grad((probs @ mu).sum(), theta, create_graph=False)
    probs = torch.softmax(theta, dim=1)
    (velocity,) = torch.autograd.grad((probs * grad.detach()).sum(), theta)
    return grid, velocity.numpy()


def _draws(config: TrainingConfig, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Uniforms (arm choice), standard normals (Gaussian noise) and uniforms (Bernoulli coins),
    each (steps, seeds, N), one stream per REINFORCE seed so that adding seeds never changes
    the paths of the others."""
    shape = (config.steps, config.samples_per_step)
    draws: list[list[np.ndarray]] = [[], [], []]
    for s in range(config.seeds):
        rng = np.random.default_rng([seed, s])
        draws[0].append(rng.random(shape))
        draws[1].append(rng.standard_normal(shape))
        draws[2].append(rng.random(shape))
    uniforms, normals, coins = (np.stack(d, axis=1) for d in draws)
    return uniforms, normals, coins


GRADIENT_ENGINES = ("closed form", "autograd")


def train(arms: Arms, initial_logits: np.ndarray, config: TrainingConfig, seed: int,
          engine: str = "closed form") -> BanditPaths:
    """Exact gradient ascent (row 0) and ``config.seeds`` REINFORCE paths from the same logits.

    REINFORCE step: ĝ = (1/N) Σ_i (r_i − b_i) ∇θ log π_θ(a_i). With ``engine="autograd"`` every
    step's gradients come from one torch autograd call on all rows (the exact objective for row
    0, the surrogate (1/N) Σ_i (r_i − b_i) log π_θ(a_i) for the others). The default
    ``"closed form"`` uses ∇θ log π(a) = onehot(a) − π and ∇J = π ⊙ (μ − J) in numpy: several
    times faster on small arrays, and the tests check it equals the autograd engine step for
    step. Everything else (draws, sampling, optimizer) is shared.
    """
    problem = validate_config(config, arms)
    if problem:
        raise ValueError(problem)
    if engine not in GRADIENT_ENGINES:
        raise ValueError(f"unknown gradient engine {engine!r}")
    gradients = _autograd_gradients if engine == "autograd" else _closed_form_gradients
    k, s, n = arms.size, config.seeds, config.samples_per_step
    uniforms, normals, coins = _draws(config, seed)
    mu = arms.expected(config.shift)
    raw_mean, sd = np.asarray(arms.means, dtype=float), np.asarray(arms.sds, dtype=float)
    bernoulli = np.array([kind == BERNOULLI for kind in arms.kinds])
    theta = np.tile(np.asarray(initial_logits, dtype=float), (1 + s, 1))
    step_fn = (_adam_ascent(config.learning_rate) if config.optimizer == "Adam"
               else _sgd_ascent(config.learning_rate))
    use_baseline = config.baseline == "mean reward"
    seen_sum = np.zeros((s, 1))
    seen_count = 0
    history = np.empty((1 + s, config.steps + 1, k))
    for step in range(config.steps):
        probs = _softmax_rows(theta)
        history[:, step] = probs
        cdf = np.cumsum(probs[1:], axis=1)
        actions = np.minimum((uniforms[step][:, :, None] > cdf[:, None, :]).sum(axis=2), k - 1)
        mean_a = raw_mean[actions]
        rewards = np.where(bernoulli[actions], coins[step] < mean_a,
                           mean_a + sd[actions] * normals[step]) + config.shift
        if use_baseline:
            # Leave-one-out: all earlier rewards of this path and the other samples of this
            # step, never the sample itself, so the estimate stays unbiased.
            others = seen_count + n - 1
            batch_sum = rewards.sum(axis=1, keepdims=True)
            baseline = (seen_sum + batch_sum - rewards) / others if others > 0 else 0.0
            seen_sum = seen_sum + batch_sum
            seen_count += n
            advantages = rewards - baseline
        else:
            advantages = rewards
        theta = step_fn(theta, gradients(theta, probs, actions, advantages, mu))
    history[:, config.steps] = _softmax_rows(theta)
    expected = history @ mu
    return BanditPaths(history, expected, float(mu.max()))


def _softmax_rows(theta: np.ndarray) -> np.ndarray:
    z = np.exp(theta - theta.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _closed_form_gradients(theta: np.ndarray, probs: np.ndarray, actions: np.ndarray,
                           advantages: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Row 0: ∇J = π ⊙ (μ − π·μ). Rows 1..: (1/N) Σ_i A_i (onehot(a_i) − π)."""
    s, n = actions.shape
    k = theta.shape[1]
    grads = np.empty_like(theta)
    grads[0] = probs[0] * (mu - probs[0] @ mu)
    flat = (actions + k * np.arange(s)[:, None]).ravel()
    pushed = np.bincount(flat, weights=advantages.ravel(), minlength=s * k).reshape(s, k) / n
    grads[1:] = pushed - advantages.mean(axis=1, keepdims=True) * probs[1:]
    return grads


def _autograd_gradients(theta: np.ndarray, probs: np.ndarray, actions: np.ndarray,
                        advantages: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """The same gradients by one torch autograd call over all rows."""
    theta_t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    log_probs = torch.log_softmax(theta_t, dim=1)
    rows = torch.arange(actions.shape[0]).unsqueeze(1)
    chosen = log_probs[1:][rows, torch.from_numpy(actions)]
    surrogate = (torch.from_numpy(np.asarray(advantages, dtype=float)) * chosen).mean(dim=1)
    objective = log_probs[0].exp() @ torch.from_numpy(mu) + surrogate.sum()
    (grad,) = torch.autograd.grad(objective, theta_t)
    return grad.numpy()


def _sgd_ascent(lr: float):
    """θ ← θ + lr·g: torch.optim.SGD's step on the loss −J."""
    def step(theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return theta + lr * grad
    return step


def _adam_ascent(lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
    """torch.optim.Adam's step (default settings) on the loss −J, element-wise, so each row
    (path) keeps its own moments; the tests check it against torch.optim.Adam."""
    state: dict = {"t": 0, "m": None, "v": None}

    def step(theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        loss_grad = -grad
        if state["m"] is None:
            state["m"] = np.zeros_like(theta)
            state["v"] = np.zeros_like(theta)
        state["t"] += 1
        t = state["t"]
        state["m"] = betas[0] * state["m"] + (1 - betas[0]) * loss_grad
        state["v"] = betas[1] * state["v"] + (1 - betas[1]) * loss_grad * loss_grad
        m_hat = state["m"] / (1 - betas[0] ** t)
        v_hat = state["v"] / (1 - betas[1] ** t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return step


def reinforce_gradient(logits: np.ndarray, actions: np.ndarray,
                       advantages: np.ndarray) -> np.ndarray:
    """One REINFORCE estimate (1/N) Σ_i A_i ∇θ log π_θ(a_i), by autograd (for checks)."""
    theta = torch.tensor(np.asarray(logits, dtype=float), dtype=torch.float64,
                         requires_grad=True)
    log_probs = torch.log_softmax(theta, dim=0)
    adv = torch.tensor(np.asarray(advantages, dtype=float), dtype=torch.float64)
    surrogate = (adv * log_probs[torch.as_tensor(actions)]).mean()
    (grad,) = torch.autograd.grad(surrogate, theta)
    return grad.numpy()


@dataclass(frozen=True)
class Summary:
    """Where the paths ended."""

    exact_best_probability: float
    """Probability the exact path gives to the best arm(s) after the last step."""
    seeds_on_best: int
    """REINFORCE seeds whose most likely arm after the last step is a best arm."""
    seeds: int
    """Number of REINFORCE seeds."""
    mean_final_j: float
    """Average over seeds of J(θ) after the last step."""


def summarize(paths: BanditPaths, arms: Arms) -> Summary:
    """Final state of the exact path and the seeds (ties for best arm all count as best)."""
    means = arms.expected()
    best = np.isclose(means, means.max())
    final = paths.probabilities[:, -1]
    on_best = best[np.argmax(final[1:], axis=1)]
    return Summary(float(final[0, best].sum()), int(on_best.sum()), len(on_best),
                   float(paths.expected_rewards[1:, -1].mean()))
