"""Queries on messages. A thread is ordered by `position`, which is also its page cursor."""

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import MessageRow


async def insert(session: AsyncSession, *rows: MessageRow) -> None:
    session.add_all(rows)
    await session.flush()


async def get(session: AsyncSession, conversation_pk: int, message_id: str) -> MessageRow | None:
    result = await session.execute(
        select(MessageRow).where(
            MessageRow.conversation_pk == conversation_pk, MessageRow.id == message_id
        )
    )
    return result.scalar_one_or_none()


async def get_by_pk(session: AsyncSession, pk: int) -> MessageRow | None:
    return await session.get(MessageRow, pk, populate_existing=True)


async def list_page(
    session: AsyncSession, conversation_pk: int, after_position: int, limit: int
) -> list[MessageRow]:
    """Messages oldest first, from the one after `after_position` (0: the start)."""
    result = await session.execute(
        select(MessageRow)
        .where(MessageRow.conversation_pk == conversation_pk, MessageRow.position > after_position)
        .order_by(MessageRow.position)
        .limit(limit)
    )
    return list(result.scalars())


async def before(
    session: AsyncSession, conversation_pk: int, position: int, limit: int
) -> list[MessageRow]:
    """Up to `limit` messages before `position`, newest first (history is built backwards)."""
    result = await session.execute(
        select(MessageRow)
        .where(MessageRow.conversation_pk == conversation_pk, MessageRow.position < position)
        .order_by(MessageRow.position.desc())
        .limit(limit)
    )
    return list(result.scalars())


async def finish(
    session: AsyncSession, pk: int, values: Mapping[str, Any], *, only_status: str
) -> bool:
    """Writes the outcome of a generation if the message is still in `only_status`.

    The condition keeps a late writer (e.g. a process whose lock was taken
    over as stale) from overwriting an outcome already recorded.
    """
    result = cast(
        CursorResult[Any],
        await session.execute(
            update(MessageRow)
            .where(MessageRow.pk == pk, MessageRow.status == only_status)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount > 0
