"""A student's app process, for the fault and multi-process tests: joins a room and posts one
run's progress through the batched poster, one new episode every 10 ms, until killed or
``seconds`` have passed. After each committed write it prints ``wrote <episodes> <seconds>``
(how long the write took); its first line is ``joined <wall-clock start>``.

usage: python -m tests.rooms.writer DATABASE_URL CODE NICKNAME SECONDS
"""

from __future__ import annotations

import sys
import time

from core.rooms.batcher import RunPoster
from core.rooms.settings import DEFAULTS
from core.rooms.store import RoomStore
from core.rooms.summary import summarize

EPISODE_S = 0.01


def main(url: str, code: str, nickname: str, seconds: float) -> None:
    store = RoomStore.open(url)
    poster = RunPoster(store, store.join(code, nickname), dict(DEFAULTS))
    start, wall_start = time.monotonic(), time.time()
    print(f"joined {wall_start:.6f}", flush=True)
    while (elapsed := time.monotonic() - start) < seconds:
        episodes = int(elapsed / EPISODE_S)
        began = time.monotonic()
        if poster.offer(summarize([float(k % 500) for k in range(episodes)], 200)):
            print(f"wrote {episodes} {time.monotonic() - began:.4f}", flush=True)
        time.sleep(0.02)
    poster.offer(summarize([float(k % 500) for k in range(int(seconds / EPISODE_S))], 200,
                           finished=True))
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
