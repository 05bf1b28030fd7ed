"""Queries on user_limits: one row per user whose limits an admin set."""

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import UserLimitsRow


async def get(session: AsyncSession, user_id: str) -> UserLimitsRow | None:
    return await session.get(UserLimitsRow, user_id)


async def put(
    session: AsyncSession,
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
        result = await session.execute(
            update(UserLimitsRow)
            .where(UserLimitsRow.user_id == user_id, UserLimitsRow.etag == expected_etag)
            .values(limits=limits, etag=new_etag, update_time=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(UserLimitsRow).values(
        user_id=user_id, limits=limits, etag=new_etag, update_time=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[UserLimitsRow.user_id],
            set_={"limits": limits, "etag": new_etag, "update_time": now},
        )
    )
    return True
