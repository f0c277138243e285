"""Speed of the gallery of classic mistakes.

    .venv/bin/python -m benchmarks.gallery [--repeats 3] [--all]

Figures:
- one training run of the correct config (300 episodes) and its fresh-start evaluation;
- the page's default view computed cold: 3 seeds × (correct + flipped sign) × 300 episodes
  (target: under 10 s of server time, so a first visitor waits a few seconds at most);
- a rerun of the page when every run is cached (target: under 0.5 s of server time);
- with --all: every mistake of the registry at 3 seeds × 300 episodes, cold (reported, no
  target).

Server time is AppTest's script run, in a process warmed up as the server's is
(ui/warmup.py). The machine is shared, so each figure is the median of the
repeats, with the process CPU time beside it.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import replace

from benchmarks.timing import like_the_server, timed
from core.reinforce import mistakes as gm
from harness.apptest import app_test, assert_no_exception

COLD_TARGET_S = 10.0
CACHED_TARGET_S = 0.5



def report(name: str, times: tuple[list[float], list[float]],
           target: float | None = None) -> None:
    wall, cpu = times
    med = statistics.median(wall)
    line = (f"{name:<52} median {med:7.3f} s  min {min(wall):7.3f} s  "
            f"CPU {statistics.median(cpu):7.3f} s")
    if target is not None:
        line += f"  target {target:g} s  ratio {med / target:5.2f}"
    print(line, flush=True)


def page_run(seed: int) -> None:
    at = app_test("pages/gallery.py", timeout=600)
    at.session_state["seed"] = seed
    at.run()
    assert_no_exception(at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also time every mistake")
    args = parser.parse_args()
    like_the_server()
    page_run(10_000)  # warm-up: imports and the first script run

    steps = []

    def one_run(i: int) -> None:
        run = gm.train_run(replace(gm.GALLERY_BASE, seed=100 + i))
        steps.append(float(run.returns.sum()) / run.seconds)

    report("one correct run, 300 episodes + evaluation", timed(one_run, args.repeats))
    print(f"{'':<52} training speed {statistics.median(steps) / 1000:.1f}k env steps/s")
    # A fresh sidebar seed each repeat: every run is trained (nothing cached).
    report("page default view, cold (3 seeds × 2 runs × 300)",
           timed(lambda i: page_run(200 + 10 * i), args.repeats), COLD_TARGET_S)
    page_run(300)
    report("page rerun, every run cached", timed(lambda i: page_run(300), args.repeats),
           CACHED_TARGET_S)
    if args.all:
        cache: dict = {}

        def shared(config):  # as on the page: each correct run is trained once, then reused
            if config not in cache:
                cache[config] = gm.train_run(config)
            return cache[config]

        runs = len(gm.MISTAKES) + 1 + len({m.setting for m in gm.MISTAKES} - {()})
        report(f"all {len(gm.MISTAKES)} mistakes, cold (3 seeds × {runs} runs × 300)",
               timed(lambda i: [gm.compare(m, (400, 401, 402), 300, runner=shared)
                                for m in gm.MISTAKES], 1))


if __name__ == "__main__":
    main()
