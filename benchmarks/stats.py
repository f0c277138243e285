"""Summaries shared by the benchmark scripts."""

from collections.abc import Sequence

import numpy as np


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, interpolated linearly between the two nearest
    ranks (numpy's default); NaN for no values (a figure nothing was measured for)."""
    return float(np.quantile(values, q)) if len(values) else float("nan")
