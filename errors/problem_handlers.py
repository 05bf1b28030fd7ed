"""Every failure, whatever raised it, answered as the envelope with its canonical status.

Connexion's own problems (validation, auth, routing) and Starlette's HTTP
errors are translated here; nothing reaches the client as problem+json, HTML
or a traceback. Unexpected exceptions are logged with the request id, which
the client gets in the message to quote.
"""

import json
import logging
from collections.abc import Callable, Mapping

from connexion.exceptions import (
    ClientProblem,
    ProblemException,
)
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from errors.api_error import ApiError
from errors.codes import Code, http_status
from server.context import current_request_id, note_error

log = logging.getLogger("privatellm.errors")

WWW_AUTHENTICATE = 'Bearer realm="privatellm"'


def envelope_response(
    code: Code,
    message: str,
    details: list[Mapping[str, object]] | None = None,
    headers: Mapping[str, str] | None = None,
    status: int | None = None,
) -> ConnexionResponse:
    note_error(int(code), message)
    body = ApiError(code, message, details).to_envelope()
    all_headers = dict(headers or {})
    if code == Code.UNAUTHENTICATED:
        all_headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    return ConnexionResponse(
        status_code=status or http_status(code),
        body=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        headers=all_headers,
    )


def api_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ApiError)
    return envelope_response(exc.code, exc.message, exc.details, exc.headers)


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


def problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    code = _problem_code(exc)
    message = str(exc.detail or exc.title or code.name.lower())
    if code == Code.INTERNAL:
        # A response that breaks the spec, or a resolver problem: our bug, not the client's.
        log.error("request %s: %s: %s", current_request_id(), type(exc).__name__, message)
        message = f"internal error (request id {current_request_id()})"
    headers = {}
    if code == Code.UNAUTHENTICATED:
        headers["WWW-Authenticate"] = WWW_AUTHENTICATE + ', error="invalid_token"'
    return envelope_response(code, message, headers=headers)


# Set by the app from the spec: path -> methods, for the Allow header of a 405.
allowed_methods: Callable[[str], list[str]] | None = None


def http_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 405 and allowed_methods is not None:
        headers["Allow"] = ", ".join(allowed_methods(request.url.path))
    if status in (404, 405):
        # Code 12 either way; the HTTP status stays 404/405 (DESIGN allows it) so
        # that HTTP clients and tools see the usual "no such path / method".
        what = "path" if status == 404 else "method for this path"
        return envelope_response(
            Code.UNIMPLEMENTED,
            f"no such operation: unknown {what}",
            headers=headers,
            status=status,
        )
    if status == 401:
        return envelope_response(Code.UNAUTHENTICATED, str(exc.detail))
    if 400 <= status < 500:
        return envelope_response(Code.INVALID_ARGUMENT, str(exc.detail))
    return envelope_response(Code.INTERNAL, f"internal error (request id {current_request_id()})")


def unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    request_id = current_request_id()
    log.error("request %s failed", request_id, exc_info=exc)
    return envelope_response(Code.UNKNOWN, f"unexpected error (request id {request_id})")


def undecodable_body(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Connexion decodes JSON bodies as UTF-8 and lets the error escape: it is the client's."""
    return envelope_response(Code.INVALID_ARGUMENT, f"request body is not UTF-8 text: {exc}")
