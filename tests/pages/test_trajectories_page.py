"""AppTest of pages/trajectories.py: defaults, extremes, bad input as messages, presenter mode."""

import pytest

from core.gridworld import world as gw
from harness.apptest import apply_steps, assert_no_exception, run_page, run_presented
from harness.apptest import chart_count as _charts
from harness.apptest import metrics as _metrics

PAGE = "pages/trajectories.py"
TIMEOUT = 120
ALL_CHARTS = 10


def test_defaults():
    at = run_page(PAGE, timeout=TIMEOUT)
    assert_no_exception(at)
    metrics = _metrics(at)
    assert metrics["J(θ) = v_π(start)"] == "-1.309232"
    assert float(metrics["max |∇J Bellman − ∇J theorem|"]) < 1e-8
    assert float(metrics["max |∇J autograd − finite differences|"]) < 1e-6
    assert metrics["Σ |∇ of the ρ and P terms|"] == "0"
    inside, total = metrics["95 % intervals that contain the exact value"].split(" of ")
    assert int(total) == 56 and int(inside) >= 45
    assert at.text_area(key="tj_grid").value == gw.DEFAULT_LAYOUT
    assert at.slider(key="tj_slip").value == 0.2
    assert at.number_input(key="tj_n").value == 5000
    assert _charts(at) == ALL_CHARTS
    assert not at.warning
    assert len(at.dataframe) == 2  # the log p(τ) table and the trajectories


@pytest.mark.parametrize("index", range(len(gw.LAYOUTS)))
def test_every_layout_button(index):
    at = run_page(PAGE, timeout=TIMEOUT)
    at.button(key=f"tj_layout_{index}").click().run()
    assert_no_exception(at)
    assert at.text_area(key="tj_grid").value == list(gw.LAYOUTS.values())[index]
    assert not at.warning
    assert _charts(at) == ALL_CHARTS


EXTREMES = [
    [("slider", "tj_slip", 0.0), ("select_slider", "tj_gamma", 0.99)],
    [("slider", "tj_slip", 0.95), ("select_slider", "tj_step", -1.0),
     ("select_slider", "tj_goal", 10.0), ("select_slider", "tj_pit", -10.0)],
    [("radio", "tj_theta", "random"), ("select_slider", "tj_gamma", 0.5),
     ("select_slider", "tj_step", 0.0), ("select_slider", "tj_pit", 0.0)],
    [("number_input", "tj_n", 1), ("number_input", "tj_traj", 1)],
    [("select_slider", "tj_updates", 500), ("select_slider", "tj_lr", 20.0),
     ("select_slider", "tj_batch", 20)],
    [("select_slider", "tj_updates", 10), ("select_slider", "tj_lr", 0.1),
     ("select_slider", "tj_batch", 1)],
]


@pytest.mark.slow  # trains the gridworld at the widgets' largest settings
@pytest.mark.parametrize("steps", EXTREMES, ids=lambda s: "+".join(f"{k}={v}" for _, k, v in s))
def test_widget_extremes(steps):
    at = apply_steps(run_page(PAGE, timeout=TIMEOUT), steps)
    assert not at.warning
    assert _charts(at) == ALL_CHARTS


def _warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


@pytest.mark.parametrize(("layout", "words"), [
    ("S#.\n##.\n..G", "no path"),
    ("S..\n...", "exactly one start"),
    ("S.....G", "at most 5"),
    ("hello", "characters"),
])
def test_bad_grids_get_a_message_and_keep_the_text(layout, words):
    at = run_page(PAGE, timeout=TIMEOUT)
    at.text_area(key="tj_grid").set_value(layout).run()
    assert_no_exception(at)
    assert words in _warnings(at)
    assert at.text_area(key="tj_grid").value == layout
    assert _charts(at) == 0


def test_a_closed_off_room_changes_nothing():
    """The bottom row cannot be reached from S: the page shows the corridor's numbers, every
    chart, and no message (the expected episode length was infinite before, and the page
    refused to sample)."""
    room = run_page(PAGE, timeout=TIMEOUT)
    room.text_area(key="tj_grid").set_value("S.G/###/...").run()
    assert_no_exception(room)
    assert not room.warning
    assert _charts(room) == ALL_CHARTS
    assert any("cannot be reached from S" in c.value for c in room.caption)
    corridor = run_page(PAGE, timeout=TIMEOUT)
    corridor.text_area(key="tj_grid").set_value("S.G").run()
    assert _metrics(room)["J(θ) = v_π(start)"] == _metrics(corridor)["J(θ) = v_π(start)"]
    assert _metrics(room)["best possible J*"] == _metrics(corridor)["best possible J*"]


def test_slip_one_gets_a_message():
    at = apply_steps(run_page(PAGE, timeout=TIMEOUT), [("slider", "tj_slip", 1.0)])
    assert "slip" in _warnings(at)
    assert at.slider(key="tj_slip").value == 1.0


def test_huge_n_gets_a_message_and_training_still_runs():
    at = apply_steps(run_page(PAGE, timeout=TIMEOUT), [("number_input", "tj_n", 1_000_000)])
    assert "at most 20,000" in _warnings(at)
    assert at.number_input(key="tj_n").value == 1_000_000
    # The world, the exact gradient and the training do not depend on N.
    assert _charts(at) == 5


def test_too_much_training_gets_a_message():
    at = apply_steps(run_page(PAGE, timeout=TIMEOUT), [("select_slider", "tj_updates", 500),
                                                       ("select_slider", "tj_batch", 50)])
    assert "25,000 REINFORCE episodes" in _warnings(at)
    assert _charts(at) == ALL_CHARTS - 3


def test_trajectory_number_beyond_n_gets_a_message():
    at = apply_steps(run_page(PAGE, timeout=TIMEOUT),
                     [("number_input", "tj_n", 10), ("number_input", "tj_traj", 11)])
    assert "Only 10 episodes" in _warnings(at)


def test_presenter_mode_asks_before_the_table_and_the_charts():
    at = run_presented(PAGE, seed=None, timeout=TIMEOUT)  # opened with ?present=1
    assert len(at.table) == 1  # the table waits for its reveal (st.table in presenter mode)
    assert "Σ |∇ of the ρ and P terms|" not in _metrics(at)  # so does the answer under it
    # Hidden: the estimate, the two convergence charts, the learning curves and both policies.
    assert _charts(at) == ALL_CHARTS - 6
    at.button(key="reveal_tj_table_show").click().run()
    assert len(at.table) == 2
    assert _metrics(at)["Σ |∇ of the ρ and P terms|"] == "0"
    at.button(key="reveal_tj_chart_estimate_show").click().run()
    at.button(key="reveal_tj_convergence_show").click().run()
    at.button(key="reveal_tj_training_show").click().run()
    assert_no_exception(at)
    assert _charts(at) == ALL_CHARTS


def test_slip_changes_the_samples_not_the_estimator_code():
    at = apply_steps(run_page(PAGE, timeout=TIMEOUT), [("radio", "tj_theta", "random")])
    digest = [c.value for c in at.caption if "SHA-256" in c.value]
    before = _metrics(at)
    code = next(c.value for c in at.code)
    at.slider(key="tj_slip").set_value(0.6).run()
    assert_no_exception(at)
    after = _metrics(at)
    assert [c.value for c in at.caption if "SHA-256" in c.value] == digest
    assert next(c.value for c in at.code) == code
    assert after["J(θ) = v_π(start)"] != before["J(θ) = v_π(start)"]
    assert after["mean episode length"] != before["mean episode length"]
    assert float(after["max |∇J Bellman − ∇J theorem|"]) < 1e-8
