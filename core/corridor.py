"""The short corridor with switched actions (Sutton & Barto, Example 13.1).

Three non-terminal states in a row, every step costs −1. In the start state (0) and the third
state (2) the actions do what they say; in the second state (1) they are swapped. All states
look the same to the agent, so a policy is one number p = π(right), used everywhere.

Exact values solve the linear Bellman system; the best p is found by bisection on dv/dp, with
the derivative by autograd through the solve. Learning runs many independent runs in lock-step
(numpy over runs for the episodes, one autograd call per episode for all runs' gradients).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np

from core.torch_env import torch

START, TERMINAL = 0, 3
NEXT_STATE = np.array([[0, 1],   # state 0: left stays put, right moves on
                       [2, 0],   # state 1: switched, left goes right and right goes left
                       [1, 3],   # state 2: right reaches the goal
                       [3, 3]])  # terminal absorbs
"""NEXT_STATE[s, a] with a = 0 for left, 1 for right."""
BOOK_INITIAL_THETA = (-1.47, 1.47)
"""θ = (θ_right, θ_left) so that π(right) = σ(−2.94) ≈ 0.05, close to ε-greedy-left."""
MAX_RUNS = 100
MAX_EPISODES = 2000


def _value_torch(p: torch.Tensor) -> torch.Tensor:
    """Values of states 0, 1, 2 under π(right) = p: solve (I − P_p) v = −1."""
    q = 1 - p
    zero = torch.zeros((), dtype=torch.float64)
    transition = torch.stack([
        torch.stack([q, p, zero]),
        torch.stack([p, zero, q]),
        torch.stack([zero, q, zero]),
    ])
    rhs = -torch.ones(3, dtype=torch.float64)
    return torch.linalg.solve(torch.eye(3, dtype=torch.float64) - transition, rhs)


def state_values(p: float) -> np.ndarray:
    """v_π(s) for s = 0, 1, 2 when π(right) = p; −inf if the goal is never reached (p = 0, 1)."""
    if not 0.0 < p < 1.0:
        return np.full(3, -np.inf)
    return _value_torch(torch.tensor(float(p), dtype=torch.float64)).numpy()


@overload
def start_value(p: float) -> float: ...
@overload
def start_value(p: np.ndarray) -> np.ndarray: ...
def start_value(p: float | np.ndarray) -> float | np.ndarray:
    """v_π(start) for one p or an array of p (−inf at p = 0 and p = 1)."""
    if np.ndim(p) == 0:
        return float(state_values(float(p))[START])
    return np.array([state_values(float(x))[START] for x in np.asarray(p).ravel()]
                    ).reshape(np.shape(p))


def start_value_derivative(p: float) -> float:
    """dv_π(start)/dp by autograd through the linear solve."""
    p_t = torch.tensor(float(p), dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(_value_torch(p_t)[START], p_t)
    return float(grad)


def optimal_policy(tolerance: float = 1e-14) -> tuple[float, float]:
    """(p*, v*) maximising v_π(start), by bisection on the sign of dv/dp over (0, 1).

    v is concave-shaped on (0, 1) with −inf at both ends, so dv/dp changes sign once.
    """
    low, high = 1e-6, 1 - 1e-6
    while high - low > tolerance:
        mid = 0.5 * (low + high)
        if start_value_derivative(mid) > 0:
            low = mid
        else:
            high = mid
    p_star = 0.5 * (low + high)
    return p_star, float(start_value(p_star))


def epsilon_greedy_probabilities(epsilon: float) -> tuple[float, float]:
    """π(right) of ε-greedy-left and ε-greedy-right (ε spread over both actions)."""
    return epsilon / 2, 1 - epsilon / 2


@dataclass(frozen=True)
class Learner:
    """One REINFORCE variant to run on the corridor."""

    label: str
    """Name shown in the legend."""
    alpha_theta: float
    """Step size of the policy parameters θ."""
    alpha_w: float | None = None
    """Step size of the learned baseline v̂(s, w) = w, or None for plain REINFORCE."""
    figure: int = 1
    """The book's figure this learner belongs to (13.1 → 1, 13.2 → 2)."""


@dataclass(frozen=True)
class CorridorConfig:
    """How many runs and episodes, and where learning starts."""

    runs: int = 100
    """Independent runs averaged (1..100)."""
    episodes: int = 1000
    """Episodes per run."""
    max_steps: int = 1000
    """An episode is cut after this many steps (only policies close to p = 0 or 1 get there);
    the returns of a cut episode count its steps so far."""
    initial_theta: tuple[float, float] = BOOK_INITIAL_THETA
    """(θ_right, θ_left) at the start of every run."""
    initial_w: float = 0.0
    """Starting value of the baseline weight w."""


