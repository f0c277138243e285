"""The teacher's side of a class-experiment room: open it, put the join link and QR code on the
projector, set the rules, and watch every student's run arrive, live."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import streamlit as st

from core.charts.rooms import curves_figure, solve_figure
from core.rooms.export import run_table, to_csv, to_json
from core.rooms.gate import open_as_teacher
from core.rooms.settings import SETTINGS, RoomRules, format_value
from core.rooms.store import MAX_ROUND_NAME, Room, RoomError
from core.rooms.summary import THRESHOLDS
from ui.common import presenter_mode, show_chart, show_problem
from ui.rooms.state import (
    ROOM_PARAM,
    TEACHER_PARAM,
    join_link,
    limiter,
    md_literal,
    qr_png,
    spaced,
    store,
    teacher_link,
)

TEACHER_KEY = "room_teacher"
NOTE_KEY = "room_teacher_note"
EXPORT_KEY = "room_export_now"
ROUND_KEY = "round"
"""Key (and URL parameter) of the new room's round name."""
BIG_CODE_CSS = """<style>
.st-key-room_big_code [data-testid="stText"] { font-size: 5rem; font-weight: 700;
  letter-spacing: 0.12em; line-height: 1.1; }
.st-key-room_big_link [data-testid="stText"] { font-size: 2.1rem; font-weight: 600;
  white-space: pre-wrap; word-break: break-all; line-height: 1.2; }
.st-key-room_counts [data-testid="stMetricValue"],
.st-key-room_counts [data-testid="stMetricValue"] p { font-size: 2.6rem; line-height: 1.2; }
</style>"""
"""Large type for the projector: styles the two keyed containers of the join banner (the text
itself goes through Markdown, escaped)."""
REFRESH_S = 1.5
"""Seconds between refreshes of the teacher's charts (the issue asks for at least one update
every 2 s)."""


@dataclass(frozen=True)
class TeacherKey:
    """What the teacher's session keeps: the room and its secret."""

    code: str
    token: str


def teacher_key() -> TeacherKey | None:
    """This session's teacher key, after taking one from a teacher link in the URL (the token
    then leaves the address bar)."""
    token = st.query_params.get(TEACHER_PARAM)
    if token is not None:
        code = st.query_params.get(ROOM_PARAM, "")
        del st.query_params[TEACHER_PARAM]
        try:
            room = open_as_teacher(store(), limiter(), code, token)
        except RoomError as error:
            st.session_state[NOTE_KEY] = str(error)
        else:
            st.session_state[TEACHER_KEY] = TeacherKey(room.code, token)
            st.session_state[NOTE_KEY] = None
            if ROOM_PARAM in st.query_params:
                del st.query_params[ROOM_PARAM]
    key = st.session_state.get(TEACHER_KEY)
    return key if isinstance(key, TeacherKey) else None


def _open_room() -> None:
    try:
        room, token = store().create_room(round_name=st.session_state.get(ROUND_KEY) or "")
    except RoomError as error:
        st.session_state[NOTE_KEY] = str(error)
        return
    st.session_state[TEACHER_KEY] = TeacherKey(room.code, token)
    st.session_state[NOTE_KEY] = None


def open_form() -> None:
    """The teacher's first step: open a room."""
    st.text_input("Round name", value="Round 1", key=ROUND_KEY, max_chars=MAX_ROUND_NAME,
                  bind="query-params", help="Shown to students; change it any time.")
    st.button("Open a room", key="room_open", type="primary", on_click=_open_room)


