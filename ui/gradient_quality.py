"""The CartPole lab's "How good is one batch's gradient?" section (Ilyas et al., 2020).

The page calls ``batch_gradient_section(config)`` once. The measurement runs when asked (a
button) on a snapshot of the policy (before training, or the live run now), is cached per
snapshot, and every snapshot measured in the session is kept for an early-vs-late comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from core.charts.gradient_quality import NO_DIRECTION, cosine_figure, sizes_text
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
ZERO_COLUMN = "no direction at"
"""The table's column of the sizes at which batches had a zero gradient."""


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


def estimator_list() -> str:
    """The registry's estimators for the intro, the discounted one with when it is measured."""
    names = []
    for label, (weighting, _) in gq.ESTIMATORS.items():
        if weighting == gq.DISCOUNTED:
            label += " (G_t discounted to the episode's start; at γ = 1 it is G_t: not measured)"
        names.append(f"**{label}**")
    return "; ".join(names)


def zero_text(curve: gq.EstimatorCurves) -> str:
    """The sizes at which some of an estimator's batches had a zero gradient (no direction),
    with how many: "B = 1 (all 128), 2 (6)", or "none"."""
    cells = [f"{b:,} (" + (f"all {n}" if z == n else f"{z}") + ")"
             for b, z, n in curve.zero_sizes()]
    return f"B = {', '.join(cells)}" if cells else "none"


def no_direction_text(result: gq.Quality) -> str:
    """Sentences on the batches whose gradient was exactly zero ("" if none was)."""
    parts, baselined = [], False
    for label, curve in result.curves.items():
        if not curve.zero_sizes():
            continue
        counts = ", ".join(f"{z} of {n} batches at {sizes_text([b])}"
                           for b, z, n in curve.zero_sizes())
        parts.append(f"**{label}**: {counts}")
        baselined = baselined or gq.ESTIMATORS[label][1]
    if not parts:
        return ""
    text = (f"**{NO_DIRECTION[0].upper() + NO_DIRECTION[1:]}.** The gradient was exactly zero "
            "in " + "; ".join(parts) + ". A zero vector has no direction, so such a batch "
            "has no cosine: the means leave it out, and a size at which every batch was zero "
            "has no point on the charts (the legend names it).")
    if not baselined:
        return text
    text += (" With the batch's mean weight subtracted, a batch whose steps all carry the "
             "same weight gets weight 0 on every step")
    for label, (weighting, baseline) in gq.ESTIMATORS.items():
        g0 = result.curves.get(label)
        if weighting == "total" and baseline and g0 and 1 in g0.no_direction_sizes():
            text += (f": one episode's steps all carry its G₀, so at B = 1 \"{label}\" is "
                     "always zero, and at larger B whenever every episode of the batch "
                     "balanced the pole for the same number of steps (the same G₀)")
    return text + "."


def reference_text(result: gq.Quality) -> str:
    """What the reference is, and which vector each weighting's mean is (computed)."""
    names = gq.WEIGHTING_NAMES
    quality = ", ".join(f"{names[w]} {q:.2f}" for w, q in result.reference_quality.items()
                        if math.isfinite(q))
    text = (f"**What the reference is.** For each weighting, the gradient of all "
            f"{result.reference_episodes:,} reference episodes with their mean weight "
            "subtracted: an estimate of that weighting's own mean"
            + (f" (its predicted cosine with that mean: {quality})" if quality else "")
            + ". ")
    zero = [names[w] for w in result.zero_references]
    if zero:
        text += (f"The reference of {', '.join(zero)} is exactly zero (every step carries the "
                 "same weight): it has no direction, so no batch has a cosine with it. ")
    if result.gamma >= 1.0:
        return text + ("At γ = 1 the objective is J = E[Σ_t r_t], and G₀ and G_t both have "
                       "its gradient ∇J as their mean (γᵗ·G_t is G_t, so it is not measured).")
    text += (f"At γ = {result.gamma:g} the objective is J_γ = E[Σ_t γᵗ r_t]. Its gradient "
             "∇J_γ is the mean of G₀ and of γᵗ·G_t, but not of G_t without γᵗ, the reward-to-go "
             "this lab's trainer uses (as does most REINFORCE code): ")
    gap = result.gap
    if gap is None:
        return text + ("how far apart the two are cannot be told from this pool, whose noise "
                       "buries both means.")
    angle = math.degrees(math.acos(gap.cosine))
    return text + (f"on this policy the G_t mean has cosine {gap.cosine:.4f} with ∇J_γ (an "
                   f"angle of {angle:.1f}°) and is "
                   f"about {gap.length_ratio:.2g} times as long (estimated from the "
                   f"{gap.episodes:,} episodes the batches are drawn from). So the G_t rows "
                   "measure how well a batch finds that other vector, not ∇J_γ.")


def batch_gradient_section(page_config: TrainConfig) -> None:
    """Draw the whole section."""
    st.header("How good is one batch's gradient?")
    st.markdown(
        "A REINFORCE update follows the gradient of one batch. How close is that to the "
        "direction its estimator points on average? Following Ilyas et al. (2020, *A closer "
        "look at deep policy gradients*), each weighting's **reference gradient**, its mean, "
        "is estimated from many episodes, and batches of B episodes, sampled separately, are "
        "compared with it and with each other by **cosine similarity**: 1 is the same "
        "direction, 0 is unrelated. The estimators: " + estimator_list() + ". (Standardising "
        "over the batch only rescales a \"− batch mean\" one: same cosines.)")
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
            "vs its mean: predicted": _predicted_text(curve.predicted_needed()),
            "two batches: measured": _needed_text(curve.needed(True), curve, True),
            "two batches: predicted": _predicted_text(curve.predicted_needed(True)),
            ZERO_COLUMN: zero_text(curve),
        })
    st.markdown(f"**Episodes a batch needs for cosine > {gq.AGREEMENT:g}**")
    data_table(rows, hide_index=True)
    zeros = no_direction_text(result)
    if zeros:
        st.markdown(zeros)
    st.markdown(reference_text(result))
    st.caption(
        "Points: mean cosine over pairs of disjoint batches (± 2 standard errors). Dotted: "
        "the prediction from the pool's mean gradient g and per-episode variance tr Σ, "
        "cos ≈ ‖g‖/√(‖g‖² + tr Σ/B) with the estimator's mean g and ‖g‖²/(‖g‖² + tr Σ/B) "
        "between batches; it treats the baseline as fixed (the pool's mean weight), where a "
        "batch subtracts its own. Sizes the pool cannot fill twice are left out."
        + ("" if any(math.isfinite(q) for q in result.reference_quality.values()) else
           " Here the pool's mean gradient is no larger than its noise: the reference, too, "
           "is mostly noise, as Ilyas et al. found late in training."))
    history = st.session_state.get(HISTORY_KEY, [])
    if len(history) > 1:
        st.markdown("**Snapshots measured in this session** (early vs late)")
        data_table([{k: v for k, v in row.items() if k != "fingerprint"} for row in history],
                   hide_index=True)
    else:
        st.caption("Measure the policy before training and again after a while: the table "
                   "comparing them appears here.")
