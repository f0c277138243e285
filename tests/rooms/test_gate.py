"""Wrong codes and teacher links from one session are rate-limited before the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.rooms.gate import join_room, open_as_teacher
from core.rooms.ratelimit import AttemptLimiter
from core.rooms.store import RoomError, RoomStore


class CountingStore(RoomStore):
    lookups = 0

    def join(self, code: object, nickname: object = ""):  # type: ignore[no-untyped-def]
        self.lookups += 1
        return super().join(code, nickname)

    def teacher_room(self, code: object, token: object):  # type: ignore[no-untyped-def]
        self.lookups += 1
        return super().teacher_room(code, token)


def store_at(tmp_path: Path) -> CountingStore:
    base = RoomStore.open(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    return CountingStore(base.engine, base.limits, base.clock)


def test_ten_thousand_wrong_codes_reach_the_database_a_handful_of_times(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    room, _ = store.create_room()
    now = [0.0]
    limiter = AttemptLimiter(attempts=10, window_s=60, clock=lambda: now[0])
    messages = set()
    wrong = next(c for c in ("ZZZZZZ", "YYYYYY") if c != room.code)
    for k in range(10_000):
        now[0] = k * 0.01  # 100 attempts a second for 100 s
        with pytest.raises(RoomError) as refused:
            join_room(store, limiter, wrong if k % 2 else f"bad{k}", "x")
        messages.add(str(refused.value).split(" Wait")[0])
    # 10 tries in the first minute, 10 more once the window has moved on: 20 in 100 s
    assert store.lookups <= 20
    assert any("Too many wrong codes" in m for m in messages)
    assert store.student_count(room.code) == 0
    # the right code still works once the wait is over, and does not count as a failure
    now[0] += 61
    member = join_room(store, limiter, room.code, "late")
    assert member.code == room.code


def test_wrong_teacher_tokens_are_rate_limited(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    room, token = store.create_room()
    limiter = AttemptLimiter(attempts=5, window_s=60, clock=lambda: 0.0)
    for _ in range(1000):
        with pytest.raises(RoomError):
            open_as_teacher(store, limiter, room.code, "x" * 43)
    assert store.lookups == 5
    with pytest.raises(RoomError, match="Too many"):
        open_as_teacher(store, limiter, room.code, token)  # even the right one must wait
