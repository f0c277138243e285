"""Speed of the two lab pages: the bandit and the short corridor.

    .venv/bin/python -m benchmarks.labs [--repeats 5]

Targets (issue 5):
- bandit: a page rerun with 10 seeds × 500 steps × N = 100 under 0.5 s of server time;
- corridor: 100 runs × 1,000 episodes under 3 s (one learner, vectorised across runs). The page
  runs five learners (Figures 13.1 and 13.2) in one batch; that is reported too.

Server time of a page is measured as AppTest's script run (widgets set, a fresh sidebar seed
each repeat so no cache helps), in a process warmed up as the server's is (ui/warmup.py),
after one warm-up run that pays for the imports. The machine
is shared, so every figure is the median of the repeats, with the minimum and the process CPU
time beside it (CPU time is what the work costs on an otherwise idle core).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable

from benchmarks.timing import like_the_server, timed
from core import bandit, corridor
from core.charts import bandit as bandit_charts
from harness.apptest import app_test, assert_no_exception

BANDIT_TARGET_S = 0.5
CORRIDOR_TARGET_S = 3.0



def report(name: str, times: tuple[list[float], list[float]],
           target: float | None = None) -> None:
    """One line: median and min wall time, median CPU time (what the work costs when the
    machine is not shared), and the ratio of the median wall time to the target."""
    wall, cpu = times
    median = statistics.median(wall)
    line = (f"{name:55s} wall median {median * 1e3:7.0f} ms, min {min(wall) * 1e3:7.0f} ms;"
            f" CPU median {statistics.median(cpu) * 1e3:7.0f} ms")
    if target is not None:
        verdict = "PASS" if median < target else "FAIL"
        line += f" | target {target * 1e3:.0f} ms, ratio {median / target:.2f} {verdict}"
    print(line, flush=True)


def bandit_core(seed: int) -> None:
    arms, logits = bandit.default_arms(3)
    config = bandit.TrainingConfig(learning_rate=0.1, samples_per_step=100, steps=500, seeds=10)
    paths = bandit.train(arms, logits, config, seed)
    points, velocity = bandit.simplex_field(arms, 10)
    for fig in (bandit_charts.simplex_figure(paths, arms.expected(), points, velocity, 10),
                bandit_charts.objective_figure(paths),
                bandit_charts.probabilities_figure(paths, arms.expected())):
        fig.to_json()


def page_runner(path: str, widgets: list[tuple[str, str, object]]) -> Callable[[int], None]:
    """A function that reruns the page with ``widgets`` set and sidebar seed i."""
    at = app_test(path, timeout=120)
    at.run()
    for kind, key, value in widgets:
        getattr(at, kind)(key=key).set_value(value)
    at.run()
    assert_no_exception(at)

    def rerun(i: int) -> None:
        at.session_state["seed"] = 1000 + i
        at.run()
        assert_no_exception(at)

    return rerun


def corridor_core(learners: list[corridor.Learner]) -> Callable[[int], None]:
    def run(seed: int) -> None:
        corridor.learn(learners, corridor.CorridorConfig(runs=100, episodes=1000), seed)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    repeats = args.repeats
    like_the_server()
    print("Bandit: 10 seeds × 500 steps × N = 100 (K = 3)")
    bandit_core(0)
    report("core: train + 3 figures + JSON", timed(bandit_core, repeats))
    for opt, baseline in (("SGD", "none"), ("Adam", "mean reward")):
        rerun = page_runner("pages/bandit.py", [
            ("slider", "bd_seeds", 10), ("select_slider", "bd_steps", 500),
            ("select_slider", "bd_n", 100), ("radio", "bd_opt", opt),
            ("radio", "bd_baseline", baseline)])
        report(f"page rerun (AppTest), {opt}, baseline {baseline}", timed(rerun, repeats),
               BANDIT_TARGET_S)

    print("\nShort corridor: 100 runs × 1,000 episodes")
    one = corridor.book_learners(2)
    report("core: REINFORCE with baseline (Fig 13.2 defaults)", timed(corridor_core(one[1:]),
                                                                      repeats), CORRIDOR_TARGET_S)
    report("core: plain REINFORCE α = 2^-13", timed(corridor_core(one[:1]), repeats),
           CORRIDOR_TARGET_S)
    five = corridor.figure_learners((-12, -13, -14), (-13, -9, -6))
    report("core: the page's five learners in one batch", timed(corridor_core(five), repeats),
           CORRIDOR_TARGET_S)
    worst = corridor.figure_learners((-8, -8, -8), (-8, -6, -2))
    report("core: five learners, every step size at its maximum", timed(corridor_core(worst),
                                                                          max(1, repeats // 2)))
    rerun = page_runner("pages/corridor.py", [])
    report("page rerun (AppTest), defaults, cold cache", timed(rerun, repeats),
           CORRIDOR_TARGET_S)


if __name__ == "__main__":
    main()
