"""AppTest of the CartPole lab's "How good is one batch's gradient?" section and of
ui.cartpole_session.policy_snapshot."""

import time

import pytest

from core.pool import shared_pool
from harness.apptest import assert_no_exception, run_page

PAGE = "pages/cartpole.py"


@pytest.fixture
def page():
    at = run_page(PAGE, seed=3, timeout=120)
    assert_no_exception(at)
    yield at
    if "cp_lab" in at.session_state:
        shared_pool().reset(at.session_state["cp_lab"].holder)


def _keys(at) -> set[str]:
    return {chart.key for chart in at.get("plotly_chart")}


def _small(at):
    at.select_slider(key="gq_ref").set_value(10_000)
    at.select_slider(key="gq_pool").set_value(20_000)
    at.run()
    assert_no_exception(at)
    return at


def test_section_defaults_and_live_needs_a_run(page):
    at = page
    assert at.radio(key="gq_snapshot").value == "untrained"
    assert at.select_slider(key="gq_ref").value == 20_000
    assert at.select_slider(key="gq_pool").value == 40_000
    assert not at.button(key="gq_measure").disabled
    at.radio(key="gq_snapshot").set_value("live").run()
    assert_no_exception(at)
    assert at.button(key="gq_measure").disabled
    assert any("Start a run" in c.value for c in at.caption)


def test_measure_before_and_during_training(page):
    at = _small(page)
    at.button(key="gq_measure").click().run()
    assert_no_exception(at)
    assert {"gq_chart_reference", "gq_chart_between"} <= _keys(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["policy measured"] == "before training"
    table = at.dataframe[-1].value
    assert list(table["estimator"]) == ["G₀, no baseline", "G₀ − batch mean",
                                        "G_t (reward-to-go), no baseline", "G_t − batch mean",
                                        "γᵗ·G_t − batch mean"]  # the default γ is 0.99
    assert table["no direction at"].iloc[1].startswith("B = 1 (all ")
    # Train a little, then measure the live policy: the session keeps both snapshots.
    at.button(key="cp_start").click().run()
    deadline = time.monotonic() + 120   # training runs in worker processes, maybe starting
    while not any(len(run.returns) for run in at.session_state["cp_lab"].trainers):
        assert time.monotonic() < deadline, "the run never trained an episode"
        time.sleep(0.3)
        at.run()
    at.button(key="cp_pause").click().run()
    at.radio(key="gq_snapshot").set_value("live").run()
    at.button(key="gq_measure").click().run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["policy measured"].startswith("live run after")
    history = at.dataframe[-1].value
    assert history["snapshot"].tolist() == ["before training", history["snapshot"].iloc[1]]
    assert history["snapshot"].iloc[1].startswith("live run after")


SNAPSHOT_SCRIPT = """
import streamlit as st
from core.reinforce.config import TrainConfig
from ui import cartpole_session as lab

st.session_state["before"] = lab.policy_snapshot(0)
if st.button("start", key="go"):
    lab.start(TrainConfig(seed=5, max_episodes=50), 1)
    config, weights = lab.policy_snapshot(0)   # asked from the worker that holds the run
    weights["net.0.bias"] += 1.0
    _, again = lab.policy_snapshot(0)
    st.session_state["copied"] = not bool((again["net.0.bias"] == weights["net.0.bias"]).any())
    st.session_state["config_seed"] = config.seed
    st.session_state["other"] = lab.policy_snapshot(1)
    lab.pause()
"""


def test_policy_snapshot_is_a_copy_of_the_live_policy():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(SNAPSHOT_SCRIPT, default_timeout=60)
    at.run()
    assert_no_exception(at)
    assert at.session_state["before"] is None
    at.button(key="go").click().run()
    assert_no_exception(at)
    assert at.session_state["copied"] is True
    assert at.session_state["config_seed"] == 5
    assert at.session_state["other"] is None
    shared_pool().reset(at.session_state["cp_lab"].holder)
