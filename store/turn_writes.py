"""A turn's two writes, each one statement on PostgreSQL: starting it, and settling it.

- `start`: takes a free generation lock, stores the user message and the answer
  to come at the two positions it reserved, and counts the user message's bytes
  on the conversation and on its user (no cap: a capped charge can refuse, and
  a refusal must undo the rest, so it needs a transaction; domain.turns then
  uses the separate statements instead).
- `settle`: the answer's outcome, its bytes (on the conversation and its user,
  once the answer is written), the lock released, and the turn's usage.

On PostgreSQL each is one statement of data-modifying CTEs: atomic by itself,
so it runs in autocommit (`Database.write_statement`) and costs one round trip
instead of the six a transaction of separate statements takes. SQLite has no
data-modifying CTEs: there the same changes are made statement by statement
in the worker thread's transaction, through the other store modules, and the
tests hold the two forms to the same results.

Concurrent turns are batched on PostgreSQL (store.coalescing, group commit):
`start_many` and `settle_many` make many turns' changes in one statement of
the same CTEs over `unnest`ed arrays. Sums that several turns add to one row
(a user's bytes, a day's usage) are added up first, since one statement may
change a row only once; rows are locked in key order (conversations by `pk`
through `= ANY`, users and usage by their keys), so two batches never wait
for each other in a cycle. A batch the database refuses (a deadlock with a
statement of another kind, a value one turn cannot store) changed nothing:
its turns are then made one statement each, and only the one at fault fails.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Date,
    Integer,
    String,
    Text,
    bindparam,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine

from store import conversations, message_bytes, messages, usage
from store.coalescing import Failed
from store.compiled import Compiled, compiled_only
from store.database import is_unavailable
from store.records import ConversationRow, MessageRow
from store.tables import UtcDateTime
from store.tables import conversations as conversation_table

logger = logging.getLogger(__name__)
T = TypeVar("T")
Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Start:
    conversation_pk: int
    user_id: str
    user_message_id: str
    answer_id: str
    content: str
    model: str
    now: datetime
    lease_expires: datetime
    new_etag: str
    # Store nothing unless the conversation's etag is still this one (its context was known
    # to this process, not read: domain.turn_contexts). PostgreSQL's one statement only.
    expected_etag: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    conversation_pk: int
    user_id: str
    answer_pk: int
    answer_id: str
    # The answer's columns: content, status, tokens, finish_reason, error_code,
    # error_message, model (the one that answered), update_time.
    content: str
    status: str
    input_tokens: int
    output_tokens: int
    finish_reason: str | None
    error_code: int | None
    error_message: str | None
    model: str
    now: datetime
    new_etag: str
    cost_micros: int

    def answer_columns(self) -> dict[str, Any]:
        """The answer's columns as this settlement writes them."""
        return {
            "content": self.content,
            "status": self.status,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "finish_reason": self.finish_reason,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "model": self.model,
            "update_time": self.now,
        }

    def apply_to(self, answer: MessageRow) -> None:
        """`answer` as this settlement writes it."""
        for name, value in self.answer_columns().items():
            setattr(answer, name, value)


@dataclass(frozen=True, slots=True)
class Settled:
    """What a settlement did: whether it wrote the answer's outcome, and the conversation as it
    left it when it released the lock (PostgreSQL only: None on SQLite, and when the lock was
    no longer the answer's). That row includes whatever another writer changed meanwhile (an
    edit made while the answer was generated): it is what the next turn's read would find."""

    written: bool
    conversation: ConversationRow | None = None


def _typed(**types: TypeEngine[Any]) -> list[BindParameter[Any]]:
    """Bind parameters with their types, so PostgreSQL gets explicit casts (a parameter in a
    SELECT list has no column to take its type from)."""
    return [bindparam(name, type_=type_) for name, type_ in types.items()]


