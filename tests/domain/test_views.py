"""Resource views: timestamps as proto3 JSON writes them (RFC 3339, UTC, 0/3/6 fraction digits)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.views import timestamp


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 120_000, tzinfo=UTC), "2026-01-02T03:04:05.120Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 123_456, tzinfo=UTC), "2026-01-02T03:04:05.123456Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 1_000, tzinfo=UTC), "2026-01-02T03:04:05.001Z"),
        # Another offset is converted to UTC; year 1 keeps its four digits.
        (datetime(2026, 1, 2, 1, 0, tzinfo=timezone(timedelta(hours=2))), "2026-01-01T23:00:00Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
    ],
)
def test_timestamps_read_as_proto3_json_writes_them(value: datetime, written: str) -> None:
    assert timestamp(value) == written
