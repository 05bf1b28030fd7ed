"""An in-process cache of verified API keys, so a request does not read the database to
authenticate when the same key was verified less than `ttl_seconds` ago.

The bound: a key revoked on any process stops working on every process
within `ttl_seconds` (config `api_key_cache_seconds`, at most 2 s, default
1 s), because an entry older than that is verified against the database
again before it is trusted. A revocation through this process forgets the
key at once. Only successful verifications are cached: an unknown or
revoked secret reads the database every time (nothing to serve stale).

Concurrent requests with the same key while its entry is missing or stale
share one lookup, so a burst of N requests costs one read, not N.

Interface: `KeyCache.authenticate(secret) -> Caller` (raises ApiError 16),
`KeyCache.forget(key_id)`.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.identity import Caller

MAX_TTL_SECONDS = 2.0
DEFAULT_TTL_SECONDS = 1.0
DEFAULT_MAX_ENTRIES = 10_000

Lookup = Callable[[str], Awaitable[Caller]]  # secret hash -> Caller, or raises ApiError


@dataclass(frozen=True, slots=True)
class _Entry:
    caller: Caller
    verified_at: float  # time.monotonic()


class KeyCache:
    """`lookup` verifies a secret hash against the database; `hash_secret` makes that hash."""

    def __init__(
        self,
        lookup: Lookup,
        hash_secret: Callable[[str], str],
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        if not 0 <= ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(f"the key cache's ttl must be 0-{MAX_TTL_SECONDS:g} s")
        self._lookup = lookup
        self._hash = hash_secret
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # by secret hash, oldest first
        self._pending: dict[str, asyncio.Task[Caller]] = {}

    @property
    def ttl_seconds(self) -> float:
        return self._ttl

    async def authenticate(self, secret: str) -> Caller:
        secret_hash = self._hash(secret)
        entry = self._entries.get(secret_hash)
        if entry is not None and time.monotonic() - entry.verified_at < self._ttl:
            return entry.caller
        lookup = self._pending.get(secret_hash)
        if lookup is None:
            # Its own task: a waiter that is cancelled (client gone) cancels no one else's lookup.
            lookup = asyncio.ensure_future(self._verify(secret_hash))
            self._pending[secret_hash] = lookup
            lookup.add_done_callback(lambda _: self._pending.pop(secret_hash, None))
        return await asyncio.shield(lookup)

    async def _verify(self, secret_hash: str) -> Caller:
        try:
            caller = await self._lookup(secret_hash)
        except BaseException:
            self._entries.pop(secret_hash, None)
            raise
        if self._ttl > 0:
            self._store(secret_hash, caller)
        return caller

    def forget(self, key_id: str) -> None:
        """Drops the key at once (revoked through this process): its next use reads the database."""
        for secret_hash in [h for h, e in self._entries.items() if e.caller.key_id == key_id]:
            del self._entries[secret_hash]

    def _store(self, secret_hash: str, caller: Caller) -> None:
        self._entries[secret_hash] = _Entry(caller, time.monotonic())
        self._entries.move_to_end(secret_hash)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
