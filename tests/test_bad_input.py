"""Bad input across every registered page, found dynamically (no per-page knowledge).

Each page is run once to discover its widgets from the AppTest tree. Then, through the URL
(every control is bound to it, so the URL reaches every widget the way a shared link does):
every widget at its lower extreme, at its upper extreme, at hypothesis-drawn random values,
and every parameter malformed, oversized or hostile. Text fields and data-editor cells get
HTML/script. Each run must raise nothing, show nothing hostile as raw HTML, keep every valid
setting it was given, and put refused parameters back to their defaults.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from harness.apptest import app_test, assert_no_exception
from ui.registry import PAGES

HOSTILE = '<script>alert("pgs")</script><img src=x onerror=alert(1)>'
HOSTILE_MARKERS = ("<script", "onerror=")
MALFORMED = ["", "abc", "nan", "inf", "-inf", "1e999", "-1e999", "0x10", "1,5", "%00", "\x00",
             "true", "None", "[]", "{}", "9" * 400, "x" * 20_000, HOSTILE, "ü" * 50]
BINDABLE = ("slider", "select_slider", "number_input", "selectbox", "radio", "checkbox",
            "toggle", "text_input", "text_area", "multiselect", "button_group")
PAGE_TIMEOUT = 120


@dataclass
class Control:
    """One bindable widget of a page, as seen in the AppTest tree."""

    kind: str
    key: str
    options: list[str] = field(default_factory=list)
    low: float | None = None
    high: float | None = None
    integer: bool = False
    step: float | None = None
    max_chars: int = 0

    def extremes(self) -> tuple[Any, Any] | None:
        """URL values for the lower and upper extreme (None when there is no order)."""
        if self.kind in ("select_slider", "selectbox", "radio", "button_group"):
            return (self.options[0], self.options[-1]) if self.options else None
        if self.kind in ("slider", "number_input") and self.low is not None:
            return (_num(self.low, self.integer), _num(self.high, self.integer))
        if self.kind in ("checkbox", "toggle"):
            return ("false", "true")
        if self.kind in ("text_input", "text_area"):
            return ("", HOSTILE)
        if self.kind == "multiselect":
            return ([], list(self.options))
        return None


def _num(value: float | None, integer: bool) -> str:
    assert value is not None
    return str(int(value)) if integer else repr(float(value))


def _user_key(widget: Any) -> str | None:
    key = getattr(widget, "key", None)
    if key:
        return key
    widget_id = getattr(widget.proto, "id", "")
    return widget_id.split("-", 2)[-1] if widget_id.count("-") >= 2 else None


def discover(path: str) -> tuple[list[Control], list[tuple[str, list[str]]], Any]:
    """The page's bindable controls, its keyed data editors (key, columns), and the run."""
    at = app_test(path, timeout=PAGE_TIMEOUT)
    at.run()
    assert_no_exception(at)
    controls = []
    for kind in BINDABLE:
        for widget in at.get(kind):
            key = _user_key(widget)
            if not key:
                continue
            proto = widget.proto
            control = Control(kind, key, options=list(getattr(widget, "options", []) or []))
            if kind == "slider" and len(widget.value if isinstance(widget.value, tuple)
                                        else [widget.value]) == 1:
                control.low, control.high = proto.min, proto.max
                control.integer = isinstance(widget.value, int)
                control.step = proto.step
            elif kind == "slider":
                continue  # range sliders: not used by this app
            if kind == "number_input":
                control.low = proto.min if proto.has_min else -1e9
                control.high = proto.max if proto.has_max else 1e9
                control.integer = isinstance(widget.value, int)
            if kind == "button_group":
                control.options = [o.content for o in proto.options]
            if kind in ("text_input", "text_area"):
                control.max_chars = proto.max_chars
            controls.append(control)
    editors = []
    for frame in at.get("dataframe"):
        key = _user_key(frame)
        if key and getattr(frame.proto, "editing_mode", 0):
            editors.append((key, [str(c) for c in frame.value.columns]))
    return controls, editors, at


