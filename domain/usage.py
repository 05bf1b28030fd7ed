"""Usage accounting: recording a generation, and the per-day report of GetUsage."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from domain.access import readable_owner
from domain.admission import Ticket
from domain.identity import Caller
from domain.services import Services
from errors import ApiError, Code
from store import usage as repo
from store.clock import utc_now
from store.database import Database
from store.records import UsageRow

DEFAULT_RANGE_DAYS = 30


@dataclass(frozen=True, slots=True)
class UsageReport:
    start: date
    end: date
    rows: list[UsageRow]

    @property
    def total_requests(self) -> int:
        return sum(row.requests for row in self.rows)

    @property
    def total_input_tokens(self) -> int:
        return sum(row.input_tokens for row in self.rows)

    @property
    def total_output_tokens(self) -> int:
        return sum(row.output_tokens for row in self.rows)

    @property
    def total_cost_micros(self) -> int:
        return sum(row.cost_micros for row in self.rows)


def add_in(
    connection: Connection,
    *,
    user_id: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    at: datetime | None = None,
    cost_micros: int = 0,
) -> None:
    """Counts one generation inside the caller's transaction (answer and usage commit together)."""
    repo.add(
        connection,
        day=(at or utc_now()).date(),
        user_id=user_id,
        model=model,
        requests=1,
        input_tokens=max(0, input_tokens),
        output_tokens=max(0, output_tokens),
        cost_micros=max(0, cost_micros),
    )


async def record(
    db: Database,
    *,
    user_id: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    cost_micros: int = 0,
) -> None:
    """Counts one generation in a transaction of its own (e.g. for OpenAI-style completions)."""
    await db.write(
        add_in,
        user_id=user_id,
        model=model,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_micros=cost_micros,
    )


async def count_completion(
    svc: Services,
    *,
    user_id: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    cost_micros: int = 0,
) -> None:
    """Counts one OpenAI-door generation: batched (domain.usage_batcher), else its own write."""
    batcher = svc.usage_batcher
    if batcher is not None and not batcher.closed:
        batcher.add(
            user_id=user_id,
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_micros=cost_micros,
        )
        return
    await record(
        svc.db,
        user_id=user_id,
        model=model,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_micros=cost_micros,
    )


async def count_and_settle(
    svc: Services,
    caller: Caller,
    ticket: Ticket,
    model: str,
    input_tokens: int,
    output_tokens: int = 0,
) -> None:
    """One OpenAI-door call's usage (with its cost at `model`'s price), and the settlement of
    its limits' reservation with what it used; failed calls too."""
    try:
        await count_completion(
            svc,
            user_id=caller.user_id,
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_micros=svc.limits.config.price(model).cost_micros(input_tokens, output_tokens),
        )
    finally:
        await ticket.settle(input_tokens, output_tokens)


async def get_usage(
    svc: Services,
    caller: Caller,
    *,
    start_date: str | None = None,
    end_date: str | None = None,
    user: str = "",
    model: str = "",
) -> UsageReport:
    """Usage per day, user and model over [start, end] (UTC, both included).

    Users see their own; another user's or everyone's (`*`) needs an admin (7).
    """
    owner = readable_owner(caller, user, what="usage")
    # None is "not sent"; an empty string was sent and is not a date.
    end = _day(end_date, "endDate") if end_date is not None else utc_now().date()
    # Thirty days before, but not before the first representable day (0001-01-01).
    default_start = end - min(timedelta(days=DEFAULT_RANGE_DAYS), end - date.min)
    start = _day(start_date, "startDate") if start_date is not None else default_start
    if start > end:
        raise ApiError(Code.INVALID_ARGUMENT, "startDate is after endDate")
    if svc.usage_batcher is not None:
        await svc.usage_batcher.flush()  # this process's own usage, up to now
    rows = await svc.db.read(repo.rows, start=start, end=end, user_id=owner, model=model or None)
    return UsageReport(start, end, rows)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            Code.INVALID_ARGUMENT, f"{name} must be a date YYYY-MM-DD, not {value!r}"
        ) from None
