"""Queries on messages. A thread is ordered by `position`, which is also its page cursor.

Pieces of units of work (store.database), with their statements built once.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from store.records import MessageRow
from store.tables import messages as table

_c = table.c
_COLUMNS = tuple(name for name in _c.keys() if name != "pk")
_INSERT = table.insert().returning(_c.id, _c.pk)
_GET = select(table).where(_c.conversation_pk == bindparam("cpk"), _c.id == bindparam("id"))
_GET_BY_PK = select(table).where(_c.pk == bindparam("mpk"))
_PAGE = (
    select(table)
    .where(_c.conversation_pk == bindparam("cpk"), _c.position > bindparam("after"))
    .order_by(_c.position)
    .limit(bindparam("n"))
)
# History is read newest first, and only what a prompt needs of it.
_BEFORE = (
    select(_c.role, _c.content, _c.status)
    .where(_c.conversation_pk == bindparam("cpk"), _c.position < bindparam("before"))
    .order_by(_c.position.desc())
    .limit(bindparam("n"))
)


def insert(connection: Connection, *rows: MessageRow) -> None:
    """Stores `rows` in one statement and sets their `pk`s."""
    # Several parameter sets with RETURNING: SQLAlchemy's "insertmanyvalues" sends them as
    # one INSERT ... VALUES (...), (...) on both databases.
    values = [{name: getattr(row, name) for name in _COLUMNS} for row in rows]
    keys = {message_id: pk for message_id, pk in connection.execute(_INSERT, values)}
    for row in rows:
        row.pk = int(keys[row.id])


def get(connection: Connection, conversation_pk: int, message_id: str) -> MessageRow | None:
    row = connection.execute(_GET, {"cpk": conversation_pk, "id": message_id}).first()
    return None if row is None else MessageRow(*row)


def get_by_pk(connection: Connection, pk: int) -> MessageRow | None:
    row = connection.execute(_GET_BY_PK, {"mpk": pk}).first()
    return None if row is None else MessageRow(*row)


def list_page(
    connection: Connection, conversation_pk: int, after_position: int, limit: int
) -> list[MessageRow]:
    """Messages oldest first, from the one after `after_position` (0: the start)."""
    result = connection.execute(
        _PAGE, {"cpk": conversation_pk, "after": after_position, "n": limit}
    )
    return [MessageRow(*row) for row in result]


def before(
    connection: Connection, conversation_pk: int, position: int, limit: int
) -> list[tuple[str, str, str]]:
    """(role, content, status) of up to `limit` messages before `position`, newest first
    (history is built backwards)."""
    result = connection.execute(_BEFORE, {"cpk": conversation_pk, "before": position, "n": limit})
    return [(role, content, status) for role, content, status in result]


def finish(connection: Connection, pk: int, values: Mapping[str, Any], *, only_status: str) -> bool:
    """Writes the outcome of a generation if the message is still in `only_status`.

    The condition keeps a late writer (e.g. a process whose lock was taken
    over as stale) from overwriting an outcome already recorded.
    """
    statement = _finish_statement(tuple(values))
    params = {**{f"v_{name}": value for name, value in values.items()}}
    params["mpk"], params["only_status"] = pk, only_status
    return connection.execute(statement, params).rowcount > 0


_FINISH: dict[tuple[str, ...], Any] = {}


def _finish_statement(columns: tuple[str, ...]) -> Any:
    """The UPDATE for this set of columns, built on first use (a handful of sets exist)."""
    statement = _FINISH.get(columns)
    if statement is None:
        statement = (
            update(table)
            .where(_c.pk == bindparam("mpk"), _c.status == bindparam("only_status"))
            .values({name: bindparam(f"v_{name}") for name in columns})
        )
        _FINISH[columns] = statement
    return statement
