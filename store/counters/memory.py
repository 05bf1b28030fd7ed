"""Counters in this process's memory (ENV=local): the same semantics as Redis, for one process.

Each call runs without an await between its reads and writes, so on one
event loop it is as atomic as the Redis scripts are across processes.
"""

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from store.counters import (
    SLOT_RETRY_MS,
    Admission,
    Check,
    CounterState,
    Kind,
    Settlement,
)

_WINDOWS = (Kind.WINDOW, Kind.COUNT)


@dataclass
class _Window:
    # member -> (time charged, amount), in charge order; ordered so the oldest leaves in O(1)
    entries: OrderedDict[str, tuple[int, int]] = field(default_factory=OrderedDict)
    total: int = 0

    def expire(self, now_ms: int, span_ms: int) -> None:
        entries = self.entries
        while entries:
            member, (at, amount) = next(iter(entries.items()))
            if at > now_ms - span_ms:
                break
            del entries[member]
            self.total -= amount


class MemoryCounters:
    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}
        self._periods: dict[str, tuple[int, int]] = {}  # key -> (value, ends_at_ms)
        self._slots: dict[str, dict[str, int]] = {}  # key -> member -> lease end

    async def admit(
        self, checks: Sequence[Check], member: str, now_ms: int, *, charge: bool = True
    ) -> Admission:
        states: list[CounterState] = []
        retry = 0
        for check in checks:
            used, reset, wait = self._state(check, now_ms)
            refused = wait is not None
            if wait is not None:
                retry = max(retry, wait)
            states.append(CounterState(used, reset, refused))
        if any(state.refused for state in states):
            return Admission(False, tuple(states), retry)
        if charge:
            states = [
                CounterState(state.used + check.amount, state.reset_ms or check.span_ms, False)
                if check.kind in _WINDOWS and check.amount
                else CounterState(state.used + check.amount, state.reset_ms, False)
                for check, state in zip(checks, states, strict=True)
            ]
            for check in checks:
                self._charge(check, member, now_ms)
        return Admission(True, tuple(states))

    def _state(self, check: Check, now_ms: int) -> tuple[int, int, int | None]:
        """(used, reset_ms, wait_ms or None when the amount fits)."""
        wait: int | None = None
        if check.kind in _WINDOWS:
            window = self._windows.setdefault(check.key, _Window())
            window.expire(now_ms, check.span_ms)
            used = window.total
            oldest = next(iter(window.entries.values()), None)
            reset = oldest[0] + check.span_ms - now_ms if oldest else 0
            if used + check.amount > check.limit:
                need = used + check.amount - check.limit
                wait = check.span_ms
                freed = 0
                for at, amount in window.entries.values():
                    freed += amount
                    if freed >= need:
                        wait = at + check.span_ms - now_ms
                        break
        elif check.kind == Kind.PERIOD:
            value, _ = self._periods.get(check.key, (0, check.ends_at_ms))
            used = value
            reset = max(0, check.ends_at_ms - now_ms)
            if used + check.amount > check.limit:
                wait = reset
        else:
            leases = self._slots.setdefault(check.key, {})
            for lease, ends in list(leases.items()):
                if ends <= now_ms:
                    del leases[lease]
            used = len(leases)
            reset = 0
            if used + check.amount > check.limit:
                wait = SLOT_RETRY_MS
        return used, reset, wait

    def _charge(self, check: Check, member: str, now_ms: int) -> None:
        if check.kind in _WINDOWS:
            window = self._windows[check.key]
            window.entries[member] = (now_ms, check.amount)
            window.total += check.amount
        elif check.kind == Kind.PERIOD:
            value, _ = self._periods.get(check.key, (0, check.ends_at_ms))
            self._periods[check.key] = (value + check.amount, check.ends_at_ms)
        elif check.amount:
            self._slots[check.key][member] = now_ms + check.span_ms

    async def settle(self, settlements: Sequence[Settlement], member: str) -> None:
        for item in settlements:
            if item.kind in _WINDOWS:
                window = self._windows.get(item.key)
                if window is not None and member in window.entries:
                    at, amount = window.entries[member]
                    window.entries[member] = (at, item.actual)
                    window.total += item.actual - amount
            elif item.kind == Kind.PERIOD:
                if item.key in self._periods:
                    value, ends = self._periods[item.key]
                    self._periods[item.key] = (value + item.actual - item.reserved, ends)
            else:
                self._slots.get(item.key, {}).pop(member, None)

    async def flush(self) -> None:
        return None  # settled as they come: nothing waits

    async def ping(self) -> None:
        return None  # in this process: always there

    async def aclose(self) -> None:
        return None
