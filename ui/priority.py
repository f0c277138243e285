"""Page reruns go before background training in this process.

Training chunks of the live CartPole lab run in script threads of the same process as every
other page, and Python runs one thread at a time: a rerun competing with several training
threads gets a small share and takes seconds instead of a fraction of one. So every page run
registers itself as foreground work, and training steps wait while any other thread's page run
is in progress, up to a budget per training chunk so that training keeps moving under any load.
Training loses a little time; clicks stay quick.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_running: dict[int, int] = {}
"""Page runs in progress, by thread ident (a count: runs can nest, e.g. st.switch_page)."""
_changed = threading.Condition()


@contextmanager
def foreground() -> Iterator[None]:
    """Mark the calling thread as running a page until the block ends."""
    me = threading.get_ident()
    with _changed:
        _running[me] = _running.get(me, 0) + 1
    try:
        yield
    finally:
        with _changed:
            _running[me] -= 1
            if not _running[me]:
                del _running[me]
            _changed.notify_all()


def others_running() -> bool:
    """Whether a thread other than the caller is running a page."""
    me = threading.get_ident()
    return any(ident != me for ident in _running)


def yield_to_pages(max_wait_s: float) -> float:
    """Wait while another thread runs a page, at most ``max_wait_s``; returns the seconds
    waited. Cheap when no page runs."""
    if not _running or not others_running():
        return 0.0
    start = time.monotonic()
    deadline = start + max_wait_s
    with _changed:
        while others_running():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            _changed.wait(left)
    return time.monotonic() - start


def page_yielder(budget_s: float) -> Callable[[], None]:
    """A yield point for one training chunk: each call waits for other threads' page runs,
    all calls together at most ``budget_s``; once that is spent, calls return at once."""
    left = [budget_s]

    def yield_point() -> None:
        if left[0] > 0:
            left[0] -= yield_to_pages(left[0])

    return yield_point
