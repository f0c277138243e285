"""The bandit page's table of arms: one editable row per arm, rebuilt when K changes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import bandit
from ui.presenter import class_editor

DISTRIBUTION = "distribution"
MEAN = "mean (or p)"
SD = "sd (Gaussian)"
LOGIT = "initial logit"


def default_table(k: int) -> pd.DataFrame:
    """K Gaussian arms from ``core.bandit.default_arms``."""
    arms, logits = bandit.default_arms(k)
    return pd.DataFrame({DISTRIBUTION: list(arms.kinds), MEAN: list(arms.means),
                         SD: list(arms.sds), LOGIT: [float(x) for x in logits]},
                        index=[f"Arm {i + 1}" for i in range(k)])


def arms_table(k: int, *, key_prefix: str) -> tuple[list, list, list, list]:
    """Render the table for K arms (its own key per K, so each K keeps its edits) and return
    the raw cells (distribution, mean or p, sd, logit), unvalidated."""
    edited = class_editor(
        default_table(k), key=f"{key_prefix}{k}", num_rows="fixed", width="stretch",
        column_config={
            DISTRIBUTION: st.column_config.SelectboxColumn(
                options=list(bandit.DISTRIBUTIONS), required=True,
                help="Gaussian: reward ~ N(mean, sd²). Bernoulli: reward 1 with probability p, "
                     "else 0."),
            MEAN: st.column_config.NumberColumn(help="Mean reward, or p for a Bernoulli arm.",
                                                format="%.3g"),
            SD: st.column_config.NumberColumn(help="Ignored for a Bernoulli arm.",
                                              format="%.3g"),
            LOGIT: st.column_config.NumberColumn(help="θ_k at the start; π = softmax(θ).",
                                                 format="%.3g"),
        })
    columns = [edited[c].tolist() if c in edited else [] for c in (DISTRIBUTION, MEAN, SD, LOGIT)]
    return columns[0], columns[1], columns[2], columns[3]
