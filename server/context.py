"""Per-request values: the authenticated caller, the request id, the request's record (context
variables)."""

from contextvars import ContextVar
from typing import TYPE_CHECKING

from domain.identity import Caller
from errors import ApiError, Code

if TYPE_CHECKING:
    from server.request_log import RequestRecord

caller_var: ContextVar[Caller | None] = ContextVar("caller", default=None)
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
# Set by server.observer for each HTTP request; mutated (never re-set) by what the request runs.
request_record_var: ContextVar["RequestRecord | None"] = ContextVar("request_record", default=None)


def current_caller() -> Caller:
    caller = caller_var.get()
    if caller is None:
        raise ApiError(Code.UNAUTHENTICATED, "this operation needs an API key")
    return caller


def current_request_id() -> str:
    return request_id_var.get()


def note_caller(caller: Caller) -> None:
    record = request_record_var.get()
    if record is not None:
        record.user, record.key_id = caller.user_id, caller.key_id


def note_error(code: int, message: str) -> None:
    """The code (and, server-side, the message) a request answered, for its log line."""
    record = request_record_var.get()
    if record is not None:
        record.code = code
        record.message = message


def note_generation(model: str, tokens_in: int, tokens_out: int) -> None:
    record = request_record_var.get()
    if record is not None:
        record.model = model
        record.tokens_in += tokens_in
        record.tokens_out += tokens_out
