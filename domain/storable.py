"""Upstream text made storable: what no database column can hold becomes U+FFFD.

PostgreSQL `text` cannot hold U+0000, and a lone surrogate (an upstream's
broken `\\ud83d` escape) is no UTF-8 at all, so neither database nor an HTTP
body can carry it. Both are replaced on arrival, before the text is sent to
the client or stored, so what a client saw, what is stored and what is
returned later are the same characters on SQLite and PostgreSQL alike.
"""

import re

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with U+0000 and lone surrogates replaced by U+FFFD (the same object when clean)."""
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(REPLACEMENT, text)
