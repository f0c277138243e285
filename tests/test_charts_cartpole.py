"""core.charts.cartpole: moving average, bounded traces and payloads, the animation."""

import numpy as np
import plotly.io as pio

from core.charts.cartpole import (
    EPISODE_DOTS,
    MAX_FRAMES,
    Marker,
    cart_figure,
    episode_animation,
    moving_average,
    returns_figure,
    seeds_figure,
    updates_figure,
)
from core.thinning import MAX_POINTS_PER_TRACE

MAX_BYTES = 300_000


def _check_bounded(fig) -> None:
    payload = pio.to_json(fig, validate=False)
    assert len(payload) < MAX_BYTES
    for trace in fig.data:
        if trace.x is not None:
            assert len(trace.x) <= MAX_POINTS_PER_TRACE


def test_moving_average_by_hand():
    np.testing.assert_allclose(moving_average([2, 4, 6, 8], window=2), [2, 3, 5, 7])
    np.testing.assert_allclose(moving_average([1, 2, 3], window=100), [1, 1.5, 2])
    assert moving_average([]).size == 0


def test_a_short_run_shows_every_episode():
    returns = np.arange(1.0, EPISODE_DOTS + 1)
    dots = next(t for t in returns_figure(returns).data if t.mode == "markers")
    assert dots.name == "return"
    np.testing.assert_array_equal(dots.y, returns)


def test_long_runs_stay_small():
    rng = np.random.default_rng(0)
    returns = rng.uniform(0, 500, 20_000)
    fig = returns_figure(returns, markers=[Marker(k * 100, "lr 0.01→0.1") for k in range(50)],
                         overlays=[(f"#{k}", rng.uniform(0, 500, 20_000)) for k in range(10)])
    _check_bounded(fig)
    names = [t.name for t in fig.data]
    assert f"return ({EPISODE_DOTS} of 20,000 episodes)" in names and "mean of last 100" in names
    dots = fig.data[names.index(f"return ({EPISODE_DOTS} of 20,000 episodes)")]
    assert len(dots.x) == EPISODE_DOTS and dots.x[0] == 1 and dots.x[-1] == 20_000
    np.testing.assert_array_equal(dots.y, returns[np.asarray(dots.x, dtype=int) - 1])
    mean_trace = fig.data[names.index("mean of last 100")]
    assert mean_trace.y[-1] == moving_average(returns)[-1]
    assert mean_trace.x[-1] == 20_000  # the last episode is always drawn
    n = 5000
    x = np.arange(1, n + 1) * 16
    _check_bounded(updates_figure(x, rng.normal(size=n), rng.uniform(0.1, 10, n),
                                  rng.uniform(0, 0.7, n), markers=[Marker(10, "lr")]))
    _check_bounded(seeds_figure([rng.uniform(0, 500, 5000) for _ in range(10)]))


def test_empty_run_draws_without_error():
    _check_bounded(returns_figure([]))
    _check_bounded(updates_figure(np.array([]), np.array([]), np.array([]), np.array([])))
    _check_bounded(seeds_figure([]))


def test_animation_frames_follow_the_states():
    t = np.arange(501)
    states = np.stack([0.004 * t, np.zeros_like(t), 0.0003 * t, np.zeros_like(t)], axis=1)
    actions = np.ones(500, dtype=int)
    fig = episode_animation(states, actions)
    assert len(fig.frames) <= MAX_FRAMES + 1
    last = fig.frames[-1]
    assert last.name == "500"
    cart_x = np.asarray(last.data[0].x)
    assert abs(cart_x[:2].mean() - states[-1, 0]) < 1e-9
    pole_x = np.asarray(last.data[1].x)
    assert abs(pole_x[1] - pole_x[0] - np.sin(states[-1, 2])) < 1e-9
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    _check_bounded(fig)
    assert len(cart_figure(states[0]).data) == 2
