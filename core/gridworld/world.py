"""A small slippery gridworld, known exactly: its dynamics P, J(θ) and ∇J(θ) two independent ways.

The world is a grid of at most 5×5 cells drawn as text, one character a cell:
``S`` start, ``G`` goal, ``P`` pit, ``#`` wall, ``.`` floor. Each step the agent picks up,
right, down or left. With probability 1 − slip the intended move happens, otherwise one of the
three other moves, each with probability slip/3. A move into a wall or off the grid leaves the
agent where it is. Every step earns ``step_reward``; entering the goal adds ``goal_reward`` and
entering a pit adds ``pit_reward``; both end the episode. Returns are discounted by γ.

Cells the agent cannot reach from S never matter: P has no moves out of them (as out of the
goal and the pits), so J, v, d and ∇J are computed over the states an episode visits, also at
γ = 1. ``validate`` returns a message for a config that describes no such world (and
``Gridworld`` raises ``GridError`` with it).

The policy is a tabular softmax, π_θ(a|s) = exp θ[s, a] / Σ_b exp θ[s, b].

Two exact gradients, computed independently:

- ``bellman_gradient``: J(θ) = v_π(start) by solving (I − γ P_π) v = r_π in torch, and ∇J by
  autograd through that solve;
- ``theorem_gradient``: the policy gradient theorem in numpy,
  ∇J = Σ_s d^π(s) Σ_a ∇π(a|s) Q^π(s, a), with the discounted visitation
  d^π = ρ (I − γ P_π)^(−1) and the softmax Jacobian written out.

Both need P. The learner's code in ``core.gridworld.reinforce`` never reads it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.torch_env import torch

ACTIONS: tuple[str, ...] = ("up", "right", "down", "left")
"""The four actions, in the order of θ's columns."""
ARROWS: tuple[str, ...] = ("↑", "→", "↓", "←")
"""One arrow per action, same order."""
MOVES: tuple[tuple[int, int], ...] = ((-1, 0), (0, 1), (1, 0), (0, -1))
"""(row, column) change of each action."""
N_ACTIONS = len(ACTIONS)
MAX_SIDE = 5
"""Largest number of rows or columns."""
CELL_KINDS = {"S": "start", "G": "goal", "P": "pit", "#": "wall", ".": "floor"}
"""Layout characters and what they stand for."""
MAX_SLIP = 0.95
"""Largest slip accepted: at slip 1 the chosen move never happens."""
TRUNCATION_TOLERANCE = 1e-6
"""Episodes are cut once γ^t falls below this, so truncation changes J by a negligible amount."""
MAX_EPISODE_STEPS = 2000
"""Hard cap on an episode's length (it applies at γ = 1 or very close to it)."""

LAYOUTS: dict[str, str] = {
    "4×4, one pit": "S...\n.P..\n....\n...G",
    "1×3 corridor": "S.G",
    "4×4, pit beside the shortcut": "S...\n.#P.\n....\n...G",
    "5×5, pits and walls": "S....\n.#P#.\n.....\nP.#..\n...PG",
    "3×3, no pits": "S..\n...\n..G",
}
"""Ready-made layouts; the first is the page's default."""
DEFAULT_LAYOUT = LAYOUTS["4×4, one pit"]


@dataclass(frozen=True)
class GridConfig:
    """One gridworld and its rewards."""

    layout: str = DEFAULT_LAYOUT
    """The grid as text: one line a row, one character a cell (S, G, P, #, .)."""
    slip: float = 0.2
    """Probability that the intended move is replaced by one of the three others, in
    [0, MAX_SLIP]."""
    step_reward: float = -0.1
    """Reward of every step."""
    goal_reward: float = 1.0
    """Extra reward on entering the goal (the episode ends)."""
    pit_reward: float = -1.0
    """Extra reward on entering a pit (the episode ends)."""
    gamma: float = 0.95
    """Discount factor γ of the return, in (0, 1]."""


