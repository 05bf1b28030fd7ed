"""A conversation's next turn's context, kept by the process that settled its last turn.

A turn's first read (domain.turns, step 1) fetches the conversation and its
newest messages; on PostgreSQL it is a round trip of its own, about a fifth of
a native send's CPU there. A conversation's turns mostly come to the process
that answered the last one (one process, or a balancer that keeps a client on
one), and that process knows what the read would find: the conversation as
its settlement left it, and the messages before it with the two it just
stored. `TurnContexts` keeps that (PostgreSQL only), so the next turn skips
the read; and the process that created a conversation knows its first turn's
(no messages yet).

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

A conversation whose turns go to several processes (a balancer that does
not keep a client on one) would make every kept context stale by its next
turn here, and each such turn pay a start for nothing: a conversation found
stale is remembered as shared, and its context no longer kept by this process
(its turns read, as without this cache). Edits and deletes made through this
process forget the conversation's context (domain.conversations), so they do
not count as another writer.

Bounded: entries are weighed by their message text (plus a fixed overhead) and
the least recently used dropped past `max_bytes` (cachetools' LRUCache); a
shared conversation's mark weighs the overhead alone, and is forgotten with
the least recently used too.
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


# What a conversation found stale is kept as: its turns read (see above).
SHARED = "shared"


def _weight(entry: KnownContext | str) -> int:
    if isinstance(entry, str):
        return ENTRY_OVERHEAD_BYTES
    return ENTRY_OVERHEAD_BYTES + sum(len(content) for _role, content, _status in entry.recent)


class TurnContexts:
    """Known contexts by (user, conversation id): `get`, `keep`, `forget`, `stale`."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._entries: LRUCache[tuple[str, str], KnownContext | str] = LRUCache(
            maxsize=max_bytes, getsizeof=_weight
        )

    def get(self, user_id: str, conversation_id: str) -> KnownContext | None:
        entry = self._entries.get((user_id, conversation_id))
        return entry if isinstance(entry, KnownContext) else None

    def keep(
        self, user_id: str, conversation_id: str, known: KnownContext, *, new: bool = False
    ) -> None:
        """Keeps `known`, unless the conversation is shared with another process (`new`: it was
        just created here, and a mark left by an earlier conversation of that id is not its)."""
        key = (user_id, conversation_id)
        if not new and self._entries.get(key) == SHARED:
            return
        try:
            self._entries[key] = known
        except ValueError:  # heavier than the whole cache: read it each time instead
            self.forget(user_id, conversation_id)

    def forget(self, user_id: str, conversation_id: str) -> None:
        """Drops what is known (this process changed the conversation, or does not know how
        its last turn ended)."""
        if self._entries.get((user_id, conversation_id)) != SHARED:
            self._entries.pop((user_id, conversation_id), None)

    def stale(self, user_id: str, conversation_id: str) -> None:
        """The conversation changed elsewhere since it was kept: shared, not kept again."""
        self._entries[(user_id, conversation_id)] = SHARED

    def __len__(self) -> int:
        return len(self._entries)
