"""Training pool throughput and fairness: N sessions training "as fast as possible" at once.

Prints, per N: the env steps/s of all sessions together and its ratio to the workers' cores at
the headless trainer's single-core rate (measured first, in this process), each session's share
(env steps/s min/max over sessions, and the fairness ratio min/max of the training seconds
each got: 1.0 is perfectly fair; env steps come in whole batches, so they are lumpy over a short
window), the news each session
received per second (the live chart's refresh bound: target >= 1), and every worker's RSS.

    .venv/bin/python -m benchmarks.pool --sessions 1,4,16,30 --seconds 10
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace

import psutil

from benchmarks.timing import cli_rate
from core.limits import LIMITS
from core.pool import TrainingPool
from core.reinforce.config import preset

TARGET_SHARE = 0.7
"""Fairness target: the least-served session gets at least this share of the most-served."""
TARGET_NEWS_HZ = 1.0
"""Refresh target: news per second per training session."""


def rss_mb(pid: int | None) -> float:
    """Resident memory of a process in MB (0 if unknown)."""
    if pid is None:
        return 0.0
    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.Error:
        return 0.0


def measure(pool: TrainingPool, n: int, seconds: float) -> dict[str, float]:
    """Start n sessions, wait until all train, then measure a window of ``seconds``."""
    names = [f"bench-{n}-{k}" for k in range(n)]
    config = preset("default", max_episodes=LIMITS.max_episodes_per_session)
    for k, name in enumerate(names):
        pool.start(name, [replace(config, seed=k)], None, stop_solved=False)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for name in names:
            pool.touch(name)
        if all(pool.session(name).runs[0].env_steps > 0 for name in names):
            break
        time.sleep(0.2)
    steps0 = {name: pool.session(name).runs[0].env_steps for name in names}
    cpu0 = {name: pool.session(name).runs[0].seconds for name in names}
    news0 = {name: pool.session(name).reports for name in names}
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        for name in names:
            pool.touch(name)
        time.sleep(0.25)
    wall = time.monotonic() - start
    steps = {name: pool.session(name).runs[0].env_steps - steps0[name] for name in names}
    news = [(pool.session(name).reports - news0[name]) / wall for name in names]
    cpu = [pool.session(name).runs[0].seconds - cpu0[name] for name in names]
    for name in names:
        pool.reset(name)
    rates = [s / wall for s in steps.values()]
    return {"total": sum(rates), "min": min(rates), "max": max(rates),
            "fair": min(cpu) / max(cpu) if max(cpu) > 0 else 0.0,
            "news_min": min(news), "news_max": max(news)}


def paced(pool: TrainingPool, speed: float, seconds: float) -> float:
    """Measured env steps/s of one session asking for ``speed`` (the status line's figure)."""
    pool.start("bench-paced", [preset("default", max_episodes=10**5)], speed, stop_solved=False)
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        pool.touch("bench-paced")
        time.sleep(0.25)
    view = pool.session("bench-paced")
    rate = view.runs[0].env_steps / view.wall_s if view.wall_s > 0 else 0.0
    pool.reset("bench-paced")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,4,16,30")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    single = cli_rate(5.0)
    pool = TrainingPool()
    workers = pool.limits.training_workers
    print(f"headless trainer: {single:,.0f} env steps/s on one core; pool: {workers} workers")
    print(f"{'N':>4} {'total steps/s':>14} {'vs cores':>9} {'per session min/max':>22} "
          f"{'fair':>6} {'news/s min':>11} {'worker RSS MB':>14}")
    try:
        for n in (int(s) for s in args.sessions.split(",") if s):
            m = measure(pool, n, args.seconds)
            rss = " ".join(f"{rss_mb(pid):.0f}" for pid in pool.worker_pids())
            print(f"{n:>4} {m['total']:>14,.0f} {m['total'] / (workers * single):>9.2f} "
                  f"{m['min']:>10,.0f} / {m['max']:>9,.0f} {m['fair']:>6.2f} "
                  f"{m['news_min']:>11.1f} {rss:>14}", flush=True)
            print(f"     targets: fair >= {TARGET_SHARE} (ratio {m['fair'] / TARGET_SHARE:.2f}), "
                  f"news >= {TARGET_NEWS_HZ}/s (ratio {m['news_min'] / TARGET_NEWS_HZ:.2f})")
        for speed in (2_500.0, 250.0):
            rate = paced(pool, speed, 2 * args.seconds)
            print(f"pace {speed:,.0f} env steps/s asked: {rate:,.0f} measured "
                  f"(ratio {rate / speed:.2f}; whole batches only, so a little below)")
    finally:
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
