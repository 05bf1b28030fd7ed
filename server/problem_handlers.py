"""Every failure, whatever raised it, answered as the envelope with its canonical status.

Connexion's own problems (validation, auth, routing) and Starlette's HTTP
errors are translated here; nothing reaches the client as problem+json, HTML
or a traceback. Unexpected exceptions are logged with the request id, which
the client gets in the message to quote.
"""

import logging
from collections.abc import Callable

from connexion import AsyncApp
from connexion.exceptions import ClientProblem, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from errors import ApiError, Code
from server.context import current_request_id
from server.envelope import envelope_response

log = logging.getLogger("privatellm.errors")


def _problem_code(exc: ProblemException) -> Code:
    if exc.status == 401:
        return Code.UNAUTHENTICATED
    if exc.status == 403:
        return Code.PERMISSION_DENIED
    if isinstance(exc, ClientProblem):  # bad request, unsupported media type, ...
        return Code.INVALID_ARGUMENT
    if exc.status in (404, 405, 501):
        return Code.UNIMPLEMENTED
    return Code.INTERNAL


def _internal() -> ApiError:
    return ApiError(Code.INTERNAL, f"internal error (request id {current_request_id()})")


def api_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ApiError)
    return envelope_response(exc)


def problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    code = _problem_code(exc)
    if code == Code.INTERNAL:
        # A response that breaks the spec, or a resolver problem: our bug, not the client's.
        log.error("request %s: %s: %s", current_request_id(), type(exc).__name__, exc.detail)
        return envelope_response(_internal())
    return envelope_response(ApiError(code, str(exc.detail or exc.title or code.name.lower())))


def http_error_handler(
    allowed_methods: Callable[[str], list[str]],
) -> Callable[[ConnexionRequest, Exception], ConnexionResponse]:
    """Starlette's HTTP errors; a 405 lists the path's methods (`allowed_methods`) in Allow."""

    def http_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        status = exc.status_code
        headers = dict(exc.headers or {})
        if status == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.url.path))
        if status in (404, 405):
            # Code 12 either way; the HTTP status stays 404/405 (the README allows it) so
            # that HTTP clients and tools see the usual "no such path / method".
            what = "path" if status == 404 else "method for this path"
            error = ApiError(
                Code.UNIMPLEMENTED, f"no such operation: unknown {what}", headers=headers
            )
            return envelope_response(error, status)
        if status == 401:
            return envelope_response(ApiError(Code.UNAUTHENTICATED, str(exc.detail)))
        if 400 <= status < 500:
            return envelope_response(ApiError(Code.INVALID_ARGUMENT, str(exc.detail)))
        return envelope_response(_internal())

    return http_error


def unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    request_id = current_request_id()
    log.error("request %s failed", request_id, exc_info=exc)
    return envelope_response(ApiError(Code.UNKNOWN, f"unexpected error (request id {request_id})"))


def install(app: AsyncApp, allowed_methods: Callable[[str], list[str]]) -> None:
    """Register the handlers on `app`; `allowed_methods` gives a path's methods (for 405)."""
    app.add_error_handler(ApiError, api_error)
    app.add_error_handler(ProblemException, problem)
    app.add_error_handler(HTTPException, http_error_handler(allowed_methods))
    app.add_error_handler(Exception, unexpected)
