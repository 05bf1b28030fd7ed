"""A conversation turn: the user's message in, the model's answer out, nothing lost on the way.

1. One read, with the checks that need no lock: the conversation is the
   caller's (5), the model is known (3) and callable (9), the answer limit is
   within the model's (11), and the new message fits the context window on its
   own (11); and, in the same read, the newest history that fits. Then the
   limits admit the turn (domain.admission: 7, 8), reserving the prompt as it
   will be sent (history included) and the longest answer; a refusal stores
   nothing. The reservation is settled in step 5. On PostgreSQL the read is
   skipped when this process created the conversation or settled its last
   turn: it knows what the read would find (domain.turn_contexts), and step 2
   then stores nothing unless the conversation's etag is still the one known.
2. One write takes the conversation's generation lock (9 if another answer is
   being written), stores the user message (COMPLETE) and the answer to come
   (IN_PROGRESS): one statement on PostgreSQL (store.turn_writes), made with the
   other turns starting meanwhile (`Services.turn_starts`), one transaction
   otherwise. The user message is committed before the model is called.
3. The prompt: system prompt, the history read in step 1 (read again in step 2
   if another turn ended in between), the new message.
4. The provider answers (complete, or stream of deltas). Meanwhile a
   domain.lease.LeaseKeeper renews the lock's lease and saves a stream's text
   as it comes, so a process that dies leaves what its client saw.
5. One transaction stores the outcome (COMPLETE with usage and finish reason;
   FAILED with the error, partial text kept; CANCELLED with the partial text),
   counts the usage and releases the lock (on PostgreSQL one statement, made with
   the other turns settling meanwhile: `Services.settlements`). This write runs in its own task and
   is shielded, so the cancellation that ends a disconnected stream cannot
   cancel the write that records it; it is retried while the database is
   unavailable (domain.durable), and past that bound the lease runs out.

The lock is a column of the conversation (see store.conversations): N server
processes share it. A lock whose lease ran out (its writer died) is taken
over by the next send, or settled by the sweep of any process (domain.sweep),
and its answer marked FAILED. Text from the upstream is made storable on
arrival (domain.storable): U+0000 and lone surrogates become U+FFFD.
"""

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from domain import catalog, ids, prompt, views
from domain.admission import Ticket
from domain.conversations import message_bytes_exhausted, not_found
from domain.durable import database_unavailable, retried
from domain.identity import Caller
from domain.lease import LeaseKeeper
from domain.services import Services
from domain.storable import storable
from domain.sweep import abandon
from domain.turn_contexts import KnownContext, TurnContexts
from errors import ApiError, Code
from providers.base import (
    CompletionRequest,
    FinishReason,
    GenerationParams,
    Generator,
    ModelSpec,
    StreamEnd,
    TextDelta,
    Usage,
)
from store import conversations as conversation_repo
from store import messages as message_repo
from store import turn_writes
from store.clock import utc_now
from store.coalescing import Batcher
from store.compiled import compiled_only
from store.database import is_unavailable
from store.records import ConversationRow, MessageRow

logger = logging.getLogger(__name__)

HISTORY_BATCH = 200  # messages read per query while filling the context window

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TurnInput:
    content: str
    model: str = ""  # this turn only, instead of the conversation's
    params: GenerationParams = field(default_factory=GenerationParams)


@dataclass(frozen=True, slots=True)
class TurnResult:
    conversation_id: str
    user_message: MessageRow
    assistant_message: MessageRow


@dataclass(slots=True)
class _Turn:
    """A turn whose lock is held: everything the generation and its settlement need."""

    svc: Services
    caller: Caller
    conversation_id: str
    conversation_pk: int
    system: str
    model: ModelSpec
    provider: Generator
    max_output: int
    params: GenerationParams
    user_message: MessageRow
    assistant_message: MessageRow
    ticket: Ticket
    keeper: LeaseKeeper
    history: prompt.HistoryBuilder
    # The newest messages as the turn found them, before its own (None: its conversation's
    # next context is not to be kept: domain.turn_contexts).
    recent_before: tuple[prompt.HistoryEntry, ...] | None = None
    prompt_tokens: int = 0

    @property
    def answer_name(self) -> str:
        return views.message_name(self.conversation_id, self.assistant_message.id)