# The parameters of a turn's start and of its settlement, with their types: one value each
# in the one-turn statements, one array each (one element a turn) in the many-turn ones.
_START_TYPES: dict[str, TypeEngine[Any]] = {
    "cpk": BigInteger(),
    "answer_id": String(),
    "user_message_id": String(),
    "now": UtcDateTime(),
    "lease": UtcDateTime(),
    "bytes": BigInteger(),
    "etag": String(),
    "content": Text(),
    "model": String(),
    "user_id": String(),
    "expected_etag": String(),
}

_SETTLE_TYPES: dict[str, TypeEngine[Any]] = {
    "mpk": BigInteger(),
    "cpk": BigInteger(),
    "answer_id": String(),
    "user_id": String(),
    "content": Text(),
    "status": String(),
    "input_tokens": Integer(),
    "output_tokens": Integer(),
    "finish_reason": String(),
    "error_code": Integer(),
    "error_message": Text(),
    "model": String(),
    "update_time": UtcDateTime(),
    "etag": String(),
    "bytes": BigInteger(),
    "day": Date(),
    "cost": BigInteger(),
    "usage_input": BigInteger(),
    "usage_output": BigInteger(),
}


# A settlement answers the conversation as it left it (when it released the lock): its
# columns, in the table's order, as a ConversationRow takes them.
_CONVERSATION_TYPES = [column.type for column in conversation_table.c]


def _conversation_columns(prefix: str) -> str:
    return ", ".join(prefix + column.name for column in conversation_table.c)


def _arrays(types: dict[str, TypeEngine[Any]]) -> dict[str, TypeEngine[Any]]:
    return {name: ARRAY(type_) for name, type_ in types.items()}


_START = Compiled(
    text(
        """
WITH locked AS (
    UPDATE conversations SET
        generating_message_id = :answer_id, generating_since = :now,
        generation_lease_expires = :lease, message_count = message_count + 2,
        content_bytes = content_bytes + :bytes, update_time = :now, etag = :etag
    WHERE pk = :cpk AND generating_message_id IS NULL
        AND (:expected_etag IS NULL OR etag = :expected_etag)
    RETURNING message_count
), stored AS (
    INSERT INTO messages (conversation_pk, id, position, role, content, status, model,
        input_tokens, output_tokens, finish_reason, error_code, error_message,
        create_time, update_time)
    SELECT :cpk, :user_message_id, message_count - 1, 'USER', :content, 'COMPLETE', '',
        0, 0, NULL::varchar, NULL::integer, NULL::text, :now, :now FROM locked
    UNION ALL
    SELECT :cpk, :answer_id, message_count, 'ASSISTANT', '', 'IN_PROGRESS', :model,
        0, 0, NULL::varchar, NULL::integer, NULL::text, :now, :now FROM locked
    RETURNING id, pk, position
), charged AS (
    INSERT INTO user_message_bytes (user_id, message_bytes)
    SELECT :user_id, :bytes FROM locked
    ON CONFLICT (user_id) DO UPDATE
        SET message_bytes = user_message_bytes.message_bytes + EXCLUDED.message_bytes
    RETURNING 1
)
SELECT id, pk, position FROM stored
"""
    ).bindparams(*_typed(**_START_TYPES)),
    result_types=(String(), BigInteger(), Integer()),
)

