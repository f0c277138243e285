"""Numbers in prose come from the computation beside them (issue 13, section 4).

Each page runs at two seeds. Sentences that state a number drawn from a seeded computation
must change with the seed; and on the pages whose numbers the correctness work owns, the
sentences must equal what the core computes for that seed (they "stay true")."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core import corridor as c
from core import loss_demo as ld
from core.reinforce import mistakes as gm
from harness.apptest import assert_no_exception, run_page

SEEDS = (11, 2024)
NUMBER = re.compile(r"\d")


def _sentences(at) -> set[str]:
    """Every markdown and caption sentence that states a number."""
    text = "\n".join([m.value for m in at.markdown] + [m.value for m in at.caption])
    parts = re.split(r"(?<=[.;:])\s+|\n", text)
    return {p.strip() for p in parts if NUMBER.search(p)}


def _page(path: str, seed: int, steps=()):
    at = run_page(path, timeout=300, seed=seed)
    for kind, key, value in steps:
        getattr(at, kind)(key=key).set_value(value)
    if steps:
        at.run()
    assert_no_exception(at)
    return at


# Small settings keep the reruns cheap; each page keeps its seed-dependent prose.
PAGES = {
    "pages/corridor.py": [("slider", "sc_runs", 5), ("select_slider", "sc_episodes", 200)],
    "pages/pytorch-loss.py": [],
    "pages/gallery.py": [("slider", "gm_seeds", 1), ("select_slider", "gm_episodes", 100)],
    "pages/log-derivative.py": [],
    "pages/split.py": [],
    "pages/trajectories.py": [],
}
"""Pages whose prose states numbers drawn from seeded samples or training."""

EXACT_PAGES = ("pages/expectation.py", "pages/bandit.py")
"""Pages whose prose numbers are exact values (E[X], σ, ±1.96) or the settings of an
experiment to try (the bandit's list, whose every claim tests/test_bandit_prose.py checks):
the same at every seed."""


@pytest.mark.parametrize("path", list(PAGES))
def test_numbers_in_prose_change_with_the_seed(path):
    steps = PAGES[path]
    first, second = (_sentences(_page(path, s, steps)) for s in SEEDS)
    if path == "pages/gallery.py":   # the gallery trains what the first view says: rerun
        ats = []
        for s in SEEDS:
            at = _page(path, s, steps)
            at.button(key="gm_run").click().run()
            ats.append(_sentences(at))
        first, second = ats
    changed = first ^ second
    assert changed, f"{path}: no sentence with a number changed with the seed"


@pytest.mark.parametrize("path", EXACT_PAGES)
def test_exact_numbers_stay_the_same_at_every_seed(path):
    first, second = (_sentences(_page(path, s)) for s in SEEDS)
    assert first == second


def test_corridor_sentences_stay_true():
    for seed in SEEDS:
        at = _page("pages/corridor.py", seed, PAGES["pages/corridor.py"])
        text = "\n".join(m.value for m in at.markdown)
        learners = c.figure_learners((-12, -13, -14), (-13, -9, -6))
        curves = c.learn(learners, c.CorridorConfig(runs=5, episodes=200), seed)
        assert c.describe_baseline_w(curves.for_figure(2)) in text
        caption = "\n".join(m.value for m in at.caption)
        for label, p in zip(curves.labels, curves.final_p_right.mean(axis=1), strict=True):
            assert f"{label}: {p:.3f}" in caption


def test_loss_page_sentences_stay_true():
    for seed in SEEDS:
        at = _page("pages/pytorch-loss.py", seed)
        text = "\n".join(m.value for m in at.markdown)
        specs = (ld.RunSpec("sgd", 0.002, True, "sum", "sum"),
                 ld.RunSpec("sgd", 0.002, True, "mean", "mean"),
                 ld.RunSpec("sgd", 0.002, False, "sum", "plus"))
        runs = ld.train(np.zeros(3), np.array(ld.REWARD_PRESETS["positive"]), specs, n=100,
                        steps=ld.TRAINING_STEPS, seed=seed)
        assert f"the sum run has J = **{runs.j('sum')[-1]:.4g}**" in text
        assert f"the mean run has J = **{runs.j('mean')[-1]:.4g}**" in text
        assert f"without it to **{runs.j('plus')[-1]:.4g}**" in text


def test_gallery_sentences_stay_true():
    for seed in SEEDS:
        at = _page("pages/gallery.py", seed, PAGES["pages/gallery.py"])
        at.button(key="gm_run").click().run()
        assert_no_exception(at)
        text = "\n".join(m.value for m in at.markdown)
        comparison = gm.compare(gm.mistake("sign"), (seed,), 100)
        for line in gm.measured_lines(comparison):
            assert line in text
