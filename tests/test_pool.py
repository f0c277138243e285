"""core.pool: sessions trained in worker processes, fairly shared, with their lifecycle.

One pool with one worker serves the tests in order (a worker takes seconds to start on a
loaded machine); each test resets its sessions. Waits poll for a condition with a deadline.
"""

from __future__ import annotations

import operator
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from core.limits import Limits
from core.pool import PoolError, TrainingPool
from core.pool.pool import CLOSED, LOST, RunView
from core.reinforce.config import TrainConfig

pytestmark = pytest.mark.slow  # worker processes that train for seconds

LIMITS = Limits(training_workers=1, max_training_sessions=3, max_runs_per_worker=4,
                idle_evict_s=3, tab_closed_s=3)
FOREVER = TrainConfig(max_episodes=20_000)
"""Trains for longer than any test (no stop when solved is asked of the pool)."""


@pytest.fixture(scope="module")
def pool() -> Iterator[TrainingPool]:
    training = TrainingPool(LIMITS, housekeeping_s=0.25)
    yield training
    training.close()


def wait_for(condition: Callable[[], bool], timeout: float = 90.0, what: str = "",
             pool: TrainingPool | None = None, open_tabs: tuple[str, ...] = ()) -> None:
    """Poll ``condition``; meanwhile the sessions in ``open_tabs`` redraw like open tabs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for session in open_tabs:
            assert pool is not None
            pool.touch(session)
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or condition}")


def keep_open(pool: TrainingPool, sessions: list[str], seconds: float) -> None:
    """Redraw like open tabs do (every 0.5 s) for ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for session in sessions:
            pool.touch(session)
        time.sleep(0.5)


def episodes(pool: TrainingPool, session: str) -> int:
    view = pool.session(session)
    with view.lock:
        return sum(len(r.returns) for r in view.runs)


def trained_s(pool: TrainingPool, session: str) -> float:
    view = pool.session(session)
    with view.lock:
        return sum(r.seconds for r in view.runs)


def test_sessions_share_a_worker_round_robin_with_news_every_second(pool):
    sessions = ["fair-a", "fair-b", "fair-c"]
    for k, session in enumerate(sessions):
        # Different batch sizes: turns are shared by time, not by update.
        config = replace(FOREVER, seed=k, episodes_per_update=[4, 16, 32][k],
                         num_envs=[4, 16, 32][k])
        pool.start(session, [config], None, stop_solved=False)
    wait_for(lambda: all(trained_s(pool, s) > 0 for s in sessions), what="all three training",
             pool=pool, open_tabs=tuple(sessions))
    before = {s: trained_s(pool, s) for s in sessions}
    reports = {s: pool.session(s).reports for s in sessions}
    window = 6.0
    keep_open(pool, sessions, window)
    gained = {s: trained_s(pool, s) - before[s] for s in sessions}
    news = {s: (pool.session(s).reports - reports[s]) / window for s in sessions}
    # One worker = one core, shared in turns of at most 50 ms: equal shares up to a few turns.
    assert min(gained.values()) >= 0.7 * max(gained.values()), gained
    assert sum(gained.values()) >= 0.3 * window, gained   # the worker does train
    assert all(rate >= 1.0 for rate in news.values()), news
    assert all(episodes(pool, s) > 0 for s in sessions)
    for session in sessions:
        pool.reset(session)


def test_mid_run_learning_rate_and_estimator_changes_apply_at_the_next_update(pool):
    session = "change"
    pool.start(session, [FOREVER], None, stop_solved=False)
    wait_for(lambda: bool(pool.session(session).runs[0].updates), what="a first update",
             pool=pool, open_tabs=(session,))
    new = replace(FOREVER, lr=0.001, baseline="none")
    pool.change(session, [new])

    def applied() -> bool:
        run = pool.session(session).runs[0]
        return {c.name for c in run.changes} == {"lr", "baseline"} and run.updates[-1].lr == 0.001

    wait_for(applied, what="the change recorded and used", pool=pool, open_tabs=(session,))
    run = pool.session(session).runs[0]
    assert run.config.lr == 0.001 and run.config.baseline == "none"
    first_new = next(c.update for c in run.changes if c.name == "lr")
    assert all(u.lr == FOREVER.lr for u in run.updates[:first_new - 1])
    # Pause stops the news; resume continues it.
    pool.pause(session)
    time.sleep(0.5)
    paused = episodes(pool, session)
    keep_open(pool, [session], 1.5)
    assert episodes(pool, session) == paused
    pool.resume(session)
    wait_for(lambda: episodes(pool, session) > paused, what="training after resume",
             pool=pool, open_tabs=(session,))
    config, weights = pool.ask(session, "snapshot")
    assert config.lr == 0.001 and "net.0.weight" in weights
    states, actions = pool.ask(session, "watch", seed=5)
    assert len(states) == len(actions) + 1 or len(states) == len(actions)
    pool.reset(session)


