"""Queries on messages. A thread is ordered by `position`, which is also its page cursor.

Pieces of units of work (store.database), with their statements built once.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from store.compiled import Compiled
from store.records import MessageRow
from store.tables import messages as table

_c = table.c
_COLUMNS = tuple(name for name in _c.keys() if name != "pk")
_INSERT = Compiled(table.insert().returning(_c.pk), column_keys=_COLUMNS)
_GET = Compiled(
    select(table).where(_c.conversation_pk == bindparam("cpk"), _c.id == bindparam("id"))
)
_GET_BY_PK = Compiled(select(table).where(_c.pk == bindparam("mpk")))
_PAGE = Compiled(
    select(table)
    .where(_c.conversation_pk == bindparam("cpk"), _c.position > bindparam("after"))
    .order_by(_c.position)
    .limit(bindparam("n"))
)
# History is read newest first, and only what a prompt needs of it.
_BEFORE = Compiled(
    select(_c.role, _c.content, _c.status)
    .where(_c.conversation_pk == bindparam("cpk"), _c.position < bindparam("before"))
    .order_by(_c.position.desc())
    .limit(bindparam("n"))
)


def insert(connection: Connection, *rows: MessageRow) -> None:
    """Stores `rows` and sets their `pk`s."""
    for row in rows:
        row.pk = int(_INSERT.scalar(connection, {name: getattr(row, name) for name in _COLUMNS}))


def get(connection: Connection, conversation_pk: int, message_id: str) -> MessageRow | None:
    row = _GET.first(connection, {"cpk": conversation_pk, "id": message_id})
    return None if row is None else MessageRow(*row)


def get_by_pk(connection: Connection, pk: int) -> MessageRow | None:
    row = _GET_BY_PK.first(connection, {"mpk": pk})
    return None if row is None else MessageRow(*row)


def list_page(
    connection: Connection, conversation_pk: int, after_position: int, limit: int
) -> list[MessageRow]:
    """Messages oldest first, from the one after `after_position` (0: the start)."""
    params = {"cpk": conversation_pk, "after": after_position, "n": limit}
    return [MessageRow(*row) for row in _PAGE.rows(connection, params)]


def before(
    connection: Connection, conversation_pk: int, position: int, limit: int
) -> list[tuple[str, str, str]]:
    """(role, content, status) of up to `limit` messages before `position`, newest first
    (history is built backwards)."""
    rows = _BEFORE.rows(connection, {"cpk": conversation_pk, "before": position, "n": limit})
    return [(role, content, status) for role, content, status in rows]


def finish(connection: Connection, pk: int, values: Mapping[str, Any], *, only_status: str) -> bool:
    """Writes the outcome of a generation if the message is still in `only_status`.

    The condition keeps a late writer (e.g. a process whose lock was taken
    over as stale) from overwriting an outcome already recorded.
    """
    statement = _finish_statement(tuple(values))
    params = {**{f"v_{name}": value for name, value in values.items()}}
    params["mpk"], params["only_status"] = pk, only_status
    return statement.rowcount(connection, params) > 0


_FINISH: dict[tuple[str, ...], Compiled] = {}


def _finish_statement(columns: tuple[str, ...]) -> Compiled:
    """The UPDATE for this set of columns, built on first use (a handful of sets exist)."""
    statement = _FINISH.get(columns)
    if statement is None:
        statement = Compiled(
            update(table)
            .where(_c.pk == bindparam("mpk"), _c.status == bindparam("only_status"))
            .values({name: bindparam(f"v_{name}") for name in columns})
        )
        _FINISH[columns] = statement
    return statement
