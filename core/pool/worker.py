"""One training worker process: holds many sessions' runs and trains them round-robin.

The loop: read every command waiting on the pipe, give the next session with work one turn,
report what changed. A turn trains one of the session's runs for at most ``quantum`` seconds
(or, when the session asked for a pace, the environment steps its pace allows since its last
turn), so N sessions on one worker each get about 1/N of its core and every session's news
arrives several times a second. Sessions are visited in turn whatever their batch size or number
of seeds: a session with ten seeds trains each seed a tenth as often.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

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
    RunDelta,
    Start,
)

QUANTUM_S = 0.05
"""Longest turn: one session trains this long before the next one's turn."""
REPORT_S = 0.4
"""A training session's news is sent at most this often (and at once on any state change).
Pages redraw every 0.5 s at most (0.8 s on a crowded server): news twice as often as that was
pickled, sent and applied for nothing, on the server process that also serves the pages."""
MAX_BURST_S = 0.5
"""A paced session never catches up more than this many seconds of its pace at once."""
WATCH_SEED_OFFSET = 1000
"""A finished run's policy is shown on the environment seeded config.seed + this."""


@dataclass
class Cursor:
    """How much of one trainer's history has been reported."""

    episodes: int = 0
    updates: int = 0
    changes: int = 0


@dataclass
class Pacer:
    """Converts a pace in recorded environment steps into vector steps for one trainer.

    A vector step advances every parallel environment, but near the end of a batch the copies
    that finished their episodes are stepped without being recorded; ``efficiency`` (recorded
    environment steps per environment per vector step, learned from each finished batch) keeps
    the recorded rate, which the status line reports, at the pace asked for.
    """

    efficiency: float = 0.6
    """Recorded environment steps per (vector step x environments), from the last batch."""
    vector_steps: int = 0
    """Vector steps taken since the last update."""

    def cost(self, envs: int) -> float:
        """Recorded environment steps one vector step is expected to add."""
        return envs * self.efficiency

    def learn(self, vector_steps: int, env_steps: int, updated: bool, envs: int) -> None:
        """Record a chunk; after an update, re-estimate the efficiency from its batch."""
        self.vector_steps += vector_steps
        if updated and self.vector_steps > 0:
            measured = env_steps / (self.vector_steps * envs)
            self.efficiency = min(1.0, max(0.05, measured))
            self.vector_steps = 0


@dataclass
class Slot:
    """One session's runs inside this worker."""

    session: str
    run: int
    trainers: list[Any]
    """core.reinforce.trainer.Trainer, one per seed (imported lazily: torch)."""
    speed: float | None
    stop_solved: bool
    running: bool
    cursors: list[Cursor] = field(default_factory=list)
    wall_s: float = 0.0
    budget: float = 0.0
    """Environment steps the pace allows each run right now (paced sessions)."""
    pacers: list[Pacer] = field(default_factory=list)
    """One per trainer: how its vector steps turn into recorded environment steps."""
    last_clock: float = field(default_factory=time.perf_counter)
    last_report: float = 0.0
    turn: int = 0
    dirty: bool = True
    watch: tuple[Any, Any] | None = None

    def active(self) -> list[Any]:
        """Trainers that still have training to do."""
        return [t for t in self.trainers
                if not t.stopped and not (self.stop_solved and t.solved_at is not None)]


def _envs_per_step(trainer: Any) -> int:
    """Environments one vector step advances (for pacing)."""
    cfg = trainer.config
    if cfg.rollout == "per_step":
        return 1
    return max(1, min(cfg.num_envs, cfg.episodes_per_update))


