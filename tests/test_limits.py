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


def test_sample_budget_message_only_above_the_cap():
    from core.limits import sample_budget_problem

    limits = Limits(max_samples_per_request=1000)
    assert sample_budget_problem(1000, limits) is None
    assert "1,001" in sample_budget_problem(1001, limits)
    # The expectation page's largest view fits the default budget.
    assert sample_budget_problem(1_000_000 * 20, Limits()) is None