async def send_message(
    svc: Services, caller: Caller, conversation_id: str, turn_input: TurnInput
) -> TurnResult:
    """Stores the user message, waits for the whole answer, stores it; returns both.

    A provider failure is stored (FAILED, with its code and message) and then
    raised, so the HTTP answer carries the error's code (e.g. 14, 4).
    """
    turn = await _begin(svc, caller, conversation_id, turn_input, stream=False)
    try:
        request = _request(turn)
        completion = await turn.provider.complete(request)
    except ApiError as error:
        await _settle_failure(turn, "FAILED", "", error)
        raise
    except asyncio.CancelledError:
        await _settle_failure(turn, "CANCELLED", "")
        raise
    except Exception as exc:
        failure = _unexpected(exc, conversation_id)
        await _settle_failure(turn, "FAILED", "", failure)
        if failure.code is Code.UNAVAILABLE:
            raise failure from exc
        raise
    answer = await _shielded(
        _settle(
            turn,
            "COMPLETE",
            storable(completion.text),
            finish=completion.finish_reason,
            usage=completion.usage,
            answered_by=completion.answered_by,
        )
    )
    return TurnResult(conversation_id, turn.user_message, answer)


async def stream_message(
    svc: Services, caller: Caller, conversation_id: str, turn_input: TurnInput
) -> "TurnStream":
    """Does steps 1-2 now (so their errors are plain HTTP errors) and returns the event stream.

    Iterate it for `(event, payload)`: `userMessage`, `delta`*, then
    `assistantMessage` or `error`. Closing it early (client gone) or cancelling
    the task that iterates it stores the answer as CANCELLED with its partial text.
    """
    return TurnStream(await _begin(svc, caller, conversation_id, turn_input, stream=True))


class TurnStream:
    """The events of a streamed turn, as an async iterator that settles the turn however it ends."""

    def __init__(self, turn: _Turn) -> None:
        self._turn = turn
        self._events = self._generate()
        self._started = False

    def __aiter__(self) -> "TurnStream":
        return self

    async def __anext__(self) -> tuple[str, Mapping[str, Any]]:
        self._started = True
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stops the generation. A stream closed before its first event is CANCELLED too."""
        if not self._started:
            self._started = True
            await _settle_failure(self._turn, "CANCELLED", "")
        await self._events.aclose()

    async def _generate(self) -> AsyncGenerator[tuple[str, Mapping[str, Any]], None]:
        turn = self._turn
        parts: list[str] = []
        end: StreamEnd | None = None
        try:
            yield "userMessage", views.message(turn.user_message, turn.conversation_id)
            request = _request(turn)
            # Guarded: a graceful stop past its drain timeout ends it with UNAVAILABLE (14).
            events = turn.svc.drain.guard(turn.provider.stream(request))
            name = turn.answer_name
            try:
                async for event in events:
                    if isinstance(event, TextDelta):
                        if event.text:
                            text = storable(event.text)
                            parts.append(text)
                            turn.keeper.feed(text)
                            yield "delta", {"name": name, "content": text}
                    elif isinstance(event, StreamEnd):
                        end = event
                    if turn.keeper.lost:
                        raise _lease_lost()
            finally:
                await events.aclose()  # the upstream call stops: no tokens keep flowing
            if end is None:
                raise ApiError(Code.INTERNAL, "the model's stream ended without its final event")
        except ApiError as error:
            await _settle_failure(turn, "FAILED", "".join(parts), error)
            yield "error", error.to_envelope()
            return
        except (asyncio.CancelledError, GeneratorExit):
            await _settle_failure(turn, "CANCELLED", "".join(parts))
            raise
        except Exception as exc:
            failure = _unexpected(exc, turn.conversation_id)
            await _settle_failure(turn, "FAILED", "".join(parts), failure)
            yield "error", failure.to_envelope()
            return
        try:
            answer = await _shielded(
                _settle(
                    turn,
                    "COMPLETE",
                    "".join(parts),
                    finish=end.finish_reason,
                    usage=end.usage,
                    answered_by=end.answered_by,
                )
            )
        except ApiError as error:  # the database did not take it within the retry bound
            yield "error", error.to_envelope()
            return
        yield "assistantMessage", views.message(answer, turn.conversation_id)


@dataclass(frozen=True, slots=True)
class _Sizing:
    """The turn's model, what to call for it, and how many tokens its prompt may take."""

    model: ModelSpec
    provider: Generator
    max_output: int
    history_budget: int


