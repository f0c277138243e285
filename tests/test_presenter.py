"""ui.presenter: predict-then-reveal gating and the ?present=1 alias, through AppTest."""

from __future__ import annotations

import math

import pandas as pd
from streamlit.testing.v1 import AppTest

from harness.apptest import app_test, assert_no_exception
from ui.presenter import ROW_PX, readable, table_height

SCRIPT = """
import plotly.graph_objects as go
import streamlit as st
from ui.common import show_chart
from ui.presenter import predict_then_reveal

fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
if predict_then_reveal("Which way will the curve bend?", key="demo_q"):
    show_chart(fig, key="demo_chart")
show_chart(fig, key="other_chart", reveal="And this one?")
"""


def _run(present: bool) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.session_state["present"] = present
    at.run()
    assert_no_exception(at)
    return at


def _charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def test_outside_presenter_mode_charts_show_at_once():
    at = _run(False)
    assert _charts(at) == 2
    assert not at.button


def test_presenter_mode_asks_first_then_reveals_each_chart():
    at = _run(True)
    assert _charts(at) == 0
    text = " ".join(m.value for m in at.markdown)
    assert "Which way will the curve bend?" in text and "And this one?" in text
    at.button(key="reveal_demo_q_show").click().run()
    assert_no_exception(at)
    assert _charts(at) == 1
    at.button(key="reveal_other_chart_show").click().run()
    assert _charts(at) == 2
    at.button(key="reveal_demo_q_hide").click().run()  # "Ask again" for the next class
    assert _charts(at) == 1


def test_present_alias_spellings():
    for raw, expected in (("1", True), ("YES", True), ("on", True), ("true", True),
                          ("0", False), ("nonsense", False)):
        at = app_test("app.py")
        at.query_params["present"] = raw
        at.run()
        assert_no_exception(at)
        assert bool(at.session_state["present"]) is expected, raw
        # On, the address holds the spelling the toggle reads back (a reload keeps it); off
        # is the default, which Streamlit leaves out of the address.
        assert at.query_params.get("present") == ("true" if expected else None), raw


EDITOR_SCRIPT = """
import pandas as pd
from ui.presenter import class_editor

class_editor(pd.DataFrame({"logit θ": [1.0, 0.0], "reward r": [1.0, 3.0]}), key="demo_editor",
             hide_index=True)
"""


def test_an_editor_is_copied_large_for_the_class_in_presenter_mode_only():
    """The editor's canvas cannot be enlarged: presenter mode repeats its values as a table
    (st.table, enlarged by the presenter CSS); outside presenter mode, only the editor."""
    for present, tables in ((False, 0), (True, 1)):
        at = AppTest.from_string(EDITOR_SCRIPT, default_timeout=30)
        at.session_state["present"] = present
        at.run()
        assert_no_exception(at)
        assert len(at.dataframe) == 1                 # the editor itself
        assert len(at.table) == tables
    shown = at.table[0].value
    assert list(shown.columns) == ["logit θ", "reward r"]
    assert shown["reward r"].tolist() == [1.0, 3.0]


def test_presenter_tables_show_numbers_as_a_class_reads_them():
    """st.table prints every float with four decimals (1.0000, 0.2500): the presenter's copy
    keeps four decimals but drops trailing zeros, shows round-off as 0, leaves other columns as
    they are and the data itself alone."""
    data = pd.DataFrame({"p": [1.0, 1e-4, 0.25, 1 / 3, -1.4e-17, 12345.5, -0.62853, math.nan],
                         "n": [1, 2, 3, 4, 5, 6, 7, 8],
                         "name": ["a", "b", "c", "d", "e", "f", "g", "h"]})
    styled = readable(data)
    cells = [line.split() for line in styled.hide(axis="index").to_string().splitlines()[1:]]
    assert [row[0] for row in cells[:7]] == ["1", "0.0001", "0.25", "0.3333", "0", "12345.5",
                                              "-0.6285"]
    assert cells[7][:2] == ["8", "h"]  # NaN shown as an empty cell
    assert [row[-2:] for row in cells[:3]] == [["1", "a"], ["2", "b"], ["3", "c"]]
    assert styled.data is data
    whole = data[["n", "name"]]
    assert readable(whole) is whole
    assert readable([1.0, 2.0]) == [1.0, 2.0]
    rows = readable([{"p": 0.5, "n": 1}, {"p": 2.0, "n": 2}]).hide(axis="index").to_string()
    assert rows.split() == ["p", "n", "0.5", "1", "2", "2"]


def test_table_height_fits_the_header_and_the_rows_in_view():
    assert ROW_PX == 35  # one st.dataframe row (and its header)
    assert table_height(0) == 38  # the header alone
    assert table_height(3) == 4 * ROW_PX + 3
    assert table_height(40) == 41 * ROW_PX + 3  # no cap: every row in view
    assert table_height(6, max_rows=6) == table_height(6)
    assert table_height(7, max_rows=6) == table_height(6)  # the rest scrolls
