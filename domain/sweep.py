"""The sweep: answers whose writer died are settled FAILED, and their conversations freed.

Every server process runs `sweep_forever` (started with the app). Each pass
finds generation leases that ran out (domain.lease) and, for each, in one
transaction: frees the lock if its lease is still run out (a writer that came
back and renewed it keeps it), and marks the answer FAILED with UNAVAILABLE
(14), keeping the text its writer had saved. N processes may sweep at once:
the conditional UPDATEs let exactly one of them settle each answer.
"""

import asyncio
import logging
from datetime import datetime

from sqlalchemy import Connection

from domain import ids
from errors import Code
from store import conversations as conversation_repo
from store import message_bytes
from store import messages as message_repo
from store.clock import utc_now
from store.database import Database

logger = logging.getLogger(__name__)

ABANDONED = "the server process writing this answer stopped before it finished"
BATCH = 100  # leases settled per query
MAX_BATCHES = 10  # per pass; the next pass takes the rest


def abandon(connection: Connection, conversation_pk: int, message_id: str, now: datetime) -> None:
    """Marks the answer of a lease that ran out FAILED (14), keeping its saved text."""
    stale = message_repo.get(connection, conversation_pk, message_id)
    if stale is None:
        return
    written = message_repo.finish(
        connection,
        stale.pk,
        {
            "status": "FAILED",
            "error_code": int(Code.UNAVAILABLE),
            "error_message": ABANDONED,
            "update_time": now,
        },
        only_status="IN_PROGRESS",
    )
    if written:  # the text it saved is kept, so it is held
        message_bytes.add_to_conversation(
            connection, conversation_pk, message_bytes.size(stale.content)
        )


async def sweep_once(db: Database) -> int:
    """Settles every answer whose lease ran out; returns how many this process settled."""
    now = utc_now()
    settled = 0
    for _ in range(MAX_BATCHES):
        expired = await db.read(conversation_repo.expired_leases, now, BATCH)
        for conversation_pk, message_id in expired:
            if await db.write(_settle_abandoned, conversation_pk, message_id, now):
                settled += 1
        if len(expired) < BATCH:
            break
    return settled


def _settle_abandoned(
    connection: Connection, conversation_pk: int, message_id: str, now: datetime
) -> bool:
    """Frees the lock if its lease is still run out and fails its answer; False otherwise."""
    freed = conversation_repo.release_expired(
        connection, conversation_pk, message_id=message_id, now=now, new_etag=ids.etag()
    )
    if freed:
        abandon(connection, conversation_pk, message_id, now)
    return freed


async def sweep_forever(db: Database, interval_seconds: float) -> None:
    """`sweep_once` every `interval_seconds` until cancelled; a failed pass is logged, not fatal."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            settled = await sweep_once(db)
        except Exception as exc:  # the database is away: the next pass tries again
            logger.warning("generation sweep failed: %s", exc)
            continue
        if settled:
            logger.info("generation sweep settled %d abandoned answer(s) FAILED", settled)
