"""Streamlit-side state of the live CartPole lab: the trainers of this session, the run history,
the training slot, and the fragment that trains one bounded chunk per tick and redraws.

All training happens inside the fragment, which only ticks while the page is open in a browser
tab: closing the tab stops the ticks, so the session stops using CPU (and its slot times out).

Every read or change of a session's trainers holds that session's lock. Streamlit's fast reruns
start a new script thread for a widget change (or a reconnect) while the previous one may still
be inside a training chunk; without the lock both would step the same environments at once.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field, replace

import numpy as np
import streamlit as st

from core.charts.cartpole import (
    Marker,
    cart_figure,
    episode_animation,
    returns_figure,
    seeds_figure,
    updates_figure,
)
from core.limits import LIMITS, TRAINING_SLOTS
from core.reinforce.config import TrainConfig, config_diff
from core.reinforce.policy import Policy
from core.reinforce.rollout import play_episode
from core.reinforce.trainer import Trainer
from core.torch_env import torch
from ui.common import show_chart, show_problem

STATE_KEY = "cp_lab"
TICK_S = 0.25
"""Seconds between fragment ticks while one session trains (4 redraws a second)."""
SHARED_TICK_S = 0.4
"""Seconds per training session between ticks while several sessions train (see
tick_interval)."""
TRAIN_SHARE = 0.8
"""Share of a lone session's tick spent training at full speed; the rest redraws the charts."""
MAX_HISTORY = 10
SPEEDS: dict[str, float | None] = {
    "as fast as possible": None, "2,000 steps/s": 2000.0, "500 steps/s": 500.0,
    "100 steps/s": 100.0, "real time (50 steps/s)": 50.0,
}
"""Speed choices: environment steps per second of simulated time (one step is 0.02 s)."""
EMPTY_CHART = ("Press Start: the return of every episode is plotted here as it trains, with "
               "the mean of the last 100 episodes and the solved line at 475.")
BUSY = ("The server is training for {n} other sessions right now, its limit. "
        "Try again in a minute.")


@dataclass
class PastRun:
    """A finished or stopped run kept for overlays."""

    label: str
    config: TrainConfig
    returns: np.ndarray


@dataclass
class Lab:
    """Everything the lab keeps for one browser session."""

    holder: str = field(default_factory=lambda: uuid.uuid4().hex)
    trainers: list[Trainer] = field(default_factory=list)
    running: bool = False
    message: str | None = None
    history: list[PastRun] = field(default_factory=list)
    last_config: TrainConfig | None = None
    watch_before: tuple[np.ndarray, np.ndarray] | None = None
    watch_after: tuple[np.ndarray, np.ndarray] | None = None
    pending_restart: tuple[str, ...] = ()
    wall_s: float = 0.0
    last_tick: float = 0.0
    stop_solved: bool = True
    interval: float | None = None
    """Seconds between ticks of the fragment as last registered (None: not ticking)."""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    """Held while a thread steps, changes or reads the trainers (see the module docstring)."""

    @property
    def started(self) -> bool:
        return bool(self.trainers)

    @property
    def finished(self) -> bool:
        return self.started and all(t.stopped or (t.solved_at is not None and self.stop_solved)
                                    for t in self.trainers)