_SETTLE = Compiled(
    text(
        f"""
WITH finished AS (
    UPDATE messages SET
        content = :content, status = :status, input_tokens = :input_tokens,
        output_tokens = :output_tokens, finish_reason = :finish_reason,
        error_code = :error_code, error_message = :error_message, model = :model,
        update_time = :update_time
    WHERE pk = :mpk AND status = 'IN_PROGRESS'
    RETURNING pk
), unlocked AS (
    UPDATE conversations SET
        generating_message_id = NULL, generating_since = NULL,
        generation_lease_expires = NULL,
        content_bytes = content_bytes
            + CASE WHEN EXISTS (SELECT 1 FROM finished) THEN :bytes ELSE 0 END,
        update_time = :update_time, etag = :etag
    WHERE pk = :cpk AND generating_message_id = :answer_id
    RETURNING {_conversation_columns("")}
), charged AS (
    INSERT INTO user_message_bytes (user_id, message_bytes)
    SELECT :user_id, :bytes
    WHERE :bytes > 0 AND EXISTS (SELECT 1 FROM finished) AND EXISTS (SELECT 1 FROM unlocked)
    ON CONFLICT (user_id) DO UPDATE
        SET message_bytes = user_message_bytes.message_bytes + EXCLUDED.message_bytes
    RETURNING 1
), counted AS (
    INSERT INTO usage_daily (day, user_id, model, requests, input_tokens, output_tokens,
        cost_micros)
    VALUES (:day, :user_id, :model, 1, :usage_input, :usage_output, :cost)
    ON CONFLICT (day, user_id, model) DO UPDATE SET
        requests = usage_daily.requests + 1,
        input_tokens = usage_daily.input_tokens + EXCLUDED.input_tokens,
        output_tokens = usage_daily.output_tokens + EXCLUDED.output_tokens,
        cost_micros = usage_daily.cost_micros + EXCLUDED.cost_micros
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM finished), unlocked.*
FROM (SELECT 1) AS one LEFT JOIN unlocked ON true
"""
    ).bindparams(*_typed(**_SETTLE_TYPES)),
    result_types=(Boolean(), *_CONVERSATION_TYPES),
)

# The same changes for many turns at once (PostgreSQL), each turn one element of the arrays.
# `c.pk = ANY(...)` beside the join gives the planner the index condition: without it a
# generic plan may scan the table and join (found under load, with stale statistics).
_START_MANY = Compiled(
    text(
        """
WITH s AS (
    SELECT * FROM unnest(:cpk, :answer_id, :user_message_id, :now, :lease, :bytes,
        :etag, :content, :model, :user_id, :expected_etag)
    AS s(cpk, answer_id, user_message_id, now, lease, bytes, etag, content, model, user_id,
        expected_etag)
), locked AS (
    UPDATE conversations c SET
        generating_message_id = s.answer_id, generating_since = s.now,
        generation_lease_expires = s.lease, message_count = c.message_count + 2,
        content_bytes = c.content_bytes + s.bytes, update_time = s.now, etag = s.etag
    FROM s
    WHERE c.pk = ANY(:cpk) AND c.pk = s.cpk AND c.generating_message_id IS NULL
        AND (s.expected_etag IS NULL OR c.etag = s.expected_etag)
    RETURNING c.generating_message_id AS answer_id, c.message_count
), won AS (  -- two turns of one conversation in a batch: the lock went to one of them
    SELECT s.*, locked.message_count FROM s JOIN locked ON locked.answer_id = s.answer_id
), stored AS (
    INSERT INTO messages (conversation_pk, id, position, role, content, status, model,
        input_tokens, output_tokens, finish_reason, error_code, error_message,
        create_time, update_time)
    SELECT cpk, user_message_id, message_count - 1, 'USER', content, 'COMPLETE', '',
        0, 0, NULL::varchar, NULL::integer, NULL::text, now, now FROM won
    UNION ALL
    SELECT cpk, answer_id, message_count, 'ASSISTANT', '', 'IN_PROGRESS', model,
        0, 0, NULL::varchar, NULL::integer, NULL::text, now, now FROM won
    RETURNING id, pk, position
), charged AS (
    INSERT INTO user_message_bytes (user_id, message_bytes)
    SELECT user_id, sum(bytes) FROM won GROUP BY user_id ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE
        SET message_bytes = user_message_bytes.message_bytes + EXCLUDED.message_bytes
    RETURNING 1
)
SELECT id, pk, position FROM stored
"""
    ).bindparams(*_typed(**_arrays(_START_TYPES))),
    result_types=(String(), BigInteger(), Integer()),
)

