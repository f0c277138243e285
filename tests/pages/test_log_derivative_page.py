"""AppTest of pages/log-derivative.py: defaults, every widget at its extremes, the table."""

from __future__ import annotations

import pytest

from core import gradient_lab as gl
from harness.apptest import app_test, assert_no_exception, run_page, run_presented

PAGE = "pages/log-derivative.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


@pytest.fixture(scope="module")
def default_run():
    return run_page(PAGE)


def test_defaults_show_exact_numbers_and_every_chart(default_run):
    at = default_run
    assert_no_exception(at)
    m = metrics(at)
    # Exact values in the app's one format (dist.fmt): 2.6667 and -0.5556, not 2.66667 next
    # to -0.55555556.
    assert m["J = E[r]"] == "2.6667"  # (1 + 2 + 5) / 3
    assert m["∂J/∂θ1, autograd"] == "-0.5556"  # p1 (r1 − J) = (1 − 8/3) / 3
    assert m["∂J/∂θ1, finite differences"] == "-0.5556"
    assert m["exact value"] == "0"
    assert len(at.get("plotly_chart")) == 6
    assert not warnings(at)
    assert any("At k = 1" in md.value and "**15**" in md.value and "**4**" in md.value
               for md in at.markdown)


def test_gaussian_defaults(default_run):
    at = default_run
    at.segmented_control(key="ld_family").set_value("gaussian").run()
    assert_no_exception(at)
    m = metrics(at)
    assert m["J = E[r]"] == "2"  # (μ − k)² + σ² with μ = σ = 1, k = 0
    assert m["∂J/∂μ, autograd"] == "2"
    assert m["∂J/∂μ, finite differences"] == "2"
    assert len(at.get("plotly_chart")) == 6


def test_the_family_switch_is_the_registry():
    """Issue 24: the family switch lists core.gradient_lab.LAB_FAMILIES (one registry, no
    second option list), and every family draws its own widgets and all six charts."""
    at = app_test(PAGE)
    at.run()
    switch = at.segmented_control(key="ld_family")
    assert list(switch.options) == [cls.label for cls in gl.LAB_FAMILIES.values()]
    own = {"categorical": ("ld_component", "selectbox"), "gaussian": ("ld_mu", "slider")}
    assert set(own) == set(gl.LAB_FAMILIES)
    for family, (key, kind) in own.items():
        at.segmented_control(key="ld_family").set_value(family).run()
        assert_no_exception(at)
        assert not warnings(at)
        assert len(at.get("plotly_chart")) == 6
        assert key in [w.key for w in getattr(at, kind)]
        other_key, other_kind = own["gaussian" if family == "categorical" else "categorical"]
        assert other_key not in [w.key for w in getattr(at, other_kind)]


@pytest.mark.parametrize("key,values", [
    ("ld_n", [10, 100_000]),
    ("ld_baseline", ["none", "constant", "mean", "optimal"]),
    ("ld_b", [-10.0, 10.0]),
    ("ld_c", [-20.0, 20.0]),
    ("ld_component", [0, 7]),
])
def test_shared_widgets_at_extremes(key, values):
    at = run_page(PAGE)
    for value in values:
        widget = at.select_slider(key=key) if key == "ld_n" else None
        if widget is None:
            kind = {"ld_baseline": "radio", "ld_b": "slider", "ld_c": "slider",
                    "ld_component": "selectbox"}[key]
            widget = getattr(at, kind)(key=key)
        widget.set_value(value).run()
        assert_no_exception(at)
        assert not warnings(at)
        assert len(at.get("plotly_chart")) == 6


@pytest.mark.parametrize("reward", ["quadratic", "cosine", "bump", "step"])
def test_gaussian_widgets_at_extremes(reward):
    at = app_test(PAGE)
    at.session_state["ld_family"] = "gaussian"
    at.run()
    at.selectbox(key="ld_reward").set_value(reward).run()
    for key, value in [("ld_mu", -3.0), ("ld_mu", 3.0), ("ld_sigma", 3.0), ("ld_k", 3.0),
                       ("ld_k", 0.0), ("ld_sigma", 0.05)]:
        at.slider(key=key).set_value(value).run()
        assert_no_exception(at)
        assert not warnings(at), (key, value, warnings(at))
    at.radio(key="ld_param").set_value("sigma").run()
    assert_no_exception(at)
    assert "∂J/∂σ, autograd" in metrics(at)
    at.select_slider(key="ld_n").set_value(100_000).run()
    assert_no_exception(at)


def test_sigma_zero_and_negative_k_bump_give_messages_and_keep_settings():
    at = app_test(PAGE)
    at.session_state["ld_family"] = "gaussian"
    at.run()
    at.select_slider(key="ld_n").set_value(10_000).run()
    at.slider(key="ld_sigma").set_value(0.0).run()
    assert_no_exception(at)
    assert any("σ must be positive" in w for w in warnings(at))
    assert at.select_slider(key="ld_n").value == 10_000
    assert len(at.get("plotly_chart")) == 1  # Fig. 2 does not depend on the inputs
    at.slider(key="ld_sigma").set_value(1.0).run()
    assert not warnings(at)
    at.selectbox(key="ld_reward").set_value("bump").run()
    at.slider(key="ld_k").set_value(-3.0).run()
    assert any("k ≥ 0" in w for w in warnings(at))
    assert at.slider(key="ld_mu").value == 1.0


def run_with_table(edits: dict):
    at = app_test(PAGE)
    at.session_state["ld_table"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [],
                                    **edits}
    at.session_state["ld_c"] = 5.0
    at.run()
    assert_no_exception(at)
    return at


def test_edited_table_changes_the_numbers():
    at = run_with_table({"edited_rows": {0: {"reward r": 11.0}}})
    assert metrics(at)["J = E[r]"] == "11"  # (11 + 2 + 5) / 3 + c with c = 5
    at = run_with_table({"added_rows": [{"logit θ": 0.0, "reward r": 8.0}]})
    assert metrics(at)["J = E[r]"] == "9"  # (1 + 2 + 5 + 8) / 4 + 5
    assert not warnings(at)


@pytest.mark.parametrize("edits,message", [
    ({"deleted_rows": [0, 1, 2]}, "table is empty"),
    ({"deleted_rows": [0, 1]}, "between 2 and 8"),
    ({"edited_rows": {1: {"logit θ": None}}}, "finite"),
    ({"edited_rows": {2: {"reward r": None}}}, "finite"),
    ({"added_rows": [{"logit θ": 0.0, "reward r": 1.0}] * 6}, "between 2 and 8"),
    ({"edited_rows": {0: {"reward r": 1e300}}}, "Keep every reward"),
    ({"edited_rows": {0: {"logit θ": -1e10}}}, "more than 700"),
])
def test_bad_tables_give_a_message_and_keep_other_settings(edits, message):
    at = run_with_table(edits)
    assert any(message in w for w in warnings(at)), warnings(at)
    assert at.slider(key="ld_c").value == 5.0
    assert len(at.get("plotly_chart")) == 1


def test_other_seed_and_presenter_mode():
    at = run_presented(PAGE, seed=987_654)
    assert metrics(at)["J = E[r]"] == "2.6667"
    assert len(at.get("plotly_chart")) == 6
