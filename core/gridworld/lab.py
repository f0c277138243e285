"""Everything the trajectories page shows about one gridworld and policy, computed.

The page's option lists; the policy θ it examines; the exact gradient two ways side by side;
summaries of the sampled episodes (interval coverage, lengths, how they end); REINFORCE's
convergence for the largest entry of ∇J; and one trajectory's log p(τ) taken apart as table
rows. The learner's code and the exact computation are shown as their own source text, with a
digest of the learner's code (it does not change when the slip does).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.gridworld import reinforce as gr
from core.gridworld import world as gw

STEP_REWARDS: tuple[float, ...] = (-1.0, -0.5, -0.2, -0.1, -0.05, -0.01, 0.0)
"""Choices of the reward per step."""
GOAL_REWARDS: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0)
"""Choices of the goal reward."""
PIT_REWARDS: tuple[float, ...] = (-10.0, -5.0, -2.0, -1.0, -0.5, 0.0)
"""Choices of the pit reward."""
GAMMAS: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99)
"""Choices of the discount γ."""
POLICIES: dict[str, str] = {"uniform": "uniform: θ = 0, every move equally likely",
                            "random": "random: θ[s, a] ~ N(0, 1), seeded"}
"""The policies θ the page can examine, with their labels."""
UPDATES: tuple[int, ...] = (10, 20, 50, 100, 200, 500)
"""Choices of the number of training updates."""
STEP_SIZES: tuple[float, ...] = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
"""Choices of the step size α of both training runs."""
BATCHES: tuple[int, ...] = (1, 2, 5, 10, 20, 50)
"""Choices of REINFORCE's episodes per update."""
MAX_TABLE_ROWS = 61
"""Terms of log p(τ) the page lists (the first ρ term and 30 steps' π and P terms)."""
CODE_WIDTH = 72
"""Longest line, in characters, of the code the page shows: it fits the page's width at 1280
pixels, in presenter mode too, without wrapping."""


def initial_theta(world: gw.Gridworld, kind: str, seed: int) -> np.ndarray:
    """The policy examined: ``kind`` is one of ``POLICIES`` ("random" is seeded by ``seed``)."""
    return gw.random_theta(world, seed) if kind == "random" else gw.uniform_theta(world)


# ------------------------------------------------------------------ the code shown
def source(*functions: Callable[..., Any]) -> str:
    """The source text of ``functions``, one after another."""
    return "\n\n".join(inspect.getsource(f) for f in functions)


def learner_code() -> str:
    """The learner's REINFORCE code: only ``env.reset`` and ``env.step``, never P; and how one
    seed becomes two independent streams, the environment's and the policy's."""
    return source(gr.seed_streams, gr.play_episode, gr.reinforce_gradients)


def exact_code() -> str:
    """The exact computation, which needs the dynamics P."""
    return source(gw.objective, gw.bellman_gradient)


def digest(code: str) -> str:
    """The first 12 hex digits of the code's SHA-256."""
    return hashlib.sha256(code.encode()).hexdigest()[:12]


# ------------------------------------------------------------------ exact, two ways
@dataclass(frozen=True)
class ExactGradients:
    """J and ∇J from the Bellman equations, checked against the policy gradient theorem and
    finite differences; and the best J possible."""

    j: float
    """J(θ) = v_π(start), from the Bellman equations."""
    gradient: np.ndarray
    """∇J by autograd through the Bellman solve, shape (S, A)."""
    theorem_gap: float
    """Largest |∇J Bellman − ∇J policy gradient theorem| over the entries."""
    finite_difference_gap: float
    """Largest |∇J autograd − central finite differences| over the entries."""
    j_star: float
    """The optimal J*, by value iteration."""


def exact_gradients(world: gw.Gridworld, theta: np.ndarray) -> ExactGradients:
    """The exact gradient two independent ways, a finite-difference check, and J*."""
    j, g_bellman = gw.bellman_gradient(world, theta)
    _, g_theorem = gw.theorem_gradient(world, theta)
    g_fd = gw.finite_difference_gradient(world, theta)
    return ExactGradients(j=j, gradient=g_bellman,
                          theorem_gap=float(np.max(np.abs(g_bellman - g_theorem))),
                          finite_difference_gap=float(np.max(np.abs(g_bellman - g_fd))),
                          j_star=gw.optimal_value(world))


# ------------------------------------------------------------------ the samples
@dataclass(frozen=True)
class SampleSummary:
    """How REINFORCE's intervals and the sampled episodes came out."""

    inside: int
    """Entries of ∇J (states where the agent acts: reachable, not terminal) whose 95 % interval
    contains the exact value."""
    total: int
    """Entries of ∇J of the states where the agent acts."""
    mean_length: float
    """Mean episode length, in steps."""
    goal_share: float
    """Share of the episodes that ended in the goal."""
    pit_share: float
    """Share of the episodes that ended in a pit."""


