"""Thinning long series before they are drawn: which indices of a length-``n`` series to keep.

Plain index arithmetic, used by the maths modules that decide how many points a result keeps
(``core/sample_average.py``, ``core/gradient_lab.py``) and by the figure builders in
``core/charts/``; it lives here, below both, so the maths never imports the charts.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS_PER_TRACE = 2000
"""Upper bound on the points any one trace sends to the browser."""


def log_spaced_indices(n: int, max_points: int = MAX_POINTS_PER_TRACE) -> np.ndarray:
    """Indices 0..n-1 to keep when drawing a length-``n`` series on a log x-axis.

    Always keeps the first and last index; at most ``max_points`` indices, unique and sorted.
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    idx = np.unique(np.round(np.geomspace(1, n, max_points)).astype(np.int64) - 1)
    return idx


def linear_spaced_indices(n: int, max_points: int = MAX_POINTS_PER_TRACE) -> np.ndarray:
    """Indices 0..n-1 to keep for a linear x-axis: evenly spaced, first and last included."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    return np.unique(np.round(np.linspace(0, n - 1, max_points)).astype(np.int64))
