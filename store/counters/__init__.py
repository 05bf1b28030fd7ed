"""Counters for limits: checked and charged together, atomically, by one implementation.

Three kinds of counter, each a `Check` of an admission:

- WINDOW: a rolling window (the last 60 s) kept as a log of reservations,
  each with its amount, plus their running sum. Exact: a limit of 50 requests
  per minute admits 50 in any 60 seconds, never 51, however many processes
  ask at once, and a window that frees one reservation lets exactly one more in.
- COUNT: a rolling window whose reservations all count 1 (requests): the same
  guarantee as WINDOW, kept without amounts (fewer Redis commands per check).
- PERIOD: a calendar period (a UTC day or month); the counter's key names the
  period, so it starts at zero when the next one begins.
- SLOTS: a set of leases (streams being written); a lease that is not
  released (its process died) expires.

`admit` checks every counter and charges all of them or none. `settle` turns
reservations into what was really used (tokens estimated up front, counted at
the end) and releases leases; where the counters are remote it sends nothing
itself: a settlement is applied before the same counters' next `admit` (a
peek included) and within a short delay otherwise, and `flush` applies the
waiting ones now. Implementations: `redis` (production: every process shares
one Redis, one Lua script makes each call atomic) and `memory` (one process,
ENV=local: nothing to install).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

# Checks, states and settlements are NamedTuples: an admission makes a dozen of each, and a
# tuple is built several times faster than a frozen dataclass.


class Kind(StrEnum):
    WINDOW = "w"
    COUNT = "c"
    PERIOD = "p"
    SLOTS = "s"


class Check(NamedTuple):
    """One counter an admission must fit in."""

    key: str
    kind: Kind
    limit: int
    amount: int
    # WINDOW, COUNT: the window's length; SLOTS: how long a lease lasts; PERIOD: unused.
    span_ms: int = 0
    # PERIOD: when the period ends (epoch ms).
    ends_at_ms: int = 0


class CounterState(NamedTuple):
    """A counter after the admission (or as it stands, for a peek)."""

    used: int
    # Milliseconds until the counter frees something (WINDOW: its oldest
    # reservation leaves; PERIOD: the period ends; SLOTS: 0); 0 when unused.
    reset_ms: int
    refused: bool


@dataclass(frozen=True, slots=True)
class Admission:
    admitted: bool
    states: tuple[CounterState, ...]
    # When refused: milliseconds until every refused counter would fit the request.
    retry_after_ms: int = 0


class Settlement(NamedTuple):
    """A reservation made by `admit`, to turn into what was really used (0 releases it)."""

    key: str
    kind: Kind
    reserved: int
    actual: int
    # The `now_ms` of the admission that made it (WINDOW: where it sits in the window);
    # 0 when unknown (the counters then look it up).
    at_ms: int = 0


class CountersUnavailable(Exception):
    """The counters' store cannot be reached (Redis down)."""


class Counters(Protocol):
    async def admit(
        self, checks: Sequence[Check], member: str, now_ms: int, *, charge: bool = True
    ) -> Admission:
        """Charges `member` on every check if all fit, none otherwise; `charge=False` only peeks."""
        ...

    async def settle(self, settlements: Sequence[Settlement], member: str) -> None:
        """Applied before this object's next `admit` and within a short delay; awaits no I/O."""
        ...

    async def flush(self) -> None:
        """Applies the settlements still waiting; CountersUnavailable if they cannot be."""
        ...

    async def ping(self) -> None:
        """CountersUnavailable when the counters cannot be reached (readiness)."""
        ...

    async def aclose(self) -> None: ...


# How long after a period ends its counter is kept (reads of "what is left" near midnight).
PERIOD_GRACE_MS = 3_600_000
# A refusal whose counters give no date (a slot cap) asks to retry after this.
SLOT_RETRY_MS = 1_000
