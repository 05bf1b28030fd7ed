"""The counters' semantics, the same in memory and in Redis: exact windows, periods, slots."""

import asyncio

from store.counters import Check, Counters, Kind, Settlement

MINUTE = 60_000
T0 = 1_800_000_000_000  # an epoch-ms instant; the counters take time from the caller


def rpm(limit: int, key: str = "k:rpm") -> Check:
    return Check(key, Kind.WINDOW, limit, 1, MINUTE)


async def test_a_rolling_window_admits_exactly_its_limit_and_frees_as_entries_leave(
    counters: Counters,
) -> None:
    results = [await counters.admit([rpm(3)], f"m{i}", T0 + i * 1000) for i in range(4)]
    assert [r.admitted for r in results] == [True, True, True, False]
    # The first entry (at T0) leaves the window at T0 + 60 s: 57 s after the refusal at T0+3 s.
    assert results[3].retry_after_ms == MINUTE - 3000
    assert results[3].states[0].refused and results[3].states[0].used == 3
    assert not (await counters.admit([rpm(3)], "m5", T0 + MINUTE - 1)).admitted
    assert (await counters.admit([rpm(3)], "m6", T0 + MINUTE)).admitted
    assert not (await counters.admit([rpm(3)], "m7", T0 + MINUTE)).admitted


async def test_concurrent_admissions_never_pass_the_limit(counters: Counters) -> None:
    results = await asyncio.gather(*(counters.admit([rpm(50)], f"m{i}", T0) for i in range(200)))
    assert sum(r.admitted for r in results) == 50


async def test_all_checks_are_charged_or_none(counters: Counters) -> None:
    roomy = Check("k:tpm", Kind.WINDOW, 1000, 100, MINUTE)
    full = rpm(1, "u:rpm")
    assert (await counters.admit([roomy, full], "a", T0)).admitted
    refused = await counters.admit([roomy, full], "b", T0)
    assert not refused.admitted
    assert [s.refused for s in refused.states] == [False, True]
    # The refused request charged nothing on the roomy counter.
    peek = await counters.admit(
        [Check("k:tpm", Kind.WINDOW, 1000, 0, MINUTE)], "p", T0, charge=False
    )
    assert peek.states[0].used == 100


async def test_a_period_refuses_the_crossing_request_until_the_next_period(
    counters: Counters,
) -> None:
    day_end = T0 + 3_600_000

    def budget(tokens: int, tag: str = "d1", ends: int = day_end) -> Check:
        return Check(f"k:tpd:{tag}", Kind.PERIOD, 1000, tokens, 0, ends)

    assert (await counters.admit([budget(600)], "a", T0)).admitted
    crossing = await counters.admit([budget(600)], "b", T0 + 1000)
    assert not crossing.admitted and crossing.retry_after_ms == 3_600_000 - 1000
    assert (await counters.admit([budget(400)], "c", T0 + 2000)).admitted
    # The next period is another counter (its key names it), empty.
    assert (await counters.admit([budget(600, "d2", day_end + 86_400_000)], "d", day_end)).admitted


async def test_settling_replaces_the_reservation_with_what_was_used(counters: Counters) -> None:
    tpm = Check("k:tpm", Kind.WINDOW, 1000, 600, MINUTE)
    tpd = Check("k:tpd:d", Kind.PERIOD, 1000, 600, 0, T0 + MINUTE * 60)
    assert (await counters.admit([tpm, tpd], "a", T0)).admitted
    assert not (await counters.admit([tpm, tpd], "b", T0)).admitted
    await counters.settle(
        [Settlement(tpm.key, tpm.kind, 600, 100), Settlement(tpd.key, tpd.kind, 600, 100)], "a"
    )
    assert (await counters.admit([tpm, tpd], "c", T0)).admitted  # 100 + 600 <= 1000
    state = await counters.admit(
        [Check("k:tpm", Kind.WINDOW, 1000, 0, MINUTE)], "p", T0, charge=False
    )
    assert state.states[0].used == 700


async def test_slots_cap_concurrent_leases_and_free_on_release(counters: Counters) -> None:
    def slot() -> Check:
        return Check("k:streams", Kind.SLOTS, 2, 1, 300_000)

    assert (await counters.admit([slot()], "s1", T0)).admitted
    assert (await counters.admit([slot()], "s2", T0)).admitted
    assert not (await counters.admit([slot()], "s3", T0)).admitted
    await counters.settle([Settlement("k:streams", Kind.SLOTS, 1, 0)], "s1")
    assert (await counters.admit([slot()], "s3", T0)).admitted
    # A lease nobody released (its process died) expires.
    assert (await counters.admit([slot()], "s4", T0 + 300_001)).admitted


def requests(limit: int, key: str = "k:requests") -> Check:
    return Check(key, Kind.COUNT, limit, 1, MINUTE)


async def test_a_request_count_window_admits_exactly_its_limit_and_says_when_room_comes(
    counters: Counters,
) -> None:
    results = [await counters.admit([requests(3)], f"m{i}", T0 + i * 1000) for i in range(4)]
    assert [r.admitted for r in results] == [True, True, True, False]
    assert results[3].retry_after_ms == MINUTE - 3000
    assert results[2].states[0].used == 3 and results[2].states[0].reset_ms == MINUTE - 2000
    assert (await counters.admit([requests(3)], "m5", T0 + MINUTE)).admitted
    # A request that did not happen gives its place back.
    await counters.settle([Settlement("k:requests", Kind.COUNT, 1, 0)], "m5")
    assert (await counters.admit([requests(3)], "m6", T0 + MINUTE)).admitted
    assert not (await counters.admit([requests(3)], "m7", T0 + MINUTE)).admitted