@dataclass(frozen=True)
class LearningCurves:
    """Total reward per episode of every run of every learner."""

    labels: tuple[str, ...]
    """One label per learner."""
    returns: np.ndarray
    """Total reward of each episode, shape (learners, runs, episodes)."""
    final_p_right: np.ndarray
    """π(right) after the last episode, shape (learners, runs)."""
    w: np.ndarray
    """The baseline weight w after each episode, shape (learners, runs, episodes), float32;
    NaN for learners without a baseline."""
    figures: tuple[int, ...] = ()
    """The book's figure of each learner (empty: all figure 1)."""

    def subset(self, learners: list[int]) -> LearningCurves:
        """The curves of some learners only, in the order given."""
        figures = self.figures or (1,) * len(self.labels)
        return LearningCurves(tuple(self.labels[i] for i in learners), self.returns[learners],
                              self.final_p_right[learners], self.w[learners],
                              tuple(figures[i] for i in learners))

    def for_figure(self, figure: int) -> LearningCurves:
        """The learners of one of the book's figures (13.1 → 1, 13.2 → 2)."""
        figures = self.figures or (1,) * len(self.labels)
        return self.subset([i for i, f in enumerate(figures) if f == figure])

    @property
    def with_baseline(self) -> int:
        """Index of the first learner with a learned baseline (ValueError if none)."""
        for i in range(len(self.labels)):
            if np.isfinite(self.w[i]).any():
                return i
        raise ValueError("no learner with a baseline")

    def mean(self) -> np.ndarray:
        """Average over runs, shape (learners, episodes)."""
        return self.returns.mean(axis=1, dtype=np.float64)

    def standard_error(self) -> np.ndarray:
        """Standard error of that average (0 with a single run), shape (learners, episodes)."""
        runs = self.returns.shape[1]
        if runs < 2:
            return np.zeros(self.returns.shape[::2])
        return self.returns.std(axis=1, ddof=1, dtype=np.float64) / np.sqrt(runs)


def validate(learners: list[Learner], config: CorridorConfig) -> str | None:
    """Why these learners cannot run, or None if they can."""
    if not learners:
        return "Choose at least one learner."
    if not 1 <= config.runs <= MAX_RUNS:
        return f"Use between 1 and {MAX_RUNS} runs."
    if not 1 <= config.episodes <= MAX_EPISODES:
        return f"Use between 1 and {MAX_EPISODES:,} episodes."
    for learner in learners:
        steps = [learner.alpha_theta] + ([learner.alpha_w] if learner.alpha_w is not None else [])
        if not all(np.isfinite(a) and 0 < a <= 1 for a in steps):
            return f"{learner.label}: step sizes must be in (0, 1]."
    return None


GRADIENT_ENGINES = ("closed form", "autograd")


def learn(learners: list[Learner], config: CorridorConfig, seed: int,
          engine: str = "closed form") -> LearningCurves:
    """Run every learner ``config.runs`` times, all runs side by side.

    Per episode: θ is fixed while the episode is generated, then moved once by the sum of the
    book's per-step updates α^θ δ_t ∇θ log π(A_t) (γ = 1). With a baseline the weight w is
    updated step by step as in the book, w ← w + α^w (G_t − w), and δ_t = G_t − w_t; because
    G_t = t − T, the whole sequence has a closed form, so only three running sums per run are
    needed while the episode unfolds. Run r of every learner sees the same uniforms (common
    random numbers), from a stream seeded by (``seed``, episode).

    ``engine="autograd"`` takes ∇θ log π from torch autograd (:func:`policy_step`); the default
    uses its closed form (:func:`policy_step_closed_form`), which the tests check gives the
    same curves.
    """
    problem = validate(learners, config)
    if problem:
        raise ValueError(problem)
    if engine not in GRADIENT_ENGINES:
        raise ValueError(f"unknown gradient engine {engine!r}")
    n_learners, runs = len(learners), config.runs
    rows = n_learners * runs
    alpha_theta = np.repeat([lrn.alpha_theta for lrn in learners], runs)
    has_baseline = np.repeat([lrn.alpha_w is not None for lrn in learners], runs)
    alpha_w = np.repeat([lrn.alpha_w or 1.0 for lrn in learners], runs)
    theta = np.tile(np.asarray(config.initial_theta, dtype=float), (rows, 1))
    w = np.full(rows, config.initial_w)
    # Whole numbers up to −max_steps: float32 holds them exactly at half the memory.
    returns = np.empty((rows, config.episodes), dtype=np.float32)
    w_after = np.full((rows, config.episodes), np.nan, dtype=np.float32)
    decay = 1.0 - alpha_w
    powers = decay[:, None] ** np.arange(config.max_steps + 64, dtype=float)[None, :]
    for episode in range(config.episodes):
        p_right = _p_right(theta)
        # A stream per episode: a row's draws never depend on how long other rows' episodes
        # were, so changing one learner leaves the others' curves unchanged.
        rng = np.random.default_rng([seed, episode])
        steps, n_right, t_right, a_right = run_episodes(p_right, rng, n_learners, powers,
                                                         config.max_steps)
        returns[:, episode] = -steps
        weight_right, weight_left, w = episode_weights(steps, n_right, t_right, a_right, w,
                                                       alpha_w, has_baseline)
        w_after[has_baseline, episode] = w[has_baseline]
        if engine == "autograd":
            theta = theta + policy_step(torch.from_numpy(theta), weight_right, weight_left,
                                        torch.from_numpy(alpha_theta)).numpy()
        else:
            theta = theta + policy_step_closed_form(theta, weight_right, weight_left,
                                                    alpha_theta)
    return LearningCurves(tuple(lrn.label for lrn in learners),
                          returns.reshape(n_learners, runs, config.episodes),
                          _p_right(theta).reshape(n_learners, runs),
                          w_after.reshape(n_learners, runs, config.episodes),
                          tuple(lrn.figure for lrn in learners))


