"""AppTest of pages/expectation.py: defaults, every widget at its extremes, bad input."""

import pytest

from harness.apptest import app_test, assert_no_exception, run_page, run_presented
from harness.apptest import apply_steps as _apply
from harness.apptest import chart_count as _charts
from harness.apptest import metrics as _metrics

PAGE = "pages/expectation.py"





def test_defaults_show_the_uniform_square_example():
    at = run_page(PAGE)
    assert_no_exception(at)
    metrics = _metrics(at)
    assert metrics["Exact E[f(X)]"] == "38.5"
    assert metrics["Σ p·f (the target)"] == "38.5"
    assert metrics["Σ p²·f (where the trap goes)"] == "3.85"
    latex = at.latex[0].value
    assert r"0.1 \cdot 1 + 0.1 \cdot 4 + 0.1 \cdot 9" in latex and latex.rstrip("$\n ").endswith(
        "= 38.5")
    assert _charts(at) == 4
    assert not at.warning
    assert at.select_slider(key="ev_n").value == 10_000 and at.slider(key="ev_k").value == 10


def test_trap_average_lands_near_sum_of_p_squared_f():
    at = _apply(run_page(PAGE), [("select_slider", "ev_n", 1_000_000)])
    value = float(_metrics(at)["Run 1: average of p(xᵢ)·f(xᵢ)"])
    # SD of p·f is 0.1·SD(x²) ≈ 2.9; its SE at N = 10⁶ is 0.003.
    assert abs(value - 3.85) < 4 * 0.0029
    run1 = float(_metrics(at)["Run 1 average at N = 1,000,000"])
    assert abs(run1 - 38.5) < 4 * 0.0324


EXTREMES = [
    [("select_slider", "ev_n", 1)],
    [("select_slider", "ev_n", 1_000_000), ("slider", "ev_k", 20)],
    [("slider", "ev_k", 1)],
    [("slider", "ev_size", 1)],
    [("slider", "ev_size", 100)],
    [("selectbox", "ev_f", "x")],
    [("selectbox", "ev_f", "abs"), ("number_input", "ev_c", -1000.0)],
    [("selectbox", "ev_f", "indicator"), ("number_input", "ev_c", 1000.0)],
    [("selectbox", "ev_f", "table")],
    [("selectbox", "ev_f", "table"), ("slider", "ev_size", 1)],
    [("selectbox", "ev_family", "custom"), ("selectbox", "ev_f", "table")],
    [("selectbox", "ev_family", "binomial"), ("slider", "ev_trials", 1),
     ("slider", "ev_success", 0.0)],
    [("selectbox", "ev_family", "binomial"), ("slider", "ev_trials", 200),
     ("slider", "ev_success", 1.0), ("select_slider", "ev_n", 1_000_000)],
    [("selectbox", "ev_family", "poisson"), ("slider", "ev_lam", 0.1)],
    [("selectbox", "ev_family", "poisson"), ("slider", "ev_lam", 50.0),
     ("select_slider", "ev_n", 1_000_000), ("slider", "ev_k", 20)],
    [("selectbox", "ev_family", "normal"), ("number_input", "ev_mu", -100.0),
     ("number_input", "ev_sd", 100.0), ("selectbox", "ev_f", "abs")],
    [("selectbox", "ev_family", "exponential"), ("number_input", "ev_rate", 100.0),
     ("selectbox", "ev_f", "indicator")],
    [("selectbox", "ev_family", "uniform"), ("number_input", "ev_a", -100.0),
     ("number_input", "ev_b", 100.0)],
    [("selectbox", "ev_family", "normal"), ("select_slider", "ev_n", 1), ("slider", "ev_k", 1)],
    [("selectbox", "ev_family", "exponential"), ("select_slider", "ev_n", 2),
     ("selectbox", "ev_f", "abs"), ("number_input", "ev_c", 1000.0)],
]


