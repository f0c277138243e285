"""The corridor page's sentence about the learned baseline w is computed, and true
(issue 13, item 1.3: "Set α^w to 2^-12: w hardly leaves 0" was false)."""

import numpy as np

from core import corridor as c
from harness.apptest import assert_no_exception, run_page


def test_a_small_alpha_w_still_moves_w_far_from_zero():
    learners = c.figure_learners((-12,), (-13, -9, -12))
    curves = c.learn(learners, c.CorridorConfig(runs=20, episodes=1000), seed=0)
    w = curves.w[2]                                   # the baseline learner: (runs, episodes)
    medians = np.median(w[:, [9, 99, 999]], axis=0)
    assert np.all(medians < -3), medians               # measured about −5, −7.5, −10
    assert np.all(np.isnan(curves.w[:2]))              # plain learners have no w
    text = c.describe_baseline_w(curves, 2)
    for m in medians:
        assert f"{m:.1f}" in text


def test_the_page_states_the_computed_w_not_that_it_hardly_leaves_zero():
    at = run_page("pages/corridor.py", timeout=300)
    at.select_slider(key="sc_aw").set_value(-12)
    at.slider(key="sc_runs").set_value(20).run()
    assert_no_exception(at)
    text = "\n".join(m.value for m in at.markdown)
    assert "hardly leaves 0" not in text
    assert "learned w has median" in text


def test_learners_are_addressed_by_figure_not_position():
    curves = c.learn(c.figure_learners((-12, -13), (-13, -9, -6)),
                     c.CorridorConfig(runs=2, episodes=5), seed=0)
    assert curves.for_figure(1).labels == ("α = 2⁻¹²", "α = 2⁻¹³")
    two = curves.for_figure(2)
    assert len(two.labels) == 2 and two.with_baseline == 1


def test_what_to_try_claims_about_larger_step_sizes():
    # "2^-10 learns faster than the book's three. At 2^-8 the average stalls far below v*."
    learners = [c.Learner(f"{e}", 2.0**e) for e in (-8, -10, -12, -13, -14)]
    curves = c.learn(learners, c.CorridorConfig(runs=100, episodes=1000), seed=0)
    mean = curves.mean()                              # (learners, episodes)
    area = mean.mean(axis=1)
    assert area[1] > max(area[2:])                    # 2^-10 learns faster than the three
    _, v_star = c.optimal_policy()
    assert mean[0, -100:].mean() < v_star - 5         # 2^-8 stalls far below v*


def test_corridor_intro_numbers_are_computed():
    at = run_page("pages/corridor.py", timeout=300)
    text = "\n".join(m.value for m in at.markdown)
    p0 = c.initial_p_right()
    assert f"p ≈ {p0:.2f}" in text
    assert f"cut after {c.CorridorConfig().max_steps:,} steps" in text
