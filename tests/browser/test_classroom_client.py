"""benchmarks/st_client.py speaks Streamlit's protocol as the real frontend does.

A headless Chromium opens the home page, follows the sidebar link to the expectation page and
moves its sample-count slider one notch, while the test records every websocket frame it
sends and receives. The protocol client then does the same on a fresh session of the same
server. Both must send the same rerun requests (widget ids and values, page hash, query string)
and receive the same script output (every element, byte for byte) for the navigation and for
the slider change.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.st_client import StreamlitClient
from harness.server import open_app_page, run_async, wait_until_idle
from ui.registry import PAGES

EXPECTATION = next(p for p in PAGES if p.url_path == "expectation")
SLIDER = "Samples per run N"


def widget_map(state: ClientState) -> dict[str, tuple[str | None, Any]]:
    """Widget id -> (value field, value) of a rerun request (lists as tuples)."""
    values: dict[str, tuple[str | None, Any]] = {}
    for widget in state.widget_states.widgets:
        kind = widget.WhichOneof("value")
        value: Any = getattr(widget, kind) if kind else None
        if kind in ("string_array_value", "double_array_value", "int_array_value"):
            value = tuple(value.data)
        values[widget.id] = (kind, value)
    return values


def canonical(element: Element) -> bytes:
    """An element's bytes without what is random per session (a download's deferred file id,
    a media URL)."""
    copy = Element()
    copy.CopyFrom(element)
    if copy.WhichOneof("type") == "download_button":
        copy.download_button.deferred_file_id = ""
        copy.download_button.url = ""
    return copy.SerializeToString(deterministic=True)


def runs_after(received: list[ForwardMsg]) -> list[list[tuple[tuple[int, ...], bytes]]]:
    """The elements of every full run that finished successfully, in order, with ref_hash
    messages resolved as the frontend's cache does."""
    cache: dict[str, ForwardMsg] = {}
    runs: list[list[tuple[tuple[int, ...], bytes]]] = []
    current: list[tuple[tuple[int, ...], bytes]] | None = None
    for msg in received:
        if msg.WhichOneof("type") == "ref_hash":
            cached = cache[msg.ref_hash]
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(msg.metadata)
            msg = resolved
        elif msg.metadata.cacheable and msg.hash:
            cache[msg.hash] = msg
        kind = msg.WhichOneof("type")
        if kind == "new_session" and not msg.metadata.run.fragment_ids:
            current = []
        elif kind == "delta" and current is not None and \
                msg.delta.WhichOneof("type") == "new_element":
            current.append((tuple(msg.metadata.delta_path),
                            canonical(msg.delta.new_element)))
        elif kind == "script_finished" and current is not None:
            if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                runs.append(current)
            current = None
    return runs


def settled(run: list[tuple[tuple[int, ...], bytes]]) -> list[tuple[tuple[int, ...], bytes]]:
    """What a run leaves on the page, in path order: the last element sent to each place, less
    the ones a container later took the place of (a place with children).

    Streamlit's server merges a delta into an earlier one for the same place when both are still
    waiting to be sent (ForwardMsgQueue.enqueue): an ``st.empty()`` slot filled with a container
    before the next flush reaches the browser as the container alone. Whether that happens
    depends on when the flush falls, so the stream of deltas may differ between two sessions
    while the page they draw is the same."""
    last = dict(run)
    parents = {path[:i] for path in last for i in range(1, len(path))}
    return sorted((path, raw) for path, raw in last.items() if path not in parents)


def describe(run: list[tuple[tuple[int, ...], bytes]]) -> list[str]:
    out = []
    for path, raw in run:
        element = Element()
        element.ParseFromString(raw)
        out.append(f"{path} {element.WhichOneof('type')}")
    return out


async def client_side(url: str, one_notch: str) -> StreamlitClient:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, auto_decompress=False) as http:
        client = StreamlitClient(url, http)
        client.keep_runs = True
        await client.open("/")
        await client.navigate(EXPECTATION.url_path)
        await client.set_widget(SLIDER, [one_notch])
        await client.close()
    return client


