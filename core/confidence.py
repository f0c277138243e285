"""The one normal quantile every 95 % band and interval in the app uses."""

from __future__ import annotations

from statistics import NormalDist

Z95: float = round(NormalDist().inv_cdf(0.975), 2)
"""Two-sided 95 % normal quantile, 1.96 (to the two decimals every page prints)."""

Z95_TEXT: str = f"{Z95:g}"
"""Z95 as pages and legends print it."""
