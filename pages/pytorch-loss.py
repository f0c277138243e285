"""From the formula to the PyTorch loss: where p(τ) went, the minus sign, and the sum."""

import numpy as np
import streamlit as st

from core import loss_demo as ld
from ui import pytorch_loss_sections as sections
from ui.common import global_seed, log_slider, log_values, show_problem
from ui.entry import run_through_app
from ui.presenter import presenter_mode, revealed

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

st.title("From the formula to the PyTorch loss")
# Presenter mode: what the loss's gradient is answers the first tab's question; until its
# Reveal the intro only says that there is a loss.
LOSS_GRADIENT = ("whose gradient, taken by autograd, is the sampled estimate of −∇J times N"
                 if revealed(sections.MIRROR_KEY) else "and lets autograd take its gradient")
st.markdown(
    f"REINFORCE code never computes ∇J directly. It builds a *loss* {LOSS_GRADIENT}. Below, "
    "that code runs live on a three-armed softmax bandit (all logits start at 0), so you can "
    "check each claim."
)

PRESET_LABELS = {"positive": "Rewards 1, 2, 5", "negative": "All negative (a cost): −5, −2, −1"}
top = st.columns(3)
preset = top[0].selectbox("Reward table", list(ld.REWARD_PRESETS),
                          format_func=PRESET_LABELS.__getitem__, key="pl_preset",
                          bind="query-params")
optimizer = top[1].radio("Optimizer", list(ld.OPTIMIZERS), horizontal=True, key="pl_opt",
                         format_func={"sgd": "SGD", "adam": "Adam"}.get, bind="query-params")
minus_sign = top[2].toggle("Minus sign in the loss", value=True, key="pl_sign",
                           bind="query-params",
                           help="Off: loss = +(log_probs * returns).sum()"
                                + (", i.e. descent on J." if revealed(sections.SIGN_KEY) else "."))
controls = st.columns(3)
with controls[0]:
    lr = log_slider("Learning rate α", log_values(-4, 0), 0.002, key="pl_lr")
with controls[1]:
    n = log_slider("Batch size N (training)", log_values(0, 3), 100, key="pl_n", integer=True)
with controls[2]:
    mirror_n = log_slider("Samples N (one pass of the code)", log_values(0, 5), 1000,
                          key="pl_mirror_n", integer=True)

rewards = np.array(ld.REWARD_PRESETS[preset])
seed = global_seed()
problem = ld.validate_batch(int(n), float(lr), ld.TRAINING_STEPS) or ld.validate_batch(
    int(mirror_n), float(lr))

st.header("The loop, line by line")
sections.code_rows(minus_sign)

# Presenter mode: the last tab's usual title would answer its question (will the loss fall
# while J rises?); its title there is neutral, before and after the Reveal alike.
tabs = st.tabs(["Where did p(τ) go?", "Why the minus sign?", "Why a sum?",
                "The loss during training" if presenter_mode() else "The loss is not a score"])
if problem is not None:
    for tab in tabs:
        with tab:
            show_problem(problem)
else:
    runs = sections.training(rewards, optimizer, lr, int(n), seed)
    with tabs[0]:
        sections.mirror_tab(rewards, int(mirror_n), float(lr), minus_sign, seed)
    with tabs[1]:
        sections.sign_tab(runs, minus_sign)
    with tabs[2]:
        sections.sum_mean_tab(runs, rewards, float(lr), int(n), np.random.default_rng([seed, 4]))
    with tabs[3]:
        sections.loss_tab(runs, preset)
