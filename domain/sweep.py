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

from sqlalchemy.ext.asyncio import AsyncSession

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


async def abandon(
    session: AsyncSession, conversation_pk: int, message_id: str, now: datetime
) -> None:
    """Marks the answer of a lease that ran out FAILED (14), keeping its saved text."""
    stale = await message_repo.get(session, conversation_pk, message_id)
    if stale is None:
        return
    written = await message_repo.finish(
        session,
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
        await message_bytes.add_to_conversation(
            session, conversation_pk, message_bytes.size(stale.content)
        )


async def sweep_once(db: Database) -> int:
    """Settles every answer whose lease ran out; returns how many this process settled."""
    now = utc_now()
    settled = 0
    for _ in range(MAX_BATCHES):
        async with db.read() as session:
            expired = await conversation_repo.expired_leases(session, now, BATCH)
        for conversation_pk, message_id in expired:
            async with db.write() as session:
                freed = await conversation_repo.release_expired(
                    session, conversation_pk, message_id=message_id, now=now, new_etag=ids.etag()
                )
                if freed:
                    await abandon(session, conversation_pk, message_id, now)
                    settled += 1
        if len(expired) < BATCH:
            break
    return settled


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
