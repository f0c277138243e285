"""Serving the app for real-browser tests, benchmarks and the docs' screenshots: the server
started as `make run` starts it (on a port from ``deploy.serve_class.free_port``), its health,
its log of script exceptions, and waiting for a page's run to finish. Plain functions (no
pytest), so benchmarks import them too; the pytest fixtures built on them are in
``tests/browser/conftest.py``."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from deploy.serve_class import wait_healthy

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}
"""The browser window of the tests (a laptop screen)."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
UNCAUGHT = "Uncaught app execution"
"""What Streamlit logs before the traceback of an exception that escaped a page script."""


def unavailable(reason: str) -> None:
    """Skip the calling test because a browser or proxy is missing; with REQUIRE_BROWSER=1
    (as in CI) fail it instead."""
    import pytest

    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser required but unavailable: {reason}")
    pytest.skip(reason)


def start_server(port: int, log_path: Path, extra_env: dict[str, str] | None = None
                 ) -> subprocess.Popen:
    """Start the app with plain `streamlit run app.py` (as `make run` and hosts do) on
    127.0.0.1:port and wait until it reports healthy."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", **(extra_env or {})}
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    remember_log(proc, log_path)
    wait_healthy(proc, f"http://127.0.0.1:{port}/_stcore/health", 60,
                 f"streamlit (see {log_path})")
    return proc


_LOGS: dict[int, Path] = {}
"""Each started server's log file, by process id (read back by uncaught_errors)."""


def remember_log(proc: subprocess.Popen, log_path: Path) -> None:
    """Note where ``proc`` (a server started elsewhere too) writes its log."""
    _LOGS[proc.pid] = log_path


def uncaught_errors(proc: subprocess.Popen) -> list[str]:
    """Every script exception the server logged so far, each as its traceback's last line
    and the app frame it came from. The browser may never show these: an exception in a
    run that a newer run replaced is only in the log."""
    lines = _LOGS[proc.pid].read_text(errors="replace").splitlines()
    errors = []
    for start, line in enumerate(lines):
        if UNCAUGHT not in line:
            continue
        frames = []
        for follow in lines[start + 1:]:
            app_frame = str(ROOT) in follow and "site-packages" not in follow
            if follow.startswith("  File ") and app_frame:
                frames.append(follow.strip())
            if follow and not follow.startswith((" ", "Traceback")):
                errors.append(f"{follow} (last app frame: {frames[-1] if frames else '?'})")
                break
    return errors


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


PAGE_RUN_MS = 120_000
"""How long a page's run may take before a test gives up waiting for it: a deadline, not a
sleep. The gallery's first visit trains its reference runs (about 10 s on a quiet 2-core machine;
past 30 s with two CPU-burning processes beside the tests' two workers)."""


def wait_until_idle(tab, timeout_ms: int = PAGE_RUN_MS) -> None:
    """Wait until the script has run and finished (the app's own 'not running' marker)."""
    tab.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    tab.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            const main = document.querySelector("[data-testid='stMainBlockContainer']");
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && main && main.innerText.trim().length > 0;
        }""",
        timeout=timeout_ms,
    )
    tab.wait_for_selector(IDLE, timeout=timeout_ms)


def open_app_page(tab, url: str, timeout_ms: int = PAGE_RUN_MS) -> None:
    """Navigate to ``url`` and wait for its first run to finish."""
    tab.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    wait_until_idle(tab, timeout_ms)


def follow_nav_link(tab, url_path: str, title: str | None = None,
                    timeout_ms: int = PAGE_RUN_MS) -> None:
    """Open the page at ``url_path`` by its link in the sidebar's navigation, as a learner does
    (a page change over the open connection, no page load), and wait for its run to finish;
    with ``title``, also until its heading shows (the last page's elements stay on screen
    until the new run replaces them)."""
    tab.locator(f"[data-testid='stSidebarNav'] a[href$='/{url_path}']").click(timeout=timeout_ms)
    tab.wait_for_function(f"() => location.pathname.endsWith({json.dumps('/' + url_path)})",
                          timeout=timeout_ms)
    if title is not None:
        tab.locator("h1").filter(has_text=title).first.wait_for(timeout=timeout_ms)
    wait_until_idle(tab, timeout_ms)


@contextmanager
def fresh_tab(browser: Any) -> Iterator[Any]:
    """A tab in a browser context of its own (no cache, no cookies: a first visit), closed
    after."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end on an event loop of its own, in a thread of its own.

    Playwright's sync API keeps an event loop running on the thread that uses it, for the whole
    test session: in a pytest worker that has run a browser test, ``asyncio.run`` on that thread
    refuses ("cannot be called from a running event loop")."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