def parse_layout(text: str) -> list[str] | str:
    """The rows of a layout, or a message saying what is wrong with it.

    Rows are separated by new lines or ``/``; spaces are ignored.
    """
    if not isinstance(text, str):
        return "The grid must be text."
    rows = [row.replace(" ", "").replace("\t", "")
            for row in text.replace("/", "\n").splitlines()]
    rows = [row for row in rows if row]
    if not rows:
        return "The grid is empty: draw it with S (start), G (goal), P (pit), # (wall), . (floor)."
    if len(rows) > MAX_SIDE or any(len(row) > MAX_SIDE for row in rows):
        return f"The grid may have at most {MAX_SIDE} rows and {MAX_SIDE} columns."
    if len({len(row) for row in rows}) != 1:
        return "Every row of the grid needs the same number of cells."
    bad = sorted({ch for row in rows for ch in row if ch not in CELL_KINDS})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:5])
        return (f"The grid has characters it does not know ({shown}). Use S (start), G (goal), "
                "P (pit), # (wall) and . (floor).")
    text_all = "".join(rows)
    if text_all.count("S") != 1 or text_all.count("G") != 1:
        return "The grid needs exactly one start S and exactly one goal G."
    return rows


class GridError(ValueError):
    """A ``GridConfig`` that describes no gridworld this module can solve; the message says
    why, in words for the page."""


def _number_problem(config: GridConfig) -> str | None:
    """None if the slip, γ and rewards are numbers the solves accept, else a message."""
    for name, value in (("slip", config.slip), ("γ", config.gamma),
                        ("reward per step", config.step_reward),
                        ("goal reward", config.goal_reward), ("pit reward", config.pit_reward)):
        if not isinstance(value, int | float) or not math.isfinite(value):
            return f"The {name} must be a finite number."
    if not 0.0 <= config.slip <= MAX_SLIP:
        return (f"The slip must lie between 0 and {MAX_SLIP:g}. At slip 1 the move the policy "
                "chooses never happens, so the policy hardly steers the agent at all.")
    if not 0.0 < config.gamma <= 1.0:
        return "γ must be above 0 and at most 1."
    if max(abs(config.step_reward), abs(config.goal_reward), abs(config.pit_reward)) > 1e6:
        return "Keep the rewards between −1,000,000 and 1,000,000."
    if config.gamma >= 1.0 and config.step_reward > 0:
        return ("With γ = 1 and a positive reward per step, wandering forever earns an unbounded "
                "return. Lower γ or make the reward per step at most 0.")
    return None