@dataclass(frozen=True, slots=True)
class _Context:
    """What the turn's first read found (or what this process knew it would find: `known`):
    the conversation, the history that fits, and the newest messages it was made from."""

    conversation: ConversationRow
    sizing: _Sizing
    history: prompt.HistoryBuilder
    recent: tuple[prompt.HistoryEntry, ...]  # newest first, at most HISTORY_BATCH
    known: bool = False


class _StaleContext(Exception):
    """The conversation changed since this process last settled a turn of it: the context
    it kept is out of date (nothing was stored; the turn starts again from a read)."""


async def _begin(
    svc: Services, caller: Caller, conversation_id: str, turn_input: TurnInput, *, stream: bool
) -> _Turn:
    """Steps 1 and 2: read and check (or take what this process knows: domain.turn_contexts),
    admit, then lock and store both messages."""

    def size(conversation: ConversationRow) -> _Sizing:
        """The checks of step 1 (3, 9, 11), made in the read (pure: the catalog is
        configuration), so that the history it reads is only what the prompt can hold."""
        model = _model(svc, turn_input.model, conversation.model)
        provider = catalog.callable_model(svc.providers, model, svc.observer)
        max_output = prompt.max_output_tokens(model, turn_input.params.max_tokens)
        budget = prompt.history_budget(
            model, conversation.system_prompt, turn_input.content, max_output
        )
        return _Sizing(model, provider, max_output, budget)

    contexts = svc.turn_contexts
    if contexts is not None:
        known = contexts.get(caller.user_id, conversation_id)
        if known is not None:
            turn = await _begin_known(svc, contexts, caller, turn_input, known, size, stream)
            if turn is not None:
                return turn
    context = await svc.db.read(_read_context, caller.user_id, conversation_id, size)
    return await _lock(svc, caller, turn_input, context, stream=stream)


async def _begin_known(
    svc: Services,
    contexts: TurnContexts,
    caller: Caller,
    turn_input: TurnInput,
    known: KnownContext,
    size: Callable[[ConversationRow], _Sizing],
    stream: bool,
) -> _Turn | None:
    """Steps 1 and 2 on a known context; None when the turn is to read after all: the
    conversation changed elsewhere (marked shared), or a check refused on what this process
    knew, or its history needs older messages than were kept, or its start cannot check the
    etag (forgotten)."""
    conversation = known.conversation
    # Only the batched one statement checks the etag: not the start of a user with a cap on
    # message bytes (a transaction of separate statements, domain.turns step 2).
    limits = await svc.limits.user_limits(caller.user_id, caller.role)
    sizing = None
    if svc.turn_starts is not None and limits.max_message_bytes is None:
        try:
            sizing = size(conversation)
        except ApiError:
            pass  # refused on what this process knew: checked again on a read
    if sizing is not None:
        history = prompt.HistoryBuilder(sizing.history_budget)
        history.feed(known.recent)
        if len(known.recent) < HISTORY_BATCH or history.full:
            context = _Context(conversation, sizing, history, known.recent, known=True)
            try:
                return await _lock(svc, caller, turn_input, context, stream=stream)
            except _StaleContext:
                contexts.stale(caller.user_id, conversation.id)
                return None
    contexts.forget(caller.user_id, conversation.id)
    return None


