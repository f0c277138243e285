"""Home: the derivation step by step, the PyTorch loop, and the four questions it raises."""

import streamlit as st

from core.reinforce.config import PRESET_LABELS, PRESETS, label
from core.source import function_source
from ui.entry import run_through_app
from ui.registry import QUESTIONS, pages_answering, pages_in_section

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

st.title("Policy Gradient, Seen")
st.markdown(
    "The policy-gradient theorem fits on one line, and REINFORCE in one short PyTorch function. "
    "Between the two sit four questions that the usual write-ups skip. "
    "Each page of this app answers one of them with something you can move and watch."
)

st.header("The derivation, one step at a time")
st.markdown(
    "A policy $\\pi_\\theta$ produces a trajectory $\\tau$ (states and actions) with "
    "probability $\\pi_\\theta(\\tau)$, and $\\tau$ earns a reward $r(\\tau)$. We want the "
    "parameters $\\theta$ that make the expected reward $J(\\theta)$ large, so we need its "
    "gradient."
)
st.info(
    "**Notation, used on every page.** $\\pi_\\theta(\\tau)$ is the probability of a whole "
    "trajectory under the policy; the question *where did p(τ) go?* calls the same thing "
    "$p(\\tau)$. $\\pi_\\theta(a \\mid s)$ is the probability of one action, $r(\\tau)$ the "
    "reward of the trajectory, $J(\\theta) = \\mathbb{E}_{\\tau\\sim\\pi_\\theta}[r(\\tau)]$ "
    "the expected reward. On the first pages a plain random variable $X$ (or $\\tau$) with "
    "probabilities $p(x)$ stands in for the trajectory.",
    icon=":material/menu_book:",
)

STEPS = [
    (r"J(\theta) = \mathbb{E}_{\tau\sim\pi_\theta}\!\left[r(\tau)\right]"
     r" = \int \pi_\theta(\tau)\, r(\tau)\, d\tau",
     "Definition of the expectation: a probability-weighted sum (an integral) over every τ."),
    (r"\nabla_\theta J(\theta) = \int \nabla_\theta \pi_\theta(\tau)\, r(\tau)\, d\tau",
     "Swap ∇ and ∫ (the integrand is smooth in θ); r(τ) does not depend on θ, so only π is "
     "differentiated."),
    (r"\nabla_\theta J(\theta) = \int \pi_\theta(\tau)\, \nabla_\theta \log \pi_\theta(\tau)\,"
     r" r(\tau)\, d\tau",
     "The log-derivative trick: ∇π = π ∇log π, because ∇log π = ∇π / π."),
    (r"\nabla_\theta J(\theta) = \mathbb{E}_{\tau\sim\pi_\theta}\!\left[r(\tau)\,"
     r"\nabla_\theta \log \pi_\theta(\tau)\right]",
     "Definition of the expectation again, read backwards: ∫ π(τ)·(…) dτ is E[…]."),
    (r"\nabla_\theta \log \pi_\theta(\tau) = \sum_{t=0}^{T-1} \nabla_\theta"
     r" \log \pi_\theta(a_t \mid s_t)",
     "log π(τ) is a sum of log-probabilities of each action plus dynamics terms that do not "
     "depend on θ; ∇ of a sum is the sum of ∇ (linearity)."),
    (r"\nabla_\theta J(\theta) \approx \frac{1}{N}\sum_{i=1}^{N} r(\tau_i)\sum_{t}"
     r" \nabla_\theta \log \pi_\theta(a_{i,t}\mid s_{i,t}),\qquad \tau_i \sim \pi_\theta",
     "Monte Carlo: an average over trajectories drawn by running the policy estimates the "
     "expectation, without ever writing π(τ) down."),
]

for number, (formula, reason) in enumerate(STEPS, start=1):
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.latex(formula)
    with right:
        st.markdown(f"**Step {number}.** {reason}")

st.header("The same thing in PyTorch")
st.code(function_source("core.reinforce.home_loop", "reinforce_episode"), language="python")
HOME_PRESET = PRESETS["home"]
st.caption(
    "Not a sketch: this is the function in `core/reinforce/home_loop.py`, shown as it runs. "
    "`env` is gymnasium's CartPole-v1; `policy` a small network from CartPole's four "
    "observations to two action logits (hidden layers: "
    f"{', '.join(map(str, HOME_PRESET.hidden))} {HOME_PRESET.activation} units); `optimizer` "
    f"{label('optimizer', HOME_PRESET.optimizer)} at learning rate {HOME_PRESET.lr:g}. The "
    f"CartPole lab's preset **{PRESET_LABELS['home']}** trains with exactly this loss and "
    "update: from the same episode it computes the same gradient, and the app's tests check it."
)

st.header("Four questions this raises")
for number, (question, answer) in QUESTIONS.items():
    with st.container(border=True):
        st.markdown(f"**{number}. {question}**")
        st.markdown(answer)
        for entry in pages_answering(number):
            st.page_link(entry.path, label=f"See it: {entry.title}", icon=entry.icon)

st.header("Then watch it learn")
st.markdown("Once the four answers are in place, these labs put them to work.")
for entry in pages_in_section("Labs"):
    st.page_link(entry.path, label=entry.title, icon=entry.icon)
    if entry.blurb:
        st.caption(entry.blurb)
