"""What the server and a training worker say to each other over their pipe: frozen dataclasses,
pickled by multiprocessing. Commands go to the worker; events come back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.reinforce.config import TrainConfig
from core.reinforce.trainer import ChangeRecord, UpdateRecord

# ------------------------------------------------------------------ commands (server → worker)


@dataclass(frozen=True)
class Start:
    """Create a session's runs (one trainer per config) and start training them."""

    session: str
    """The session's id (its browser session's lab holder)."""
    run: int
    """Run number within the session; events of older runs are ignored by the server."""
    configs: tuple[TrainConfig, ...]
    """One config per seed."""
    speed: float | None
    """Environment steps per second for each run (over its parallel environments); None: as
    fast as the worker's round-robin share allows."""
    stop_solved: bool
    """Stop a run once it is solved."""
    running: bool = True
    """False: create the runs paused."""


@dataclass(frozen=True)
class Control:
    """Pause or resume a session's runs."""

    session: str
    """The session's id."""
    running: bool
    """True: train; False: pause."""


@dataclass(frozen=True)
class Pace:
    """New speed or stop-when-solved setting for a session's runs."""

    session: str
    """The session's id."""
    speed: float | None
    """Environment steps per second for each run; None: as fast as possible."""
    stop_solved: bool
    """Stop a run once it is solved."""


@dataclass(frozen=True)
class Change:
    """Mid-run settings: each trainer takes the live fields of its config at its next update."""

    session: str
    """The session's id."""
    configs: tuple[TrainConfig, ...]
    """One config per seed (same order as Start's)."""


@dataclass(frozen=True)
class Drop:
    """Forget a session's runs (reset, closed tab, eviction)."""

    session: str
    """The session's id."""


@dataclass(frozen=True)
class Ask:
    """A question about one run of a session, answered by a Reply with the same request id."""

    request: int
    """Request id chosen by the server."""
    session: str
    """The session's id."""
    kind: Literal["watch", "snapshot"]
    """"watch": one episode under the current policy (states, actions); "snapshot": the run's
    config and a copy of its policy's state_dict."""
    index: int = 0
    """Which seed's run."""
    seed: int = 0
    """Environment seed of the watched episode."""


@dataclass(frozen=True)
class Job:
    """Run ``fn(*args)`` in the worker and reply with its result (e.g. a gallery run)."""

    request: int
    """Request id chosen by the server."""
    fn: Callable[..., Any]
    """A module-level (picklable) function."""
    args: tuple[Any, ...]
    """Its arguments (picklable)."""


Command = Start | Control | Pace | Change | Drop | Ask | Job


# ------------------------------------------------------------------ events (worker → server)


@dataclass(frozen=True)
class RunDelta:
    """What one run (one seed) did since the last Progress of its session."""

    returns: tuple[float, ...]
    """Returns of the episodes finished since the last report."""
    updates: tuple[UpdateRecord, ...]
    """Updates made since the last report."""
    changes: tuple[ChangeRecord, ...]
    """Mid-run changes recorded since the last report."""
    config: TrainConfig
    """The config in force now."""
    env_steps: int
    """Environment steps recorded in the run so far."""
    seconds: float
    """Seconds the worker spent training this run so far."""
    solved_at: int | None
    """Episode at which the run was first solved."""
    stop_reason: str | None
    """Why the run cannot train any more (budget, divergence), if so."""
    diverged: bool
    """The run stopped because training diverged."""
    live_state: np.ndarray
    """The first environment's current state."""


@dataclass(frozen=True)
class Progress:
    """A session's news: sent several times a second while it trains, and on every change."""

    session: str
    """The session's id."""
    run: int
    """Run number of Start."""
    deltas: tuple[RunDelta, ...]
    """One per seed."""
    running: bool
    """Whether the worker is still training it (False once finished or paused)."""
    wall_s: float
    """Seconds the session has been training (running, not paused) in this run."""
    watch: tuple[np.ndarray, np.ndarray] | None = None
    """An episode of the finished policy, sent once when the run finishes."""
    problem: str | None = None
    """Why the runs could not be started (then ``deltas`` is empty)."""


@dataclass(frozen=True)
class Reply:
    """The answer to an Ask or a Job."""

    request: int
    """The request's id."""
    value: Any
    """The answer (None if there was a problem)."""
    problem: str | None = None
    """What went wrong, if anything."""


Event = Progress | Reply
