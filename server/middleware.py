"""Pure ASGI middleware around the Connexion app: request ids and the body size limit."""

import logging
import random
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from errors import ApiError, Code
from server.context import request_id_var
from server.envelope import send_envelope

log = logging.getLogger("privatellm.server")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _header(scope: Scope, name: bytes, default: bytes | None = b"") -> Any:
    """The last value of header `name` (lower case, as ASGI servers give names), as a dict of
    the headers would hold it, without building one."""
    found = default
    for key, value in scope["headers"]:
        if key == name:
            found = value
    return found


def _new_request_id() -> str:
    """16 hex digits. A request id only tells requests apart in logs, it guards nothing, so it
    comes from the process's own generator (reseeded in every forked child) rather than
    from the kernel's: a system call per request, about 1.5 % of a listing's CPU."""
    return f"{random.getrandbits(64):016x}"


class RequestIdMiddleware:
    """Takes a sane X-Request-Id or makes one; echoes it and exposes it to logs and errors."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id").decode("latin-1")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else _new_request_id()
        token = request_id_var.set(request_id)

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Last line of defence: whatever escaped the app's own error handlers
            # still answers the envelope, never a text/plain 500.
            log.exception("request %s failed outside the app's error handlers", request_id)
            if not started:
                unexpected = ApiError(Code.UNKNOWN, f"unexpected error (request id {request_id})")
                await send_envelope(send, unexpected, request_id)
        finally:
            request_id_var.reset(token)


class BodyLimitMiddleware:
    """Refuses bodies over `max_bytes` (code 3) without reading them into memory.

    A declared Content-Length over the limit is refused before a byte is
    read; a chunked body is counted as it streams and cut off at the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length", None)
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await send_envelope(send, self._too_large())  # RequestIdMiddleware adds the id
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            incoming = await receive()
            if incoming["type"] == "http.request":
                received += len(incoming.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return incoming

        async def tracking_send(out: Message) -> None:
            nonlocal started
            if out["type"] == "http.response.start":
                started = True
            await send(out)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as too_large:
            # Raised past Connexion's error handlers (which answer it themselves otherwise).
            if not started:
                await send_envelope(send, too_large)  # RequestIdMiddleware adds the id

    def _too_large(self) -> "BodyTooLarge":
        return BodyTooLarge(f"request body exceeds {self.max_bytes} bytes")


class BodyTooLarge(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(Code.INVALID_ARGUMENT, message)