_SETTLE_MANY = Compiled(
    text(
        f"""
WITH s AS (
    SELECT * FROM unnest(:mpk, :cpk, :answer_id, :user_id, :content, :status,
        :input_tokens, :output_tokens, :finish_reason, :error_code, :error_message,
        :model, :update_time, :day, :etag, :bytes, :usage_input, :usage_output, :cost)
    AS s(mpk, cpk, answer_id, user_id, content, status, input_tokens, output_tokens,
        finish_reason, error_code, error_message, model, update_time, day, etag, bytes,
        usage_input, usage_output, cost)
), finished AS (
    UPDATE messages m SET
        content = s.content, status = s.status, input_tokens = s.input_tokens,
        output_tokens = s.output_tokens, finish_reason = s.finish_reason,
        error_code = s.error_code, error_message = s.error_message, model = s.model,
        update_time = s.update_time
    FROM s
    WHERE m.pk = ANY(:mpk) AND m.pk = s.mpk AND m.status = 'IN_PROGRESS'
    RETURNING m.pk
), unlocked AS (
    UPDATE conversations c SET
        generating_message_id = NULL, generating_since = NULL,
        generation_lease_expires = NULL,
        content_bytes = c.content_bytes
            + CASE WHEN s.mpk IN (SELECT pk FROM finished) THEN s.bytes ELSE 0 END,
        update_time = s.update_time, etag = s.etag
    FROM s
    WHERE c.pk = ANY(:cpk) AND c.pk = s.cpk AND c.generating_message_id = s.answer_id
    RETURNING s.mpk AS settled, {_conversation_columns("c.")}
), charged AS (
    INSERT INTO user_message_bytes (user_id, message_bytes)
    SELECT user_id, sum(bytes) FROM s
    WHERE bytes > 0 AND mpk IN (SELECT pk FROM finished) AND cpk IN (SELECT pk FROM unlocked)
    GROUP BY user_id ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE
        SET message_bytes = user_message_bytes.message_bytes + EXCLUDED.message_bytes
    RETURNING 1
), counted AS (
    INSERT INTO usage_daily (day, user_id, model, requests, input_tokens, output_tokens,
        cost_micros)
    SELECT day, user_id, model, count(*), sum(usage_input), sum(usage_output), sum(cost)
    FROM s GROUP BY day, user_id, model ORDER BY day, user_id, model
    ON CONFLICT (day, user_id, model) DO UPDATE SET
        requests = usage_daily.requests + EXCLUDED.requests,
        input_tokens = usage_daily.input_tokens + EXCLUDED.input_tokens,
        output_tokens = usage_daily.output_tokens + EXCLUDED.output_tokens,
        cost_micros = usage_daily.cost_micros + EXCLUDED.cost_micros
    RETURNING 1
)
SELECT s.mpk, s.mpk IN (SELECT pk FROM finished), {_conversation_columns("unlocked.")}
    FROM s LEFT JOIN unlocked ON unlocked.settled = s.mpk
"""
    ).bindparams(*_typed(**_arrays(_SETTLE_TYPES))),
    result_types=(BigInteger(), Boolean(), *_CONVERSATION_TYPES),
)


class BytesCapReached(Exception):
    """The user message would take its user past its cap on message bytes; the caller's
    transaction, rolled back by this exception, stores nothing."""


def one_statement(held_by: str | None, byte_cap: int | None) -> bool:
    """Whether `start` makes its change in one statement (on PostgreSQL): when the lock was
    free and no cap can refuse the turn; run it with `Database.write_statement` then,
    else with `Database.write`."""
    return held_by is None and byte_cap is None


