"""AppTest of pages/bandit.py: defaults, every widget at its extremes, bad tables."""

import pytest

from core import bandit
from harness.apptest import app_test, assert_no_exception, run_page
from harness.apptest import apply_steps as _apply
from harness.apptest import chart_count as _charts
from harness.apptest import metrics as _metrics

PAGE = "pages/bandit.py"
TABLE = "bd_arms_3"





def _edited(rows: dict) -> dict:
    return {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def test_defaults():
    at = run_page(PAGE)
    assert_no_exception(at)
    assert at.slider(key="bd_k").value == 3
    assert at.select_slider(key="bd_lr").value == 0.1
    assert at.select_slider(key="bd_n").value == 10
    assert at.select_slider(key="bd_steps").value == 200
    assert at.slider(key="bd_seeds").value == 5
    assert at.radio(key="bd_baseline").value == "none"
    assert at.radio(key="bd_opt").value == "SGD"
    assert at.select_slider(key="bd_shift").value == 0
    assert at.radio(key="bd_engine").value == "closed form"
    assert not at.warning
    assert _charts(at) == 3  # simplex, J, probabilities
    metrics = _metrics(at)
    arms, logits = bandit.default_arms(3)
    paths = bandit.train(arms, logits, bandit.TrainingConfig(), seed=0)
    summary = bandit.summarize(paths, arms)
    assert metrics["REINFORCE seeds ending on the best arm"] == f"{summary.seeds_on_best} of 5"
    assert metrics["Exact path: probability of the best arm at the end"] == \
        f"{summary.exact_best_probability:.3f}"
    assert "What to try" in [s.value for s in at.subheader]


EXTREMES = [
    [("slider", "bd_k", 2)],
    [("slider", "bd_k", 6)],
    [("select_slider", "bd_lr", 0.001), ("select_slider", "bd_n", 1)],
    [("select_slider", "bd_lr", 100.0), ("select_slider", "bd_shift", 100)],
    [("select_slider", "bd_lr", 100.0), ("select_slider", "bd_shift", -100),
     ("radio", "bd_opt", "Adam")],
    [("select_slider", "bd_steps", 10), ("slider", "bd_seeds", 1)],
    [("select_slider", "bd_steps", 1000), ("slider", "bd_seeds", 10),
     ("select_slider", "bd_n", 100)],
    [("radio", "bd_baseline", "mean reward"), ("select_slider", "bd_n", 1),
     ("select_slider", "bd_shift", 100)],
    [("slider", "bd_k", 6), ("radio", "bd_opt", "Adam"), ("radio", "bd_baseline", "mean reward")],
    [("radio", "bd_engine", "autograd"), ("select_slider", "bd_steps", 1000),
     ("slider", "bd_seeds", 10), ("select_slider", "bd_n", 100)],
]


def test_autograd_engine_gives_the_same_numbers():
    fast = run_page(PAGE)
    slow = _apply(run_page(PAGE), [("radio", "bd_engine", "autograd")])
    assert _metrics(fast) == _metrics(slow)


@pytest.mark.parametrize("steps", EXTREMES, ids=lambda s: "+".join(f"{k}={v}" for _, k, v in s))
def test_widget_extremes(steps):
    at = _apply(run_page(PAGE), steps)
    assert not at.warning
    k = at.slider(key="bd_k").value
    assert _charts(at) == (3 if k == 3 else 2)


BAD_TABLES = [
    ({0: {"sd (Gaussian)": -1.0}}, "standard deviation"),
    ({1: {"mean (or p)": None}}, "mean"),
    ({2: {"initial logit": None}}, "logit"),
    ({2: {"initial logit": 1e6}}, "logit"),
    ({0: {"distribution": "Bernoulli", "mean (or p)": 2.0}}, "Bernoulli"),
    ({0: {"mean (or p)": 1e9}}, "mean"),
]


@pytest.mark.parametrize("rows, words", BAD_TABLES, ids=[w for _, w in BAD_TABLES])
def test_bad_table_shows_a_message_and_keeps_the_widgets(rows, words):
    at = run_page(PAGE)
    at.select_slider(key="bd_lr").set_value(1.0)
    at.session_state[TABLE] = _edited(rows)
    at.run()
    assert_no_exception(at)
    assert len(at.warning) == 1 and words in at.warning[0].value
    assert _charts(at) == 0
    assert at.select_slider(key="bd_lr").value == 1.0


def test_valid_bernoulli_edit_trains():
    at = app_test(PAGE)
    at.session_state[TABLE] = _edited({0: {"distribution": "Bernoulli", "mean (or p)": 0.9},
                                       1: {"distribution": "Bernoulli", "mean (or p)": 0.1}})
    at.run()
    assert_no_exception(at)
    assert not at.warning and _charts(at) == 3


def test_pull_limit_is_a_message_not_a_crash(monkeypatch):
    monkeypatch.setattr(bandit, "LIMITS", bandit.LIMITS.__class__(max_samples_per_request=100))
    at = run_page(PAGE)
    assert_no_exception(at)
    assert "allows" in at.warning[0].value
