"""Load on loopback: a class at once.

N headless-browser sessions (default 10) each open the CartPole page with "Stop when solved"
off, press Start and keep the tab open for --seconds (default 60), training all along;
sessions beyond the process-wide cap are told the server is busy and are counted. Meanwhile
one more session clicks through the analytic pages (section "The four questions"), moving a
slider and timing each widget change until its rerun has finished. Reported: p50/p95 of those
times (target p95 < 1 s), total training throughput, server RSS at start / peak / 30 s after
the sessions close (target: back within 100 MB of start), thread count before/after, and how
long after the last tab closed the server's CPU went idle (target <= 5 s).

    .venv/bin/python -m benchmarks.load               # the full run (about 2.5 minutes)
    .venv/bin/python -m benchmarks.load --seconds 10 --sessions 3 --cooldown 10   # smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks.stats import percentile
from deploy.serve_class import free_port
from harness.server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    start_server,
    stop_server,
)
from harness.training import (
    EPISODES,
    KEEP_TRAINING,
    REFUSED,
    START_LABEL,
    cartpole_entry,
)
from ui.registry import PAGES
from ui.run_log import PREFIX as RUN_LOG_PREFIX

P95_TARGET_S = 1.0
RSS_TARGET_MB = 100.0
IDLE_TARGET_S = 5.0
UNSEEN_S = 5.0
"""A press whose rerun has not shown as running after this long is counted as unseen."""
RERUN_TIMEOUT_S = 20.0
"""A rerun not finished after this long is recorded at this value (a lower bound)."""
IDLE_CPU_SHARE = 0.05
"""The server counts as idle once it uses under 5 % of one core over a 1 s window."""
STEPS = re.compile(r"([\d][\d,]*)\s+env steps", re.I)
MAIN = "[data-testid='stMain']"
SLIDERS = "[data-testid='stMain'] [data-testid='stSlider'] input[type='range']"
IDLE_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app && app.getAttribute('data-test-script-state') === 'notRunning';
}"""
ARM_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const probe = {started: null, done: null, t0: performance.now()};
  window.__pgsProbe = probe;
  const observer = new MutationObserver(() => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running' && probe.started === null) probe.started = performance.now();
    else if (probe.started !== null && state === 'notRunning' && probe.done === null) {
      probe.done = performance.now(); observer.disconnect();
    }
  });
  observer.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def rss_mb_and_threads(pid: int) -> tuple[float, int]:
    """Resident memory (MB) and threads of a process."""
    process = psutil.Process(pid)
    with process.oneshot():
        return process.memory_info().rss / 2**20, process.num_threads()


