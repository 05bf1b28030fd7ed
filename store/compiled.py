"""Hot statements compiled once per dialect and run straight on the driver.

For a short indexed statement, SQLAlchemy's execution path (an execution
context, the compiled-cache lookup, parameter and result set-up, event
dispatch) costs several times what the database does: measured here, about
50 µs against 8 µs for a one-row SELECT on SQLite, and about 110 against 60 µs
on asyncpg. A turn runs about ten statements, a listing one, so `Compiled` runs
store/'s hot statements itself: SQLAlchemy still builds each statement, compiles
it (once per dialect: its SQL, bind casts and parameter order) and supplies the
types' own bind and result processors, so values go in and come out exactly as
through SQLAlchemy; the driver runs the SQL on the unit's connection, inside the
unit's transaction.

SQLAlchemy's own execution is still used where a statement cannot go straight
to the driver: on PostgreSQL, in a write whose transaction has not begun yet
(the asyncpg adapter begins it with the first statement it runs); and wherever
the engine has listeners for every statement (tracing's spans, when tracing is
on), so that they see each one. A driver's
error is raised as SQLAlchemy would raise it (IntegrityError, OperationalError
and so on, the parameters hidden), and a connection that broke is invalidated,
so callers and `store.database.is_unavailable` see no difference.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Executable, TextClause
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine
from sqlalchemy.util import await_

Processor = Callable[[Any], Any] | None
# The SQLSTATE classes of a server that is not there for us: 08 connection exception, 57P
# admin or crash shutdown (pg_terminate_backend, restart), 53 insufficient resources.
OUTAGE_SQLSTATES = ("08", "57P", "53")
P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Form:
    """A statement as one dialect runs it."""

    sql: str
    names: tuple[str, ...]  # the bind parameters, in the order the SQL takes them
    defaults: Mapping[str, Any]  # values the statement carries itself (a literal NULL)
    binds: tuple[Processor, ...]  # per position
    results: tuple[Processor, ...]  # per column of a row
    returns_rows: bool


class Compiled:
    """`statement`, run straight on the driver: `rows`, `first`, `scalar`, `rowcount`.

    `column_keys`: an INSERT's columns (the others take their defaults). `result_types`:
    the columns of a textual statement that returns rows.
    """

    def __init__(
        self,
        statement: Executable,
        *,
        column_keys: Sequence[str] | None = None,
        result_types: Sequence[TypeEngine[Any]] = (),
    ) -> None:
        self.statement = statement
        self._column_keys = list(column_keys) if column_keys is not None else None
        if isinstance(statement, TextClause):
            self._result_types = list(result_types)
        else:
            self._result_types = [
                column.type
                for column in getattr(statement, "exported_columns", ())  # selects, RETURNING
            ]
        self._forms: dict[str, _Form] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        rows, _count = self._run(connection, params)
        return rows

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        rows = self.rows(connection, params)
        return rows[0] if rows else None

    def scalar(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        row = self.first(connection, params)
        return None if row is None else row[0]

    def rowcount(self, connection: Connection, params: Mapping[str, Any]) -> int:
        _rows, count = self._run(connection, params)
        return count

    # -- running it ---------------------------------------------------------------------

    def _form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect.name)
        if form is None:
            form = self._forms[dialect.name] = self._compile(dialect)
        return form

    def _compile(self, dialect: Dialect) -> _Form:
        statement: Any = self.statement  # every Executable here is a ClauseElement too
        compiled = statement.compile(dialect=dialect, column_keys=self._column_keys)
        names = tuple(compiled.positiontup or ())
        binds = compiled.binds
        return _Form(
            sql=compiled.string,
            names=names,
            # What the statement carries itself (a NULL in its VALUES); a required parameter
            # missing from a call is a KeyError, as it would be an error in SQLAlchemy.
            defaults={
                name: bind.effective_value for name, bind in binds.items() if not bind.required
            },
            binds=tuple(
                binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
            ),
            results=tuple(
                type_.dialect_impl(dialect).result_processor(dialect, None)
                for type_ in self._result_types
            ),
            returns_rows=bool(self._result_types),
        )

    def _arguments(self, form: _Form, params: Mapping[str, Any]) -> list[Any]:
        arguments = []
        for name, process in zip(form.names, form.binds, strict=True):
            value = params[name] if name in params else form.defaults[name]
            arguments.append(value if process is None or value is None else process(value))
        return arguments

    def _rows(self, form: _Form, raw: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        processors = form.results
        if not any(processors):
            return [tuple(row) for row in raw]
        return [
            tuple(
                value if process is None or value is None else process(value)
                for value, process in zip(row, processors, strict=True)
            )
            for row in raw
        ]

    def _run(
        self, connection: "Connection | DriverConnection", params: Mapping[str, Any]
    ) -> tuple[list[tuple[Any, ...]], int]:
        driver: Any = None  # asyncpg's connection; None: SQLite's, through its cursor
        if isinstance(connection, DriverConnection):
            driver = connection.driver
        elif connection.dispatch.before_cursor_execute:
            # Someone watches every statement (tracing's spans): they see this one too.
            return self._through_sqlalchemy(connection, params)
        elif connection.dialect.name != "sqlite":
            fairy = connection.connection
            driver = fairy.driver_connection
            if not fairy.dbapi_connection.autocommit and not driver.is_in_transaction():  # type: ignore[union-attr]
                return self._through_sqlalchemy(connection, params)
        form = self._form(connection.dialect)
        arguments = self._arguments(form, params)
        try:
            if driver is None:
                raw, count = _on_sqlite(connection, form, arguments)  # type: ignore[arg-type]
            else:
                raw, count = _on_driver(driver, form, arguments)
        except Exception as exc:
            raise _as_sqlalchemy(connection, form.sql, arguments, exc) from exc
        except BaseException:  # cancelled mid-statement: the connection's state is unknown
            if driver is not None:
                connection.invalidate()
            raise
        return self._rows(form, raw), count

    def _through_sqlalchemy(
        self, connection: Connection, params: Mapping[str, Any]
    ) -> tuple[list[tuple[Any, ...]], int]:
        result = connection.execute(self.statement, dict(params))
        if result.returns_rows:
            rows = [tuple(row) for row in result]
            return rows, len(rows)
        return [], result.rowcount


def _on_sqlite(
    connection: Connection, form: _Form, arguments: list[Any]
) -> tuple[Sequence[Any], int]:
    """The statement on the unit's pysqlite connection."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(form.sql, arguments)
        return (cursor.fetchall() if form.returns_rows else []), cursor.rowcount
    finally:
        cursor.close()


