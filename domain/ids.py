"""Server-chosen identifiers and etags: random, URL-safe, lowercase (they fit the id patterns)."""

import secrets


def conversation_id() -> str:
    """Matches the client id pattern `^[a-z][a-z0-9-]{3,62}$`, so both kinds look alike."""
    return "c" + secrets.token_hex(12)


def message_id() -> str:
    return "m" + secrets.token_hex(12)


def api_key_id() -> str:
    return "k" + secrets.token_hex(12)


def etag() -> str:
    """A fresh version tag: random, so a re-created resource never matches an old etag."""
    return secrets.token_hex(8)