def _manage(key: TeacherKey, action: str) -> None:
    """Callback of the management buttons and form."""
    the_store = store()
    try:
        if action == "save":
            free = tuple(st.session_state.get("room_free", ()))
            compare_by = st.session_state.get("room_compare") or (free[0] if free else "lr")
            values = {name: st.session_state.get(f"room_value_{name}")
                      for name in SETTINGS}
            the_store.update_room(key.code, key.token,
                                  round_name=st.session_state.get("room_round", ""),
                                  rules=RoomRules(values, free, compare_by))
            st.session_state[NOTE_KEY] = None
        elif action == "lock":
            the_store.update_room(key.code, key.token,
                                  locked=bool(st.session_state.get("room_locked")))
        elif action == "clear":
            gone = the_store.clear_room(key.code, key.token)
            st.session_state[NOTE_KEY] = None
            st.toast(f"Cleared {gone} runs.")
        elif action == "close":
            the_store.close_room(key.code, key.token)
            st.session_state.pop(TEACHER_KEY, None)
            st.session_state[NOTE_KEY] = None
    except RoomError as error:
        st.session_state[NOTE_KEY] = str(error)


def _rules_form(key: TeacherKey, room: Room) -> None:
    rules = room.rules
    # the widgets show the stored rules whenever the room changed since they were drawn
    stamp = (room.round_name, tuple(sorted(rules.to_dict()["values"].items())), rules.free,
             rules.compare_by)
    if st.session_state.get("room_rules_stamp") != stamp:
        st.session_state["room_rules_stamp"] = stamp
        st.session_state["room_round"] = room.round_name
        st.session_state["room_free"] = list(rules.free)
        st.session_state["room_compare"] = rules.compare_by
        for name in SETTINGS:
            st.session_state[f"room_value_{name}"] = rules.values[name]
    with st.form("room_rules"):
        st.text_input("Round name", key="room_round", max_chars=MAX_ROUND_NAME)
        st.multiselect("Students may change", list(SETTINGS), key="room_free",
                       format_func=lambda n: SETTINGS[n].label,
                       help="Everything else is fixed at the values below for the whole room.")
        st.selectbox("Compare runs by", list(SETTINGS), key="room_compare",
                     format_func=lambda n: SETTINGS[n].label,
                     help="The setting the charts colour and spread the runs by.")
        with st.expander("Values (fixed ones, and where free ones start)"):
            columns = st.columns(3)
            for k, (name, setting) in enumerate(SETTINGS.items()):
                with columns[k % 3]:
                    if setting.numeric:
                        st.select_slider(setting.label, setting.options,
                                         key=f"room_value_{name}",
                                         format_func=partial(format_value, name))
                    else:
                        st.selectbox(setting.label, setting.options, key=f"room_value_{name}")
        st.form_submit_button("Save the rules", on_click=_manage, args=(key, "save"))


def _manage_panel(key: TeacherKey, room: Room) -> None:
    st.session_state["room_locked"] = room.locked
    st.toggle("Lock the room (no new students or runs)", key="room_locked",
              on_change=_manage, args=(key, "lock"))
    _rules_form(key, room)
    clear, close = st.columns(2)
    with clear.popover("Clear all runs", width="stretch"):
        st.write("Delete every run posted so far? Students stay in the room.")
        st.button("Yes, clear the runs", key="room_clear", on_click=_manage,
                  args=(key, "clear"), type="primary")
    with close.popover("Close the room", width="stretch"):
        st.write("Delete the room, its students and all runs? The code stops working.")
        st.button("Yes, close it", key="room_close", on_click=_manage, args=(key, "close"),
                  type="primary")
    with st.expander("Your private teacher link (do not project it)"):
        st.caption("It manages this room from any browser. Keep it to yourself.")
        with st.container(key="room_teacher_link"):
            st.code(teacher_link(key.code, key.token), language=None, wrap_lines=True)


def _join_banner(room: Room) -> None:
    link = join_link(room.code)
    qr, text = st.columns([1, 3], vertical_alignment="center")
    qr.image(qr_png(link), caption="Scan to join", width=240)
    st.html(BIG_CODE_CSS)
    with text:
        st.markdown("Join at")
        st.container(key="room_big_link").text(link)
        st.markdown("or enter the code")
        st.container(key="room_big_code").text(spaced(room.code))


