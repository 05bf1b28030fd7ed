"""Queries on api_keys. The hot one is `credentials`: one indexed lookup per request (when
the verified-key cache has no fresh entry)."""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, select, tuple_, update

from store.compiled import Compiled
from store.records import ApiKeyRow
from store.tables import api_keys as table

_c = table.c
_INSERT = table.insert()
_CREDENTIALS = Compiled(
    select(_c.id, _c.user_id, _c.role, _c.revoke_time).where(
        _c.secret_hash == bindparam("secret_hash")
    )
)
_BY_HASH = select(table).where(_c.secret_hash == bindparam("secret_hash"))
_GET = select(table).where(_c.id == bindparam("key_id"))
_LIMITS = Compiled(select(_c.limits).where(_c.id == bindparam("key_id")))
_COUNT_ACTIVE = select(func.count()).where(
    _c.user_id == bindparam("user_id"), _c.revoke_time.is_(None)
)
_REVOKE = (
    update(table)
    .where(_c.id == bindparam("key_id"), _c.revoke_time.is_(None))
    .values(revoke_time=bindparam("now"))
    .returning(*_c)
)


def insert(connection: Connection, row: ApiKeyRow) -> None:
    """Raises sqlalchemy.exc.IntegrityError when the hash (or id) is taken."""
    connection.execute(_INSERT, {name: getattr(row, name) for name in _c.keys()})


class Credentials(NamedTuple):
    id: str
    user_id: str
    role: str
    revoke_time: datetime | None


def credentials(connection: Connection, secret_hash: str) -> Credentials | None:
    """The key with this hash: the lookup of every request whose key is not in the
    verified-key cache."""
    row = _CREDENTIALS.first(connection, {"secret_hash": secret_hash})
    return None if row is None else Credentials(*row)


def find_by_hash(connection: Connection, secret_hash: str) -> ApiKeyRow | None:
    row = connection.execute(_BY_HASH, {"secret_hash": secret_hash}).first()
    return None if row is None else ApiKeyRow(*row)


def get(connection: Connection, key_id: str) -> ApiKeyRow | None:
    row = connection.execute(_GET, {"key_id": key_id}).first()
    return None if row is None else ApiKeyRow(*row)


def limits_of(connection: Connection, key_id: str) -> dict[str, Any] | None:
    """The key's stored limits alone (admission's read): None when it has none or is gone."""
    stored: dict[str, Any] | None = _LIMITS.scalar(connection, {"key_id": key_id})
    return stored


def list_page(
    connection: Connection,
    user_id: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
    *,
    role: str | None = None,
) -> list[ApiKeyRow]:
    """Keys newest first, starting strictly after the `(create_time, id)` cursor.

    `user_id=None` lists every user's keys (admins); `role` keeps only keys of that role.
    """
    query = select(table)
    if user_id is not None:
        query = query.where(_c.user_id == user_id)
    if role is not None:
        query = query.where(_c.role == role)
    if after is not None:
        query = query.where(tuple_(_c.create_time, _c.id) < tuple_(*after))
    query = query.order_by(_c.create_time.desc(), _c.id.desc()).limit(limit)
    return [ApiKeyRow(*row) for row in connection.execute(query)]


def revoke(connection: Connection, key_id: str, now: datetime) -> ApiKeyRow | None:
    """Marks the key revoked unless it already is; the key as revoked when this call did it."""
    row = connection.execute(_REVOKE, {"key_id": key_id, "now": now}).first()
    return None if row is None else ApiKeyRow(*row)


def count_active(connection: Connection, user_id: str) -> int:
    return int(connection.execute(_COUNT_ACTIVE, {"user_id": user_id}).scalar_one())


def update_fields(
    connection: Connection,
    key_id: str,
    values: dict[str, Any],
    expected_etag: str | None,
    new_etag: str,
) -> ApiKeyRow | None:
    """Sets `values` and a new etag, only if the etag is `expected_etag` (when given); the key
    as written, None when nothing was."""
    statement = update(table).where(_c.id == key_id)
    if expected_etag is not None:
        statement = statement.where(_c.etag == expected_etag)
    row = connection.execute(statement.values(**values, etag=new_etag).returning(*_c)).first()
    return None if row is None else ApiKeyRow(*row)
