"""AppTest of pages/cartpole.py: Start trains in the pool's worker processes and the history
grows, Pause stops it, every widget at its extremes, presets, multi-seed mode, watching the
policy, policy snapshots, and a full server's queue."""

import time
from dataclasses import replace

import pytest

from core.pool import shared_pool
from harness.apptest import assert_no_exception, run_page

PAGE = "pages/cartpole.py"
FAST = "as fast as possible"


def _lab(at):
    return at.session_state["cp_lab"]


def _episodes(at) -> int:
    lab = _lab(at)
    return sum(len(t.returns) for t in lab.trainers)


def _click(at, key: str):
    at.button(key=key).click().run()
    assert_no_exception(at)
    return at


def _chart_keys(at) -> set[str]:
    return {chart.key for chart in at.get("plotly_chart")}


def _run_until(at, condition, timeout: float = 120.0, what: str = ""):
    """Rerun the page (as the fragment's redraws do) until ``condition(at)`` holds: the
    workers train on their own clock, a worker may still be starting."""
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        assert_no_exception(at)
        if condition(at):
            return at
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


@pytest.fixture
def page():
    at = run_page(PAGE, seed=3)
    assert_no_exception(at)
    yield at
    if "cp_lab" in at.session_state:
        shared_pool().reset(_lab(at).holder)


def test_defaults(page):
    at = page
    assert at.select_slider(key="cp_lr").value == 0.02
    assert at.selectbox(key="cp_baseline").value == "batch_standardise"
    assert at.radio(key="cp_sign").value == "minus"
    assert at.select_slider(key="cp_batch").value == 16
    assert at.select_slider(key="cp_speed").value == "2,500 env steps/s"
    assert FAST in at.select_slider(key="cp_speed").options
    assert not at.get("plotly_chart")                # nothing to plot before Start
    assert any("Press Start" in c.value for c in at.caption)
    assert not at.button(key="cp_start").disabled and at.button(key="cp_pause").disabled
    assert not at.warning


@pytest.mark.slow  # trains CartPole in a worker process
def test_start_trains_in_a_worker_and_pause_stops_it(page):
    at = page
    at.select_slider(key="cp_speed").set_value(FAST).run()
    at = _click(at, "cp_start")
    assert _lab(at).running
    at = _run_until(at, lambda a: _episodes(a) > 0, what="first episodes")
    first = _episodes(at)
    at = _run_until(at, lambda a: _episodes(a) > first, what="more episodes")
    assert len(at.get("plotly_chart")) >= 2           # returns and per-update charts
    status = next(c.value for c in at.caption if "episodes ·" in c.value)
    assert "env steps/s per run" in status
    at = _click(at, "cp_pause")
    assert not _lab(at).running
    time.sleep(0.5)
    at.run()
    paused = _episodes(at)
    time.sleep(1.5)
    at.run()
    assert _episodes(at) == paused
    at = _click(at, "cp_resume")
    at = _run_until(at, lambda a: _episodes(a) > paused, what="training after resume")
    at = _click(at, "cp_reset")
    assert not _lab(at).trainers and len(_lab(at).history) == 1
    assert "cp_chart_returns" in _chart_keys(at)       # the kept run, overlaid
    at.toggle(key="cp_overlay").set_value(False).run()
    assert "cp_chart_returns" not in _chart_keys(at)   # nothing left to plot


def test_live_lr_change_is_applied_and_recorded(page):
    at = page
    at.select_slider(key="cp_speed").set_value(FAST).run()
    at = _click(at, "cp_start")
    at = _run_until(at, lambda a: bool(_lab(a).trainers[0].updates), what="a first update")
    at.select_slider(key="cp_lr").set_value(0.001).run()
    assert_no_exception(at)

    def applied(a) -> bool:
        run = _lab(a).trainers[0]
        return [c.name for c in run.changes] == ["lr"] and run.updates[-1].lr == 0.001

    at = _run_until(at, applied, what="the new learning rate in use")
    at.select_slider(key="cp_hidden").set_value(64).run()
    assert any("hidden" in i.value for i in at.info)   # needs a restart, said so
    _click(at, "cp_pause")


EXTREMES = [
    ("select_slider", "cp_lr", [1e-05, 1.0]),
    ("radio", "cp_sign", ["plus", "minus"]),
    ("radio", "cp_weighting", ["total", "reward_to_go"]),
    ("selectbox", "cp_baseline", ["none", "batch_mean", "episode_standardise"]),
    ("radio", "cp_reduction", ["mean", "sum"]),
    ("select_slider", "cp_gamma", [0.9, 1.0]),
    ("select_slider", "cp_entropy", [0.0, 1.0]),
    ("select_slider", "cp_clip", ["0.1", "100", "off"]),
    ("select_slider", "cp_hidden", [0, 256]),
    ("radio", "cp_layers", [2, 1]),
    ("radio", "cp_act", ["relu", "tanh"]),
    ("select_slider", "cp_dropout", [0.9, 0.0]),
    ("radio", "cp_opt", ["sgd", "adam"]),
    ("select_slider", "cp_batch", [1, 256]),
    ("select_slider", "cp_envs", [1, 256]),
    ("radio", "cp_rollout", ["per_step", "batched"]),
    ("select_slider", "cp_seeds", [10, 1]),
    ("select_slider", "cp_budget", [100]),
    ("select_slider", "cp_speed", ["50 env steps/s", FAST]),
    ("toggle", "cp_stop", [False, True]),
    ("toggle", "cp_overlay", [False, True]),
]


