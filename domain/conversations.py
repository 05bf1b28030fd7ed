"""Conversations: create, list, get, update (field mask + etag), delete.

Ownership: every lookup is by (caller's user, id), so another user's
conversation is simply not found (5); ids are unique per user, so one user's
choice of id reveals nothing about another's.
"""

import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from domain import catalog, ids
from domain.identity import Caller
from domain.paging import Page, page, page_size, time_cursor, time_token
from domain.services import Services
from domain.turn_contexts import KnownContext
from errors import ApiError, Code
from store import conversations as repo
from store import message_bytes
from store.clock import utc_now
from store.records import ConversationRow
from store.tables import conversations as table
from store.user_lock import lock_user

CONVERSATION_ID = re.compile(r"^[a-z][a-z0-9-]{3,62}$")
MAX_TITLE = 200
MAX_SYSTEM_PROMPT = 20000

# update_mask paths (proto3 JSON camelCase or proto snake_case) -> column.
MASK_PATHS = {
    "title": "title",
    "model": "model",
    "systemPrompt": "system_prompt",
    "system_prompt": "system_prompt",
}
MUTABLE = ("title", "model", "system_prompt")


@dataclass(frozen=True, slots=True)
class ConversationFields:
    """The mutable fields as the client sent them (absent = empty, as in proto3)."""

    title: str = ""
    model: str = ""
    system_prompt: str = ""


async def create_conversation(
    svc: Services, caller: Caller, fields: ConversationFields, conversation_id: str = ""
) -> ConversationRow:
    """A new conversation of the caller. A taken `conversation_id` answers ALREADY_EXISTS (6)."""
    if conversation_id and not CONVERSATION_ID.match(conversation_id):
        raise ApiError(
            Code.INVALID_ARGUMENT,
            "conversationId must be 4-63 lowercase letters, digits or hyphens, "
            "starting with a letter",
        )
    values = _validated(svc, fields, MUTABLE)
    now = utc_now()
    row = ConversationRow(
        pk=0,
        user_id=caller.user_id,
        id=conversation_id or ids.conversation_id(),
        title=values["title"],
        model=values["model"],
        system_prompt=values["system_prompt"],
        message_count=0,
        etag=ids.etag(),
        create_time=now,
        update_time=now,
        generating_message_id=None,
        generating_since=None,
        generation_lease_expires=None,
        content_bytes=message_bytes.size(values["system_prompt"]),
    )
    limits = await svc.limits.user_limits(caller.user_id, caller.role)

    def store(connection: Connection) -> None:
        cap = limits.max_conversations
        if cap is not None:
            lock_user(connection, caller.user_id)  # the count below holds until the insert
            if repo.count(connection, caller.user_id) >= cap:
                raise ApiError(
                    Code.RESOURCE_EXHAUSTED,
                    f"user {caller.user_id!r} holds its {cap} conversations "
                    "(max_conversations); delete one first",
                )
        _charge(connection, caller, row.content_bytes, limits.max_message_bytes)
        repo.insert(connection, row)

    try:
        await svc.db.write(store)
    except IntegrityError:
        raise ApiError(Code.ALREADY_EXISTS, f"conversation {row.id!r} already exists") from None
    if svc.turn_contexts is not None:  # made here: its first turn's context is known
        svc.turn_contexts.keep(caller.user_id, row.id, KnownContext(replace(row), ()), new=True)
    return row


async def list_conversations(
    svc: Services, caller: Caller, *, size: int | None = None, token: str = ""
) -> Page[ConversationRow]:
    """The caller's conversations, most recently created first, by keyset pages."""
    limit = page_size(size)
    after = time_cursor(token, "conversations", caller.user_id)
    if after is None and svc.conversation_pages is not None:
        # A copy: callers asking at once for the same page share the rows read.
        rows = list(await svc.conversation_pages.get((caller.user_id, limit + 1)))
    else:
        rows = await svc.db.read(repo.list_page, caller.user_id, after, limit + 1)
    return page(
        rows,
        limit,
        lambda last: time_token("conversations", caller.user_id, last.create_time, last.id),
    )


async def get_conversation(svc: Services, caller: Caller, conversation_id: str) -> ConversationRow:
    row = await svc.db.read(repo.get, caller.user_id, conversation_id)
    if row is None:
        raise not_found(conversation_id)
    return row


