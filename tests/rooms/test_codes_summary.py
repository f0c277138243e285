"""Room codes and tokens, run summaries, the batched poster's pace and the join rate limit."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rooms import codes
from core.rooms.ratelimit import AttemptLimiter
from core.rooms.summary import episodes_to, summarize, thin_curve

LOOK_ALIKES = [("0", "O"), ("1", "I"), ("1", "L"), ("U", "V")]


def test_code_alphabet_has_no_look_alikes_and_30_bits() -> None:
    assert len(set(codes.CODE_ALPHABET)) == 32
    for a, b in LOOK_ALIKES:
        assert not (a in codes.CODE_ALPHABET and b in codes.CODE_ALPHABET)
    assert codes.CODE_BITS >= 30


def test_codes_are_uniform_over_the_alphabet() -> None:
    counts = Counter("".join(codes.new_code() for _ in range(4000)))
    expected = 24_000 / 32
    # each count is binomial(24000, 1/32): 5 standard errors either side
    se = math.sqrt(24_000 * (1 / 32) * (31 / 32))
    assert set(counts) == set(codes.CODE_ALPHABET)
    assert all(abs(c - expected) < 5 * se for c in counts.values())


def test_typed_codes_forgive_case_separators_and_look_alikes() -> None:
    assert codes.normalize_code(" 7k3-qxd ") == "7K3QXD"
    assert codes.normalize_code("OIL234") == "011234"


@given(st.text(max_size=200))
def test_any_text_is_a_valid_code_or_none(text: str) -> None:
    code = codes.normalize_code(text)
    assert code is None or (len(code) == 6 and set(code) <= set(codes.CODE_ALPHABET))


@pytest.mark.parametrize("bad", ["", "ABCDE", "ABCDEFG", "A" * 10_000, "ABC'D;", "ÄBCDEF",
                                 "<scrip", None, 123456, b"ABCDEF"])
def test_malformed_codes_are_rejected(bad: object) -> None:
    assert codes.normalize_code(bad) is None


def test_tokens_are_distinct_and_checked_by_shape() -> None:
    tokens = {codes.new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(codes.valid_token(t) for t in tokens)
    for bad in ["", "x" * 42, "x" * 44, "x" * 10_000, "' OR 1=1 --" + "x" * 32, None, 42]:
        assert not codes.valid_token(bad)
    token = tokens.pop()
    assert codes.token_matches(token, codes.token_hash(token))
    assert not codes.token_matches(codes.new_token(), codes.token_hash(token))


def test_episodes_to_threshold_is_the_first_full_window_reaching_it() -> None:
    returns = np.array([100.0] * 150 + [500.0] * 100)
    # the mean of the last 100 first reaches 195 once 24 of them are 500: (24*500+76*100)/100
    assert episodes_to(returns, 195) == 150 + 24
    assert episodes_to(returns, 475) == 150 + 94
    assert episodes_to(returns[:99], 0) is None
    assert episodes_to(np.full(300, 194.0), 195) is None


@given(st.lists(st.floats(0, 500), max_size=3000), st.integers(1, 250))
def test_thinned_curve_keeps_the_bound_and_the_average(returns: list[float], points: int) -> None:
    curve = thin_curve(np.asarray(returns), points)
    assert len(curve) <= points
    if returns:
        assert curve[-1][0] == len(returns)
        episodes = [e for e, _ in curve]
        widths = np.diff([0, *episodes])
        assert all(w > 0 for w in widths)
        total = sum(w * v for w, (_, v) in zip(widths, curve, strict=True))
        assert total == pytest.approx(sum(returns), rel=1e-9, abs=1e-6)


def test_summary_figures() -> None:
    summary = summarize([10.0] * 50 + [500.0] * 500, 200, finished=True)
    assert summary.episodes == 550
    assert summary.mean_last100 == 500.0
    assert summary.to_195 is not None and summary.to_475 is not None
    assert len(summary.curve) == 200 and summary.finished


def test_limiter_refuses_after_the_allowed_failures_until_the_window_passes() -> None:
    now = [0.0]
    limiter = AttemptLimiter(attempts=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.refusal() is None
        limiter.failed()
    assert limiter.refusal() is not None
    now[0] = 59.0
    assert limiter.refusal() is not None
    now[0] = 60.5
    assert limiter.refusal() is None