@pytest.mark.parametrize("steps", EXTREMES, ids=lambda s: "+".join(f"{k}={v}" for _, k, v in s))
def test_widget_extremes_render_charts(steps):
    at = _apply(run_page(PAGE), steps)
    assert not at.warning, [w.value for w in at.warning]
    assert _charts(at) == 4
    assert at.latex


def test_n_equal_one_gives_a_point_mass():
    at = _apply(run_page(PAGE), [("slider", "ev_size", 1)])
    metrics = _metrics(at)
    assert metrics["Exact E[f(X)]"] == "1"
    assert metrics["Predicted spread σ/√N"] == "0"


def _typed_f(edited_rows: dict) -> object:
    """The page with f typed per outcome (uniform on 1..10) and these rows edited."""
    at = app_test(PAGE)
    at.run()
    _apply(at, [("selectbox", "ev_f", "table")])
    at.session_state["ev_ftable_uniform_int_10_1"] = {
        "edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_no_exception(at)
    return at


def test_typed_f_column_changes_the_expectation():
    at = _typed_f({9: {"f(x)": 0.0}})
    assert _metrics(at)["Exact E[f(X)]"] == "28.5"  # 38.5 − 0.1·100


BAD_PARAMETERS = [
    ([("selectbox", "ev_family", "normal"), ("number_input", "ev_sd", 0.0)], "σ"),
    ([("selectbox", "ev_family", "exponential"), ("number_input", "ev_rate", 0.0)], "rate"),
    ([("selectbox", "ev_family", "uniform"), ("number_input", "ev_a", 1.0)], "below"),
    ([("selectbox", "ev_family", "normal"), ("selectbox", "ev_f", "table")], "discrete"),
    ([("selectbox", "ev_family", "binomial"), ("slider", "ev_trials", 200),
      ("selectbox", "ev_f", "table")], "too many"),
]


@pytest.mark.parametrize(("steps", "needle"), BAD_PARAMETERS, ids=lambda v: str(v)[:40])
def test_bad_parameters_show_a_message_and_keep_other_widgets(steps, needle):
    at = _apply(run_page(PAGE), [("slider", "ev_k", 7), ("select_slider", "ev_n", 500)])
    _apply(at, steps)
    assert len(at.warning) == 1 and needle in at.warning[0].value
    assert _charts(at) == 0
    assert at.slider(key="ev_k").value == 7 and at.select_slider(key="ev_n").value == 500


BAD_TABLES = [
    ({"edited_rows": {0: {"weight": -1.0}}, "added_rows": [], "deleted_rows": []}, "negative"),
    ({"edited_rows": {1: {"weight": None}}, "added_rows": [], "deleted_rows": []}, "number"),
    ({"edited_rows": {i: {"weight": 0.0} for i in range(4)}, "added_rows": [],
      "deleted_rows": []}, "zero"),
    ({"edited_rows": {}, "added_rows": [], "deleted_rows": [0, 1, 2, 3]}, "empty"),
    ({"edited_rows": {0: {"x": 2.0}}, "added_rows": [], "deleted_rows": []}, "twice"),
    ({"edited_rows": {}, "added_rows": [{"x": 9.0}], "deleted_rows": []}, "number"),
]


@pytest.mark.parametrize(("edits", "needle"), BAD_TABLES, ids=lambda v: str(v)[:30])
def test_bad_tables_show_a_message_and_keep_other_widgets(edits, needle):
    at = _apply(run_page(PAGE), [("selectbox", "ev_family", "custom"), ("slider", "ev_k", 3),
                                 ("selectbox", "ev_f", "abs"), ("number_input", "ev_c", 3.5)])
    at.session_state["ev_table"] = edits
    at.run()
    assert_no_exception(at)
    assert len(at.warning) == 1 and needle in at.warning[0].value
    assert _charts(at) == 0
    assert at.slider(key="ev_k").value == 3
    assert at.selectbox(key="ev_f").value == "abs" and at.number_input(key="ev_c").value == 3.5


def test_custom_table_weights_are_normalised():
    at = _apply(run_page(PAGE), [("selectbox", "ev_family", "custom")])
    at.session_state["ev_table"] = {"edited_rows": {}, "deleted_rows": [],
                                    "added_rows": [{"x": 7.0, "weight": 2.0, "f(x)": 3.0}]}
    at.run()
    assert_no_exception(at)
    # Weights 1, 2, 3, 4, 2 → probabilities /12; E[x²] = (1 + 8 + 27 + 64 + 98) / 12 = 16.5.
    assert _metrics(at)["Exact E[f(X)]"] == "16.5"
    shown = next(d.value for d in at.dataframe if "probability p(x)" in d.value)
    probs = shown["probability p(x)"].to_numpy()
    assert probs.sum() == pytest.approx(1.0) and probs[-1] == pytest.approx(2 / 12)


def test_other_seed_and_presenter_mode():
    base = run_page(PAGE)
    at = run_presented(PAGE)
    # Presenter mode asks before it shows the running averages, and before the prose and the
    # trap section that say the answer ("the sampling has already done the weighting").
    assert _charts(at) == 2
    prose = " ".join(md.value for md in at.markdown)
    assert "Why no p is needed" not in prose and "already come with frequency p" not in prose
    reveal = [b for b in at.button if b.label == "Reveal the answer"]
    assert len(reveal) == 1
    reveal[0].click().run()
    assert_no_exception(at)
    assert _charts(at) == 4
    prose = " ".join(md.value for md in at.markdown)
    assert "Why no p is needed" in prose and "already come with frequency p" in prose
    # The exact value does not depend on the seed; the sampled run does.
    assert _metrics(at)["Exact E[f(X)]"] == "38.5"
    key = "Run 1 average at N = 10,000"
    assert _metrics(at)[key] != _metrics(base)[key]
    assert abs(float(_metrics(at)[key]) - 38.5) < 4 * 0.324


def test_typed_f_values_survive_a_change_of_outcomes():
    at = _typed_f({2: {"f(x)": 100.0}})
    # n = 10 → 12 → 10: f(3) = 100 is kept in the new table and back in the old one.
    for n, exact in ((12, (650 - 9 + 100) / 12), (10, 38.5 + (100 - 9) / 10)):
        _apply(at, [("slider", "ev_size", n)])
        assert_no_exception(at)
        assert abs(float(_metrics(at)["Exact E[f(X)]"]) - exact) < 1e-3, (n, _metrics(at))


def test_custom_table_survives_a_switch_to_another_family_and_back():
    at = app_test(PAGE)
    at.run()
    _apply(at, [("selectbox", "ev_family", "custom")])
    at.session_state["ev_table"] = {"edited_rows": {0: {"weight": 9.0}}, "added_rows": [],
                                    "deleted_rows": []}
    at.run()
    before = _metrics(at)["Exact E[f(X)]"]
    assert before == "6"  # (9·1 + 2·4 + 3·9 + 4·16) / 18; the untouched table gives 10
    _apply(at, [("selectbox", "ev_family", "poisson")])
    _apply(at, [("selectbox", "ev_family", "custom")])
    assert_no_exception(at)
    assert _metrics(at)["Exact E[f(X)]"] == before


def test_defaults_of_c_fall_inside_the_default_outcomes_and_one_run_reads_well():
    from ui.expectation_inputs import DEFAULT_C, DEFAULT_TABLE

    assert DEFAULT_TABLE["x"].min() < DEFAULT_C < DEFAULT_TABLE["x"].max()
    at = _apply(run_page(PAGE), [("slider", "ev_k", 1)])
    assert_no_exception(at)
    assert "Spread of the runs" in _metrics(at)
    assert not any("the 1 runs" in label for label in _metrics(at))
