"""Queries on conversations, including the generation lock.

The lock is a column, not an in-process mutex, so that N server processes on
one PostgreSQL agree on it: `try_lock` is a compare-and-set UPDATE that only
one transaction can win (PostgreSQL re-checks its WHERE under the row lock;
SQLite serialises writers). It is a lease: `generation_lease_expires` says
until when its holder owns it; `renew_lease` moves that on while the holder
works, and `release_expired` frees a lease that ran out (its holder died).

Every function is a piece of a unit of work (store.database): it takes the
unit's connection. The hot statements are built once, here, with bind
parameters for their values.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Connection,
    Integer,
    String,
    Text,
    bindparam,
    delete,
    func,
    select,
    text,
    tuple_,
    update,
)

from store import messages
from store.compiled import Compiled, compiled_only
from store.records import ConversationRow
from store.tables import conversations as table
from store.tables import messages as messages_table

_c = table.c

_COUNT = select(func.count()).where(_c.user_id == bindparam("user_id"))
_INSERT = table.insert().returning(_c.pk)
_SELECT = select(table).where(_c.user_id == bindparam("user_id"), _c.id == bindparam("id"))
_GET = Compiled(_SELECT)
_GET_FOR_UPDATE = Compiled(_SELECT.with_for_update())
_ORDER = (_c.create_time.desc(), _c.id.desc())
_LIST_FIRST = Compiled(
    select(table).where(_c.user_id == bindparam("user_id")).order_by(*_ORDER).limit(bindparam("n"))
)
_LIST_AFTER = Compiled(
    select(table)
    .where(
        _c.user_id == bindparam("user_id"),
        tuple_(_c.create_time, _c.id)
        < tuple_(
            bindparam("after_time", type_=_c.create_time.type),
            bindparam("after_id", type_=_c.id.type),
        ),
    )
    .order_by(*_ORDER)
    .limit(bindparam("n"))
)
# First pages of several users' lists in one statement (PostgreSQL): one LATERAL index scan per
# (user, limit), as _LIST_FIRST's; each row says which request it answers.
_FIRST_PAGES = Compiled(
    text(
        f"SELECT r.ord, {', '.join('c.' + column.name for column in table.c)} "
        "FROM unnest(CAST(:user_ids AS TEXT[]), CAST(:limits AS INTEGER[])) "
        "WITH ORDINALITY AS r(user_id, n, ord) "
        f"CROSS JOIN LATERAL (SELECT * FROM {table.name} WHERE user_id = r.user_id "
        "ORDER BY create_time DESC, id DESC LIMIT r.n) AS c "
        "ORDER BY r.ord, c.create_time DESC, c.id DESC"
    ).bindparams(
        bindparam("user_ids", type_=ARRAY(String())), bindparam("limits", type_=ARRAY(Integer()))
    ),
    result_types=[BigInteger(), *(column.type for column in table.c)],
)
# The conversation and, newest first, the (role, content, status) of its last `n` messages as
# three arrays: one row, one round trip where a turn would otherwise make two (PostgreSQL:
# LATERAL and arrays). The aggregate answers one row even for a conversation with no messages.
_WITH_RECENT = Compiled(
    text(
        f"SELECT {', '.join('c.' + column.name for column in table.c)}, "
        "h.roles, h.contents, h.statuses "
        f"FROM {table.name} AS c CROSS JOIN LATERAL ("
        "SELECT array_agg(m.role ORDER BY m.position DESC) AS roles, "
        "array_agg(m.content ORDER BY m.position DESC) AS contents, "
        "array_agg(m.status ORDER BY m.position DESC) AS statuses "
        f"FROM (SELECT role, content, status, position FROM {messages_table.name} "
        "WHERE conversation_pk = c.pk AND position <= c.message_count "
        "ORDER BY position DESC LIMIT :n) AS m) AS h "
        "WHERE c.user_id = :user_id AND c.id = :id"
    ).bindparams(
        bindparam("user_id", type_=String()),
        bindparam("id", type_=String()),
        bindparam("n", type_=Integer()),
    ),
    result_types=[*(column.type for column in table.c), *[ARRAY(Text())] * 3],
)
_EXPIRED = _c.generation_lease_expires.is_(None) | (_c.generation_lease_expires <= bindparam("now"))
_LOCK_VALUES = {
    "generating_message_id": bindparam("message_id"),
    "generating_since": bindparam("now"),
    "generation_lease_expires": bindparam("lease_expires"),
    "message_count": _c.message_count + bindparam("new_messages"),
    "content_bytes": _c.content_bytes + bindparam("new_bytes"),
    "update_time": bindparam("now"),
    "etag": bindparam("new_etag"),
}
_LOCK_FREE = Compiled(
    update(table)
    .where(_c.pk == bindparam("cpk"), _c.generating_message_id.is_(None))
    .values(_LOCK_VALUES)
    .returning(_c.message_count)
)
_LOCK_STALE = Compiled(
    update(table)
    .where(_c.pk == bindparam("cpk"), _c.generating_message_id == bindparam("held_by"), _EXPIRED)
    .values(_LOCK_VALUES)
    .returning(_c.message_count)
)
_UNLOCK = Compiled(
    update(table)
    .where(_c.pk == bindparam("cpk"), _c.generating_message_id == bindparam("message_id"))
    .values(
        generating_message_id=None,
        generating_since=None,
        generation_lease_expires=None,
        content_bytes=_c.content_bytes + bindparam("new_bytes"),
        update_time=bindparam("now"),
        etag=bindparam("new_etag"),
    )
)
_RENEW = Compiled(
    update(table)
    .where(_c.pk == bindparam("cpk"), _c.generating_message_id == bindparam("message_id"))
    .values(generation_lease_expires=bindparam("lease_expires"))
)
_EXPIRED_LEASES = (
    select(_c.pk, _c.generating_message_id)
    .where(_c.generating_message_id.is_not(None), _EXPIRED)
    .order_by(_c.generation_lease_expires)
    .limit(bindparam("n"))
)
_RELEASE_EXPIRED = (
    update(table)
    .where(_c.pk == bindparam("cpk"), _c.generating_message_id == bindparam("message_id"), _EXPIRED)
    .values(
        generating_message_id=None,
        generating_since=None,
        generation_lease_expires=None,
        update_time=bindparam("now"),
        etag=bindparam("new_etag"),
    )
)
_DELETE = delete(table).where(_c.pk == bindparam("cpk")).returning(_c.content_bytes)
_DELETE_AT_ETAG = (
    delete(table)
    .where(_c.pk == bindparam("cpk"), _c.etag == bindparam("expected_etag"))
    .returning(_c.content_bytes)
)


def count(connection: Connection, user_id: str) -> int:
    """How many conversations the user holds (its max_conversations cap)."""
    return int(connection.execute(_COUNT, {"user_id": user_id}).scalar_one())


def insert(connection: Connection, row: ConversationRow) -> None:
    """Stores `row` and sets its `pk`. Raises sqlalchemy.exc.IntegrityError when the user
    already has a conversation of that id."""
    values = {name: getattr(row, name) for name in _c.keys() if name != "pk"}
    row.pk = int(connection.execute(_INSERT, values).scalar_one())


def get(
    connection: Connection, user_id: str, conversation_id: str, *, for_update: bool = False
) -> ConversationRow | None:
    """`for_update`: row-locked until the transaction ends (PostgreSQL; SQLite serialises
    writers anyway), for a write that depends on the values read."""
    query = _GET_FOR_UPDATE if for_update else _GET
    row = query.first(connection, {"user_id": user_id, "id": conversation_id})
    return None if row is None else ConversationRow(*row)


def with_recent_messages(
    connection: Connection, user_id: str, conversation_id: str, limit: int
) -> tuple[ConversationRow, list[tuple[str, str, str]]] | None:
    """`get(user_id, conversation_id)` and `store.messages.before(its pk, message_count + 1,
    limit)`: one statement on PostgreSQL (LATERAL), those two on SQLite."""
    if connection.dialect.name != "postgresql":
        conversation = get(connection, user_id, conversation_id)
        if conversation is None:
            return None
        position = conversation.message_count + 1
        return conversation, messages.before(connection, conversation.pk, position, limit)
    row = _WITH_RECENT.first(connection, {"user_id": user_id, "id": conversation_id, "n": limit})
    if row is None:
        return None
    *columns, roles, contents, statuses = row
    recent = list(zip(roles, contents, statuses, strict=True)) if roles is not None else []
    return ConversationRow(*columns), recent


@compiled_only
def list_page(
    connection: Connection, user_id: str, after: tuple[datetime, str] | None, limit: int
) -> list[ConversationRow]:
    """The user's conversations, newest first, strictly after the `(create_time, id)` cursor."""
    if after is None:
        rows = _LIST_FIRST.rows(connection, {"user_id": user_id, "n": limit})
    else:
        rows = _LIST_AFTER.rows(
            connection,
            {"user_id": user_id, "after_time": after[0], "after_id": after[1], "n": limit},
        )
    return [ConversationRow(*row) for row in rows]


