"""AppTest of pages/cartpole.py: Start and ticks grow the history, Pause stops it, every
widget at its extremes, presets, multi-seed mode, watching the policy, and a full server."""

import pytest

from core.limits import TRAINING_SLOTS
from tests.apptest import assert_no_exception, run_page

PAGE = "pages/cartpole.py"


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


@pytest.fixture
def page():
    at = run_page(PAGE, seed=3)
    assert_no_exception(at)
    yield at
    if "cp_lab" in at.session_state:
        TRAINING_SLOTS.release(_lab(at).holder)


def test_defaults(page):
    at = page
    assert at.select_slider(key="cp_lr").value == 0.02
    assert at.selectbox(key="cp_baseline").value == "batch_standardise"
    assert at.radio(key="cp_sign").value == "minus"
    assert at.select_slider(key="cp_batch").value == 16
    assert at.select_slider(key="cp_speed").value == "as fast as possible"
    assert not at.get("plotly_chart")                # nothing to plot before Start
    assert any("Press Start" in c.value for c in at.caption)
    assert not at.button(key="cp_start").disabled and at.button(key="cp_pause").disabled
    assert not at.warning


def test_start_ticks_grow_history_and_pause_stops_it(page):
    at = _click(page, "cp_start")
    assert _lab(at).running
    counts = [_episodes(at)]
    for _ in range(3):
        at.run()
        assert_no_exception(at)
        counts.append(_episodes(at))
    # A tick trains for a fixed time and may end mid-batch, so growth shows over ticks.
    assert counts == sorted(counts) and counts[-1] > counts[0], counts
    assert len(at.get("plotly_chart")) >= 2           # returns and per-update charts
    assert "episodes" in at.caption[-1].value or any("env steps" in c.value for c in at.caption)
    at = _click(at, "cp_pause")
    assert not _lab(at).running
    paused = _episodes(at)
    at.run()
    at.run()
    assert _episodes(at) == paused
    assert TRAINING_SLOTS.acquire("probe") and TRAINING_SLOTS.in_use() >= 1
    TRAINING_SLOTS.release("probe")
    at = _click(at, "cp_resume")
    for _ in range(3):
        at.run()
    assert _episodes(at) > paused
    at = _click(at, "cp_reset")
    assert not _lab(at).trainers and len(_lab(at).history) == 1
    assert "cp_chart_returns" in _chart_keys(at)       # the kept run, overlaid
    at.toggle(key="cp_overlay").set_value(False).run()
    assert "cp_chart_returns" not in _chart_keys(at)   # nothing left to plot


def test_live_lr_change_is_applied_and_recorded(page):
    at = _click(page, "cp_start")
    at.run()
    at.select_slider(key="cp_lr").set_value(0.001).run()
    assert_no_exception(at)
    at.run()
    trainer = _lab(at).trainers[0]
    assert [c.name for c in trainer.changes] == ["lr"]
    assert trainer.updates[-1].lr == 0.001
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
    ("select_slider", "cp_speed", ["real time (50 steps/s)", "as fast as possible"]),
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
    at.run()
    assert_no_exception(at)
    # Real time: a tick advances a dozen steps, shown on the live cart, no episode yet.
    assert len(_lab(at).trainers) == 2 and _episodes(at) == 0
    assert _lab(at).trainers[0].collector.in_progress
    assert len(at.get("plotly_chart")) >= 3
    at.select_slider(key="cp_speed").set_value("as fast as possible").run()
    at.run()
    assert_no_exception(at)
    assert _episodes(at) > 0
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
    at = _click(at, "cp_watch")                         # before training: untrained policy
    assert _lab(at).watch_before is not None
    at = _click(at, "cp_start")
    at.run()
    assert len(_lab(at).trainers) == 3
    assert all(len(t.returns) > 0 for t in _lab(at).trainers)
    at = _click(at, "cp_pause")
    at = _click(at, "cp_watch")
    assert _lab(at).watch_after is not None
    assert len(at.get("plotly_chart")) >= 4            # seeds, updates, two animations


def test_full_server_says_busy():
    holders = [f"other-{k}" for k in range(TRAINING_SLOTS.capacity)]
    taken = [h for h in holders if TRAINING_SLOTS.acquire(h)]
    try:
        at = run_page(PAGE)
        at = _click(at, "cp_start")
        assert not _lab(at).running
        assert any("Try again" in w.value for w in at.warning)
    finally:
        for h in taken:
            TRAINING_SLOTS.release(h)


def test_ticks_space_out_while_other_sessions_train(page):
    from ui.cartpole_session import SHARED_TICK_S, TICK_S, TRAIN_SHARE, tick_interval

    # Alone: four redraws a second; shared: about half a core of training in all.
    assert tick_interval(1) == TICK_S <= 0.25
    for n in (2, 3, 10):
        assert abs(n * TICK_S * TRAIN_SHARE / tick_interval(n) - 0.5) < 1e-9

    others = ["other-session-a", "other-session-b"]
    assert TRAINING_SLOTS.capacity >= 3
    for holder in others:
        assert TRAINING_SLOTS.acquire(holder)
    try:
        at = _click(page, "cp_start")
        assert _lab(at).interval == tick_interval(3) == 3 * SHARED_TICK_S
        assert any("3 sessions share" in c.value for c in at.caption)
    finally:
        for holder in others:
            TRAINING_SLOTS.release(holder)
    at.run()
    assert_no_exception(at)
    assert _lab(at).interval == TICK_S
    assert not any("sessions share" in c.value for c in at.caption)
