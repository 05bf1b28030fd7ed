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
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Date, Integer, String, Text, bindparam, text
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine

from store import conversations, message_bytes, messages, usage
from store.compiled import Compiled
from store.records import MessageRow
from store.tables import UtcDateTime


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

    def apply_to(self, answer: MessageRow) -> None:
        """`answer` as this settlement writes it."""
        answer.content, answer.status, answer.model = self.content, self.status, self.model
        answer.input_tokens, answer.output_tokens = self.input_tokens, self.output_tokens
        answer.finish_reason, answer.update_time = self.finish_reason, self.now
        answer.error_code, answer.error_message = self.error_code, self.error_message


def _typed(**types: TypeEngine[Any]) -> list[BindParameter[Any]]:
    """Bind parameters with their types, so PostgreSQL gets explicit casts (a parameter in a
    SELECT list has no column to take its type from)."""
    return [bindparam(name, type_=type_) for name, type_ in types.items()]


_START = Compiled(
    text(
        """
WITH locked AS (
    UPDATE conversations SET
        generating_message_id = :answer_id, generating_since = :now,
        generation_lease_expires = :lease, message_count = message_count + 2,
        content_bytes = content_bytes + :bytes, update_time = :now, etag = :etag
    WHERE pk = :cpk AND generating_message_id IS NULL
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
    ).bindparams(
        *_typed(
            cpk=BigInteger(),
            answer_id=String(),
            user_message_id=String(),
            now=UtcDateTime(),
            lease=UtcDateTime(),
            bytes=BigInteger(),
            etag=String(),
            content=Text(),
            model=String(),
            user_id=String(),
        )
    ),
    result_types=(String(), BigInteger(), Integer()),
)

_SETTLE = Compiled(
    text(
        """
WITH finished AS (
    UPDATE messages SET
        content = :content, status = :status, input_tokens = :input_tokens,
        output_tokens = :output_tokens, finish_reason = :finish_reason,
        error_code = :error_code, error_message = :error_message, model = :model,
        update_time = :now
    WHERE pk = :mpk AND status = 'IN_PROGRESS'
    RETURNING pk
), unlocked AS (
    UPDATE conversations SET
        generating_message_id = NULL, generating_since = NULL,
        generation_lease_expires = NULL,
        content_bytes = content_bytes
            + CASE WHEN EXISTS (SELECT 1 FROM finished) THEN :bytes ELSE 0 END,
        update_time = :now, etag = :etag
    WHERE pk = :cpk AND generating_message_id = :answer_id
    RETURNING pk
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
SELECT count(*) FROM finished
"""
    ).bindparams(
        *_typed(
            mpk=BigInteger(),
            cpk=BigInteger(),
            answer_id=String(),
            user_id=String(),
            content=Text(),
            status=String(),
            input_tokens=Integer(),
            output_tokens=Integer(),
            finish_reason=String(),
            error_code=Integer(),
            error_message=Text(),
            model=String(),
            now=UtcDateTime(),
            etag=String(),
            bytes=BigInteger(),
            day=Date(),
            cost=BigInteger(),
            usage_input=BigInteger(),
            usage_output=BigInteger(),
        )
    ),
    result_types=(BigInteger(),),
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
    size = message_bytes.size(turn.content)
    if connection.dialect.name == "postgresql" and one_statement(held_by, byte_cap):
        rows = _START.rows(
            connection,
            {
                "cpk": turn.conversation_pk,
                "answer_id": turn.answer_id,
                "user_message_id": turn.user_message_id,
                "now": turn.now,
                "lease": turn.lease_expires,
                "bytes": size,
                "etag": turn.new_etag,
                "content": turn.content,
                "model": turn.model,
                "user_id": turn.user_id,
            },
        )
        if not rows:
            return None
        stored = {message_id: (int(pk), int(position)) for message_id, pk, position in rows}
        user_message, answer = new_messages(turn, stored[turn.answer_id][1])
        user_message.pk, answer.pk = stored[turn.user_message_id][0], stored[turn.answer_id][0]
        return user_message, answer
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


def settle(connection: Connection, turn: Settlement) -> bool:
    """Writes the answer's outcome if it is still IN_PROGRESS (a late writer, whose lock
    was taken over as stale, records nothing over the outcome already recorded), releases
    the lock if the answer still holds it, and counts the usage either way. True when this
    call wrote the outcome."""
    size = message_bytes.size(turn.content)
    if connection.dialect.name == "postgresql":
        written = _SETTLE.scalar(
            connection,
            {
                "mpk": turn.answer_pk,
                "cpk": turn.conversation_pk,
                "answer_id": turn.answer_id,
                "user_id": turn.user_id,
                "content": turn.content,
                "status": turn.status,
                "input_tokens": turn.input_tokens,
                "output_tokens": turn.output_tokens,
                "finish_reason": turn.finish_reason,
                "error_code": turn.error_code,
                "error_message": turn.error_message,
                "model": turn.model,
                "now": turn.now,
                "etag": turn.new_etag,
                "bytes": size,
                "day": turn.now.date(),
                "usage_input": max(0, turn.input_tokens),
                "usage_output": max(0, turn.output_tokens),
                "cost": max(0, turn.cost_micros),
            },
        )
        return bool(written)
    written = messages.finish(
        connection,
        turn.answer_pk,
        {
            "content": turn.content,
            "status": turn.status,
            "input_tokens": turn.input_tokens,
            "output_tokens": turn.output_tokens,
            "finish_reason": turn.finish_reason,
            "error_code": turn.error_code,
            "error_message": turn.error_message,
            "update_time": turn.now,
            "model": turn.model,
        },
        only_status="IN_PROGRESS",
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
    return written
