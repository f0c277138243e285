"""A real PostgreSQL server for the rooms tests: Debian's postgresql binaries run initdb and
pg_ctl on a temporary directory, listening on a free loopback port. The tests run as root, which
PostgreSQL refuses, so the server runs as the ``postgres`` user.

Without PostgreSQL installed the PostgreSQL tests are skipped, unless REQUIRE_POSTGRES=1 (as in
CI, whose .ci/run installs it) makes that a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from deploy.serve_class import free_port

RUN_AS = "postgres"


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def unavailable() -> str | None:
    """Why no PostgreSQL server can be started here (None: it can)."""
    if _bin("initdb") is None or _bin("pg_ctl") is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            return f"running as root and there is no {RUN_AS!r} user to run PostgreSQL as"
    return None


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", RUN_AS, "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away PostgreSQL; yields the admin URL of its ``postgres`` database."""
    base = Path(tempfile.mkdtemp(prefix="pgs-postgres-"))
    data = base / "data"
    if os.geteuid() == 0:
        entry = pwd.getpwnam(RUN_AS)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    port = free_port()
    log = base / "server.log"
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    assert initdb and pg_ctl
    subprocess.run(_as_owner([initdb, "-D", str(data), "-U", "postgres", "--auth=trust",
                              "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True, cwd=base)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off"
    subprocess.run(_as_owner([pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w",
                              "-t", "60", "start"]), check=True, capture_output=True, cwd=base)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_owner([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, cwd=base)
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(admin_url: str) -> str:
    """Create an empty database on the server; returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def wait_for(predicate: object, seconds: float = 10.0) -> None:
    """Poll ``predicate`` (a callable) until true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.1)
    raise TimeoutError("condition not met in time")


@contextmanager
def required_postgres() -> Iterator[str]:
    """The admin URL of a PostgreSQL server running while the block runs; the test is skipped
    when PostgreSQL is not installed, and fails instead when REQUIRE_POSTGRES=1 (as on CI)."""
    reason = unavailable()
    if reason:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unavailable: {reason}")
        pytest.skip(reason)
    with postgres_server() as url:
        yield url
