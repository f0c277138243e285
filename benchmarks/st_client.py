"""A Streamlit client without a browser: Streamlit 1.67's own websocket protocol, as its frontend
speaks it, for benchmarks/classroom.py (and its validation test).

What the frontend does, read from the installed Streamlit (the server in
``streamlit/web/server/starlette/starlette_websocket.py`` and ``runtime/app_session.py``, the
frontend's ``static/static/js/index.*.js``), and what this client does the same way:

* Loading a page: GET the page's HTML, then the assets a browser fetches (optional), GET
  ``/_stcore/health`` and ``/_stcore/host-config``, then open ``/_stcore/stream`` with the
  subprotocols ``["streamlit", <XSRF cookie or PLACEHOLDER_AUTH_TOKEN>]`` and send a
  ``BackMsg.rerun_script`` (``ClientState``: the URL's query string, ``page_name`` = the URL's
  path, no page hash, no widget states, the browser context).
* Widget states: every widget element a run delivers registers its value (the proto's current
  value when ``set_value``, else its default), exactly as the frontend's widget manager does;
  widgets a finished run no longer drew are dropped. A user change sends a ``rerun_script``
  with all widget states, the current page hash and query string; a button sends a one-off
  ``trigger_value``. A widget bound to the URL (``query_param_key``) writes its value into the
  query string first (or removes it when it equals the default), as the frontend does.
* Pages: a navigation sends the main script's widgets only, the target page's hash, and the
  query string filtered to the URL-bound widget keys (``filterParamsForPageChange``). The
  current page's hash, sent with every later rerun, is the one the ``navigation`` message
  names (``handleNavigation``): a page opened by its URL path (``/class_room``) is first
  requested by name, with no hash.
* Fragments: ``ForwardMsg.auto_rerun`` starts a timer per fragment that sends
  ``rerun_script(fragment_id, is_auto_rerun=True)`` every ``interval`` seconds, whether or not
  the previous run finished (the frontend's ``setInterval``); a full run's ``new_session`` and
  ``stop_auto_rerun`` clear them.
* Message cache: cacheable ForwardMsgs are kept by hash, their hashes are sent with every
  rerun request, ``ref_hash`` messages are resolved from the cache, entries expire after
  ``max_cached_message_age`` runs (the frontend's ForwardMessageCache).
* ``page_info_changed`` replaces the query string.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_FINISHED = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
CONTEXT = ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US", is_embedded=False,
                      color_scheme="light")
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
"""What Chromium sends: a proxy that compresses answers in kind."""
ASSET_CONNECTIONS = 6
"""Parallel connections per host, as browsers open for HTTP/1.1."""


def widget_value(element: Element) -> tuple[str, Any] | None:
    """(WidgetState field, value) a frontend registers for a widget element it draws: the
    proto's current value when ``set_value``, else its default; None for a non-widget or a
    widget without a value (a button, an empty select)."""
    kind = element.WhichOneof("type")
    if kind == "slider":
        proto = element.slider
        if proto.type == Slider.SELECT_SLIDER:
            if proto.set_value and len(proto.raw_value) > 0:
                return "string_array_value", list(proto.raw_value)
            return "string_array_value", [proto.options[int(i)] for i in proto.default]
        return "double_array_value", list(proto.value if proto.set_value else proto.default)
    if kind == "checkbox":
        proto_c = element.checkbox
        return "bool_value", proto_c.value if proto_c.set_value else proto_c.default
    if kind == "number_input":
        proto_n = element.number_input
        integer = proto_n.data_type == NumberInput.INT
        name = "int_value" if integer else "double_value"
        if proto_n.set_value and proto_n.HasField("value"):
            return name, int(proto_n.value) if integer else proto_n.value
        if proto_n.HasField("default"):
            return name, int(proto_n.default) if integer else proto_n.default
        return None
    if kind in ("radio", "selectbox"):
        proto_r = getattr(element, kind)
        if proto_r.set_value:
            return ("string_value", proto_r.raw_value) if proto_r.HasField("raw_value") else None
        if proto_r.HasField("default") and proto_r.default < len(proto_r.options):
            return "string_value", proto_r.options[proto_r.default]
        return None
    if kind in ("text_input", "text_area"):
        proto_t = getattr(element, kind)
        if proto_t.set_value and proto_t.HasField("value"):
            return "string_value", proto_t.value
        return ("string_value", proto_t.default) if proto_t.HasField("default") else None
    return None


def url_value(field_name: str, value: Any) -> list[str]:
    """A widget value as URL parameter values (the frontend's convertToUrlValue)."""
    if field_name in ("string_array_value", "double_array_value"):
        return [_js_number(v) if isinstance(v, float) else str(v) for v in value if v != ""]
    if field_name == "bool_value":
        return ["true" if value else "false"]
    if field_name == "double_value":
        return [_js_number(value)]
    return [str(value)]


def _js_number(value: float) -> str:
    """String(x) of a JavaScript number (integers without '.0')."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_query(query: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(query, keep_blank_values=True)


def format_query(params: dict[str, list[str]]) -> str:
    """The query-string library's stringify as the frontend calls it: keys sorted, repeated keys
    for arrays, strict percent-encoding, spaces as '+'."""
    parts = []
    for key in sorted(params):
        for value in params[key]:
            parts.append(f"{urllib.parse.quote(key, safe='')}="
                         f"{urllib.parse.quote(value, safe='')}")
    return "&".join(parts).replace("%20", "+")


@dataclass
class Widget:
    """One widget the client knows, with the value its frontend would hold."""

    id: str
    kind: str
    label: str
    field: str | None
    """The WidgetState value field; None for a choice with nothing chosen (``index=None``),
    which the frontend registers by id alone."""
    value: Any
    default_url: list[str]
    query_param_key: str
    options: list[str]
    script_hash: str
    fragment_id: str
    run_id: str


@dataclass
class Run:
    """One script run seen by the client (full or fragment)."""

    run_id: str
    fragment_ids: tuple[str, ...]
    started: float
    elements: list[tuple[tuple[int, ...], Element]] = field(default_factory=list)
    finished: float | None = None
    status: int | None = None


@dataclass
class CachedMessage:
    raw: bytes
    run_count: int
    fragment_id: str


class StreamlitClient:
    """One browser tab's worth of Streamlit protocol over one websocket."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession, *,
                 assets: Iterable[str] = (), eager_assets: Iterable[str] = (),
                 on_run_finished: Callable[[Run], None] | None = None,
                 on_element: Callable[[Run, Element], None] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.assets = list(assets)
        self.eager_assets = list(eager_assets)
        self.on_run_finished = on_run_finished
        self.on_element = on_element
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.query = ""
        self.page_hash = ""
        self.main_script_hash = ""
        self.pages: dict[str, str] = {}
        """url_pathname -> page_script_hash, from the navigation message."""
        self.widgets: dict[str, Widget] = {}
        self.bound_keys: set[str] = set()
        self.cache: dict[str, CachedMessage] = {}
        self.cache_runs = 0
        self.max_cache_age = 2
        self.run: Run | None = None
        self.full_runs = 0
        """Full (not fragment) runs started so far."""
        self.full_done = 0
        """The number (1-based) of the last full run that finished successfully."""
        self.runs_done: list[Run] = []
        self.full_unfinished = 0
        """Full runs that ended without a script_finished message (a later run started)."""
        self.timers: dict[str, tuple[float, asyncio.Task[None]]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()
        self.closed = False
        self.errors: list[str] = []
        self.exceptions: list[str] = []
        self.bytes_received = 0
        self.asset_bytes = 0
        self.sent: list[BackMsg] = []
        self.keep_runs = False

    # ------------------------------------------------------------------ connection
    async def open(self, path: str = "/") -> float:
        """Load a page as a browser does; returns seconds until its first run finished."""
        t0 = time.perf_counter()
        parsed = urllib.parse.urlsplit(path)
        async with self.http.get(self.base_url + path, headers=_html_headers()) as response:
            response.raise_for_status()
            await response.read()
        await self._fetch(self.eager_assets)
        await asyncio.gather(self._get("/_stcore/health"), self._get("/_stcore/host-config"))
        xsrf = next((c.value for c in self.http.cookie_jar if c.key == "_streamlit_xsrf"), None)
        self.ws = await self.http.ws_connect(
            self.base_url + "/_stcore/stream",
            protocols=("streamlit", xsrf or "PLACEHOLDER_AUTH_TOKEN"),
            origin=self.base_url, max_msg_size=0, autoping=True, compress=0)
        self.reader = asyncio.create_task(self._read())
        self.query = parsed.query
        lazy = asyncio.create_task(self._fetch(self.assets))
        done = self.full_runs
        await self._send_rerun(widgets=[], page_name=parsed.path.strip("/"), page_hash="")
        await self.wait_full_run(done)
        await lazy
        return time.perf_counter() - t0

    async def close(self) -> None:
        self.closed = True
        for _interval, task in self.timers.values():
            task.cancel()
        self.timers.clear()
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)

    async def _get(self, path: str) -> None:
        async with self.http.get(self.base_url + path) as response:
            await response.read()

    async def _fetch(self, paths: list[str]) -> None:
        if not paths:
            return
        gate = asyncio.Semaphore(ASSET_CONNECTIONS)

        async def one(path: str) -> None:
            async with gate, self.http.get(self.base_url + path,
                                           headers={"Accept-Encoding": ACCEPT_ENCODING}
                                           ) as response:
                async for chunk in response.content.iter_any():
                    self.asset_bytes += len(chunk)

        await asyncio.gather(*(one(p) for p in paths))

    # ------------------------------------------------------------------ sending
    async def _send(self, msg: BackMsg) -> None:
        if self.ws is None or self.ws.closed:
            raise ConnectionError("websocket closed")
        if self.keep_runs:
            self.sent.append(msg)
        await self.ws.send_bytes(msg.SerializeToString())

    async def _send_rerun(self, *, widgets: Iterable[WidgetState], page_hash: str | None = None,
                          page_name: str = "", fragment_id: str = "",
                          auto: bool = False) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.widget_states.widgets.extend(widgets)
        state.page_script_hash = self.page_hash if page_hash is None else page_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.cached_message_hashes.extend(self.cache)
        state.context_info.CopyFrom(CONTEXT)
        state.context_info.url = self.base_url + "/"
        await self._send(msg)

    def widget_states(self, only: Callable[[Widget], bool] = lambda w: True
                      ) -> list[WidgetState]:
        states = []
        for widget in self.widgets.values():
            if not only(widget):
                continue
            state = WidgetState(id=widget.id)
            if widget.field is None:
                pass
            elif widget.field == "string_array_value":
                state.string_array_value.data.extend(widget.value)
            elif widget.field == "double_array_value":
                state.double_array_value.data.extend(widget.value)
            else:
                setattr(state, widget.field, widget.value)
            states.append(state)
        return states

    # ------------------------------------------------------------------ user actions
    def find(self, label: str) -> Widget:
        """The widget whose key (the end of its id) or label is ``label``."""
        for widget in self.widgets.values():
            if widget.label == label or widget.id.endswith(f"-{label}"):
                return widget
        raise KeyError(f"no widget {label!r} on the page; have "
                       f"{sorted(w.label for w in self.widgets.values())}")

    async def set_widget(self, label: str, value: Any) -> float | None:
        """Change a widget as a user would; seconds until the rerun finished, or None if the
        value was already that (a browser sends nothing then)."""
        widget = self.find(label)
        if widget.field == "string_array_value" and not isinstance(value, list):
            value = [str(value)]
        if widget.value == value:
            return None
        widget.value = value
        if widget.query_param_key:
            params = parse_query(self.query)
            url = url_value(widget.field or "", value)
            if not url or url == widget.default_url:
                params.pop(widget.query_param_key, None)
            else:
                params[widget.query_param_key] = url
            self.query = format_query(params)
        return await self._rerun_and_wait(self.widget_states(), widget.fragment_id)

    async def click(self, label: str) -> float:
        """Press a button; seconds until the rerun finished."""
        button = self._buttons.get(label)
        if button is None:
            raise KeyError(f"no button {label!r}; have {sorted(self._buttons)}")
        trigger = WidgetState(id=button[0], trigger_value=True)
        return await self._rerun_and_wait([*self.widget_states(), trigger], button[1])

    async def navigate(self, url_pathname: str) -> float:
        """Follow a link to another page of the app; seconds until its run finished."""
        target = self.pages[url_pathname]
        for _interval, task in self.timers.values():
            task.cancel()
        self.timers.clear()
        params = parse_query(self.query)
        self.query = format_query({k: v for k, v in params.items() if k in self.bound_keys})
        t0 = time.perf_counter()
        done = self.full_runs
        await self._send_rerun(widgets=self.widget_states(
            lambda w: w.script_hash == self.main_script_hash), page_hash=target)
        await self.wait_full_run(done)
        return time.perf_counter() - t0

    async def _rerun_and_wait(self, states: list[WidgetState], fragment_id: str) -> float:
        t0 = time.perf_counter()
        done = self.full_runs
        await self._send_rerun(widgets=states, fragment_id=fragment_id)
        await self.wait_full_run(done)
        return time.perf_counter() - t0

    async def wait_full_run(self, started_before: int, timeout: float = 300.0) -> None:
        """Wait until a full run that started after ``started_before`` runs had started has
        finished successfully."""
        deadline = time.perf_counter() + timeout
        while True:
            if self.full_done > started_before:
                return
            if self.closed or (self.ws is not None and self.ws.closed):
                raise ConnectionError("websocket closed while waiting for a run")
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no finished run within {timeout:.0f} s")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                continue

    # ------------------------------------------------------------------ receiving
    _last_full_run: Run | None = None
    _buttons: dict[str, tuple[str, str]]

    async def _read(self) -> None:
        assert self.ws is not None
        self._buttons = {}
        try:
            async for message in self.ws:
                if message.type != aiohttp.WSMsgType.BINARY:
                    if message.type == aiohttp.WSMsgType.ERROR:
                        self.errors.append(f"websocket error: {message.data}")
                    continue
                self.bytes_received += len(message.data)
                msg = ForwardMsg()
                msg.ParseFromString(message.data)
                self._handle(msg, message.data)
        except Exception as error:  # a dropped connection is recorded, never raised here
            if not self.closed:
                self.errors.append(f"reader: {error!r}")
        finally:
            self.changed.set()

    def _handle(self, msg: ForwardMsg, raw: bytes) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                self.errors.append(f"cache miss {msg.ref_hash}")
                return
            cached.run_count = self.cache_runs
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.ParseFromString(cached.raw)
            msg.metadata.CopyFrom(metadata)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash and msg.hash not in self.cache:
            fragment = msg.delta.fragment_id if kind == "delta" else ""
            self.cache[msg.hash] = CachedMessage(raw, self.cache_runs, fragment)
        if kind == "new_session":
            self._new_session(msg)
        elif kind == "delta":
            self._delta(msg)
        elif kind == "script_finished":
            self._finished(msg)
        elif kind == "auto_rerun":
            self._auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment_id)
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "navigation":
            for page in msg.navigation.app_pages:
                self.pages[page.url_pathname] = page.page_script_hash
            if msg.navigation.page_script_hash:  # the page st.navigation ran (by URL path)
                self.page_hash = msg.navigation.page_script_hash
        self.changed.set()

    def _new_session(self, msg: ForwardMsg) -> None:
        session = msg.new_session
        fragments = tuple(msg.metadata.run.fragment_ids)
        now = time.perf_counter()
        previous = self.run
        if previous is not None and previous.finished is None:
            # A session runs one script at a time, so a run that starts has ended the previous
            # one, also when no script_finished came for it (seen under load in the room
            # scenario: a full run, then fragment runs, with no script_finished between; the
            # pages' fragments call st.rerun()). The page then shows what that run drew, and
            # the frontend is idle again once the next run is.
            previous.finished = now
            if previous is self._last_full_run and fragments:
                self.full_done = self.full_runs
                self.full_unfinished += 1
        self.run = Run(msg.metadata.run.script_run_id, fragments, now)
        if not fragments:
            for fragment_id in list(self.timers):
                self._stop_timer(fragment_id)
            self.full_runs += 1
            self._last_full_run = self.run
            self.page_hash = session.page_script_hash
            self.main_script_hash = session.main_script_hash
            self.max_cache_age = session.config.max_cached_message_age
            for page in session.app_pages:
                self.pages.setdefault(page.url_pathname, page.page_script_hash)

    def _delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element" or self.run is None:
            return
        element = delta.new_element
        path = tuple(msg.metadata.delta_path)
        if self.keep_runs:
            self.run.elements.append((path, element))
        if self.on_element is not None:
            self.on_element(self.run, element)
        kind = element.WhichOneof("type") or ""
        if kind == "exception":
            self.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            return
        if kind in ("button", "download_button"):
            proto = getattr(element, kind)
            self._buttons[proto.label] = (proto.id, delta.fragment_id)
            return
        found = widget_value(element)
        if found is None and kind not in ("radio", "selectbox"):
            return
        proto_w = getattr(element, kind)
        # A radio or select box with nothing chosen is registered by its id alone.
        field_name, value = found if found is not None else (None, None)
        known = self.widgets.get(proto_w.id)
        options = list(getattr(proto_w, "options", []))
        key = getattr(proto_w, "query_param_key", "")
        if kind == "slider" and proto_w.type == Slider.SELECT_SLIDER:
            default_url = [options[int(i)] for i in proto_w.default]
        else:
            default_of = _default_of(element) or (field_name, value)
            default_url = ([] if default_of[0] is None
                           else url_value(default_of[0], default_of[1]))
        if key:
            self.bound_keys.add(key)
        if known is not None and not getattr(proto_w, "set_value", False):
            value = known.value
        self.widgets[proto_w.id] = Widget(
            proto_w.id, kind, proto_w.label, field_name, value, default_url, key, options,
            msg.metadata.active_script_hash, delta.fragment_id, self.run.run_id)

    def _finished(self, msg: ForwardMsg) -> None:
        run = self.run
        status = msg.script_finished
        if run is None:
            return
        run.finished, run.status = time.perf_counter(), status
        if status == FINISHED and run is self._last_full_run:
            self.full_done = self.full_runs
        if status in (FINISHED, FRAGMENT_FINISHED):
            if not run.fragment_ids:
                self.widgets = {k: w for k, w in self.widgets.items() if w.run_id == run.run_id}
            else:
                self.widgets = {k: w for k, w in self.widgets.items()
                                if w.fragment_id not in run.fragment_ids
                                or w.run_id == run.run_id}
        if status != EARLY_FOR_RERUN:
            self.cache_runs += 1
            for hash_, cached in list(self.cache.items()):
                if run.fragment_ids and cached.fragment_id not in run.fragment_ids:
                    continue
                if self.cache_runs - cached.run_count > self.max_cache_age:
                    del self.cache[hash_]
        self.runs_done.append(run)
        if not self.keep_runs and len(self.runs_done) > 4:
            del self.runs_done[:-4]
        if self.on_run_finished is not None:
            self.on_run_finished(run)

    # ------------------------------------------------------------------ fragments
    def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        if not fragment_id:
            return
        current = self.timers.get(fragment_id)
        if current is not None and current[0] == interval:
            return
        self._stop_timer(fragment_id)
        self.timers[fragment_id] = (interval, asyncio.create_task(
            self._tick(fragment_id, interval)))

    def _stop_timer(self, fragment_id: str) -> None:
        current = self.timers.pop(fragment_id, None)
        if current is not None:
            current[1].cancel()

    async def _tick(self, fragment_id: str, interval: float) -> None:
        next_at = time.perf_counter() + interval
        while not self.closed:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += interval
            try:
                await self._send_rerun(widgets=self.widget_states(), fragment_id=fragment_id,
                                       auto=True)
            except (ConnectionError, aiohttp.ClientError):
                return


def _default_of(element: Element) -> tuple[str, Any] | None:
    """The widget's default as the frontend's URL binding compares against."""
    kind = element.WhichOneof("type") or ""
    proto = getattr(element, kind)
    if kind == "slider":
        return "double_array_value", list(proto.default)
    if kind == "checkbox":
        return "bool_value", proto.default
    if kind == "number_input":
        return widget_value(element) if proto.HasField("default") else None
    if kind in ("radio", "selectbox"):
        if proto.HasField("default") and proto.default < len(proto.options):
            return "string_value", proto.options[proto.default]
        return None
    return None


def _html_headers() -> dict[str, str]:
    return {"Accept": "text/html,application/xhtml+xml", "Accept-Encoding": ACCEPT_ENCODING}


ASSET_RE = re.compile(r"""(?:src|href)="\.?/?((?:static/)[^"]+)\"""")


def eager_assets(index_html: str) -> list[str]:
    """The scripts, styles and fonts a page's HTML makes the browser fetch at once."""
    return [f"/{path}" for path in dict.fromkeys(ASSET_RE.findall(index_html))]
