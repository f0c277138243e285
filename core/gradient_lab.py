"""Everything the log-derivative page shows for one family, in one call.

A family (categorical softmax or Gaussian) is reduced to the same ingredients: J, its exact
gradient (autograd) and a finite-difference check, one chosen gradient component with its
reward and score at exact points (probabilities or quadrature weights) and at N samples, and
J along that component. ``score_estimators`` then treats both families alike.

Each family is one frozen class of its inputs (with its label, its validation and its lab),
registered in :data:`LAB_FAMILIES`: a new family is one class and one registry line (and its
widgets in ``ui.log_derivative_sections``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from core import gaussian_gradients as gg
from core import score_estimators as se
from core import softmax
from core.thinning import log_spaced_indices

MAX_ABS_REWARD = 1e6
"""Largest |reward| the table accepts (fourth powers of the terms must stay finite)."""

FAN_SIZE = 8
"""Independent N-sample estimates drawn as tangents in the 1-D view."""


@dataclass(frozen=True)
class LabSettings:
    """Estimator settings shared by both families."""

    n: int = 1000
    """Samples per estimate."""
    baseline: str = "none"
    """Baseline kind, one of ``score_estimators.BASELINES``."""
    constant: float = 0.0
    """Value of the constant baseline."""
    shift: float = 0.0
    """Reward shift c: every reward becomes r + c (J shifts, ∇J does not)."""
    fan_size: int = FAN_SIZE
    """Number of independent estimates in the tangent fan."""


@dataclass(frozen=True)
class LabResult:
    """The numbers and arrays behind every chart of the page."""

    parameter_names: tuple[str, ...]
    """Names of all gradient components (θ1…θK, or μ, σ)."""
    component: int
    """Index of the component the estimator views are about."""
    j: float
    """J(θ) = E[r + c]."""
    gradient: np.ndarray
    """Exact ∇J by autograd."""
    gradient_fd: np.ndarray
    """∇J by central finite differences."""
    rows: list[se.BaselineRow]
    """Exact and sampled variance for every baseline."""
    chosen: se.BaselineRow
    """The row of the chosen baseline."""
    terms: np.ndarray
    """Per-sample terms (r + c − b)·s for the chosen baseline."""
    split: se.SplitCheck
    """EGLP and the split, on the same samples (with the shifted rewards, no baseline)."""
    curve_x: np.ndarray
    """Grid of the chosen component's values for the 1-D view."""
    curve_j: np.ndarray
    """J along that grid."""
    at: float
    """Current value of the chosen component."""
    fan: np.ndarray
    """Independent N-sample estimates of the chosen component."""
    running: tuple[np.ndarray, np.ndarray, np.ndarray]
    """(n, estimate after n samples, its standard error) at ≤ 2,000 log-spaced n."""
    running_scores: tuple[np.ndarray, np.ndarray, np.ndarray]
    """The same for the sample mean of the score ∂log p/∂θ (EGLP: tends to 0)."""
    pathwise: se.SampleSummary | None = None
    """Gaussian only: the pathwise estimator on the same noise."""
    pathwise_exact: tuple[float, float] | None = None
    """Gaussian only: exact mean and variance of the pathwise term."""


def validate_table(logits: np.ndarray, rewards: np.ndarray) -> str | None:
    """Why an edited table of logits and rewards cannot define the categorical lab, or None."""
    if np.size(logits) == 0:
        return (f"The table is empty: add between {softmax.MIN_OUTCOMES} and "
                f"{softmax.MAX_OUTCOMES} rows.")
    problem = softmax.validate_logits_and_rewards(logits, rewards)
    if problem is None and np.max(np.abs(rewards)) > MAX_ABS_REWARD:
        return (f"Keep every reward between −{MAX_ABS_REWARD:,.0f} and {MAX_ABS_REWARD:,.0f}: "
                "the estimator's variance grows with r², and larger rewards overflow it.")
    return problem


def validate_settings(settings: LabSettings) -> str | None:
    """Why these estimator settings cannot be used, or None."""
    if settings.baseline not in se.BASELINES:
        return f"Unknown baseline {settings.baseline!r}."
    if not (np.isfinite(settings.constant) and np.isfinite(settings.shift)):
        return "The baseline b and the shift c must be finite numbers."
    if settings.n < 1:
        return "Use at least one sample."
    return None


def _assemble(names, component, j, grad, grad_fd, exact_r, exact_s, weights, sample_r, sample_s,
              settings, curve_x, curve_j, at, fan_fn) -> LabResult:
    rows = se.baseline_table(exact_r, exact_s, weights, sample_r, sample_s, settings.constant)
    chosen = next(row for row in rows if row.kind == settings.baseline)
    terms = se.score_terms(sample_r, sample_s, chosen.baseline)
    keep = log_spaced_indices(len(terms))
    return LabResult(tuple(names), component, j, grad, grad_fd, rows, chosen, terms,
                     se.split_check(sample_r, sample_s), curve_x, curve_j, at,
                     fan_fn(chosen.baseline), se.running_mean(terms, keep),
                     se.running_mean(sample_s, keep))


