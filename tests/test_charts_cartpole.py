"""core.charts.cartpole: moving average, bounded traces and payloads, the animation."""

import numpy as np
import plotly.io as pio

from core.charts.cartpole import (
    EPISODE_DOTS,
    MARKER_GAP,
    MAX_FRAMES,
    SLIDER_LABELS,
    Marker,
    cart_figure,
    decade_label,
    episode_animation,
    marker_legend,
    moving_average,
    returns_figure,
    seeds_figure,
    slider_spacing,
    updates_figure,
)
from core.charts.theme import MARGIN_LABEL_PX, for_projector
from core.reinforce.rollout import SOLVED_RETURN
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
    assert len(fig.frames) <= MAX_FRAMES
    last = fig.frames[-1]
    assert last.name == "500"
    cart_x = np.asarray(last.data[0].x)
    assert abs(cart_x[:2].mean() - states[-1, 0]) < 1e-9
    pole_x = np.asarray(last.data[1].x)
    assert abs(pole_x[1] - pole_x[0] - np.sin(states[-1, 2])) < 1e-9
    frames = {frame.name for frame in fig.frames}
    assert all(step.args[0][0] in frames for step in fig.layout.sliders[0].steps)
    _check_bounded(fig)
    assert len(cart_figure(states[0]).data) == 2


def test_animation_slider_labels_are_round_and_few():
    """At most MAX_FRAMES frames for the longest episode; the slider's labels every 50 steps
    (11 of them for 500 steps, not one per frame), the step shown once (in the title, not
    again as the slider's current value), and the controls under the plot."""
    for n in (1, 2, 23, 137, 501, 2001):
        states = np.zeros((n, 4))
        fig = episode_animation(states, np.ones(n - 1, dtype=int))
        assert len(fig.frames) <= MAX_FRAMES
        slider = fig.layout.sliders[0]
        labels = [int(step.label.replace(",", "")) for step in slider.steps]
        assert len(labels) <= SLIDER_LABELS + 2
        spacing = slider_spacing(n - 1)
        assert all(t % spacing == 0 for t in labels[:-1]) and labels[-1] == n - 1
        assert slider.currentvalue.visible is False
        assert slider.y <= 0 and fig.layout.updatemenus[0].y <= 0  # under the track
    assert labels[:3] == [0, 250, 500]
    fig = episode_animation(np.zeros((501, 4)), np.ones(500, dtype=int))
    assert [s.label for s in fig.layout.sliders[0].steps][:3] == ["0", "50", "100"]
    texts = [t.text[0] for t in fig.frames[3].data if t.mode == "text"]
    assert texts == ["step 6: push →"]
    assert fig.layout.title.text == "One episode under the policy: 500 steps"  # shown once


def test_close_changes_share_one_numbered_tag():
    """Changes closer than MARKER_GAP of the axis share a tag ("2–4"): no two tags overlap,
    every change keeps its dotted line, and the caption explains each number."""
    markers = [Marker(100, "lr 0.01→0.1"), Marker(900, "lr 0.1→0.01"),
               Marker(905, "γ 0.99→0.9"), Marker(910, "sign minus→plus"), Marker(1800, "lr")]
    fig = returns_figure(np.ones(2000), markers=markers)
    tags = [a for a in fig.layout.annotations if a.yref == "paper"]
    assert [a.text for a in tags] == ["1", "2–4", "5"]
    xs = sorted(a.x for a in tags)
    assert min(np.diff(xs)) >= MARKER_GAP * 2000
    assert sum(1 for s in fig.layout.shapes if s.line.dash == "dot") == len(markers)
    assert all(a.textangle in (None, 0) for a in fig.layout.annotations)
    legend = marker_legend(markers)
    assert "**2** (episode 900): lr 0.1→0.01" in legend and legend.count("**") == 10


def test_gradient_norm_axis_is_labelled_at_decades():
    """The log panel's ticks sit at powers of ten, labelled with their value (no bare "2"
    or "5" between decades), spanning the data."""
    x = np.arange(1, 51) * 16.0
    fig = updates_figure(x, np.zeros(50), np.geomspace(0.03, 40, 50), np.full(50, 0.5))
    axis = fig.layout.yaxis2
    assert axis.type == "log" and list(axis.ticktext) == ["0.01", "0.1", "1", "10", "100"]
    assert list(axis.tickvals) == [0.01, 0.1, 1, 10, 100]
    assert axis.range[0] <= np.log10(0.03) and axis.range[1] >= np.log10(40)
    assert decade_label(-5) == "10⁻⁵" and decade_label(4) == "10⁴"


def test_kept_runs_are_named_in_the_legend_after_reset():
    fig = returns_figure([], overlays=[("#1: first run", np.full(300, 200.0))])
    assert fig.layout.showlegend is True
    assert [t.name for t in fig.data] == ["#1: first run"]


def test_the_solved_label_sits_in_the_margin_where_no_curve_reaches():
    """The solved line's label is beside the plot, in a right margin kept for it (normal and
    presenter mode): inside the plot the returns and the moving average ran through it."""
    for fig in (returns_figure(np.full(600, 490.0)), for_projector(returns_figure([]))):
        (label,) = [a for a in fig.layout.annotations if "solved" in a.text]
        assert (label.xref, label.x, label.xanchor) == ("paper", 1, "left")
        assert label.text == f"solved<br>{SOLVED_RETURN:g}" and label.y == SOLVED_RETURN
        assert label.xshift > 0 and fig.layout.margin.r >= MARGIN_LABEL_PX
