"""The rooms database: SQLAlchemy Core over SQLite (default, in a data directory, WAL mode) or
PostgreSQL (``PGS_DATABASE_URL``), its schema kept by Alembic migrations.

Every public method checks its input before it touches the database, runs in one transaction,
and raises ``RoomError`` with a message meant for the user when it refuses. Secrets are only
compared as hashes, in constant time. Expired rooms are deleted by the store itself.
"""

from __future__ import annotations

import math
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from core.limits import LIMITS, Limits
from core.rooms import codes
from core.rooms.schema import rooms, runs, students
from core.rooms.settings import SETTINGS, RoomRules, choice_problem, rules_problem
from core.rooms.summary import RunSummary

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DATABASE_URL_ENV = "PGS_DATABASE_URL"
"""Environment variable with a SQLAlchemy database URL, e.g.
``postgresql+psycopg://user:password@host:5432/pgs`` (PostgreSQL for several app replicas)."""
DATA_DIR_ENV = "PGS_DATA_DIR"
"""Environment variable naming the directory of the default SQLite database (created on start;
default ``data/`` in the repository)."""
SQLITE_NAME = "rooms.sqlite3"
MAX_NICKNAME = 20
MAX_ROUND_NAME = 60
ACTIVITY_RESOLUTION_S = 60.0
"""A room's last-activity time is rewritten at most this often (expiry needs no more)."""
PURGE_EVERY_S = 60.0
"""Least seconds between two sweeps for expired rooms by one store."""


class RoomError(Exception):
    """A refusal, with a message to show the user as it is."""


@dataclass(frozen=True)
class Room:
    """A room as its teacher and students see it."""

    id: int
    code: str
    round_name: str
    rules: RoomRules
    locked: bool
    created_at: float
    last_activity: float


@dataclass(frozen=True)
class Membership:
    """What a student's session keeps after joining: enough to post, nothing more."""

    code: str
    student_id: int
    token: str
    nickname: str


@dataclass(frozen=True)
class RunRecord:
    """One posted run, as the teacher's screen and the exports read it."""

    id: int
    student_id: int
    nickname: str
    round_name: str
    settings: dict[str, Any]
    episodes: int
    mean_last100: float
    to_195: int | None
    to_475: int | None
    curve: list[tuple[int, float]]
    finished: bool
    started_at: float
    updated_at: float


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The directory of the default SQLite database, created if missing."""
    environ = os.environ if environ is None else environ
    path = Path(environ.get(DATA_DIR_ENV) or ROOT / "data")
    # the host's configured directory, created once per process (never a path a user gave)
    os.makedirs(path, exist_ok=True)
    return path


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """The database to use: ``PGS_DATABASE_URL`` if set, else SQLite in the data directory."""
    environ = os.environ if environ is None else environ
    url = environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir(environ) / SQLITE_NAME}"


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url``. SQLite connections get WAL journaling, foreign keys and a busy
    timeout, so several sessions (threads) and processes can share one file."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def alembic_config(engine_url: str | None = None) -> Config:
    """Alembic's configuration for the rooms migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine_url:
        config.set_main_option("sqlalchemy.url", engine_url.replace("%", "%%"))
    return config