async def _lock(
    svc: Services, caller: Caller, turn_input: TurnInput, context: _Context, *, stream: bool
) -> _Turn:
    """Step 1's end (the lock seen free, the limits' admission) and step 2."""
    conversation_id = context.conversation.id
    conversation, sizing = context.conversation, context.sizing
    held_by = conversation.generating_message_id
    lease = conversation.generation_lease_expires
    if held_by is not None and lease is not None and lease > utc_now():
        raise _busy(conversation_id)
    # The reservation is the prompt as it will be sent (system prompt, the history that
    # fits, the new message) and the longest answer.
    estimate = (
        prompt.estimate_tokens(conversation.system_prompt)
        + context.history.used
        + prompt.message_tokens(turn_input.content)
        + sizing.max_output
    )
    ticket = await svc.limits.admit(
        caller,
        sizing.model.id,
        estimated_tokens=estimate,
        max_output=sizing.max_output,
        stream=stream,
    )
    try:
        byte_cap = (await svc.limits.user_limits(caller.user_id, caller.role)).max_message_bytes
        plan = _Plan(
            caller=caller,
            conversation=conversation,
            content=turn_input.content,
            model=sizing.model,
            answer_id=ids.message_id(),
            lease_expires=svc.lease.expires,
            byte_cap=byte_cap,
            history=context.history,
            expected_etag=conversation.etag if context.known else None,
        )
        if context.known and not (plan.single_statement and svc.turn_starts is not None):
            raise _StaleContext  # a cap set since _begin_known looked: its start cannot check

        def turn_of(stored: _Stored) -> _Turn:
            return _new_turn(svc, plan, sizing, turn_input.params, ticket, stored, context)

        def cancel(stored: _Stored) -> None:  # stored, but its request was cancelled
            _keep(asyncio.ensure_future(_settle_failure(turn_of(stored), "CANCELLED", "")))

        if plan.single_statement and svc.turn_starts is not None:
            write = _start_batched(svc, svc.turn_starts, plan)
        elif plan.single_statement:
            write = svc.db.write_statement(_lock_and_store, plan)
        else:
            write = svc.db.write(_lock_and_store, plan)
        stored = await _committed(write, cancel)
        if svc.turn_contexts is not None:  # known again once this turn settles
            svc.turn_contexts.forget(caller.user_id, conversation_id)
    except BaseException:
        await _shielded(ticket.release())  # the turn never started: it uses no limit
        raise
    turn = turn_of(stored)
    turn.keeper.start()
    return turn


def _new_turn(
    svc: Services,
    plan: "_Plan",
    sizing: _Sizing,
    params: GenerationParams,
    ticket: Ticket,
    stored: "_Stored",
    context: _Context,
) -> _Turn:
    """The turn whose messages step 2 stored; its lease keeper is not started yet."""
    user_message, answer, history = stored
    # What the next turn's context will be made from, with the conversation its settlement
    # answers: the messages the turn began from, when no other turn ended in between.
    recent_before = None
    if plan.single_statement and not _grew(plan, answer):
        recent_before = context.recent
    timeout = svc.generation_timeout
    keeper = LeaseKeeper(
        svc.db,
        svc.lease,
        conversation_pk=plan.conversation.pk,
        message_pk=answer.pk,
        message_id=answer.id,
        renew_for=None if timeout is None else timeout + svc.lease.seconds,
    )
    return _Turn(
        svc=svc,
        caller=plan.caller,
        conversation_id=plan.conversation.id,
        conversation_pk=plan.conversation.pk,
        system=plan.conversation.system_prompt,
        model=plan.model,
        provider=sizing.provider,
        max_output=sizing.max_output,
        params=params,
        user_message=user_message,
        assistant_message=answer,
        ticket=ticket,
        keeper=keeper,
        history=history,
        recent_before=recent_before,
    )


@compiled_only
def _read_context(
    connection: Connection,
    user_id: str,
    conversation_id: str,
    size: Callable[[ConversationRow], _Sizing],
) -> _Context:
    """The conversation (5 when it is not the caller's) and its newest history that fits:
    its first batch read with the conversation (one statement on PostgreSQL)."""
    found = conversation_repo.with_recent_messages(
        connection, user_id, conversation_id, HISTORY_BATCH
    )
    if found is None:
        raise not_found(conversation_id)
    conversation, recent = found
    sizing = size(conversation)
    history = prompt.HistoryBuilder(sizing.history_budget)
    history.feed(recent)
    if len(recent) == HISTORY_BATCH:
        before = conversation.message_count + 1 - HISTORY_BATCH
        _read_history(connection, conversation.pk, before, history)
    return _Context(conversation, sizing, history, tuple(recent))


