"""REINFORCE on CartPole, live: set the knobs, press Start, watch it learn (or fail to)."""

from typing import cast

import streamlit as st

from core.limits import LIMITS
from core.reinforce.config import (
    PRESETS,
    Activation,
    Baseline,
    Optimizer,
    Reduction,
    Rollout,
    Sign,
    TrainConfig,
    Weighting,
    validate_config,
)
from ui import cartpole_options as opts
from ui import cartpole_session as lab
from ui.common import global_seed, log_slider, log_values, show_problem
from ui.entry import run_through_app
from ui.gradient_quality import batch_gradient_section

run_through_app(__file__)  # first: a shared link on a fresh server runs through app.py

st.title("REINFORCE on CartPole, live")
st.markdown(opts.intro())

PRESET_KEYS = {"lr": "cp_lr", "optimizer": "cp_opt", "gamma": "cp_gamma",
               "activation": "cp_act", "dropout": "cp_dropout", "rollout": "cp_rollout",
               "episodes_per_update": "cp_batch", "num_envs": "cp_envs",
               "weighting": "cp_weighting", "baseline": "cp_baseline",
               "reduction": "cp_reduction", "sign": "cp_sign", "entropy_coef": "cp_entropy",
               "value_lr": "cp_value_lr"}
HIDDEN_UNITS = [0, 4, 8, 16, 32, 64, 128, 256]
BATCHES = [1, 2, 4, 8, 16, 32, 64, 96, 128, 256]
CLIPS = ["off", "0.1", "1", "10", "100"]
BUDGETS = [100, 500, 1000, 2000, 5000, 10000, 20000]


def load_preset(name: str) -> None:
    """Put a preset's values into the widgets (a callback, so before they are drawn)."""
    config = PRESETS[name]
    for field_name, key in PRESET_KEYS.items():
        st.session_state[key] = getattr(config, field_name)
    st.session_state["cp_hidden"] = config.hidden[0] if config.hidden else 0
    st.session_state["cp_layers"] = max(1, len(config.hidden))
    st.session_state["cp_clip"] = "off"


default = PRESETS["default"]
# Charts first: on a phone the columns stack in this order, so Start and the live chart come
# before the long column of controls (on a wide screen the controls sit on the right).
charts, controls = st.columns([2, 1], gap="large")
with controls:
    opts.preset_buttons(load_preset)
    lr = log_slider("Learning rate", log_values(-5, 0), default.lr, key="cp_lr",
                    help="Live: changes take effect at the next update and are marked.")
    with st.expander("Estimator (live)", expanded=True):
        sign = st.radio("Sign of the loss", opts.options("sign"), key="cp_sign", horizontal=True,
                        bind="query-params", help="plus descends J: the policy learns to fail.")
        weighting = st.radio("Weight of ∇log π(a_t|s_t)", opts.options("weighting"),
                             format_func=opts.labeller("weighting"), key="cp_weighting",
                             index=opts.options("weighting").index(default.weighting),
                             bind="query-params")
        baseline = st.selectbox("Baseline", opts.options("baseline"),
                                format_func=opts.labeller("baseline"),
                                index=opts.options("baseline").index(default.baseline),
                                key="cp_baseline", bind="query-params")
        value_lr = opts.value_step_size(baseline, default.value_lr)
        reduction = st.radio("Over the steps", opts.options("reduction"), key="cp_reduction",
                             horizontal=True, bind="query-params")
        gamma = st.select_slider("Discount γ", [0.9, 0.95, 0.98, 0.99, 0.995, 1.0],
                                 value=default.gamma, key="cp_gamma", bind="query-params")
        entropy = st.select_slider("Entropy bonus", [0.0, 0.001, 0.01, 0.1, 1.0],
                                   value=default.entropy_coef, key="cp_entropy",
                                   bind="query-params")
        clip = st.select_slider("Clip gradient norm at", CLIPS, value="off", key="cp_clip",
                                bind="query-params")
    with st.expander("Network and batch (need a reset)"):
        units = st.select_slider("Hidden units per layer (0 = linear)", HIDDEN_UNITS,
                                 value=default.hidden[0], key="cp_hidden",
                                 bind="query-params")
        layers = st.radio("Hidden layers", [1, 2], key="cp_layers", horizontal=True,
                          bind="query-params")
        activation = st.radio("Activation", opts.options("activation"), key="cp_act",
                              horizontal=True,
                              bind="query-params")
        dropout = st.select_slider("Dropout", [0.0, 0.1, 0.3, 0.6, 0.9], value=0.0,
                                   key="cp_dropout", bind="query-params")
        optimizer = st.radio("Optimizer", opts.options("optimizer"), key="cp_opt",
                             format_func=opts.labeller("optimizer"), horizontal=True,
                             bind="query-params")
        batch = st.select_slider("Episodes per update", BATCHES,
                                 value=default.episodes_per_update, key="cp_batch",
                                 bind="query-params")
        envs = st.select_slider("Parallel environments", BATCHES, value=default.num_envs,
                                key="cp_envs", bind="query-params")
        rollout = st.radio("Rollout", opts.options("rollout"), key="cp_rollout",
                           horizontal=True, bind="query-params",
                           help="per_step: one env and a forward pass per step (classic).")
    with st.expander("Run", expanded=True):
        seeds = st.select_slider("Seeds trained side by side", list(range(1, 11)), value=1,
                                 key="cp_seeds", bind="query-params",
                                 help="Several seeds show how noisy single runs are.")
        budget = st.select_slider("Episode budget per seed", BUDGETS, value=2000,
                                  key="cp_budget", bind="query-params")
        cap = lab.episode_cap(seeds)
        if budget > cap:
            st.caption(f"This server allows {LIMITS.max_episodes_per_session:,} episodes per "
                       f"session: {cap:,} per seed here.")
        speed = st.select_slider("Speed (environment steps per second, all parallel envs)",
                                 list(lab.SPEEDS), value=lab.DEFAULT_SPEED, key="cp_speed",
                                 bind="query-params", help=lab.SPEED_HELP)
        stop_solved = st.toggle("Stop when solved", value=True, key="cp_stop",
                                bind="query-params")
        overlay = st.toggle("Overlay kept runs", value=True, key="cp_overlay",
                            bind="query-params")

