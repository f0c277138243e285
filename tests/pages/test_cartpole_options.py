"""AppTest of the CartPole lab's config-driven options (issue 13 / 14 / 12.4): the home page's
loss preset, the learned baseline's own step size, and the warning for a combination that
cannot learn."""

import time

from core.pool import shared_pool
from core.reinforce.config import CHOICES, LABELS, PRESET_LABELS, PRESETS
from harness.apptest import assert_no_exception, run_page

PAGE = "pages/cartpole.py"


def _release(at) -> None:
    if "cp_lab" in at.session_state:
        shared_pool().reset(at.session_state["cp_lab"].holder)


def test_option_lists_come_from_the_config():
    at = run_page(PAGE, seed=3)
    assert_no_exception(at)
    shown = list(at.selectbox(key="cp_baseline").options)   # labels, not raw keys
    assert shown == [LABELS["baseline"][o] for o in CHOICES["baseline"]]
    assert len(at.selectbox(key="cp_baseline").options) == len(CHOICES["baseline"])
    assert len(at.radio(key="cp_weighting").options) == len(CHOICES["weighting"])
    assert {b.key for b in at.button} >= {f"cp_preset_{name}" for name in PRESET_LABELS}
    intro = at.markdown[0].value
    assert "Every update below is the loss from the home page" not in intro
    assert PRESET_LABELS["home"] in intro


def test_home_preset_button_sets_the_home_loop_settings():
    """The "home" preset button puts the page's controls at the preset's values (that the
    preset trains the home page's own code is tests/test_home_loop.py's check)."""
    at = run_page(PAGE, seed=3)
    at.button(key="cp_preset_home").click().run()
    assert_no_exception(at)
    home = PRESETS["home"]
    assert at.radio(key="cp_weighting").value == home.weighting
    assert at.selectbox(key="cp_baseline").value == home.baseline
    assert at.radio(key="cp_reduction").value == home.reduction
    assert at.select_slider(key="cp_batch").value == home.episodes_per_update
    assert not at.warning
    at.button(key="cp_preset_default").click().run()
    assert at.selectbox(key="cp_baseline").value == PRESETS["default"].baseline


def test_whole_return_with_per_episode_standardise_warns_but_trains():
    at = run_page(PAGE, seed=3)
    at.radio(key="cp_weighting").set_value("total")
    at.selectbox(key="cp_baseline").set_value("episode_standardise").run()
    assert_no_exception(at)
    assert any("standardise within each episode" in w.value and "every weight 0" in w.value
               for w in at.warning)
    assert not at.button(key="cp_start").disabled


def test_learned_baseline_has_its_own_step_size_and_trains():
    at = run_page(PAGE, seed=3)
    assert not [s for s in at.select_slider if s.key == "cp_value_lr"]
    at.selectbox(key="cp_baseline").set_value("learned").run()
    at.select_slider(key="cp_value_lr").set_value(0.03).run()
    assert_no_exception(at)
    try:
        at.button(key="cp_start").click().run()
        deadline = time.monotonic() + 120   # the worker processes may still be starting
        while not at.session_state["cp_lab"].trainers:
            assert time.monotonic() < deadline, "the run never reached a worker"
            time.sleep(0.3)
            at.run()
        assert_no_exception(at)
        trainer = at.session_state["cp_lab"].trainers[0]
        assert trainer.config.baseline == "learned" and trainer.config.value_lr == 0.03
    finally:
        _release(at)
