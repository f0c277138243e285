"""The CartPole live charts' pace (ui.cartpole_session): smooth for one learner, bounded for a
class, and retuned rarely."""

from __future__ import annotations

import pytest

from ui import cartpole_session as cs


def test_one_learner_gets_the_smooth_pace() -> None:
    assert cs.refresh_interval("training", 1) == cs.REFRESH_S
    assert cs.refresh_interval("training", cs.CROWDED) == cs.REFRESH_S


def test_nothing_redraws_while_nothing_changes() -> None:
    for status in ("paused", "finished", "new"):
        assert cs.refresh_interval(status, 10) is None
    assert cs.refresh_interval("queued", 10) == cs.QUEUED_REFRESH_S


@pytest.mark.parametrize("training", [3, 10, 16, 20, 30, 50, 80, 200])
def test_a_crowded_server_keeps_its_redraws_bounded(training: int) -> None:
    interval = cs.refresh_interval("training", training)
    assert interval is not None
    assert cs.CROWDED_REFRESH_S <= interval <= cs.SLOWEST_REFRESH_S
    redraws_per_s = training / interval
    # Bounded by the budget, unless every session is already at the slowest pace, and never
    # slower than needed: at 16 sessions (a class of 30 on two processes) more than 1 a second.
    assert (redraws_per_s <= cs.MAX_REDRAWS_PER_S + 1e-9
            or interval == cs.SLOWEST_REFRESH_S or interval == cs.CROWDED_REFRESH_S)
    if training <= 16:
        assert interval < 1.0


def test_the_pace_grows_with_the_crowd() -> None:
    paces = [cs.refresh_interval("training", n) for n in range(1, 120)]
    assert paces == sorted(paces)  # type: ignore[type-var]
    assert paces[-1] == cs.SLOWEST_REFRESH_S


def test_retune_only_for_a_big_change_and_not_too_often() -> None:
    late = cs.RETUNE_AFTER_S + 1
    assert not cs.should_retune(0.8, 1.0, late)            # small change: keep the pace
    assert cs.should_retune(0.8, 2.5, late)                # much busier: slow down
    assert cs.should_retune(2.5, 0.8, late)                # much quieter: speed up
    assert not cs.should_retune(0.8, 2.5, cs.RETUNE_AFTER_S - 1)  # too soon after the last
    assert not cs.should_retune(None, 2.5, late)           # not redrawing
    assert not cs.should_retune(0.8, None, late)           # run ended: the status rerun does it
