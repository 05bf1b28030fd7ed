"""API keys: issuing, listing, revoking, and authenticating a bearer secret.

A secret is `pllm_` + 32 random bytes (base64url): far too long to guess, so a
fast hash is the right tool (microseconds on every request; bcrypt/argon2 are
for human passwords). The database keeps SHA-256 of it, or HMAC-SHA-256 with
a server-side pepper when one is configured, and finds the key by that hash
with one indexed lookup. The server puts a `domain.key_cache.KeyCache` in
front of it, so a key in use is read at most once per `api_key_cache_seconds`
(<= 2 s): that is how long a revocation made on another process may take to
reach this one; a revocation through this process is seen at once.

A key manages only keys with no more privilege than its own: a USER key
lists and revokes its user's USER keys, never an ADMIN key of the same user
(those are NOT_FOUND to it, as other users' keys are).
"""

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from domain import ids
from domain import limits as limits_domain
from domain.access import readable_owner
from domain.identity import Caller, Role
from domain.key_cache import KeyCache
from domain.paging import Page, page, page_size, time_cursor, time_token
from domain.services import Services
from errors import ApiError, Code
from store import api_keys as repo
from store.clock import utc_now
from store.database import Database
from store.records import ApiKeyRow
from store.user_lock import lock_user

SECRET_PREFIX = "pllm_"
# Shown in lists: "pllm_" and 4 characters of the random part, enough to tell keys apart
# by eye, too few to help guess the other 39.
VISIBLE_PREFIX_LENGTH = len(SECRET_PREFIX) + 4
_ROLES: dict[str, Role] = {"": "user", "ROLE_UNSPECIFIED": "user", "USER": "user", "ADMIN": "admin"}
_UNAUTHENTICATED = "missing, invalid or revoked API key"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str, pepper: bytes | None = None) -> str:
    data = secret.encode("utf-8")
    if pepper:
        return hmac.new(pepper, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


async def authenticate(db: Database, secret: str, pepper: bytes | None = None) -> Caller:
    """The caller a bearer secret stands for; UNAUTHENTICATED (16) when unknown or revoked."""
    check_secret(secret)
    return await caller_of_hash(db, hash_secret(secret, pepper))


def check_secret(secret: str) -> None:
    """UNAUTHENTICATED (16) for what cannot be a key, before any hashing or lookup."""
    if not secret or len(secret) > 512:
        raise ApiError(Code.UNAUTHENTICATED, _UNAUTHENTICATED)


async def caller_of_hash(db: Database, secret_hash: str) -> Caller:
    """The caller of the key with this hash (one indexed read); 16 when unknown or revoked."""
    row = await db.read(repo.credentials, secret_hash)
    if row is None or row.revoke_time is not None:
        raise ApiError(Code.UNAUTHENTICATED, _UNAUTHENTICATED)
    return Caller(user_id=row.user_id, role=_role(row.role), key_id=row.id)


def key_cache(db: Database, pepper: bytes | None, ttl_seconds: float) -> KeyCache:
    """The verified-key cache of one process, over this database and pepper."""

    async def lookup(secret_hash: str) -> Caller:
        return await caller_of_hash(db, secret_hash)

    def hashed(secret: str) -> str:
        check_secret(secret)
        return hash_secret(secret, pepper)

    return KeyCache(lookup, hashed, ttl_seconds=ttl_seconds)


async def ensure_bootstrap_key(
    db: Database, secret: str, user_id: str = "admin", pepper: bytes | None = None
) -> None:
    """Stores an admin key for `secret` unless one exists (local/test: a key to start with).

    Idempotent and safe when several processes start at once (the unique hash decides).
    """
    secret_hash = hash_secret(secret, pepper)
    if await db.read(repo.find_by_hash, secret_hash) is not None:
        return
    try:
        await db.write(repo.insert, _row(secret, secret_hash, user_id, "admin", "bootstrap"))
    except IntegrityError:
        return  # another process stored it first


async def create_api_key(
    svc: Services,
    caller: Caller,
    *,
    display_name: str = "",
    user: str = "",
    role: str = "",
    limits: limits_domain.Limits = limits_domain.NO_LIMITS,
) -> tuple[ApiKeyRow, str]:
    """A new key and its secret (returned once, never stored).

    Users create USER keys for themselves; an ADMIN key or a key for another
    user needs an admin (PERMISSION_DENIED (7)). A user at its `max_api_keys`
    (active keys) gets RESOURCE_EXHAUSTED (8).
    """
    if role not in _ROLES:
        raise ApiError(Code.INVALID_ARGUMENT, f"role must be USER or ADMIN, not {role!r}")
    wanted_role = _ROLES[role]
    owner = user or caller.user_id
    if not caller.is_admin:
        if wanted_role == "admin":
            raise ApiError(Code.PERMISSION_DENIED, "only an admin can create ADMIN keys")
        if owner != caller.user_id:
            raise ApiError(Code.PERMISSION_DENIED, "only an admin can create keys for other users")
    if len(display_name) > 200:
        raise ApiError(Code.INVALID_ARGUMENT, "displayName is longer than 200 characters")
    secret = new_secret()
    row = _row(secret, hash_secret(secret, svc.api_key_pepper), owner, wanted_role, display_name)
    row.limits = limits_domain.to_store(limits)
    cap = (await svc.limits.user_limits(owner, wanted_role)).max_api_keys

    def store(connection: Connection) -> None:
        if cap is not None:
            lock_user(connection, owner)  # the count below holds until the insert
            if repo.count_active(connection, owner) >= cap:
                raise ApiError(
                    Code.RESOURCE_EXHAUSTED,
                    f"user {owner!r} holds its {cap} active API keys (max_api_keys); "
                    "revoke one first",
                )
        repo.insert(connection, row)

    await svc.db.write(store)
    return row, secret


async def update_api_key(
    svc: Services,
    caller: Caller,
    key_id: str,
    body: Mapping[str, Any],
    *,
    update_mask: str = "",
    etag: str = "",
) -> ApiKeyRow:
    """Sets the masked fields (`displayName`, `limits`, `limits.<field>`) of a key.

    Users update their own keys (others' are NOT_FOUND (5)), admins anyone's.
    A stale etag answers ABORTED (10); the check and the write are one UPDATE.
    """
    paths = [] if update_mask in ("", "*") else update_mask.split(",")
    display = not paths or any(p in ("displayName", "display_name") for p in paths)
    limit_paths = [p for p in paths if p not in ("displayName", "display_name")]
    names = limits_domain.mask_fields(
        limit_paths or (["limits"] if not paths else []), "updateMask"
    )
    new_limits = limits_domain.from_json(body.get("limits"), "limits")
    display_name = body.get("displayName") or ""
    if len(display_name) > 200:
        raise ApiError(Code.INVALID_ARGUMENT, "displayName is longer than 200 characters")

    def write(connection: Connection) -> ApiKeyRow:
        row = repo.get(connection, key_id)
        if row is None or (not caller.is_admin and row.user_id != caller.user_id):
            raise ApiError(Code.NOT_FOUND, f"API key {key_id!r} not found")
        values: dict[str, Any] = {}
        if display:
            values["display_name"] = display_name
        if names:
            current = limits_domain.from_store(row.limits)
            values["limits"] = limits_domain.to_store(current.masked(new_limits, names))
        written = repo.update_fields(connection, key_id, values, etag or None, ids.etag())
        if written is None:
            raise ApiError(
                Code.ABORTED, f"API key {key_id!r} changed since that etag was read; read it again"
            )
        return written

    row = await svc.db.write(write)
    svc.limits.forget(key_id=key_id)
    return row


async def list_api_keys(
    svc: Services, caller: Caller, *, user: str = "", size: int | None = None, token: str = ""
) -> Page[ApiKeyRow]:
    """Keys newest first: the caller's own, or (admins) one user's or everyone's (`*`)."""
    owner = readable_owner(caller, user, what="keys")
    limit = page_size(size)
    scope = owner if owner is not None else "*"
    after = time_cursor(token, "apiKeys", scope)
    rows = await svc.db.read(
        repo.list_page, owner, after, limit + 1, role=None if caller.is_admin else "user"
    )
    return page(rows, limit, lambda last: time_token("apiKeys", scope, last.create_time, last.id))


async def revoke_api_key(svc: Services, caller: Caller, key_id: str) -> ApiKeyRow:
    """Revokes a key (admins: anyone's; users: their own USER keys, others are NOT_FOUND (5)).

    Revoking a revoked key changes nothing and answers the key as it is.
    """

    def revoke(connection: Connection) -> ApiKeyRow:
        row = repo.get(connection, key_id)
        if row is None or not _may_manage(caller, row):
            raise ApiError(Code.NOT_FOUND, f"API key {key_id!r} not found")
        if row.revoke_time is None:
            row = repo.revoke(connection, key_id, utc_now()) or row
        return row

    row = await svc.db.write(revoke)
    if svc.key_cache is not None:
        svc.key_cache.forget(key_id)  # this process at once; the others within the cache's ttl
    return row


def _row(secret: str, secret_hash: str, user_id: str, role: Role, display_name: str) -> ApiKeyRow:
    return ApiKeyRow(
        id=ids.api_key_id(),
        user_id=user_id,
        role=role,
        display_name=display_name,
        prefix=secret[:VISIBLE_PREFIX_LENGTH],
        secret_hash=secret_hash,
        create_time=utc_now(),
        revoke_time=None,
        limits=None,
        etag=ids.etag(),
    )


def _may_manage(caller: Caller, row: ApiKeyRow) -> bool:
    """Admins manage every key; a user key its own user's keys of no more privilege."""
    if caller.is_admin:
        return True
    return row.user_id == caller.user_id and _role(row.role) == "user"


def _role(value: str) -> Role:
    if value == "admin":
        return "admin"
    return "user"
