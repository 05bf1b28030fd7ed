"""Daily usage counters: one upsert per generation (or batch), summed per (day, user, model)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection, Executable, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from store.compiled import Compiled
from store.records import UsageRow
from store.tables import usage_daily as table

_c = table.c
_COUNTS = ("requests", "input_tokens", "output_tokens", "cost_micros")
_NAMES = ("day", "user_id", "model", *_COUNTS)


def _upsert(insert: Callable[[Table], Any]) -> Executable:
    statement = insert(table)
    upsert: Executable = statement.on_conflict_do_update(
        index_elements=[_c.day, _c.user_id, _c.model],
        set_={name: _c[name] + statement.excluded[name] for name in _COUNTS},
    )
    return upsert


_ADD = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}
# One row (a native turn's usage) straight on the driver; batches go through executemany.
_ADD_ONE = {name: Compiled(statement) for name, statement in _ADD.items()}


def add(
    connection: Connection,
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
    values = (day, user_id, model, requests, input_tokens, output_tokens, cost_micros)
    _ADD_ONE[connection.dialect.name].rowcount(connection, dict(zip(_NAMES, values, strict=True)))


def add_many(
    connection: Connection, counts: list[tuple[date, str, str, int, int, int, int]]
) -> None:
    """`add` for several (day, user, model, requests, input, output, cost) at once."""
    if not counts:
        return
    connection.execute(
        _ADD[connection.dialect.name], [dict(zip(_NAMES, row, strict=True)) for row in counts]
    )


def rows(
    connection: Connection, *, start: date, end: date, user_id: str | None, model: str | None
) -> list[UsageRow]:
    """Rows in [start, end], by date then user then model. `user_id=None`: every user."""
    query = select(table).where(_c.day >= start, _c.day <= end)
    if user_id is not None:
        query = query.where(_c.user_id == user_id)
    if model:
        query = query.where(_c.model == model)
    query = query.order_by(_c.day, _c.user_id, _c.model)
    return [UsageRow(*row) for row in connection.execute(query)]
