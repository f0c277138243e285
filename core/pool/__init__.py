"""Training off the page server: worker processes that hold many sessions' REINFORCE runs and
train them round-robin, and the server-side pool that sends them commands and mirrors their
runs for the pages (no Streamlit here; ui/cartpole_session.py is the Streamlit facade).

- :mod:`core.pool.messages`: the commands and events on each worker's pipe.
- :mod:`core.pool.worker`: the worker process's loop (round-robin turns, pacing, reports).
- :mod:`core.pool.pool`: :class:`TrainingPool`, admission and queue, lifecycle (closed tabs,
  idle eviction, dead workers replaced), and the shared pool of the server process.
"""

from core.pool.pool import (
    PoolError,
    RunView,
    SessionView,
    TrainingPool,
    run_job,
    shared_pool,
)

__all__ = ["PoolError", "RunView", "SessionView", "TrainingPool", "run_job", "shared_pool"]
