"""Alembic environment of the rooms database. Run through ``core.rooms.store.migrate`` (the app
does so on start), or the CLI: ``alembic -c core/rooms/alembic.ini upgrade head`` with
PGS_DATABASE_URL set."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from core.rooms.schema import metadata

MIGRATION_LOCK = 727_016
"""PostgreSQL advisory-lock key held while migrating, so app replicas starting together take
turns."""


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from core.rooms.store import database_url, make_engine

        engine = make_engine(context.config.get_main_option("sqlalchemy.url") or database_url())
        with engine.connect() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": MIGRATION_LOCK})
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run them online.")
run_migrations_online()