def _on_driver(driver: Any, form: _Form, arguments: list[Any]) -> tuple[Sequence[Any], int]:
    """The statement on an asyncpg connection (from inside SQLAlchemy's greenlet bridge)."""
    if form.returns_rows:
        raw = await_(driver.fetch(form.sql, *arguments))
        return raw, len(raw)
    status = await_(driver.execute(form.sql, *arguments))
    return [], _affected(status)


class DriverConnection:
    """What a compiled-only unit runs on when `store.database` hands it a PostgreSQL driver
    connection of its own pool (store.driver_pool) rather than a SQLAlchemy Connection:
    the dialect, the asyncpg connection, and a way to say it broke. Only `Compiled`
    statements can run on it; each runs on its own (autocommit)."""

    __slots__ = ("_invalidate", "broken", "dialect", "driver")

    def __init__(
        self, dialect: Dialect, driver: Any, invalidate: Callable[[BaseException | None], None]
    ) -> None:
        self.dialect = dialect
        self.driver = driver
        self.broken = False
        self._invalidate = invalidate

    def invalidate(self, error: BaseException | None = None) -> None:
        if not self.broken:
            self.broken = True
            self._invalidate(error)

    def execute(self, *_args: Any, **_kwargs: Any) -> Any:
        raise TypeError(
            "a unit marked compiled_only ran a statement that is not a store.compiled one"
        )


def compiled_only(unit: Callable[P, T]) -> Callable[P, T]:
    """Marks a unit of work whose statements are all `Compiled` ones (and which writes, if at
    all, in one statement): on PostgreSQL, `Database.read` and `Database.write_statement` may
    run it on a driver connection straight from their own pool (store.driver_pool), without
    SQLAlchemy's pool and Connection, which cost about a third of a one-statement unit."""
    unit.compiled_only = True  # type: ignore[attr-defined]
    return unit


def _affected(status: str) -> int:
    """The row count of a command tag: `UPDATE 3`, `DELETE 0`, `INSERT 0 1`."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


def _as_sqlalchemy(
    connection: "Connection | DriverConnection", sql: str, arguments: list[Any], error: Exception
) -> Exception:
    """The error SQLAlchemy's own execution would raise; a broken connection invalidated."""
    dialect = connection.dialect
    if dialect.name == "sqlite":
        if not isinstance(error, dialect.loaded_dbapi.Error):
            return error
        return sa_exc.DBAPIError.instance(
            sql, arguments, error, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
        )
    import asyncpg  # PostgreSQL only

    if isinstance(error, asyncpg.IntegrityConstraintViolationError):
        return sa_exc.IntegrityError(sql, arguments, error, hide_parameters=True)
    if not isinstance(
        error, asyncpg.PostgresError | asyncpg.InterfaceError | OSError | TimeoutError
    ):
        if type(error).__module__.partition(".")[0] != "asyncpg":
            return error  # not the driver's: a bug of ours, raised as it is
    state = str(getattr(error, "sqlstate", "") or "")
    server_said = isinstance(error, asyncpg.PostgresError)
    if server_said and not state.startswith(OUTAGE_SQLSTATES):
        # The server refused the statement; the connection itself is fine.
        return sa_exc.DatabaseError(sql, arguments, error, hide_parameters=True)
    # Anything else leaves the connection unusable or in an unknown state: a dropped socket,
    # a server shutting down, a timeout mid-statement, the client's own protocol state
    # (another operation in progress after a cancelled one). It is not handed out again.
    connection.invalidate(error)
    return sa_exc.OperationalError(
        sql, arguments, error, hide_parameters=True, connection_invalidated=True
    )
