"""ApiError: what handlers, the domain and providers raise to answer with an envelope."""

from collections.abc import Mapping, Sequence
from typing import Any

from errors.codes import Code


class ApiError(Exception):
    """A failure the client should see as `{"code", "message", "details"}`.

    `headers` carries what the status needs beside the body, e.g. `Retry-After`
    for RESOURCE_EXHAUSTED or `WWW-Authenticate` for UNAUTHENTICATED.
    """

    def __init__(
        self,
        code: Code,
        message: str,
        details: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = list(details) if details else []
        self.headers = dict(headers) if headers else {}

    def to_envelope(self) -> dict[str, Any]:
        """The google.rpc.Status body; `details` only when there are any."""
        body: dict[str, Any] = {"code": int(self.code), "message": self.message}
        if self.details:
            body["details"] = self.details
        return body

    def __repr__(self) -> str:
        return f"ApiError({self.code.name}, {self.message!r})"
