"""LimitsService: HTTP <-> domain.user_limits."""

from collections.abc import Mapping
from datetime import UTC, timedelta
from typing import Any

from connexion import request

from domain import limits, user_limits, views
from domain.user_limits import UserLimits
from handlers._context import caller, services


def _path_user() -> str:
    """The `{user}` of the path, read from the request: Connexion hands handlers its security
    context under the name `user`, which would replace the path parameter."""
    return str(request.path_params.get("user", ""))


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


async def get_user_limits(**_: Any) -> dict[str, Any]:
    return _user_limits(await user_limits.get_user_limits(services(), caller(), _path_user()))


async def update_user_limits(
    body: Mapping[str, Any], update_mask: str = "", **_: Any
) -> dict[str, Any]:
    value = await user_limits.update_user_limits(
        services(), caller(), _path_user(), body, update_mask=update_mask or ""
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
