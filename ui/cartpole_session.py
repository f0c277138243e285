"""Streamlit facade of the live CartPole lab: this session's handle on the training pool
(core/pool), its kept runs and animations, and the fragment that redraws the live charts.

Nothing here trains. The buttons send commands to the pool's worker processes (start, pause,
resume, reset, mid-run changes, pace); the fragment redraws what the workers reported, at least
once a second while the run trains (or while the session waits in the queue), and each redraw
tells the pool that the tab is still open. Closing the tab stops the redraws, and the pool drops
the session's runs (core.limits: tab_closed_s).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import streamlit as st

from core.charts.cartpole import (
    Marker,
    cart_figure,
    episode_animation,
    marker_legend,
    returns_figure,
    seeds_figure,
    updates_figure,
)
from core.limits import LIMITS
from core.pool import PoolError, RunView, SessionView, TrainingPool, shared_pool
from core.reinforce.config import TrainConfig, config_diff, validate_config
from core.reinforce.policy import Policy
from core.reinforce.rollout import SOLVED_RETURN, play_episode
from core.reinforce.trainer import SOLVE_WINDOW
from core.torch_env import torch
from ui.common import show_chart, show_problem

STATE_KEY = "cp_lab"
REFRESH_S = 0.5
"""Seconds between redraws of a training session while few sessions train (2 a second)."""
CROWDED_REFRESH_S = 0.8
"""Seconds between redraws once more than CROWDED sessions train on this server: fewer page
reruns for everyone, still more than one redraw a second."""
CROWDED = 2
"""Training sessions above which redraws slow to CROWDED_REFRESH_S or slower (the pace is
chosen when the page runs whole; a fragment reruns its page for a new pace only as
RETUNE_FACTOR and RETUNE_AFTER_S allow). Two: one learner (or two) gets the smoother redraws;
in a class each redraw costs the server about 8-20 ms, and at 2 a second for 23 students the
page servers took over half of a 2-core machine from training."""
MAX_REDRAWS_PER_S = 20.0
"""Live redraws a second one page server aims to stay under once crowded (each costs it about
20 ms of CPU: 0.4 of a core). With more sessions training than this allows at
CROWDED_REFRESH_S, every session's redraws slow down alike, so clicks stay quick."""
SLOWEST_REFRESH_S = 3.0
"""The longest wait between redraws of a training session, however crowded the server."""
RETUNE_FACTOR = 1.5
"""A running fragment reruns its page to take a new pace only when the pace it would choose
now is this many times faster or slower than its own,"""
RETUNE_AFTER_S = 10.0
"""and at most once in this many seconds: a class starting together would otherwise rerun
every page each time one more student pressed Start."""
QUEUED_REFRESH_S = 2.0
"""Seconds between redraws while waiting in the queue (the position moves)."""
MAX_HISTORY = 10
SPEEDS: dict[str, float | None] = {
    "as fast as possible": None,
    "10,000 env steps/s": 10_000.0,
    "2,500 env steps/s": 2_500.0,
    "1,000 env steps/s": 1_000.0,
    "250 env steps/s": 250.0,
    "50 env steps/s": 50.0,
}
"""Speed choices: environment steps per second of each run, counted over all its parallel
environments (16 environments at 2,500 steps/s each step about 156 times a second). 50 steps/s
is real time for one environment (one step is 0.02 s of simulated time)."""
DEFAULT_SPEED = "2,500 env steps/s"
"""The default pace: the default settings solve CartPole in about 100,000-130,000 environment
steps, so 40-50 s at this pace, slow enough to watch the curve rise."""
SPEED_HELP = ("Environment steps per second for each run, counted over all its parallel "
              "environments; the status line under the chart reports the same figure as "
              "measured. The default settings solve in roughly 100,000-130,000 steps: about "
              "45 s at 2,500 steps/s. \"As fast as possible\" trains on this session's share "
              "of the server's training processes.")
EMPTY_CHART = ("Press Start: the return of every episode is plotted here as it trains, with "
               f"the mean of the last {SOLVE_WINDOW} episodes and the solved line at "
               f"{SOLVED_RETURN:g}.")
WAITING = "Starting the training processes: the first episodes appear in a few seconds."
TRAINS_ELSEWHERE = ("Training runs in {workers} separate worker process{es}; "
                    "{n} session{s} train{verb} on this server right now, sharing them in turn.")


@dataclass
class PastRun:
    """A finished or stopped run kept for overlays."""

    label: str
    config: TrainConfig
    returns: np.ndarray
    policy: dict[str, np.ndarray] | None = None
    """The first seed's policy weights when it was kept (if the server still held the run)."""


