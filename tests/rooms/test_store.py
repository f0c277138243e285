"""The rooms store on SQLite and on PostgreSQL: the room flow, isolation, permissions, limits,
expiry, batching, hostile input and the migrations."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.limits import Limits
from core.rooms.batcher import RunPoster
from core.rooms.export import to_csv, to_json
from core.rooms.schema import metadata
from core.rooms.settings import DEFAULTS, RoomRules
from core.rooms.store import Membership, RoomError, RoomStore
from core.rooms.summary import summarize


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def store_on(url: str, **limits: Any) -> RoomStore:
    return RoomStore.open(url, limits=replace(Limits(), **limits))


def settings(**changes: Any) -> dict[str, Any]:
    return {**DEFAULTS, **changes}


def table_counts(store: RoomStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in metadata.tables.items()}


def test_room_flow(db_url: str) -> None:
    store = store_on(db_url)
    room, token = store.create_room()
    assert store.room(room.code) == room
    alice = store.join(room.code.lower(), "alice")
    bob = store.join(room.code, "")
    run = store.start_run(alice, settings(lr=0.1), summarize([20.0, 30.0], 200))
    store.update_run(alice, run, summarize([20.0] * 150 + [500.0] * 100, 200))
    store.start_run(bob, settings(lr=0.001), summarize([10.0], 200))
    records = store.runs(room.code)
    assert [(r.nickname, r.settings["lr"]) for r in records] == [("alice", 0.1), ("", 0.001)]
    # the last-100 mean first reaches 195 with 37 of the 500s: (37·500 + 63·20)/100 ≥ 195
    assert records[0].episodes == 250 and records[0].to_195 == 150 + 37
    assert records[1].to_195 is None
    assert store.student_count(room.code) == 2
    assert "alice" in to_csv(records) and '"lr": 0.1' in to_json(room.code, records)

    updated = store.update_room(room.code, token, round_name="Round 2", locked=True,
                                rules=RoomRules(free=("lr", "seed"), compare_by="seed"))
    assert updated.locked and updated.round_name == "Round 2"
    assert store.room(room.code).rules.free == ("lr", "seed")
    with pytest.raises(RoomError, match="locked"):
        store.join(room.code, "carol")
    with pytest.raises(RoomError, match="locked"):
        store.start_run(bob, settings(lr=0.2), summarize([], 200))
    store.update_room(room.code, token, locked=False)
    assert store.clear_room(room.code, token) == 2
    assert store.runs(room.code) == []
    with pytest.raises(RoomError, match="cleared"):
        store.update_run(alice, run, summarize([1.0], 200))
    store.close_room(room.code, token)
    assert store.room(room.code) is None
    assert table_counts(store) == {"rooms": 0, "room_students": 0, "room_runs": 0}
    with pytest.raises(RoomError):
        store.start_run(alice, settings(), summarize([], 200))


def test_rooms_are_isolated_and_runs_belong_to_their_student(db_url: str) -> None:
    store = store_on(db_url)
    first, first_token = store.create_room()
    second, second_token = store.create_room()
    alice = store.join(first.code, "alice")
    mallory = store.join(second.code, "mallory")
    run = store.start_run(alice, settings(), summarize([50.0], 200))
    store.start_run(mallory, settings(), summarize([60.0], 200))
    assert [r.nickname for r in store.runs(first.code)] == ["alice"]
    assert [r.nickname for r in store.runs(second.code)] == ["mallory"]
    # mallory cannot touch alice's run: not with her own token, not with alice's ids
    with pytest.raises(RoomError):
        store.update_run(mallory, run, summarize([0.0], 200))
    forged = Membership(first.code, alice.student_id, mallory.token, "x")
    with pytest.raises(RoomError):
        store.update_run(forged, run, summarize([0.0], 200))
    posing = Membership(first.code, mallory.student_id, mallory.token, "x")
    with pytest.raises(RoomError):
        store.update_run(posing, run, summarize([0.0], 200))
    assert store.runs(first.code)[0].mean_last100 == 50.0
    # one room's teacher token does not manage another room
    for code, token in ((first.code, second_token), (second.code, first_token)):
        with pytest.raises(RoomError, match="not valid"):
            store.clear_room(code, token)
        with pytest.raises(RoomError, match="not valid"):
            store.close_room(code, token)
        assert store.teacher_room(code, token) is None
    assert len(store.runs(first.code)) == 1 and len(store.runs(second.code)) == 1


def test_students_keep_to_the_rooms_rules(db_url: str) -> None:
    store = store_on(db_url)
    room, _ = store.create_room(RoomRules(free=("lr",)))
    member = store.join(room.code)
    for bad in (settings(gamma=0.9), settings(lr=0.0123), settings(lr=True),
                {k: v for k, v in DEFAULTS.items() if k != "seed"},
                {**DEFAULTS, "lr": "0.1; DROP TABLE rooms"}):
        with pytest.raises(RoomError):
            store.start_run(member, bad, summarize([], 200))
    assert store.runs(room.code) == []


def test_limits_on_rooms_students_runs_and_curves(db_url: str) -> None:
    store = store_on(db_url, max_rooms=2, max_room_students=2, max_runs_per_student=2,
                     max_curve_points=5)
    room, _ = store.create_room()
    store.create_room()
    with pytest.raises(RoomError, match="limit"):
        store.create_room()
    member = store.join(room.code)
    store.join(room.code)
    with pytest.raises(RoomError, match="full"):
        store.join(room.code)
    with pytest.raises(RoomError, match="at most 5"):
        store.start_run(member, settings(), summarize(list(range(100)), 6))
    store.start_run(member, settings(), summarize(list(range(100)), 5))
    store.start_run(member, settings(), summarize([], 5))
    with pytest.raises(RoomError, match="limit"):
        store.start_run(member, settings(), summarize([], 5))
    assert table_counts(store) == {"rooms": 2, "room_students": 2, "room_runs": 2}


def test_rooms_expire_after_their_last_activity(db_url: str) -> None:
    clock = Clock()
    store = RoomStore.open(db_url, limits=replace(Limits(), room_expiry_s=3600), clock=clock)
    idle, _ = store.create_room()
    busy, _ = store.create_room()
    member = store.join(busy.code)
    store.start_run(member, settings(), summarize([1.0], 200))
    clock.now += 3000
    store.start_run(member, settings(), summarize([2.0], 200))  # activity keeps it open
    clock.now += 700
    assert store.room(idle.code) is None  # expired rooms are invisible at once...
    assert store.room(busy.code) is not None
    assert store.purge_expired(force=True) == 1  # ...and deleted by the sweep
    assert table_counts(store) == {"rooms": 1, "room_students": 1, "room_runs": 2}
    clock.now += 3700
    store.purge_expired(force=True)
    assert table_counts(store) == {"rooms": 0, "room_students": 0, "room_runs": 0}


HOSTILE_TEXT = ["<script>alert(1)</script>", "'; DROP TABLE rooms; --", "\" OR 1=1 --",
                "Robert'); DROP TABLE room_students;--", "%s %s %(x)s", "\\x00", "' UNION SELECT"]


@pytest.mark.parametrize("code", [*HOSTILE_TEXT, "", "A" * 100_000, "ÅÄÖ123", "\x00" * 6,
                                  "ABC\nDE"])
def test_hostile_codes_find_nothing_and_store_nothing(db_url: str, code: str) -> None:
    store = store_on(db_url)
    store.create_room()
    with pytest.raises(RoomError, match="6 letters and digits"):
        store.join(code, "x")
    assert store.room(code) is None and store.runs(code) == []
    assert store.teacher_room(code, "x") is None
    assert table_counts(store) == {"rooms": 1, "room_students": 0, "room_runs": 0}


@pytest.mark.parametrize("token", [*HOSTILE_TEXT, "", "t" * 100_000, "t" * 43, None, 7])
def test_hostile_teacher_tokens_manage_nothing(db_url: str, token: Any) -> None:
    store = store_on(db_url)
    room, _ = store.create_room()
    store.start_run(store.join(room.code), settings(), summarize([1.0], 200))
    for action in (store.clear_room, store.close_room):
        with pytest.raises(RoomError, match="not valid"):
            action(room.code, token)
    with pytest.raises(RoomError, match="not valid"):
        store.update_room(room.code, token, locked=True)
    assert store.teacher_room(room.code, token) is None
    assert len(store.runs(room.code)) == 1 and not store.room(room.code).locked


@pytest.mark.parametrize("nickname", HOSTILE_TEXT)
def test_hostile_nicknames_are_stored_as_plain_text(db_url: str, nickname: str) -> None:
    store = store_on(db_url)
    room, _ = store.create_room()
    if len(nickname) > 20:
        with pytest.raises(RoomError, match="at most 20"):
            store.join(room.code, nickname)
        assert table_counts(store)["room_students"] == 0
        return
    member = store.join(room.code, nickname)
    store.start_run(member, settings(), summarize([1.0], 200))
    assert store.runs(room.code)[0].nickname == nickname  # data, never SQL
    assert table_counts(store) == {"rooms": 1, "room_students": 1, "room_runs": 1}


@pytest.mark.parametrize("nickname", ["a" * 21, "tab\there", "new\nline", "nul\x00", 5])
def test_bad_nicknames_are_refused_and_nothing_stored(db_url: str, nickname: Any) -> None:
    store = store_on(db_url)
    room, _ = store.create_room()
    with pytest.raises(RoomError):
        store.join(room.code, nickname)
    assert table_counts(store)["room_students"] == 0


def test_poster_writes_at_most_once_per_interval(db_url: str) -> None:
    store = store_on(db_url)
    room, _ = store.create_room()
    now = [0.0]
    poster = RunPoster(store, store.join(room.code), settings(), interval_s=1.0,
                       clock=lambda: now[0])
    returns: list[float] = []
    for tick in range(100):  # 10 s of progress offered every 0.1 s
        now[0] = tick * 0.1
        returns.append(float(tick))
        poster.offer(summarize(returns, 200))
    assert poster.writes == 10
    assert store.runs(room.code)[0].episodes == 91  # the newest write: at most 1 s old
    poster.offer(summarize(returns, 200, finished=True))  # a finish is written at once
    assert poster.writes == 11 and store.runs(room.code)[0].finished
    assert store.runs(room.code)[0].episodes == 100


def test_two_sessions_of_one_process_see_the_same_room(db_url: str) -> None:
    teacher_side, student_side = store_on(db_url), store_on(db_url)
    room, token = teacher_side.create_room()
    errors: list[BaseException] = []

    def student(k: int) -> None:
        try:
            member = student_side.join(room.code, f"s{k}")
            run = student_side.start_run(member, settings(), summarize([], 200))
            for n in range(1, 6):
                student_side.update_run(member, run, summarize([float(k)] * n, 200))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=student, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    records = teacher_side.runs(room.code)
    assert sorted(r.nickname for r in records) == [f"s{k}" for k in range(8)]
    assert all(r.episodes == 5 for r in records)
    assert teacher_side.teacher_room(room.code, token) is not None


def test_migrations_build_exactly_the_schema(db_url: str) -> None:
    store = store_on(db_url)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == "0001"
        assert compare_metadata(context, metadata) == []
    RoomStore.open(db_url)  # migrating again is a no-op


def test_sqlite_uses_wal(tmp_path: Any) -> None:
    store = RoomStore.open(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_default_database_is_sqlite_in_a_created_data_dir(tmp_path: Any) -> None:
    from core.rooms.store import database_url

    target = tmp_path / "nested" / "data"
    url = database_url({"PGS_DATA_DIR": str(target)})
    assert target.is_dir() and url == f"sqlite:///{target / 'rooms.sqlite3'}"
    assert database_url({"PGS_DATABASE_URL": "postgresql+psycopg://u@h/db"}).startswith(
        "postgresql+psycopg://")