hidden = tuple([units] * layers) if units else ()
# The widgets' options are the Literal types' values; cast tells the type checker so.
config = TrainConfig(lr=lr, optimizer=cast(Optimizer, optimizer), gamma=gamma, hidden=hidden,
                     activation=cast(Activation, activation), dropout=dropout,
                     episodes_per_update=batch, num_envs=envs, rollout=cast(Rollout, rollout),
                     weighting=cast(Weighting, weighting), baseline=cast(Baseline, baseline),
                     reduction=cast(Reduction, reduction), sign=cast(Sign, sign),
                     entropy_coef=entropy,
                     max_grad_norm=None if clip == "off" else float(clip),
                     seed=global_seed(), max_episodes=min(budget, cap), value_lr=value_lr)
problem = validate_config(config)
state = lab.lab()
state.stop_solved = stop_solved
if not problem:
    lab.apply_settings(config)

with charts:
    buttons = st.columns(5)
    buttons[0].button("Start", key="cp_start", type="primary", disabled=bool(problem),
                      on_click=lab.start, args=(config, seeds), width="stretch",
                      help="A fresh run with these settings (the current one is kept).")
    buttons[1].button("Pause", key="cp_pause", disabled=not state.running,
                      on_click=lab.pause, width="stretch")
    buttons[2].button("Resume", key="cp_resume", on_click=lab.resume, width="stretch",
                      disabled=state.running or not state.started or state.finished)
    buttons[3].button("Reset", key="cp_reset", on_click=lab.reset, width="stretch",
                      disabled=not state.started)
    buttons[4].button("Clear kept", key="cp_clear", on_click=lab.clear_history,
                      width="stretch", disabled=not state.history)
    if problem:
        show_problem(problem)
    opts.show_warnings(config)
    if state.pending_restart:
        st.info(f"Changed {', '.join(state.pending_restart)}: these apply after Reset and "
                "Start; the running run keeps its old values.", icon=":material/restart_alt:")
    lab.live_panel(lab.SPEEDS[speed], overlay)
    with st.expander("Reading the charts", expanded=True):
        st.markdown(
            "- **Sign.** Flip it to *plus* and the optimizer descends J: the return sinks "
            "towards the shortest episodes (about 10 steps), the policy toppling the pole.\n"
            "- **Sum or mean.** *mean* divides by the batch's step count instead of its episode "
            "count: same direction, scaled down by the mean episode length, a factor that grows "
            "as the policy improves. Adam barely sees the scale; with SGD it acts like a "
            "learning rate that shrinks as episodes lengthen.\n"
            "- **Baseline.** Subtracting a constant leaves the expected gradient unchanged "
            "(the batch's own mean does so up to a 1/batch term) and removes much of its "
            "noise; standardising also rescales it. A *learned state value* V(s_t) is a small "
            "network fitted to the returns after each batch with its own step size α^w "
            "(REINFORCE with baseline). Compare *none* with the others over a few seeds."
        )
        st.markdown(
            "- **The loss is not a score.** It is −Σ w·log π, rebuilt on every batch from new "
            "episodes and new weights. As episodes lengthen there are more terms, and standardised "
            "weights change meaning from batch to batch, so the loss can rise while the return "
            "climbs. Judge learning by the return.\n"
            "- **Entropy** starts at ln 2 (a coin flip per step) and falls as the policy commits. "
            "An entropy bonus slows that fall.\n"
            "- **Gradient norm** on a log axis: spikes with a large learning rate announce the "
            "collapses that REINFORCE is known for."
        )


st.header("Watch the policy")
st.button("Play one episode with the current policy", key="cp_watch", on_click=lab.watch_now,
          args=(config,), disabled=bool(problem))
lab.watch_panel()

batch_gradient_section(config)
