"""Every call the class-experiment room makes into the CartPole lab's training, in one place.

A student's run in a room trains through the lab's session API (``ui/cartpole_session``: start,
pause, resume, reset, live_panel), so it shares the lab's training slots, pace and (once they
move there) its worker processes. This module is the only one of the room's that touches the lab:
if the lab's internals change, this is the one file to change.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.reinforce.config import TrainConfig
from ui import cartpole_session as lab

RUN_KEY = "room_training_run"
"""Session key of the number of the lab run the room started (None: not the room's)."""


@dataclass(frozen=True)
class Progress:
    """What the room reads of the student's current run."""

    config: TrainConfig
    returns: list[float]
    running: bool
    finished: bool
    message: str | None
    """The lab's own note (e.g. the server is busy, training diverged), if any."""


def start(config: TrainConfig) -> str | None:
    """Start a fresh one-seed run as fast as this session's share of the training processes
    allows, stopping once solved (queued if the server is full); the lab's message if it could
    not start."""
    state = lab.lab()
    state.stop_solved, state.speed = True, None
    lab.start(config, 1)
    view = state.view
    if view.status == "failed":
        st.session_state[RUN_KEY] = None
        return view.message or "The run could not start."
    st.session_state[RUN_KEY] = view.run
    return None


def pause() -> None:
    """Pause the room's run."""
    lab.pause()


def resume() -> None:
    """Resume the room's run."""
    lab.resume()


def reset() -> None:
    """Stop and drop the current run (the room keeps what was posted)."""
    lab.reset()
    st.session_state[RUN_KEY] = None


def progress() -> Progress | None:
    """The room's run as it is now, or None if the lab holds no run the room started (e.g. the
    student started another one on the CartPole page)."""
    state = lab.lab()
    marker = st.session_state.get(RUN_KEY)
    view = state.view
    if marker is None or view.run != marker or not view.runs:
        return None
    run = view.runs[0]
    reason = run.stop_reason if run.diverged else None
    return Progress(run.config, list(run.returns), state.running, state.finished,
                    view.message or reason)


def panel() -> None:
    """The lab's live chart of the run, training one chunk per tick while it runs."""
    lab.live_panel(None, overlay=False)