def migrate(engine: sa.Engine) -> None:
    """Bring the database's schema to the newest migration (idempotent)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def clean_nickname(typed: object) -> str:
    """A nickname as stored: trimmed, at most 20 characters, no control characters. Raises
    ``RoomError`` for anything else (nothing is stored then)."""
    if typed is None:
        return ""
    if not isinstance(typed, str):
        raise RoomError("A nickname must be text.")
    name = unicodedata.normalize("NFC", typed.strip())
    if len(name) > MAX_NICKNAME:
        raise RoomError(f"A nickname has at most {MAX_NICKNAME} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise RoomError("A nickname cannot contain control characters.")
    return name


def _clean_round_name(typed: object) -> str:
    if not isinstance(typed, str):
        raise RoomError("A round name must be text.")
    name = typed.strip()
    if len(name) > MAX_ROUND_NAME:
        raise RoomError(f"A round name has at most {MAX_ROUND_NAME} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise RoomError("A round name cannot contain control characters.")
    return name


def _check_summary(summary: RunSummary, limits: Limits) -> None:
    if len(summary.curve) > limits.max_curve_points:
        raise RoomError(f"A run's curve has at most {limits.max_curve_points} points.")
    numbers = [summary.mean_last100, *(v for _, v in summary.curve)]
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in numbers):
        raise RoomError("A run's figures must be finite numbers.")
    if summary.episodes < 0:
        raise RoomError("A run cannot have a negative number of episodes.")


def _room(row: sa.Row[Any]) -> Room:
    return Room(row.id, row.code, row.round_name, RoomRules.from_dict(row.rules),
                bool(row.locked), row.created_at, row.last_activity)


NO_ROOM = "No open room has that code. Check it with your teacher (rooms close after a day)."
BAD_CODE = ("A room code is 6 letters and digits, like 7K3-QXD. Check it with your teacher.")
NOT_TEACHER = "That teacher link is not valid for this room (or the room was closed)."
NOT_MEMBER = "This browser is no longer in that room (it was closed or you were removed)."


class RoomStore:
    """All reads and writes of rooms, students and runs."""

    def __init__(self, engine: sa.Engine, limits: Limits | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.limits = limits or LIMITS
        self.clock = clock
        self._last_purge = -math.inf
        self._purge_lock = threading.Lock()

    @classmethod
    def open(cls, url: str | None = None, limits: Limits | None = None,
             clock: Callable[[], float] = time.time) -> RoomStore:
        """A store on ``url`` (default: ``database_url()``), migrated to the newest schema."""
        engine = make_engine(url or database_url())
        migrate(engine)
        return cls(engine, limits, clock)

    # ------------------------------------------------------------------ housekeeping
    def purge_expired(self, force: bool = False) -> int:
        """Delete rooms idle longer than the expiry, with their students and runs; returns how
        many rooms went. Runs at most once a minute per store unless ``force``."""
        now = self.clock()
        with self._purge_lock:
            if not force and now - self._last_purge < PURGE_EVERY_S:
                return 0
            self._last_purge = now
        cutoff = now - self.limits.room_expiry_s
        with self.engine.begin() as conn:
            ids = [r.id for r in conn.execute(
                sa.select(rooms.c.id).where(rooms.c.last_activity < cutoff))]
            if ids:
                conn.execute(runs.delete().where(runs.c.room_id.in_(ids)))
                conn.execute(students.delete().where(students.c.room_id.in_(ids)))
                conn.execute(rooms.delete().where(rooms.c.id.in_(ids)))
        return len(ids)

    def _touch(self, conn: sa.Connection, room_id: int, now: float) -> None:
        conn.execute(rooms.update()
                     .where(rooms.c.id == room_id,
                            rooms.c.last_activity < now - ACTIVITY_RESOLUTION_S)
                     .values(last_activity=now))

    def _live_room(self, conn: sa.Connection, code: str) -> sa.Row[Any] | None:
        cutoff = self.clock() - self.limits.room_expiry_s
        return conn.execute(sa.select(rooms).where(rooms.c.code == code,
                                                   rooms.c.last_activity >= cutoff)).first()

    # ------------------------------------------------------------------ teacher
    def create_room(self, rules: RoomRules | None = None, round_name: str = "Round 1"
                    ) -> tuple[Room, str]:
        """Open a room; returns it and its teacher token (shown once, never stored)."""
        rules = rules or RoomRules()
        problem = rules_problem(rules)
        if problem:
            raise RoomError(problem)
        round_name = _clean_round_name(round_name)
        self.purge_expired()
        token = codes.new_token()
        now = self.clock()
        for _ in range(10):
            code = codes.new_code()
            try:
                with self.engine.begin() as conn:
                    count = conn.execute(sa.select(sa.func.count()).select_from(rooms)).scalar_one()
                    if count >= self.limits.max_rooms:
                        raise RoomError(
                            f"This server already holds {self.limits.max_rooms} rooms, its "
                            "limit. Close an old room or try again later.")
                    row_id = _new_id(conn.execute(rooms.insert().values(
                        code=code, teacher_hash=codes.token_hash(token), round_name=round_name,
                        rules=rules.to_dict(), locked=False, created_at=now,
                        last_activity=now)))
                return Room(row_id, code, round_name, rules, False, now, now), token
            except sa.exc.IntegrityError:
                continue  # a code already taken (about 1 in a billion per open room)
        raise RoomError("Could not find a free room code; try again.")

    def room(self, code: object) -> Room | None:
        """The open room with this code (any input: a malformed code is simply not found)."""
        normal = codes.normalize_code(code)
        if normal is None:
            return None
        with self.engine.connect() as conn:
            row = self._live_room(conn, normal)
        return _room(row) if row else None

    def teacher_room(self, code: object, token: object) -> Room | None:
        """The room, if ``token`` is its teacher token; else None."""
        normal = codes.normalize_code(code)
        if normal is None or not codes.valid_token(token):
            return None
        assert isinstance(token, str)
        with self.engine.connect() as conn:
            row = self._live_room(conn, normal)
        if row is None or not codes.token_matches(token, row.teacher_hash):
            return None
        return _room(row)

    def _teacher_row(self, conn: sa.Connection, code: object, token: object) -> sa.Row[Any]:
        normal = codes.normalize_code(code)
        if normal is None or not codes.valid_token(token):
            raise RoomError(NOT_TEACHER)
        assert isinstance(token, str)
        row = self._live_room(conn, normal)
        if row is None or not codes.token_matches(token, row.teacher_hash):
            raise RoomError(NOT_TEACHER)
        return row

    def update_room(self, code: object, token: object, *, round_name: str | None = None,
                    rules: RoomRules | None = None, locked: bool | None = None) -> Room:
        """Change a room's round name, rules or lock (teacher token required)."""
        values: dict[str, Any] = {}
        if round_name is not None:
            values["round_name"] = _clean_round_name(round_name)
        if rules is not None:
            problem = rules_problem(rules)
            if problem:
                raise RoomError(problem)
            values["rules"] = rules.to_dict()
        if locked is not None:
            values["locked"] = bool(locked)
        now = self.clock()
        with self.engine.begin() as conn:
            row = self._teacher_row(conn, code, token)
            values["last_activity"] = now
            conn.execute(rooms.update().where(rooms.c.id == row.id).values(**values))
            fresh = conn.execute(sa.select(rooms).where(rooms.c.id == row.id)).one()
        return _room(fresh)

    def clear_room(self, code: object, token: object) -> int:
        """Delete every run of the room (students stay in); returns how many went."""
        with self.engine.begin() as conn:
            row = self._teacher_row(conn, code, token)
            gone = conn.execute(runs.delete().where(runs.c.room_id == row.id)).rowcount
            conn.execute(rooms.update().where(rooms.c.id == row.id)
                         .values(last_activity=self.clock()))
        return int(gone)

    def close_room(self, code: object, token: object) -> None:
        """Delete the room with all its students and runs."""
        with self.engine.begin() as conn:
            row = self._teacher_row(conn, code, token)
            conn.execute(runs.delete().where(runs.c.room_id == row.id))
            conn.execute(students.delete().where(students.c.room_id == row.id))
            conn.execute(rooms.delete().where(rooms.c.id == row.id))

    # ------------------------------------------------------------------ students
    def join(self, code: object, nickname: object = "") -> Membership:
        """Add a student to the room with this code; their session keeps the membership."""
        normal = codes.normalize_code(code)
        if normal is None:
            raise RoomError(BAD_CODE)
        name = clean_nickname(nickname)
        self.purge_expired()
        token = codes.new_token()
        now = self.clock()
        with self.engine.begin() as conn:
            row = self._live_room(conn, normal)
            if row is None:
                raise RoomError(NO_ROOM)
            if row.locked:
                raise RoomError("This room is locked: the teacher is not letting anyone in.")
            count = conn.execute(sa.select(sa.func.count()).select_from(students)
                                 .where(students.c.room_id == row.id)).scalar_one()
            if count >= self.limits.max_room_students:
                raise RoomError(f"This room is full ({self.limits.max_room_students} students).")
            student_id = _new_id(conn.execute(students.insert().values(
                room_id=row.id, token_hash=codes.token_hash(token), nickname=name,
                joined_at=now)))
            self._touch(conn, row.id, now)
        return Membership(normal, int(student_id), token, name)

    def _member(self, conn: sa.Connection, member: Membership) -> tuple[sa.Row[Any], int]:
        normal = codes.normalize_code(member.code)
        if normal is None or not codes.valid_token(member.token):
            raise RoomError(NOT_MEMBER)
        row = self._live_room(conn, normal)
        if row is None:
            raise RoomError("This room has closed.")
        student = conn.execute(sa.select(students.c.id, students.c.token_hash).where(
            students.c.id == member.student_id, students.c.room_id == row.id)).first()
        if student is None or not codes.token_matches(member.token, student.token_hash):
            raise RoomError(NOT_MEMBER)
        return row, int(student.id)

    def start_run(self, member: Membership, settings: dict[str, Any],
                  summary: RunSummary) -> int:
        """Post a new run of this student with these settings; returns its id."""
        _check_summary(summary, self.limits)
        now = self.clock()
        with self.engine.begin() as conn:
            room, student_id = self._member(conn, member)
            rules = RoomRules.from_dict(room.rules)
            problem = choice_problem(rules, settings)
            if problem:
                raise RoomError(problem)
            if room.locked:
                raise RoomError("This room is locked: no new runs for now.")
            count = conn.execute(sa.select(sa.func.count()).select_from(runs).where(
                runs.c.student_id == student_id)).scalar_one()
            if count >= self.limits.max_runs_per_student:
                raise RoomError(f"You have posted {self.limits.max_runs_per_student} runs, "
                                "this room's limit per student.")
            run_id = _new_id(conn.execute(runs.insert().values(
                room_id=room.id, student_id=student_id, round_name=room.round_name,
                settings={k: settings[k] for k in SETTINGS}, started_at=now, updated_at=now,
                **_summary_values(summary))))
            self._touch(conn, room.id, now)
        return int(run_id)

    def update_run(self, member: Membership, run_id: int, summary: RunSummary) -> None:
        """Replace the progress of one of this student's runs."""
        _check_summary(summary, self.limits)
        now = self.clock()
        with self.engine.begin() as conn:
            room, student_id = self._member(conn, member)
            done = conn.execute(runs.update().where(
                runs.c.id == run_id, runs.c.student_id == student_id,
                runs.c.room_id == room.id).values(updated_at=now,
                                                  **_summary_values(summary))).rowcount
            if not done:
                raise RoomError("That run is no longer in the room (the teacher cleared it).")
            self._touch(conn, room.id, now)

    def is_member(self, member: Membership) -> bool:
        """True while this student is still in an open room."""
        try:
            with self.engine.connect() as conn:
                self._member(conn, member)
        except RoomError:
            return False
        return True

    # ------------------------------------------------------------------ reading
    def runs(self, code: object) -> list[RunRecord]:
        """Every run posted to the room, oldest first (none for an unknown code)."""
        normal = codes.normalize_code(code)
        if normal is None:
            return []
        with self.engine.connect() as conn:
            room = self._live_room(conn, normal)
            if room is None:
                return []
            rows = conn.execute(
                sa.select(runs, students.c.nickname)
                .join(students, students.c.id == runs.c.student_id)
                .where(runs.c.room_id == room.id).order_by(runs.c.id)).all()
        return [RunRecord(r.id, r.student_id, r.nickname, r.round_name, dict(r.settings),
                          r.episodes, r.mean_last100, r.to_195, r.to_475,
                          [(int(e), float(v)) for e, v in r.curve], bool(r.finished),
                          r.started_at, r.updated_at) for r in rows]

    def student_count(self, code: object) -> int:
        """Students who joined the room."""
        normal = codes.normalize_code(code)
        if normal is None:
            return 0
        with self.engine.connect() as conn:
            room = self._live_room(conn, normal)
            if room is None:
                return 0
            return int(conn.execute(sa.select(sa.func.count()).select_from(students)
                                    .where(students.c.room_id == room.id)).scalar_one())


def _new_id(result: sa.CursorResult[Any]) -> int:
    """The primary key an INSERT just made."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _summary_values(summary: RunSummary) -> dict[str, Any]:
    return {"episodes": summary.episodes, "mean_last100": summary.mean_last100,
            "to_195": summary.to_195, "to_475": summary.to_475,
            "curve": [[e, v] for e, v in summary.curve], "finished": summary.finished}