class Gridworld:
    """The MDP of one ``GridConfig``: states, the dynamics P and the expected rewards R.

    Raises ``GridError`` (a ``ValueError``) for a config ``validate`` rejects: a layout it
    cannot read, a slip outside [0, MAX_SLIP], γ outside (0, 1], rewards that are not finite,
    or no path from S to G.
    """

    def __init__(self, config: GridConfig) -> None:
        rows = parse_layout(config.layout)
        if isinstance(rows, str):
            raise GridError(rows)
        problem = _number_problem(config)
        if problem:
            raise GridError(problem)
        self.config = config
        self.rows: list[str] = rows
        self.n_rows = len(rows)
        self.n_cols = len(rows[0])
        self.cells: list[tuple[int, int]] = [(r, c) for r in range(self.n_rows)
                                             for c in range(self.n_cols) if rows[r][c] != "#"]
        """(row, column) of each state; walls are not states."""
        self.index: dict[tuple[int, int], int] = {cell: i for i, cell in enumerate(self.cells)}
        self.kinds: list[str] = [CELL_KINDS[rows[r][c]] for r, c in self.cells]
        self.start: int = self.kinds.index("start")
        self.goal: int = self.kinds.index("goal")
        self.terminal = np.array([k in ("goal", "pit") for k in self.kinds])
        """Which states end the episode."""
        reached = self.reachable(self.start)
        if self.goal not in reached:
            raise GridError("There is no path from the start S to the goal G: walls (#) or "
                            "pits (P) block every route. Open a way through.")
        self.acting = np.array([s in reached for s in range(self.n_states)]) & ~self.terminal
        """Where the agent chooses a move in some episode: the states reachable from S that
        do not end it. Moves are reversible, so from each of them G can be reached again, and
        under a softmax policy every episode ends with probability 1, even at γ = 1."""

    @property
    def n_states(self) -> int:
        return len(self.cells)

    @property
    def gamma(self) -> float:
        return float(self.config.gamma)

    def target(self, state: int, action: int) -> int:
        """Where ``action`` leads from ``state`` when it happens as intended."""
        r, c = self.cells[state]
        dr, dc = MOVES[action]
        return self.index.get((r + dr, c + dc), state)

    def entering_reward(self, state: int) -> float:
        """The reward of a step that ends in ``state``."""
        extra = {"goal": self.config.goal_reward, "pit": self.config.pit_reward}
        return float(self.config.step_reward + extra.get(self.kinds[state], 0.0))

    @cached_property
    def P(self) -> np.ndarray:
        """P[s, a, s'] = probability of moving to s' after a in s.

        Rows are 0 where no episode makes a move: terminal states, and cells the agent cannot
        reach from S. So the solves cover exactly the states an episode visits, and a closed-off
        room with no exit cannot make I − γP_π singular at γ = 1; v, d and ∇J are 0 there.
        """
        slip = float(self.config.slip)
        p = np.zeros((self.n_states, N_ACTIONS, self.n_states))
        for s in range(self.n_states):
            if not self.acting[s]:
                continue
            for a in range(N_ACTIONS):
                for b in range(N_ACTIONS):
                    weight = 1.0 - slip if b == a else slip / (N_ACTIONS - 1)
                    p[s, a, self.target(s, b)] += weight
        return p

    @cached_property
    def R(self) -> np.ndarray:
        """R[s, a] = expected reward of taking a in s, Σ_s' P[s, a, s'] r(s')."""
        entering = np.array([self.entering_reward(s) for s in range(self.n_states)])
        return self.P @ entering

    @cached_property
    def rho(self) -> np.ndarray:
        """The start distribution ρ(s₀): all mass on the start cell."""
        rho = np.zeros(self.n_states)
        rho[self.start] = 1.0
        return rho

    def max_episode_steps(self) -> int:
        """Where sampled episodes are cut: once γ^t < TRUNCATION_TOLERANCE (at most
        MAX_EPISODE_STEPS)."""
        if self.gamma >= 1.0:
            return MAX_EPISODE_STEPS
        steps = math.ceil(math.log(TRUNCATION_TOLERANCE) / math.log(self.gamma))
        return int(min(MAX_EPISODE_STEPS, max(steps, 1)))

    def reachable(self, source: int) -> set[int]:
        """States reachable from ``source`` by any moves (never leaving a terminal state)."""
        seen = {source}
        queue = deque([source])
        while queue:
            s = queue.popleft()
            if self.terminal[s]:
                continue
            for a in range(N_ACTIONS):
                nxt = self.target(s, a)
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen


def validate(config: GridConfig) -> str | None:
    """None if the gridworld can be solved and sampled, else a clear message (the one
    ``Gridworld(config)`` raises)."""
    try:
        Gridworld(config)
    except GridError as problem:
        return str(problem)
    return None


# ------------------------------------------------------------------ the policy
def softmax(theta: np.ndarray) -> np.ndarray:
    """π[s, a] = exp θ[s, a] / Σ_b exp θ[s, b], row by row (numerically stable)."""
    z = theta - theta.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def uniform_theta(world: Gridworld) -> np.ndarray:
    """θ = 0: every action equally likely in every state."""
    return np.zeros((world.n_states, N_ACTIONS))


def random_theta(world: Gridworld, seed: int, scale: float = 1.0) -> np.ndarray:
    """θ with independent N(0, scale²) entries, seeded."""
    rng = np.random.default_rng([int(seed), 15])
    return scale * rng.standard_normal((world.n_states, N_ACTIONS))


