"""Queries on user_limits: one row per user whose limits an admin set."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from store.compiled import Compiled
from store.records import UserLimitsRow
from store.tables import user_limits as table

_c = table.c
_GET = select(table).where(_c.user_id == bindparam("user_id"))
_LIMITS = Compiled(select(_c.limits).where(_c.user_id == bindparam("user_id")))


def get(connection: Connection, user_id: str) -> UserLimitsRow | None:
    row = connection.execute(_GET, {"user_id": user_id}).first()
    return None if row is None else UserLimitsRow(*row)


def limits_of(connection: Connection, user_id: str) -> dict[str, Any] | None:
    """The user's stored limits alone (admission's read): None when it has none."""
    stored: dict[str, Any] | None = _LIMITS.scalar(connection, {"user_id": user_id})
    return stored


def put(
    connection: Connection,
    user_id: str,
    limits: dict[str, Any] | None,
    *,
    expected_etag: str | None,
    new_etag: str,
    now: datetime,
) -> bool:
    """Writes the user's limits; with `expected_etag`, only over that version (False otherwise).

    Without one, an upsert (INSERT ... ON CONFLICT DO UPDATE): two processes cannot both insert.
    """
    if expected_etag is not None:
        result = connection.execute(
            update(table)
            .where(_c.user_id == user_id, _c.etag == expected_etag)
            .values(limits=limits, etag=new_etag, update_time=now)
        )
        return result.rowcount == 1
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(user_id=user_id, limits=limits, etag=new_etag, update_time=now)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[_c.user_id],
            set_={"limits": limits, "etag": new_etag, "update_time": now},
        )
    )
    return True
