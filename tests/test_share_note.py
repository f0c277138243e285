"""The note about link settings the app could not use (ui/share.py), on the entry script's
own controls: a value Streamlit took, or one equal to the default (which Streamlit drops from
the address), gives no note; a malformed, out-of-range or unknown one is named."""

from __future__ import annotations

import math

import pytest

from harness.apptest import app_test, assert_no_exception
from ui.share import denotes

NOTE = "could not be used"

CASES = [
    ({"seed": "12"}, []),
    ({"seed": "0"}, []),  # the default: Streamlit drops it from the URL, the input shows it
    ({"seed": "-5"}, ["seed"]),  # below the input's minimum
    ({"seed": "twelve"}, ["seed"]),
    ({"img": "SVG"}, []),
    ({"img": "PNG"}, []),  # the default
    ({"img": "GIF"}, ["img"]),  # not an option
    ({"present": "true"}, []),
    ({"present": "1"}, []),  # the app's own alias (ui/presenter.py)
    ({"present": "maybe"}, ["present"]),
    ({"zzz": "1"}, ["zzz"]),  # no control reads it
    ({"room": "ABCD"}, []),  # the class page's room link, never reported
    ({"seed": "7", "img": "GIF", "zzz": "1"}, ["img", "zzz"]),
]


@pytest.mark.parametrize(("params", "refused"), CASES,
                         ids=["&".join(f"{k}={v}" for k, v in p.items()) for p, _ in CASES])
def test_the_note_names_exactly_the_refused_settings(params, refused):
    at = app_test("app.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert_no_exception(at)
    notes = [i.value for i in at.info if NOTE in i.value]
    if not refused:
        assert notes == []
        return
    assert len(notes) == 1
    named = notes[0].split("`")[1::2]  # each name is shown as inline code
    assert named == refused


@pytest.mark.parametrize(("raw", "value", "expected"), [
    (["10,000"], 10_000, True),
    (["10000"], 10_000, True),
    (["1e-3"], 0.001, True),
    (["0.001"], 0.001, True),
    (["0.0011"], 0.001, False),
    (["nan"], math.nan, True),
    (["nan"], 0.0, False),
    (["true"], True, True),
    (["True"], True, True),
    (["1"], True, True),
    (["false"], True, False),
    (["0"], False, True),
    (["SVG"], "SVG", True),
    (["svg"], "SVG", False),
    (["a", "b"], ["a", "b"], True),
    (["a"], ["a", "b"], False),
    (["b", "a"], ["a", "b"], False),
    (["1", "2"], 1, False),
    (["x"], None, False),
    (["twelve"], 12, False),
])
def test_denotes_reads_url_text_as_the_widget_would(raw, value, expected):
    assert denotes(raw, value) is expected