@dataclass
class Monitor:
    """Samples the server's RSS, threads and CPU every `interval` seconds in a thread."""

    pid: int
    interval: float = 0.25
    samples: list[tuple[float, float, int, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True, name="monitor").start()

    def _run(self) -> None:
        server = psutil.Process(self.pid)
        while not self._stop.is_set():
            rss, threads = rss_mb_and_threads(self.pid)
            cpu = server.cpu_times()  # user + system: all threads, not its children
            self.samples.append((time.monotonic(), rss, threads, cpu.user + cpu.system))
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()

    def rss_between(self, start: float, end: float) -> list[float]:
        return [rss for t, rss, _th, _cpu in self.samples if start <= t <= end]

    def idle_after(self, start: float) -> float | None:
        """Seconds from `start` until the first 1 s window with CPU under the idle share."""
        points = [(t, cpu) for t, _rss, _th, cpu in self.samples if t >= start]
        for i, (t0, c0) in enumerate(points):
            for t1, c1 in points[i + 1:]:
                if t1 - t0 >= 1.0:
                    if (c1 - c0) / (t1 - t0) < IDLE_CPU_SHARE:
                        return t0 - start
                    break
        return None


def analytic_run_times(log: Path, start: int, end: int, training_path: str) -> list[float]:
    """Seconds of each page run the server logged between byte offsets ``start`` and ``end``
    of its log, except the training page's (ui/run_log's ``<prefix> <path> <seconds>``)."""
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read(end - start).decode(errors="replace")
    times = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == RUN_LOG_PREFIX and parts[1] != training_path:
            times.append(float(parts[2]))
    return times


def parse_count(pattern: re.Pattern, text: str) -> int:
    return max((int(re.sub(r"\D", "", m)) for m in pattern.findall(text)), default=0)


async def open_and_wait(tab, url: str) -> None:
    await tab.goto(url, wait_until="domcontentloaded", timeout=120_000)
    await tab.wait_for_selector("[data-testid='stMainBlockContainer']", timeout=120_000)
    await tab.wait_for_function(IDLE_JS, timeout=120_000)


async def trainer(browser, url: str, seconds: float, result: dict) -> None:
    """One student: open the CartPole page, press Start, keep the tab open."""
    context = await browser.new_context(viewport=VIEWPORT)
    tab = await context.new_page()
    try:
        await open_and_wait(tab, url)
        result["opened_at"] = time.monotonic()
        main = tab.locator("[data-testid='stMain']")
        await main.get_by_role("button", name=START_LABEL).first.click(timeout=60_000)
        started = time.monotonic()
        # Wait for the verdict: progress, or the "server is busy" message.
        while time.monotonic() - started < min(seconds, 60.0):
            texts = await tab.locator("[data-testid='stAlert']").all_inner_texts()
            if any(REFUSED.search(t) for t in texts):
                result["refused"] = True
                break
            if parse_count(EPISODES, await tab.locator(MAIN).inner_text()) > 0:
                break
            await tab.wait_for_timeout(500)
        result["verdict_at"] = time.monotonic()
        await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))
        text = await tab.locator(MAIN).inner_text()
        result["episodes"] = parse_count(EPISODES, text)
        result["steps"] = parse_count(STEPS, text)
    except Exception as error:  # a failed session is reported, not fatal to the benchmark
        result["error"] = repr(error)[:200]
    finally:
        result["closed_at"] = time.monotonic()
        await context.close()


@dataclass(frozen=True)
class Press:
    """One widget change on an analytic page and how long its rerun took in the browser."""

    page: str
    """url_path of the page."""
    at: float
    """time.monotonic() when the key was pressed."""
    seconds: float
    """From the key press to the end of the rerun (RERUN_TIMEOUT_S if it had not ended)."""
    to_start: float
    """From the key press to the moment the page showed the rerun as running."""


async def clicker(browser, base: str, stop: asyncio.Event, presses: list[Press],
                  errors: list[str], counts: dict[str, int], loads: list[float]) -> None:
    """One more visitor: cycles through the analytic pages moving one slider at a time, until
    `stop` is set (the training sessions have closed)."""
    pages = [p for p in PAGES if p.section == "The four questions"] or \
        [p for p in PAGES if p.url_path != "cartpole"]
    context = await browser.new_context(viewport=VIEWPORT)
    tab = await context.new_page()
    probe = "() => [window.__pgsProbe.t0, window.__pgsProbe.started, window.__pgsProbe.done]"
    try:
        while not stop.is_set() and pages:
            for entry in pages:
                if stop.is_set():
                    break
                opened = time.monotonic()
                await open_and_wait(tab, f"{base}/{entry.url_path}")
                loads.append(time.monotonic() - opened)
                sliders = tab.locator(SLIDERS)
                try:  # the first paint can come before the widgets
                    await sliders.first.wait_for(timeout=60_000)
                    await tab.wait_for_function(IDLE_JS, timeout=120_000)
                except Exception:
                    continue  # a page without sliders
                count = await sliders.count()
                for i in range(min(count, 3)):
                    # Towards the side with room first, so that both presses change the value.
                    at_max = await sliders.nth(i).evaluate("e => Number(e.value) >= Number(e.max)")
                    for key in ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight",
                                                                          "ArrowLeft"):
                        if stop.is_set():
                            break
                        counts["presses"] = counts.get("presses", 0) + 1
                        await tab.evaluate(ARM_JS)
                        pressed_at = time.monotonic()
                        await sliders.nth(i).press(key)
                        with contextlib.suppress(Exception):  # timed out: judged below
                            await tab.wait_for_function("() => window.__pgsProbe.started",
                                                        timeout=UNSEEN_S * 1000)
                            await tab.wait_for_function("() => window.__pgsProbe.done !== null",
                                                        timeout=RERUN_TIMEOUT_S * 1000)
                        t0, started, done = await tab.evaluate(probe)
                        if started is None:
                            # The page never showed "running": a rerun so quick that the
                            # browser drew its start and end as one frame (no time to record),
                            # or none at all. Settle before the next press.
                            counts["unseen"] = counts.get("unseen", 0) + 1
                            await tab.wait_for_function(IDLE_JS, timeout=120_000)
                            await tab.wait_for_timeout(1000)
                            continue
                        if done is None:  # started, not finished in time: count it as the cap
                            counts["timed out"] = counts.get("timed out", 0) + 1
                        seconds = RERUN_TIMEOUT_S if done is None else (done - t0) / 1000
                        presses.append(Press(entry.url_path, pressed_at, seconds,
                                             (started - t0) / 1000))
                if await tab.locator("[data-testid='stException']").count():
                    errors.append(entry.url_path)
    finally:
        await context.close()


