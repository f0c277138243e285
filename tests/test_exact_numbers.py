"""One number format for exact values (issue 24): ``core.distributions.fmt`` is the only helper,
in sentences, metrics and tables (``ui.presenter.readable``) alike. Round-off of zero is 0,
exact values have four decimals at most, a real value too small for them is never 0."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core import distributions as dist
from core import softmax
from ui.presenter import readable

EXACT = [
    (5.551115123125783e-17, "0"),  # Σ π(a)·∇log π(a) on the split page
    (-5.551115123125783e-17, "0"),  # never "-0"
    (-1.4e-17, "0"),
    (dist.ROUND_OFF, "0"),
    (0.0, "0"),
    (-0.0, "0"),
    (8 / 3, "2.6667"),  # J on the log-derivative page
    (-5 / 9, "-0.5556"),  # its gradient, formerly -0.55555556 next to 2.66667
    (38.50000000000001, "38.5"),
    (30.250000000000007, "30.25"),
    (1.0, "1"),
    (0.25, "0.25"),
    (-0.00005, "-0.0001"),
    (12345.5, "12345.5"),
    (1.23e-7, "1.23e-7"),  # a real value: not round-off, not 0
    (-4.5e-9, "-4.5e-9"),
    (math.nan, "nan"),
    (math.inf, "inf"),
]


@pytest.mark.parametrize(("value", "text"), EXACT)
def test_exact_values_have_four_decimals_and_round_off_is_zero(value, text):
    assert dist.fmt(value) == text


def test_estimates_keep_their_significant_digits():
    assert dist.fmt(3.512345, 5) == "3.5123"
    assert dist.fmt(0.0123456, 3) == "0.0123"
    assert dist.fmt(1.23e-7, 3) == "1.23e-7"
    assert dist.fmt(0.0, 3) == "0"


def test_tables_show_exactly_what_sentences_show():
    values = [value for value, _ in EXACT if math.isfinite(value)]
    styled = readable(pd.DataFrame({"v": values}))
    cells = [line.split()[0] for line in styled.hide(axis="index").to_string().splitlines()[1:]]
    assert cells == [dist.fmt(value) for value in values]


def test_the_expected_score_is_round_off_shown_as_zero():
    """The value the split page showed as 5.6e-17: round-off of a sum that is exactly 0."""
    logits = np.array([1.0, 0.0, -0.5])
    mean_score = softmax.probabilities(logits) @ softmax.score_matrix(logits)
    assert 0 < np.abs(mean_score).max() <= dist.ROUND_OFF
    assert {dist.fmt(v) for v in mean_score} == {"0"}