@pytest.mark.browser
def test_protocol_client_matches_the_browser(app_url, page):
    sent: list[BackMsg] = []
    received: list[ForwardMsg] = []

    def on_socket(socket: Any) -> None:
        if "_stcore/stream" not in socket.url:
            return

        def on_sent(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                sent.append(BackMsg.FromString(payload))

        def on_received(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                received.append(ForwardMsg.FromString(payload))

        socket.on("framesent", on_sent)
        socket.on("framereceived", on_received)

    page.on("websocket", on_socket)
    open_app_page(page, app_url + "/")
    page.locator("[data-testid='stSidebarNav']").get_by_role(
        "link", name=EXPECTATION.title).click()
    page.wait_for_function(f"() => location.pathname.endsWith('/{EXPECTATION.url_path}')")
    page.locator("[data-testid='stMain']").get_by_text("Plain averages").first.wait_for()
    wait_until_idle(page)
    slider = page.locator("[data-testid='stSlider']").filter(has_text=SLIDER)
    slider.locator("input[type='range']").first.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('ev_n=')", timeout=30_000)
    page.wait_for_timeout(300)
    wait_until_idle(page)

    reruns = [m.rerun_script for m in sent
              if m.WhichOneof("type") == "rerun_script" and not m.rerun_script.fragment_id]
    assert len(reruns) == 3, f"expected load, navigation, slider; got {len(reruns)} reruns"
    slider_values = [v for k, v in widget_map(reruns[2]).items() if k.endswith("-ev_n")]
    assert len(slider_values) == 1 and slider_values[0][1] != ("10,000",), slider_values
    after = slider_values[0][1][0]
    for _ in range(50):  # frames reach this thread a little after the page shows them
        if len(runs_after(received)) >= 3:
            break
        page.wait_for_timeout(200)
    browser_runs = runs_after(received)
    assert len(browser_runs) >= 3

    client = run_async(client_side(app_url, str(after)))  # Playwright holds this thread's loop
    client_reruns = [m.rerun_script for m in client.sent
                     if m.WhichOneof("type") == "rerun_script"
                     and not m.rerun_script.fragment_id]
    assert len(client_reruns) == 3
    for name, theirs, ours in zip(("load", "navigation", "slider"), reruns, client_reruns,
                                  strict=True):
        assert ours.page_script_hash == theirs.page_script_hash, name
        assert ours.page_name == theirs.page_name, name
        assert ours.query_string == theirs.query_string, name
        assert ours.is_auto_rerun == theirs.is_auto_rerun, name
        if name == "navigation":
            # The frontend sends the main script's (sidebar's) widgets with a page change, or
            # none when its sidebar widgets have not registered yet (seen in about half the
            # runs here); the server keeps their values either way, so the run is the same.
            assert widget_map(theirs).items() <= widget_map(ours).items(), name
            # app.py's widgets: the sidebar's, and the check-yourself question it draws under
            # the page it leaves (nothing chosen: registered by id alone).
            assert all(k.rsplit("-", 1)[1] in ("seed", "present", "img")
                       or k.rsplit("-", 1)[1].startswith("check_")
                       for k in widget_map(ours)), name
        else:
            assert widget_map(ours) == widget_map(theirs), name
    assert "ev_n=" in client_reruns[-1].query_string

    client_runs = [[(path, canonical(element))
                    for path, element in run.elements]
                   for run in client.runs_done
                   if not run.fragment_ids and run.status == ForwardMsg.FINISHED_SUCCESSFULLY]
    assert len(client_runs) == 3
    for name, theirs_sent, ours_sent in zip(("navigation", "slider"), browser_runs[-2:],
                                            client_runs[-2:], strict=True):
        theirs_run, ours_run = settled(theirs_sent), settled(ours_sent)
        assert describe(ours_run) == describe(theirs_run), name
        assert ours_run == theirs_run, f"{name}: same elements, different content"