def lab() -> Lab:
    """This session's lab (created on first use)."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = Lab()
    return st.session_state[STATE_KEY]


def episode_cap(seeds: int) -> int:
    """Episodes each seed may train: the per-session budget shared by the seeds."""
    return max(1, LIMITS.max_episodes_per_session // max(1, seeds))


# ------------------------------------------------------------------ buttons (callbacks)
def start(config: TrainConfig, seeds: int) -> None:
    """Start a fresh run (one trainer per seed), if a training slot is free."""
    state = lab()
    with state.lock:
        if not TRAINING_SLOTS.acquire(state.holder):
            state.message = BUSY.format(n=TRAINING_SLOTS.capacity)
            return
        archive()
        for trainer in state.trainers:
            trainer.close()
        state.trainers = [Trainer(replace(config, seed=config.seed + k)) for k in range(seeds)]
        state.watch_before = state.trainers[0].watch(config.seed)
        state.watch_after = None
        state.running, state.message, state.wall_s = True, None, 0.0
        state.last_config = config
        state.last_tick = time.perf_counter()


def pause() -> None:
    """Stop ticking and give the training slot back."""
    state = lab()
    with state.lock:
        state.running = False
        TRAINING_SLOTS.release(state.holder)


def resume() -> None:
    """Continue the current run, if a training slot is free."""
    state = lab()
    with state.lock:
        if not TRAINING_SLOTS.acquire(state.holder):
            state.message = BUSY.format(n=TRAINING_SLOTS.capacity)
            return
        state.running, state.message = True, None
        state.last_tick = time.perf_counter()


def reset() -> None:
    """Keep the current run in the history and clear it."""
    state = lab()
    with state.lock:
        pause()
        archive()
        for trainer in state.trainers:
            trainer.close()
        state.trainers, state.message, state.watch_after = [], None, None


def clear_history() -> None:
    """Forget the kept runs."""
    state = lab()
    with state.lock:
        state.history = []


def archive() -> None:
    """Move the current run (if it trained at all) into the history, labelled by what differs
    from the run before it. The caller holds the lab's lock."""
    state = lab()
    if not state.trainers or not state.trainers[0].returns:
        return
    config = state.trainers[0].config
    previous = state.history[-1].config if state.history else None
    if previous is None:
        what = "first run"
    else:
        diff = config_diff(previous, config)
        diff.pop("seed", None)
        what = ", ".join(f"{k}={v[1]}" for k, v in diff.items()) or "same settings"
    if state.trainers[0].changes:
        what += " (changed mid-run)"
    n = min(len(t.returns) for t in state.trainers)
    mean = np.mean([np.asarray(t.returns[:n]) for t in state.trainers], axis=0)
    label = f"#{len(state.history) + 1}: {what}"
    state.history = [*state.history, PastRun(label, config, mean)][-MAX_HISTORY:]


def apply_settings(config: TrainConfig) -> None:
    """Pass changed settings to a running trainer: live ones from the next update on."""
    state = lab()
    with state.lock:
        if not state.trainers or state.finished:  # a finished run stays as it was
            state.pending_restart = ()
            return
        restart: set[str] = set()
        for k, trainer in enumerate(state.trainers):
            outcome = trainer.change(replace(config, seed=config.seed + k))
            restart.update(outcome.needs_restart)
        state.pending_restart = tuple(sorted(restart))


def watch_now(config: TrainConfig) -> None:
    """Play one episode with the current policy (or a fresh one before training)."""
    state = lab()
    with state.lock:
        if state.trainers:
            trainer = state.trainers[0]
            state.watch_after = trainer.watch(config.seed + 1000 + len(trainer.episodes))
        else:
            policy = Policy(config.hidden, config.activation, config.dropout, config.seed)
            state.watch_before = play_episode(policy, config.seed)


def policy_snapshot(run_index: int = 0) -> tuple[TrainConfig, dict[str, torch.Tensor]] | None:
    """The current policy of this session's live run: its config and a copy of its weights.

    ``run_index`` 0 is the live run (its first seed). Kept runs keep no weights in this
    process, so any other index, or no run, gives None.
    """
    if run_index != 0:
        return None
    state = lab()
    with state.lock:
        if not state.trainers:
            return None
        trainer = state.trainers[0]
        weights = {k: v.detach().clone() for k, v in trainer.policy.state_dict().items()}
        return trainer.config, weights


# ------------------------------------------------------------------ the live fragment
def tick_interval(sessions_training: int) -> float:
    """Seconds between ticks when this many sessions train in the process.

    Each tick trains about TICK_S * TRAIN_SHARE seconds. A lone session ticks every TICK_S
    (four redraws a second, training on about 0.8 of a core). With n sessions each ticks every
    n * SHARED_TICK_S, so the process trains on about half a core in all and redraws 2.5
    charts a second, however many sessions share it: page reruns of everyone else stay quick,
    and each session trains proportionally slower.
    """
    if sessions_training <= 1:
        return TICK_S
    return SHARED_TICK_S * sessions_training


def _tick(state: Lab, speed: float | None) -> None:
    if not TRAINING_SLOTS.acquire(state.holder):
        state.running = False
        state.message = BUSY.format(n=TRAINING_SLOTS.capacity)
        return
    now = time.perf_counter()
    elapsed = min(now - state.last_tick, 2 * (state.interval or TICK_S))
    state.last_tick = now
    active = [t for t in state.trainers
              if not t.stopped and not (state.stop_solved and t.solved_at is not None)]
    for trainer in active:
        if speed is None:
            trainer.step(max_seconds=TICK_S * TRAIN_SHARE / len(active))
        else:
            trainer.step(max_vector_steps=max(1, round(speed * elapsed)))
    state.wall_s += elapsed
    if state.finished:
        state.running = False
        TRAINING_SLOTS.release(state.holder)
        state.watch_after = state.trainers[0].watch(state.trainers[0].config.seed + 1000)


