"""Daily usage counters: one upsert per generation, summed per (day, user, model)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import UsageRow


async def add(
    session: AsyncSession,
    *,
    day: date,
    user_id: str,
    model: str,
    requests: int,
    input_tokens: int,
    output_tokens: int,
    cost_micros: int = 0,
) -> None:
    """Adds to the counters in one statement (INSERT ... ON CONFLICT DO UPDATE): race-free
    across processes."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(UsageRow).values(
        day=day,
        user_id=user_id,
        model=model,
        requests=requests,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_micros=cost_micros,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[UsageRow.day, UsageRow.user_id, UsageRow.model],
        set_={
            "requests": UsageRow.requests + statement.excluded.requests,
            "input_tokens": UsageRow.input_tokens + statement.excluded.input_tokens,
            "output_tokens": UsageRow.output_tokens + statement.excluded.output_tokens,
            "cost_micros": UsageRow.cost_micros + statement.excluded.cost_micros,
        },
    )
    await session.execute(statement)


async def rows(
    session: AsyncSession, *, start: date, end: date, user_id: str | None, model: str | None
) -> list[UsageRow]:
    """Rows in [start, end], by date then user then model. `user_id=None`: every user."""
    query = select(UsageRow).where(UsageRow.day >= start, UsageRow.day <= end)
    if user_id is not None:
        query = query.where(UsageRow.user_id == user_id)
    if model:
        query = query.where(UsageRow.model == model)
    query = query.order_by(UsageRow.day, UsageRow.user_id, UsageRow.model)
    return list((await session.execute(query)).scalars())
