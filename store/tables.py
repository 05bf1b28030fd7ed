"""The schema, as SQLAlchemy Core tables. Migrations (store/migrations) create it.

Core rather than ORM classes: every query in store/ is a Core statement built
once at import (bind parameters for the values), so a request pays for
executing it and for nothing else; rows come back as the plain records of
store.records.

Portable between SQLite and PostgreSQL: timestamps are stored as naive UTC at
microsecond precision (SQLite has no time zones; both keep microseconds, which
keyset pagination relies on), integer surrogate keys become INTEGER on SQLite
so that they autoincrement there.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can refer to them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL; INTEGER on SQLite, the only type its rowid autoincrement accepts.
SurrogateKey = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite through a raw text() query
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


metadata = MetaData(naming_convention=NAMING_CONVENTION)

# An API key. Only a hash of the secret is kept; `prefix` lets people recognise it.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(128), nullable=False),
    Column("role", String(16), nullable=False),  # "user" | "admin"
    Column("display_name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    # hex SHA-256 (or HMAC-SHA-256 with the server pepper) of the secret: the lookup key.
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("revoke_time", UtcDateTime(), nullable=True),
    # The key's Limits (domain.limits.to_store), None when it has none.
    Column("limits", JSON, nullable=True),
    Column("etag", String(32), nullable=False),
    Index("ix_api_keys_user_created", "user_id", "create_time", "id"),
)

# A user's own limits (all of its keys together); absent: the role's defaults.
user_limits = Table(
    "user_limits",
    metadata,
    Column("user_id", String(128), primary_key=True),
    Column("limits", JSON, nullable=True),
    Column("etag", String(32), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
)

# A user's running total of message bytes held (its max_message_bytes cap), kept in the
# transactions that store, settle and delete, so no turn sums the messages table.
user_message_bytes = Table(
    "user_message_bytes",
    metadata,
    Column("user_id", String(128), primary_key=True),
    Column("message_bytes", BigInteger, nullable=False),
)

# A conversation. `id` is unique per user: one user's ids reveal nothing to another.
conversations = Table(
    "conversations",
    metadata,
    Column("pk", SurrogateKey, primary_key=True, autoincrement=True),
    Column("user_id", String(128), nullable=False),
    Column("id", String(63), nullable=False),
    Column("title", String(200), nullable=False),
    Column("model", String(128), nullable=False),
    Column("system_prompt", Text, nullable=False),
    Column("message_count", Integer, nullable=False),
    Column("etag", String(32), nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
    # The generation lock: the answer being written, since when, and until when its
    # writer holds the lease (renewed while it works; past it, the writer is presumed dead).
    Column("generating_message_id", String(40), nullable=True),
    Column("generating_since", UtcDateTime(), nullable=True),
    Column("generation_lease_expires", UtcDateTime(), nullable=True),
    # UTF-8 bytes of its system prompt and settled messages: what deleting it frees
    # from its user's `user_message_bytes` total (store.message_bytes).
    Column("content_bytes", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("user_id", "id"),
    Index("ix_conversations_user_created", "user_id", "create_time", "id"),
    # The sweep's query: leases that ran out.
    Index("ix_conversations_generation_lease_expires", "generation_lease_expires"),
)

# One message. `position` (1, 2, ...) orders a thread and is its pagination key.
messages = Table(
    "messages",
    metadata,
    Column("pk", SurrogateKey, primary_key=True, autoincrement=True),
    Column(
        "conversation_pk",
        SurrogateKey,
        ForeignKey("conversations.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("id", String(40), nullable=False),
    Column("position", Integer, nullable=False),
    Column("role", String(16), nullable=False),  # "USER" | "ASSISTANT"
    Column("content", Text, nullable=False),
    Column("status", String(16), nullable=False),  # COMPLETE | IN_PROGRESS | FAILED | CANCELLED
    Column("model", String(128), nullable=False),
    Column("input_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("finish_reason", String(24), nullable=True),
    Column("error_code", Integer, nullable=True),
    Column("error_message", Text, nullable=True),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
    UniqueConstraint("conversation_pk", "position"),
    UniqueConstraint("conversation_pk", "id"),
)

# Usage per UTC day, user and model; one upserted row per generation (or batch).
usage_daily = Table(
    "usage_daily",
    metadata,
    Column("day", Date, primary_key=True),
    Column("user_id", String(128), primary_key=True),
    Column("model", String(128), primary_key=True),
    Column("requests", BigInteger, nullable=False),
    Column("input_tokens", BigInteger, nullable=False),
    Column("output_tokens", BigInteger, nullable=False),
    # Cost at the model's configured prices, in millionths of the currency (exact sums).
    Column("cost_micros", BigInteger, nullable=False),
    Index("ix_usage_daily_user_day", "user_id", "day"),
)