def summarize(world: gw.Gridworld, est: gr.Estimate, played: list[gr.Episode],
              exact: np.ndarray) -> SampleSummary:
    """Interval coverage against the exact gradient ``exact``, lengths and endings."""
    active = np.repeat(world.acting[:, None], gw.N_ACTIONS, axis=1)
    inside, total = gr.coverage(est, exact, active)
    ends = np.array([world.kinds[ep.states[-1]] for ep in played])
    return SampleSummary(inside=inside, total=total, mean_length=float(est.lengths.mean()),
                         goal_share=float(np.mean(ends == "goal")),
                         pit_share=float(np.mean(ends == "pit")))


@dataclass(frozen=True)
class Convergence:
    """REINFORCE's running estimate as N grows: the largest entry of ∇J, and the whole vector's
    relative error."""

    ns: np.ndarray
    """Sample sizes, roughly log-spaced from 1 to N."""
    mean: np.ndarray
    """Running mean of the chosen entry at each n."""
    standard_error: np.ndarray
    """Its standard error at each n."""
    exact: float
    """The chosen entry's exact value."""
    label: str
    """The chosen entry written out, e.g. "∂J/∂θ[(0,0), →]"."""
    relative_error: np.ndarray | None
    """‖running mean − ∇J‖ / ‖∇J‖ at each n; None when ∇J is exactly zero."""
    predicted_error: np.ndarray | None
    """What the per-episode spread predicts for it, √(Σ variances / n) / ‖∇J‖; None when ∇J
    is exactly zero."""


def convergence(world: gw.Gridworld, est: gr.Estimate, exact: np.ndarray) -> Convergence:
    """The running estimate of the largest entry of ``exact``, and the relative error."""
    ns = gr.log_sizes(est.n)
    run_mean, run_se = est.running(ns)
    flat_exact = exact.reshape(-1)
    flat_mean = run_mean.reshape(len(ns), -1)
    pick = int(np.argmax(np.abs(flat_exact)))
    s_pick, a_pick = divmod(pick, gw.N_ACTIONS)
    label = f"∂J/∂θ[{gw.cell_label(world, s_pick)}, {gw.ARROWS[a_pick]}]"
    norm = float(np.linalg.norm(flat_exact))
    errors = predicted = None
    if norm > 0:
        errors = np.linalg.norm(flat_mean - flat_exact, axis=1) / norm
        spread = float(np.sum(est.per_episode.reshape(est.n, -1).var(axis=0)))
        predicted = np.sqrt(spread / ns) / norm
    return Convergence(ns=ns, mean=flat_mean[:, pick],
                       standard_error=run_se.reshape(len(ns), -1)[:, pick],
                       exact=float(flat_exact[pick]), label=label, relative_error=errors,
                       predicted_error=predicted)


# ------------------------------------------------------------------ log p(τ), term by term
@dataclass(frozen=True)
class LogPBreakdown:
    """One trajectory's log p(τ), term by term, and what the ρ and P terms add to ∇log p(τ)."""

    rows: list[dict[str, Any]]
    """One table row per term: t, factor, term, value, ‖∇θ term‖ and its non-zero entries."""
    log_p: float
    """log p(τ), the sum of the terms."""
    dynamics_gradient: float
    """Σ over the ρ and P terms of the entries' |∇θ term| (exactly 0)."""
    gap: float
    """Largest entry of |∇log p(τ) − Σ_t ∇log π(a_t|s_t)|."""


def gradient_text(world: gw.Gridworld, grad: np.ndarray) -> str:
    """The non-zero entries of a gradient over θ (shape (S, A)), state by state, e.g.
    "θ[(0,0)]: ↑ -0.250, → +0.750"; "0 (every entry)" when there are none."""
    parts = []
    for s in np.flatnonzero(np.any(grad != 0, axis=1)):
        entries = ", ".join(f"{gw.ARROWS[a]} {grad[s, a]:+.3f}" for a in np.flatnonzero(grad[s]))
        parts.append(f"θ[{gw.cell_label(world, int(s))}]: {entries}")
    return "; ".join(parts) or "0 (every entry)"


def log_p_breakdown(world: gw.Gridworld, theta: np.ndarray, episode: gr.Episode
                    ) -> LogPBreakdown:
    """The terms of log p(τ) of ``episode`` with their gradients, as table rows."""
    terms = gw.log_p_terms(world, theta, episode.states, episode.actions)
    rows = [{"t": term.t, "factor": term.kind, "term": term.label, "value": term.value,
             "‖∇θ term‖": float(np.linalg.norm(term.grad)),
             "∇θ term (non-zero entries)": gradient_text(world, term.grad)} for term in terms]
    grad_all = np.sum([t.grad for t in terms], axis=0)
    grad_pi = np.sum([t.grad for t in terms if t.kind == "π"], axis=0)
    grad_p = np.sum([np.abs(t.grad) for t in terms if t.kind in ("P", "ρ")], axis=0)
    return LogPBreakdown(rows=rows, log_p=sum(t.value for t in terms),
                         dynamics_gradient=float(grad_p.sum()),
                         gap=float(np.max(np.abs(grad_all - grad_pi))))