def test_every_widget_at_its_extremes_never_raises(page):
    at = page
    for kind, key, values in EXTREMES:
        for value in values:
            getattr(at, kind)(key=key).set_value(value).run()
            assert_no_exception(at)
    # All at once at the far end, then train a tick.
    for kind, key, values in EXTREMES:
        getattr(at, kind)(key=key).set_value(values[0])
    at.run()
    assert_no_exception(at)
    assert not at.warning
    # per_step rollout with 256 environments is refused with a message, not a traceback.
    at.select_slider(key="cp_envs").set_value(256).run()
    assert at.warning and at.button(key="cp_start").disabled
    at.select_slider(key="cp_envs").set_value(1).run()
    at.select_slider(key="cp_seeds").set_value(2).run()
    at = _click(at, "cp_start")
    # 50 env steps/s: the runs creep (at most one episode of 500 steps ahead of the pace),
    # and the live cart is drawn.
    at = _run_until(at, lambda a: any(r.seconds > 0 for r in _lab(a).trainers),
                    what="the paced runs training")
    view = _lab(at).view
    assert len(view.runs) == 2
    assert all(r.env_steps <= 50 * view.wall_s + 500 for r in view.runs), view.wall_s
    assert "cp_chart_live" in _chart_keys(at) and len(at.get("plotly_chart")) >= 3
    at.select_slider(key="cp_speed").set_value(FAST).run()
    at = _run_until(at, lambda a: _episodes(a) > 0, what="episodes at full speed")
    _click(at, "cp_reset")


def test_presets_fill_the_widgets(page):
    at = _click(page, "cp_preset_fast")
    assert at.select_slider(key="cp_lr").value == 0.1
    assert at.select_slider(key="cp_batch").value == 96
    at = _click(at, "cp_preset_classic")
    assert at.radio(key="cp_rollout").value == "per_step"
    assert at.select_slider(key="cp_dropout").value == 0.6
    assert at.select_slider(key="cp_hidden").value == 128
    assert not at.warning


def test_multi_seed_mode_and_watching(page):
    at = page
    at.select_slider(key="cp_seeds").set_value(3).run()
    at.select_slider(key="cp_speed").set_value(FAST).run()
    at = _click(at, "cp_watch")                         # before training: untrained policy
    assert _lab(at).watch_before is not None
    at = _click(at, "cp_start")
    at = _run_until(at, lambda a: all(len(t.returns) > 0 for t in _lab(a).trainers),
                    what="every seed training")
    assert len(_lab(at).trainers) == 3
    at = _click(at, "cp_pause")
    at = _click(at, "cp_watch")
    assert _lab(at).watch_after is not None
    assert len(at.get("plotly_chart")) >= 4            # seeds, updates, two animations


def test_a_full_server_shows_a_moving_queue_position(page, monkeypatch):
    pool = shared_pool()
    monkeypatch.setattr(pool, "limits", replace(pool.limits, max_training_sessions=1))
    from core.reinforce.config import TrainConfig

    pool.start("someone-else", [TrainConfig(max_episodes=20_000)], None, stop_solved=False)
    try:
        at = _click(page, "cp_start")
        assert _lab(at).running and _lab(at).view.status == "queued"
        assert any("number 1 in the queue" in i.value for i in at.info)
        assert not at.button(key="cp_pause").disabled       # leaving the queue is possible
    finally:
        pool.reset("someone-else")
    at = _run_until(at, lambda a: _lab(a).view.status == "training", what="admitted")
    assert not any("queue" in i.value for i in at.info)


def _snapshot_script() -> None:
    import time

    import streamlit as st

    from core.reinforce.config import TrainConfig
    from ui import cartpole_session as lab

    state = lab.lab()
    state.speed = None
    lab.start(TrainConfig(max_episodes=20_000), 2)
    deadline = time.monotonic() + 120
    while not all(r.updates for r in state.trainers) and time.monotonic() < deadline:
        lab._pool().touch(state.holder)
        time.sleep(0.2)
    live = lab.policy_snapshot(1)
    lab.reset()
    kept = lab.policy_snapshot(-1)
    st.session_state["snap"] = (live, kept, lab.policy_snapshot(0), lab.policy_snapshot(-2))


def test_policy_snapshots_of_the_live_and_kept_runs():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_snapshot_script, default_timeout=180).run()
    assert_no_exception(at)
    live, kept, after_reset, missing = at.session_state["snap"]
    config, weights = live
    assert config.seed == 1 and set(weights) >= {"net.0.weight", "net.0.bias"}
    assert weights["net.0.weight"].shape == (32, 4)
    assert kept is not None and kept[0].seed == 0
    assert after_reset is None and missing is None
