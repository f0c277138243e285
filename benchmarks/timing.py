"""Timing shared by the benchmark scripts."""

import time
from collections.abc import Callable


def timed(fn: Callable[[int], object], repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU seconds of fn(i) for i = 1..repeats."""
    wall, cpu = [], []
    for i in range(1, repeats + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu
