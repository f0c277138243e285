"""The log-derivative trick: ∇E[r] = E[r ∇log p], computed exactly, sampled, and tamed."""

import numpy as np
import streamlit as st

from core import gradient_lab as gl
from core import score_estimators as se
from ui import log_derivative_sections as sections
from ui.common import global_seed, log_slider, log_values, show_problem
from ui.entry import run_through_app

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

st.title("The log-derivative trick")
st.markdown(
    "The gradient of an expectation is itself an expectation: move ∇ inside the sum or "
    "integral and write ∇p as p·∇log p. That turns an exact but unknown sum into something we "
    "can estimate from samples. Here you can check the identity, watch the estimate's noise, "
    "and see what a baseline does to it."
)
st.latex(r"\nabla_\theta \mathbb{E}_{x\sim p_\theta}[r(x)] = \sum_x r(x)\,\nabla_\theta"
         r" p_\theta(x) = \mathbb{E}_{x\sim p_\theta}\!\left[r(x)\,\nabla_\theta"
         r" \log p_\theta(x)\right] \approx \frac{1}{N}\sum_{i=1}^{N}\big(r(x_i) + c - b\big)"
         r"\,\nabla_\theta \log p_\theta(x_i)")

family = st.segmented_control(
    "Family", list(gl.LAB_FAMILIES), default=next(iter(gl.LAB_FAMILIES)), key="ld_family",
    format_func=lambda key: gl.LAB_FAMILIES[key].label, bind="query-params", required=True)

inputs, settings_col = st.columns([3, 2], gap="large")
with inputs:
    lab = sections.family_inputs(family)
with settings_col:
    n = log_slider("Samples N", log_values(1, 5), 100, key="ld_n", integer=True,
                   help="Samples behind one estimate (also for each tangent of the fan).")
    baseline = st.radio("Baseline b", list(se.BASELINES), format_func=se.BASELINE_LABELS.get,
                        key="ld_baseline", horizontal=True, bind="query-params")
    constant = st.slider("Constant b (for 'Constant b')", -10.0, 10.0, 0.0, step=0.5,
                         key="ld_b", bind="query-params")
    shift = st.slider("Reward shift c (every reward becomes r + c)", -20.0, 20.0, 0.0,
                      step=1.0, key="ld_c", bind="query-params")

settings = gl.LabSettings(n=int(n), baseline=baseline, constant=float(constant),
                          shift=float(shift))
problem = lab.validate() or gl.validate_settings(settings)
rng = np.random.default_rng([global_seed(), 1])

tabs = st.tabs(["Estimate", "Noise: tangents", "E[∇log p] = 0", "Variance and baselines",
                "Mohamed et al. Fig. 2"])
if problem is not None:
    for tab in tabs[:4]:
        with tab:
            show_problem(problem)
else:
    result = lab.run(settings, rng)
    with tabs[0]:
        sections.estimate_tab(result)
    with tabs[1]:
        sections.fan_tab(result)
    with tabs[2]:
        sections.eglp_tab(result)
    with tabs[3]:
        sections.baselines_tab(result)
with tabs[4]:
    sections.figure2_tab(global_seed())
