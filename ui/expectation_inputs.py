"""Widgets that pick a distribution and a function f, shared by the expectation and split pages.

Each function renders its widgets (keys start with the page's prefix, bound to the URL where
Streamlit allows) and returns the core spec plus a problem message (None when valid). Nothing
here stops the script, so every widget keeps its value while a message is shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core import distributions as dist
from ui.presenter import class_editor, data_table, table_height

DEFAULT_TABLE = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "weight": [1.0, 2.0, 3.0, 4.0],
                              "f(x)": [1.0, 4.0, 9.0, 16.0]})
MAX_EDITABLE_OUTCOMES = 60
DEFAULT_C = 2.5
"""Default c of |x − c| and 1[x > c]: between the outcomes of the default own table and of
the default uniform distribution, so neither function is constant at first."""


def _kept_editor(key: str, start: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """``st.data_editor`` whose starting table is fixed while the editor lives.

    Streamlit forgets an editor's edits once a run does not draw it (another distribution, a
    different support). ``start`` is read only when the editor is new or was forgotten, so
    callers pass what the user last had and nothing typed is lost; while the editor lives its
    starting table stays put, as the edits it holds refer to it.
    """
    start_key = f"{key}__start"
    if key not in st.session_state or start_key not in st.session_state:
        st.session_state[start_key] = start
    return class_editor(st.session_state[start_key], key=key, **kwargs)


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.zeros(0)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _parameter_inputs(prefix: str, family: str) -> dict[str, Any]:
    """One widget per parameter the family declares (``dist.Param``): sliders stacked, typed
    numbers side by side. Returns the ``DistributionSpec`` fields they set."""
    params = dist.FAMILY_TYPES[family].params
    typed = [p for p in params if p.widget == "number"]
    slots = iter(st.columns(len(typed)) if len(typed) > 1 else [st.container()] * len(typed))
    values: dict[str, Any] = {}
    for p in params:
        key = f"{prefix}{p.key}"
        if p.widget == "number":
            values[p.field] = float(next(slots).number_input(
                p.label, float(p.low), float(p.high), float(p.default), step=p.step, key=key,
                bind="query-params"))
        elif p.integer:
            values[p.field] = int(st.slider(p.label, int(p.low), int(p.high), int(p.default),
                                            key=key, bind="query-params"))
        else:
            values[p.field] = float(st.slider(p.label, float(p.low), float(p.high),
                                              float(p.default), step=p.step, key=key,
                                              bind="query-params"))
    return values


def distribution_inputs(prefix: str, *, with_f_column: bool, label: str = "Distribution of X"
                        ) -> tuple[dist.DistributionSpec, np.ndarray | None, str | None]:
    """Family and parameter widgets. Returns (spec, f column of the custom table or None,
    problem)."""
    family = st.selectbox(label, list(dist.FAMILIES), key=f"{prefix}family",
                          format_func=dist.FAMILIES.__getitem__, bind="query-params")
    f_column = None
    if family == "custom":
        st.caption("Edit outcomes and weights (add or delete rows). Weights are divided by "
                   "their total to give probabilities.")
        columns = ["x", "weight", "f(x)"] if with_f_column else ["x", "weight"]
        kept_key = f"{prefix}table_kept"
        last = st.session_state.get(kept_key, DEFAULT_TABLE[columns])
        edited = _kept_editor(f"{prefix}table", last, num_rows="dynamic", hide_index=True,
                              width="stretch")
        st.session_state[kept_key] = edited
        values, weights = _column(edited, "x"), _column(edited, "weight")
        spec = dist.DistributionSpec(family=family, table_values=tuple(values),
                                     table_weights=tuple(weights))
        if with_f_column:
            f_column = _column(edited, "f(x)")
        problem = dist.validate_table(values, weights)
        if problem is None:
            data_table(pd.DataFrame({"x": values, "probability p(x)": dist.normalise(weights)}),
                       hide_index=True, width="stretch",
                       height=table_height(len(values), max_rows=6))
        return spec, f_column, problem
    spec = dist.DistributionSpec(family=family, **_parameter_inputs(prefix, family))
    return spec, f_column, dist.validate_distribution(spec)


def function_inputs(prefix: str, spec: dist.DistributionSpec, f_column: np.ndarray | None,
                    spec_ok: bool) -> tuple[dist.FunctionSpec, str | None]:
    """f and c widgets (and a per-outcome f editor when asked for). Returns (fn, problem)."""
    kind = st.selectbox("Function f", list(dist.FUNCTIONS), index=1, key=f"{prefix}f",
                        format_func=dist.FUNCTIONS.__getitem__, bind="query-params")
    # c = 2.5 lies inside the default own table (1-4) as well as the default uniform 1..10.
    c = st.number_input("c (in |x − c| and 1[x > c])", -1000.0, 1000.0, DEFAULT_C, step=0.5,
                        key=f"{prefix}c", bind="query-params",
                        disabled=kind not in ("abs", "indicator"))
    fn = dist.FunctionSpec(kind=kind, c=float(c))
    if kind != "table":
        return fn, None
    if not spec.is_discrete:
        return fn, "Typing f per outcome needs a discrete distribution: pick a formula for f."
    if not spec_ok:
        return fn, None
    if spec.family == "custom":
        table = np.zeros(0) if f_column is None else f_column
    else:
        outcomes = dist.support_of(spec)[0]
        if outcomes.size > MAX_EDITABLE_OUTCOMES:
            return fn, (f"This distribution has {outcomes.size} outcomes, too many to type f for "
                        f"each one: pick a formula, or fewer outcomes.")
        st.caption("Type f(x) for each outcome (starts at x²; values typed for an outcome are "
                   "kept when the outcomes change).")
        # Values typed so far, by outcome: a new support starts from them.
        typed: dict[float, float] = st.session_state.setdefault(f"{prefix}f_typed", {})
        start = pd.DataFrame({"x": outcomes,
                              "f(x)": [typed.get(float(x), float(x) ** 2) for x in outcomes]})
        key = f"{prefix}ftable_{spec.family}_{outcomes.size}_{outcomes[0]:g}"
        edited = _kept_editor(key, start, disabled=["x"], hide_index=True, width="stretch",
                              height=250)
        table = _column(edited, "f(x)")
        typed.update((float(x), float(v)) for x, v in zip(outcomes, table, strict=False)
                     if np.isfinite(v))
    fn = dist.FunctionSpec(kind=kind, c=float(c), table=tuple(table))
    return fn, dist.validate_function(fn, spec)
