"""The generation lease: how the process writing an answer keeps it, and what it saves meanwhile.

A conversation's generation lock (store.conversations) carries an expiry. The
writer takes it for `LeasePolicy.seconds` and a `LeaseKeeper` task renews it
every quarter of that while the answer is generated, so a lease that runs out
means its writer is gone (killed, or cut off from the database): any process
may then settle the answer FAILED and free the conversation (domain.sweep,
and the next send in that conversation).

The same task saves a streamed answer's text as it comes: at most
`persist_seconds` after a delta arrived, or as soon as `persist_deltas`
deltas are unsaved, whichever comes first, in one UPDATE that renews the lease
too. Writes run beside the stream, one at a time, so a slow or unreachable
database never holds up the deltas; a failed write is retried at the next
tick. When a renewal finds the lock taken over (the lease ran out while this
process was cut off), `lost` is set and the turn stops.

A keeper also stops renewing after `renew_for` seconds (the longest an answer
may take, generation_timeout_seconds, plus a lease): a turn that is never
settled, as when a stream's response is dropped before it starts, then frees
its conversation through the sweep instead of holding it for the process's life.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from store import conversations as conversation_repo
from store import messages as message_repo
from store.clock import utc_now
from store.database import Database

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 30.0
DEFAULT_SWEEP_INTERVAL_SECONDS = 10.0
PERSIST_SECONDS = 1.0
PERSIST_DELTAS = 50
# A failed renewal or checkpoint is tried again after this long (never faster).
RETRY_SECONDS = 0.5
# How long stop() lets a write in flight finish before cancelling it: a query cancelled
# midway costs its connection, and a settle is about to need one.
STOP_WAIT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class LeasePolicy:
    seconds: float = DEFAULT_LEASE_SECONDS
    persist_seconds: float = PERSIST_SECONDS
    persist_deltas: int = PERSIST_DELTAS

    @property
    def renew_seconds(self) -> float:
        """Renewing four times per lease lets three renewals in a row fail harmlessly."""
        return self.seconds / 4

    @property
    def settle_retry_seconds(self) -> float:
        """How long a settling write is retried: past the lease the sweep settles it anyway."""
        return min(self.seconds, 10.0)

    def expires(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.seconds)


class LeaseKeeper:
    """Renews one answer's lease and saves its streamed text, in a task of its own."""

    def __init__(
        self,
        db: Database,
        policy: LeasePolicy,
        *,
        conversation_pk: int,
        message_pk: int,
        message_id: str,
        renew_for: float | None = None,
    ) -> None:
        self._db = db
        self._renew_for = renew_for
        self._policy = policy
        self._conversation_pk = conversation_pk
        self._message_pk = message_pk
        self._message_id = message_id
        self._parts: list[str] = []
        self._unsaved = 0  # deltas not written yet
        self._unsaved_since: float | None = None  # loop time of the oldest of them
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._started_at = 0.0
        self._stopping = False
        self.lost = False

    def start(self) -> None:
        """Renews from now on. The task that writes comes to life only when a write is due (a
        renewal, or text to save): most answers end first and never need one."""
        loop = asyncio.get_running_loop()
        self._started_at = loop.time()
        self._timer = loop.call_later(self._policy.renew_seconds, self._spawn)

    def _spawn(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is None and not self._stopping:
            self._task = asyncio.create_task(self._run(), name=f"lease {self._message_id}")

    def feed(self, text: str) -> None:
        """One more delta of the answer (already storable)."""
        self._parts.append(text)
        self._unsaved += 1
        if self._unsaved_since is None:
            loop = asyncio.get_running_loop()
            self._unsaved_since = loop.time()
            if self._task is not None:
                self._wake.set()  # the save is due within persist_seconds now
            elif self._timer is not None:  # the save may come before the renewal
                due = min(
                    self._started_at + self._policy.renew_seconds,
                    self._unsaved_since + self._policy.persist_seconds,
                )
                self._timer.cancel()
                self._timer = loop.call_at(due, self._spawn)
        elif self._unsaved >= self._policy.persist_deltas:
            if self._task is not None:
                self._wake.set()
            else:
                self._spawn()

    async def stop(self) -> None:
        """Stops renewing (the answer is being settled), after the write in flight. Idempotent."""
        self._stopping = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        task, self._task = self._task, None
        if task is None:
            return
        self._wake.set()
        await asyncio.wait({task}, timeout=STOP_WAIT_SECONDS)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _pause(self, seconds: float) -> None:
        """Sleeps up to `seconds`; a delta that makes a save due, or stop(), ends it early."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        policy = self._policy
        renew_at = self._started_at + policy.renew_seconds
        give_up_at = None if self._renew_for is None else self._started_at + self._renew_for
        while not self._stopping:
            now = loop.time()
            if give_up_at is not None and now > give_up_at:
                logger.warning(
                    "answer %s: not settled in time; lease left to run out", self._message_id
                )
                return
            due = renew_at
            if self._unsaved_since is not None:
                due = min(due, self._unsaved_since + policy.persist_seconds)
            if self._unsaved >= policy.persist_deltas:
                due = now
            if due > now:
                await self._pause(due - now)
                continue
            text = "".join(self._parts) if self._unsaved else None
            unsaved, since = self._unsaved, self._unsaved_since
            self._unsaved, self._unsaved_since = 0, None
            try:
                held = await self._write(text)
            except Exception as exc:  # the database is unreachable: try again shortly
                logger.warning("answer %s: lease renewal failed: %s", self._message_id, exc)
                self._unsaved += unsaved
                if since is not None:
                    self._unsaved_since = since
                renew_at = loop.time() + RETRY_SECONDS
                await self._pause(RETRY_SECONDS)
                continue
            if not held:
                logger.warning("answer %s: lease lost to another process", self._message_id)
                self.lost = True
                return
            renew_at = loop.time() + policy.renew_seconds

    async def _write(self, text: str | None) -> bool:
        """Saves `text` (None: unchanged) and renews the lease; False when the lease is gone."""
        return await self._db.write(self._renew, text, utc_now())

    def _renew(self, connection: Connection, text: str | None, now: datetime) -> bool:
        held = conversation_repo.renew_lease(
            connection,
            self._conversation_pk,
            message_id=self._message_id,
            lease_expires=self._policy.expires(now),
        )
        if held and text is not None:
            message_repo.finish(
                connection,
                self._message_pk,
                {"content": text, "update_time": now},
                only_status="IN_PROGRESS",
            )
        return held
