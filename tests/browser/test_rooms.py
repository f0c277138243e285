"""A class experiment end to end in real browsers, on SQLite and on PostgreSQL: a teacher opens
a room and fixes a small episode budget, three students (three more browser contexts) join with
the link, each picks a learning rate and trains, and the teacher's screen shows all three runs;
the CSV export holds them; closing the room tells the students."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from core.rooms.store import RoomStore
from deploy.serve_class import free_port
from harness.controls import open_expander, slide_to
from harness.server import (
    open_app_page,
    start_server,
    stop_server,
    uncaught_errors,
    wait_until_idle,
)
from tests.rooms.postgres import fresh_database, required_postgres

STUDENTS = [("ana", "0.05"), ("<script>x</script>", "0.1"), ("", "0.005")]
"""Nickname and learning rate of each student (the default is 0.02)."""
BUDGET = "100"
"""Episode budget the teacher fixes (default 1,000): small runs, a quick test."""

CURVES_JS = """() => {
    for (const div of document.querySelectorAll('.js-plotly-plot')) {
        const title = div.layout && div.layout.title && div.layout.title.text;
        if (title && title.startsWith("Every run")) return (div._fullData || []).length;
    }
    return -1;
}"""


@pytest.fixture(scope="module")
def postgres_admin() -> Iterator[str]:
    with required_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def room_server(request: pytest.FixtureRequest, tmp_path: Path, artifacts: Path
                ) -> Iterator[tuple[str, str]]:
    """(app URL, database URL) of a fresh server on a fresh database of each kind."""
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path / 'rooms.sqlite3'}"
        env = {"PGS_DATA_DIR": str(tmp_path), "PGS_DATABASE_URL": ""}
    else:
        db_url = fresh_database(request.getfixturevalue("postgres_admin"))
        env = {"PGS_DATABASE_URL": db_url}
    port = free_port()
    proc = start_server(port, artifacts / f"rooms-{request.param}.log", env)
    try:
        yield f"http://127.0.0.1:{port}", db_url
    finally:
        stop_server(proc)
    errors = uncaught_errors(proc)
    assert not errors, f"the server logged script exceptions: {errors}"


def open_values(tab: Any) -> None:
    """Open the teacher's "Values" expander."""
    open_expander(tab, "Values (fixed ones, and where free ones start)",
                  ".st-key-room_value_max_episodes input[type='range']")


def _wait(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.browser
def test_teacher_and_three_students(browser: Any, room_server: tuple[str, str],
                                    artifacts: Path) -> None:
    app_url, db_url = room_server
    shots = artifacts / "screenshots"
    dialogs: list[str] = []
    teacher_context = browser.new_context(viewport={"width": 1920, "height": 1080},
                                          accept_downloads=True)
    teacher = teacher_context.new_page()
    teacher.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app_page(teacher, f"{app_url}/class_room")
    teacher.get_by_role("button", name="Open a room").click()
    teacher.locator(".st-key-room_big_code").wait_for(timeout=60_000)
    wait_until_idle(teacher)
    code = teacher.locator(".st-key-room_big_code").inner_text().strip().replace("-", "")
    store = RoomStore.open(db_url)
    assert store.room(code) is not None

    # the teacher fixes a 100-episode budget (students keep only the learning rate)
    open_values(teacher)
    slide_to(teacher, "room_value_max_episodes", BUDGET, "ArrowLeft")
    teacher.get_by_role("button", name="Save the rules").click()
    _wait(lambda: store.room(code).rules.values["max_episodes"] == 100, 30, "the saved rules")
    teacher.get_by_role("heading", name="Class experiment").scroll_into_view_if_needed()
    teacher.screenshot(path=str(shots / f"rooms-teacher-open-{store.engine.dialect.name}.png"))

    students = []
    for nickname, lr in STUDENTS:
        tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        open_app_page(tab, f"{app_url}/class_room?room={code}")
        if nickname:
            tab.locator(".st-key-nickname input").fill(nickname)
            tab.locator(".st-key-nickname input").press("Enter")
            wait_until_idle(tab)
        tab.get_by_role("button", name="Join the room").click()
        tab.locator(".st-key-room_start").wait_for(timeout=60_000)
        wait_until_idle(tab)
        slide_to(tab, "room_set_lr", lr, "ArrowRight" if float(lr) > 0.02 else "ArrowLeft")
        wait_until_idle(tab)
        tab.get_by_role("button", name="Start a run").click()
        students.append(tab)
    assert store.student_count(code) == 3

    def all_finished() -> bool:
        runs = store.runs(code)
        return len(runs) == 3 and all(r.finished for r in runs)

    _wait(all_finished, 180, "three finished runs in the database")
    runs = store.runs(code)
    assert sorted(r.settings["lr"] for r in runs) == sorted(float(lr) for _, lr in STUDENTS)
    assert {r.nickname for r in runs} == {n for n, _ in STUDENTS}
    assert all(r.episodes == 100 and 0 < len(r.curve) <= 100 for r in runs)
    # the teacher's screen refreshes by itself: three curves, three table rows
    _wait(lambda: teacher.evaluate(CURVES_JS) == 3, 30, "three curves on the teacher's screen")
    expect(teacher.get_by_text("Runs (Round 1)")).to_have_count(1, timeout=10_000)
    # scrolled by an element outside the refreshing fragment (which re-renders every 1.5 s)
    teacher.locator(".st-key-room_threshold").scroll_into_view_if_needed()
    teacher.screenshot(path=str(shots / f"rooms-teacher-live-{store.engine.dialect.name}.png"))
    students[0].screenshot(path=str(shots / f"rooms-student-{store.engine.dialect.name}.png"))

    teacher.get_by_role("button", name="Export the room's data").click()
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert sorted(float(r["lr"]) for r in rows) == sorted(float(lr) for _, lr in STUDENTS)
    assert {r["nickname"] for r in rows} == {n for n, _ in STUDENTS}

    teacher.get_by_role("button", name="Close the room").click()
    teacher.get_by_role("button", name="Yes, close it").click()
    _wait(lambda: store.room(code) is None, 30, "the room to close")
    for tab in students:
        tab.get_by_text("This room has closed").first.wait_for(timeout=30_000)
    assert dialogs == []  # the script nickname never ran
    for tab in students:
        tab.context.close()
    teacher_context.close()
