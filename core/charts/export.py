"""A chart's data as CSV: every trace's plotted values, one row per point (long format).

Columns: ``trace`` (legend name or "trace <i>"), ``type`` (scatter, bar, heatmap, ...),
``point`` (index within the trace), then ``x``, ``y``, ``z``, ``error_y`` where any trace has
them. A 2-D ``z`` (heatmap, contour, surface) gives one row per cell with its x and y.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

_AXES = ("x", "y", "z")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """One CSV cell: numbers in full precision, text made inert for spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return "" if math.isnan(number) else repr(number)
    text = str(value)
    # A cell starting like a formula would run in a spreadsheet (CSV injection).
    if text.startswith(_FORMULA_START) and not _is_number(text):
        text = "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _array(values: Any) -> np.ndarray | None:
    """A trace attribute as an array (None when absent or scalar)."""
    if values is None or isinstance(values, (str, bytes)):
        return None
    try:
        array = np.asarray(values, dtype=object)
    except (TypeError, ValueError):
        return None
    return array if array.ndim >= 1 else None


def _error_array(trace: Any) -> np.ndarray | None:
    error = getattr(trace, "error_y", None)
    if error is None:
        return None
    return _array(getattr(error, "array", None))


def _trace_rows(index: int, trace: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names used and the rows of one trace."""
    name = (getattr(trace, "name", None) or f"trace {index}").replace("<br>", " ")  # 2 lines
    kind = getattr(trace, "type", None) or "trace"
    arrays = {axis: _array(getattr(trace, axis, None)) for axis in _AXES}
    z = arrays["z"]
    rows: list[dict[str, Any]] = []
    if z is not None and z.ndim == 2:
        x, y = arrays["x"], arrays["y"]
        for i in range(z.shape[0]):
            for j in range(z.shape[1]):
                rows.append({"x": x[j] if x is not None and j < len(x) else j,
                             "y": y[i] if y is not None and i < len(y) else i,
                             "z": z[i, j]})
        columns = ["x", "y", "z"]
    else:
        flat = {axis: (a.ravel() if a is not None else None) for axis, a in arrays.items()}
        error = _error_array(trace)
        if error is not None:
            flat["error_y"] = error.ravel()
        present = {k: v for k, v in flat.items() if v is not None}
        length = max((len(v) for v in present.values()), default=0)
        for i in range(length):
            rows.append({k: (v[i] if i < len(v) else None) for k, v in present.items()})
        columns = list(present)
    for point, row in enumerate(rows):
        row.update(trace=name, type=kind, point=point)
    return columns, rows


def figure_to_csv(fig: go.Figure) -> str:
    """The data of every trace of ``fig`` as CSV text (header line first)."""
    columns: list[str] = []
    rows: list[dict[str, Any]] = []
    for index, trace in enumerate(fig.data):
        trace_columns, trace_rows = _trace_rows(index, trace)
        columns += [c for c in trace_columns if c not in columns]
        rows += trace_rows
    order = ["trace", "type", "point", *[c for c in ("x", "y", "z", "error_y") if c in columns]]
    return rows_to_csv(order, rows)


def rows_to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    """CSV text for ``rows`` (dicts) with the given column order; missing cells are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()
