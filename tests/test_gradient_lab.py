"""core.gradient_lab and the figures built from it: consistency, validation, payload size."""

import numpy as np
import plotly.io as pio
import pytest

from core import gaussian_gradients as gg
from core import gradient_lab as gl
from core import loss_demo as ld
from core import score_estimators as se
from core.charts import log_derivative as ldc
from core.charts import pytorch_loss as plc
from core.thinning import MAX_POINTS_PER_TRACE

MAX_PAYLOAD = 300_000


def labs(n, baseline="optimal", shift=3.0):
    settings = gl.LabSettings(n=n, baseline=baseline, constant=1.0, shift=shift)
    yield gl.categorical_lab(np.array([0.5, -1.0, 0.0, 2.0]), np.array([1.0, -2.0, 5.0, 0.5]),
                             2, settings, np.random.default_rng(0))
    for reward in gg.REWARDS:
        yield gl.gaussian_lab(gg.GaussianProblem(0.3, 1.4, 0.8, reward), "sigma", settings,
                              np.random.default_rng(1))


@pytest.mark.parametrize("baseline", se.BASELINES)
def test_labs_are_consistent(baseline):
    for result in labs(20_000, baseline):
        j = result.component
        scale = max(1.0, float(np.max(np.abs(result.gradient))))
        assert np.max(np.abs(result.gradient - result.gradient_fd)) / scale < 1e-5
        row = result.chosen
        assert row.kind == baseline
        assert row.exact_mean == pytest.approx(result.gradient[j], abs=1e-9)
        assert abs(row.sample.mean - row.exact_mean) < 4 * row.sample.standard_error
        assert result.terms.shape == (20_000,)
        assert result.fan.shape == (gl.FAN_SIZE,)
        n, mean, _ = result.running
        assert n[-1] == 20_000 and mean[-1] == pytest.approx(row.sample.mean, rel=1e-9)
        assert len(n) <= MAX_POINTS_PER_TRACE
        assert result.curve_x[0] < result.at < result.curve_x[-1]

CATEGORICAL = gl.CategoricalInputs(np.array([0.5, -1.0, 0.0]), np.array([1.0, -2.0, 5.0]), 1)
GAUSSIAN = gl.GaussianInputs(gg.GaussianProblem(0.3, 1.4, 0.8, "cosine"), "sigma")
FAMILY_LABS = {  # each family's inputs, and the same lab called directly
    "categorical": (CATEGORICAL, lambda settings, rng: gl.categorical_lab(
        CATEGORICAL.logits, CATEGORICAL.rewards, 1, settings, rng)),
    "gaussian": (GAUSSIAN, lambda settings, rng: gl.gaussian_lab(
        GAUSSIAN.problem, "sigma", settings, rng)),
}


def test_every_family_is_one_registry_entry_with_its_label_check_and_lab():
    """The page switches families through LAB_FAMILIES alone (issue 24): each entry's inputs
    carry a label, validate themselves and run the family's lab; the page's widgets are
    registered under the same keys."""
    from ui.log_derivative_sections import FAMILY_INPUTS as WIDGETS

    assert set(gl.LAB_FAMILIES) == set(FAMILY_LABS) == set(WIDGETS)
    labels = [cls.label for cls in gl.LAB_FAMILIES.values()]
    assert all(labels) and len(set(labels)) == len(labels)
    settings = gl.LabSettings(n=500, baseline="mean")
    for key, (inputs, direct) in FAMILY_LABS.items():
        assert isinstance(inputs, gl.LAB_FAMILIES[key])
        assert inputs.validate() is None
        result = inputs.run(settings, np.random.default_rng(4))
        expected = direct(settings, np.random.default_rng(4))
        assert result.component == expected.component == 1
        assert np.array_equal(result.terms, expected.terms)
        assert np.array_equal(result.gradient, expected.gradient)
    assert "empty" in gl.CategoricalInputs(np.zeros(0), np.zeros(0), 0).validate()
    assert "σ" in gl.GaussianInputs(gg.GaussianProblem(0.0, 0.0, 0.0, "quadratic"),
                                    "mu").validate()
    assert "Unknown" in gl.GaussianInputs(gg.GaussianProblem(0.0, 1.0, 0.0, "quadratic"),
                                          "k").validate()


def test_validation_messages():
    assert gl.validate_table(np.zeros(0), np.zeros(0)).startswith("The table is empty")
    assert "between" in gl.validate_table(np.zeros(9), np.ones(9))
    assert "Keep every reward" in gl.validate_table(np.zeros(2), np.array([0.0, 2e6]))
    assert gl.validate_table(np.zeros(2), np.array([0.0, 1e6])) is None
    assert gl.validate_settings(gl.LabSettings()) is None
    assert "finite" in gl.validate_settings(gl.LabSettings(shift=float("inf")))
    assert "Unknown" in gl.validate_settings(gl.LabSettings(baseline="x"))
    assert "at least" in gl.validate_settings(gl.LabSettings(n=0))


def payload(fig) -> int:
    for trace in fig.data:
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            assert values is None or len(values) <= MAX_POINTS_PER_TRACE
    return len(pio.to_json(fig, validate=False))


def test_log_derivative_figures_stay_small_at_n_100000():
    for result in labs(100_000):
        row = result.chosen
        centres, density = se.histogram(result.terms)
        figs = [
            ldc.terms_histogram(centres, density, mean=row.sample.mean, exact=row.exact_mean,
                                interval=row.sample.interval(), n=row.sample.n, title="t"),
            ldc.running_estimate_chart(*result.running, row.exact_mean, title="t", y_title="y"),
            ldc.tangent_fan_chart(result.curve_x, result.curve_j, at=result.at,
                                  value_at=result.j, exact_slope=result.gradient[0],
                                  sample_slopes=result.fan, n=row.sample.n, x_title="x"),
            ldc.variance_chart([r.kind for r in result.rows],
                               [r.exact_variance for r in result.rows],
                               [r.sample.variance for r in result.rows],
                               [r.sample.variance_standard_error for r in result.rows]),
        ]
        assert all(payload(fig) < MAX_PAYLOAD for fig in figs)
    data = gg.figure2(np.linspace(-3, 3, 241), np.linspace(-3, 3, 100), 1000,
                      np.random.default_rng(0))
    fig = ldc.figure2_chart(data.k_exact, data.exact, data.k_sampled, data.sampled,
                            data.sampled_se, gg.ESTIMATOR_LABELS, data.n_samples)
    assert payload(fig) < MAX_PAYLOAD
    assert fig.layout.yaxis.type == "log"


def test_pytorch_loss_figures_stay_small():
    rewards = np.array([1.0, 2.0, 5.0])
    grads, scaled = ld.mirror_batches(np.zeros(3), rewards, 1000, 6, np.random.default_rng(0))
    specs = (ld.RunSpec("sgd", 0.01, True), ld.RunSpec("sgd", 0.01, False))
    runs = ld.train(np.zeros(3), rewards, specs, n=100, steps=ld.TRAINING_STEPS, seed=0)
    figs = [plc.gradient_comparison_chart(grads, scaled, np.array([555.6, 222.2, -777.8]),
                                          n=1000),
            plc.sign_chart(runs.expected_rewards[0], runs.expected_rewards[1], chosen_with=True),
            plc.paths_chart(runs.thetas[0], runs.thetas[1], first_name="a", second_name="b",
                            title="t"),
            plc.loss_vs_j_chart(runs.loss_per_sample()[0], runs.expected_rewards[0])]
    assert all(payload(fig) < MAX_PAYLOAD for fig in figs)
