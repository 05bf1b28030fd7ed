"""API keys: hashed storage, authentication, roles, revocation, listing."""

import pytest
from sqlalchemy import Connection, select

from domain import api_keys
from domain.identity import Caller
from domain.services import Services
from errors import ApiError, Code
from store.database import Database
from store.records import ApiKeyRow
from store.tables import api_keys as key_table
from tests.domain.conftest import ALICE, BOB, ROOT


def _all_keys(connection: Connection) -> list[ApiKeyRow]:
    return [ApiKeyRow(*row) for row in connection.execute(select(key_table))]


async def test_secret_is_shown_once_and_only_its_hash_is_stored(svc: Services) -> None:
    row, secret = await api_keys.create_api_key(svc, ALICE, display_name="laptop")
    assert secret.startswith("pllm_") and len(secret) >= 5 + 43
    # The fixed prefix and 4 characters: enough to tell keys apart, nothing to guess with.
    assert row.prefix == secret[:9] and row.prefix.startswith("pllm_")
    stored = await svc.db.read(_all_keys)
    columns = [str(getattr(r, name)) for r in stored for name in r.__dataclass_fields__]
    assert not any(secret in value for value in columns)
    assert stored[0].secret_hash == api_keys.hash_secret(secret)


async def test_authenticate_maps_the_secret_to_its_caller(svc: Services) -> None:
    row, secret = await api_keys.create_api_key(svc, ALICE)
    caller = await api_keys.authenticate(svc.db, secret)
    assert (caller.user_id, caller.role, caller.key_id) == ("alice", "user", row.id)
    assert not caller.is_admin


@pytest.mark.parametrize("secret", ["", "pllm_nope", "x" * 600])
async def test_unknown_secret_is_unauthenticated(svc: Services, secret: str) -> None:
    with pytest.raises(ApiError) as caught:
        await api_keys.authenticate(svc.db, secret)
    assert caught.value.code == Code.UNAUTHENTICATED


async def test_pepper_changes_the_hash(svc: Services) -> None:
    assert api_keys.hash_secret("s", b"pepper") != api_keys.hash_secret("s")
    peppered = Services(db=svc.db, providers=svc.providers, api_key_pepper=b"pepper")
    _, secret = await api_keys.create_api_key(peppered, ALICE)
    assert (await api_keys.authenticate(svc.db, secret, pepper=b"pepper")).user_id == "alice"
    with pytest.raises(ApiError):
        await api_keys.authenticate(svc.db, secret)  # without the pepper the hash does not match


async def test_revocation_applies_to_the_next_request(svc: Services) -> None:
    row, secret = await api_keys.create_api_key(svc, ALICE)
    await api_keys.authenticate(svc.db, secret)
    revoked = await api_keys.revoke_api_key(svc, ALICE, row.id)
    assert revoked.revoke_time is not None
    with pytest.raises(ApiError) as caught:
        await api_keys.authenticate(svc.db, secret)
    assert caught.value.code == Code.UNAUTHENTICATED
    again = await api_keys.revoke_api_key(svc, ALICE, row.id)  # no-op, same revoke time
    assert again.revoke_time == revoked.revoke_time


async def test_users_cannot_touch_other_users_keys(svc: Services) -> None:
    row, _ = await api_keys.create_api_key(svc, ALICE)
    with pytest.raises(ApiError) as caught:
        await api_keys.revoke_api_key(svc, BOB, row.id)
    assert caught.value.code == Code.NOT_FOUND
    assert (await api_keys.revoke_api_key(svc, ROOT, row.id)).revoke_time is not None


