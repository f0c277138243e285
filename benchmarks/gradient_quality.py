"""Speed of the CartPole lab's "How good is one batch's gradient?" measurement.

    .venv/bin/python -m benchmarks.gradient_quality [--repeats 3] [--train-seconds 6]

Figures (target: under 10 s each on one core, the issue's budget for the default settings):
- the default measurement (20,000 reference steps, 40,000 pool steps, batch sizes 1..256) of
  the untrained default policy (short episodes: many of them);
- the same for the default policy after --train-seconds of training (longer episodes: fewer);
- a fresh process's first measurement is included in the first repeat (nothing is warmed).

Each figure is the median over the repeats (different seeds), with the process CPU time beside
it; the machine may be shared, so CPU time is the steadier number. The script also prints the
episodes each estimator needs for cosine > 0.5, the quantity the section reports.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import replace

from benchmarks.timing import timed
from core.reinforce import gradient_quality as gq
from core.reinforce.config import PRESETS
from core.reinforce.trainer import Trainer

TARGET_S = 10.0


def report(name: str, times: tuple[list[float], list[float]]) -> None:
    wall, cpu = times
    med = statistics.median(wall)
    print(f"{name:<44} median {med:6.2f} s  max {max(wall):6.2f} s  "
          f"cpu {statistics.median(cpu):6.2f} s  ratio to {TARGET_S:g} s target "
          f"{med / TARGET_S:.2f}")


def summary(label: str, result: gq.Quality) -> None:
    print(f"  {label}: mean return {result.mean_return:.1f}, reference "
          f"{result.reference_episodes} episodes, pool {result.pool_episodes} episodes")
    for name, curve in result.curves.items():
        print(f"    {name:<34} cos>0.5 with reference at B = {curve.needed()}, between "
              f"batches at B = {curve.needed(True)}; predicted {curve.predicted_needed():.1f}"
              f" / {curve.predicted_needed(True):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--train-seconds", type=float, default=6.0)
    args = parser.parse_args()
    config = PRESETS["default"]
    quality = gq.QualityConfig()
    untrained = gq.initial_state_dict(config)
    results: dict[str, gq.Quality] = {}

    def run_untrained(i: int) -> None:
        results["untrained"] = gq.measure(config, untrained, replace(quality, seed=i))

    report("default settings, untrained policy", timed(run_untrained, args.repeats))
    summary("untrained", results["untrained"])

    trainer = Trainer(config)
    trainer.step(max_seconds=args.train_seconds)
    trained = {k: v.detach().clone() for k, v in trainer.policy.state_dict().items()}
    print(f"trained {args.train_seconds:g} s: {len(trainer.episodes)} episodes, last-100 mean "
          f"{trainer.mean_last():.1f}")

    def run_trained(i: int) -> None:
        results["trained"] = gq.measure(trainer.config, trained, replace(quality, seed=i))

    report("default settings, trained policy", timed(run_trained, args.repeats))
    summary("trained", results["trained"])


if __name__ == "__main__":
    main()
