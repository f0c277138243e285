"""Resource limits for a shared server, all in one place, each overridable by an environment
variable so a host can size them to its machine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


def _cores() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Limits:
    """Caps that bound the CPU and memory one session (and the whole server) can use."""

    max_training_sessions: int = 100
    """Sessions that may train at the same time on this server (env PGS_MAX_TRAINING_SESSIONS).
    They share the training workers round-robin, each getting about workers/n of a core; a
    session beyond the cap waits in a queue and sees its position."""
    training_workers: int = field(default_factory=_cores)
    """Worker processes that train the sessions' runs: one per core by default
    (env PGS_TRAINING_WORKERS)."""
    max_runs_per_worker: int = 200
    """Runs (one per seed) one worker process may hold, training or paused; a run with more than
    16 parallel environments (or episodes per update) counts once per 16. Bounds a worker's
    memory next to the episode cap (env PGS_MAX_RUNS_PER_WORKER)."""
    worker_nice: int = 10
    """Niceness of the training workers (0 to 19; env PGS_WORKER_NICE): the pages' server
    processes are served first and training takes every cycle they leave. With training at the
    same priority, a class of 30 training at full speed starved the pages: chart redraws and
    clicks queued behind the workers on a 2-core machine."""
    idle_evict_s: int = 600
    """Seconds a paused or finished run may sit in a worker before it is put away, its session
    told so (env PGS_IDLE_EVICT_S)."""
    tab_closed_s: int = 20
    """Seconds without a redraw after which a training (or queued) session counts as closed and
    its runs are dropped; an open tab redraws at least every 3 s, however crowded the server
    (env PGS_TAB_CLOSED_S)."""
    max_episodes_per_session: int = 20_000
    """Episodes one session may train in total before it must reset
    (env PGS_MAX_EPISODES_PER_SESSION)."""
    max_samples_per_request: int = 20_000_000
    """Monte Carlo samples one page rerun may draw, over all its runs: the expectation page's
    largest view is 1,000,000 samples × 20 runs (env PGS_MAX_SAMPLES_PER_REQUEST)."""
    max_rooms: int = 200
    """Class-experiment rooms open at once on this server, over all its processes
    (env PGS_MAX_ROOMS)."""
    max_room_students: int = 100
    """Students who may join one room (env PGS_MAX_ROOM_STUDENTS)."""
    max_runs_per_student: int = 20
    """Runs one student may post to a room in one round (env PGS_MAX_RUNS_PER_STUDENT)."""
    max_curve_points: int = 200
    """Points of a run's thinned learning curve stored in a room (env PGS_MAX_CURVE_POINTS)."""
    room_expiry_s: int = 24 * 3600
    """Seconds after its last activity at which a room and all its runs are deleted
    (env PGS_ROOM_EXPIRY_S)."""
    room_write_interval_s: int = 1
    """Least seconds between two writes of one student's run to the room database; progress in
    between is batched into the next write (env PGS_ROOM_WRITE_INTERVAL_S)."""
    room_join_attempts: int = 10
    """Wrong room codes or teacher tokens one session may try per minute before it must wait
    (env PGS_ROOM_JOIN_ATTEMPTS)."""


MAX_NICE = 19
"""The largest niceness Linux accepts."""

_ENV_NAMES = {
    "max_training_sessions": "PGS_MAX_TRAINING_SESSIONS",
    "training_workers": "PGS_TRAINING_WORKERS",
    "max_runs_per_worker": "PGS_MAX_RUNS_PER_WORKER",
    "worker_nice": "PGS_WORKER_NICE",
    "idle_evict_s": "PGS_IDLE_EVICT_S",
    "tab_closed_s": "PGS_TAB_CLOSED_S",
    "max_episodes_per_session": "PGS_MAX_EPISODES_PER_SESSION",
    "max_samples_per_request": "PGS_MAX_SAMPLES_PER_REQUEST",
    "max_rooms": "PGS_MAX_ROOMS",
    "max_room_students": "PGS_MAX_ROOM_STUDENTS",
    "max_runs_per_student": "PGS_MAX_RUNS_PER_STUDENT",
    "max_curve_points": "PGS_MAX_CURVE_POINTS",
    "room_expiry_s": "PGS_ROOM_EXPIRY_S",
    "room_write_interval_s": "PGS_ROOM_WRITE_INTERVAL_S",
    "room_join_attempts": "PGS_ROOM_JOIN_ATTEMPTS",
}


def load_limits(environ: Mapping[str, str] | None = None) -> Limits:
    """Limits from the environment; a missing, malformed or non-positive value keeps the
    default (the workers' niceness may also be 0, and at most MAX_NICE)."""
    environ = os.environ if environ is None else environ
    defaults = Limits()
    values: dict[str, int] = {}
    for name, env_name in _ENV_NAMES.items():
        if name == "worker_nice":
            continue  # its own rule below: 0 is allowed
        default = getattr(defaults, name)
        try:
            value = int(environ.get(env_name, default))
        except ValueError:
            value = default
        values[name] = value if value > 0 else default
    nice = environ.get(_ENV_NAMES["worker_nice"], "").strip()
    values["worker_nice"] = (int(nice) if nice.isdigit() and int(nice) <= MAX_NICE
                             else defaults.worker_nice)
    return Limits(**values)


LIMITS = load_limits()
"""The limits in force for this process."""


def sample_budget_problem(samples: int, limits: Limits | None = None) -> str | None:
    """A message if one rerun asks for more Monte Carlo samples than this server allows."""
    cap = (limits or LIMITS).max_samples_per_request
    if samples > cap:
        return (f"That asks for {samples:,} samples in one go; this server allows {cap:,}. "
                "Lower N or the number of runs.")
    return None
