"""The classroom benchmark's readings of the page (benchmarks/classroom.py, room scenario) and
the protocol client's page hash (benchmarks/st_client.py): pure helpers, no server."""

from __future__ import annotations

import random

import aiohttp
from streamlit.dataframe_util import convert_pandas_df_to_arrow_bytes
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.classroom import (
    Refresh,
    RoomStudent,
    Teacher,
    join_path,
    post_delays,
    posted_episodes,
    spread_positions,
    table_rows,
)
from benchmarks.st_client import StreamlitClient
from core.rooms.export import run_table
from core.rooms.settings import DEFAULTS
from core.rooms.store import RunRecord
from harness.server import run_async


def record(k: int, nickname: str, episodes: int) -> RunRecord:
    return RunRecord(k, k, nickname, "Round 1", dict(DEFAULTS), episodes, 20.0, None, None,
                     [(episodes, 20.0)], False, 0.0, 0.0)


def test_the_runs_table_is_read_from_the_bytes_the_teacher_page_sends() -> None:
    records = [record(1, "student 01", 48), record(2, "student 02", 16),
               record(3, "student 01", 112), record(4, "<b>x</b>", 0)]
    rows = table_rows(convert_pandas_df_to_arrow_bytes(run_table(records)))
    assert rows == {"student 01": 112, "student 02": 16, "<b>x</b>": 0}
    assert table_rows(convert_pandas_df_to_arrow_bytes(run_table([]))) == {}


def test_join_link_and_posting_line() -> None:
    assert join_path("http://10.0.0.5:8080/class_room?room=7K3QXD") == "/class_room?room=7K3QXD"
    assert join_path("https://a.example/app/class_room?room=AB12CD") == "/class_room?room=AB12CD"
    assert join_path("RJT-SYR") is None
    assert posted_episodes("Posted to the room: 1,216 episodes, last-100 mean 87") == 1216
    assert posted_episodes("Posted to the room: 1 episode, last-100 mean 9") == 1
    assert posted_episodes("Your run is posted once it has finished its first episodes.") is None


def test_learning_rates_are_spread_over_the_whole_range() -> None:
    picks = spread_positions(30, random.Random(0))
    assert sorted(picks) == [i / 29 for i in range(30)]
    assert picks != sorted(picks)  # shuffled: the joining order says nothing about the value
    assert spread_positions(1, random.Random(0)) == [0.5]
    assert spread_positions(0, random.Random(0)) == []


def test_post_delays_count_the_first_refresh_that_shows_the_post() -> None:
    teacher = Teacher(refreshes=[Refresh(10.0, {}, 0), Refresh(11.5, {"a": 16}, 1),
                                 Refresh(13.0, {"a": 48}, 1)])
    student = RoomStudent(0, nickname="a", posted=[(10.5, 16), (11.6, 48), (12.9, 64)])
    delays, missing = post_delays(teacher, [student])
    assert delays == [1.0, 13.0 - 11.6]
    assert missing == 1
    early = RoomStudent(1, nickname="a", posted=[(11.7, 16)])  # shown before the page said so
    assert post_delays(teacher, [early]) == ([0.0], 0)


def test_the_page_hash_follows_the_navigation_message() -> None:
    """A page opened by its URL path is requested by name; the frontend then takes the page's
    hash from the navigation message and sends it with every later rerun."""

    async def handle() -> StreamlitClient:
        async with aiohttp.ClientSession() as http:
            client = StreamlitClient("http://127.0.0.1:9", http)
            msg = ForwardMsg()
            page = msg.navigation.app_pages.add()
            page.url_pathname, page.page_script_hash = "class_room", "abc123"
            msg.navigation.page_script_hash = "abc123"
            client._handle(msg, msg.SerializeToString())
            return client

    client = run_async(handle())
    assert client.page_hash == "abc123" and client.pages["class_room"] == "abc123"


def test_a_run_that_starts_ends_a_full_run_left_without_a_finish_message() -> None:
    """One script runs at a time per session: a fragment run that starts after a full run
    whose script_finished never came means that full run is over (the user's action is done);
    a full run that starts instead is the one to wait for."""

    def started(client: StreamlitClient, run_id: str, *fragments: str) -> None:
        msg = ForwardMsg()
        msg.new_session.page_script_hash = "page"
        msg.metadata.run.script_run_id = run_id
        msg.metadata.run.fragment_ids.extend(fragments)
        client._handle(msg, msg.SerializeToString())

    async def handle() -> StreamlitClient:
        async with aiohttp.ClientSession() as http:
            client = StreamlitClient("http://127.0.0.1:9", http)
            started(client, "full 1")
            started(client, "full 2")  # the first was rerun: still waiting
            assert (client.full_runs, client.full_done, client.full_unfinished) == (2, 0, 0)
            started(client, "fragment", "f1")
            return client

    client = run_async(handle())
    assert (client.full_runs, client.full_done, client.full_unfinished) == (2, 2, 1)
