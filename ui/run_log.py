"""Opt-in timing of page runs on the server (PGS_LOG_RUN_TIMES=1), for the load benchmark.

A browser-side timing mixes the server's work with the browser's own; this line, written to
the server's stderr when a page run ends, is the server's share alone.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENABLED = os.environ.get("PGS_LOG_RUN_TIMES") == "1"
PREFIX = "pgs-run"
"""Start of each line: ``pgs-run <url path or 'home'> <seconds>``."""


@contextmanager
def timed(url_path: str) -> Iterator[None]:
    """Time the block and log it (when enabled), also when it ends by an exception (a rerun
    or stop request ends a run early: its time is logged too)."""
    if not ENABLED:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        sys.stderr.write(f"{PREFIX} {url_path or 'home'} {time.perf_counter() - start:.4f}\n")
        sys.stderr.flush()
