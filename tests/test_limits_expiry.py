"""core.limits: training slots of abandoned sessions expire."""

from core.limits import TrainingSlots


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_stale_holder_loses_its_slot_and_active_one_keeps_it():
    clock = FakeClock()
    slots = TrainingSlots(2, timeout_s=10.0, clock=clock)
    assert slots.acquire("a") and slots.acquire("b")
    assert not slots.acquire("c")
    clock.now = 8.0
    assert slots.refresh("a")          # a is still ticking
    clock.now = 12.0                   # b last seen at 0: stale
    assert slots.in_use() == 1
    assert not slots.refresh("b")
    assert slots.acquire("c")
    assert not slots.acquire("b")      # full again: a (seen at 8) and c
    clock.now = 17.9
    assert slots.refresh("a") and slots.in_use() == 2


def test_without_timeout_slots_never_expire():
    clock = FakeClock()
    slots = TrainingSlots(1, clock=clock)
    assert slots.acquire("a")
    clock.now = 1e9
    assert not slots.acquire("b")
    assert slots.refresh("a")
    slots.release("a")
    assert not slots.refresh("a")
    assert slots.acquire("b")