W_CHECKPOINTS: tuple[int, ...] = (10, 100, 1000)
"""Episodes after which the page reports the learned baseline's w (those within the run)."""


def describe_baseline_w(curves: LearningCurves, learner: int | None = None) -> str:
    """What the learned baseline w of ``learner`` (default: the first with a baseline) did,
    from its curves: the median over runs after each checkpoint episode, beside the median
    return of the last episodes."""
    if learner is None:
        learner = curves.with_baseline
    w, returns = curves.w[learner], curves.returns[learner]
    episodes = w.shape[1]
    marks = [k for k in W_CHECKPOINTS if k < episodes] + [episodes]
    parts = [f"{float(np.median(w[:, k - 1])):.1f} after {k:,} episode{'s' if k > 1 else ''}"
             for k in dict.fromkeys(marks)]
    typical = float(np.median(returns[:, max(0, episodes - 100):]))
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (f"learned w has median {listed} over the runs (the returns G of the last "
            f"episodes have median {typical:.0f})")


def initial_p_right(config: CorridorConfig | None = None) -> float:
    """π(right) of the starting preferences (the book's: about 0.05)."""
    theta = np.array([(config or CorridorConfig()).initial_theta], dtype=float)
    return float(_p_right(theta)[0])


def _p_right(theta: np.ndarray) -> np.ndarray:
    """π(right) = softmax(θ_right, θ_left)[0], computed stably."""
    return 0.5 * (1.0 + np.tanh(0.5 * (theta[:, 0] - theta[:, 1])))