@dataclass
class Lab:
    """What the lab keeps for one browser session (the runs themselves live in the pool)."""

    holder: str = field(default_factory=lambda: uuid.uuid4().hex)
    """This session's id in the training pool."""
    history: list[PastRun] = field(default_factory=list)
    watch_before: tuple[np.ndarray, np.ndarray] | None = None
    watch_after: tuple[np.ndarray, np.ndarray] | None = None
    pending_restart: tuple[str, ...] = ()
    message: str | None = None
    stop_solved: bool = True
    speed: float | None = SPEEDS[DEFAULT_SPEED]
    """Pace last drawn by the page (sent with Start)."""
    interval: float | None = None
    """Seconds between redraws of the fragment as last registered (None: not redrawing)."""
    interval_since: float = 0.0
    """When (time.monotonic) the fragment's pace was last set by a full run."""
    shown_status: str = "new"
    """The pool status the last full run drew (a change asks for a full rerun)."""

    @property
    def view(self) -> SessionView:
        """This session in the training pool."""
        return _pool().session(self.holder)

    @property
    def trainers(self) -> list[RunView]:
        """The current run's seeds, as mirrored from the worker (read-only)."""
        return self.view.runs

    @property
    def running(self) -> bool:
        """Training, or waiting in the queue to train."""
        return self.view.running

    @property
    def started(self) -> bool:
        return bool(self.view.runs)

    @property
    def finished(self) -> bool:
        """Started and cannot be resumed (done, lost, put away or closed)."""
        return self.started and self.view.status not in ("training", "queued", "paused")


@st.cache_resource(show_spinner=False)
def _pool() -> TrainingPool:
    """The server's training pool (worker processes start with the first lab)."""
    return shared_pool()


def lab() -> Lab:
    """This session's lab (created on first use)."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = Lab()
    state: Lab = st.session_state[STATE_KEY]
    return state


def episode_cap(seeds: int) -> int:
    """Episodes each seed may train: the per-session budget shared by the seeds."""
    return max(1, LIMITS.max_episodes_per_session // max(1, seeds))


def _configs(config: TrainConfig, seeds: int) -> list[TrainConfig]:
    return [replace(config, seed=config.seed + k) for k in range(seeds)]


# ------------------------------------------------------------------ buttons (callbacks)
def start(config: TrainConfig, seeds: int) -> None:
    """Start a fresh run (one per seed) in the pool, now or after the queue."""
    state = lab()
    archive()
    policy = Policy(config.hidden, config.activation, config.dropout, config.seed)
    state.watch_before = play_episode(policy, config.seed)  # the untrained policy: no training
    state.watch_after, state.message = None, None
    state.pending_restart = ()
    _pool().start(state.holder, _configs(config, seeds), state.speed, state.stop_solved)


def pause() -> None:
    """Stop training (or leave the queue); Resume continues."""
    _pool().pause(lab().holder)


def resume() -> None:
    """Continue the current run, now or after the queue."""
    _pool().resume(lab().holder)


def reset() -> None:
    """Keep the current run in the history and clear it."""
    state = lab()
    archive()
    _pool().reset(state.holder)
    state.message, state.watch_after, state.pending_restart = None, None, ()


def clear_history() -> None:
    """Forget the kept runs."""
    lab().history = []


def archive() -> None:
    """Move the current run (if it trained at all) into the history, labelled by what differs
    from the run before it, with its first seed's policy if the server still holds it."""
    state = lab()
    view = state.view
    with view.lock:
        runs = list(view.runs)
        if not runs or not runs[0].returns:
            return
        config = runs[0].config
        changed = bool(runs[0].changes)
        n = min(len(r.returns) for r in runs)
        mean = np.mean([np.asarray(r.returns[:n]) for r in runs], axis=0)
    previous = state.history[-1].config if state.history else None
    if previous is None:
        what = "first run"
    else:
        diff = config_diff(previous, config)
        diff.pop("seed", None)
        what = ", ".join(f"{k}={v[1]}" for k, v in diff.items()) or "same settings"
    if changed:
        what += " (changed mid-run)"
    policy = None
    with contextlib.suppress(PoolError):  # without its policy the curve is still kept
        policy = _pool().ask(state.holder, "snapshot", timeout=2.0)[1]
    label = f"#{len(state.history) + 1}: {what}"
    state.history = [*state.history, PastRun(label, config, mean, policy)][-MAX_HISTORY:]