def run_with_url(path: str, params: dict[str, Any], state: dict[str, Any] | None = None):
    """A fresh session opened on the page with these URL parameters (and session state)."""
    at = app_test(path, timeout=PAGE_TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    return at


def assert_nothing_injected(at: Any) -> None:
    """No element that renders raw HTML carries hostile text."""
    for element in at.get("markdown") + at.get("caption") + at.get("latex"):
        if getattr(element.proto, "allow_html", False):
            assert not any(m in element.value for m in HOSTILE_MARKERS), element.value
    for element in at.get("html"):
        assert not any(m in element.value for m in HOSTILE_MARKERS), element.value


class Hidden:
    """Marker: the control is not drawn in this run (a conditional control)."""


def current_url_form(at: Any, control: Control) -> Any:
    """The control's value now, in the form its URL parameter takes (Hidden if not drawn)."""
    matches = [x for x in at.get(control.kind) if _user_key(x) == control.key]
    if not matches:
        return Hidden
    (w,) = matches
    if control.kind in ("radio", "selectbox"):
        return None if w.index is None else w.options[w.index]
    if control.kind == "select_slider":
        return str(w.format_func(w.value))
    if control.kind in ("checkbox", "toggle"):
        return "true" if w.value else "false"
    if control.kind in ("slider", "number_input"):
        return w.value
    if control.kind == "button_group":
        value = w.value
        return None if value is None else str(w.format_func(value))
    if control.kind == "multiselect":
        return list(w.values) if hasattr(w, "values") else w.value
    return w.value


def _taken(control: Control, asked: Any, now: Any) -> bool:
    if control.kind in ("slider", "number_input"):
        return math.isclose(float(asked), float(now), rel_tol=1e-9, abs_tol=1e-12)
    if control.kind == "multiselect":
        return list(asked) == list(now)
    return str(asked) == str(now)


PAGE_IDS = [p.url_path for p in PAGES]
_DISCOVERED: dict[str, tuple[list[Control], list[tuple[str, list[str]]], Any]] = {}


def discovered(path: str):
    if path not in _DISCOVERED:
        _DISCOVERED[path] = discover(path)
    return _DISCOVERED[path]


@pytest.mark.parametrize("entry", PAGES, ids=PAGE_IDS)
def test_every_control_is_bound_to_the_url(entry):
    """Each bindable control takes a valid non-default URL value: the link is the view.

    First one session with every control moved at once: a control that shows its URL value
    there reads it from the URL. Only the others (hidden or re-ranged by another control in
    that combination) get a session of their own, as every control did before."""
    controls, _editors, _at = discovered(entry.path)
    moves = []
    for control in controls:
        extremes = control.extremes()
        if extremes is None or control.kind in ("text_input", "text_area", "multiselect"):
            continue
        low, high = extremes
        now = current_url_form(_at, control)
        asked = high if not _taken(control, high, now) else low
        if _taken(control, asked, now):
            continue  # a single-option control: nothing to move
        moves.append((control, asked))
    together = run_with_url(entry.path, {control.key: asked for control, asked in moves})
    pending = moves if together.exception else [
        (control, asked) for control, asked in moves
        if not _shows(control, asked, current_url_form(together, control))]
    unbound = []
    for control, asked in pending:
        at = run_with_url(entry.path, {control.key: asked})
        assert_no_exception(at)
        if not _taken(control, asked, current_url_form(at, control)):
            unbound.append(control.key)
    assert not unbound, f"controls that ignore their URL parameter: {unbound}"


def _shows(control: Control, asked: Any, now: Any) -> bool:
    """Whether a control is drawn and shows ``asked``."""
    return now is not Hidden and _taken(control, asked, now)


@pytest.mark.parametrize("entry", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("end", [0, 1], ids=["all-low", "all-high"])
def test_all_controls_at_an_extreme(entry, end):
    controls, _editors, _at = discovered(entry.path)
    params = {}
    for control in controls:
        extremes = control.extremes()
        if extremes is not None:
            params[control.key] = extremes[end]
    started = time.monotonic()
    at = run_with_url(entry.path, params)
    assert_no_exception(at)
    assert_nothing_injected(at)
    assert time.monotonic() - started < PAGE_TIMEOUT


def _control_value(control: Control) -> st.SearchStrategy:
    """A valid URL value for the control, drawn uniformly-ish over its range or options."""
    if control.kind in ("select_slider", "selectbox", "radio", "button_group"):
        return st.sampled_from(control.options)
    if control.kind in ("checkbox", "toggle"):
        return st.sampled_from(["true", "false"])
    if control.kind in ("slider", "number_input") and control.low is not None:
        if control.integer:
            return st.integers(int(control.low), int(control.high)).map(str)
        if control.kind == "slider" and control.step:
            count = round((control.high - control.low) / control.step)
            return st.integers(0, max(count, 0)).map(
                lambda i: repr(round(control.low + i * control.step, 10)))
        return st.floats(control.low, control.high, allow_nan=False).map(repr)
    if control.kind in ("text_input", "text_area"):
        return st.sampled_from([HOSTILE, "", "x" * 2000, "é ü ∑ 😀", "'; DROP TABLE x;--"])
    if control.kind == "multiselect":
        return st.lists(st.sampled_from(control.options or [""]), unique=True)
    return st.nothing()


@pytest.mark.parametrize("entry", PAGES, ids=PAGE_IDS)
@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_and_malformed_url_values(entry, data):
    """Random valid values for some controls, garbage for others, unknown extra parameters:
    no exception, valid values kept, garbage back to the default, nothing injected."""
    controls, _editors, default_at = discovered(entry.path)
    params: dict[str, Any] = {}
    valid: dict[str, Any] = {}
    broken: list[Control] = []
    for control in controls:
        choice = data.draw(st.sampled_from(["skip", "valid", "malformed"]), label=control.key)
        if choice == "valid":
            value = data.draw(_control_value(control), label=f"{control.key} value")
            params[control.key] = value
            valid[control.key] = value
        elif choice == "malformed" and control.kind not in ("text_input", "text_area"):
            params[control.key] = data.draw(st.sampled_from(MALFORMED), label="bad")
            broken.append(control)
    if data.draw(st.booleans(), label="extra params"):
        params["zz_unknown"] = HOSTILE
        params[HOSTILE] = "1"
    at = run_with_url(entry.path, params)
    assert_no_exception(at)
    assert_nothing_injected(at)
    by_key = {c.key: c for c in controls}
    for key, asked in valid.items():
        control = by_key[key]
        now = current_url_form(at, control)
        if now is Hidden:
            continue  # another setting hid it (e.g. a family without this parameter)
        if control.kind in ("text_input", "text_area") and control.max_chars:
            asked = asked[: control.max_chars]
        # A drawn value equal to the default is also "kept".
        assert _taken(control, asked, now), (key, asked, now)
    for control in broken:
        raw = params[control.key]
        now = current_url_form(at, control)
        if now is Hidden:
            continue
        default = current_url_form(default_at, control)
        # Garbage that happens to spell a real value ("true" for a toggle) may be taken.
        assert _taken(control, default, now) or _taken(control, raw, now), (
            control.key, raw, now, default)


@pytest.mark.parametrize("entry", PAGES, ids=PAGE_IDS)
def test_hostile_text_in_every_text_field_and_table_cell(entry):
    controls, editors, _at = discovered(entry.path)
    params = {c.key: HOSTILE for c in controls if c.kind in ("text_input", "text_area")}
    state = {}
    for key, columns in editors:
        state[key] = {"edited_rows": {0: dict.fromkeys(columns, HOSTILE)},
                      "added_rows": [dict.fromkeys(columns, HOSTILE),
                                     dict.fromkeys(columns, "1e308")],
                      "deleted_rows": []}
    if not params and not state:
        pytest.skip("this page has no text field and no data editor")
    at = run_with_url(entry.path, params, state)
    assert_no_exception(at)
    assert_nothing_injected(at)


@pytest.mark.parametrize("entry", PAGES, ids=PAGE_IDS)
def test_oversized_and_repeated_parameters(entry):
    controls, _editors, _at = discovered(entry.path)
    params: dict[str, Any] = {c.key: ["1"] * 50 + ["x" * 5000] for c in controls}
    params.update({f"p{i}": "y" * 1000 for i in range(200)})
    at = run_with_url(entry.path, params)
    assert_no_exception(at)
    assert_nothing_injected(at)


def test_entry_script_notes_refused_parameters_without_echoing_them():
    """app.py: a malformed seed falls back to 0 with a visible note; the note names the
    parameter inertly (inline code, never HTML) and the page still renders."""
    at = app_test("app.py")
    at.query_params["seed"] = "<b>12</b>"
    at.query_params[HOSTILE] = "1"
    at.run()
    assert_no_exception(at)
    assert at.number_input(key="seed").value == 0
    notes = [i.value for i in at.info if "could not be used" in i.value]
    assert len(notes) == 1
    assert "`seed`" in notes[0]
    assert_nothing_injected(at)


def test_entry_script_accepts_present_1_and_valid_seed_silently():
    at = app_test("app.py")
    at.query_params["seed"] = "12"
    at.query_params["present"] = "1"
    at.run()
    assert_no_exception(at)
    assert at.number_input(key="seed").value == 12
    assert at.session_state["present"] is True
    assert not [i for i in at.info if "could not be used" in i.value]
    links = [c.value for c in at.code]
    assert any("seed=12" in link and "present=true" in link for link in links), links