def start(
    connection: Connection,
    turn: Start,
    *,
    held_by: str | None = None,
    byte_cap: int | None = None,
    taken_over: Callable[[Connection], None] | None = None,
) -> tuple[MessageRow, MessageRow] | None:
    """The user message and the answer to come, stored with their `pk`s, once the lock was
    taken; None when it was not (held, or the conversation is gone), and then nothing was
    written.

    The lock is free, or held by `held_by` with its lease run out (then, once taken over,
    `taken_over(connection)` settles the answer it abandoned). The user message's bytes
    count on the conversation and on its user, against `byte_cap` (past it:
    BytesCapReached).
    """
    if connection.dialect.name == "postgresql" and one_statement(held_by, byte_cap):
        return _stored([turn], _START.rows(connection, _start_params(turn)))[0]
    if turn.expected_etag is not None:
        raise ValueError("an expected etag is checked by PostgreSQL's one statement only")
    size = message_bytes.size(turn.content)
    count = conversations.try_lock(
        connection,
        turn.conversation_pk,
        message_id=turn.answer_id,
        now=turn.now,
        lease_expires=turn.lease_expires,
        held_by=held_by,
        new_messages=2,
        new_etag=turn.new_etag,
        new_bytes=size,
    )
    if count is None:
        return None
    if held_by is not None and taken_over is not None:
        taken_over(connection)
    # The conversation counted the bytes above; the user's total is capped here.
    if not message_bytes.charge(connection, turn.user_id, size, byte_cap):
        raise BytesCapReached
    user_message, answer = new_messages(turn, count)
    messages.insert(connection, user_message, answer)
    return user_message, answer


@compiled_only
def start_many(
    connection: Connection, turns: Sequence[Start]
) -> list[tuple[MessageRow, MessageRow] | Failed | None]:
    """`start(connection, turn)` for each turn whose lock was free (`one_statement`), in one
    statement on PostgreSQL; of two turns of one conversation, one takes the lock and the
    other finds it held (None)."""
    rows = _batched(connection, _START_MANY, [_start_params(turn) for turn in turns], "start")
    if rows is None:
        return [_alone(start, connection, turn) for turn in turns]
    return list(_stored(turns, rows))


def _start_params(turn: Start) -> dict[str, Any]:
    return {
        "cpk": turn.conversation_pk,
        "answer_id": turn.answer_id,
        "user_message_id": turn.user_message_id,
        "now": turn.now,
        "lease": turn.lease_expires,
        "bytes": message_bytes.size(turn.content),
        "etag": turn.new_etag,
        "content": turn.content,
        "model": turn.model,
        "user_id": turn.user_id,
        "expected_etag": turn.expected_etag,
    }


def _stored(
    turns: Sequence[Start], rows: Sequence[tuple[Any, ...]]
) -> list[tuple[MessageRow, MessageRow] | None]:
    """Each turn's two messages as stored (`rows`: their id, pk and position), or None for a
    turn that stored nothing."""
    stored = {message_id: (int(pk), int(position)) for message_id, pk, position in rows}
    found: list[tuple[MessageRow, MessageRow] | None] = []
    for turn in turns:
        if turn.answer_id not in stored:
            found.append(None)
            continue
        answer_pk, position = stored[turn.answer_id]
        user_message, answer = new_messages(turn, position)
        user_message.pk, answer.pk = stored[turn.user_message_id][0], answer_pk
        found.append((user_message, answer))
    return found


def new_messages(turn: Start, position: int) -> tuple[MessageRow, MessageRow]:
    """The user message (COMPLETE) and the answer to come (IN_PROGRESS), the answer at
    `position` and the user message just before it; their `pk`s are set once stored."""
    user_message = MessageRow(
        pk=0,
        conversation_pk=turn.conversation_pk,
        id=turn.user_message_id,
        position=position - 1,
        role="USER",
        content=turn.content,
        status="COMPLETE",
        model="",
        input_tokens=0,
        output_tokens=0,
        finish_reason=None,
        error_code=None,
        error_message=None,
        create_time=turn.now,
        update_time=turn.now,
    )
    answer = MessageRow(
        pk=0,
        conversation_pk=turn.conversation_pk,
        id=turn.answer_id,
        position=position,
        role="ASSISTANT",
        content="",
        status="IN_PROGRESS",
        model=turn.model,
        input_tokens=0,
        output_tokens=0,
        finish_reason=None,
        error_code=None,
        error_message=None,
        create_time=turn.now,
        update_time=turn.now,
    )
    return user_message, answer


