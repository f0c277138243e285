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
    idle_evict_s: int = 600
    """Seconds a paused or finished run may sit in a worker before it is put away, its session
    told so (env PGS_IDLE_EVICT_S)."""
    tab_closed_s: int = 20
    """Seconds without a redraw after which a training (or queued) session counts as closed and
    its runs are dropped; an open tab redraws at least once a second (env PGS_TAB_CLOSED_S)."""
    max_episodes_per_session: int = 20_000
    """Episodes one session may train in total before it must reset
    (env PGS_MAX_EPISODES_PER_SESSION)."""
    max_samples_per_request: int = 20_000_000
    """Monte Carlo samples one page rerun may draw, over all its runs: the expectation page's
    largest view is 1,000,000 samples × 20 runs (env PGS_MAX_SAMPLES_PER_REQUEST)."""


_ENV_NAMES = {
    "max_training_sessions": "PGS_MAX_TRAINING_SESSIONS",
    "training_workers": "PGS_TRAINING_WORKERS",
    "max_runs_per_worker": "PGS_MAX_RUNS_PER_WORKER",
    "idle_evict_s": "PGS_IDLE_EVICT_S",
    "tab_closed_s": "PGS_TAB_CLOSED_S",
    "max_episodes_per_session": "PGS_MAX_EPISODES_PER_SESSION",
    "max_samples_per_request": "PGS_MAX_SAMPLES_PER_REQUEST",
}


def load_limits(environ: Mapping[str, str] | None = None) -> Limits:
    """Limits from the environment; a missing, malformed or non-positive value keeps the
    default."""
    environ = os.environ if environ is None else environ
    defaults = Limits()
    values: dict[str, int] = {}
    for name, env_name in _ENV_NAMES.items():
        default = getattr(defaults, name)
        try:
            value = int(environ.get(env_name, default))
        except ValueError:
            value = default
        values[name] = value if value > 0 else default
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
