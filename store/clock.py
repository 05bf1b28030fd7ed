"""The one clock the store and the domain read, so tests and rows agree on UTC."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC, at microsecond precision."""
    return datetime.now(UTC)
