"""The bytes of message content each user holds: a running total per user (its
max_message_bytes cap) and one per conversation (what deleting it frees).

Both move in the transaction that changes the content, by single conditional
statements, so N processes on one database agree without summing any table.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from store.compiled import Compiled
from store.tables import conversations, user_message_bytes

_total = user_message_bytes.c.message_bytes
_USED = Compiled(select(_total).where(user_message_bytes.c.user_id == bindparam("user_id")))
_COUNT_ON_CONVERSATION = Compiled(
    update(conversations)
    .where(conversations.c.pk == bindparam("cpk"))
    .values(content_bytes=conversations.c.content_bytes + bindparam("amount"))
    .returning(conversations.c.user_id)
)


def _charges(insert: Callable[[Table], Any]) -> tuple[Compiled, Compiled]:
    """The uncapped and the capped upsert, in one dialect's INSERT ... ON CONFLICT."""
    statement = insert(user_message_bytes).values(
        user_id=bindparam("user_id"), message_bytes=bindparam("start")
    )
    new_total = _total + bindparam("amount")
    uncapped = statement.on_conflict_do_update(
        index_elements=[user_message_bytes.c.user_id], set_={"message_bytes": new_total}
    ).returning(_total)
    capped = statement.on_conflict_do_update(
        index_elements=[user_message_bytes.c.user_id],
        set_={"message_bytes": new_total},
        where=new_total <= bindparam("cap"),
    ).returning(_total)
    return Compiled(uncapped), Compiled(capped)


_CHARGE = {"postgresql": _charges(postgresql.insert), "sqlite": _charges(sqlite.insert)}


def size(text: str) -> int:
    """UTF-8 bytes of `text`, the unit of the cap."""
    return len(text.encode("utf-8", "surrogatepass"))


def used(connection: Connection, user_id: str) -> int:
    return int(_USED.scalar(connection, {"user_id": user_id}) or 0)


def charge(connection: Connection, user_id: str, amount: int, cap: int | None) -> bool:
    """Adds `amount` (may be negative) to the user's total unless that would pass `cap`
    (None: no cap; a negative amount always passes). One INSERT ... ON CONFLICT DO UPDATE
    ... WHERE: the check and the addition are atomic on both databases."""
    if cap is not None and amount > 0 and amount > cap:
        return False
    uncapped, capped = _CHARGE[connection.dialect.name]
    params = {"user_id": user_id, "start": max(amount, 0), "amount": amount}
    if cap is None or amount <= 0:
        statement = uncapped
    else:
        statement, params["cap"] = capped, cap
    return statement.first(connection, params) is not None


def count_on_conversation(connection: Connection, conversation_pk: int, amount: int) -> str | None:
    """Adds `amount` to the conversation's own count; its user id, None when it is gone."""
    params = {"cpk": conversation_pk, "amount": amount}
    user_id = _COUNT_ON_CONVERSATION.scalar(connection, params)
    return None if user_id is None else str(user_id)


def add_to_conversation(connection: Connection, conversation_pk: int, amount: int) -> None:
    """Counts `amount` on the conversation and on its user with no cap (an answer that has
    ended is kept whole). Nothing when the conversation is gone."""
    if not amount:
        return
    user_id = count_on_conversation(connection, conversation_pk, amount)
    if user_id is not None:
        charge(connection, user_id, amount, None)
