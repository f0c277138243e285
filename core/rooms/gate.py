"""The door to the rooms for one browser session: joining with a code and opening a room as its
teacher, both behind the session's attempt limiter, so wrong codes and tokens are slow to try
and a refused attempt never reaches the database."""

from __future__ import annotations

from core.rooms import codes
from core.rooms.ratelimit import AttemptLimiter
from core.rooms.store import BAD_CODE, NO_ROOM, NOT_TEACHER, Membership, Room, RoomError, RoomStore


def join_room(store: RoomStore, limiter: AttemptLimiter, code: object,
              nickname: object = "") -> Membership:
    """Join the room with ``code``. A malformed or unknown code counts as a failed attempt;
    while the session is over its limit nothing is looked up. Raises ``RoomError``."""
    refusal = limiter.refusal()
    if refusal:
        raise RoomError(refusal)
    if codes.normalize_code(code) is None:
        limiter.failed()
        raise RoomError(BAD_CODE)
    try:
        return store.join(code, nickname)
    except RoomError as error:
        if str(error) in (NO_ROOM, BAD_CODE):
            limiter.failed()
        raise


def open_as_teacher(store: RoomStore, limiter: AttemptLimiter, code: object,
                    token: object) -> Room:
    """The room a teacher link points to. A wrong code or token counts as a failed attempt.
    Raises ``RoomError``."""
    refusal = limiter.refusal()
    if refusal:
        raise RoomError(refusal)
    room = store.teacher_room(code, token)
    if room is None:
        limiter.failed()
        raise RoomError(NOT_TEACHER)
    return room