def apply_settings(config: TrainConfig) -> None:
    """Pass changed settings to the running runs: live ones from their next update on; the
    others are listed in ``pending_restart``."""
    state = lab()
    view = state.view
    with view.lock:
        runs = list(view.runs)
        can_change = view.status in ("training", "paused", "queued")
    if not runs or not can_change or validate_config(config):
        state.pending_restart = ()
        return
    configs = _configs(config, len(runs))
    if all(not config_diff(r.config, c) for r, c in zip(runs, configs, strict=True)):
        state.pending_restart = ()
        return
    from core.reinforce.config import LIVE_FIELDS

    restart = {k for k in config_diff(runs[0].config, configs[0]) if k not in LIVE_FIELDS}
    state.pending_restart = tuple(sorted(restart))
    if any(k in LIVE_FIELDS for k in config_diff(runs[0].config, configs[0])):
        _pool().change(state.holder, configs)


def watch_now(config: TrainConfig) -> None:
    """Play one episode with the current policy (or a fresh one before training)."""
    state = lab()
    view = state.view
    if view.status in ("training", "paused", "finished"):
        try:
            state.watch_after = _pool().ask(state.holder, "watch",
                                            seed=config.seed + 1000 + len(view.runs[0].returns))
            return
        except PoolError as error:
            state.message = f"Could not play the current policy: {error}"
            return
    policy = Policy(config.hidden, config.activation, config.dropout, config.seed)
    state.watch_before = play_episode(policy, config.seed)


def has_live_policy() -> bool:
    """Whether a live run holds a policy to snapshot (read from the session's mirror: no
    round trip to the worker, so a page can ask on every rerun)."""
    view = lab().view
    with view.lock:
        return view.status in ("training", "paused", "finished") and bool(view.runs)


def policy_snapshot(run_index: int = 0) -> tuple[TrainConfig, dict[str, torch.Tensor]] | None:
    """The config and a copy of the policy's state_dict of seed ``run_index`` of the live run
    (asked from its worker), or, for a negative index, of a kept run (-1: the latest kept).
    None if there is no such run or its policy is no longer available."""
    state = lab()
    if run_index < 0:
        if -run_index > len(state.history):
            return None
        kept = state.history[run_index]
        if kept.policy is None:
            return None
        return kept.config, {k: torch.from_numpy(v.copy()) for k, v in kept.policy.items()}
    try:
        config, weights = _pool().ask(state.holder, "snapshot", index=run_index)
    except PoolError:
        return None
    return config, {k: torch.from_numpy(v) for k, v in weights.items()}


# ------------------------------------------------------------------ the live fragment
def refresh_interval(status: str, sessions_training: int) -> float | None:
    """Seconds between redraws: None while nothing changes (paused, finished, no run)."""
    if status == "queued":
        return QUEUED_REFRESH_S
    if status != "training":
        return None
    if sessions_training <= CROWDED:
        return REFRESH_S
    return min(SLOWEST_REFRESH_S,
               max(CROWDED_REFRESH_S, sessions_training / MAX_REDRAWS_PER_S))


def should_retune(current: float | None, wanted: float | None, since_s: float) -> bool:
    """Whether a training session's fragment should rerun its page to take the pace
    ``wanted`` instead of ``current``, ``since_s`` seconds after the pace was set."""
    if current is None or wanted is None or since_s < RETUNE_AFTER_S:
        return False
    return max(current, wanted) >= RETUNE_FACTOR * min(current, wanted)


def _markers(run: RunView) -> list[Marker]:
    return [Marker(c.episodes, f"{c.name} {c.old}→{c.new}") for c in run.changes]


def _status(view: SessionView, workers: int, training: int) -> str:
    runs = view.runs
    episodes = sum(len(r.returns) for r in runs)
    steps = sum(r.env_steps for r in runs)
    means = [r.mean_last() for r in runs if r.returns]
    mean = float(np.mean(means)) if means else 0.0
    rate = steps / len(runs) / view.wall_s if runs and view.wall_s > 0 else 0.0
    text = (f"{episodes:,} episodes · {steps:,} env steps · last-100 mean {mean:.1f} · "
            f"{rate:,.0f} env steps/s per run (all its parallel environments)")
    solved = [r.solved_at for r in runs if r.solved_at is not None]
    if solved:
        text += f" · solved in {len(solved)}/{len(runs)} (first at episode {min(solved):,})"
    if view.status == "training" and training > 1:
        text += " · " + TRAINS_ELSEWHERE.format(
            workers=workers, es="" if workers == 1 else "es", n=training,
            s="" if training == 1 else "s", verb="s" if training == 1 else "")
    return text


