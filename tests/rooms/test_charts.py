"""The teacher's charts: colours by the compared setting, the 'not solved' row, log axis for the
learning rate, and nicknames escaped."""

from __future__ import annotations

from typing import Any

from core.charts.rooms import curves_figure, solve_figure, value_colour
from core.rooms.settings import DEFAULTS, SETTINGS
from core.rooms.store import RunRecord


def record(k: int, lr: float, to_475: int | None, nickname: str = "", finished: bool = True,
           **settings: Any) -> RunRecord:
    return RunRecord(k, k, nickname, "Round 1", {**DEFAULTS, "lr": lr, **settings}, 400,
                     480.0 if to_475 else 30.0, to_475, to_475, [(100, 20.0), (400, 480.0)],
                     finished, 0.0, 0.0)


RUNS = [record(1, 0.01, 300, "<script>alert(1)</script>"), record(2, 0.01, None),
        record(3, 0.1, 150), record(4, 1.0, None, finished=False)]


def test_curves_are_coloured_by_value_with_one_legend_entry_each() -> None:
    fig = curves_figure(RUNS, "lr")
    assert len(fig.data) == 4
    colours = {t.name: t.line.color for t in fig.data}
    assert len(set(colours.values())) == 3 and len(colours) == 3
    assert sum(bool(t.showlegend) for t in fig.data) == 3
    # the lowest value tried gets one end of the scale, the highest the other
    present = [0.01, 0.1, 1.0]
    assert colours["Learning rate = 0.01"] == value_colour(SETTINGS["lr"], 0.01, present)
    assert value_colour(SETTINGS["lr"], 0.01, present) == value_colour(SETTINGS["lr"], 1e-4)
    assert value_colour(SETTINGS["lr"], 1.0, present) == value_colour(SETTINGS["lr"], 1.0)


def test_solve_scatter_puts_unsolved_runs_on_their_own_row() -> None:
    fig = solve_figure(RUNS, "lr", 475)
    unsolved, solved = fig.data
    assert list(solved.y) == [300, 150]
    assert len(unsolved.x) == 2 and set(unsolved.y) == {0.0}
    assert list(unsolved.marker.symbol) == ["x", "circle-open"]  # finished / still training
    assert fig.layout.yaxis.ticktext == ("not solved",)
    assert fig.layout.xaxis2.type == "log" and fig.layout.xaxis.type == "log"
    # two runs at lr 0.01 are spread apart so neither hides the other
    assert solved.x[0] != unsolved.x[0]


def test_categorical_settings_get_labelled_positions() -> None:
    runs = [record(1, 0.02, 200, baseline="none"), record(2, 0.02, None, baseline="batch_mean")]
    fig = solve_figure(runs, "baseline", 475)
    assert fig.layout.xaxis2.ticktext == tuple(SETTINGS["baseline"].options)
    assert fig.layout.xaxis2.type != "log"


def test_nicknames_never_reach_a_figure_as_html() -> None:
    for fig in (curves_figure(RUNS, "lr"), solve_figure(RUNS, "lr")):
        text = fig.to_json()
        assert "<script" not in text and "&lt;script&gt;" in text


def test_empty_room_draws_without_error() -> None:
    assert len(curves_figure([], "lr").layout.annotations) >= 1
    assert len(solve_figure([], "seed").data) == 2