def categorical_lab(logits: np.ndarray, rewards: np.ndarray, component: int,
                    settings: LabSettings, rng: np.random.Generator) -> LabResult:
    """The page's numbers for a softmax over K outcomes (call after validation)."""
    logits = np.asarray(logits, dtype=float)
    r = np.asarray(rewards, dtype=float) + settings.shift
    scores = softmax.score_matrix(logits)
    p = softmax.probabilities(logits)
    x = softmax.sample_outcomes(logits, settings.n, rng)
    h = 1e-6
    fd = np.array([(softmax.expected_reward(logits + h * e, r)
                    - softmax.expected_reward(logits - h * e, r)) / (2 * h)
                   for e in np.eye(len(logits))])
    at = float(logits[component])
    grid = np.linspace(at - 4.0, at + 4.0, 201)
    names = [f"θ{i + 1}" for i in range(len(logits))]

    def fan(baseline: float) -> np.ndarray:
        return softmax.independent_estimates(logits, r, component, settings.n,
                                             settings.fan_size, rng, baseline)

    return _assemble(names, component, softmax.expected_reward(logits, r),
                     softmax.expected_reward_gradient(logits, r), fd, r, scores[:, component], p,
                     r[x], scores[x, component], settings, grid,
                     softmax.expected_reward_along(logits, r, component, grid), at, fan)


def gaussian_lab(problem: gg.GaussianProblem, parameter: str, settings: LabSettings,
                 rng: np.random.Generator) -> LabResult:
    """The page's numbers for N(μ, σ²) and one of the four rewards (call after validation)."""
    component = gg.PARAMETERS.index(parameter)
    points = gg.exact_points(problem)
    samples = gg.sample(problem, settings.n, rng)
    at = float(problem.mu if parameter == "mu" else problem.sigma)
    grid = (np.linspace(at - 3.0, at + 3.0, 201) if parameter == "mu"
            else np.linspace(max(0.05, at - 2.0), at + 2.0, 201))
    c = settings.shift

    def fan(baseline: float) -> np.ndarray:
        return gg.independent_estimates(problem, parameter, settings.n, settings.fan_size, rng,
                                        baseline, c)

    result = _assemble(("μ", "σ"), component, gg.expected_reward(problem) + c,
                       gg.expected_reward_gradient(problem),
                       gg.finite_difference_gradient(problem), points.rewards + c,
                       points.scores[:, component], points.weights, samples.rewards + c,
                       samples.scores[:, component], settings, grid,
                       gg.expected_reward_along(problem, parameter, grid) + c, at, fan)
    return LabResult(**{**result.__dict__,
                        "pathwise": se.summarize(samples.pathwise[:, component]),
                        "pathwise_exact": gg.exact_pathwise_mean_and_variance(points,
                                                                              parameter)})


class LabFamily(Protocol):
    """The inputs of one family of the lab, as its widgets set them."""

    label: ClassVar[str]
    """The family's name on the page."""

    def validate(self) -> str | None:
        """Why these inputs cannot define the lab, or None."""
        ...

    def run(self, settings: LabSettings, rng: np.random.Generator) -> LabResult:
        """The page's numbers for these inputs (call after :meth:`validate`)."""
        ...


@dataclass(frozen=True)
class CategoricalInputs:
    """A softmax over K outcomes, from the page's table."""

    label: ClassVar[str] = "Categorical softmax"
    logits: np.ndarray
    """θ, one logit per outcome."""
    rewards: np.ndarray
    """r, one reward per outcome."""
    component: int
    """Index of the logit the estimator views differentiate by."""

    def validate(self) -> str | None:
        """Why the table cannot define the lab, or None (:func:`validate_table`)."""
        return validate_table(self.logits, self.rewards)

    def run(self, settings: LabSettings, rng: np.random.Generator) -> LabResult:
        """:func:`categorical_lab` of these inputs."""
        return categorical_lab(self.logits, self.rewards, self.component, settings, rng)


@dataclass(frozen=True)
class GaussianInputs:
    """N(μ, σ²) with one of the reward functions of ``gaussian_gradients``."""

    label: ClassVar[str] = "Gaussian N(μ, σ²)"
    problem: gg.GaussianProblem
    """μ, σ, the reward and its parameter k."""
    parameter: str
    """The parameter the estimator views differentiate by, one of ``gg.PARAMETERS``."""

    def validate(self) -> str | None:
        """Why μ, σ and the reward cannot define the lab, or None."""
        if self.parameter not in gg.PARAMETERS:
            return f"Unknown parameter {self.parameter!r}."
        return gg.validate_problem(self.problem)

    def run(self, settings: LabSettings, rng: np.random.Generator) -> LabResult:
        """:func:`gaussian_lab` of these inputs."""
        return gaussian_lab(self.problem, self.parameter, settings, rng)


LAB_FAMILIES: dict[str, type[CategoricalInputs] | type[GaussianInputs]] = {
    "categorical": CategoricalInputs,
    "gaussian": GaussianInputs,
}
"""Every family of the lab, keyed as the page's URL names it; the first is the default."""
