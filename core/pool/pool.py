"""The server side of the training pool: worker processes, the sessions they train, and the
mirrors of their runs that the pages draw.

A page never trains: it sends commands (start, pause, resume, change, pace, reset) and reads
its session's :class:`SessionView`, which a dispatcher thread keeps up to date from the workers'
news. A housekeeping thread drops the runs of sessions whose tab stopped asking for updates,
puts away idle runs, admits queued sessions, and replaces a worker that died.

Thread safety: every field of a SessionView is changed under its ``lock``; readers take the same
lock. Commands are sent to a worker outside the pool's lock (a full pipe may block the sender,
never the dispatcher).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Literal

import numpy as np

from core.limits import LIMITS, Limits
from core.pool.messages import (
    Ask,
    Change,
    Command,
    Control,
    Drop,
    Job,
    Pace,
    Progress,
    Reply,
    Start,
)
from core.reinforce.config import TrainConfig
from core.reinforce.trainer import SOLVE_WINDOW, ChangeRecord, UpdateRecord

Status = Literal["new", "queued", "training", "paused", "finished", "lost", "evicted", "closed",
                 "failed"]
HOLDING: frozenset[str] = frozenset({"training", "paused", "finished"})
"""Statuses in which a worker holds the session's runs."""
TRAINING: frozenset[str] = frozenset({"training"})
"""Statuses in which a worker spends CPU on the session's runs."""

LOST = ("The worker process that trained this run stopped unexpectedly; the server has started "
        "a new one. The curve so far is kept: press Start to train again.")
EVICTED = ("This run sat idle for {minutes:g} minutes, so the server put it away to make room. "
           "Its curve is kept: press Start for a new run.")
CLOSED = ("This run was stopped because this tab stopped asking for updates for {seconds} s "
          "(closed, asleep or in the background). Press Start to train again.")
QUEUED = ("{n} sessions are training on this server, its limit: you are number {position} in "
          "the queue, and training starts by itself when a place frees up.")
REQUEST_TIMEOUT_S = 10.0
ROOT = Path(__file__).resolve().parents[2]
"""The repository root: workers run ``python -m core.pool.worker`` from there."""


ENVS_PER_RUN = 16
"""Parallel environments of a run that counts once towards ``max_runs_per_worker``."""