@compiled_only
def first_pages(
    connection: Connection, requests: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], list[ConversationRow]]:
    """`list_page(user_id, None, limit)` for each (user_id, limit), in one statement
    (PostgreSQL only: LATERAL)."""
    pages: dict[tuple[str, int], list[ConversationRow]] = {request: [] for request in requests}
    rows = _FIRST_PAGES.rows(
        connection,
        {"user_ids": [user for user, _ in requests], "limits": [n for _, n in requests]},
    )
    for ordinal, *row in rows:
        pages[requests[ordinal - 1]].append(ConversationRow(*row))
    return pages


def update_fields(
    connection: Connection,
    pk: int,
    values: Mapping[str, Any],
    *,
    expected_etag: str | None,
    new_etag: str,
    now: datetime,
) -> ConversationRow | None:
    """Applies `values` if the row exists (and still has `expected_etag` when given); the row
    as written, None when nothing was."""
    query = update(table).where(_c.pk == pk)
    if expected_etag is not None:
        query = query.where(_c.etag == expected_etag)
    query = query.values(**values, etag=new_etag, update_time=now).returning(*_c)
    row = connection.execute(query).first()
    return None if row is None else ConversationRow(*row)


def delete_one(connection: Connection, pk: int, *, expected_etag: str | None) -> int | None:
    """Deletes the conversation and its messages; the message bytes it held (as of the
    delete itself, so a settle committed meanwhile is included), None when absent or
    the etag is stale."""
    # The messages go with it: ON DELETE CASCADE, which SQLite enforces too
    # (store.database turns foreign keys on for every connection).
    if expected_etag is None:
        freed = connection.execute(_DELETE, {"cpk": pk}).scalar_one_or_none()
    else:
        freed = connection.execute(
            _DELETE_AT_ETAG, {"cpk": pk, "expected_etag": expected_etag}
        ).scalar_one_or_none()
    return None if freed is None else int(freed)


