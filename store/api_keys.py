"""Queries on api_keys. The hot one is `find_by_hash`: one indexed lookup per request."""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Row, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from store.tables import ApiKeyRow


async def insert(session: AsyncSession, row: ApiKeyRow) -> None:
    session.add(row)
    await session.flush()


async def credentials(
    connection: AsyncConnection, secret_hash: str
) -> Row[str, str, str, datetime | None] | None:
    """(id, user_id, role, revoke_time) of the key with this hash: the lookup of every request."""
    result = await connection.execute(
        select(ApiKeyRow.id, ApiKeyRow.user_id, ApiKeyRow.role, ApiKeyRow.revoke_time).where(
            ApiKeyRow.secret_hash == secret_hash
        )
    )
    return result.first()


async def find_by_hash(session: AsyncSession, secret_hash: str) -> ApiKeyRow | None:
    result = await session.execute(select(ApiKeyRow).where(ApiKeyRow.secret_hash == secret_hash))
    return result.scalar_one_or_none()


async def get(session: AsyncSession, key_id: str) -> ApiKeyRow | None:
    return await session.get(ApiKeyRow, key_id)


async def list_page(
    session: AsyncSession,
    user_id: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
    *,
    role: str | None = None,
) -> list[ApiKeyRow]:
    """Keys newest first, starting strictly after the `(create_time, id)` cursor.

    `user_id=None` lists every user's keys (admins); `role` keeps only keys of that role.
    """
    query = select(ApiKeyRow)
    if user_id is not None:
        query = query.where(ApiKeyRow.user_id == user_id)
    if role is not None:
        query = query.where(ApiKeyRow.role == role)
    if after is not None:
        query = query.where(tuple_(ApiKeyRow.create_time, ApiKeyRow.id) < tuple_(*after))
    query = query.order_by(ApiKeyRow.create_time.desc(), ApiKeyRow.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def revoke(session: AsyncSession, key_id: str, now: datetime) -> bool:
    """Marks the key revoked unless it already is; True when this call revoked it."""
    result = cast(
        CursorResult[Any],
        await session.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.id == key_id, ApiKeyRow.revoke_time.is_(None))
            .values(revoke_time=now)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1


async def count_active(session: AsyncSession, user_id: str) -> int:
    query = select(func.count()).where(
        ApiKeyRow.user_id == user_id, ApiKeyRow.revoke_time.is_(None)
    )
    return int((await session.execute(query)).scalar_one())


async def update_fields(
    session: AsyncSession,
    key_id: str,
    values: dict[str, Any],
    expected_etag: str | None,
    new_etag: str,
) -> bool:
    """Sets `values` and a new etag, only if the etag is `expected_etag` (when given)."""
    statement = update(ApiKeyRow).where(ApiKeyRow.id == key_id)
    if expected_etag is not None:
        statement = statement.where(ApiKeyRow.etag == expected_etag)
    result = cast(
        CursorResult[Any],
        await session.execute(
            statement.values(**values, etag=new_etag).execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1
