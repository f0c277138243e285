"""Shareable links: the full URL of the current view, and a note when URL values were refused.

How Streamlit 1.67 treats a widget bound with ``bind="query-params"``: on the first run of a
page it reads the URL value with the widget's own parser; a value that does not parse, is out
of ``[min_value, max_value]`` or is not one of the options is removed from the URL and the
widget keeps its default, and so is a value equal to the default (the URL only ever holds
non-default values). It says nothing to the script. The raw URL values are still visible to
Python before the widgets are drawn (``st.query_params`` is filled from the browser's query
string at the start of each run), so :func:`snapshot` keeps a copy and, after the page has run,
:func:`refused_params` compares it with what the widgets made of it, through public API only:
``st.query_params`` (what Streamlit kept) and ``st.session_state`` (each bound widget's value,
under its key, which is also its URL name).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from ui.presenter import PRESENTER_KEY, presenter_mode

IGNORED_PARAMS = frozenset({"embed", "embed_options", "room", "teacher"})
"""Streamlit's own URL parameters, and the class page's room links (``room``: the code, also
the join field's; ``teacher``: the token, read and removed from the address bar by
ui/room_teacher), never reported."""
_NOTES_KEY = "_share_notes"
_SEEN_KEY = "_share_seen_page"
_MAX_NAME = 40
_MAX_NAMES = 8

RawParams = dict[str, list[str]]


def snapshot() -> RawParams:
    """The query parameters as the browser sent them, before any widget could drop one.

    Call at the top of the entry script, before the first bound widget.
    """
    return {key: list(st.query_params.get_all(key)) for key in st.query_params}


_KEPT_KEY = "_share_app_wide"


def restore_app_wide() -> None:
    """Put back the app-wide (sidebar) settings that a page change dropped.

    A click on a page in the navigation made right after a run finished is sometimes sent
    without the query string and without the sidebar's widget values (Streamlit 1.67; about
    one click in six when a headless browser clicks at once). The sidebar's bound widgets then
    fell back to their defaults: the seed or presenter mode was lost, and the new page's link
    no longer reproduced the view.

    Nothing else removes these values from the address within a session: a link opened or a
    reload is a new session, and a widget the learner sets to its default drops its value
    from the URL (and is remembered so). A value missing from the URL is therefore taken back
    from the last run, unless this run brings the widget a value of its own (the learner's
    change). Call before the first bound widget; :func:`remember_app_wide` after the last one.
    """
    for key, (text, value) in st.session_state.get(_KEPT_KEY, {}).items():
        if key in st.query_params:
            continue
        if key not in st.session_state or st.session_state[key] == value:
            st.query_params[key] = text
            st.session_state[key] = value


def remember_app_wide(keys: Sequence[str]) -> None:
    """Keep the URL text and the value of each of ``keys`` as this run's widgets left them."""
    st.session_state[_KEPT_KEY] = {key: (st.query_params[key], st.session_state.get(key))
                                   for key in keys if key in st.query_params}


def _number(text: str) -> float | None:
    """``text`` read as a number (thousands separators allowed), or None."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def denotes(raw: list[str], value: Any) -> bool:
    """Whether the URL values ``raw`` spell the widget value ``value``: the same number (``1e-3``
    and ``0.001``, ``10,000`` and ``10000``), the same truth value (``true``/``True``/``1``
    against a toggle), the same text, or element by element for a list."""
    if isinstance(value, (list, tuple)):
        return len(raw) == len(value) and all(denotes([r], v)
                                              for r, v in zip(raw, value, strict=True))
    if len(raw) != 1:
        return False
    text = raw[0].strip()
    if isinstance(value, bool):
        return text.lower() in (("true", "1") if value else ("false", "0"))
    if isinstance(value, (int, float)):
        number = _number(text)
        return number is not None and (number == value
                                       or (math.isnan(number) and math.isnan(value)))
    return value is not None and text == str(value)


def refused_params(raw: RawParams, aliases: Mapping[str, frozenset[str]] | None = None
                   ) -> list[str]:
    """Names of URL parameters this run did not take as given: malformed, out of range, not
    an option, or not used by this page. ``aliases`` maps a parameter to extra spellings the
    app itself accepts (e.g. ``present=1``). Call after the page has run.

    A parameter is taken when it names a control of this run (a key in session state) and
    Streamlit kept it in the URL as given, or it spells the value the control now shows (a
    default, which Streamlit removes from the URL, or a number it rewrote). A control that shows
    a label for each option (``format_func``) is compared by its value, so a hand-written link
    naming that control's default by its label is reported although the control shows it;
    links the app writes never hold a default.
    """
    aliases = aliases or {}
    refused = []
    for key, values in raw.items():
        if key.lower() in IGNORED_PARAMS:
            continue
        if len(values) == 1 and values[0].strip().lower() in aliases.get(key, ()):
            continue
        if key not in st.session_state:
            refused.append(key)  # no control of this page (or the sidebar) reads it
            continue
        if st.query_params.get_all(key) == values or denotes(values, st.session_state[key]):
            continue
        refused.append(key)
    return refused


def _is_seeding_run(page_id: str) -> bool:
    """True on the runs where Streamlit seeds widgets from the URL: the first run of a page in
    this session (first load, reload, navigation, a page reached by back/forward)."""
    first = st.session_state.get(_SEEN_KEY) != page_id
    st.session_state[_SEEN_KEY] = page_id
    return first


def _safe_name(name: str) -> str:
    """A URL parameter name made inert for display inside inline code."""
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in "`\\")
    if len(cleaned) > _MAX_NAME:
        cleaned = cleaned[:_MAX_NAME] + "…"
    return cleaned or "?"


def fallback_note(names: list[str]) -> str | None:
    """The message shown for refused parameters (None when there are none)."""
    if not names:
        return None
    shown = ", ".join(f"`{_safe_name(n)}`" for n in names[:_MAX_NAMES])
    more = f" and {len(names) - _MAX_NAMES} more" if len(names) > _MAX_NAMES else ""
    return ("Some settings in this link could not be used (malformed, out of range, or not "
            f"a control of this page): {shown}{more}. Those controls show their defaults.")


def current_url() -> str:
    """The full URL of this view: page address plus every non-default control value."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    if presenter_mode():
        params[PRESENTER_KEY] = ["true"]
    base = st.context.url or ""
    if base and not urlsplit(base).path:
        base += "/"
    query = urlencode(params, doseq=True)
    return f"{base}?{query}" if query else base


def after_run(raw: RawParams, page_id: str, link_slot: Any, note_slot: Any,
              aliases: Mapping[str, frozenset[str]] | None = None) -> None:
    """Fill the sidebar link and, on seeding runs, the note about refused parameters.

    ``link_slot`` and ``note_slot`` are ``st.empty()`` placeholders created before the page ran,
    so both appear in place although they are computed last.
    """
    if _is_seeding_run(page_id):
        st.session_state[_NOTES_KEY] = fallback_note(refused_params(raw, aliases))
    note = st.session_state.get(_NOTES_KEY)
    if note:
        note_slot.info(note, icon=":material/link_off:")
    with link_slot.container():
        st.caption("Link to this view (same settings, same seed, same numbers):")
        st.code(current_url(), language=None, wrap_lines=True)