def try_lock(
    connection: Connection,
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
    params: dict[str, Any] = {
        "cpk": pk,
        "message_id": message_id,
        "now": now,
        "lease_expires": lease_expires,
        "new_messages": new_messages,
        "new_bytes": new_bytes,
        "new_etag": new_etag,
    }
    if held_by is None:
        count = _LOCK_FREE.scalar(connection, params)
    else:
        count = _LOCK_STALE.scalar(connection, {**params, "held_by": held_by})
    return None if count is None else int(count)


def unlock(
    connection: Connection,
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
    params = {
        "cpk": pk,
        "message_id": message_id,
        "now": now,
        "new_etag": new_etag,
        "new_bytes": new_bytes,
    }
    return _UNLOCK.rowcount(connection, params) > 0


def renew_lease(
    connection: Connection, pk: int, *, message_id: str, lease_expires: datetime
) -> bool:
    """Moves the lease of `message_id` on; False when it no longer holds the lock."""
    params = {"cpk": pk, "message_id": message_id, "lease_expires": lease_expires}
    return _RENEW.rowcount(connection, params) > 0


def expired_leases(connection: Connection, now: datetime, limit: int) -> list[tuple[int, str]]:
    """(conversation pk, answer id) of locks whose lease ran out by `now`, oldest first."""
    result = connection.execute(_EXPIRED_LEASES, {"now": now, "n": limit})
    return [(int(pk), str(message_id)) for pk, message_id in result]


def release_expired(
    connection: Connection, pk: int, *, message_id: str, now: datetime, new_etag: str
) -> bool:
    """Frees the lock of `message_id` if its lease is still run out (not renewed meanwhile)."""
    params = {"cpk": pk, "message_id": message_id, "now": now, "new_etag": new_etag}
    return connection.execute(_RELEASE_EXPIRED, params).rowcount > 0
