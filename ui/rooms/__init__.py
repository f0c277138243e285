"""The class-experiment page's Streamlit side, mirroring :mod:`core.rooms`:

- :mod:`ui.rooms.state`: session state, the shared store and rate limiter, text helpers.
- :mod:`ui.rooms.teacher`: the teacher's view (open, watch, lock, close, export).
- :mod:`ui.rooms.student`: the student's view (join, train, post runs).
- :mod:`ui.rooms.training`: the one adapter through which a student's run trains in the
  CartPole lab's pool.
"""
