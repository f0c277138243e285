"""A per-session limit on wrong room codes and teacher links, so guessing codes is slow."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class AttemptLimiter:
    """At most ``attempts`` failures in any ``window_s`` seconds; beyond that every attempt is
    refused, without looking anything up, until the oldest failure leaves the window."""

    attempts: int = 10
    window_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    failures: list[float] = field(default_factory=list)

    def _prune(self, now: float) -> None:
        cutoff = now - self.window_s
        self.failures = [t for t in self.failures if t > cutoff]

    def wait_s(self) -> float:
        """Seconds until the next attempt is allowed (0: now)."""
        now = self.clock()
        self._prune(now)
        if len(self.failures) < self.attempts:
            return 0.0
        return max(0.0, self.failures[0] + self.window_s - now)

    def refusal(self) -> str | None:
        """A message if this session must wait before trying again, else None."""
        wait = self.wait_s()
        if wait <= 0:
            return None
        return (f"Too many wrong codes from this browser. Wait {max(1, round(wait))} s, then "
                "check the code with your teacher.")

    def failed(self) -> None:
        """Count one wrong code or token."""
        self.failures.append(self.clock())
        self.failures = self.failures[-self.attempts:]
