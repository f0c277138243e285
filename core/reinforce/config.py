"""What a REINFORCE run on CartPole is made of: one frozen config, its validation, and presets."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args, get_type_hints

Optimizer = Literal["adam", "sgd"]
Weighting = Literal["total", "reward_to_go", "reward_so_far"]
Baseline = Literal["none", "batch_mean", "episode_standardise", "batch_standardise", "learned"]
Reduction = Literal["sum", "mean"]
Sign = Literal["minus", "plus"]
Rollout = Literal["batched", "per_step"]
Activation = Literal["tanh", "relu"]
LogprobPairing = Literal["per_step", "batch_mean_first"]
ResetSeed = Literal["fresh", "same"]
ActionSelection = Literal["sample", "argmax"]
Score = Literal["log_prob", "prob"]
ZeroGrad = Literal["every_update", "never"]
ValueDetach = Literal["detached", "attached"]

OPTIMIZERS: tuple[str, ...] = get_args(Optimizer)
WEIGHTINGS: tuple[str, ...] = get_args(Weighting)
BASELINES: tuple[str, ...] = get_args(Baseline)
REDUCTIONS: tuple[str, ...] = get_args(Reduction)
SIGNS: tuple[str, ...] = get_args(Sign)

LABELS: dict[str, dict[str, str]] = {
    "optimizer": {"adam": "Adam", "sgd": "SGD"},
    "weighting": {"reward_to_go": "reward-to-go G_t", "total": "whole return G₀",
                  "reward_so_far": "rewards so far (cumulative sum from the start)"},
    "baseline": {"batch_standardise": "standardise over the batch",
                 "episode_standardise": "standardise within each episode",
                 "batch_mean": "subtract the batch mean",
                 "learned": "learned state value V(s_t)", "none": "none"},
    "reduction": {"sum": "sum", "mean": "mean"},
    "sign": {"minus": "minus", "plus": "plus"},
    "rollout": {"batched": "batched", "per_step": "per_step"},
    "activation": {"tanh": "tanh", "relu": "relu"},
    "logprob_pairing": {"per_step": "each log π times its own weight",
                        "batch_mean_first": "log π averaged first (mistake)"},
    "reset_seed": {"fresh": "a fresh start each episode", "same": "the same start (mistake)"},
    "action_selection": {"sample": "sample from π", "argmax": "argmax (mistake)"},
    "score": {"log_prob": "log π(a|s)", "prob": "π(a|s) (mistake)"},
    "zero_grad": {"every_update": "zero_grad() before each backward",
                  "never": "zero_grad() forgotten (mistake)"},
    "value_detach": {"detached": "V(s) detached in the policy loss",
                     "attached": "V(s) not detached (mistake)"},
}
"""Display labels of every option, by config field: the page, the gallery and the CLI read
these, so an option is named in one place."""


def label(field_name: str, value: Any) -> str:
    """How the app names ``value`` of the config field ``field_name``."""
    return LABELS.get(field_name, {}).get(value, str(value))


MAX_HIDDEN_UNITS = 1024
MAX_HIDDEN_LAYERS = 4
MAX_ENVS = 1024
MAX_PER_STEP_EPISODES = 16
MAX_VALUE_STEPS = 100


@dataclass(frozen=True)
class TrainConfig:
    """Every knob of one REINFORCE run on CartPole-v1."""

    lr: float = 0.02
    """Learning rate of the optimizer."""
    optimizer: Optimizer = "adam"
    """Which optimizer takes the gradient step: "adam" or plain "sgd"."""
    gamma: float = 0.99
    """Discount factor γ used when summing rewards into returns (1 = no discounting)."""
    hidden: tuple[int, ...] = (32,)
    """Units in each hidden layer of the policy network (empty = a linear policy)."""
    activation: Activation = "tanh"
    """Non-linearity between layers: "tanh" or "relu"."""
    dropout: float = 0.0
    """Dropout probability after each hidden layer, active while sampling and training."""
    episodes_per_update: int = 16
    """Episodes collected per gradient step (the batch)."""
    num_envs: int = 16
    """CartPole copies stepped together; the batch's episodes are spread over them."""
    rollout: Rollout = "batched"
    """"batched": vectorized env, forward passes without autograd, log-probabilities recomputed
    in one batched backward pass. "per_step": one env, one forward pass per step with the graph
    kept, as in the classic single-environment loop."""
    weighting: Weighting = "reward_to_go"
    """Weight of ∇log π(a_t|s_t): the whole episode's return G₀ ("total"), the reward still
    to come from t on ("reward_to_go"), or the rewards so far, from the start up to t
    ("reward_so_far": a classic mistake, the reward-to-go recursion run forwards)."""
    baseline: Baseline = "batch_standardise"
    """What is subtracted from (or how we rescale) the weights: "none", "batch_mean" (subtract
    the mean weight of the batch), "episode_standardise" (zero mean, unit spread within each
    episode), "batch_standardise" (zero mean, unit spread over the batch) or "learned" (a
    state-value network V(s_t), fitted to the weights, subtracted: REINFORCE with baseline,
    Sutton & Barto §13.4)."""
    value_lr: float = 0.01
    """Step size of the learned baseline's own Adam optimizer (its α^w)."""
    value_steps: int = 10
    """Gradient steps of the learned baseline on each batch (fitting V to the weights)."""
    reduction: Reduction = "sum"
    """How per-step terms become the loss: "sum" over the steps of each episode, averaged over
    the batch's episodes (the Monte Carlo estimator), or "mean" over every step of the batch."""
    sign: Sign = "minus"
    """"minus" (correct: descending −J ascends J) or "plus" (flipped: descends J)."""
    entropy_coef: float = 0.0
    """Weight of the entropy bonus: the loss subtracts entropy_coef × mean policy entropy."""
    max_grad_norm: float | None = None
    """Clip the gradient's total L2 norm to this value before the step (None = no clipping)."""
    seed: int = 0
    """Seed of the policy's initial weights, the action sampling and the environments."""
    max_episodes: int = 5000
    """Episode budget: training stops once this many episodes have finished."""
    logprob_pairing: LogprobPairing = "per_step"
    """"per_step" (correct: each log π(a_t|s_t) is multiplied by its own weight w_t) or
    "batch_mean_first" (a classic mistake: every step gets the batch's mean weight, as if the
    log-probabilities were averaged before multiplying by the returns)."""
    reset_seed: ResetSeed = "fresh"
    """"fresh" (correct: each episode starts from a new random state) or "same" (a classic
    mistake: every episode starts from the one state the run's seed gives)."""
    action_selection: ActionSelection = "sample"
    """"sample" (correct: actions drawn from π(·|s)) or "argmax" (a classic mistake: always the
    more probable action, so the policy never explores)."""

    score: Score = "log_prob"
    """"log_prob" (correct: the loss multiplies log π(a_t|s_t)) or "prob" (a classic mistake:
    π(a_t|s_t) itself, whose gradient is π·∇log π, a different, biased direction)."""
    zero_grad: ZeroGrad = "every_update"
    """"every_update" (correct: gradients cleared before each backward pass) or "never" (a
    classic mistake: optimizer.zero_grad() forgotten, so gradients pile up across updates)."""
    value_detach: ValueDetach = "detached"
    """With the learned baseline: "detached" (correct: V(s_t) enters the policy loss as a
    constant) or "attached" (a classic mistake: the policy loss also pushes the value net)."""

    def to_dict(self) -> dict[str, Any]:
        """Field values as plain JSON-friendly Python values."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["hidden"] = list(self.hidden)
        return out


LIVE_FIELDS: frozenset[str] = frozenset({
    "lr", "entropy_coef", "baseline", "weighting", "reduction", "sign", "gamma",
    "max_grad_norm", "max_episodes", "logprob_pairing", "value_lr", "value_steps", "score",
    "zero_grad", "value_detach",
})
"""Fields a running trainer can take mid-run (effective from the next update)."""

RESTART_FIELDS: frozenset[str] = frozenset(
    f.name for f in fields(TrainConfig)) - LIVE_FIELDS
"""Fields that change the network, the optimizer or the environments: they need a restart."""

PRESETS: dict[str, TrainConfig] = {
    "default": TrainConfig(),
    "classic": TrainConfig(
        lr=1e-2, optimizer="adam", gamma=0.99, hidden=(128,), activation="relu", dropout=0.6,
        episodes_per_update=1, num_envs=1, rollout="per_step", weighting="reward_to_go",
        baseline="episode_standardise", reduction="sum", sign="minus", max_episodes=2000,
    ),
    "fast": TrainConfig(lr=0.1, hidden=(32,), episodes_per_update=96, num_envs=96),
    "home": TrainConfig(gamma=1.0, weighting="total", baseline="none", reduction="sum",
                        episodes_per_update=1, num_envs=1),
}
"""Named configurations. "default" is what the app starts with (reward-to-go, standardised
over a batch of 16 episodes: improvements on the home page's loss); "home" trains exactly the
home page's code, ``core.reinforce.home_loop.reinforce_episode``: −(Σ_t log π(a_t|s_t))·R
with R = sum(rewards), the undiscounted whole return (γ = 1), no baseline, one episode per
update (``tests/test_home_loop.py`` checks the gradients agree); "classic" reproduces the
well-known single-environment loop; "fast" is tuned for wall-clock-to-solve."""

PRESET_LABELS: dict[str, str] = {"default": "default", "home": "the home page's loss",
                                 "fast": "fast", "classic": "classic"}
"""Display names of the presets, in the order the page shows them."""


def _choice_fields() -> dict[str, tuple[str, ...]]:
    hints = get_type_hints(TrainConfig)
    return {f.name: tuple(get_args(hints[f.name])) for f in fields(TrainConfig)
            if getattr(hints[f.name], "__origin__", None) is Literal}


CHOICES: dict[str, tuple[str, ...]] = _choice_fields()
"""Every option field of ``TrainConfig`` and its options, read from the ``Literal`` types."""


def field_help(name: str) -> str:
    """The docstring of a ``TrainConfig`` field (the CLI's --help and the page's help)."""
    return FIELD_DOCS[name]


def _field_docs() -> dict[str, str]:
    import ast
    import inspect
    import itertools
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(TrainConfig)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, nxt in itertools.pairwise(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)):
            docs[node.target.id] = " ".join(str(nxt.value.value).split())
    return docs


FIELD_DOCS: dict[str, str] = _field_docs()
"""Each config field's docstring, whitespace collapsed."""


def preset(name: str, **overrides: Any) -> TrainConfig:
    """A named preset with some fields replaced."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return replace(PRESETS[name], **overrides)


def _choice(name: str, value: Any, options: tuple[str, ...]) -> str | None:
    if value not in options:
        return f"{name} must be one of {', '.join(options)} (got {value!r})."
    return None


def validate_config(config: TrainConfig) -> str | None:
    """None if ``config`` can be trained, else a short message saying what is wrong."""
    if not (isinstance(config.lr, int | float) and math.isfinite(config.lr) and config.lr > 0):
        return "The learning rate must be a positive number."
    if not (math.isfinite(config.gamma) and 0.0 <= config.gamma <= 1.0):
        return "γ must lie between 0 and 1."
    if not (0.0 <= config.dropout < 1.0):
        return "Dropout must be at least 0 and below 1."
    if len(config.hidden) > MAX_HIDDEN_LAYERS:
        return f"At most {MAX_HIDDEN_LAYERS} hidden layers."
    if any(not isinstance(h, int) or h < 1 or h > MAX_HIDDEN_UNITS for h in config.hidden):
        return f"Each hidden layer needs between 1 and {MAX_HIDDEN_UNITS} units."
    if not (1 <= config.episodes_per_update <= MAX_ENVS):
        return f"Episodes per update must be between 1 and {MAX_ENVS}."
    if not (1 <= config.num_envs <= MAX_ENVS):
        return f"The number of environments must be between 1 and {MAX_ENVS}."
    if config.rollout == "per_step" and config.num_envs != 1:
        return "The per-step rollout steps a single environment: set num_envs to 1."
    if config.rollout == "per_step" and config.episodes_per_update > MAX_PER_STEP_EPISODES:
        return (f"The per-step rollout keeps every step's graph in memory: at most "
                f"{MAX_PER_STEP_EPISODES} episodes per update.")
    if not (math.isfinite(config.entropy_coef) and config.entropy_coef >= 0):
        return "The entropy bonus must be zero or positive."
    if config.max_grad_norm is not None and not (
            math.isfinite(config.max_grad_norm) and config.max_grad_norm > 0):
        return "Gradient clipping needs a positive norm (or none)."
    if config.max_episodes < 1:
        return "The episode budget must be at least 1."
    if not (0 <= config.seed < 2**63):
        return "The seed must be a non-negative integer."
    if not (isinstance(config.value_lr, int | float) and math.isfinite(config.value_lr)
            and config.value_lr > 0):
        return "The learned baseline's step size must be a positive number."
    if not (1 <= config.value_steps <= MAX_VALUE_STEPS):
        return f"The learned baseline takes between 1 and {MAX_VALUE_STEPS} steps per batch."
    for name, options in CHOICES.items():
        problem = _choice(name, getattr(config, name), options)
        if problem:
            return problem
    return None


def config_warnings(config: TrainConfig) -> list[str]:
    """Settings that train but cannot learn (or not as the user likely thinks): each a short
    message naming the combination and why. Not errors: the run is allowed."""
    out = []
    if config.weighting == "total" and config.baseline == "episode_standardise":
        out.append("Whole return G₀ with “standardise within each episode”: G₀ is the same for "
                   "every step of an episode, so standardising within the episode makes every "
                   "weight 0 and the gradient is rounding noise. Nothing will be learned: use "
                   "reward-to-go, or standardise over the batch.")
    return out


def config_diff(old: TrainConfig, new: TrainConfig) -> dict[str, tuple[Any, Any]]:
    """Fields whose values differ, as name -> (old, new)."""
    return {f.name: (getattr(old, f.name), getattr(new, f.name)) for f in fields(TrainConfig)
            if getattr(old, f.name) != getattr(new, f.name)}
