"""Helpers for streamlit.testing AppTest runs (paths are relative to the repository root)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEOUT = 60


def app_test(path: str, *, timeout: float = DEFAULT_TIMEOUT) -> AppTest:
    """An AppTest for a script given relative to the repository root (not yet run)."""
    return AppTest.from_file(str(ROOT / path), default_timeout=timeout)


def run_page(path: str, *, timeout: float = DEFAULT_TIMEOUT, seed: int | None = None) -> AppTest:
    """Run a page script on its own and return the finished AppTest."""
    at = app_test(path, timeout=timeout)
    if seed is not None:
        at.session_state["seed"] = seed
    at.run()
    return at


PRESENTED_SEED = 2**31 - 1
"""The largest seed: presenter-mode runs also check a seed far from the default."""


def run_presented(path: str, *, seed: int | None = PRESENTED_SEED,
                  timeout: float = DEFAULT_TIMEOUT) -> AppTest:
    """Run a page in presenter mode (``?present=1``) with ``seed`` (None: the app's default
    seed), checked for exceptions."""
    at = app_test(path, timeout=timeout)
    if seed is not None:
        at.session_state["seed"] = seed
    at.session_state["present"] = True
    at.run()
    assert_no_exception(at)
    return at


def assert_no_exception(at: AppTest) -> None:
    """Fail with the page's own traceback text if the run raised."""
    assert not at.exception, "\n\n".join(str(e.value) + "\n" + "\n".join(e.stack_trace)
                                         for e in at.exception)


def metrics(at: AppTest) -> dict[str, str]:
    """The page's metrics, label -> displayed value."""
    return {m.label: m.value for m in at.metric}


def chart_count(at: AppTest) -> int:
    """How many plotly charts the page drew."""
    return len(at.get("plotly_chart"))


def apply_steps(at: AppTest, steps) -> AppTest:
    """Apply (widget kind, key, value) steps, one rerun each, checking every run."""
    for kind, key, value in steps:
        getattr(at, kind)(key=key).set_value(value)
        at.run()
        assert_no_exception(at)
    return at
