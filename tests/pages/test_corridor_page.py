"""AppTest of pages/corridor.py: defaults (p*, v*, ε-greedy values), every widget at its
extremes, no exception."""

import pytest

from harness.apptest import apply_steps as _apply
from harness.apptest import assert_no_exception, run_page
from harness.apptest import chart_count as _charts
from harness.apptest import metrics as _metrics

PAGE = "pages/corridor.py"





def test_defaults():
    at = run_page(PAGE, timeout=120)
    assert_no_exception(at)
    metrics = _metrics(at)
    assert metrics["best p (found by bisection)"] == "0.585786"
    assert metrics["its value v*"] == "-11.6569"
    assert metrics["ε-greedy left"] == "-82.11"
    assert metrics["ε-greedy right"] == "-44.21"
    assert at.slider(key="sc_runs").value == 100
    assert at.select_slider(key="sc_episodes").value == 1000
    assert [at.select_slider(key=k).value for k in ("sc_a1", "sc_a2", "sc_a3")] == [-12, -13, -14]
    assert [at.select_slider(key=k).value for k in ("sc_ab", "sc_at", "sc_aw")] == [-13, -9, -6]
    assert _charts(at) == 3
    assert not at.warning


SMALL = [("slider", "sc_runs", 5), ("select_slider", "sc_episodes", 100)]
EXTREMES = [
    [("select_slider", "sc_eps", 0.01)],
    [("select_slider", "sc_eps", 1.0)],
    [("slider", "sc_runs", 1)],
    [*SMALL, ("select_slider", "sc_a1", -18), ("select_slider", "sc_a2", -8),
     ("select_slider", "sc_ab", -8), ("select_slider", "sc_at", -6),
     ("select_slider", "sc_aw", -2)],
    [*SMALL, ("select_slider", "sc_a3", -8), ("select_slider", "sc_at", -16),
     ("select_slider", "sc_aw", -12)],
    [("slider", "sc_runs", 5), ("select_slider", "sc_episodes", 2000)],
]


@pytest.mark.parametrize("steps", EXTREMES, ids=lambda s: "+".join(f"{k}={v}" for _, k, v in s))
def test_widget_extremes(steps):
    at = _apply(run_page(PAGE, timeout=120), steps)
    assert not at.warning
    assert _charts(at) == 3
