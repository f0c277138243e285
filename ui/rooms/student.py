"""The student's side of a class-experiment room: join with a code, choose the settings the
room leaves free, train, and have the run posted to the teacher's screen as it trains."""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from core.limits import LIMITS
from core.rooms.batcher import RunPoster
from core.rooms.gate import join_room
from core.rooms.settings import SETTINGS, RoomRules, choice_problem, format_value, to_config
from core.rooms.store import MAX_NICKNAME, Membership, Room, RoomError
from core.rooms.summary import THRESHOLDS, summarize
from ui.common import show_problem
from ui.rooms import training
from ui.rooms.state import ROOM_PARAM, limiter, md_literal, spaced, store

MEMBER_KEY = "room_member"
POSTER_KEY = "room_poster"
NOTE_KEY = "room_student_note"
NICKNAME_KEY = "nickname"
"""Key (and URL parameter) of the nickname field."""
POST_EVERY_S = 1.0
"""Seconds between the posting fragment's ticks (writes are batched to the limits' interval)."""


def _member() -> Membership | None:
    member = st.session_state.get(MEMBER_KEY)
    return member if isinstance(member, Membership) else None


def _poster() -> RunPoster | None:
    poster = st.session_state.get(POSTER_KEY)
    return poster if isinstance(poster, RunPoster) else None


def joined() -> bool:
    """True once this session has joined a room."""
    return _member() is not None


def _join() -> None:
    """Join button callback: the code and nickname typed (or taken from a join link)."""
    try:
        member = join_room(store(), limiter(), st.session_state.get(ROOM_PARAM, ""),
                           st.session_state.get(NICKNAME_KEY, ""))
    except RoomError as error:
        st.session_state[NOTE_KEY] = str(error)
        return
    st.session_state[MEMBER_KEY] = member
    st.session_state[NOTE_KEY] = None


def _leave() -> None:
    training.reset()
    for key in (MEMBER_KEY, POSTER_KEY):
        st.session_state.pop(key, None)


def join_form() -> None:
    """The code and nickname fields (the code filled in by a join link) and the Join button."""
    st.text_input("Room code", key=ROOM_PARAM, max_chars=32, placeholder="e.g. 7K3-QXD",
                  bind="query-params",
                  help="Six letters and digits, from your teacher's screen.")
    st.text_input("Nickname (optional, shown on the teacher's screen)", key=NICKNAME_KEY,
                  max_chars=MAX_NICKNAME, bind="query-params",
                  help="No real name needed: anything up to 20 characters, or nothing.")
    st.button("Join the room", key="room_join", type="primary", on_click=_join)
    note = st.session_state.get(NOTE_KEY)
    if note:
        show_problem(note)


def _chosen(rules: RoomRules) -> dict[str, Any]:
    """The student's settings: the room's fixed values and their own choice of the free ones."""
    chosen = dict(rules.values)
    for name in rules.free:
        value = st.session_state.get(f"room_set_{name}")
        if value in SETTINGS[name].options:
            chosen[name] = value
    return chosen


def _start(rules: RoomRules) -> None:
    """Start button callback: check the choice against the room, start training, post."""
    member = _member()
    if member is None:
        return
    room = store().room(member.code)
    if room is None:
        st.session_state[NOTE_KEY] = "This room has closed."
        return
    chosen = _chosen(room.rules)
    problem = choice_problem(room.rules, chosen)
    if problem or room.locked:
        st.session_state[NOTE_KEY] = problem or "The room is locked: no new runs for now."
        return
    failed = training.start(to_config(chosen))
    if failed:
        st.session_state[NOTE_KEY] = failed
        return
    st.session_state[POSTER_KEY] = RunPoster(store(), member, chosen,
                                             interval_s=float(LIMITS.room_write_interval_s))
    st.session_state[NOTE_KEY] = None


def _settings_widgets(rules: RoomRules) -> None:
    free = [name for name in SETTINGS if name in rules.free]
    if free:
        st.markdown("**Your settings**")
    for name in free:
        setting = SETTINGS[name]
        key = f"room_set_{name}"
        if st.session_state.get(key) not in setting.options:
            st.session_state[key] = rules.values[name]
        if setting.numeric:
            st.select_slider(setting.label, setting.options, key=key,
                             format_func=partial(format_value, name))
        else:
            st.selectbox(setting.label, setting.options, key=key)
    fixed = [name for name in SETTINGS if name not in rules.free]
    st.caption("Fixed by your teacher: " + ", ".join(
        f"{SETTINGS[n].label} {format_value(n, rules.values[n])}" for n in fixed))


def _post() -> None:
    """Offer the run's newest progress to the room (batched) and say what was posted."""
    poster = _poster()
    if poster is None:
        st.caption("Press Start: your run appears on the teacher's screen as it trains.")
        return
    now = training.progress()
    if now is not None:
        try:
            poster.offer(summarize(now.returns, LIMITS.max_curve_points, finished=now.finished))
        except RoomError as error:
            st.session_state.pop(POSTER_KEY, None)
            show_problem(f"{error} Your run keeps training here but is no longer posted.")
            return
    posted = poster.posted
    if posted is None:
        st.caption("Your run is posted once it has finished its first episodes.")
        return
    episodes_to = zip(THRESHOLDS, (posted.to_195, posted.to_475), strict=True)
    reached = ", ".join(f"{t} after {e:,} episodes" for t, e in episodes_to if e is not None)
    st.caption(f"Posted to the room: {posted.episodes:,} episodes, last-100 mean "
               f"{posted.mean_last100:.0f}" + (f"; reached {reached}" if reached else "")
               + (" · finished" if posted.finished else ""))


def _watch_room(member: Membership, shown: dict[str, Any]) -> None:
    """Rerun the page when the teacher changes the rules or closes the room."""
    room = store().room(member.code)
    if room is None or room.rules.to_dict() != shown:
        st.rerun(scope="app")


def room_view(member: Membership) -> None:
    """The joined student's page: settings, Start, the live chart, the posting status."""
    room: Room | None = store().room(member.code)
    if room is None:
        show_problem("This room has closed (or expired). Ask your teacher for a new code.")
        st.button("Join another room", on_click=_leave, key="room_leave_closed")
        return
    name = f" as **{md_literal(member.nickname)}**" if member.nickname else ""
    st.markdown(f"You are in room **{spaced(room.code)}**{name}"
                + (f" · {md_literal(room.round_name)}" if room.round_name else "")
                + (" · locked by the teacher" if room.locked else ""))
    rules = room.rules
    controls, charts = st.columns([1, 2], gap="large")
    with controls:
        _settings_widgets(rules)
        progress = training.progress()
        running = progress is not None and progress.running
        st.button("Start a run", key="room_start", type="primary", on_click=_start,
                  args=(rules,), width="stretch", disabled=room.locked,
                  help="A fresh run with these settings, posted to the room as it trains.")
        left, right = st.columns(2)
        left.button("Pause", key="room_pause", on_click=training.pause, disabled=not running,
                    width="stretch")
        right.button("Resume", key="room_resume", on_click=training.resume, width="stretch",
                     disabled=progress is None or progress.running or progress.finished)
        st.button("Leave the room", key="room_leave", on_click=_leave, type="tertiary")
    with charts:
        note = st.session_state.get(NOTE_KEY)
        if note:
            show_problem(note)

        @st.fragment(run_every=POST_EVERY_S)
        def posting() -> None:
            _post()
            _watch_room(member, rules.to_dict())

        posting()
        training.panel()


def student_page() -> None:
    """The student's whole view: the join form, or the room once joined."""
    member = _member()
    if member is None:
        join_form()
    else:
        room_view(member)
