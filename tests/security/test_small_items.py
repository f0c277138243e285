"""Small hardening items of the public demo (docs/security.md points 10 and 11): overflowing
numbers in the pages' editors and bad flags of the training CLI each end in a clear message,
never in an inf/nan shown as a number or a traceback."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from dataclasses import fields
from typing import get_type_hints

import numpy as np
import pytest

from core import covariance as cv
from core import distributions as dist
from core.reinforce import train
from core.reinforce.config import TrainConfig
from harness.apptest import ROOT, app_test, assert_no_exception

NON_FINITE_WORD = re.compile(r"(?<![\w.])[-+−]?(inf|nan|infinity)(?![\w])", re.IGNORECASE)
"""inf or nan written as a number ("inf", "-inf", "NaN"), not inside a word like "info"."""

# ------------------------------------------------------------------ core: the split's numbers


LOGITS = np.array([1.0, 0.0, -0.5])


@pytest.mark.parametrize("rewards", [[1e200, 3.0, 0.0], [1e308, 3.0, 0.0],
                                     [1.7e308, -1.7e308, 0.0], [-1e160, 1e160, 1e160]])
def test_score_split_refuses_rewards_that_overflow(rewards):
    rewards = np.array(rewards)
    assert cv.validate_score_split(LOGITS, rewards) == cv.SCORE_SPLIT_OVERFLOW
    with pytest.raises(ValueError, match="too large"):
        cv.score_split(LOGITS, rewards)


def test_score_split_keeps_large_finite_rewards_and_passes_table_problems_on():
    panel = cv.score_split(LOGITS, np.array([1e150, -1e150, 3.0]))
    assert cv.validate_score_split(LOGITS, np.array([1e150, -1e150, 3.0])) is None
    numbers = np.concatenate([panel.split, panel.gradient, panel.gradient_direct,
                              [panel.mean_reward, panel.gradient_norm]])
    assert np.all(np.isfinite(numbers))
    assert panel.gradient_norm == pytest.approx(np.linalg.norm(panel.gradient / 1e150) * 1e150)
    assert "between" in cv.validate_score_split(np.zeros(1), np.ones(1))
    assert "reward" in cv.validate_score_split(np.zeros(2), np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match="finite"):
        cv.score_split(np.array([0.0, np.nan]), np.ones(2))


def _custom(*values: float) -> dist.DistributionSpec:
    return dist.DistributionSpec(family="custom", table_values=values,
                                 table_weights=(1.0,) * len(values))


@pytest.mark.parametrize(("spec", "g", "h"), [
    (_custom(1e-200, 2.0), "inv", "inv"),      # 1/τ² overflows: E[XY] = inf
    (_custom(1e-320, 2.0), "inv", "tau"),      # 1/τ itself overflows
    (_custom(1e-154, 2.0), "inv", "inv"),      # finite moments, but sums of samples overflow
    (_custom(1e-19, 2.0), "inv", "inv"),       # past the range: 1e38
    (dist.DistributionSpec(family="uniform", low=1e-20, high=2e-20), "inv", "inv"),
])
def test_split_refuses_numbers_past_its_range(spec, g, h):
    assert cv.validate_split(spec, g, h) == cv.SPLIT_TOO_LARGE


@pytest.mark.parametrize(("spec", "g", "h"), [
    (_custom(1e-18, 2.0), "inv", "inv"), (_custom(-1e6, 1e6), "tau3", "tau3"),
    (dist.DistributionSpec(family="normal", mean=100.0, sd=100.0), "tau3", "tau3"),
])
def test_split_keeps_the_largest_allowed_numbers(spec, g, h):
    assert cv.validate_split(spec, g, h) is None
    result = cv.split_moments(spec, g, h)
    assert all(math.isfinite(v) for v in (result.mean_xy, result.product, result.cov,
                                          result.sd_x, result.sd_y))


# ------------------------------------------------------------------ pages: huge cells in editors


def _edits(edited_rows: dict) -> dict:
    return {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}


def _shown_non_finite(at) -> list[str]:
    """Every inf/nan the page shows as a number: in prose, formulas, notes, metrics and tables
    (an empty cell of a table the user edited is theirs, not a result)."""
    found = []
    for kind in ("markdown", "latex", "caption", "info", "success", "warning", "error"):
        found += [e.value for e in at.get(kind) if NON_FINITE_WORD.search(str(e.value))]
    found += [f"{m.label} = {m.value}" for m in at.metric
              if NON_FINITE_WORD.search(str(m.value))]
    for frame in at.dataframe:
        numbers = frame.value.select_dtypes("number").to_numpy(dtype=float)
        if np.isinf(numbers).any():
            found.append(f"table {list(frame.value.columns)} holds inf")
    return found


def _run(page: str, state: dict):
    """The page run once with these widget values (outside presenter mode every answer shows
    at once)."""
    at = app_test(page)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert_no_exception(at)
    return at


@pytest.mark.parametrize("reward", [1e200, 1e308, -1.7e308])
def test_split_page_huge_reward_gives_a_message_not_inf(reward):
    at = _run("pages/split.py", {"sp_bandit": _edits({0: {"reward r": reward}})})
    assert not _shown_non_finite(at), _shown_non_finite(at)
    assert "‖true gradient‖" not in {m.label for m in at.metric}
    warnings = [w.value for w in at.warning]
    assert cv.SCORE_SPLIT_OVERFLOW in warnings, warnings
    # What the user typed stays in the editor.
    assert at.session_state["sp_bandit"]["edited_rows"] == {0: {"reward r": reward}}


@pytest.mark.parametrize(("x", "g", "h"), [(1e-200, "inv", "inv"), (1e-320, "inv", "tau"),
                                           (1e-154, "inv", "inv")])
@pytest.mark.parametrize("independent", [False, True])
def test_split_page_tiny_outcome_under_1_over_tau_gives_a_message(x, g, h, independent):
    at = _run("pages/split.py", {"sp_family": "custom", "sp_g": g, "sp_h": h,
                                 "sp_indep": independent, "sp_n": 100_000,
                                 "sp_table": _edits({0: {"x": x}})})
    assert not _shown_non_finite(at), _shown_non_finite(at)
    assert "E[XY]" not in {m.label for m in at.metric}
    assert [w.value for w in at.warning] == [cv.SPLIT_TOO_LARGE]
    assert at.selectbox(key="sp_g").value == g and at.session_state["sp_n"] == 100_000


HUGE_EDITS = [
    ("pages/split.py", {"sp_family": "custom", "sp_table": _edits({0: {"x": 1e308}})}),
    ("pages/split.py", {"sp_family": "custom", "sp_table": _edits({0: {"weight": 1e308}})}),
    ("pages/split.py", {"sp_bandit": _edits({0: {"logit θ": 1e308}})}),
    ("pages/expectation.py", {"ev_family": "custom", "ev_table": _edits({0: {"x": 1e308}})}),
    ("pages/expectation.py", {"ev_family": "custom", "ev_table": _edits({1: {"weight": 1e200}})}),
    ("pages/expectation.py", {"ev_family": "custom", "ev_f": "table",
                              "ev_table": _edits({2: {"f(x)": 1e308}})}),
    ("pages/expectation.py", {"ev_f": "table",
                              "ev_ftable_uniform_int_10_1": _edits({0: {"f(x)": 1e200}})}),
    ("pages/log-derivative.py", {"ld_table": _edits({0: {"reward r": 1e308}})}),
    ("pages/log-derivative.py", {"ld_table": _edits({0: {"reward r": 1e200},
                                                     1: {"logit θ": 1e200}})}),
]


@pytest.mark.parametrize(("page", "state"), HUGE_EDITS, ids=lambda v: str(v)[:60])
def test_huge_cells_never_show_inf_or_nan(page, state):
    at = _run(page, state)
    assert at.warning, "a value this large needs a message"
    assert not _shown_non_finite(at), _shown_non_finite(at)


# ------------------------------------------------------------------ the training CLI


def _cli(*flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.reinforce.train", "--no-progress",
                           "--max-episodes", "1", *flags], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize(("flags", "needle"), [
    (("--jsonl", "/nonexistent/x.jsonl"), "cannot write the --jsonl file"),
    (("--max-seconds", "-1"), "finite number of seconds"),
    (("--max-seconds", "nan"), "finite number of seconds"),
    (("--hidden", "4,,4"), "empty entry"),
])
def test_cli_refuses_bad_flags_before_training(flags, needle):
    done = _cli(*flags)
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.stdout == ""  # no run summary: nothing was trained


def _main_error(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stop:
        train.main(["--no-progress", "--max-episodes", "1", *argv])
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


FLOAT_FIELDS = [f.name for f in fields(TrainConfig)
                if float in (get_type_hints(TrainConfig)[f.name],
                             *getattr(get_type_hints(TrainConfig)[f.name], "__args__", ()))]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("flag", ["max_seconds", *FLOAT_FIELDS])
def test_every_float_flag_refuses_non_finite_values(flag, value, capsys):
    err = _main_error([f"--{flag.replace('_', '-')}={value}"], capsys)
    assert "error:" in err and "Traceback" not in err


@pytest.mark.parametrize(("hidden", "needle"), [
    ("4,", "empty entry"), (",4", "empty entry"), ("4,,", "empty entry"),
    ("4,x", "whole number"), ("4.5", "whole number"), ("4,0", "between 1 and"),
    ("-3", "between 1 and"),
])
def test_hidden_sizes_must_be_listed_plainly(hidden, needle, capsys):
    assert needle in _main_error([f"--hidden={hidden}"], capsys)


def test_hidden_parsing_keeps_plain_lists():
    assert train._hidden("64, 32") == (64, 32)
    assert train._hidden("") == () == train._hidden(" ")
    assert math.isclose(train._seconds("0"), 0.0) and train._seconds("2.5") == 2.5


def test_float_fields_are_found():
    assert {"lr", "gamma", "dropout", "value_lr", "entropy_coef", "max_grad_norm"} <= set(
        FLOAT_FIELDS)


def test_security_doc_names_these_tests():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith(("| 10 |", "| 11 |"))]
    named = set(re.findall(r"::(test_\w+)", "".join(rows)))
    assert len(rows) == 2 and named
    assert named <= {name for name in globals() if name.startswith("test_")}, named
