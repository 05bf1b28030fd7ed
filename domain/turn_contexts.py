"""A conversation's next turn's context, kept by the process that settled its last turn.

A turn's first read (domain.turns, step 1) fetches the conversation and its
newest messages; on PostgreSQL it is a round trip of its own, about a fifth of
a native send's CPU there. A conversation's turns mostly come to the process
that answered the last one (one process, or a balancer that keeps a client on
one), and that process knows what the read would find: the conversation as
its settlement left it, and the messages before it with the two it just
stored. `TurnContexts` keeps that (PostgreSQL only), so the next turn skips
the read.

Nothing is trusted blindly: the turn's lock-and-store is conditional on the
conversation's etag being the one kept (store.turn_writes). Every change to a
conversation changes its etag (another process's turn, an edit, the sweep);
when one happened meanwhile, or the conversation was deleted, nothing is
stored, the entry is forgotten and the turn starts again from a read (its
limits' reservation released and made again). A check of the context window
that refuses on a kept context is made again on a read. The limits admit or
refuse a turn on the reservation its context gives: on a kept context, this
process's last view of the conversation (a change another process made
meanwhile is not in it; the stale start then makes the turn read and ask again).

Bounded: entries are weighed by their message text (plus a fixed overhead) and
the least recently used dropped past `max_bytes` (cachetools' LRUCache).
"""

from dataclasses import dataclass

from cachetools import LRUCache

from domain.prompt import HistoryEntry
from store.records import ConversationRow

DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # per process
ENTRY_OVERHEAD_BYTES = 1024  # the row, the tuples and the dict slot, roughly


@dataclass(frozen=True, slots=True)
class KnownContext:
    """What step 1's read would find: the conversation (lock free) and its newest messages,
    newest first, as (role, content, status), at most as many as that read fetches."""

    conversation: ConversationRow
    recent: tuple[HistoryEntry, ...]


def _weight(known: KnownContext) -> int:
    return ENTRY_OVERHEAD_BYTES + sum(len(content) for _role, content, _status in known.recent)


class TurnContexts:
    """Known contexts by (user, conversation id): `get`, `keep`, `forget`."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._entries: LRUCache[tuple[str, str], KnownContext] = LRUCache(
            maxsize=max_bytes, getsizeof=_weight
        )

    def get(self, user_id: str, conversation_id: str) -> KnownContext | None:
        return self._entries.get((user_id, conversation_id))

    def keep(self, user_id: str, conversation_id: str, known: KnownContext) -> None:
        try:
            self._entries[(user_id, conversation_id)] = known
        except ValueError:  # heavier than the whole cache: read it each time instead
            self.forget(user_id, conversation_id)

    def forget(self, user_id: str, conversation_id: str) -> None:
        self._entries.pop((user_id, conversation_id), None)

    def __len__(self) -> int:
        return len(self._entries)
