"""Room codes, teacher and student tokens: generated with ``secrets``, checked before any
database lookup, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base-32 digits: no I, L, O or U, so no two symbols look alike (a typed O reads
as 0, an I or L as 1, see ``normalize_code``)."""
CODE_LENGTH = 6
CODE_BITS = CODE_LENGTH * math.log2(len(CODE_ALPHABET))
"""Randomness of one room code: 6 × 5 = 30 bits (about 1.07 billion codes)."""
TOKEN_BYTES = 32
"""Random bytes of a teacher or student token (256 bits, 43 URL-safe characters)."""
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_TYPED_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]")
MAX_TYPED = 32
"""Longest input accepted as a code before normalising; longer input is rejected unread."""


def new_code() -> str:
    """A fresh random room code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    """A fresh random secret (teacher or student token)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def normalize_code(typed: object) -> str | None:
    """The room code a user meant, or None if ``typed`` cannot be one.

    Case, spaces and dashes are ignored, and the look-alikes O, I and L read as 0, 1, 1. Any
    other character, or any other length, gives None: the input never reaches the database.
    """
    if not isinstance(typed, str) or len(typed) > MAX_TYPED:
        return None
    code = _SEPARATORS.sub("", typed).upper().translate(_TYPED_ALIASES)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def valid_token(token: object) -> bool:
    """True if ``token`` has the shape of a token this module made (the check before hashing)."""
    return isinstance(token, str) and _TOKEN_RE.fullmatch(token) is not None


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(token_hash(token), stored_hash)