def _read_history(
    connection: Connection, conversation_pk: int, before: int, history: prompt.HistoryBuilder
) -> None:
    """Feeds `history` the messages before position `before`, newest first, until it is full."""
    while not history.full:
        batch = message_repo.before(connection, conversation_pk, before, HISTORY_BATCH)
        history.feed(batch)
        if len(batch) < HISTORY_BATCH:
            return
        before -= len(batch)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What step 2 stores, decided before its transaction starts."""

    caller: Caller
    conversation: ConversationRow
    content: str
    model: ModelSpec
    answer_id: str
    lease_expires: Callable[[datetime], datetime]
    byte_cap: int | None
    history: prompt.HistoryBuilder
    expected_etag: str | None = None  # the etag of a known context (domain.turn_contexts)

    @property
    def single_statement(self) -> bool:
        """Whether step 2 is one statement (store.turn_writes.one_statement)."""
        return turn_writes.one_statement(self.conversation.generating_message_id, self.byte_cap)


# Step 2's result: the user message, the answer to come, and the history of the prompt.
_Stored = tuple[MessageRow, MessageRow, prompt.HistoryBuilder]


def _start_of(plan: _Plan) -> turn_writes.Start:
    """What step 2 writes: both messages' ids and the lock's lease, from now."""
    now = utc_now()
    return turn_writes.Start(
        conversation_pk=plan.conversation.pk,
        user_id=plan.caller.user_id,
        user_message_id=ids.message_id(),
        answer_id=plan.answer_id,
        content=plan.content,
        model=plan.model.id,
        now=now,
        lease_expires=plan.lease_expires(now),
        new_etag=ids.etag(),
        expected_etag=plan.expected_etag,
    )


@compiled_only  # run directly when it is one statement (write_statement)
def _lock_and_store(connection: Connection, plan: _Plan) -> _Stored:
    """Step 2: the generation lock and both messages (store.turn_writes), and the history
    again if another turn ended since it was read. The user message is counted on the
    user's message bytes here (past `byte_cap`: 8, nothing stored); the answer's bytes
    count when it settles, so an answer is never cut off for them. A lock whose lease ran
    out is taken over, and the answer its writer abandoned settled FAILED."""
    conversation = plan.conversation
    held_by = conversation.generating_message_id
    start = _start_of(plan)

    def taken_over(connection: Connection) -> None:  # its writer died
        assert held_by is not None
        abandon(connection, conversation.pk, held_by, start.now)

    try:
        stored = turn_writes.start(
            connection, start, held_by=held_by, byte_cap=plan.byte_cap, taken_over=taken_over
        )
    except turn_writes.BytesCapReached:
        raise message_bytes_exhausted(plan.caller.user_id, plan.byte_cap) from None
    if stored is None:
        raise _not_started(connection, plan)
    user_message, answer = stored
    return user_message, answer, _history_before(connection, plan, answer)


async def _start_batched(
    svc: Services,
    starts: "Batcher[turn_writes.Start, tuple[MessageRow, MessageRow] | None]",
    plan: _Plan,
) -> _Stored:
    """Step 2 as `_lock_and_store` makes it with a free lock and no byte cap, in one statement
    with the other turns starting meanwhile (store.coalescing); what it rarely needs after
    (why the lock was not taken, the history of a thread that grew) read on its own."""
    stored = await starts.submit(_start_of(plan))
    if stored is None:
        if plan.expected_etag is not None:
            raise _StaleContext
        raise await svc.db.read(_not_started, plan)
    user_message, answer = stored
    if not _grew(plan, answer):
        return user_message, answer, plan.history
    return user_message, answer, await svc.db.read(_history_before, plan, answer)


def _grew(plan: _Plan, answer: MessageRow) -> bool:
    """Whether another turn ended in the conversation since step 1 read it."""
    return answer.position != plan.conversation.message_count + 2


@compiled_only
def _history_before(
    connection: Connection, plan: _Plan, answer: MessageRow
) -> prompt.HistoryBuilder:
    """The history of the prompt: the one step 1 read, or read again if the thread grew."""
    if not _grew(plan, answer):
        return plan.history
    history = prompt.HistoryBuilder(plan.history.budget)
    _read_history(connection, plan.conversation.pk, answer.position - 1, history)
    return history


@compiled_only
def _not_started(connection: Connection, plan: _Plan) -> ApiError:
    """Why the lock could not be taken: another turn took it since the read (9), or the
    conversation is gone (5)."""
    conversation = plan.conversation
    if conversation_repo.get(connection, plan.caller.user_id, conversation.id) is None:
        return not_found(conversation.id)
    return _busy(conversation.id)


async def _committed(
    write: Coroutine[Any, Any, "_Stored"], cancelled: Callable[["_Stored"], None]
) -> "_Stored":
    """Step 2's write, run to its end even when the request is cancelled meanwhile; a turn
    it stored for a cancelled request goes to `cancelled` (settled CANCELLED at once, rather
    than holding its conversation until the lease runs out)."""
    task = asyncio.ensure_future(write)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:

        def settle(done: "asyncio.Future[_Stored]") -> None:
            if not done.cancelled() and done.exception() is None:
                cancelled(done.result())

        task.add_done_callback(settle)
        raise


def _request(turn: _Turn) -> CompletionRequest:
    """Step 3: the prompt, with the newest history that fits the context window."""
    messages = turn.history.messages(turn.user_message.content)
    turn.prompt_tokens = prompt.prompt_tokens(turn.system, messages)
    params = GenerationParams(
        max_tokens=turn.max_output,
        temperature=turn.params.temperature,
        top_p=turn.params.top_p,
        stop=turn.params.stop,
    )
    return CompletionRequest(
        model=turn.model,
        messages=messages,
        system=turn.system or None,
        params=params,
        timeout=turn.svc.generation_timeout,
    )


async def _settle(
    turn: _Turn,
    status: str,
    text: str,
    *,
    finish: FinishReason | None = None,
    usage: Usage | None = None,
    error: ApiError | None = None,
    answered_by: str | None = None,
) -> MessageRow:
    """Step 5, in one transaction: the answer's outcome, its usage, the lock released.

    The lease is no longer renewed from here on: if this write cannot be made
    within its retry bound, the lease runs out and the sweep settles the answer.
    Without usage from the provider (failed or cancelled), tokens are estimated
    when some text was produced (the upstream did the work), zero otherwise.
    """
    if usage is None:
        usage = Usage(turn.prompt_tokens, prompt.estimate_tokens(text)) if text else Usage(0, 0)
    answer = turn.assistant_message
    # A fallback that answered is named on the message and charged the usage.
    model = answered_by or turn.model.id
    price = turn.svc.limits.config.price(model)
    settlement = turn_writes.Settlement(
        conversation_pk=turn.conversation_pk,
        user_id=turn.caller.user_id,
        answer_pk=answer.pk,
        answer_id=answer.id,
        content=text,
        status=status,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        finish_reason=finish.value if finish is not None else None,
        error_code=int(error.code) if error is not None else None,
        error_message=error.message if error is not None else None,
        model=model,
        now=utc_now(),
        new_etag=ids.etag(),
        cost_micros=price.cost_micros(usage.input_tokens, usage.output_tokens),
    )
    await turn.keeper.stop()
    settled: turn_writes.Settled | None = None
    try:
        settled, stored = await retried(
            lambda: _write_settlement(turn.svc, settlement),
            within_seconds=turn.svc.lease.settle_retry_seconds,
            what=f"settling answer {answer.id}",
        )
    finally:
        _know_next_context(turn, settlement, settled)
        await turn.ticket.settle(usage.input_tokens, usage.output_tokens)
    if stored is not None:
        return stored
    # What we wrote (or, the conversation deleted meanwhile, what was generated).
    settlement.apply_to(answer)
    return answer


def _know_next_context(
    turn: _Turn, settlement: turn_writes.Settlement, settled: turn_writes.Settled | None
) -> None:
    """Keeps what the conversation's next turn would read, now that this one settled it: the
    conversation as the settlement left it (edits made meanwhile included) and the two new
    messages before the ones the turn began from. Forgotten when the settlement did not
    write the answer and release the lock (taken over, or the database did not take it)."""
    contexts = turn.svc.turn_contexts
    if contexts is None:
        return
    after = settled.conversation if settled is not None and settled.written else None
    if after is None or turn.recent_before is None:
        contexts.forget(turn.caller.user_id, turn.conversation_id)
        return
    question = turn.user_message
    newest = (
        ("ASSISTANT", settlement.content, settlement.status),
        ("USER", question.content, question.status),
        *turn.recent_before[: HISTORY_BATCH - 2],
    )
    contexts.keep(turn.caller.user_id, turn.conversation_id, KnownContext(after, newest))


async def _write_settlement(
    svc: Services, settlement: turn_writes.Settlement
) -> tuple[turn_writes.Settled, MessageRow | None]:
    """Writes `settlement`; with it, the answer as stored when another writer settled it
    first (a stale lease taken over). Batched with the turns settling meanwhile when the
    database allows (store.coalescing)."""
    if svc.settlements is None:
        return await svc.db.write_statement(_settle_alone, settlement)
    settled = await svc.settlements.submit(settlement)
    if settled.written:
        return settled, None
    return settled, await svc.db.read(_answer_by_pk, settlement.answer_pk)


@compiled_only
def _settle_alone(
    connection: Connection, settlement: turn_writes.Settlement
) -> tuple[turn_writes.Settled, MessageRow | None]:
    settled = turn_writes.settle(connection, settlement)
    if settled.written:
        return settled, None
    return settled, _answer_by_pk(connection, settlement.answer_pk)


@compiled_only
def _answer_by_pk(connection: Connection, pk: int) -> MessageRow | None:
    return message_repo.get_by_pk(connection, pk)


async def _settle_failure(
    turn: _Turn, status: str, text: str, error: ApiError | None = None
) -> None:
    """Settles a failed or cancelled turn. If the database cannot take it either, that is
    logged (domain.durable) and the turn's own error stands; the sweep settles it later."""
    try:
        await _shielded(_settle(turn, status, text, error=error))
    except ApiError:
        pass


