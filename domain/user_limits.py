"""The limits API: a user's own limits (admins), and any caller's effective limits."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from domain import catalog, ids
from domain import limits as limits_domain
from domain.admission import LimitStatus
from domain.identity import Caller
from domain.services import Services
from errors import ApiError, Code
from store import api_keys as key_repo
from store import message_bytes
from store import user_limits as repo
from store.clock import utc_now


@dataclass(frozen=True, slots=True)
class UserLimits:
    user: str
    limits: limits_domain.Limits
    etag: str
    update_time: datetime | None


def _admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise ApiError(Code.PERMISSION_DENIED, "only an admin can read or set a user's limits")


async def get_user_limits(svc: Services, caller: Caller, user: str) -> UserLimits:
    _admin(caller)
    row = await svc.db.read(repo.get, user)
    if row is None:
        return UserLimits(user, limits_domain.NO_LIMITS, "", None)
    return UserLimits(user, limits_domain.from_store(row.limits), row.etag, row.update_time)


async def update_user_limits(
    svc: Services, caller: Caller, user: str, body: Mapping[str, Any], *, update_mask: str = ""
) -> UserLimits:
    """Sets the masked limits; a stale `etag` answers ABORTED (10)."""
    _admin(caller)
    if not user or len(user) > 128:
        raise ApiError(Code.INVALID_ARGUMENT, "the user id must be 1-128 characters")
    paths = ["limits"] if update_mask in ("", "*") else update_mask.split(",")
    names = limits_domain.mask_fields(paths, "updateMask")
    new = limits_domain.from_json(body.get("limits"), "limits")
    etag = body.get("etag") or ""
    new_etag = ids.etag()
    now = utc_now()

    def write(connection: Connection) -> limits_domain.Limits:
        row = repo.get(connection, user)
        current = (
            limits_domain.from_store(row.limits) if row is not None else limits_domain.NO_LIMITS
        )
        merged = current.masked(new, names)
        stored = limits_domain.to_store(merged)
        if etag and (row is None or row.etag != etag):
            raise _stale(user)
        if not repo.put(
            connection, user, stored, expected_etag=etag or None, new_etag=new_etag, now=now
        ):
            raise _stale(user)
        return merged

    merged = await svc.db.write(write)
    svc.limits.forget(user_id=user)
    return UserLimits(user, merged, new_etag, now)


@dataclass(frozen=True, slots=True)
class EffectiveLimits:
    key_id: str
    user: str
    model: str
    models: tuple[str, ...]
    limits: list[LimitStatus]


async def effective_limits(
    svc: Services, caller: Caller, *, api_key: str = "", model: str = ""
) -> EffectiveLimits:
    """The limits on a key's requests (the caller's own key by default) and what is left."""
    subject = caller
    if api_key and api_key != caller.key_id:
        row = await svc.db.read(key_repo.get, api_key)
        if row is None or (not caller.is_admin and row.user_id != caller.user_id):
            raise ApiError(Code.NOT_FOUND, f"API key {api_key!r} not found")
        subject = Caller(
            user_id=row.user_id, role="admin" if row.role == "admin" else "user", key_id=row.id
        )
    model_id = model or catalog.default_model(svc.providers, svc.default_model)
    if svc.providers.model(model_id) is None:
        raise ApiError(Code.NOT_FOUND, f"model {model_id!r} is not in the catalog (see /v1/models)")
    statuses = await svc.limits.status(subject, model_id)
    byte_cap = (await svc.limits.user_limits(subject.user_id, subject.role)).max_message_bytes
    if byte_cap is not None:
        held = await svc.db.read(message_bytes.used, subject.user_id)
        # Not a window: nothing frees these bytes but deleting conversations (no reset).
        statuses.append(
            LimitStatus(
                f"users/{subject.user_id}",
                "max_message_bytes",
                byte_cap,
                held,
                max(0, byte_cap - held),
                0,
            )
        )
    allowed = (await svc.limits.key_limits(subject.key_id)).models
    return EffectiveLimits(subject.key_id, subject.user_id, model_id, allowed, statuses)


def _stale(user: str) -> ApiError:
    return ApiError(
        Code.ABORTED,
        f"the limits of user {user!r} changed since that etag was read; read them again",
    )
