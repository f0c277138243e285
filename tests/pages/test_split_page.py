"""AppTest of pages/split.py: defaults (38.5, 30.25, 8.25), every widget at its extremes,
the independent τ′ toggle, bad input, and the softmax score panel."""

import pytest

from harness.apptest import apply_steps as _apply
from harness.apptest import assert_no_exception, run_page, run_presented
from harness.apptest import chart_count as _charts
from harness.apptest import metrics as _metrics

PAGE = "pages/split.py"





def test_defaults_show_the_three_numbers():
    at = run_page(PAGE)
    assert_no_exception(at)
    metrics = _metrics(at)
    assert (metrics["E[XY]"], metrics["E[X]·E[Y]"], metrics["Cov(X, Y)"]) == (
        "38.5", "30.25", "8.25")
    identity = at.latex[0].value
    assert "38.5" in identity and "5.5" in identity and "30.25" in identity and "8.25" in identity
    assert _charts(at) == 3
    assert not at.warning
    table = next(d.value for d in at.dataframe if "p·X·Y" in d.value)
    assert table["p·X·Y"].sum() == pytest.approx(38.5)
    assert len(table) == 10


def test_independent_copy_closes_the_gap():
    at = _apply(run_page(PAGE), [("toggle", "sp_indep", True)])
    metrics = _metrics(at)
    assert (metrics["E[XY]"], metrics["E[X]·E[Y]"], metrics["Cov(X, Y)"]) == (
        "30.25", "30.25", "0")
    assert at.success


def test_score_panel_split_is_zero_and_gradient_is_not():
    at = run_page(PAGE)
    metrics = _metrics(at)
    assert float(metrics["largest |E[∇log π]| component"]) < 1e-12
    assert float(metrics["‖true gradient‖"]) > 0.1
    panel = next(d.value for d in at.dataframe if "∇J by autograd" in d.value)
    assert panel["E[r]·E[∇log π]"].abs().max() < 1e-12
    assert (panel["E[r·∇log π]"] - panel["∇J by autograd"]).abs().max() < 1e-12


EXTREMES = [
    [("slider", "sp_size", 1)],
    [("slider", "sp_size", 100), ("selectbox", "sp_g", "tau3"), ("selectbox", "sp_h", "tau3")],
    [("select_slider", "sp_n", 10)],
    [("select_slider", "sp_n", 100_000), ("toggle", "sp_indep", True)],
    [("selectbox", "sp_g", "inv"), ("selectbox", "sp_h", "neg2")],
    [("selectbox", "sp_g", "const"), ("selectbox", "sp_h", "neg")],
    [("selectbox", "sp_family", "custom")],
    [("selectbox", "sp_family", "binomial"), ("slider", "sp_trials", 200),
     ("slider", "sp_success", 1.0)],
    [("selectbox", "sp_family", "binomial"), ("slider", "sp_trials", 1),
     ("slider", "sp_success", 0.0)],
    [("selectbox", "sp_family", "poisson"), ("slider", "sp_lam", 50.0)],
    [("selectbox", "sp_family", "poisson"), ("slider", "sp_lam", 0.1)],
    [("selectbox", "sp_family", "normal"), ("number_input", "sp_mu", 100.0),
     ("number_input", "sp_sd", 100.0), ("selectbox", "sp_g", "tau3")],
    [("selectbox", "sp_family", "exponential"), ("number_input", "sp_rate", 100.0)],
    [("selectbox", "sp_family", "uniform"), ("number_input", "sp_a", 1.0),
     ("number_input", "sp_b", 100.0), ("selectbox", "sp_h", "inv")],
]


@pytest.mark.parametrize("steps", EXTREMES, ids=lambda s: "+".join(f"{k}={v}" for _, k, v in s))
def test_widget_extremes(steps):
    at = _apply(run_page(PAGE), steps)
    assert not at.warning, [w.value for w in at.warning]
    assert _charts(at) == 3
    assert set(_metrics(at)) >= {"E[XY]", "E[X]·E[Y]", "Cov(X, Y)"}


BAD = [
    ([("selectbox", "sp_family", "poisson"), ("selectbox", "sp_g", "inv")], "τ = 0"),
    ([("selectbox", "sp_family", "normal"), ("selectbox", "sp_h", "inv")], "does not exist"),
    ([("selectbox", "sp_family", "normal"), ("number_input", "sp_sd", 0.0)], "σ"),
    ([("selectbox", "sp_family", "uniform"), ("number_input", "sp_a", 1.0)], "below"),
]


@pytest.mark.parametrize(("steps", "needle"), BAD, ids=lambda v: str(v)[:40])
def test_bad_input_shows_a_message_and_keeps_other_widgets(steps, needle):
    at = _apply(run_page(PAGE), [("toggle", "sp_indep", True), ("select_slider", "sp_n", 200)])
    _apply(at, steps)
    assert len(at.warning) == 1 and needle in at.warning[0].value
    assert _charts(at) == 1  # only the score panel's chart, which does not depend on τ
    assert at.toggle(key="sp_indep").value is True and at.select_slider(key="sp_n").value == 200


