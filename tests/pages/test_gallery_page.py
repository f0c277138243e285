"""AppTest of pages/gallery.py: defaults, every widget at its extremes, the Run button, the
episode cap and a busy server; never an exception."""

import pytest

from core.reinforce import mistakes as gm
from harness.apptest import assert_no_exception, run_page, run_presented

PAGE = "pages/gallery.py"
TIMEOUT = 180


def _charts(at) -> int:
    return len(at.get("plotly_chart"))


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _set(at, **values):
    """Set widgets by key (gm_mistake, gm_seeds, gm_episodes) and rerun."""
    kinds = {"gm_mistake": "selectbox", "gm_seeds": "slider", "gm_episodes": "select_slider"}
    for key, value in values.items():
        getattr(at, kinds[key])(key=key).set_value(value)
    at.run()
    assert_no_exception(at)
    return at


def _run(at):
    at.button(key="gm_run").click()
    at.run()
    assert_no_exception(at)
    return at


@pytest.mark.slow  # trains the gallery's runs
def test_defaults_train_the_flipped_sign_on_three_seeds():
    at = run_page(PAGE, timeout=TIMEOUT)
    assert_no_exception(at)
    assert at.selectbox(key="gm_mistake").value == "sign"
    assert at.slider(key="gm_seeds").value == 3
    assert at.select_slider(key="gm_episodes").value == 300
    assert _charts(at) == 3                  # returns, entropy, fresh-start evaluation
    text = _text(at)
    assert "The minus sign dropped" in "\n".join(s.value for s in at.subheader)
    assert "on 3 of 3 seeds" in text and "with the mistake 19 → 9." in text
    assert not at.warning and not at.info


def test_changed_settings_wait_for_run():
    at = _set(run_page(PAGE, timeout=TIMEOUT), gm_seeds=1, gm_episodes=100)
    assert at.info and "press **Run**" in at.info[0].value
    assert "mean of 3 seeds" in _text(at)    # still the last run
    at = _run(at)
    assert not at.info
    assert "(one seed)" in _text(at)


@pytest.mark.parametrize("values", [
    {"gm_mistake": "all", "gm_seeds": 1, "gm_episodes": 100},
    {"gm_mistake": "lr10", "gm_seeds": 5, "gm_episodes": 100},
    {"gm_mistake": "argmax", "gm_seeds": 1, "gm_episodes": 600},
], ids=["all-min", "seeds-max", "episodes-max"])
def test_widget_extremes(values):
    at = _run(_set(run_page(PAGE, timeout=TIMEOUT), **values))
    assert not at.warning
    if values["gm_mistake"] == "all":
        assert _charts(at) == 1 + len(gm.MISTAKES)   # overview + one curve per mistake
        assert len(at.subheader) == len(gm.MISTAKES)
        assert "area under the curve" in at.dataframe[0].value.columns
        assert "not reached" in at.dataframe[0].value.to_string()   # 100 episodes: no 475
    else:
        assert _charts(at) == 3
    for key, value in values.items():
        assert at.session_state[key] == value


def test_too_much_work_is_refused_with_a_message():
    at = _run(_set(run_page(PAGE, timeout=TIMEOUT), gm_mistake="all", gm_seeds=5,
                   gm_episodes=600))
    runs = len(gm.MISTAKES) + gm.correct_runs(gm.MISTAKE_KEYS)
    assert at.warning and f"{5 * runs * 600:,}" in at.warning[0].value
    assert _charts(at) == 0
    assert at.selectbox(key="gm_mistake").value == "all"
    assert at.slider(key="gm_seeds").value == 5


def test_a_pool_that_cannot_train_shows_a_message(monkeypatch):
    import core.pool

    def unavailable(*_args: object) -> None:
        raise core.pool.PoolError("No training worker is available.")

    monkeypatch.setattr(core.pool, "run_job", unavailable)
    at = run_page(PAGE, timeout=TIMEOUT, seed=987)   # a seed no other test trained
    assert_no_exception(at)
    assert at.warning and "could not train" in at.warning[0].value
    assert _charts(at) == 0


def test_presenter_mode_asks_before_showing_the_curves():
    at = run_presented(PAGE, seed=None, timeout=TIMEOUT)  # opened with ?present=1
    assert "Predict first." in _text(at)
    assert _charts(at) == 0                  # every chart and the verdict wait for the reveal
    assert "What goes wrong." not in _text(at)
    at.button(key="reveal_gm_chart_sign_show").click()
    at.run()
    assert_no_exception(at)
    assert _charts(at) == 3
    assert "What goes wrong." in _text(at)
