"""The CartPole lab's option widgets that come straight from ``core.reinforce.config``: option
lists and labels, the presets, the learned baseline's step size and the warnings.

The page calls these with a line each, so a new option, label or preset is added in the config
module only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.reinforce.config import (
    CHOICES,
    LABELS,
    PRESET_LABELS,
    PRESETS,
    TrainConfig,
    config_warnings,
    field_help,
)
from core.reinforce.rollout import max_episode_steps, reward_threshold

VALUE_LRS: list[float] = [0.001, 0.003, 0.01, 0.03, 0.1]
"""Step sizes offered for the learned baseline (α^w)."""


def options(field_name: str) -> list[str]:
    """The options of a config field, in the config's order."""
    return list(CHOICES[field_name])


def labeller(field_name: str) -> Callable[[Any], str]:
    """A ``format_func`` showing the config's label of each option."""
    names = LABELS.get(field_name, {})
    return lambda value: names.get(value, str(value))


def intro() -> str:
    """The page's opening paragraph, with the environment's numbers and the presets' truth."""
    default, home = PRESETS["default"], PRESETS["home"]
    return (
        "A pole is hinged on a cart; each step the policy pushes the cart left or right and "
        f"earns 1 while the pole stays up (at most {max_episode_steps()} steps). Gymnasium "
        f"calls CartPole-v1 solved when the last 100 episodes average {reward_threshold():g}. "
        "Every update below is a REINFORCE loss: log-probabilities of the actions taken, "
        "weighted by returns, one backward pass. The defaults improve on the home page's loss "
        f"(weights: {LABELS['weighting'][default.weighting]}, baseline: "
        f"{LABELS['baseline'][default.baseline]}, {default.episodes_per_update} episodes per "
        "update); the preset **" + PRESET_LABELS["home"] + "** trains exactly the home "
        f"page's code ({LABELS['weighting'][home.weighting]}, no baseline, a {home.reduction} "
        f"over the steps, {home.episodes_per_update} episode per update)."
    )


def preset_buttons(load: Callable[[str], None]) -> None:
    """One button per preset, labelled from the config's preset names."""
    st.caption("Load a preset")
    # A row that wraps: each label in full however narrow the column (two fixed columns cut
    # "the home page's loss" at 1280 px in presenter mode).
    row = st.container(horizontal=True)
    for name, text in PRESET_LABELS.items():
        row.button(text, key=f"cp_preset_{name}", on_click=load, args=(name,),
                   width="content", help=_preset_help(name))


def _preset_help(name: str) -> str:
    return {"default": "The app's starting point: reward-to-go, standardised over the batch.",
            "home": "The home page's loss as written: −(Σ log π)·R, whole return, no "
                    "baseline, one episode per update.",
            "fast": "Tuned for wall-clock to solve: a large batch and a large step.",
            "classic": "The classic single-environment PyTorch example."}.get(name, "")


def value_step_size(baseline: str, default: float) -> float:
    """The learned baseline's step size α^w (a widget only when that baseline is chosen)."""
    if baseline != "learned":
        return default
    start = default if default in VALUE_LRS else VALUE_LRS[2]
    return float(st.select_slider("Baseline step size α^w", VALUE_LRS, value=start,
                                  key="cp_value_lr", bind="query-params",
                                  help=field_help("value_lr")))


def show_warnings(config: TrainConfig) -> None:
    """Each setting that trains but cannot learn, named, with the reason."""
    for message in config_warnings(config):
        st.warning(message, icon=":material/warning:")