def policy_step_closed_form(theta: np.ndarray, weight_right: np.ndarray,
                            weight_left: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """α (W_right ∇log π(right) + W_left ∇log π(left)) with ∇log π(right) = (1 − p)(1, −1)
    and ∇log π(left) = −p (1, −1): what :func:`policy_step` gets from autograd."""
    p = _p_right(theta)
    along = alpha * (weight_right * (1 - p) - weight_left * p)
    return np.stack([along, -along], axis=1)


CHUNK = 8
"""Actions handled per loop iteration, through the lookup tables below."""


def _chunk_tables() -> tuple[np.ndarray, np.ndarray]:
    """For every state s and every pattern of CHUNK actions (bit j = action j is right):
    the state after them and how many of them were taken before the goal, flattened to
    index s * 2**CHUNK + pattern."""
    patterns = 2**CHUNK
    end = np.empty((4, patterns), dtype=np.int64)
    taken = np.empty((4, patterns), dtype=np.float64)
    for state in range(4):
        for pattern in range(patterns):
            s, n = state, 0
            for j in range(CHUNK):
                if s == TERMINAL:
                    break
                s = NEXT_STATE[s, (pattern >> j) & 1]
                n += 1
            end[state, pattern], taken[state, pattern] = s, n
    return end.ravel(), taken.ravel()


_CHUNK_END, _CHUNK_TAKEN = _chunk_tables()


def episode_weights(steps: np.ndarray, n_right: np.ndarray, t_right: np.ndarray,
                    a_right: np.ndarray, w: np.ndarray, alpha_w: np.ndarray,
                    has_baseline: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Σ_t δ_t over the steps that went right and over those that went left, and w after the
    episode, from an episode's length T and its right-step sums (count, Σ t, Σ (1 − α^w)^t).

    Without a baseline δ_t = G_t = t − T. With one, w moves after every step,
    w_{t+1} = w_t + α^w (G_t − w_t), so w_t = A_t (w_0 + T) − T + B_t with A_t = (1 − α^w)^t
    and B_t = t − (1 − A_t)/α^w; then δ_t = G_t − w_t = (1 − A_t)/α^w − A_t (w_0 + T).
    """
    decay = 1.0 - alpha_w
    total_t = steps * (steps - 1) / 2
    plain_right = t_right - steps * n_right
    plain_all = total_t - steps * steps
    a_all = (1 - decay**steps) / alpha_w
    base_right = (n_right - a_right) / alpha_w - (w + steps) * a_right
    base_all = (steps - a_all) / alpha_w - (w + steps) * a_all
    weight_right = np.where(has_baseline, base_right, plain_right)
    weight_left = np.where(has_baseline, base_all - base_right, plain_all - plain_right)
    new_w = np.where(has_baseline, decay**steps * (w + steps) - (1 - decay**steps) / alpha_w, w)
    return weight_right, weight_left, new_w


def run_episodes(p_right: np.ndarray, rng: np.random.Generator, n_learners: int,
                  powers: np.ndarray, max_steps: int) -> tuple[np.ndarray, ...]:
    """Play one episode in every row; return its length T and, over the steps that went right,
    their count, Σ t and Σ (1 − α^w)^t (``powers[row, t]`` holds (1 − α^w)^t).

    The policy is the same in every state, so the actions are i.i.d. draws whatever the states
    are: they are drawn in blocks, and the states advance CHUNK actions per iteration by table
    look-up. After the first block only the rows still walking are touched. Row r of every
    learner uses column block r of the same uniforms (common random numbers).
    """
    rows = p_right.size
    runs = rows // n_learners
    block = 8 * CHUNK
    state = np.zeros(rows, dtype=np.int64)
    steps = np.zeros(rows)
    n_right, t_right, a_right = np.zeros(rows), np.zeros(rows), np.zeros(rows)
    live = np.arange(rows)
    start = 0
    while start < max_steps and live.size:
        uniforms = rng.random((runs, block))[live % runs]
        chosen = uniforms < p_right[live, None]
        patterns = np.packbits(chosen, axis=1, bitorder="little")
        walk, taken = state[live], steps[live]
        for j in range(patterns.shape[1]):
            index = walk * 2**CHUNK + patterns[:, j]
            taken += _CHUNK_TAKEN[index]
            walk = _CHUNK_END[index]
        times = np.arange(start, start + block)
        counted = np.minimum(taken, max_steps)
        # Float, not bool: numpy's products on bool matrices skip BLAS and are ~20x slower.
        right = (chosen & (times < counted[:, None])).astype(np.float64)
        n_right[live] += right.sum(axis=1)
        t_right[live] += right @ times.astype(np.float64)
        a_right[live] += np.einsum("rt,rt->r", powers[live, start:start + block], right)
        state[live], steps[live] = walk, counted
        live = live[walk != TERMINAL]
        start += block
    return steps, n_right, t_right, a_right


def policy_step(theta: torch.Tensor, weight_right: np.ndarray, weight_left: np.ndarray,
                 alpha: torch.Tensor) -> torch.Tensor:
    """α Σ_t δ_t ∇θ log π(A_t): the autograd gradient of α (W_right log π(right)
    + W_left log π(left)), where W sums δ_t over the steps that took that action."""
    theta = theta.detach().requires_grad_(True)
    log_pi = torch.log_softmax(theta, dim=1)
    surrogate = (alpha * (torch.from_numpy(weight_right) * log_pi[:, 0]
                          + torch.from_numpy(weight_left) * log_pi[:, 1])).sum()
    (grad,) = torch.autograd.grad(surrogate, theta)
    return grad


def power_label(exponent: int) -> str:
    """2^e written for a legend, e.g. 2⁻¹³ as '2^-13'."""
    return f"2^{exponent}"


def figure_learners(plain_exponents: tuple[int, ...], baseline_exponents: tuple[int, int, int]
                    ) -> list[Learner]:
    """Figure 13.1's plain learners (one per α = 2^e), then Figure 13.2's pair: plain REINFORCE
    with α = 2^e₀ and REINFORCE with baseline with α^θ = 2^e₁, α^w = 2^e₂."""
    plain, theta, w = baseline_exponents
    return ([Learner(f"α = {power_label(e)}", 2.0**e) for e in plain_exponents]
            + [Learner(f"REINFORCE, α = {power_label(plain)}", 2.0**plain, figure=2),
               Learner(f"with baseline, α^θ = {power_label(theta)}, α^w = {power_label(w)}",
                       2.0**theta, 2.0**w, figure=2)])


def book_learners(figure: int) -> list[Learner]:
    """The learners of the book's Figure 13.1 (three step sizes) or 13.2 (with/without a
    baseline)."""
    if figure == 1:
        return [Learner(f"α = 2^{e}", 2.0**e) for e in (-12, -13, -14)]
    return [Learner("REINFORCE, α = 2^-13", 2.0**-13, figure=2),
            Learner("with baseline, α^θ = 2^-9, α^w = 2^-6", 2.0**-9, 2.0**-6, figure=2)]
