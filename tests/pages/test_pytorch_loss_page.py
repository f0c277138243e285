"""AppTest of pages/pytorch-loss.py: defaults, every widget at its extremes."""

from __future__ import annotations

import re

import pytest

from harness.apptest import assert_no_exception, run_page, run_presented

PAGE = "pages/pytorch-loss.py"


def text(at) -> str:
    return "\n".join(md.value for md in at.markdown)


def largest_gap(at, label: str) -> float:
    match = re.search(label + r"[^*]*\*\*([0-9.e+-]+)\*\*", text(at))
    assert match, label
    return float(match.group(1))


@pytest.fixture(scope="module")
def default_run():
    return run_page(PAGE)


def test_defaults(default_run):
    at = default_run
    assert_no_exception(at)
    assert len(at.get("plotly_chart")) == 6
    assert not at.warning
    assert largest_gap(at, "Largest difference between θ.grad") < 1e-10
    assert largest_gap(at, "Largest difference over the run") < 1e-12
    assert largest_gap(at, "Largest difference:") < 1e-4  # Adam sum vs mean
    body = text(at)
    assert "with the minus sign J goes from 2.667" in body
    assert "Here the loss falls" in body
    assert any("loss = -(log_probs * returns).sum()" in c.value for c in at.code)
    frame = at.dataframe[0].value
    assert list(frame["−N × exact gradient"].round(6)) == [555.555556, 222.222222, -777.777778]


def test_negative_preset_shows_loss_rising_while_j_rises():
    at = run_page(PAGE)
    at.selectbox(key="pl_preset").set_value("negative").run()
    assert_no_exception(at)
    assert "Here the loss rises while J goes from -2.667 to -1" in text(at)


def test_sign_toggle_changes_code_and_step_direction():
    at = run_page(PAGE)
    at.toggle(key="pl_sign").set_value(False).run()
    assert_no_exception(at)
    assert any("minus sign dropped" in c.value for c in at.code)
    assert "lowers J" in text(at)
    assert largest_gap(at, "Largest difference between θ.grad") < 1e-10


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("key,value", [
    ("pl_lr", 0.0001), ("pl_lr", 1.0), ("pl_n", 1), ("pl_n", 1000),
    ("pl_mirror_n", 1), ("pl_mirror_n", 100_000),
])
def test_widgets_at_extremes(optimizer, key, value):
    at = run_page(PAGE)
    at.radio(key="pl_opt").set_value(optimizer).run()
    at.select_slider(key=key).set_value(value).run()
    assert_no_exception(at)
    assert not at.warning
    assert len(at.get("plotly_chart")) == 6
    assert largest_gap(at, "Largest difference over the run") < 1e-12


def test_other_seed_and_presenter_mode():
    at = run_presented(PAGE)
    # Presenter mode asks each tab's question first: its charts, tables and the sentences
    # that answer it wait for Reveal.
    assert len(at.get("plotly_chart")) == 0
    before = text(at)
    for answer in ("That is where p(τ) went", "Optimizers only minimise",
                   "so each SGD step is", "Judge training by J"):
        assert answer not in before
    while reveals := [b for b in at.button if b.label == "Reveal the answer"]:
        reveals[0].click().run()
        assert_no_exception(at)
    assert len(at.get("plotly_chart")) == 6
    assert largest_gap(at, "Largest difference over the run") < 1e-12


def test_sum_vs_mean_with_sgd_at_the_same_lr_is_shown_and_computed(default_run):
    at = default_run
    body = text(at)
    assert "simple_pg.py" in body and "reinforce.py" in body
    match = re.search(r"the sum run has J = \*\*([0-9.]+)\*\*.*the mean run has J = "
                      r"\*\*([0-9.]+)\*\* \(from ([0-9.]+)\)", body)
    assert match, body
    j_sum, j_mean, j_start = map(float, match.groups())
    # Page defaults (rewards 1, 2, 5; lr 0.002; N 100): the sum saturates, the mean crawls.
    assert j_sum > 4.9 and j_mean - j_start < 0.25 * (j_sum - j_start)


def test_presenter_mode_holds_back_the_first_screens_answers_until_reveal():
    """The first screen (intro, code walk-through, tab titles, the sign toggle's help) must not
    answer the tabs' questions before their Reveal; after it, the full explanation is there."""
    at = run_presented(PAGE)

    def shown() -> str:
        return "\n".join([text(at), *(c.value for c in at.caption), *(x.value for x in at.latex),
                          *(t.label for t in at.tabs)])

    mirror_answers = ("sampled estimate of −∇J times N", "p(τ) lives here",
                      "the sum of r(x_i)∇log π_θ(x_i)", r"= -N\,\hat g")
    before = shown()
    for answer in (*mirror_answers, "The loss is not a score"):
        assert answer not in before, answer
    assert r"\texttt{theta.grad} = \nabla_\theta L" in before  # the code's line is still shown
    assert any("loss = -(log_probs * returns).sum()" in c.value for c in at.code)
    assert "descent on J" not in at.toggle(key="pl_sign").help

    at.button(key="reveal_pl_mirror_chart_show").click().run()
    assert_no_exception(at)
    after = shown()
    for answer in mirror_answers:
        assert answer in after, answer
    assert "descent on J" not in at.toggle(key="pl_sign").help
    at.button(key="reveal_pl_sign_chart_show").click().run()
    assert_no_exception(at)
    assert "descent on J" in at.toggle(key="pl_sign").help
    # The last tab keeps its neutral title after its Reveal too (a changing title would
    # rebuild the tabs); normal mode keeps the usual one.
    at.button(key="reveal_pl_loss_chart_show").click().run()
    assert "Judge training by J" in text(at)
    assert "The loss is not a score" not in [t.label for t in at.tabs]


def test_normal_mode_shows_the_whole_first_screen(default_run):
    at = default_run
    body = "\n".join([text(at), *(c.value for c in at.caption), *(x.value for x in at.latex)])
    for answer in ("sampled estimate of −∇J times N", "p(τ) lives here", r"= -N\,\hat g"):
        assert answer in body, answer
    assert "The loss is not a score" in [t.label for t in at.tabs]
    assert "descent on J" in at.toggle(key="pl_sign").help
