"""GetUsage: per day, user and model; admins only for other users."""

from datetime import date, timedelta

import pytest

from domain import usage
from domain.services import Services
from errors import ApiError, Code
from store import usage as usage_repo
from store.clock import utc_now
from tests.domain.conftest import ALICE, BOB, ROOT


async def _seed(svc: Services) -> date:
    today = utc_now().date()
    await svc.db.write(
        usage_repo.add_many,
        [
            (day, user, model, n, 10 * n, n, 0)
            for day, user, model, n in [
                (today, "alice", "echo", 2),
                (today, "alice", "echo-large", 1),
                (today, "bob", "echo", 5),
                (today - timedelta(days=3), "alice", "echo", 1),
                (today - timedelta(days=40), "alice", "echo", 7),
            ]
        ],
    )
    return today


async def test_own_usage_defaults_to_the_last_30_days(svc: Services) -> None:
    today = await _seed(svc)
    report = await usage.get_usage(svc, ALICE)
    assert (report.start, report.end) == (today - timedelta(days=30), today)
    assert [(r.day, r.model, r.requests) for r in report.rows] == [
        (today - timedelta(days=3), "echo", 1),
        (today, "echo", 2),
        (today, "echo-large", 1),
    ]
    assert (report.total_requests, report.total_input_tokens, report.total_output_tokens) == (
        4,
        40,
        4,
    )


async def test_filters_and_admin_views(svc: Services) -> None:
    today = await _seed(svc)
    iso = today.isoformat()
    only_echo = await usage.get_usage(svc, ALICE, start_date=iso, end_date=iso, model="echo")
    assert [(r.user_id, r.requests) for r in only_echo.rows] == [("alice", 2)]
    everyone = await usage.get_usage(svc, ROOT, start_date=iso, user="*")
    assert [(r.user_id, r.model) for r in everyone.rows] == [
        ("alice", "echo"),
        ("alice", "echo-large"),
        ("bob", "echo"),
    ]
    assert [r.user_id for r in (await usage.get_usage(svc, ROOT, user="bob")).rows] == ["bob"]
    old = (today - timedelta(days=40)).isoformat()
    assert (await usage.get_usage(svc, ALICE, start_date=old, end_date=old)).total_requests == 7


@pytest.mark.parametrize("user", ["*", "alice"])
async def test_user_asking_for_others_is_denied(svc: Services, user: str) -> None:
    with pytest.raises(ApiError) as caught:
        await usage.get_usage(svc, BOB, user=user)
    assert caught.value.code == Code.PERMISSION_DENIED
    assert (await usage.get_usage(svc, BOB, user="bob")).rows == []


@pytest.mark.parametrize(
    ("start", "end"), [("2025-02-30", ""), ("2025-01-02", "2025-01-01"), ("", "yesterday")]
)
async def test_bad_dates_are_invalid(svc: Services, start: str, end: str) -> None:
    with pytest.raises(ApiError) as caught:
        await usage.get_usage(svc, ALICE, start_date=start, end_date=end)
    assert caught.value.code == Code.INVALID_ARGUMENT


async def test_record_in_its_own_transaction(svc: Services) -> None:
    await usage.record(svc.db, user_id="alice", model="echo", input_tokens=3, output_tokens=4)
    await usage.record(svc.db, user_id="alice", model="echo", input_tokens=1, output_tokens=-5)
    report = await usage.get_usage(svc, ALICE)
    assert [(r.requests, r.input_tokens, r.output_tokens) for r in report.rows] == [(2, 4, 4)]