def _live(key: TeacherKey) -> None:
    """The refreshing part: counts, both charts, the sortable table."""
    the_store = store()
    the_store.purge_expired()
    room = the_store.room(key.code)
    if room is None:
        show_problem("This room has closed (or expired after a day without activity).")
        return
    records = the_store.runs(room.code)
    current = [r for r in records if r.round_name == room.round_name]
    compare_by = room.rules.compare_by
    low, high = THRESHOLDS
    solved = {low: sum(1 for r in current if r.to_195 is not None),
              high: sum(1 for r in current if r.to_475 is not None)}
    training_now = sum(1 for r in current if not r.finished)
    cols = st.container(key="room_counts").columns(5)
    cols[0].metric("Students", the_store.student_count(room.code))
    cols[1].metric(f"Runs ({room.round_name or 'this round'})", len(current))
    cols[2].metric("Still training", training_now)
    cols[3].metric(f"Reached {low}", solved[low])
    cols[4].metric(f"Reached {high}", solved[high])
    threshold = int(st.session_state.get("room_threshold", high))
    left, right = st.columns(2)
    with left:
        show_chart(curves_figure(current, compare_by), key="room_curves", csv=False)
    with right:
        show_chart(solve_figure(current, compare_by, threshold), key="room_solve", csv=False)
    table = run_table(records)
    with st.container(key="room_table"):
        st.dataframe(table, hide_index=True,
                     column_config={"nickname": st.column_config.TextColumn("nickname")})
    st.caption(f"Updated every {REFRESH_S:g} s. Click a column header to sort.")


def _prepare_export() -> None:
    st.session_state[EXPORT_KEY] = True


def _exports(key: TeacherKey) -> None:
    """The room's data as CSV and JSON, as of the moment the teacher asks.

    The files are built in a full run and handed to the download buttons as bytes. (A callable
    ``data`` would build them on click, but Streamlit 1.67 leaves such a generated file
    unreferenced, so the orphan sweep after any other script run, e.g. the next tick of a
    student's training, can delete it before the browser fetches it: the download is then
    cancelled.)"""
    if not st.session_state.pop(EXPORT_KEY, False):
        st.button("Export the room's data", key="room_export", icon=":material/download:",
                  on_click=_prepare_export,
                  help="CSV (one row per run) and JSON (with the curves), as of now.")
        return
    records = store().runs(key.code)
    st.caption(f"The room's data as of now: {len(records)} runs.")
    left, right = st.columns(2)
    left.download_button("Export CSV", data=to_csv(records), file_name=f"room-{key.code}.csv",
                         mime="text/csv", icon=":material/download:", key="room_csv",
                         on_click="ignore")
    right.download_button("Export JSON", data=to_json(key.code, records),
                          file_name=f"room-{key.code}.json", mime="application/json",
                          icon=":material/download:", key="room_json", on_click="ignore")


def teacher_page(key: TeacherKey) -> None:
    """The teacher's whole view of their room."""
    room = store().room(key.code)
    if room is None:
        st.session_state.pop(TEACHER_KEY, None)
        show_problem("This room has closed (or expired after a day without activity).")
        open_form()
        return
    note = st.session_state.get(NOTE_KEY)
    if note:
        show_problem(note)
    _join_banner(room)
    st.markdown(f"**{md_literal(room.round_name) or 'Untitled round'}** · students choose: "
                + (", ".join(SETTINGS[n].label for n in room.rules.free) or "nothing")
                + f" · compared by {SETTINGS[room.rules.compare_by].label}"
                + (" · **locked**" if room.locked else ""))
    st.radio("Solved means a last-100 mean of", THRESHOLDS, index=1, key="room_threshold",
             horizontal=True)

    @st.fragment(run_every=REFRESH_S)
    def live() -> None:
        _live(key)

    live()
    _exports(key)
    with st.expander("Manage the room", expanded=not presenter_mode()):
        _manage_panel(key, room)

