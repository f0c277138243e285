"""What the class-experiment page keeps per process and per session: the one database store of
the process, the session's attempt limiter, the room links and the QR code."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
import streamlit as st

from core.limits import LIMITS
from core.rooms.ratelimit import AttemptLimiter
from core.rooms.store import RoomStore, database_url

ROOM_PARAM = "room"
"""URL parameter of a join link: the room code."""
TEACHER_PARAM = "teacher"
"""URL parameter of a teacher link: the teacher token (removed from the address bar once read,
so a projected screen or a shared link never shows it)."""
LIMITER_KEY = "room_limiter"


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> RoomStore:
    return RoomStore.open(url)


def store() -> RoomStore:
    """This process's store (opened and migrated on first use)."""
    return _open_store(database_url())


def store_problem() -> str | None:
    """A message if the rooms database cannot be opened, else None."""
    try:
        store()
    except Exception as error:  # any driver or migration failure: say so, never a traceback
        return ("The class rooms' database cannot be opened, so rooms are unavailable on this "
                f"server ({type(error).__name__}). The host can check PGS_DATABASE_URL or "
                "PGS_DATA_DIR (docs/deploy.md).")
    return None


def limiter() -> AttemptLimiter:
    """This session's limiter of wrong codes and teacher links."""
    if LIMITER_KEY not in st.session_state:
        st.session_state[LIMITER_KEY] = AttemptLimiter(attempts=LIMITS.room_join_attempts)
    limiter: AttemptLimiter = st.session_state[LIMITER_KEY]
    return limiter


def page_url() -> str:
    """The address of this page, without query or fragment."""
    parts = urlsplit(st.context.url or "")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def join_link(code: str) -> str:
    """The link students open to join the room."""
    return f"{page_url()}?{urlencode({ROOM_PARAM: code})}"


def teacher_link(code: str, token: str) -> str:
    """The teacher's private link, which manages the room from any browser."""
    return f"{page_url()}?{urlencode({ROOM_PARAM: code, TEACHER_PARAM: token})}"


def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as PNG bytes (segno: pure Python)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=12, border=2)
    return buffer.getvalue()


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&])")


def md_literal(text: str) -> str:
    """``text`` escaped for ``st.markdown``: every Markdown, HTML, directive (``:red[]``) and
    LaTeX (``$``) character is backslash-escaped, so a nickname shows exactly as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def spaced(code: str) -> str:
    """A room code as shown to people: two groups of three (ABC-123)."""
    return f"{code[:3]}-{code[3:]}"