def timeline(presses: list[Press], t_start: float, window_s: float = 10.0) -> str:
    """p50 / max rerun time per window of the run, to show when slow reruns happened."""
    windows: dict[int, list[float]] = {}
    for press in presses:
        windows.setdefault(int((press.at - t_start) // window_s), []).append(press.seconds)
    return "; ".join(f"{k * window_s:.0f}-{(k + 1) * window_s:.0f} s: "
                     f"{percentile(v, 0.5):.2f}/{max(v):.2f} ({len(v)})"
                     for k, v in sorted(windows.items()))


async def run(args: argparse.Namespace) -> int:
    from playwright.async_api import async_playwright

    entry = cartpole_entry()
    port = free_port()
    log = Path(args.log)
    env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.session_ttl)} \
        if args.session_ttl is not None else {}
    env["PGS_LOG_RUN_TIMES"] = "1"  # the server's own share of each page run (ui/run_log.py)
    server = start_server(port, log, env)
    base = f"http://127.0.0.1:{port}"
    monitor = Monitor(server.pid)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                       args=CHROMIUM_ARGS)
            # Warm-up: one visit to each page (imports, caches), not measured.
            context = await browser.new_context()
            tab = await context.new_page()
            for page in PAGES:
                await open_and_wait(tab, f"{base}/{page.url_path}")
            await context.close()
            await asyncio.sleep(3)
            start_mb, start_threads = rss_mb_and_threads(server.pid)
            monitor.start()
            t_start = time.monotonic()
            log_start = log.stat().st_size
            results: list[dict] = [{} for _ in range(args.sessions)]
            presses: list[Press] = []
            loads: list[float] = []
            errors: list[str] = []
            counts: dict[str, int] = {}
            stop = asyncio.Event()

            async def trainers() -> None:
                url = f"{base}/{entry.url_path}?{KEEP_TRAINING}"
                await asyncio.gather(*(trainer(browser, url, args.seconds, r) for r in results))
                stop.set()

            await asyncio.gather(trainers(), clicker(browser, base, stop, presses, errors,
                                                          counts, loads))
            t_closed = max(r.get("closed_at", time.monotonic()) for r in results)
            log_end = log.stat().st_size
            await browser.close()
        await asyncio.sleep(args.cooldown)
        after_mb, after_threads = rss_mb_and_threads(server.pid)
        monitor.stop()
    finally:
        stop_server(server)

    peak_mb = max(monitor.rss_between(t_start, t_closed + args.cooldown) or [start_mb])
    idle_s = monitor.idle_after(t_closed)
    trained = [r for r in results if r.get("episodes", 0) > 0]
    refused_n = sum(1 for r in results if r.get("refused"))
    failed = [r["error"] for r in results if "error" in r]
    episodes = sum(r.get("episodes", 0) for r in trained)
    steps = sum(r.get("steps", 0) for r in trained)
    times = [press.seconds for press in presses]
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    by_page: dict[str, list[float]] = {}
    for press in presses:
        by_page.setdefault(press.page, []).append(press.seconds)
    to_start = [press.to_start for press in presses]
    server_times = analytic_run_times(log, log_start, log_end, entry.url_path)

    print(f"load: {args.sessions} training sessions x {args.seconds:.0f} s + 1 analytic "
          f"clicker, server on {base} ({os.cpu_count()} CPUs, shared: timings are noisy)")
    opened = [r["opened_at"] - t_start for r in results if "opened_at" in r]
    verdicts = [r["verdict_at"] - t_start for r in results if "verdict_at" in r]
    if opened and verdicts:
        print(f"  student tabs: page shown {min(opened):.1f}-{max(opened):.1f} s after the "
              f"first opened, trained or told busy by {max(verdicts):.1f} s")
    print(f"  training: {len(trained)} trained, {refused_n} told the server is busy, "
          f"{len(failed)} failed {failed[:2]}")
    print(f"  throughput: {episodes:,} episodes, {steps:,} env steps in total "
          f"-> {episodes / args.seconds:.1f} episodes/s, {steps / args.seconds:,.0f} steps/s")
    print(f"  analytic reruns: n={len(times)} p50={p50:.3f} s p95={p95:.3f} s "
          f"(target p95 < {P95_TARGET_S} s, ratio {p95 / P95_TARGET_S:.2f})"
          + (f"; exceptions on {errors}" if errors else "") + f" ({counts})")
    print("  by page (p50 / max, n): " + "; ".join(
        f"{path} {percentile(v, 0.5):.2f}/{max(v):.2f} s ({len(v)})"
        for path, v in by_page.items()))
    print(f"  the clicker's page loads (not in the target): n={len(loads)} "
          f"p50 {percentile(loads, 0.5):.2f} s, max {max(loads, default=float('nan')):.2f} s")
    print(f"  key press to rerun start: p50 {percentile(to_start, 0.5):.3f} s, "
          f"p95 {percentile(to_start, 0.95):.3f} s")
    print(f"  over time (p50/max, n per 10 s from the first tab opening): "
          f"{timeline(presses, t_start)}")
    print(f"  server time of those pages' runs (loads included): n={len(server_times)} "
          f"p50={percentile(server_times, 0.5):.3f} s p95={percentile(server_times, 0.95):.3f} s"
          " (the rest of a rerun is the browser's share of the same 2 cores)")
    print(f"  RSS: start {start_mb:.0f} MB, peak {peak_mb:.0f} MB, {args.cooldown:.0f} s after "
          f"close {after_mb:.0f} MB (+{after_mb - start_mb:.0f} MB; target < {RSS_TARGET_MB:.0f}"
          f" MB, ratio {(after_mb - start_mb) / RSS_TARGET_MB:.2f})")
    print(f"  threads: before {start_threads}, after {after_threads}")
    idle_text = "never within the cooldown" if idle_s is None else f"{idle_s:.1f} s"
    print(f"  CPU idle after last tab closed: {idle_text} (target <= {IDLE_TARGET_S:.0f} s)")
    ok = (p95 < P95_TARGET_S and after_mb - start_mb < RSS_TARGET_MB and idle_s is not None
          and idle_s <= IDLE_TARGET_S and not failed and not errors)
    print("  all targets met" if ok else "  TARGET MISSED (see above)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="training time per session")
    parser.add_argument("--sessions", type=int, default=10, help="concurrent training sessions")
    parser.add_argument("--cooldown", type=float, default=30.0,
                        help="seconds after the last tab closes before RSS/threads are read")
    parser.add_argument("--session-ttl", type=int, default=None,
                        help="server.disconnectedSessionTTL for the server (default: config)")
    parser.add_argument("--log", default="/tmp/pgs-load-server.log")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: install chromium to run this benchmark")
        return 1
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
