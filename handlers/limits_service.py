"""LimitsService: HTTP <-> domain.user_limits."""

from datetime import UTC, timedelta
from typing import cast

from domain import limits, user_limits, views
from handlers._context import caller, path_user, services
from handlers.api_types import EffectiveLimits, Limits, LimitStatus, UserLimits


def _user_limits(value: user_limits.UserLimits) -> UserLimits:
    body = UserLimits(
        name=f"users/{value.user}/limits",
        user=value.user,
        limits=cast(Limits, limits.to_json(value.limits)),
        etag=value.etag,
    )
    if value.update_time is not None:
        body["updateTime"] = views.timestamp(value.update_time)
    return body


# `user`: Connexion passes the path's `{user}` under this name, then replaces it with its
# security context's user; the path's value is read from the request (path_user).


async def get_user_limits(user: str) -> UserLimits:
    return _user_limits(await user_limits.get_user_limits(services(), caller(), path_user()))


async def update_user_limits(user: str, body: UserLimits, update_mask: str = "") -> UserLimits:
    value = await user_limits.update_user_limits(
        services(), caller(), path_user(), body, update_mask=update_mask or ""
    )
    return _user_limits(value)


async def get_effective_limits(api_key: str = "", model: str = "") -> EffectiveLimits:
    svc = services()
    found = await user_limits.effective_limits(
        svc, caller(), api_key=api_key or "", model=model or ""
    )
    now = svc.limits.clock().astimezone(UTC)
    statuses = []
    for status in found.limits:
        item = LimitStatus(
            scope=status.scope,
            limit=status.name,
            value=status.value,
            used=status.used,
            remaining=status.remaining,
        )
        if status.reset_ms > 0:
            item["resetTime"] = views.timestamp(now + timedelta(milliseconds=status.reset_ms))
        statuses.append(item)
    return EffectiveLimits(
        apiKey=f"apiKeys/{found.key_id}",
        user=found.user,
        model=found.model,
        models=list(found.models),
        limits=statuses,
    )
