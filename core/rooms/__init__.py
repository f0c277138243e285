"""Class-experiment rooms: a teacher opens a room, students join it with a short code and post
their CartPole runs to it as they train, and the teacher's screen shows every run.

Pure Python (no Streamlit): codes and tokens (``codes``), the settings a room fixes or frees
(``settings``), a run's summary and thinned curve (``summary``), the database through SQLAlchemy
Core with Alembic migrations (``schema``, ``store``), batched writes (``batcher``), per-session
rate limits (``ratelimit``) and exports (``export``).
"""
