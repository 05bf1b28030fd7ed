"""Page sizes, pages and the `(create_time, id)` cursor shared by the List operations."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from errors import ApiError, Code
from store import page_tokens

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str  # empty on the last page


def page_size(requested: int | None) -> int:
    """The spec's rule: 1-1000, 50 when unset (0 counts as unset, as proto3 would send it)."""
    if requested is None or requested == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= requested <= MAX_PAGE_SIZE:
        raise ApiError(Code.INVALID_ARGUMENT, f"page_size must be 1-{MAX_PAGE_SIZE}")
    return requested


def page(rows: list[T], limit: int, token_of: Callable[[T], str]) -> Page[T]:
    """A page from `limit + 1` fetched rows: the extra row only says another page follows,
    and the token points after the page's last row."""
    if len(rows) <= limit:
        return Page(rows, "")
    items = rows[:limit]
    return Page(items, token_of(items[-1]))


def time_token(kind: str, scope: str, create_time: datetime, row_id: str) -> str:
    return page_tokens.encode(kind, scope, [create_time.isoformat(), row_id])


def time_cursor(token: str, kind: str, scope: str) -> tuple[datetime, str] | None:
    """The `(create_time, id)` after which the page starts; None for the first page."""
    if not token:
        return None
    create_time, row_id = page_tokens.decode(token, kind, scope, 2)
    try:
        parsed = datetime.fromisoformat(str(create_time))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or not isinstance(row_id, str):
        raise ApiError(Code.INVALID_ARGUMENT, "page_token is not a token this server issued")
    return parsed, row_id