def settle(connection: Connection, turn: Settlement) -> Settled:
    """Writes the answer's outcome if it is still IN_PROGRESS (a late writer, whose lock
    was taken over as stale, records nothing over the outcome already recorded), releases
    the lock if the answer still holds it, and counts the usage either way. True when this
    call wrote the outcome."""
    if connection.dialect.name == "postgresql":
        row = _SETTLE.first(connection, _settle_params(turn))
        assert row is not None  # one row, whatever the statement changed
        return _settled(row)
    size = message_bytes.size(turn.content)
    written = messages.finish(
        connection, turn.answer_pk, turn.answer_columns(), only_status="IN_PROGRESS"
    )
    # The answer's bytes count once it is written: on the conversation with the unlock,
    # on the user's total (no cap: an answer is kept whole) with it.
    new_bytes = size if written else 0
    unlocked = conversations.unlock(
        connection,
        turn.conversation_pk,
        message_id=turn.answer_id,
        now=turn.now,
        new_etag=turn.new_etag,
        new_bytes=new_bytes,
    )
    if new_bytes and unlocked:
        message_bytes.charge(connection, turn.user_id, new_bytes, None)
    usage.add(
        connection,
        day=turn.now.date(),
        user_id=turn.user_id,
        model=turn.model,
        requests=1,
        input_tokens=max(0, turn.input_tokens),
        output_tokens=max(0, turn.output_tokens),
        cost_micros=max(0, turn.cost_micros),
    )
    return Settled(written)


@compiled_only
def settle_many(connection: Connection, turns: Sequence[Settlement]) -> list[Settled | Failed]:
    """`settle(connection, turn)` for each turn, in one statement on PostgreSQL; a user's
    bytes and a day's usage counted once with the sum of its turns'."""
    rows = _batched(connection, _SETTLE_MANY, [_settle_params(turn) for turn in turns], "settle")
    if rows is None:
        return [_alone(settle, connection, turn) for turn in turns]
    settled = {int(answer_pk): _settled(row) for answer_pk, *row in rows}
    return [settled[turn.answer_pk] for turn in turns]


def _settled(row: Sequence[Any]) -> Settled:
    """A settlement's row: whether it wrote, then the conversation's columns (all NULL when
    it did not release the lock)."""
    written, *columns = row
    return Settled(bool(written), ConversationRow(*columns) if columns[0] is not None else None)


def _settle_params(turn: Settlement) -> dict[str, Any]:
    return {
        **turn.answer_columns(),  # the answer's columns by their names
        "mpk": turn.answer_pk,
        "cpk": turn.conversation_pk,
        "answer_id": turn.answer_id,
        "user_id": turn.user_id,
        "etag": turn.new_etag,
        "bytes": message_bytes.size(turn.content),
        "day": turn.now.date(),
        "usage_input": max(0, turn.input_tokens),
        "usage_output": max(0, turn.output_tokens),
        "cost": max(0, turn.cost_micros),
    }


def _batched(
    connection: Connection, statement: Compiled, params: Sequence[dict[str, Any]], kind: str
) -> list[tuple[Any, ...]] | None:
    """The rows of the many-turn `statement` made with each turn's `params`; None when the
    turns are to be made one statement each: one turn, SQLite (no data-modifying CTEs), or a
    batch the database refused (it changed nothing; logged). An outage is raised."""
    if len(params) == 1 or connection.dialect.name != "postgresql":
        return None
    columns = {name: [turn[name] for turn in params] for name in params[0]}  # for unnest
    try:
        return statement.rows(connection, columns)
    except sa_exc.DBAPIError as refused:
        if is_unavailable(refused):
            raise
        logger.warning(
            "a batch of %d turns to %s was refused (%s); made one statement per turn",
            len(params),
            kind,
            refused.orig,
        )
        return None


def _alone(
    change: Callable[[Connection, Item], T], connection: Connection, turn: Item
) -> T | Failed:
    """`change(connection, turn)` in a statement of its own: a turn the database refuses fails
    alone (Failed); an outage fails the batch."""
    try:
        return change(connection, turn)
    except sa_exc.DBAPIError as refused:
        if is_unavailable(refused):
            raise
        return Failed(refused)
