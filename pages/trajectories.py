"""Trajectories: the dynamics drop out. A slippery gridworld whose dynamics P the learner's code
never reads: exact ∇J two ways, REINFORCE through env.step, and log p(τ) term by term."""

import streamlit as st

from core.gridworld import lab
from core.gridworld import reinforce as gr
from core.gridworld import world as gw
from ui import trajectories_sections as sections
from ui.common import global_seed, show_problem
from ui.entry import run_through_app

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

st.title("Trajectories: the dynamics drop out")
st.markdown(
    "A trajectory's probability has three kinds of factors: where it starts, what the policy "
    "chose, and what the world did with that choice."
)
st.latex(r"p_\theta(\tau) = \rho(s_0)\prod_{t=0}^{T-1}\pi_\theta(a_t\mid s_t)\,"
         r"P(s_{t+1}\mid s_t, a_t)")
st.markdown(
    "The learner does not know P. Here P is a small slippery gridworld that you control: the "
    "exact gradient needs P, REINFORCE only calls `env.step`, and the two agree. Taking the "
    "log turns the product into a sum, and the P terms do not depend on θ, so their gradient "
    "is zero: ∇log p(τ) = Σ_t ∇log π(a_t|s_t)."
)

# ------------------------------------------------------------------ the world
st.header("The world")
controls, picture = st.columns([2, 3], gap="large")
with controls:
    config, kind = sections.world_inputs()
problem = gw.validate(config)
if problem:
    with picture:
        show_problem(problem)
    st.stop()

seed = global_seed()
world = gw.Gridworld(config)
theta = lab.initial_theta(world, kind, seed)
with picture:
    sections.world_picture(world, gw.policy_values(world, theta), config.slip)

# ------------------------------------------------------------------ exact, two ways
st.header("The exact gradient, two independent ways")
exact = lab.exact_gradients(world, theta)
beside_exact = sections.exact_section(world, exact)

# ------------------------------------------------------------------ REINFORCE
st.header("REINFORCE: only env.step")
sections.code_section()
n_column, _ = st.columns([1, 3])
episodes = n_column.number_input(
    "Episodes N", min_value=1, max_value=1_000_000, value=5000, step=500, key="tj_n",
    bind="query-params",
    help="Each episode runs the policy from the start until the goal, a pit, or the time limit.")
too_many = gr.validate_episodes(config, theta, int(episodes))
if too_many:
    show_problem(too_many)
    with beside_exact:
        st.caption("REINFORCE's estimate appears here once N fits the page's budget.")
else:
    est, played = sections.sampled(config, kind, int(episodes), seed)
    sections.samples_section(world, theta, exact, est, played, beside_exact)

# ------------------------------------------------------------------ training
st.header("Training: the exact gradient vs REINFORCE")
c = st.columns(3)
with c[0]:
    updates = st.select_slider("Updates", lab.UPDATES, value=100, key="tj_updates",
                               bind="query-params")
with c[1]:
    lr = st.select_slider("Step size α (θ ← θ + α·gradient)", lab.STEP_SIZES, value=5.0,
                          key="tj_lr", bind="query-params")
with c[2]:
    batch = st.select_slider("REINFORCE episodes per update", lab.BATCHES, value=10,
                             key="tj_batch", bind="query-params")
settings = gr.TrainSettings(updates=int(updates), lr=float(lr), episodes_per_update=int(batch))
problem = gr.validate_training(config, theta, settings)
if problem:
    show_problem(problem)
else:
    result = sections.trained(config, kind, settings, seed)
    sections.training_results(world, result, exact.j_star, int(batch))
    st.caption(
        f"Both start from the same θ and take {settings.updates} steps of size α = {lr:g}. "
        f"REINFORCE used {result.steps_reinforce:,} environment steps; exact ascent used P "
        "instead. J of both is evaluated exactly after every step.")
