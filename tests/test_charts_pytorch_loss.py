"""The loss page's path charts carry a legend for the logits' colours (issue 13, section 2)."""

import numpy as np

from core import loss_demo as ld
from core.charts.pytorch_loss import paths_chart


def test_paths_chart_legend_names_each_logit_and_each_setting():
    a, b = np.zeros((5, 3)), np.ones((5, 3))
    fig = paths_chart(a, b, first_name="sum", second_name="mean", title="t",
                      logit_names=["θ1 (r = 1)", "θ2 (r = 2)", "θ3 (r = 5)"])
    shown = [t.name for t in fig.data if t.showlegend is not False]
    assert shown == ["sum", "mean", "θ1 (r = 1)", "θ2 (r = 2)", "θ3 (r = 5)"]
    colours = {t.name: t.line.color for t in fig.data if t.showlegend is not False}
    data_colours = [t.line.color for t in fig.data if t.showlegend is False]
    assert data_colours[0] == colours["θ1 (r = 1)"] and data_colours[4] == colours["θ3 (r = 5)"]


def test_runs_are_addressed_by_name():
    specs = (ld.RunSpec("sgd", 0.1, True, "sum", "a"), ld.RunSpec("sgd", 0.1, True, "mean", "b"))
    result = ld.train(np.zeros(3), np.array([1.0, 2.0, 5.0]), specs, n=10, steps=5, seed=0)
    assert result.index("b") == 1
    np.testing.assert_array_equal(result.theta("a"), result.thetas[0])
    np.testing.assert_array_equal(result.j("b"), result.expected_rewards[1])