def _markers(trainer: Trainer) -> list[Marker]:
    return [Marker(c.episodes, f"{c.name} {c.old}→{c.new}") for c in trainer.changes]


def _status(state: Lab) -> str:
    trainers = state.trainers
    episodes = sum(len(t.episodes) for t in trainers)
    steps = sum(t.env_steps for t in trainers)
    train_s = sum(t.seconds for t in trainers)
    means = [t.mean_last() for t in trainers if t.returns]
    mean = float(np.mean(means)) if means else 0.0
    rate = steps / train_s if train_s > 0 else 0.0
    text = (f"{episodes:,} episodes · {steps:,} env steps · last-100 mean "
            f"{mean:.1f} · {rate / 1000:.0f}k steps/s while training")
    solved = [t.solved_at for t in trainers if t.solved_at is not None]
    if solved:
        text += f" · solved in {len(solved)}/{len(trainers)} (first at episode {min(solved):,})"
    if state.running and state.interval and state.interval > TICK_S:
        sessions = round(state.interval / SHARED_TICK_S)
        text += (f" · {sessions} sessions share this server's training: one update of the "
                 f"charts every {state.interval:g} s")
    return text


def _view(state: Lab, speed: float | None, overlay: bool) -> list[tuple]:
    """What the panel shows, built while the lab's lock is held: ("problem", text),
    ("chart", figure, key) and ("caption", text) items in display order."""
    items: list[tuple] = []
    diverged = next((t for t in state.trainers if t.diverged), None)
    if diverged is not None:
        items.append(("problem", diverged.stop_reason or "Training diverged."))
    if state.message:
        items.append(("problem", state.message))
    if len(state.trainers) > 1:
        items.append(("chart", seeds_figure([np.asarray(t.returns) for t in state.trainers]),
                      "cp_chart_seeds"))
    elif not state.trainers and not (overlay and state.history):
        # Empty axes teach nothing, and not drawing them spares a tab that never trains
        # (or is told the server is busy) loading the charting library: about 1 s of CPU.
        items.append(("caption", EMPTY_CHART))
    else:
        trainer = state.trainers[0] if state.trainers else None
        overlays = [(run.label, run.returns) for run in state.history] if overlay else []
        items.append(("chart", returns_figure(trainer.returns if trainer else [],
                                              overlays=overlays,
                                              markers=_markers(trainer) if trainer else []),
                      "cp_chart_returns"))
    if state.trainers:
        items.append(("caption", _status(state)))
        trainer = state.trainers[0]
        updates = trainer.updates
        if speed is not None and state.running:
            items.append(("chart", cart_figure(trainer.live_state(),
                                               title="First environment, now"), "cp_chart_live"))
        items.append(("chart", updates_figure(np.array([u.episodes for u in updates]),
                                              np.array([u.loss for u in updates]),
                                              np.array([u.grad_norm for u in updates]),
                                              np.array([u.entropy for u in updates]),
                                              markers=_markers(trainer)), "cp_chart_updates"))
    return items


def live_panel(speed: float | None, overlay: bool) -> None:
    """The charts, refreshed by a fragment that trains one chunk per tick while running."""
    state = lab()

    state.interval = tick_interval(TRAINING_SLOTS.in_use()) if state.running else None

    @st.fragment(run_every=state.interval)
    def panel() -> None:
        with state.lock:  # released before any Streamlit call, which may end this run
            was_running = state.running
            if state.running:
                _tick(state, speed)
            items = _view(state, speed, overlay)
            stopped_now = was_running and not state.running
            # Another session started or stopped training: re-register at the new pace.
            retune = state.running and tick_interval(TRAINING_SLOTS.in_use()) != state.interval
        for kind, *content in items:
            if kind == "problem":
                show_problem(content[0])
            elif kind == "caption":
                st.caption(content[0])
            else:
                show_chart(content[0], key=content[1])
        if stopped_now or retune:
            st.rerun()  # a full rerun sets the ticking anew and updates the buttons

    panel()


def watch_panel() -> None:
    """Before/after animations of one episode under the policy."""
    state = lab()
    left, right = st.columns(2)
    for column, title, run in ((left, "Before training", state.watch_before),
                               (right, "Current policy", state.watch_after)):
        with column:
            if run is None:
                st.caption(f"{title}: press the button to play an episode.")
            else:
                show_chart(episode_animation(*run, title=title, height=340),
                           key=f"cp_anim_{title[:6].lower()}")
