"""The CartPole lab's "How good is one batch's gradient?" section (Ilyas et al., 2020).

The page calls ``batch_gradient_section(config)`` once. The measurement runs when asked (a
button) on a snapshot of the policy (before training, or the live run now), is cached per
snapshot, and every snapshot measured in the session is kept for an early-vs-late comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from core.charts.gradient_quality import cosine_figure
from core.pool import PoolError, run_job
from core.reinforce import gradient_quality as gq
from core.reinforce.config import TrainConfig
from core.torch_env import torch
from ui import cartpole_session
from ui.common import show_chart, show_problem
from ui.presenter import data_table

SNAPSHOTS = {"untrained": "before training (the run's initial weights)",
             "live": "now (the live run's current policy)"}
REFERENCE_STEPS = [10_000, 20_000, 50_000]
POOL_STEPS = [20_000, 40_000, 100_000, 200_000]
PENDING_KEY = "gq_pending"
HISTORY_KEY = "gq_history"
MAX_HISTORY = 8


@dataclass(frozen=True)
class Snapshot:
    """A policy to measure: its config, weights, fingerprint and a label."""

    config: TrainConfig
    weights: dict[str, torch.Tensor]
    digest: str
    label: str


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _measure(digest: str, config: TrainConfig, quality: gq.QualityConfig,
             _weights: dict[str, torch.Tensor]) -> gq.Quality:
    """The measurement, cached per snapshot fingerprint and settings (weights not hashed).
    Sampled in a worker process of the training pool, not on this script thread (a failure
    raises PoolError, which is not cached)."""
    weights = {name: tensor.detach().cpu().numpy() for name, tensor in _weights.items()}
    result: gq.Quality = run_job(gq.measure_arrays, config, weights, quality)
    return result


def _snapshot(kind: str, page_config: TrainConfig) -> Snapshot | None:
    live = cartpole_session.policy_snapshot(0)
    if kind == "live":
        if live is None:
            return None
        config, weights = live
        episodes = len(cartpole_session.lab().trainers[0].episodes) if \
            cartpole_session.lab().trainers else 0
        label = f"live run after {episodes:,} episodes"
    else:
        config = live[0] if live is not None else page_config
        weights = gq.initial_state_dict(config)
        label = "before training"
    return Snapshot(config, weights, gq.snapshot_digest(config, weights), label)


def _take(kind: str, page_config: TrainConfig, quality: gq.QualityConfig) -> None:
    """Button callback: freeze the chosen snapshot for measuring."""
    snap = _snapshot(kind, page_config)
    st.session_state[PENDING_KEY] = (snap, quality) if snap is not None else None


def _needed_text(measured: int | None, curve: gq.EstimatorCurves, between: bool) -> str:
    if measured is not None:
        return f"{measured}"
    largest = curve.sizes[-1] if curve.sizes else 0
    return f"more than {largest}" if largest else "not measured"


def _predicted_text(value: float) -> str:
    if not math.isfinite(value):
        return "never (no signal)"
    return f"≈ {max(value, 1.0):,.0f}"


def batch_gradient_section(page_config: TrainConfig) -> None:
    """Draw the whole section."""
    st.header("How good is one batch's gradient?")
    st.markdown(
        "A REINFORCE update follows the gradient of one batch. How close is that to the true "
        "gradient? Following Ilyas et al. (2020, *A closer look at deep policy gradients*), a "
        "**reference gradient** is estimated from many episodes, and batches of B episodes, "
        "sampled separately, are compared with it and with each other by **cosine "
        "similarity**: 1 is the same direction, 0 is unrelated. Four estimators: the whole "
        "return G₀ or the reward-to-go G_t, each with or without the batch's mean weight "
        "subtracted. (Standardising over the batch only rescales the latter: same cosines.)")
    c1, c2, c3 = st.columns(3)
    kind = c1.radio("Policy", list(SNAPSHOTS), format_func=SNAPSHOTS.get, key="gq_snapshot",
                    bind="query-params")
    ref_steps = c2.select_slider("Reference: environment steps", REFERENCE_STEPS, value=20_000,
                                 key="gq_ref", bind="query-params")
    pool_steps = c3.select_slider("Batches drawn from: environment steps", POOL_STEPS,
                                  value=40_000, key="gq_pool", bind="query-params",
                                  help="Pairs of disjoint batches are drawn from this pool of "
                                       "episodes; large batches of long episodes need a large "
                                       "pool.")
    quality = gq.QualityConfig(reference_steps=int(ref_steps), batch_steps=int(pool_steps),
                               seed=page_config.seed)
    problem = gq.validate(quality)
    no_run = kind == "live" and not cartpole_session.has_live_policy()
    st.button("Measure this policy", key="gq_measure", type="primary",
              disabled=bool(problem) or no_run, on_click=_take,
              args=(kind, page_config, quality),
              help="Samples the reference and the batches now; about 2 to 10 seconds.")
    if problem:
        show_problem(problem)
    if no_run:
        st.caption("Start a run above to measure its current policy; the untrained policy "
                   "can be measured at any time.")
    pending = st.session_state.get(PENDING_KEY)
    if pending is None:
        return
    snap, asked = pending
    with st.spinner(f"Sampling {asked.reference_steps + asked.batch_steps:,} steps and "
                    "measuring every batch size…"):
        try:
            result = _measure(snap.digest, snap.config, asked, snap.weights)
        except PoolError as error:
            show_problem(f"The server could not measure this policy ({error}). Press "
                         "**Measure this policy** to try again.")
            st.session_state[PENDING_KEY] = None
            return
    _remember(snap, result)
    _show(snap, result)


def _remember(snap: Snapshot, result: gq.Quality) -> None:
    history: list[dict[str, object]] = st.session_state.setdefault(HISTORY_KEY, [])
    if any(row["fingerprint"] == snap.digest for row in history):
        return
    row: dict[str, object] = {"snapshot": snap.label, "mean return": round(result.mean_return, 1)}
    for label, curve in result.curves.items():
        row[f"{label}: episodes for cos > {gq.AGREEMENT:g}"] = _needed_text(
            curve.needed(), curve, between=False)
    row["fingerprint"] = snap.digest
    history.append(row)
    del history[:-MAX_HISTORY]


def _show(snap: Snapshot, result: gq.Quality) -> None:
    m = st.columns(4)
    m[0].metric("policy measured", snap.label)
    m[1].metric("its mean return", f"{result.mean_return:.1f}")
    m[2].metric("reference", f"{result.reference_episodes:,} episodes",
                help=f"{result.reference_steps:,} steps")
    m[3].metric("batches drawn from", f"{result.pool_episodes:,} episodes",
                help=f"{result.pool_steps:,} steps")
    left, right = st.columns(2, gap="large")
    with left:
        show_chart(cosine_figure(result, between=False,
                                 title="A batch's gradient against the reference"),
                   key="gq_chart_reference",
                   reveal="How many episodes must a batch hold before its gradient points "
                          "roughly (cosine > 0.5) the reference's way?")
    with right:
        show_chart(cosine_figure(result, between=True,
                                 title="Two independent batches against each other"),
                   key="gq_chart_between")
    rows = []
    for label, curve in result.curves.items():
        rows.append({
            "estimator": label,
            "vs reference: measured": _needed_text(curve.needed(), curve, False),
            "vs truth: predicted": _predicted_text(curve.predicted_needed()),
            "two batches: measured": _needed_text(curve.needed(True), curve, True),
            "two batches: predicted": _predicted_text(curve.predicted_needed(True)),
        })
    st.markdown(f"**Episodes a batch needs for cosine > {gq.AGREEMENT:g}**")
    data_table(rows, hide_index=True)
    quality_text = ", ".join(f"{w.replace('_', '-')}: {q:.2f}" for w, q in
                             result.reference_quality.items() if math.isfinite(q))
    st.caption(
        "Points: mean cosine over pairs of disjoint batches (± 2 standard errors). Dotted: "
        "the prediction from the pool's mean gradient g and per-episode variance tr Σ, "
        "cos ≈ ‖g‖/√(‖g‖² + tr Σ/B) with the true gradient and ‖g‖²/(‖g‖² + tr Σ/B) between "
        "batches. Sizes the pool cannot fill twice are left out. "
        + (f"Predicted cosine of the reference itself with the true gradient: {quality_text}."
           if quality_text else
           "Here the pool's mean gradient is no larger than its noise: the reference, too, "
           "is mostly noise, as Ilyas et al. found late in training."))
    history = st.session_state.get(HISTORY_KEY, [])
    if len(history) > 1:
        st.markdown("**Snapshots measured in this session** (early vs late)")
        data_table([{k: v for k, v in row.items() if k != "fingerprint"} for row in history],
                   hide_index=True)
    else:
        st.caption("Measure the policy before training and again after a while: the table "
                   "comparing them appears here.")
