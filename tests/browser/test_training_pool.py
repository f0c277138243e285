"""The CartPole page on a plain server trains in worker processes: a killed worker is replaced
and the page says so and trains again; a closed tab's training stops once the server's
closed-tab timeout has passed."""

from __future__ import annotations

import os
import re
import signal
import time

import psutil
import pytest
from playwright.sync_api import expect

from deploy.serve_class import free_port
from harness.server import (
    VIEWPORT,
    open_app_page,
    start_server,
    stop_server,
    uncaught_errors,
)
from harness.training import KEEP_TRAINING, episodes_shown, start_training

LOST = re.compile("stopped unexpectedly")
TAB_CLOSED_S = 8
"""The server's closed-tab timeout (core.limits: tab_closed_s, 20 s by default), shortened so the
test waits less; an open tab redraws every 0.5 s while it trains."""


def worker_pids(server_pid: int) -> list[int]:
    """The server's training workers (`python -m core.pool.worker`): its children so named."""
    pids = []
    for child in psutil.Process(server_pid).children():
        try:
            if "core.pool.worker" in " ".join(child.cmdline()):
                pids.append(child.pid)
        except psutil.NoSuchProcess:
            continue
    return sorted(pids)


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of the processes so far (not their children's)."""
    times = [psutil.Process(pid).cpu_times() for pid in pids]
    return sum(t.user + t.system for t in times)


def cpu_over(pids: list[int], seconds: float = 2.0) -> float:
    before = cpu_s(pids)
    time.sleep(seconds)
    return cpu_s(pids) - before


def wait_for_episodes(tab, above: int = 0, timeout_s: float = 90.0) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        n = episodes_shown(tab)
        if n > above:
            return n
        time.sleep(0.5)
    raise AssertionError(f"the status line never showed more than {above} episodes")


@pytest.mark.browser
def test_killed_worker_and_closed_tab(browser, artifacts):
    port = free_port()
    # Workers at the pages' priority here: at niceness 10 on a machine busy with other tests
    # they can get under 0.05 CPU-s in 2 s, and the CPU readings below would mean nothing.
    proc = start_server(port, artifacts / "server-training-pool.log",
                        {"PGS_TAB_CLOSED_S": str(TAB_CLOSED_S), "PGS_WORKER_NICE": "0"})
    try:
        context = browser.new_context(viewport=VIEWPORT)
        tab = context.new_page()
        open_app_page(tab, f"http://127.0.0.1:{port}/cartpole?{KEEP_TRAINING}")
        assert start_training(tab)
        wait_for_episodes(tab)
        workers = worker_pids(proc.pid)
        assert len(workers) >= 1
        assert cpu_over(workers) > 0.05                     # the workers train, not the server
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        expect(tab.get_by_text(LOST).first).to_be_visible(timeout=30_000)
        tab.screenshot(path=artifacts / "screenshots" / "cartpole-worker-lost.png")
        assert proc.poll() is None                          # the server is still up
        replaced = worker_pids(proc.pid)
        assert replaced and not set(replaced) & set(workers)
        assert start_training(tab)                          # and training works again
        expect(tab.get_by_text(LOST)).to_have_count(0, timeout=30_000)
        wait_for_episodes(tab)
        assert cpu_over(replaced) > 0.05
        context.close()                                     # the tab goes away
        closed = time.monotonic()
        while cpu_over(replaced, 2.0) > 0.05:
            assert time.monotonic() - closed < TAB_CLOSED_S + 20, "a closed tab's run kept training"
    finally:
        stop_server(proc)
    assert not uncaught_errors(proc)