async def test_a_user_key_cannot_manage_a_more_privileged_key_of_its_own_user(
    svc: Services,
) -> None:
    # The admin user holds an ADMIN key, and (given by an admin) a USER key too.
    admin_key, admin_secret = await api_keys.create_api_key(svc, ROOT, user="admin", role="ADMIN")
    user_key, _ = await api_keys.create_api_key(svc, ROOT, user="admin", role="USER")
    weaker = Caller(user_id="admin", role="user", key_id=user_key.id)
    listed = await api_keys.list_api_keys(svc, weaker)
    assert [row.id for row in listed.items] == [user_key.id]
    with pytest.raises(ApiError) as caught:
        await api_keys.revoke_api_key(svc, weaker, admin_key.id)
    assert caught.value.code == Code.NOT_FOUND
    assert (await api_keys.authenticate(svc.db, admin_secret)).is_admin  # still valid
    # Keys of no more privilege stay its own to manage.
    assert (await api_keys.revoke_api_key(svc, weaker, user_key.id)).revoke_time is not None
    admin = Caller(user_id="admin", role="admin", key_id=admin_key.id)
    assert {row.id for row in (await api_keys.list_api_keys(svc, admin)).items} == {
        admin_key.id,
        user_key.id,
    }


@pytest.mark.parametrize(("user", "role"), [("", "ADMIN"), ("bob", "USER"), ("bob", "")])
async def test_user_needs_admin_for_admin_keys_or_other_users(
    svc: Services, user: str, role: str
) -> None:
    with pytest.raises(ApiError) as caught:
        await api_keys.create_api_key(svc, ALICE, user=user, role=role)
    assert caught.value.code == Code.PERMISSION_DENIED


async def test_admin_creates_keys_for_anyone(svc: Services) -> None:
    row, secret = await api_keys.create_api_key(svc, ROOT, user="carol", role="ADMIN")
    assert (row.user_id, row.role) == ("carol", "admin")
    assert (await api_keys.authenticate(svc.db, secret)).is_admin
    own, _ = await api_keys.create_api_key(svc, ALICE, user="alice", role="USER")
    assert own.user_id == "alice"


async def test_listing_is_newest_first_paged_and_scoped(svc: Services) -> None:
    made = [(await api_keys.create_api_key(svc, ALICE, display_name=f"k{i}"))[0] for i in range(5)]
    await api_keys.create_api_key(svc, BOB)
    seen: list[str] = []
    token = ""
    for _ in range(10):
        page = await api_keys.list_api_keys(svc, ALICE, size=2, token=token)
        seen += [row.id for row in page.items]
        token = page.next_page_token
        if not token:
            break
    assert seen == [row.id for row in reversed(made)]
    everyone = await api_keys.list_api_keys(svc, ROOT, user="*")
    assert {row.user_id for row in everyone.items} == {"alice", "bob"}
    only_bob = await api_keys.list_api_keys(svc, ROOT, user="bob")
    assert [row.user_id for row in only_bob.items] == ["bob"]


@pytest.mark.parametrize("user", ["*", "bob"])
async def test_user_listing_others_keys_is_denied(svc: Services, user: str) -> None:
    with pytest.raises(ApiError) as caught:
        await api_keys.list_api_keys(svc, ALICE, user=user)
    assert caught.value.code == Code.PERMISSION_DENIED


async def test_page_token_of_another_filter_is_invalid(svc: Services) -> None:
    for _ in range(3):
        await api_keys.create_api_key(svc, ROOT, user="bob")
    page = await api_keys.list_api_keys(svc, ROOT, user="*", size=1)
    with pytest.raises(ApiError) as caught:
        await api_keys.list_api_keys(svc, ROOT, user="bob", token=page.next_page_token)
    assert caught.value.code == Code.INVALID_ARGUMENT


async def test_bootstrap_key_is_idempotent(db: Database) -> None:
    await api_keys.ensure_bootstrap_key(db, "local-admin-secret")
    await api_keys.ensure_bootstrap_key(db, "local-admin-secret")
    caller = await api_keys.authenticate(db, "local-admin-secret")
    assert (caller.user_id, caller.role) == ("admin", "admin")
    assert len(await db.read(_all_keys)) == 1
