"""Domain records as API JSON: proto3 JSON names (camelCase), enums as strings, RFC 3339 UTC times.

The one place that knows the wire shape of our resources, used by the
handlers and by the stream of StreamMessage events alike. Each view is the
spec's schema as handlers/api_types.py generates it, so mypy refuses a field
the spec does not have (or one of the wrong type).
"""

from datetime import UTC, date, datetime
from typing import Any, cast

from domain import limits as limits_domain
from domain.catalog import CatalogEntry
from handlers import api_types as api
from store.records import ApiKeyRow, ConversationRow, MessageRow, UsageRow

# The spec's `Model` schema is `api_types.ModelModel`: datamodel-codegen gives the name
# `Model` to the items of `Limits.models` (a constrained string) and renames the schema.
PROVIDER_ENUM = {"echo": "ECHO", "bedrock": "BEDROCK", "openai": "OPENAI"}
FINISH_ENUM = {
    "stop": "STOP",
    "length": "LENGTH",
    "stop_sequence": "STOP_SEQUENCE",
    "content_filter": "CONTENT_FILTER",
}


def timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with 0, 3 or 6 fractional digits, as proto3 JSON writes Timestamps."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    micros = value.microsecond
    if micros == 0:
        precision = "seconds"
    elif micros % 1000 == 0:
        precision = "milliseconds"
    else:
        precision = "microseconds"
    # datetime.isoformat, not strftime: a few times faster, and called for every resource.
    return value.replace(tzinfo=None).isoformat(timespec=precision) + "Z"


def day(value: date) -> str:
    return value.isoformat()


def _enum(name: str) -> Any:
    """An enum value the store keeps by its spec name (USER, COMPLETE...): the store's
    columns are plain strings, so the value, unlike the field, is not checked here."""
    return name


def conversation(row: ConversationRow) -> api.Conversation:
    return api.Conversation(
        name=f"conversations/{row.id}",
        id=row.id,
        title=row.title,
        model=row.model,
        systemPrompt=row.system_prompt,
        createTime=timestamp(row.create_time),
        updateTime=timestamp(row.update_time),
        messageCount=row.message_count,
        etag=row.etag,
    )


def message(row: MessageRow, conversation_id: str) -> api.Message:
    body = api.Message(
        name=message_name(conversation_id, row.id),
        id=row.id,
        role=_enum(row.role),
        content=row.content,
        status=_enum(row.status),
        model=row.model,
        usage=api.Usage(
            inputTokens=row.input_tokens,
            outputTokens=row.output_tokens,
            totalTokens=row.input_tokens + row.output_tokens,
        ),
        finishReason=_enum(FINISH_ENUM.get(row.finish_reason or "", "FINISH_REASON_UNSPECIFIED")),
        createTime=timestamp(row.create_time),
        updateTime=timestamp(row.update_time),
    )
    if row.error_code is not None:
        body["error"] = api.Status(code=row.error_code, message=row.error_message or "")
    return body


def message_name(conversation_id: str, message_id: str) -> str:
    return f"conversations/{conversation_id}/messages/{message_id}"


def api_key(row: ApiKeyRow) -> api.ApiKey:
    body = api.ApiKey(
        name=f"apiKeys/{row.id}",
        id=row.id,
        displayName=row.display_name,
        user=row.user_id,
        role=_enum(row.role.upper()),
        prefix=row.prefix,
        state="REVOKED" if row.revoke_time is not None else "ACTIVE",
        createTime=timestamp(row.create_time),
    )
    if row.revoke_time is not None:
        body["revokeTime"] = timestamp(row.revoke_time)
    body["limits"] = cast(api.Limits, limits_domain.to_json(limits_domain.from_store(row.limits)))
    body["etag"] = row.etag
    return body


def model(entry: CatalogEntry) -> api.ModelModel:
    spec = entry.spec
    return api.ModelModel(
        name=f"models/{spec.id}",
        id=spec.id,
        displayName=spec.display_name or spec.id,
        description=spec.description,
        provider=_enum(PROVIDER_ENUM.get(entry.provider_type, "PROVIDER_UNSPECIFIED")),
        providerName=spec.provider,
        upstreamModelId=spec.upstream_id,
        contextWindow=spec.context_window,
        maxOutputTokens=spec.max_output_tokens,
        available=entry.availability.available,
        unavailableReason="" if entry.availability.available else entry.availability.reason,
        testModel=spec.test_model,
        capabilities=[_enum(c.upper()) for c in sorted(spec.capabilities)],
    )


def usage_row(row: UsageRow) -> api.UsageRow:
    return api.UsageRow(
        date=day(row.day),
        user=row.user_id,
        model=row.model,
        # 64-bit counts are JSON strings (proto3 JSON); the cost a number.
        requests=str(row.requests),
        inputTokens=str(row.input_tokens),
        outputTokens=str(row.output_tokens),
        cost=cost(row.cost_micros),
    )


def cost(micros: int) -> float:
    """Millionths of the currency, as the currency (rounded to 6 places, exact for display)."""
    return round(micros / 1_000_000, 6)