@pytest.mark.parametrize(("edits", "needle"), [
    ({"edited_rows": {0: {"logit θ": None}}, "added_rows": [], "deleted_rows": []}, "finite"),
    ({"edited_rows": {}, "added_rows": [], "deleted_rows": [1, 2]}, "between"),
    ({"edited_rows": {}, "added_rows": [], "deleted_rows": [0, 1, 2]}, "between"),
    ({"edited_rows": {2: {"reward r": None}}, "added_rows": [], "deleted_rows": []}, "reward"),
])
def test_bad_bandit_table_shows_a_message(edits, needle):
    at = run_page(PAGE)
    at.session_state["sp_bandit"] = edits
    at.run()
    assert_no_exception(at)
    assert len(at.warning) == 1 and needle in at.warning[0].value
    assert _charts(at) == 2
    assert _metrics(at)["E[XY]"] == "38.5"


def test_bandit_with_equal_rewards_has_zero_gradient():
    at = run_page(PAGE)
    at.session_state["sp_bandit"] = {"edited_rows": {0: {"reward r": 2.0}, 1: {"reward r": 2.0},
                                                     2: {"reward r": 2.0}},
                                     "added_rows": [], "deleted_rows": []}
    at.run()
    assert_no_exception(at)
    assert float(_metrics(at)["‖true gradient‖"]) < 1e-12


def test_dependent_but_uncorrelated_case_is_explained():
    # Standard normal τ: Y = τ² is a function of X = τ, yet Cov(τ, τ²) = E[τ³] = 0.
    at = _apply(run_page(PAGE), [("selectbox", "sp_family", "normal"),
                                 ("selectbox", "sp_h", "tau2")])
    metrics = _metrics(at)
    assert (metrics["E[XY]"], metrics["E[X]·E[Y]"], metrics["Cov(X, Y)"]) == ("0", "0", "0")
    assert any("uncorrelated" in info.value for info in at.info)


def _reveal(at, key):
    at.button(key=f"reveal_{key}_show").click().run()
    assert_no_exception(at)
    return at


def _texts(at) -> str:
    """Every text the page shows: prose, formulas, captions, notes and metrics."""
    parts = [e.value for kind in ("markdown", "latex", "caption", "info", "success", "warning")
             for e in getattr(at, kind)]
    return "\n".join(parts + [f"{m.label} {m.value}" for m in at.metric])


def test_other_seed_and_presenter_mode():
    at = run_presented(PAGE)
    # Presenter mode asks before it shows the numbers, the formula and the charts that answer,
    # in both sections.
    assert _charts(at) == 0
    assert "Cov(X, Y)" not in _metrics(at)
    assert [b.label for b in at.button] == ["Reveal the answer"] * 2
    _reveal(at, "sp_split")
    assert _charts(at) == 2
    assert _metrics(at)["Cov(X, Y)"] == "8.25"
    _reveal(at, "sp_score")
    assert _charts(at) == 3


ANSWER = "is always the zero vector"


def test_presenter_mode_holds_back_the_policy_gradient_answer_until_its_reveal():
    """Issue 24: "the split E[r]·E[∇log π] is always the zero vector" stood on the first screen
    under the first Reveal button; in presenter mode it waits for the section's own Reveal,
    with the question asked, while outside presenter mode it is there at once."""
    assert ANSWER in _texts(run_page(PAGE))
    at = run_presented(PAGE)
    before = _texts(at)
    assert ANSWER not in before and "exactly zero" not in before
    assert "Why the split is always zero" not in before
    assert "largest |E[∇log π]| component" not in _metrics(at)
    assert any("is the split E[r]·E[∇log π] equal to the true gradient" in md.value
               for md in at.markdown)
    _reveal(at, "sp_split")  # the first question's answer does not give this one away
    assert ANSWER not in _texts(at)
    _reveal(at, "sp_score")
    after = _texts(at)
    assert ANSWER in after and "Why the split is always zero" in after
    assert _metrics(at)["largest |E[∇log π]| component"] == "0"


def test_round_off_is_shown_as_zero_and_exact_values_in_one_format():
    """Issue 24: right after "exactly zero" the page showed 5.6e-17. Round-off of zero is 0,
    in the metric, the table's data and every sentence; exact values have four decimals at
    most."""
    at = run_page(PAGE)
    shown = _texts(at)
    assert "e-1" not in shown and "e-2" not in shown, shown
    assert _metrics(at)["largest |E[∇log π]| component"] == "0"
    assert _metrics(at)["E[r]"] == "1.3222"  # Σ softmax(1, 0, −0.5)·(1, 3, 0)
    panel = next(d.value for d in at.dataframe if "∇J by autograd" in d.value)
    assert (panel["E[r]·E[∇log π]"] == 0).all() and (panel["E[∇log π] (component a)"] == 0).all()
