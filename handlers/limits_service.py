"""LimitsService: HTTP <-> domain.user_limits."""

from collections.abc import Mapping
from datetime import UTC, timedelta
from typing import Any

from domain import limits, user_limits, views
from domain.user_limits import UserLimits
from handlers._context import caller, services


def _user_limits(value: UserLimits) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"users/{value.user}/limits",
        "user": value.user,
        "limits": limits.to_json(value.limits),
        "etag": value.etag,
    }
    if value.update_time is not None:
        body["updateTime"] = views.timestamp(value.update_time)
    return body


async def get_user_limits(user: str) -> dict[str, Any]:
    return _user_limits(await user_limits.get_user_limits(services(), caller(), user))


async def update_user_limits(
    user: str, body: Mapping[str, Any], update_mask: str = ""
) -> dict[str, Any]:
    value = await user_limits.update_user_limits(
        services(), caller(), user, body, update_mask=update_mask or ""
    )
    return _user_limits(value)


async def get_effective_limits(api_key: str = "", model: str = "") -> dict[str, Any]:
    svc = services()
    found = await user_limits.effective_limits(
        svc, caller(), api_key=api_key or "", model=model or ""
    )
    now = svc.limits.clock().astimezone(UTC)
    statuses = []
    for status in found.limits:
        item: dict[str, Any] = {
            "scope": status.scope,
            "limit": status.name,
            "value": status.value,
            "used": status.used,
            "remaining": status.remaining,
        }
        if status.reset_ms > 0:
            item["resetTime"] = views.timestamp(now + timedelta(milliseconds=status.reset_ms))
        statuses.append(item)
    return {
        "apiKey": f"apiKeys/{found.key_id}",
        "user": found.user,
        "model": found.model,
        "models": list(found.models),
        "limits": statuses,
    }
