"""Queries on conversations, including the generation lock.

The lock is a column, not an in-process mutex, so that N server processes on
one PostgreSQL agree on it: `try_lock` is a compare-and-set UPDATE that only
one transaction can win (PostgreSQL re-checks its WHERE under the row lock;
SQLite serialises writers). It is a lease: `generation_lease_expires` says
until when its holder owns it; `renew_lease` moves that on while the holder
works, and `release_expired` frees a lease that ran out (its holder died).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import ConversationRow


async def count(session: AsyncSession, user_id: str) -> int:
    """How many conversations the user holds (its max_conversations cap)."""
    query = select(func.count()).where(ConversationRow.user_id == user_id)
    return int((await session.execute(query)).scalar_one())


async def insert(session: AsyncSession, row: ConversationRow) -> None:
    """Raises sqlalchemy.exc.IntegrityError when the user already has a conversation of that id."""
    session.add(row)
    await session.flush()


async def get(
    session: AsyncSession, user_id: str, conversation_id: str, *, for_update: bool = False
) -> ConversationRow | None:
    """`for_update`: row-locked until the transaction ends (PostgreSQL; SQLite serialises
    writers anyway), for a write that depends on the values read."""
    query = select(ConversationRow).where(
        ConversationRow.user_id == user_id, ConversationRow.id == conversation_id
    )
    if for_update:
        query = query.with_for_update()
    result = await session.execute(query)
    return result.scalar_one_or_none()


async def list_page(
    session: AsyncSession, user_id: str, after: tuple[datetime, str] | None, limit: int
) -> list[ConversationRow]:
    """The user's conversations, newest first, strictly after the `(create_time, id)` cursor."""
    query = select(ConversationRow).where(ConversationRow.user_id == user_id)
    if after is not None:
        query = query.where(
            tuple_(ConversationRow.create_time, ConversationRow.id) < tuple_(*after)
        )
    query = query.order_by(ConversationRow.create_time.desc(), ConversationRow.id.desc())
    return list((await session.execute(query.limit(limit))).scalars())


async def update_fields(
    session: AsyncSession,
    pk: int,
    values: Mapping[str, Any],
    *,
    expected_etag: str | None,
    new_etag: str,
    now: datetime,
) -> bool:
    """Applies `values` if the row exists (and still has `expected_etag` when given)."""
    query = update(ConversationRow).where(ConversationRow.pk == pk)
    if expected_etag is not None:
        query = query.where(ConversationRow.etag == expected_etag)
    query = query.values(**values, etag=new_etag, update_time=now)
    return await _changed(session, query)


async def delete_one(session: AsyncSession, pk: int, *, expected_etag: str | None) -> int | None:
    """Deletes the conversation and its messages; the message bytes it held (as of the
    delete itself, so a settle committed meanwhile is included), None when absent or
    the etag is stale."""
    query = delete(ConversationRow).where(ConversationRow.pk == pk)
    if expected_etag is not None:
        query = query.where(ConversationRow.etag == expected_etag)
    # The messages go with it: ON DELETE CASCADE, which SQLite enforces too
    # (store.database turns foreign keys on for every connection).
    result = await session.execute(
        query.returning(ConversationRow.content_bytes).execution_options(synchronize_session=False)
    )
    freed = result.scalar_one_or_none()
    return None if freed is None else int(freed)


async def try_lock(
    session: AsyncSession,
    pk: int,
    *,
    message_id: str,
    now: datetime,
    lease_expires: datetime,
    held_by: str | None,
    new_messages: int,
    new_etag: str,
    new_bytes: int = 0,
) -> int | None:
    """Takes the generation lock for `message_id` if it is free (`held_by` None), or still
    held by `held_by` with its lease run out by `now`.

    In the same statement, reserves `new_messages` positions in the thread and counts
    `new_bytes` of message content on it (store.message_bytes).
    Returns the new message_count (the last reserved position), or None if
    another transaction changed the lock first (or renewed its lease).
    """
    lock_holder = (
        ConversationRow.generating_message_id.is_(None)
        if held_by is None
        else (ConversationRow.generating_message_id == held_by) & _expired(now)
    )
    result = await session.execute(
        update(ConversationRow)
        .where(ConversationRow.pk == pk, lock_holder)
        .values(
            generating_message_id=message_id,
            generating_since=now,
            generation_lease_expires=lease_expires,
            message_count=ConversationRow.message_count + new_messages,
            content_bytes=ConversationRow.content_bytes + new_bytes,
            update_time=now,
            etag=new_etag,
        )
        .returning(ConversationRow.message_count)
        .execution_options(synchronize_session=False)
    )
    count = result.scalar_one_or_none()
    return None if count is None else int(count)


async def unlock(
    session: AsyncSession,
    pk: int,
    *,
    message_id: str,
    now: datetime,
    new_etag: str,
    new_bytes: int = 0,
) -> bool:
    """Releases the lock if `message_id` still holds it (a stale-lock takeover may have moved it).

    Also bumps update_time and the etag (the thread changed), and counts `new_bytes` of
    settled message content on the conversation (store.message_bytes)."""
    query = (
        update(ConversationRow)
        .where(ConversationRow.pk == pk, ConversationRow.generating_message_id == message_id)
        .values(
            generating_message_id=None,
            generating_since=None,
            generation_lease_expires=None,
            content_bytes=ConversationRow.content_bytes + new_bytes,
            update_time=now,
            etag=new_etag,
        )
    )
    return await _changed(session, query)


async def renew_lease(
    session: AsyncSession, pk: int, *, message_id: str, lease_expires: datetime
) -> bool:
    """Moves the lease of `message_id` on; False when it no longer holds the lock."""
    query = (
        update(ConversationRow)
        .where(ConversationRow.pk == pk, ConversationRow.generating_message_id == message_id)
        .values(generation_lease_expires=lease_expires)
    )
    return await _changed(session, query)


async def expired_leases(session: AsyncSession, now: datetime, limit: int) -> list[tuple[int, str]]:
    """(conversation pk, answer id) of locks whose lease ran out by `now`, oldest first."""
    result = await session.execute(
        select(ConversationRow.pk, ConversationRow.generating_message_id)
        .where(ConversationRow.generating_message_id.is_not(None), _expired(now))
        .order_by(ConversationRow.generation_lease_expires)
        .limit(limit)
    )
    return [(int(pk), str(message_id)) for pk, message_id in result.all()]


async def release_expired(
    session: AsyncSession, pk: int, *, message_id: str, now: datetime, new_etag: str
) -> bool:
    """Frees the lock of `message_id` if its lease is still run out (not renewed meanwhile)."""
    query = (
        update(ConversationRow)
        .where(
            ConversationRow.pk == pk,
            ConversationRow.generating_message_id == message_id,
            _expired(now),
        )
        .values(
            generating_message_id=None,
            generating_since=None,
            generation_lease_expires=None,
            update_time=now,
            etag=new_etag,
        )
    )
    return await _changed(session, query)


def _expired(now: datetime) -> Any:
    """A lease past `now`; none at all (a lock from before leases) counts as past."""
    lease = ConversationRow.generation_lease_expires
    return lease.is_(None) | (lease <= now)


async def _changed(session: AsyncSession, statement: Any) -> bool:
    result = cast(
        CursorResult[Any],
        await session.execute(statement.execution_options(synchronize_session=False)),
    )
    return result.rowcount > 0
