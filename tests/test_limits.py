"""core.limits: environment overrides and the process-wide training slots."""

from core.limits import Limits, TrainingSlots, load_limits


def test_environment_overrides_and_bad_values_keep_defaults():
    limits = load_limits({"PGS_MAX_TRAINING_SESSIONS": "2",
                          "PGS_MAX_EPISODES_PER_SESSION": "abc",
                          "PGS_MAX_SAMPLES_PER_REQUEST": "-5"})
    assert limits.max_training_sessions == 2
    assert limits.max_episodes_per_session == Limits().max_episodes_per_session
    assert limits.max_samples_per_request == Limits().max_samples_per_request


def test_slots_cap_and_release():
    slots = TrainingSlots(2)
    assert slots.acquire("a") and slots.acquire("a") and slots.acquire("b")
    assert not slots.acquire("c")
    slots.release("a")
    assert slots.acquire("c")
    assert slots.in_use() == 2