# ------------------------------------------------------------------ exact, way 1: Bellman, autograd
def objective(world: Gridworld, theta: torch.Tensor) -> torch.Tensor:
    """J(θ) = v_π(start), from the Bellman equations v = r_π + γ P_π v,
    solved exactly in torch (so it is differentiable in θ)."""
    p = torch.from_numpy(world.P)
    r = torch.from_numpy(world.R)
    pi = torch.softmax(theta, dim=-1)
    p_pi = torch.einsum("sa,sat->st", pi, p)
    r_pi = (pi * r).sum(dim=-1)
    eye = torch.eye(world.n_states, dtype=torch.float64)
    v = torch.linalg.solve(eye - world.gamma * p_pi, r_pi)
    return v[world.start]


def bellman_gradient(world: Gridworld, theta: np.ndarray
                     ) -> tuple[float, np.ndarray]:
    """J(θ) and ∇J(θ): the Bellman solve with P, and autograd back
    through it."""
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    j = objective(world, t)
    (grad,) = torch.autograd.grad(j, t)
    return float(j.detach()), grad.numpy()


# ------------------------------------------------------------ exact, way 2: the theorem
@dataclass(frozen=True)
class PolicyValues:
    """Everything the policy gradient theorem needs, computed exactly from P."""

    pi: np.ndarray
    """π(a|s), shape (S, A)."""
    v: np.ndarray
    """v_π(s), shape (S,)."""
    q: np.ndarray
    """Q_π(s, a) = R[s, a] + γ Σ_s' P[s, a, s'] v(s'), shape (S, A)."""
    d: np.ndarray
    """Discounted visitation d^π(s) = Σ_t γ^t Pr(s_t = s), shape (S,) (not normalised)."""

    v_start: float = 0.0
    """v_π(start)."""


def policy_values(world: Gridworld, theta: np.ndarray) -> PolicyValues:
    """v, Q and d^π of the softmax policy θ, by numpy linear solves."""
    pi = softmax(np.asarray(theta, dtype=np.float64))
    p_pi = np.einsum("sa,sat->st", pi, world.P)
    r_pi = (pi * world.R).sum(-1)
    a = np.eye(world.n_states) - world.gamma * p_pi
    v = np.linalg.solve(a, r_pi)
    q = world.R + world.gamma * world.P @ v
    d = np.linalg.solve(a.T, world.rho)
    return PolicyValues(pi=pi, v=v, q=q, d=d, v_start=float(v[world.start]))


def softmax_jacobian(pi: np.ndarray) -> np.ndarray:
    """∂π(a|s)/∂θ[s, b] = π(a|s) (1[a = b] − π(b|s)), shape (S, A, B)."""
    eye = np.eye(pi.shape[-1])
    return pi[:, :, None] * (eye[None] - pi[:, None, :])


def theorem_gradient(world: Gridworld, theta: np.ndarray) -> tuple[float, np.ndarray]:
    """J(θ) and ∇J(θ) = Σ_s d^π(s) Σ_a ∇π(a|s) Q^π(s, a) (the policy gradient theorem)."""
    values = policy_values(world, theta)
    jac = softmax_jacobian(values.pi)
    grad = values.d[:, None] * np.einsum("sab,sa->sb", jac, values.q)
    return values.v_start, grad


def value(world: Gridworld, theta: np.ndarray) -> float:
    """J(θ) alone (numpy)."""
    return policy_values(world, theta).v_start


def finite_difference_gradient(world: Gridworld, theta: np.ndarray, h: float = 1e-5
                               ) -> np.ndarray:
    """∇J by central differences, one entry of θ at a time (a check, not a method)."""
    theta = np.asarray(theta, dtype=np.float64)
    grad = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        up, down = theta.copy(), theta.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (value(world, up) - value(world, down)) / (2 * h)
    return grad


def optimal_value(world: Gridworld, tol: float = 1e-12, max_iter: int = 100_000) -> float:
    """J* = max over policies of v(start), by value iteration (the softmax can approach it,
    never reach it, with finite θ). Returns nan if it does not converge."""
    v = np.zeros(world.n_states)
    for _ in range(max_iter):
        new = (world.R + world.gamma * world.P @ v).max(axis=1)
        new[world.terminal] = 0.0
        if np.max(np.abs(new - v)) < tol:
            return float(new[world.start])
        v = new
    return math.nan


