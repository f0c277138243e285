"""Timing shared by the benchmark scripts."""

import time
from collections.abc import Callable

from core.reinforce.config import preset
from core.reinforce.trainer import Trainer
from ui.warmup import WarmUp, warm_up


def like_the_server() -> WarmUp:
    """Warm this process up as app.py warms every server process (ui/warmup.py), so that
    Streamlit's garbage collection after each AppTest run costs what it costs on the server."""
    import streamlit  # noqa: F401  (frozen with the rest, as in the server)

    return warm_up()


def timed(fn: Callable[[int], object], repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU seconds of fn(i) for i = 1..repeats."""
    wall, cpu = [], []
    for i in range(1, repeats + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def cli_rate(seconds: float) -> float:
    """Env steps/s of the headless trainer on one core (default preset)."""
    trainer = Trainer(preset("default", seed=11, max_episodes=10**6))
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step(max_seconds=seconds)
    rate = trainer.env_steps / (time.perf_counter() - start)
    trainer.close()
    return rate
