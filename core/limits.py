"""Resource limits for a shared server, all in one place, each overridable by an environment
variable so a host can size them to its machine."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Caps that bound the CPU and memory one session (and the whole process) can use."""

    max_training_sessions: int = 2
    """Sessions that may train at the same time in this process (env PGS_MAX_TRAINING_SESSIONS).
    Once two or more train, the process trains on about half a core in all whatever the cap
    (ui/cartpole_session.tick_interval), so a higher cap gives each session less; on 2 cores
    reruns of other pages had p95 0.78 s at cap 2 and 1.07 s at cap 4 (benchmarks/load.py)."""
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


_ENV_NAMES = {
    "max_training_sessions": "PGS_MAX_TRAINING_SESSIONS",
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
    default."""
    environ = os.environ if environ is None else environ
    defaults = Limits()
    values = {}
    for field, name in _ENV_NAMES.items():
        default = getattr(defaults, field)
        try:
            value = int(environ.get(name, default))
        except ValueError:
            value = default
        values[field] = value if value > 0 else default
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


class TrainingSlots:
    """A process-wide count of sessions training at once. Thread-safe; idempotent per holder.

    With a ``timeout_s``, a holder that has not called ``acquire`` (or ``refresh``) for that
    long is dropped, so a session whose browser tab vanished cannot keep its slot forever.
    """

    def __init__(self, capacity: int, timeout_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = capacity
        self._timeout_s = timeout_s
        self._clock = clock
        self._holders: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """How many holders may train at once."""
        return self._capacity

    def _drop_stale(self) -> None:
        if self._timeout_s is None:
            return
        cutoff = self._clock() - self._timeout_s
        for holder in [h for h, seen in self._holders.items() if seen < cutoff]:
            del self._holders[holder]

    def acquire(self, holder: str) -> bool:
        """Take a slot for ``holder``; True if it holds one now (also if it already did).
        Holding a slot and calling this again refreshes it."""
        with self._lock:
            self._drop_stale()
            if holder not in self._holders and len(self._holders) >= self._capacity:
                return False
            self._holders[holder] = self._clock()
            return True

    def refresh(self, holder: str) -> bool:
        """Mark ``holder`` as still training; False if it holds no slot (e.g. it timed out)."""
        with self._lock:
            self._drop_stale()
            if holder not in self._holders:
                return False
            self._holders[holder] = self._clock()
            return True

    def release(self, holder: str) -> None:
        """Give back ``holder``'s slot, if it has one."""
        with self._lock:
            self._holders.pop(holder, None)

    def in_use(self) -> int:
        """Slots currently held."""
        with self._lock:
            self._drop_stale()
            return len(self._holders)


SLOT_TIMEOUT_S = 30.0
"""Seconds without a refresh after which a training session loses its slot."""

TRAINING_SLOTS = TrainingSlots(LIMITS.max_training_sessions, timeout_s=SLOT_TIMEOUT_S)
"""The one slot counter of this process."""