def run_weight(config: TrainConfig) -> int:
    """How many runs ``config`` counts as in a worker's memory cap: one per 16 environments
    (a batch's episodes are held in memory environment by environment)."""
    return max(1, -(-max(config.num_envs, config.episodes_per_update) // ENVS_PER_RUN))


class PoolError(Exception):
    """A request to the pool could not be answered (worker gone, timeout, run not held)."""


@dataclass
class RunView:
    """The server's mirror of one run (one seed), drawn by the page."""

    config: TrainConfig
    """The config in force (live fields follow mid-run changes)."""
    returns: list[float] = field(default_factory=list)
    """Return of every finished episode."""
    updates: list[UpdateRecord] = field(default_factory=list)
    """Every update."""
    changes: list[ChangeRecord] = field(default_factory=list)
    """Every mid-run change."""
    env_steps: int = 0
    """Environment steps recorded so far."""
    seconds: float = 0.0
    """Seconds its worker spent training it."""
    solved_at: int | None = None
    """Episode at which it was first solved."""
    stop_reason: str | None = None
    """Why it cannot train any more, if so."""
    diverged: bool = False
    """It stopped because training diverged."""
    live: np.ndarray = field(default_factory=lambda: np.zeros(4))
    """The first environment's state at the last report."""

    @property
    def stopped(self) -> bool:
        """No more training possible: budget reached or diverged."""
        return self.stop_reason is not None

    @property
    def episodes(self) -> list[float]:
        """The finished episodes, one entry (its return) each: ``len()`` counts them, as for
        a Trainer's episode records."""
        return self.returns

    def mean_last(self, n: int = SOLVE_WINDOW) -> float:
        """Mean return of the last ``n`` episodes (NaN before any)."""
        return float(np.mean(self.returns[-n:])) if self.returns else float("nan")

    def live_state(self) -> np.ndarray:
        """The first environment's state at the last report."""
        return self.live


@dataclass
class SessionView:
    """One browser session's training as the server sees it."""

    id: str
    """The session's id."""
    run: int = 0
    """Number of the current run (a new Start increments it)."""
    runs: list[RunView] = field(default_factory=list)
    """The current run's seeds."""
    status: Status = "new"
    """Where the session stands."""
    message: str | None = None
    """What the session must be told (lost, evicted, closed, queued, failed)."""
    speed: float | None = None
    """Pace asked for: environment steps per second per run (None: as fast as possible)."""
    stop_solved: bool = True
    """Stop runs once solved."""
    wall_s: float = 0.0
    """Seconds this run has trained (running, not paused)."""
    watch: tuple[np.ndarray, np.ndarray] | None = None
    """The finished policy's episode, until the page takes it."""
    worker: int | None = None
    """Index of the worker holding the runs."""
    last_seen: float = 0.0
    """Clock of the page's last redraw or command."""
    last_active: float = 0.0
    """Clock of the last start, resume or training news."""
    pending: Start | Literal["resume"] | None = None
    """What the session waits in the queue for."""
    reports: int = 0
    """News received from the worker for this run (its rate is the chart's refresh bound)."""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    """Held while the session is read or changed."""

    @property
    def running(self) -> bool:
        """Training or waiting to train."""
        return self.status in ("training", "queued")


@dataclass
class _Worker:
    index: int
    process: subprocess.Popen[bytes]
    conn: Connection
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: set[str] = field(default_factory=set)
    alive: bool = True


@dataclass
class _Pending:
    worker: int
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    problem: str | None = None


class TrainingPool:
    """Worker processes that train every session's runs, fairly shared."""

    def __init__(self, limits: Limits = LIMITS, *,
                 clock: Callable[[], float] = time.monotonic,
                 housekeeping_s: float = 1.0) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.RLock()
        self._sessions: dict[str, SessionView] = {}
        self._queue: deque[str] = deque()
        self._requests: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self.replaced = 0
        """Workers started to replace one that died."""
        self._workers = [self._spawn(k) for k in range(limits.training_workers)]
        self._housekeeping_s = housekeeping_s
        self._threads = [threading.Thread(target=self._dispatch, name="pool-dispatch",
                                          daemon=True),
                         threading.Thread(target=self._housekeep, name="pool-housekeeping",
                                          daemon=True)]
        for thread in self._threads:
            thread.start()

    # ----------------------------------------------------------------- workers
    def _spawn(self, index: int) -> _Worker:
        """Start worker ``index``: a fresh interpreter (``python -m core.pool.worker FD NICE``)
        with one torch thread at the limits' niceness, talking over one end of a socket pair.
        Not multiprocessing's Process: its spawn and forkserver starts re-run the parent's
        ``__main__`` module in the child, which on a Streamlit script thread is the page script
        itself."""
        parent, child = Pipe(duplex=True)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        process = subprocess.Popen(
            [sys.executable, "-m", "core.pool.worker", str(child.fileno()),
             str(self.limits.worker_nice)],
            cwd=ROOT, env=env, pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
        child.close()
        return _Worker(index, process, parent)

    def worker_pids(self) -> list[int | None]:
        """Process id of each worker (for tests and monitoring)."""
        with self._lock:
            return [w.process.pid for w in self._workers]

    def _send(self, worker: int | None, command: Command) -> None:
        if worker is None:
            return
        handle = self._workers[worker]
        # On failure the dispatcher sees the worker die and tells its sessions.
        with handle.send_lock, contextlib.suppress(OSError, EOFError, ValueError):
            handle.conn.send(command)

    def _runs_on(self, worker: int, statuses: frozenset[str] = HOLDING) -> int:
        return sum(run_weight(r.config) for s in self._sessions.values()
                   if s.worker == worker and s.status in statuses for r in s.runs)

    def _pick_worker(self, runs: int) -> int | None:
        """The worker for a new session's runs: among those with room for them (runs held,
        finished ones included: memory), the one with the fewest runs training (CPU), so a
        worker whose sessions have finished does not sit idle while another has a queue."""
        candidates = [(self._runs_on(w.index, TRAINING), self._runs_on(w.index), w.index)
                      for w in self._workers if w.alive]
        fitting = [c for c in candidates if c[1] + runs <= self.limits.max_runs_per_worker]
        return min(fitting)[2] if fitting else None

    # ----------------------------------------------------------------- sessions
    def session(self, session_id: str) -> SessionView:
        """The session's view (created empty on first use)."""
        with self._lock:
            view = self._sessions.get(session_id)
            if view is None:
                now = self._clock()
                view = SessionView(session_id, last_seen=now, last_active=now)
                self._sessions[session_id] = view
            return view

    def training_count(self) -> int:
        """Sessions training right now (not paused, finished or queued)."""
        with self._lock:
            return sum(1 for s in self._sessions.values() if s.status == "training")

    def queue_position(self, session_id: str) -> int | None:
        """1-based place of the session in the queue, or None."""
        with self._lock:
            try:
                return self._queue.index(session_id) + 1
            except ValueError:
                return None

    def touch(self, session_id: str) -> None:
        """The session's page is still open (called on every redraw)."""
        view = self.session(session_id)
        view.last_seen = self._clock()

    def start(self, session_id: str, configs: list[TrainConfig], speed: float | None,
              stop_solved: bool) -> SessionView:
        """Replace the session's runs by fresh ones, training now or after the queue."""
        sends: list[tuple[int | None, Command]] = []
        with self._lock:
            view = self.session(session_id)
            with view.lock:
                sends += self._release(view)
                view.run += 1
                view.runs = [RunView(c) for c in configs]
                view.speed, view.stop_solved = speed, stop_solved
                view.message, view.watch, view.wall_s, view.reports = None, None, 0.0, 0
                view.last_seen = view.last_active = self._clock()
                command = Start(session_id, view.run, tuple(configs), speed, stop_solved)
                sends += self._admit_or_queue(view, command)
        self._flush(sends)
        return view

    def pause(self, session_id: str) -> None:
        """Stop training (or leave the queue); the runs stay for Resume."""
        sends: list[tuple[int | None, Command]] = []
        with self._lock:
            view = self.session(session_id)
            with view.lock:
                view.last_active = self._clock()
                if view.status == "training":
                    view.status = "paused"
                    sends.append((view.worker, Control(session_id, False)))
                elif view.status == "queued":
                    self._leave_queue(view)
                    view.status = "paused" if view.pending == "resume" else "new"
                    if view.status == "new":
                        view.runs = []
                    view.pending, view.message = None, None
        self._flush(sends)
        sends = self._admit_waiting()
        self._flush(sends)

    def resume(self, session_id: str) -> None:
        """Continue a paused run, now or after the queue."""
        sends: list[tuple[int | None, Command]] = []
        with self._lock:
            view = self.session(session_id)
            with view.lock:
                if view.status != "paused":
                    return
                view.last_seen = view.last_active = self._clock()
                sends += self._admit_or_queue(view, "resume")
        self._flush(sends)

    def reset(self, session_id: str) -> None:
        """Forget the session's runs."""
        with self._lock:
            view = self.session(session_id)
            with view.lock:
                sends = self._release(view)
                view.runs, view.status, view.message, view.watch = [], "new", None, None
        self._flush(sends)
        self._flush(self._admit_waiting())

    def change(self, session_id: str, configs: list[TrainConfig]) -> None:
        """Mid-run settings for the session's runs (live fields apply at the next update)."""
        with self._lock:
            view = self.session(session_id)
            with view.lock:
                if view.status in HOLDING:
                    sends: list[tuple[int | None, Command]] = [
                        (view.worker, Change(session_id, tuple(configs)))]
                elif view.status == "queued" and isinstance(view.pending, Start):
                    view.pending = Start(session_id, view.run, tuple(configs),
                                         view.speed, view.stop_solved)
                    sends = []
                else:
                    sends = []
        self._flush(sends)

    def pace(self, session_id: str, speed: float | None, stop_solved: bool) -> None:
        """Speed and stop-when-solved for the session's runs."""
        with self._lock:
            view = self.session(session_id)
            with view.lock:
                if (view.speed, view.stop_solved) == (speed, stop_solved):
                    return
                view.speed, view.stop_solved = speed, stop_solved
                sends: list[tuple[int | None, Command]] = []
                if view.status in HOLDING:
                    sends.append((view.worker, Pace(session_id, speed, stop_solved)))
                if isinstance(view.pending, Start):
                    view.pending = Start(session_id, view.run, view.pending.configs, speed,
                                         stop_solved)
        self._flush(sends)

    def ask(self, session_id: str, kind: Literal["watch", "snapshot"], index: int = 0,
            seed: int = 0, timeout: float = REQUEST_TIMEOUT_S) -> Any:
        """Ask the worker holding the session's runs (an episode, a policy snapshot)."""
        with self._lock:
            view = self.session(session_id)
            if view.status not in HOLDING or view.worker is None:
                raise PoolError("No run of this session is held by the server.")
            request = next(self._ids)
            pending = _Pending(view.worker)
            self._requests[request] = pending
            worker = view.worker
        self._send(worker, Ask(request, session_id, kind, index, seed))
        return self._await(request, pending, timeout)

    def run_job(self, fn: Callable[..., Any], *args: Any,
                timeout: float = 600.0) -> Any:
        """``fn(*args)`` run in the least busy worker; raises PoolError if that fails."""
        with self._lock:
            worker = self._pick_worker(0)
            if worker is None:
                raise PoolError("No training worker is available.")
            request = next(self._ids)
            pending = _Pending(worker)
            self._requests[request] = pending
        self._send(worker, Job(request, fn, args))
        return self._await(request, pending, timeout)

    def _await(self, request: int, pending: _Pending, timeout: float) -> Any:
        try:
            if not pending.done.wait(timeout):
                raise PoolError(f"The training worker did not answer within {timeout:g} s.")
        finally:
            with self._lock:
                self._requests.pop(request, None)
        if pending.problem is not None:
            raise PoolError(pending.problem)
        return pending.value

    # ----------------------------------------------------------------- admission
    def _admit_or_queue(self, view: SessionView, action: Start | Literal["resume"]
                        ) -> list[tuple[int | None, Command]]:
        """Caller holds the pool's and the view's locks."""
        sends = self._admit(view, action)
        if sends is None:
            view.pending = action
            if view.id not in self._queue:
                self._queue.append(view.id)
            view.status = "queued"
            self._tell_position(view)
            return []
        return sends

    def _admit(self, view: SessionView, action: Start | Literal["resume"]
               ) -> list[tuple[int | None, Command]] | None:
        if self.training_count() >= self.limits.max_training_sessions:
            return None
        if action == "resume":
            if view.worker is None:
                return None
            view.status, view.pending = "training", None
            view.last_active = self._clock()
            return [(view.worker, Control(view.id, True))]
        worker = self._pick_worker(sum(run_weight(c) for c in action.configs))
        if worker is None:
            return None
        view.worker, view.status, view.pending, view.message = worker, "training", None, None
        view.last_active = self._clock()
        self._workers[worker].sessions.add(view.id)
        return [(worker, action)]

    def _tell_position(self, view: SessionView) -> None:
        position = self.queue_position(view.id)
        if position is not None:
            view.message = QUEUED.format(n=self.limits.max_training_sessions,
                                         position=position)

    def _leave_queue(self, view: SessionView) -> None:
        with contextlib.suppress(ValueError):
            self._queue.remove(view.id)

    def _admit_waiting(self) -> list[tuple[int | None, Command]]:
        sends: list[tuple[int | None, Command]] = []
        with self._lock:
            while self._queue:
                view = self._sessions.get(self._queue[0])
                if view is None or view.pending is None:
                    self._queue.popleft()
                    continue
                with view.lock:
                    admitted = self._admit(view, view.pending)
                    if admitted is None:
                        break
                    self._queue.popleft()
                    view.message = None
                    sends += admitted
            for session_id in self._queue:
                view = self._sessions.get(session_id)
                if view is not None:
                    with view.lock:
                        self._tell_position(view)
        return sends

    def _release(self, view: SessionView) -> list[tuple[int | None, Command]]:
        """Take the session's runs out of its worker and the queue. Caller holds locks."""
        sends: list[tuple[int | None, Command]] = []
        self._leave_queue(view)
        view.pending = None
        if view.worker is not None:
            if view.status in HOLDING:
                sends.append((view.worker, Drop(view.id)))
            self._workers[view.worker].sessions.discard(view.id)
            view.worker = None
        return sends

    def _flush(self, sends: list[tuple[int | None, Command]]) -> None:
        for worker, command in sends:
            self._send(worker, command)

    # ----------------------------------------------------------------- news from workers
    def _apply(self, event: Progress | Reply) -> None:
        if isinstance(event, Reply):
            with self._lock:
                pending = self._requests.get(event.request)
            if pending is not None:
                pending.value, pending.problem = event.value, event.problem
                pending.done.set()
            return
        with self._lock:
            view = self._sessions.get(event.session)
        if view is None:
            return
        with view.lock:
            if view.run != event.run or view.status not in HOLDING:
                return
            if event.problem is not None:
                view.status, view.message = "failed", event.problem
                return
            for run, delta in zip(view.runs, event.deltas, strict=False):
                run.returns.extend(delta.returns)
                run.updates.extend(delta.updates)
                run.changes.extend(delta.changes)
                run.config, run.env_steps, run.seconds = (delta.config, delta.env_steps,
                                                          delta.seconds)
                run.solved_at, run.stop_reason, run.diverged = (delta.solved_at,
                                                                delta.stop_reason,
                                                                delta.diverged)
                run.live = delta.live_state
            view.wall_s = event.wall_s
            view.reports += 1
            if event.watch is not None:
                view.watch = event.watch
            done = all(r.stopped or (view.stop_solved and r.solved_at is not None)
                       for r in view.runs)
            if view.status == "training":
                view.last_active = self._clock()
                if done and not event.running:
                    view.status = "finished"
        if view.status == "finished":
            self._flush(self._admit_waiting())

    def _dispatch(self) -> None:
        while not self._closed:
            with self._lock:
                by_conn = {w.conn: w for w in self._workers if w.alive}
            try:
                ready = wait(list(by_conn), timeout=0.5)
            except (OSError, ValueError):
                continue
            dead: set[int] = set()
            for conn in ready:
                handle = by_conn[conn]  # type: ignore[index]
                try:
                    while handle.conn.poll():
                        self._apply(handle.conn.recv())
                except (EOFError, OSError):  # the worker's end closed: it died
                    dead.add(handle.index)
                except Exception as error:  # a bad message must not stop the dispatcher
                    print(f"training pool: bad message from worker {handle.index}: {error}",
                          file=sys.stderr)
            for index in dead:
                self._replace(index)

    def _replace(self, index: int) -> None:
        with self._lock:
            if self._closed:
                return
            old = self._workers[index]
            if not old.alive:
                return
            old.alive = False
            with contextlib.suppress(subprocess.TimeoutExpired):
                old.process.wait(timeout=2)
            print(f"training pool: worker {index} (pid {old.process.pid}) stopped with exit code "
                  f"{old.process.returncode}; starting a new one", file=sys.stderr)
            for pending in self._requests.values():
                if pending.worker == index and not pending.done.is_set():
                    pending.problem = LOST
                    pending.done.set()
            for session_id in list(old.sessions):
                view = self._sessions.get(session_id)
                if view is None:
                    continue
                with view.lock:
                    if view.worker == index:
                        view.worker = None
                        if view.status in HOLDING:
                            view.status, view.message = "lost", LOST
            with contextlib.suppress(OSError):
                old.conn.close()
            self._workers[index] = self._spawn(index)
            self.replaced += 1
        self._flush(self._admit_waiting())

    # ----------------------------------------------------------------- housekeeping
    def housekeep(self) -> None:
        """Drop the runs of closed tabs, put idle runs away, admit from the queue (runs every
        second on its own thread; callable directly by tests)."""
        now = self._clock()
        sends: list[tuple[int | None, Command]] = []
        with self._lock:
            for view in list(self._sessions.values()):
                with view.lock:
                    if view.running and now - view.last_seen > self.limits.tab_closed_s:
                        sends += self._release(view)
                        view.status = "closed"
                        view.message = CLOSED.format(seconds=self.limits.tab_closed_s)
                    elif (view.status in ("paused", "finished")
                          and now - view.last_active > self.limits.idle_evict_s):
                        sends += self._release(view)
                        view.status = "evicted"
                        view.message = EVICTED.format(minutes=self.limits.idle_evict_s / 60)
                    elif (view.status not in HOLDING and not view.running
                          and now - view.last_seen > 3600):
                        del self._sessions[view.id]  # an hour gone: forget it entirely
        self._flush(sends)
        self._flush(self._admit_waiting())

    def _housekeep(self) -> None:
        while not self._closed:
            time.sleep(self._housekeeping_s)
            try:
                self.housekeep()
            except Exception as error:  # keep housekeeping alive whatever happens
                print(f"training pool: housekeeping failed: {error}", file=sys.stderr)

    def close(self) -> None:
        """Stop every worker (tests; a server just exits)."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        for handle in workers:
            handle.alive = False
            with contextlib.suppress(OSError):
                handle.conn.close()
            try:
                handle.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                handle.process.kill()
                handle.process.wait(timeout=5)


_shared: TrainingPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> TrainingPool:
    """The pool of this server process, started on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = TrainingPool()
        return _shared


def run_job(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a worker of the shared pool (e.g. one gallery run)."""
    return shared_pool().run_job(fn, *args)
