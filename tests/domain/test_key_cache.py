"""The verified-key cache: one database read per key per ttl, shared by concurrent requests;
revocation honoured at once on this process and within the ttl elsewhere."""

import asyncio

import pytest

from domain import api_keys
from domain.identity import Caller
from domain.key_cache import KeyCache
from domain.services import Services
from errors import ApiError, Code
from tests.domain.conftest import ALICE, ROOT


class CountingLookup:
    """Stands for the database read; `gate` holds lookups until the test releases them."""

    def __init__(self, callers: dict[str, Caller]) -> None:
        self.callers = callers
        self.calls = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, secret_hash: str) -> Caller:
        self.calls += 1
        await self.gate.wait()
        if secret_hash not in self.callers:
            raise ApiError(Code.UNAUTHENTICATED, "missing, invalid or revoked API key")
        return self.callers[secret_hash]


def cache(lookup: CountingLookup, ttl: float = 2.0) -> KeyCache:
    return KeyCache(lookup, lambda secret: f"h:{secret}", ttl_seconds=ttl)


async def test_a_verified_key_is_read_once_within_the_ttl() -> None:
    lookup = CountingLookup({"h:s": ALICE})
    keys = cache(lookup)
    for _ in range(5):
        assert await keys.authenticate("s") == ALICE
    assert lookup.calls == 1


async def test_a_burst_with_one_key_shares_one_lookup() -> None:
    lookup = CountingLookup({"h:s": ALICE})
    lookup.gate.clear()
    keys = cache(lookup)
    burst = [asyncio.create_task(keys.authenticate("s")) for _ in range(20)]
    await asyncio.sleep(0)
    lookup.gate.set()
    assert await asyncio.gather(*burst) == [ALICE] * 20
    assert lookup.calls == 1


async def test_a_cancelled_waiter_does_not_cancel_the_others() -> None:
    lookup = CountingLookup({"h:s": ALICE})
    lookup.gate.clear()
    keys = cache(lookup)
    first = asyncio.create_task(keys.authenticate("s"))
    second = asyncio.create_task(keys.authenticate("s"))
    await asyncio.sleep(0)
    first.cancel()
    lookup.gate.set()
    assert await second == ALICE
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_unknown_keys_are_not_cached() -> None:
    lookup = CountingLookup({})
    keys = cache(lookup)
    for _ in range(3):
        with pytest.raises(ApiError) as caught:
            await keys.authenticate("nope")
        assert caught.value.code is Code.UNAUTHENTICATED
    assert lookup.calls == 3


async def test_an_entry_older_than_the_ttl_is_verified_again() -> None:
    lookup = CountingLookup({"h:s": ALICE})
    keys = cache(lookup, ttl=0.05)
    await keys.authenticate("s")
    await asyncio.sleep(0.1)  # past the ttl: the entry may no longer be trusted
    del lookup.callers["h:s"]  # revoked meanwhile, by another process
    with pytest.raises(ApiError):
        await keys.authenticate("s")
    assert lookup.calls == 2


async def test_forget_drops_the_key_at_once() -> None:
    lookup = CountingLookup({"h:s": ALICE, "h:r": ROOT})
    keys = cache(lookup)
    await keys.authenticate("s")
    await keys.authenticate("r")
    keys.forget(ALICE.key_id)
    await keys.authenticate("s")
    await keys.authenticate("r")
    assert lookup.calls == 3  # alice read again, root still cached


def test_the_ttl_is_bounded() -> None:
    with pytest.raises(ValueError, match="0-2"):
        cache(CountingLookup({}), ttl=2.5)


async def test_revoking_through_this_process_is_seen_on_the_next_request(svc: Services) -> None:
    keys = api_keys.key_cache(svc.db, svc.api_key_pepper, ttl_seconds=2.0)
    cached = Services(db=svc.db, providers=svc.providers, key_cache=keys)
    row, secret = await api_keys.create_api_key(cached, ALICE)
    assert (await keys.authenticate(secret)).key_id == row.id
    await api_keys.revoke_api_key(cached, ALICE, row.id)
    with pytest.raises(ApiError) as caught:
        await keys.authenticate(secret)
    assert caught.value.code is Code.UNAUTHENTICATED


@pytest.mark.parametrize("secret", ["", "pllm_nope", "x" * 600])
async def test_the_cache_over_the_database_refuses_what_is_no_key(
    svc: Services, secret: str
) -> None:
    keys = api_keys.key_cache(svc.db, svc.api_key_pepper, ttl_seconds=1.0)
    with pytest.raises(ApiError) as caught:
        await keys.authenticate(secret)
    assert caught.value.code is Code.UNAUTHENTICATED
