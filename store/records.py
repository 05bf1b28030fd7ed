"""The rows the store hands to the domain: plain dataclasses, one per table of store.tables.

Each record's fields are its table's columns in the table's order, so a row
selected with `select(table)` becomes a record with `Record(*row)`, the
cheapest conversion there is (store/ runs on every request). A test holds the
two in step.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class ApiKeyRow:
    id: str
    user_id: str
    role: str  # "user" | "admin"
    display_name: str
    prefix: str
    secret_hash: str
    create_time: datetime
    revoke_time: datetime | None
    limits: dict[str, Any] | None  # domain.limits.to_store
    etag: str


@dataclass(slots=True)
class UserLimitsRow:
    user_id: str
    limits: dict[str, Any] | None
    etag: str
    update_time: datetime


@dataclass(slots=True)
class ConversationRow:
    pk: int
    user_id: str
    id: str
    title: str
    model: str
    system_prompt: str
    message_count: int
    etag: str
    create_time: datetime
    update_time: datetime
    generating_message_id: str | None
    generating_since: datetime | None
    generation_lease_expires: datetime | None
    content_bytes: int


@dataclass(slots=True)
class MessageRow:
    pk: int
    conversation_pk: int
    id: str
    position: int
    role: str  # "USER" | "ASSISTANT"
    content: str
    status: str  # COMPLETE | IN_PROGRESS | FAILED | CANCELLED
    model: str
    input_tokens: int
    output_tokens: int
    finish_reason: str | None
    error_code: int | None
    error_message: str | None
    create_time: datetime
    update_time: datetime


@dataclass(slots=True)
class UsageRow:
    day: date
    user_id: str
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost_micros: int
