"""core.charts.export: a figure's traces as CSV, and show_chart's CSV button."""

from __future__ import annotations

import csv
import io

import numpy as np
import plotly.graph_objects as go
from hypothesis import given, settings
from hypothesis import strategies as st

from core.charts.export import figure_to_csv, rows_to_csv
from core.charts.theme import new_figure


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_scatter_and_bar_rows_round_trip():
    fig = new_figure("t")
    fig.add_scatter(x=[1, 2, 3], y=[0.5, -1.25, 1e-9], name="mean",
                    error_y={"type": "data", "array": [0.1, 0.2, 0.3]})
    fig.add_bar(x=["a", "b"], y=[3, 4])
    rows = _read(figure_to_csv(fig))
    assert [r["trace"] for r in rows] == ["mean"] * 3 + ["trace 1"] * 2
    assert [r["type"] for r in rows] == ["scatter"] * 3 + ["bar"] * 2
    assert [float(r["y"]) for r in rows[:3]] == [0.5, -1.25, 1e-9]
    assert [float(r["error_y"]) for r in rows[:3]] == [0.1, 0.2, 0.3]
    assert rows[3]["x"] == "a" and rows[4]["y"] == "4" and rows[4]["error_y"] == ""


def test_heatmap_gives_one_row_per_cell():
    z = np.arange(6.0).reshape(2, 3)
    fig = go.Figure(go.Heatmap(z=z, x=[10, 20, 30], y=["lo", "hi"], name="h"))
    rows = _read(figure_to_csv(fig))
    assert len(rows) == 6
    assert (rows[5]["x"], rows[5]["y"], float(rows[5]["z"])) == ("30", "hi", 5.0)


def test_nan_is_empty_and_formulas_are_inert():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[np.nan, 2.0], name="=HYPERLINK(\"x\")"))
    rows = _read(figure_to_csv(fig))
    assert rows[0]["y"] == ""
    assert all(r["trace"].startswith("'=") for r in rows)
    assert _read(rows_to_csv(["a"], [{"a": "-3.5"}, {"a": "-cmd"}])) == [{"a": "-3.5"},
                                                                         {"a": "'-cmd"}]


def test_empty_figure_is_header_only():
    assert figure_to_csv(go.Figure()).strip() == "trace,type,point"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1,
                max_size=50))
def test_float_values_survive_exactly(values):
    fig = go.Figure(go.Scatter(x=list(range(len(values))), y=values))
    rows = _read(figure_to_csv(fig))
    assert [float(r["y"]) for r in rows] == values
    assert [int(r["point"]) for r in rows] == list(range(len(values)))


def test_show_chart_adds_csv_button_only_with_a_key(tmp_path):
    from streamlit.testing.v1 import AppTest

    from harness.apptest import assert_no_exception

    script = (
        "import plotly.graph_objects as go\n"
        "from ui.common import show_chart\n"
        "fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))\n"
        "show_chart(fig, key='demo')\n"
        "show_chart(fig)\n"
        "show_chart(fig, key='no_csv', csv=False)\n"
    )
    at = AppTest.from_string(script, default_timeout=30)
    at.run()
    assert_no_exception(at)
    buttons = at.get("download_button")
    assert len(buttons) == 1
    assert buttons[0].proto.label == "Data (CSV)"
