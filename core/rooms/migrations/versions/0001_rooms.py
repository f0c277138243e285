"""Rooms, their students and their runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(6), nullable=False, unique=True),
        sa.Column("teacher_hash", sa.String(64), nullable=False),
        sa.Column("round_name", sa.String(60), nullable=False, server_default=""),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("locked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_activity", sa.Float, nullable=False),
    )
    op.create_index("ix_rooms_last_activity", "rooms", ["last_activity"])
    op.create_table(
        "room_students",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("room_id", sa.Integer, sa.ForeignKey("rooms.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("nickname", sa.String(20), nullable=False, server_default=""),
        sa.Column("joined_at", sa.Float, nullable=False),
    )
    op.create_index("ix_room_students_room_id", "room_students", ["room_id"])
    op.create_table(
        "room_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("room_id", sa.Integer, sa.ForeignKey("rooms.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("student_id", sa.Integer,
                  sa.ForeignKey("room_students.id", ondelete="CASCADE"), nullable=False),
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
    op.create_index("ix_room_runs_room_id", "room_runs", ["room_id"])
    op.create_index("ix_room_runs_student_id", "room_runs", ["student_id"])


def downgrade() -> None:
    op.drop_table("room_runs")
    op.drop_table("room_students")
    op.drop_table("rooms")
