"""Per-request values: the authenticated caller and the request id (context variables)."""

from contextvars import ContextVar

from domain.identity import Caller
from errors import ApiError, Code

caller_var: ContextVar[Caller | None] = ContextVar("caller", default=None)
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


def current_caller() -> Caller:
    caller = caller_var.get()
    if caller is None:
        raise ApiError(Code.UNAUTHENTICATED, "this operation needs an API key")
    return caller


def current_request_id() -> str:
    return request_id_var.get()