class Worker:
    """The state and the loop of one worker process (also usable in-process by tests)."""

    def __init__(self, conn: Connection, quantum: float = QUANTUM_S) -> None:
        self.conn = conn
        self.quantum = quantum
        self.slots: dict[str, Slot] = {}
        self.order: deque[str] = deque()

    # ----------------------------------------------------------------- commands
    def handle(self, command: Command) -> None:
        """Apply one command from the server."""
        if isinstance(command, Start):
            self._start(command)
        elif isinstance(command, Control):
            slot = self.slots.get(command.session)
            if slot is not None:
                slot.running = command.running and bool(slot.active())
                slot.last_clock = time.perf_counter()
                slot.budget = 0.0
                slot.dirty = True
        elif isinstance(command, Pace):
            slot = self.slots.get(command.session)
            if slot is not None:
                slot.speed, slot.stop_solved = command.speed, command.stop_solved
                slot.budget = 0.0
                slot.dirty = True
        elif isinstance(command, Change):
            slot = self.slots.get(command.session)
            if slot is not None:
                for trainer, config in zip(slot.trainers, command.configs, strict=False):
                    trainer.change(config)
                slot.dirty = True
        elif isinstance(command, Drop):
            self._drop(command.session)
        elif isinstance(command, Ask):
            self._answer(command)
        elif isinstance(command, Job):
            try:
                self._send(Reply(command.request, command.fn(*command.args)))
            except Exception as error:  # the job's own failure goes back to its caller
                self._send(Reply(command.request, None, f"{type(error).__name__}: {error}"))

    def _start(self, command: Start) -> None:
        from core.reinforce.trainer import Trainer

        self._drop(command.session)
        try:
            trainers = [Trainer(config) for config in command.configs]
        except Exception as error:  # an invalid config: say so, keep serving others
            traceback.print_exception(error)
            self._send(Progress(command.session, command.run, (), False, 0.0,
                                problem=f"These settings cannot be trained: {error}"))
            return
        slot = Slot(command.session, command.run, trainers, command.speed, command.stop_solved,
                    command.running, [Cursor() for _ in trainers],
                    pacers=[Pacer() for _ in trainers])
        self.slots[command.session] = slot
        self.order.append(command.session)

    def _drop(self, session: str) -> None:
        slot = self.slots.pop(session, None)
        if slot is None:
            return
        for trainer in slot.trainers:
            trainer.close()
        with contextlib.suppress(ValueError):
            self.order.remove(session)

    def _answer(self, ask: Ask) -> None:
        slot = self.slots.get(ask.session)
        if slot is None or not 0 <= ask.index < len(slot.trainers):
            self._send(Reply(ask.request, None, "This run is no longer held by the server."))
            return
        trainer = slot.trainers[ask.index]
        if ask.kind == "watch":
            self._send(Reply(ask.request, trainer.watch(ask.seed)))
        else:
            # numpy, not tensors: torch would pickle tensors through shared memory.
            state = {name: tensor.detach().cpu().numpy().copy()
                     for name, tensor in trainer.policy.state_dict().items()}
            self._send(Reply(ask.request, (trainer.config, state)))

    # ----------------------------------------------------------------- training
    def turn(self) -> bool:
        """Give the next session with work one turn; False if nobody had work."""
        now = time.perf_counter()
        for slot in self.slots.values():
            if slot.running:
                dt = now - slot.last_clock
                slot.wall_s += dt
                if slot.speed is not None:
                    slot.budget = min(slot.budget + slot.speed * dt, slot.speed * MAX_BURST_S)
            slot.last_clock = now
        for _ in range(len(self.order)):
            session = self.order[0]
            self.order.rotate(-1)
            slot = self.slots[session]
            if slot.running and self._train(slot):
                return True
        return False

    def _train(self, slot: Slot) -> bool:
        active = slot.active()
        if not active:
            self._finish(slot)
            return False
        if slot.speed is None:
            trainer = active[slot.turn % len(active)]
            slot.turn += 1
            trainer.step(max_seconds=self.quantum)
        else:
            # Each run moves at the pace; the budget is spent by the slowest-costing run.
            costs = {id(t): p.cost(_envs_per_step(t))
                     for t, p in zip(slot.trainers, slot.pacers, strict=True)}
            if slot.budget < max(costs[id(t)] for t in active):
                return False
            for trainer, pacer in zip(slot.trainers, slot.pacers, strict=True):
                if trainer not in active:
                    continue
                envs = _envs_per_step(trainer)
                steps = max(1, int(slot.budget // pacer.cost(envs)))
                result = trainer.step(max_vector_steps=steps,
                                      max_seconds=self.quantum / len(active))
                pacer.learn(result.vector_steps, result.env_steps, bool(result.updates), envs)
            slot.budget = 0.0 if slot.budget < 0 else slot.budget % max(costs.values())
        if not slot.active():
            self._finish(slot)
        return True

    def _finish(self, slot: Slot) -> None:
        if not slot.running:
            return
        slot.running = False
        slot.dirty = True
        first = slot.trainers[0]
        slot.watch = first.watch(first.config.seed + WATCH_SEED_OFFSET)

    # ----------------------------------------------------------------- reports
    def report(self, force: bool = False) -> None:
        """Send the news of every session due a report."""
        now = time.perf_counter()
        for slot in self.slots.values():
            due = slot.running and now - slot.last_report >= REPORT_S
            if force or slot.dirty or due:
                self._send(self._progress(slot))
                slot.last_report, slot.dirty, slot.watch = now, False, None

    def _progress(self, slot: Slot) -> Progress:
        deltas = []
        for trainer, cursor in zip(slot.trainers, slot.cursors, strict=True):
            deltas.append(RunDelta(
                returns=tuple(trainer.returns[cursor.episodes:]),
                updates=tuple(trainer.updates[cursor.updates:]),
                changes=tuple(trainer.changes[cursor.changes:]),
                config=trainer.config, env_steps=trainer.env_steps, seconds=trainer.seconds,
                solved_at=trainer.solved_at, stop_reason=trainer.stop_reason,
                diverged=trainer.diverged, live_state=trainer.live_state().copy()))
            cursor.episodes = len(trainer.returns)
            cursor.updates = len(trainer.updates)
            cursor.changes = len(trainer.changes)
        return Progress(slot.session, slot.run, tuple(deltas), slot.running, slot.wall_s,
                        slot.watch)

    def _send(self, event: Progress | Reply) -> None:
        self.conn.send(event)

    # ----------------------------------------------------------------- the loop
    def wait_s(self) -> float:
        """How long the loop may block on the pipe before the next turn is due."""
        waits = [0.25]
        for slot in self.slots.values():
            if not slot.running:
                continue
            if slot.speed is None:
                return 0.0
            need = max(p.cost(_envs_per_step(t))
                       for t, p in zip(slot.trainers, slot.pacers, strict=True)) - slot.budget
            waits.append(max(0.0, need / slot.speed) if slot.speed > 0 else 0.25)
        return min(waits)

    def serve(self) -> None:
        """Run until the server closes the pipe."""
        while True:
            timeout = self.wait_s()
            try:
                if self.conn.poll(timeout):
                    while self.conn.poll(0):
                        self.handle(self.conn.recv())
                self.turn()
                self.report()
            except (EOFError, OSError):  # the server closed the pipe (or went away)
                return


def main(conn: Connection, nice: int = 0) -> None:
    """Serve the pipe with one torch thread at niceness ``nice`` (the body of a worker
    process): the page server's threads come first, training takes the cycles they leave."""
    if nice > 0:
        os.nice(nice)
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"
    from core.torch_env import torch

    torch.set_num_threads(1)
    try:
        Worker(conn).serve()
    except KeyboardInterrupt:
        pass
    finally:
        conn.close()


if __name__ == "__main__":
    # `python -m core.pool.worker FD [NICE]`: FD is this process's end of the server's socket
    # pair, NICE the niceness to train at.
    main(Connection(int(sys.argv[1])), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
