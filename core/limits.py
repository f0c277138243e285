"""Resource limits for a shared server, all in one place, each overridable by an environment
variable so a host can size them to its machine."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Caps that bound the CPU and memory one session (and the whole process) can use."""

    max_training_sessions: int = 4
    """Sessions that may train at the same time in this process (env PGS_MAX_TRAINING_SESSIONS)."""
    max_episodes_per_session: int = 20_000
    """Episodes one session may train in total before it must reset
    (env PGS_MAX_EPISODES_PER_SESSION)."""
    max_samples_per_request: int = 1_000_000
    """Monte Carlo samples one page rerun may draw, over all its runs
    (env PGS_MAX_SAMPLES_PER_REQUEST)."""


_ENV_NAMES = {
    "max_training_sessions": "PGS_MAX_TRAINING_SESSIONS",
    "max_episodes_per_session": "PGS_MAX_EPISODES_PER_SESSION",
    "max_samples_per_request": "PGS_MAX_SAMPLES_PER_REQUEST",
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


class TrainingSlots:
    """A process-wide count of sessions training at once. Thread-safe; idempotent per holder."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._holders: set[str] = set()
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """How many holders may train at once."""
        return self._capacity

    def acquire(self, holder: str) -> bool:
        """Take a slot for ``holder``; True if it holds one now (also if it already did)."""
        with self._lock:
            if holder in self._holders:
                return True
            if len(self._holders) >= self._capacity:
                return False
            self._holders.add(holder)
            return True

    def release(self, holder: str) -> None:
        """Give back ``holder``'s slot, if it has one."""
        with self._lock:
            self._holders.discard(holder)

    def in_use(self) -> int:
        """Slots currently held."""
        with self._lock:
            return len(self._holders)


TRAINING_SLOTS = TrainingSlots(LIMITS.max_training_sessions)
"""The one slot counter of this process."""
