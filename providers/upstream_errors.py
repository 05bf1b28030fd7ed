"""What an upstream failure means in our codes, where both upstream providers agree.

Each provider maps its own error vocabulary first (Bedrock's exception types,
OpenAI's `error.code`); what is left is the HTTP status, read the same way for
both, and transport failures, worded the same way for both. Retryable ones
come back wrapped in `providers.retry.Retryable`.
"""

from errors import ApiError, Code
from providers.retry import Retryable

# Upstream error text kept in our messages: enough to act on, bounded.
MAX_ERROR_TEXT = 300


def status_error(status: int, detail: str) -> ApiError | Retryable:
    """The generic meaning of an upstream's HTTP status.

    429 and 5xx: the upstream is busy or down, another try may help (then 14).
    400/422: the request was refused as invalid (3). 401/403/404: our
    credentials or model configuration are wrong, not the caller's request (9).
    408: the upstream timed out (4). Anything else: we do not know (2).
    """
    if status == 429 or status >= 500:
        return Retryable(ApiError(Code.UNAVAILABLE, detail))
    if status in (400, 422):
        return ApiError(Code.INVALID_ARGUMENT, detail)
    if status in (401, 403, 404):
        return ApiError(Code.FAILED_PRECONDITION, detail)
    if status == 408:
        return ApiError(Code.DEADLINE_EXCEEDED, detail)
    return ApiError(Code.UNKNOWN, detail)


def transport_failure(who: str, broken: str, exc: BaseException) -> Retryable:
    """A connection that failed or dropped (`broken` says what it broke): retryable, then 14."""
    return Retryable(ApiError(Code.UNAVAILABLE, f"{who}: {broken} ({type(exc).__name__})"))


def timed_out(who: str, exc: BaseException) -> ApiError:
    """A call that outlived its timeout: 4, never retried (the budget is spent)."""
    return ApiError(Code.DEADLINE_EXCEEDED, f"{who}: timed out ({type(exc).__name__})")