def test_a_closed_tab_is_dropped_and_an_idle_run_put_away(pool):
    pool.start("closed", [FOREVER], None, stop_solved=False)
    pool.start("idle", [FOREVER], None, stop_solved=False)
    wait_for(lambda: episodes(pool, "idle") > 0 and episodes(pool, "closed") > 0,
             what="both training", pool=pool, open_tabs=("idle", "closed"))
    pool.pause("idle")
    closed_at = time.monotonic()
    # "closed" gets no more redraws; the limit is 3 s, housekeeping every 0.25 s.
    wait_for(lambda: pool.session("closed").status == "closed", timeout=10, what="closed")
    assert time.monotonic() - closed_at < LIMITS.tab_closed_s + 2
    assert pool.session("closed").message == CLOSED.format(seconds=LIMITS.tab_closed_s)
    wait_for(lambda: pool.session("idle").status == "evicted", timeout=10, what="evicted")
    assert "idle" in (pool.session("idle").message or "")
    with pytest.raises(PoolError):
        pool.ask("closed", "snapshot", timeout=5)
    assert pool.training_count() == 0
    # The curves stay for the page; the worker holds nothing any more.
    assert episodes(pool, "closed") > 0
    assert pool.run_job(operator.add, 2, 3) == 5


def test_beyond_the_cap_a_session_waits_with_a_moving_position(pool):
    names = ["q-a", "q-b", "q-c", "q-d", "q-e"]
    for name in names[:3]:
        pool.start(name, [FOREVER], None, stop_solved=False)
    pool.start("q-d", [FOREVER], None, stop_solved=False)
    pool.start("q-e", [FOREVER], None, stop_solved=False)
    assert [pool.session(n).status for n in names] == ["training"] * 3 + ["queued"] * 2
    assert pool.queue_position("q-e") == 2 and "number 2" in (pool.session("q-e").message or "")
    pool.reset("q-a")
    assert pool.session("q-d").status == "training"
    assert pool.queue_position("q-e") == 1 and "number 1" in (pool.session("q-e").message or "")
    # The memory cap: the worker holds at most 4 runs, so 2 seeds more wait too.
    pool.pause("q-b")
    assert pool.session("q-e").status == "training"          # took q-b's place
    pool.pause("q-c")                                        # 2 training, 4 runs held
    pool.start("q-two-seeds", [FOREVER, replace(FOREVER, seed=1)], None, stop_solved=False)
    assert pool.session("q-two-seeds").status == "queued"
    for name in [*names, "q-two-seeds"]:
        pool.reset(name)
    assert pool.training_count() == 0


def test_a_killed_worker_is_replaced_and_its_sessions_told(pool):
    session = "victim"
    pool.start(session, [FOREVER], None, stop_solved=False)
    wait_for(lambda: episodes(pool, session) > 0, what="training", pool=pool,
             open_tabs=(session,))
    pid = pool.worker_pids()[0]
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: pool.session(session).status == "lost", timeout=15, what="lost")
    assert pool.session(session).message == LOST
    assert pool.replaced == 1 and pool.worker_pids()[0] != pid
    kept = episodes(pool, session)
    assert kept > 0                                   # the curve so far stays
    pool.start(session, [FOREVER], None, stop_solved=False)   # and it can start again
    wait_for(lambda: episodes(pool, session) > 0, what="training on the new worker",
             pool=pool, open_tabs=(session,))
    pool.reset(session)


def test_runs_with_many_environments_count_more_towards_the_memory_cap():
    from core.pool.pool import run_weight

    assert run_weight(TrainConfig()) == 1
    assert run_weight(TrainConfig(num_envs=256, episodes_per_update=256)) == 16
    assert run_weight(TrainConfig(num_envs=1, episodes_per_update=96)) == 6


def test_workers_train_at_the_limits_niceness(pool):
    """Page serving comes first: each worker lowers its own priority as it starts."""
    assert LIMITS.worker_nice == 10
    wait_for(lambda: all(pid is not None and os.getpriority(os.PRIO_PROCESS, pid)
                         == os.getpriority(os.PRIO_PROCESS, 0) + LIMITS.worker_nice
                         for pid in pool.worker_pids()),
             timeout=60, what="workers at niceness 10")


def test_new_sessions_go_to_the_worker_with_the_fewest_runs_training() -> None:
    """Finished runs stay held (they count against a worker's memory cap) but cost no CPU: a
    new session goes where the fewest runs train, so no worker idles beside a busy one."""
    from types import SimpleNamespace

    from core.pool.pool import SessionView

    pool = object.__new__(TrainingPool)  # no worker processes: only the choice is tested
    pool.limits = Limits(training_workers=2, max_runs_per_worker=4)
    pool._workers = [SimpleNamespace(index=0, alive=True), SimpleNamespace(index=1, alive=True)]

    def session(name: str, worker: int, status: str) -> SessionView:
        view = SessionView(name, last_seen=0.0, last_active=0.0)
        view.worker, view.status = worker, status  # type: ignore[assignment]
        view.runs = [RunView(TrainConfig())]
        return view

    pool._sessions = {"a": session("a", 0, "finished"), "b": session("b", 0, "finished"),
                      "c": session("c", 1, "training")}
    assert pool._pick_worker(1) == 0   # two held but idle, against one training
    pool._sessions["d"] = session("d", 0, "training")
    pool._sessions["e"] = session("e", 0, "training")
    assert pool._pick_worker(1) == 1   # now worker 0 trains two, worker 1 one
    pool._sessions["f"] = session("f", 1, "paused")
    pool._sessions["g"] = session("g", 1, "paused")
    pool._sessions["h"] = session("h", 1, "finished")
    assert pool._pick_worker(1) is None  # both full (4 runs held each): the queue
