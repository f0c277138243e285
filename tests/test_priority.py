"""ui/priority: training waits while another thread runs a page, never for its own run, and
never longer than it is allowed to."""

import threading
import time

from ui.priority import foreground, others_running, page_yielder, yield_to_pages


def _page_run_in_thread() -> tuple[threading.Event, threading.Event, threading.Thread]:
    entered, release = threading.Event(), threading.Event()

    def page() -> None:
        with foreground():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=page)
    thread.start()
    assert entered.wait(5)
    return entered, release, thread


def test_no_page_running_means_no_wait():
    assert not others_running()
    start = time.perf_counter()
    for _ in range(1000):
        assert yield_to_pages(10) == 0.0
    assert time.perf_counter() - start < 0.5


def test_training_waits_until_another_threads_page_run_ends():
    _entered, release, page = _page_run_in_thread()
    done = threading.Event()
    trainer = threading.Thread(target=lambda: (yield_to_pages(max_wait_s=10), done.set()))
    trainer.start()
    assert not done.wait(0.3), "training went on while a page was running"
    release.set()
    assert done.wait(5), "training did not resume when the page run ended"
    page.join(5)
    trainer.join(5)
    assert not others_running()


def test_the_wait_is_bounded():
    _entered, release, page = _page_run_in_thread()
    try:
        start = time.perf_counter()
        yield_to_pages(max_wait_s=0.1)
        waited = time.perf_counter() - start
        assert 0.05 <= waited < 2.0
        # A chunk's yield point stops waiting once its budget is spent, however often called.
        yield_point = page_yielder(0.2)
        start = time.perf_counter()
        for _ in range(20):
            yield_point()
        assert 0.15 <= time.perf_counter() - start < 2.0
    finally:
        release.set()
        page.join(5)


def test_a_thread_never_waits_for_its_own_page_run():
    with foreground():
        assert not others_running()
        start = time.perf_counter()
        yield_to_pages(max_wait_s=10)
        assert time.perf_counter() - start < 1.0
    assert not others_running()
