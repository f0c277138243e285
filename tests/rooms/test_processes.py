"""Several app processes on one database, and an app process killed in the middle of writing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.rooms.store import RoomStore
from tests.rooms.writer import EPISODE_S

pytestmark = pytest.mark.slow  # app processes that train and write for seconds

ROOT = Path(__file__).resolve().parents[2]


def writer(url: str, code: str, nickname: str, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.rooms.writer", url, code, nickname,
                             str(seconds)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})


def test_processes_sharing_one_database_see_the_same_room(db_url: str) -> None:
    teacher = RoomStore.open(db_url)
    room, _ = teacher.create_room()
    students = [writer(db_url, room.code, f"p{k}", 2.5) for k in range(2)]
    for proc in students:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.rstrip().endswith("done")
    records = teacher.runs(room.code)
    assert sorted(r.nickname for r in records) == ["p0", "p1"]
    assert all(r.finished and r.episodes == 250 for r in records)
    assert teacher.student_count(room.code) == 2


def test_killing_a_writer_loses_at_most_the_last_second(db_url: str) -> None:
    teacher = RoomStore.open(db_url)
    room, _ = teacher.create_room()
    procs = [writer(db_url, room.code, f"k{k}", 600) for k in range(3)]
    lines: list[list[str]] = [[] for _ in procs]
    started = [0.0] * len(procs)
    for k, proc in enumerate(procs):
        assert proc.stdout is not None
        word, wall_start = proc.stdout.readline().split()
        assert word == "joined"
        started[k] = float(wall_start)
    time.sleep(3.3)  # mid-interval, so writes are likely in flight for some of them
    killed_at = []
    for proc in procs:
        proc.send_signal(signal.SIGKILL)
        killed_at.append(time.time())
    for k, proc in enumerate(procs):
        out, _ = proc.communicate(timeout=30)
        lines[k] = out.split("\n")

    reopened = RoomStore.open(db_url)  # a fresh process would do the same: migrate, read
    if reopened.engine.dialect.name == "sqlite":
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    records = {r.nickname: r for r in reopened.runs(room.code)}
    assert sorted(records) == ["k0", "k1", "k2"]
    for k in range(len(procs)):
        writes = [line.split() for line in lines[k] if line.startswith("wrote")]
        assert writes, "each writer wrote before it was killed"
        last_committed = int(writes[-1][1])
        slowest_write = max(float(w[2]) for w in writes)
        stored = records[f"k{k}"]
        assert stored.episodes >= last_committed  # nothing committed is lost
        # what the run had done when killed, less what was stored: at most one write interval,
        # plus one write's duration, the writer's 20 ms polling step and 0.1 s for the rest
        # of its loop (building the summary, printing) on a busy machine
        lost_s = (killed_at[k] - started[k]) - stored.episodes * EPISODE_S
        print(f"k{k}: stored {stored.episodes} episodes, lost {lost_s:.2f} s of progress")
        assert lost_s <= 1.0 + slowest_write + 0.02 + 0.1
    # the database takes new writes after the crash
    member = reopened.join(room.code, "after")
    assert reopened.is_member(member)
    with reopened.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM room_students")).scalar_one() == 4
