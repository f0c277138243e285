"""Batched posting of one student's run: the newest progress is kept in memory and written at
most once per write interval, so a class of students writes at most one row per student per
second however fast their runs train."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.rooms.store import Membership, RoomStore
from core.rooms.summary import RunSummary


@dataclass
class RunPoster:
    """Posts one run of one student to a room, batched."""

    store: RoomStore
    member: Membership
    settings: dict[str, Any]
    """The run's settings, as the room's rules allow."""
    interval_s: float = 1.0
    """Least seconds between two writes (the final write of a finished run excepted)."""
    clock: Callable[[], float] = time.monotonic
    run_id: int | None = None
    """The run's id in the room once its first write happened."""
    writes: int = 0
    """Writes made so far (for tests and the status line)."""
    last_write: float = field(default=-float("inf"))
    posted: RunSummary | None = None
    """The last summary written."""
    pending: RunSummary | None = None
    """The newest summary not written yet."""

    def offer(self, summary: RunSummary) -> bool:
        """Take the run's newest progress; write it if the interval has passed (or the run just
        finished). Returns True if it wrote. Raises ``RoomError`` if the room refuses."""
        if summary == self.posted:
            return False
        self.pending = summary
        now = self.clock()
        if now - self.last_write < self.interval_s and not summary.finished:
            return False
        return self.flush(now)

    def flush(self, now: float | None = None) -> bool:
        """Write the pending progress now, if any."""
        summary = self.pending
        if summary is None:
            return False
        if self.run_id is None:
            self.run_id = self.store.start_run(self.member, self.settings, summary)
        else:
            self.store.update_run(self.member, self.run_id, summary)
        self.posted, self.pending = summary, None
        self.last_write = self.clock() if now is None else now
        self.writes += 1
        return True
