"""The bytes of message content each user holds: a running total per user (its
max_message_bytes cap) and one per conversation (what deleting it frees).

Both move in the transaction that changes the content, by single conditional
statements, so N processes on one database agree without summing any table.
"""

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import ConversationRow, UserMessageBytesRow


def size(text: str) -> int:
    """UTF-8 bytes of `text`, the unit of the cap."""
    return len(text.encode("utf-8", "surrogatepass"))


async def used(session: AsyncSession, user_id: str) -> int:
    query = select(UserMessageBytesRow.message_bytes).where(UserMessageBytesRow.user_id == user_id)
    return int((await session.execute(query)).scalar_one_or_none() or 0)


async def charge(session: AsyncSession, user_id: str, amount: int, cap: int | None) -> bool:
    """Adds `amount` (may be negative) to the user's total unless that would pass `cap`
    (None: no cap; a negative amount always passes). One INSERT ... ON CONFLICT DO UPDATE
    ... WHERE: the check and the addition are atomic on both databases."""
    if cap is not None and amount > 0 and amount > cap:
        return False
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(UserMessageBytesRow).values(user_id=user_id, message_bytes=max(amount, 0))
    total = UserMessageBytesRow.message_bytes + amount
    where = None if cap is None or amount <= 0 else total <= cap
    upsert = statement.on_conflict_do_update(
        index_elements=[UserMessageBytesRow.user_id],
        set_={"message_bytes": total},
        where=where,
    ).returning(UserMessageBytesRow.message_bytes)
    return (await session.execute(upsert)).scalar_one_or_none() is not None


async def count_on_conversation(
    session: AsyncSession, conversation_pk: int, amount: int
) -> str | None:
    """Adds `amount` to the conversation's own count; its user id, None when it is gone."""
    result = await session.execute(
        update(ConversationRow)
        .where(ConversationRow.pk == conversation_pk)
        .values(content_bytes=ConversationRow.content_bytes + amount)
        .returning(ConversationRow.user_id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def add_to_conversation(session: AsyncSession, conversation_pk: int, amount: int) -> None:
    """Counts `amount` on the conversation and on its user with no cap (an answer that has
    ended is kept whole). Nothing when the conversation is gone."""
    if not amount:
        return
    user_id = await count_on_conversation(session, conversation_pk, amount)
    if user_id is not None:
        await charge(session, user_id, amount, None)
