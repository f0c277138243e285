"""Regenerate the screenshots of docs/rooms.md: a real server on a throw-away SQLite, a teacher
and four students in headless Chromium, each student trying another learning rate.

usage: .venv/bin/python -m docs.rooms.screenshots   (from the repository root)
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.chdir(ROOT)

from playwright.sync_api import sync_playwright  # noqa: E402

from core.rooms.store import RoomStore  # noqa: E402
from deploy.serve_class import free_port  # noqa: E402
from harness.controls import open_expander, slide_to  # noqa: E402
from harness.server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    open_app_page,
    start_server,
    stop_server,
    wait_until_idle,
)

OUT = ROOT / "docs" / "rooms"
STUDENTS = [("ana", "0.001"), ("ben", "0.005"), ("chloe", "0.02"), ("dev", "0.2")]
"""Nickname and learning rate of each student."""
BUDGET = "200"
"""The episode budget the teacher fixes."""


def main() -> None:
    data = tempfile.mkdtemp(prefix="pgs-rooms-docs-")
    port = free_port()
    proc = start_server(port, Path(data) / "server.log",
                        {"PGS_DATA_DIR": data, "PGS_DATABASE_URL": "",
                         "PGS_MAX_TRAINING_SESSIONS": str(len(STUDENTS))})
    url = f"http://127.0.0.1:{port}/class_room"
    store = RoomStore.open(f"sqlite:///{data}/rooms.sqlite3")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            teacher = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            open_app_page(teacher, url)
            teacher.screenshot(path=str(OUT / "landing.png"))
            teacher.get_by_role("button", name="Open a room").click()
            teacher.locator(".st-key-room_big_code").wait_for(timeout=60_000)
            wait_until_idle(teacher)
            code = teacher.locator(".st-key-room_big_code").inner_text().strip().replace("-", "")
            open_expander(teacher, "Values (fixed ones, and where free ones start)",
                          ".st-key-room_value_max_episodes input[type='range']")
            slide_to(teacher, "room_value_max_episodes", BUDGET, "ArrowLeft")
            teacher.get_by_role("button", name="Save the rules").click()
            deadline = time.monotonic() + 30
            while store.room(code).rules.values["max_episodes"] != 200:  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the budget was not saved"
                time.sleep(0.5)
            teacher.get_by_role("heading", name="Class experiment").scroll_into_view_if_needed()
            teacher.screenshot(path=str(OUT / "teacher-open.png"))
            students = []
            for nickname, lr in STUDENTS:
                tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                open_app_page(tab, f"{url}?room={code}")
                tab.locator(".st-key-nickname input").fill(nickname)
                tab.locator(".st-key-nickname input").press("Enter")
                wait_until_idle(tab)
                if not students:
                    tab.screenshot(path=str(OUT / "student-join.png"))
                tab.get_by_role("button", name="Join the room").click()
                tab.locator(".st-key-room_start").wait_for(timeout=60_000)
                wait_until_idle(tab)
                slide_to(tab, "room_set_lr", lr,
                         "ArrowRight" if float(lr) > 0.02 else "ArrowLeft")
                wait_until_idle(tab)
                tab.get_by_role("button", name="Start a run").click()
                students.append(tab)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                runs = store.runs(code)
                if len(runs) == len(STUDENTS) and all(r.finished for r in runs):
                    break
                time.sleep(1)
            time.sleep(3)
            students[2].mouse.move(5, 5)
            students[2].screenshot(path=str(OUT / "student-run.png"))
            teacher.locator(".st-key-room_curves").scroll_into_view_if_needed()
            teacher.screenshot(path=str(OUT / "teacher-live.png"))
            teacher.locator(".st-key-room_table").scroll_into_view_if_needed()
            teacher.screenshot(path=str(OUT / "teacher-table.png"))
            present = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            token = (teacher.locator(".st-key-room_teacher_link code").text_content() or ""
                     ).split("teacher=")[1].strip()
            open_app_page(present, f"{url}?room={code}&teacher={token}&present=1")
            present.locator(".st-key-room_big_code").wait_for(timeout=60_000)
            time.sleep(3)
            present.screenshot(path=str(OUT / "teacher-present.png"))
            present.locator(".st-key-room_curves").scroll_into_view_if_needed()
            time.sleep(2)
            present.screenshot(path=str(OUT / "teacher-present-charts.png"))
            browser.close()
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
