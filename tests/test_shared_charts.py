"""Figures shared by every session (ui.common.shared_chart, ui.expectation_results): one
object per setting, fitted once, and never changed by the code that shows them."""

from __future__ import annotations

import copy

from core import distributions as dist
from core.charts.theme import NARROW_FITTED, fit_narrow_screens, for_projector
from ui import expectation_results as er

SPEC = dist.DistributionSpec()
FN = dist.FunctionSpec()


def test_one_figure_per_setting() -> None:
    first = er.runs_chart(SPEC, FN, 100, 3, 0, "x")
    assert er.runs_chart(SPEC, FN, 100, 3, 0, "x") is first
    assert er.runs_chart(SPEC, FN, 100, 3, 1, "x") is not first  # another seed
    assert er.runs_chart(SPEC, FN, 200, 3, 0, "x") is not first  # another N


def test_builders_with_the_same_arguments_do_not_share_a_cache() -> None:
    hist = er.histogram_chart(SPEC, FN, 100, 3, 0)
    trap = er.trap_chart(SPEC, FN, 100, 3, 0)
    assert hist.layout.title.text != trap.layout.title.text


def test_shared_figures_are_fitted_and_left_unchanged_by_showing() -> None:
    fig = er.distribution_chart(SPEC, FN, "x")
    assert fig.layout.meta == NARROW_FITTED
    before = copy.deepcopy(fig.to_plotly_json())
    fit_narrow_screens(fig)        # what show_chart does,
    scaled = for_projector(fig)    # and in presenter mode
    assert fig.to_plotly_json() == before
    assert scaled.layout.font.size != fig.layout.font.size


def test_fitting_twice_is_fitting_once() -> None:
    fig = fit_narrow_screens(er.charts.trap_figure(er.runs(SPEC, FN, 50, 2, 0)))
    before = copy.deepcopy(fig.to_plotly_json())
    assert fit_narrow_screens(fig).to_plotly_json() == before


def test_shared_runs_are_read_only() -> None:
    result = er.runs(SPEC, FN, 100, 3, 0)
    assert result is er.runs(SPEC, FN, 100, 3, 0)
    assert not result.averages.flags.writeable
    assert not result.outcomes.flags.writeable