async def update_conversation(
    svc: Services,
    caller: Caller,
    conversation_id: str,
    fields: ConversationFields,
    *,
    update_mask: str = "",
    etag: str = "",
) -> ConversationRow:
    """Sets the masked fields (all mutable ones when the mask is empty).

    With an etag that is not the current one, answers ABORTED (10) and changes
    nothing; the check and the write are one conditional UPDATE, so two
    processes cannot both win.
    """
    values: dict[str, Any] = dict(_validated(svc, fields, parse_update_mask(update_mask)))
    prompt_changes = "system_prompt" in values
    cap = None
    if prompt_changes:
        cap = (await svc.limits.user_limits(caller.user_id, caller.role)).max_message_bytes

    def write(connection: Connection) -> ConversationRow:
        # Locked when the prompt changes: its old size must not move before the write.
        row = repo.get(connection, caller.user_id, conversation_id, for_update=prompt_changes)
        if row is None:
            raise not_found(conversation_id)
        if prompt_changes:  # a stale etag below rolls this back with the rest
            delta = message_bytes.size(values["system_prompt"]) - message_bytes.size(
                row.system_prompt
            )
            _charge(connection, caller, delta, cap)
            values["content_bytes"] = table.c.content_bytes + delta
        written = repo.update_fields(
            connection,
            row.pk,
            values,
            expected_etag=etag or None,
            new_etag=ids.etag(),
            now=utc_now(),
        )
        if written is None:
            raise _stale(conversation_id)
        return written

    _forget_context(svc, caller, conversation_id)
    return await svc.db.write(write)


async def delete_conversation(
    svc: Services, caller: Caller, conversation_id: str, *, etag: str = ""
) -> None:
    """Deletes the conversation and its messages; a stale etag answers ABORTED (10)."""

    def delete(connection: Connection) -> None:
        row = repo.get(connection, caller.user_id, conversation_id)
        if row is None:
            raise not_found(conversation_id)
        # The etag is checked by the conditional DELETE itself, as by the UPDATE above.
        freed = repo.delete_one(connection, row.pk, expected_etag=etag or None)
        if freed is None:
            raise _stale(conversation_id)
        message_bytes.charge(connection, caller.user_id, -freed, None)

    _forget_context(svc, caller, conversation_id)
    await svc.db.write(delete)


def _forget_context(svc: Services, caller: Caller, conversation_id: str) -> None:
    """A change made here is not another writer's: the next turn's kept context
    (domain.turn_contexts) is dropped before it, not found stale after."""
    if svc.turn_contexts is not None:
        svc.turn_contexts.forget(caller.user_id, conversation_id)


def _charge(connection: Connection, caller: Caller, amount: int, cap: int | None) -> None:
    """Counts `amount` bytes on the caller's total; past its cap answers RESOURCE_EXHAUSTED
    (8) and the transaction stores nothing."""
    if not message_bytes.charge(connection, caller.user_id, amount, cap):
        raise message_bytes_exhausted(caller.user_id, cap)


def message_bytes_exhausted(user_id: str, cap: int | None) -> ApiError:
    return ApiError(
        Code.RESOURCE_EXHAUSTED,
        f"user {user_id!r} would hold more than its {cap} bytes of messages "
        "(max_message_bytes); delete a conversation first",
    )


def parse_update_mask(mask: str) -> tuple[str, ...]:
    """Column names for a FieldMask string (`title,systemPrompt`); every mutable one when empty."""
    if mask in ("", "*"):
        return MUTABLE
    # As the spec's pattern says: paths joined by commas, nothing else (no blanks, no spaces).
    paths = mask.split(",")
    unknown = [repr(path) for path in paths if path not in MASK_PATHS]
    if unknown:
        raise ApiError(
            Code.INVALID_ARGUMENT,
            f"updateMask: cannot update {', '.join(unknown)} (mutable: title, model, systemPrompt)",
        )
    return tuple(dict.fromkeys(MASK_PATHS[path] for path in paths))


def not_found(conversation_id: str) -> ApiError:
    return ApiError(Code.NOT_FOUND, f"conversation {conversation_id!r} not found")


def _stale(conversation_id: str) -> ApiError:
    return ApiError(
        Code.ABORTED,
        f"conversation {conversation_id!r} changed since that etag was read; read it again",
    )


def _validated(
    svc: Services, fields: ConversationFields, columns: tuple[str, ...]
) -> dict[str, str]:
    """The values to write for `columns`. An empty model means the server's default model;
    a model not in the catalog answers INVALID_ARGUMENT (3) (see domain.catalog)."""
    values: dict[str, str] = {}
    if "title" in columns:
        if len(fields.title) > MAX_TITLE:
            raise ApiError(Code.INVALID_ARGUMENT, f"title is longer than {MAX_TITLE} characters")
        values["title"] = fields.title
    if "system_prompt" in columns:
        if len(fields.system_prompt) > MAX_SYSTEM_PROMPT:
            raise ApiError(
                Code.INVALID_ARGUMENT, f"systemPrompt is longer than {MAX_SYSTEM_PROMPT} characters"
            )
        values["system_prompt"] = fields.system_prompt
    if "model" in columns:
        model_id = fields.model or catalog.default_model(svc.providers, svc.default_model)
        values["model"] = catalog.require_known(svc.providers, model_id).id
    return values
