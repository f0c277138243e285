"""core.limits: environment overrides and the sample budget."""

from core.limits import Limits, load_limits, sample_budget_problem


def test_environment_overrides_and_bad_values_keep_defaults():
    limits = load_limits({"PGS_MAX_TRAINING_SESSIONS": "7",
                          "PGS_TRAINING_WORKERS": "3",
                          "PGS_IDLE_EVICT_S": "0",
                          "PGS_MAX_EPISODES_PER_SESSION": "abc",
                          "PGS_MAX_SAMPLES_PER_REQUEST": "-5"})
    assert limits.max_training_sessions == 7
    assert limits.training_workers == 3
    assert limits.idle_evict_s == Limits().idle_evict_s
    assert limits.max_episodes_per_session == Limits().max_episodes_per_session
    assert limits.max_samples_per_request == Limits().max_samples_per_request


def test_defaults_serve_a_class():
    limits = load_limits({})
    assert limits.max_training_sessions == 100
    assert limits.training_workers >= 1
    assert limits.tab_closed_s < 30


def test_sample_budget_message_only_above_the_cap():
    limits = Limits(max_samples_per_request=1000)
    assert sample_budget_problem(1000, limits) is None
    problem = sample_budget_problem(1001, limits)
    assert problem is not None and "1,001" in problem
    # The expectation page's largest view fits the default budget.
    assert sample_budget_problem(1_000_000 * 20, Limits()) is None


def test_worker_niceness_from_the_environment_zero_allowed():
    assert Limits().worker_nice == 10
    assert load_limits({"PGS_WORKER_NICE": "0"}).worker_nice == 0
    assert load_limits({"PGS_WORKER_NICE": "19"}).worker_nice == 19
    for bad in ("20", "-3", "x", ""):
        assert load_limits({"PGS_WORKER_NICE": bad}).worker_nice == 10, bad
