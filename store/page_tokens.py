"""Opaque page tokens for keyset pagination.

A token is base64url( MAC(16 bytes) || JSON cursor ). The cursor holds the
sort key of the last row served (e.g. `[create_time, id]`), so the next page
starts strictly after it: rows inserted meanwhile never shift a page (no
duplicates, no gaps), unlike OFFSET. The cursor also names the list it belongs
to (`kind` and `scope`, e.g. the owner), so a token from another list is refused.

The MAC is not what keeps data private (every query is filtered by owner
whatever the token says); it lets the server tell a tampered or truncated
token from a valid one and answer INVALID_ARGUMENT (3) instead of guessing.
"""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence

from errors import ApiError, Code

CursorValue = str | int

# One key for every process; it suffices for integrity since tokens grant nothing
# by themselves (see the module docstring).
_KEY = b"privatellm/page-token/v1"
_MAC_BYTES = 16


def encode(kind: str, scope: str, cursor: Sequence[CursorValue]) -> str:
    payload = json.dumps([kind, scope, list(cursor)], separators=(",", ":")).encode()
    mac = hmac.new(_KEY, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(mac + payload).rstrip(b"=").decode("ascii")


def decode(token: str, kind: str, scope: str, arity: int) -> list[CursorValue]:
    """The cursor inside `token`; ApiError(3) if it was altered or belongs to another list."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise _invalid() from None
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    expected = hmac.new(_KEY, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, expected):
        raise _invalid()
    try:
        token_kind, token_scope, cursor = json.loads(payload)
    except (ValueError, TypeError):
        raise _invalid() from None
    if token_kind != kind or token_scope != scope:
        raise ApiError(Code.INVALID_ARGUMENT, "page_token belongs to another list or other filters")
    if (
        not isinstance(cursor, list)
        or len(cursor) != arity
        or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in cursor)
    ):
        raise _invalid()
    return cursor


def _invalid() -> ApiError:
    return ApiError(Code.INVALID_ARGUMENT, "page_token is not a token this server issued")
