"""The rooms' tables, as SQLAlchemy Core metadata. The database itself is built and upgraded by
the Alembic migrations in ``core/rooms/migrations`` (a test checks they agree)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

rooms = sa.Table(
    "rooms", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(6), nullable=False, unique=True),
    sa.Column("teacher_hash", sa.String(64), nullable=False),
    sa.Column("round_name", sa.String(60), nullable=False, server_default=""),
    sa.Column("rules", sa.JSON, nullable=False),
    sa.Column("locked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_activity", sa.Float, nullable=False, index=True),
)
"""One row per open room. The teacher token is kept only as its SHA-256."""

students = sa.Table(
    "room_students", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("room_id", sa.Integer, sa.ForeignKey("rooms.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("nickname", sa.String(20), nullable=False, server_default=""),
    sa.Column("joined_at", sa.Float, nullable=False),
)
"""One row per student who joined a room; the student's token (kept in their browser session)
is what lets them post, kept here only as its SHA-256."""

runs = sa.Table(
    "room_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("room_id", sa.Integer, sa.ForeignKey("rooms.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("student_id", sa.Integer,
              sa.ForeignKey("room_students.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("round_name", sa.String(60), nullable=False, server_default=""),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("episodes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("mean_last100", sa.Float, nullable=False, server_default="0"),
    sa.Column("to_195", sa.Integer, nullable=True),
    sa.Column("to_475", sa.Integer, nullable=True),
    sa.Column("curve", sa.JSON, nullable=False),
    sa.Column("finished", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
"""One row per run a student posted; updated in place as it trains."""