def expected_length(world: Gridworld, theta: np.ndarray) -> float:
    """Expected number of steps of an episode (undiscounted), inf if it may never end."""
    pi = softmax(np.asarray(theta, dtype=np.float64))
    p_pi = np.einsum("sa,sat->st", pi, world.P)
    a = np.eye(world.n_states) - p_pi
    try:
        visits = np.linalg.solve(a.T, world.rho)
    except np.linalg.LinAlgError:
        return math.inf
    total = float(visits[~world.terminal].sum())
    if not math.isfinite(total) or total < 0 or np.any(visits < -1e-9):
        return math.inf
    return total


# ------------------------------------------------------------------ log p(τ), term by term
@dataclass(frozen=True)
class LogTerm:
    """One term of log p(τ) = log ρ(s₀) + Σ_t [log π(a_t|s_t) + log P(s_{t+1}|s_t, a_t)]."""

    kind: str
    """"ρ", "π" or "P"."""
    t: int
    """Time step the term belongs to (0 for ρ)."""
    label: str
    """The term written out, e.g. "log π(→ | (0,1))"."""
    value: float
    """The term's value."""
    grad: np.ndarray
    """Its gradient with respect to θ, shape (S, A), by autograd (exactly 0 if θ is unused)."""


def cell_label(world: Gridworld, state: int) -> str:
    """A state as its (row, column) cell."""
    r, c = world.cells[state]
    return f"({r},{c})"


def log_p_terms(world: Gridworld, theta: np.ndarray, states: list[int], actions: list[int]
                ) -> list[LogTerm]:
    """The terms of log p(τ) for the trajectory s₀, a₀, s₁, …, s_T and each term's ∇θ.

    Every term is a torch expression built from θ (a leaf that requires grad), ρ and P. A term's
    gradient comes from ``torch.autograd.grad``; the ρ and P terms come out of operations on
    which θ never entered, so autograd records no graph for them (``requires_grad`` is False)
    and their gradient is exactly 0.
    """
    if len(states) != len(actions) + 1:
        raise ValueError("a trajectory has one more state than actions")
    t_theta = torch.tensor(np.asarray(theta, dtype=np.float64), requires_grad=True)
    log_pi = torch.log_softmax(t_theta, dim=-1)
    p = torch.from_numpy(world.P)
    rho = torch.from_numpy(world.rho)

    def term(kind: str, t: int, label: str, expr: torch.Tensor) -> LogTerm:
        if expr.requires_grad:
            (grad,) = torch.autograd.grad(expr, t_theta, retain_graph=True, allow_unused=True,
                                          materialize_grads=True)
        else:  # autograd recorded no path from θ to this term
            grad = torch.zeros_like(t_theta)
        return LogTerm(kind, t, label, float(expr.detach()), grad.numpy().copy())

    terms = [term("ρ", 0, f"log ρ(s₀ = {cell_label(world, states[0])})",
                  torch.log(rho[states[0]]))]
    for t, a in enumerate(actions):
        s, nxt = states[t], states[t + 1]
        terms.append(term("π", t, f"log π({ARROWS[a]} | {cell_label(world, s)})",
                          log_pi[s, a]))
        terms.append(term("P", t, f"log P({cell_label(world, nxt)} | {cell_label(world, s)}, "
                                  f"{ARROWS[a]})", torch.log(p[s, a, nxt])))
    return terms


def log_p(world: Gridworld, theta: np.ndarray, states: list[int], actions: list[int]) -> float:
    """log p(τ) of one trajectory under θ (−inf if it is impossible)."""
    pi = softmax(np.asarray(theta, dtype=np.float64))
    total = math.log(world.rho[states[0]]) if world.rho[states[0]] > 0 else -math.inf
    for t, a in enumerate(actions):
        prob = pi[states[t], a] * world.P[states[t], a, states[t + 1]]
        total += math.log(prob) if prob > 0 else -math.inf
    return total
