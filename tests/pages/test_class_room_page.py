"""AppTest of pages/class_room.py: the landing page, a teacher opening and managing a room,
students joining (and being refused) and posting runs, each in its own session."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.rooms.store import RoomStore
from harness.apptest import app_test, assert_no_exception, run_page

PAGE = "pages/class_room.py"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PGS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PGS_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def db(data_dir: Path) -> RoomStore:
    return RoomStore.open(f"sqlite:///{data_dir / 'rooms.sqlite3'}")


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [str(h.proto) for h in at.get("html")]
    return "\n".join(str(p) for p in parts)


def teacher_session(db: RoomStore) -> tuple[AppTest, str]:
    at = run_page(PAGE)
    assert_no_exception(at)
    at.button(key="room_open").click().run()
    assert_no_exception(at)
    code = at.session_state["room_teacher"].code
    assert db.room(code) is not None
    return at, code


def student_session(code: str, nickname: str = "") -> AppTest:
    at = run_page(PAGE)
    at.text_input(key="room").set_value(code)
    at.text_input(key="nickname").set_value(nickname)
    at.button(key="room_join").click().run()
    assert_no_exception(at)
    return at


def test_landing_page_offers_both_roles(data_dir: Path) -> None:
    at = run_page(PAGE)
    assert_no_exception(at)
    assert at.button(key="room_open") is not None
    assert at.text_input(key="room").value == ""
    assert (data_dir / "rooms.sqlite3").exists()


def test_room_end_to_end(db: RoomStore) -> None:
    teacher, code = teacher_session(db)
    assert any(t.value == f"{code[:3]}-{code[3:]}" for t in teacher.text)
    student = student_session(code.lower(), "<b>amy</b>")
    assert db.student_count(code) == 1
    # lr is free by default; pick one and train a small budget
    student.select_slider(key="room_set_lr").set_value(0.1).run()
    student.button(key="room_start").click().run()
    assert_no_exception(student)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (db.runs(code) and db.runs(code)[0].episodes):
        time.sleep(0.3)
        student.run()
        assert_no_exception(student)
    runs = db.runs(code)
    assert runs and runs[0].settings["lr"] == 0.1 and runs[0].nickname == "<b>amy</b>"
    teacher.run()
    assert_no_exception(teacher)
    assert len(teacher.get("plotly_chart")) == 2
    assert len(teacher.dataframe) == 1 and teacher.dataframe[0].value.shape[0] == 1
    assert not teacher.get("download_button")
    teacher.button(key="room_export").click().run()
    assert_no_exception(teacher)
    assert len(teacher.get("download_button")) == 2

    # the teacher fixes everything: the student's widgets follow on their next run
    teacher.multiselect(key="room_free").set_value(["seed"])
    teacher.selectbox(key="room_compare").set_value("seed")
    teacher.button[0].click()  # the rules form's submit
    teacher.run()
    assert_no_exception(teacher)
    assert db.room(code).rules.free == ("seed",)
    student.run()
    assert_no_exception(student)
    keys = {w.key for w in student.select_slider}
    assert "room_set_seed" in keys and "room_set_lr" not in keys

    teacher.toggle(key="room_locked").set_value(True).run()
    assert db.room(code).locked
    late = student_session(code, "late")
    assert "locked" in texts(late) and db.student_count(code) == 1

    teacher.button(key="room_clear").click().run()
    assert_no_exception(teacher)
    assert db.runs(code) == []
    teacher.button(key="room_close").click().run()
    assert_no_exception(teacher)
    assert db.room(code) is None
    student.run()
    assert_no_exception(student)


@pytest.mark.parametrize("typed", ["", "abc", "'; DROP TABLE rooms; --", "<script>x</script>",
                                   "ZZZZZZ", "Ω" * 32])
def test_wrong_codes_get_a_clear_message_and_store_nothing(db: RoomStore, typed: str) -> None:
    db.create_room()
    at = student_session(typed)
    assert "room_member" not in at.session_state
    assert "6 letters and digits" in texts(at) or "No open room" in texts(at)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM room_students").scalar() == 0


def test_a_session_that_keeps_guessing_is_told_to_wait(db: RoomStore) -> None:
    db.create_room()
    at = run_page(PAGE)
    for k in range(12):
        at.text_input(key="room").set_value(f"ZZZZ{k:02d}")
        at.button(key="room_join").click().run()
        assert_no_exception(at)
    assert "Too many wrong codes" in texts(at)


def test_teacher_link_opens_the_room_and_leaves_the_address_bar(db: RoomStore) -> None:
    room, token = db.create_room()
    at = app_test(PAGE)
    at.query_params["room"] = room.code
    at.query_params["teacher"] = token
    at.run()
    assert_no_exception(at)
    assert at.session_state["room_teacher"].code == room.code
    assert "teacher" not in at.query_params
    forged = app_test(PAGE)
    forged.query_params["room"] = room.code
    forged.query_params["teacher"] = "x" * 43
    forged.run()
    assert_no_exception(forged)
    assert "room_teacher" not in forged.session_state
    assert "not valid" in texts(forged)


@pytest.mark.parametrize("env", [{"PGS_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"},
                                 {"PGS_DATABASE_URL": "not a url"}, {"PGS_DATA_DIR": "FILE"}])
def test_an_unusable_database_gives_a_message_not_a_traceback(
        env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.delenv("PGS_DATABASE_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, str(blocker / "sub") if value == "FILE" else value)
    at = run_page(PAGE)
    assert_no_exception(at)
    assert "rooms are unavailable" in texts(at)