def _view(view: SessionView, speed: float | None, overlay: bool, history: list[PastRun],
          workers: int, training: int) -> list[tuple[Any, ...]]:
    """What the panel shows, built while the session's lock is held: ("problem", text),
    ("info", text), ("chart", figure, key) and ("caption", text) items in display order."""
    items: list[tuple[Any, ...]] = []
    runs = view.runs
    diverged = next((r for r in runs if r.diverged), None)
    if diverged is not None:
        items.append(("problem", diverged.stop_reason or "Training diverged."))
    if view.message:
        items.append(("info" if view.status == "queued" else "problem", view.message))
    if view.status == "training" and runs and not any(r.returns or r.env_steps or r.seconds
                                                      for r in runs):
        items.append(("caption", WAITING))
    if len(runs) > 1:
        items.append(("chart", seeds_figure([np.asarray(r.returns) for r in runs]),
                      "cp_chart_seeds"))
    elif not runs and not (overlay and history):
        # Empty axes teach nothing, and not drawing them spares a tab that never trains
        # loading the charting library: about 1 s of CPU.
        items.append(("caption", EMPTY_CHART))
    else:
        run = runs[0] if runs else None
        overlays = [(past.label, past.returns) for past in history] if overlay else []
        items.append(("chart", returns_figure(run.returns if run else [], overlays=overlays,
                                              markers=_markers(run) if run else []),
                      "cp_chart_returns"))
        if run and run.changes:
            items.append(("caption", "Changes during the run (the numbered dotted lines): "
                          + marker_legend(_markers(run))))
    if runs:
        items.append(("caption", _status(view, workers, training)))
        run = runs[0]
        if speed is not None and view.status == "training":
            items.append(("chart", cart_figure(run.live_state(),
                                               title="First environment, now"), "cp_chart_live"))
        updates = run.updates
        items.append(("chart", updates_figure(np.array([u.episodes for u in updates]),
                                              np.array([u.loss for u in updates]),
                                              np.array([u.grad_norm for u in updates]),
                                              np.array([u.entropy for u in updates]),
                                              markers=_markers(run)), "cp_chart_updates"))
    return items


def live_panel(speed: float | None, overlay: bool) -> None:
    """The charts, redrawn from the workers' news while the run trains."""
    state = lab()
    pool = _pool()
    state.speed = speed
    pool.pace(state.holder, speed, state.stop_solved)
    view = state.view
    state.shown_status = view.status
    state.interval = refresh_interval(view.status, pool.training_count())
    state.interval_since = time.monotonic()

    @st.fragment(run_every=state.interval)
    def panel() -> None:
        pool.touch(state.holder)
        workers = pool.limits.training_workers
        training = pool.training_count()
        with view.lock:  # released before any Streamlit call, which may end this run
            if view.watch is not None:
                state.watch_after, view.watch = view.watch, None
            items = _view(view, speed, overlay, state.history, workers, training)
            status = view.status
        if state.message:
            show_problem(state.message)
        for kind, *content in items:
            if kind == "problem":
                show_problem(content[0])
            elif kind == "info":
                st.info(content[0], icon=":material/hourglass_top:")
            elif kind == "caption":
                st.caption(content[0])
            else:
                # The CSV buttons come back once the run stops: while it trains they would be
                # rebuilt with every redraw, for data that is stale a moment later.
                show_chart(content[0], key=content[1], csv=status != "training")
        if status != state.shown_status:
            st.rerun()  # a full rerun sets the redraws anew and updates the buttons
        if should_retune(state.interval, refresh_interval(status, training),
                         time.monotonic() - state.interval_since):
            st.rerun()  # the server got much busier (or quieter): redraw at another pace

    panel()
    if view.status in ("paused", "finished"):
        _watch_idle(state)


IDLE_CHECK_S = 15.0
"""Seconds between checks of a paused or finished run (put away when idle, or its worker lost)."""


def _watch_idle(state: Lab) -> None:
    """A cheap fragment that reruns the page when the pool changed an idle run's status."""

    @st.fragment(run_every=IDLE_CHECK_S)
    def idle() -> None:
        if state.view.status != state.shown_status:
            st.rerun()

    idle()


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
                # Built on each full rerun, never kept: an animation is about 10,000 objects
                # for the garbage collector, which Streamlit runs in full after every script
                # run. Kept in 46 sessions of a class, they made each run of every session
                # about 150 ms longer.
                show_chart(episode_animation(*run, title=title, height=340),
                           key=f"cp_anim_{title[:6].lower()}")
