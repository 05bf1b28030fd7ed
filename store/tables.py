"""The schema, as SQLAlchemy 2 declarative classes. Migrations (store/migrations) create it.

Portable between SQLite and PostgreSQL: timestamps are stored as naive UTC at
microsecond precision (SQLite has no time zones; both keep microseconds, which
keyset pagination relies on), integer surrogate keys become INTEGER on SQLite
so that they autoincrement there.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ApiKeyRow(Base):
    """An API key. Only a hash of the secret is kept; `prefix` lets people recognise it."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # "user" | "admin"
    display_name: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    # hex SHA-256 (or HMAC-SHA-256 with the server pepper) of the secret: the lookup key.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    create_time: Mapped[datetime] = mapped_column(UtcDateTime())
    revoke_time: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The key's Limits (domain.limits.to_store), None when it has none.
    limits: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    etag: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (Index("ix_api_keys_user_created", "user_id", "create_time", "id"),)


class UserLimitsRow(Base):
    """A user's own limits (all of its keys together); absent: the role's defaults."""

    __tablename__ = "user_limits"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    limits: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    etag: Mapped[str] = mapped_column(String(32))
    update_time: Mapped[datetime] = mapped_column(UtcDateTime())


class UserMessageBytesRow(Base):
    """A user's running total of message bytes held (its max_message_bytes cap), kept in
    the transactions that store, settle and delete, so no turn sums the messages table."""

    __tablename__ = "user_message_bytes"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    message_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class ConversationRow(Base):
    """A conversation. `id` is unique per user: one user's ids reveal nothing to another."""

    __tablename__ = "conversations"

    pk: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(128))
    id: Mapped[str] = mapped_column(String(63))
    title: Mapped[str] = mapped_column(String(200), default="")
    model: Mapped[str] = mapped_column(String(128))
    system_prompt: Mapped[str] = mapped_column(Text, default="")
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    etag: Mapped[str] = mapped_column(String(32))
    create_time: Mapped[datetime] = mapped_column(UtcDateTime())
    update_time: Mapped[datetime] = mapped_column(UtcDateTime())
    # The generation lock: the answer being written, since when, and until when its
    # writer holds the lease (renewed while it works; past it, the writer is presumed dead).
    generating_message_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    generating_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    generation_lease_expires: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # UTF-8 bytes of its system prompt and settled messages: what deleting it frees
    # from its user's `user_message_bytes` total (store.message_bytes).
    content_bytes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("user_id", "id"),
        Index("ix_conversations_user_created", "user_id", "create_time", "id"),
        # The sweep's query: leases that ran out.
        Index("ix_conversations_generation_lease_expires", "generation_lease_expires"),
    )


class MessageRow(Base):
    """One message. `position` (1, 2, ...) orders a thread and is its pagination key."""

    __tablename__ = "messages"

    pk: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    conversation_pk: Mapped[int] = mapped_column(
        SurrogateKey, ForeignKey("conversations.pk", ondelete="CASCADE")
    )
    id: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # "USER" | "ASSISTANT"
    content: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # COMPLETE | IN_PROGRESS | FAILED | CANCELLED
    model: Mapped[str] = mapped_column(String(128), default="")
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    finish_reason: Mapped[str | None] = mapped_column(String(24), nullable=True)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    create_time: Mapped[datetime] = mapped_column(UtcDateTime())
    update_time: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("conversation_pk", "position"),
        UniqueConstraint("conversation_pk", "id"),
    )


class UsageRow(Base):
    """Usage per UTC day, user and model; one upserted row per generation."""

    __tablename__ = "usage_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    model: Mapped[str] = mapped_column(String(128), primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    # Cost at the model's configured prices, in millionths of the currency (exact sums).
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index("ix_usage_daily_user_day", "user_id", "day"),)
