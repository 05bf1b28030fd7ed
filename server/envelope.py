"""The error envelope as an HTTP answer: status, headers and body, built in one place.

Both ways out use it: Connexion's error handlers (server.problem_handlers) answer
with `envelope_response`, and the raw-ASGI middleware around the app (server.
middleware), which runs where no Connexion response exists, with `send_envelope`.
"""

import json

from connexion.lifecycle import ConnexionResponse
from starlette.types import Send

from errors import ApiError, Code, http_status
from server.context import note_error

# Every 401 challenges the client to send a bearer key (RFC 6750).
WWW_AUTHENTICATE = 'Bearer realm="privatellm", error="invalid_token"'


def envelope_answer(
    error: ApiError, status: int | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(HTTP status, headers besides Content-Type, JSON body) of the answer to `error`.

    `status` overrides the code's canonical status (only 404/405 for code 12).
    An UNAUTHENTICATED answer always carries WWW-Authenticate.
    """
    note_error(int(error.code), error.message)  # for the request's log line
    headers = dict(error.headers)
    if error.code == Code.UNAUTHENTICATED:
        headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    body = json.dumps(error.to_envelope(), ensure_ascii=False).encode()
    return status or http_status(error.code), headers, body


def envelope_response(error: ApiError, status: int | None = None) -> ConnexionResponse:
    code, headers, body = envelope_answer(error, status)
    return ConnexionResponse(
        status_code=code, body=body, content_type="application/json", headers=headers
    )


async def send_envelope(send: Send, error: ApiError, request_id: str | None = None) -> None:
    """The envelope straight onto an ASGI `send`; `request_id` None where an outer
    middleware (server.middleware.RequestIdMiddleware) adds it."""
    status, headers, body = envelope_answer(error)
    raw_headers = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    raw_headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if request_id is not None:
        raw_headers.append((b"x-request-id", request_id.encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