# Strong references to settlement tasks: a task only weakly referenced may be
# garbage-collected before it runs to the end.
_settling: set[asyncio.Future[Any]] = set()


def _keep(task: "asyncio.Future[T]") -> "asyncio.Future[T]":
    """Holds `task` until it ends (drain_settlements waits for it)."""
    _settling.add(task)
    task.add_done_callback(_settling.discard)
    return task


async def _shielded(write: Coroutine[Any, Any, T]) -> T:
    """Runs `write` in its own task and waits for it; cancelling the waiter does not cancel it."""
    return await asyncio.shield(_keep(asyncio.ensure_future(write)))


async def drain_settlements() -> None:
    """Waits for settlement writes still running (server shutdown, tests)."""
    while _settling:
        await asyncio.gather(*list(_settling), return_exceptions=True)


def _model(svc: Services, override: str, conversation_model: str) -> ModelSpec:
    if override:
        return catalog.require_known(svc.providers, override)
    model_id = conversation_model or catalog.default_model(svc.providers, svc.default_model)
    spec = svc.providers.model(model_id)
    if spec is None:
        raise ApiError(
            Code.FAILED_PRECONDITION,
            f"model {model_id!r} of this conversation is no longer in the catalog; "
            "update the conversation's model or pass one with the message",
        )
    return spec


def _busy(conversation_id: str) -> ApiError:
    return ApiError(
        Code.FAILED_PRECONDITION,
        f"an answer is already being generated in conversation {conversation_id!r}; "
        "wait for it to finish",
    )


def _lease_lost() -> ApiError:
    return ApiError(
        Code.UNAVAILABLE,
        "this server lost the database long enough for the answer to be settled elsewhere",
    )


def _unexpected(exc: Exception, conversation_id: str) -> ApiError:
    """The error to record for an exception no provider mapped: the database's, or ours."""
    if is_unavailable(exc):
        logger.warning("conversation %s: the database is unavailable: %s", conversation_id, exc)
        return database_unavailable()
    logger.error("generation failed in conversation %s", conversation_id, exc_info=exc)
    return ApiError(Code.INTERNAL, "the generation failed inside the server")
