"""Which CartPole settings a room offers, their allowed values, and the room's rules: the values
it fixes and the ones each student may choose."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from core.reinforce.config import BASELINES, OPTIMIZERS, REDUCTIONS, WEIGHTINGS, TrainConfig


@dataclass(frozen=True)
class RoomSetting:
    """One setting a room can fix or leave free."""

    name: str
    """Field of ``TrainConfig`` it sets (``hidden_units`` sets ``hidden``)."""
    label: str
    """What the teacher and the students read."""
    options: tuple[Any, ...]
    """Every value a student may pick, in display order."""
    log_scale: bool = False
    """Plot it on a log axis (the learning rate)."""

    @property
    def numeric(self) -> bool:
        """True if its values are numbers (a continuous colour scale and axis)."""
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.options)


SETTINGS: dict[str, RoomSetting] = {s.name: s for s in (
    RoomSetting("lr", "Learning rate",
                (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0),
                log_scale=True),
    RoomSetting("episodes_per_update", "Episodes per update", (1, 2, 4, 8, 16, 32, 64, 96)),
    RoomSetting("gamma", "Discount γ", (0.9, 0.95, 0.98, 0.99, 0.995, 1.0)),
    RoomSetting("baseline", "Baseline", BASELINES),
    RoomSetting("weighting", "Weight of ∇log π", WEIGHTINGS),
    RoomSetting("reduction", "Over the steps", REDUCTIONS),
    RoomSetting("optimizer", "Optimizer", OPTIMIZERS),
    RoomSetting("hidden_units", "Hidden units", (0, 4, 8, 16, 32, 64, 128)),
    RoomSetting("entropy_coef", "Entropy bonus", (0.0, 0.001, 0.01, 0.1)),
    RoomSetting("seed", "Seed", tuple(range(100))),
    RoomSetting("max_episodes", "Episode budget", (50, 100, 200, 500, 1000, 2000, 5000)),
)}
"""Every setting a room offers, by name: the one list the teacher's and students' widgets,
the validation and the charts read."""

DEFAULTS: dict[str, Any] = {
    "lr": 0.02, "episodes_per_update": 16, "gamma": 0.99, "baseline": "batch_standardise",
    "weighting": "reward_to_go", "reduction": "sum", "optimizer": "adam", "hidden_units": 32,
    "entropy_coef": 0.0, "seed": 0, "max_episodes": 1000,
}
"""A new room's values: the CartPole lab's defaults with a 1,000-episode budget."""


@dataclass(frozen=True)
class RoomRules:
    """A room's settings: each one's value, and which of them students choose themselves."""

    values: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    """Value of every setting (for a free setting: the value students start from)."""
    free: tuple[str, ...] = ("lr",)
    """Settings each student chooses; the others are fixed for the whole room."""
    compare_by: str = "lr"
    """The setting the teacher's charts colour and spread the runs by."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly form, as stored in the database."""
        return {"values": dict(self.values), "free": list(self.free),
                "compare_by": self.compare_by}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoomRules:
        """The rules a ``to_dict`` stored (unknown names dropped, missing values defaulted)."""
        values = {**DEFAULTS, **{k: v for k, v in dict(data.get("values", {})).items()
                                 if k in SETTINGS}}
        free = tuple(n for n in data.get("free", ()) if n in SETTINGS)
        compare_by = data.get("compare_by", "lr")
        return cls(values, free, compare_by if compare_by in SETTINGS else "lr")


def rules_problem(rules: RoomRules) -> str | None:
    """None if the teacher's rules are usable, else what is wrong."""
    for name, value in rules.values.items():
        if name not in SETTINGS or value not in SETTINGS[name].options:
            return f"{name} = {value!r} is not one of the values a room offers."
    if set(rules.values) != set(SETTINGS):
        return "Every setting needs a value."
    if any(name not in SETTINGS for name in rules.free):
        return "Unknown setting among the free ones."
    if rules.compare_by not in SETTINGS:
        return "Unknown setting to compare by."
    return None


def choice_problem(rules: RoomRules, chosen: dict[str, Any]) -> str | None:
    """None if a student's ``chosen`` settings keep to the room's rules: every setting present,
    fixed ones at the room's value, free ones among the offered values."""
    if set(chosen) != set(SETTINGS):
        return "A run must give every setting of the room."
    for name, value in chosen.items():
        setting = SETTINGS[name]
        if name in rules.free:
            if value not in setting.options or isinstance(value, bool):
                return f"{setting.label}: {value!r} is not one of the values offered."
        elif value != rules.values[name]:
            return f"{setting.label} is fixed at {rules.values[name]!r} in this room."
    return None


def to_config(chosen: dict[str, Any]) -> TrainConfig:
    """The CartPole run a student's settings describe (one seed, vectorised rollout)."""
    units = int(chosen["hidden_units"])
    batch = int(chosen["episodes_per_update"])
    return replace(TrainConfig(), lr=float(chosen["lr"]), gamma=float(chosen["gamma"]),
                   episodes_per_update=batch, num_envs=batch, baseline=chosen["baseline"],
                   weighting=chosen["weighting"], reduction=chosen["reduction"],
                   optimizer=chosen["optimizer"], hidden=(units,) if units else (),
                   entropy_coef=float(chosen["entropy_coef"]), seed=int(chosen["seed"]),
                   max_episodes=int(chosen["max_episodes"]))


def format_value(name: str, value: Any) -> str:
    """A setting's value as the charts and table show it."""
    if name == "lr" and isinstance(value, int | float):
        return f"{value:g}"
    return str(value)
