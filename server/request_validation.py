"""Connexion's request validation, with what does not depend on the request prepared once.

Connexion's RequestValidationOperation builds, for every request, a URI
parser, a parameter validator, a MediaTypeDict of the media types the
operation consumes, and a body validator (with another URI parser), and
matches the request's media type against the validator map with fnmatch.
None of that changes between two requests of one operation: here the
parameter validator is built once, and the body validator once per media
type and charset the operation was sent (a bounded number of them). The
checks, their order and their errors are Connexion's: the parameters, then
the media type against what the operation consumes (415 otherwise), then the
body.
"""

from typing import Any

from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.operations import AbstractOperation
from connexion.utils import is_nullable, split_content_type
from starlette.types import ASGIApp, Receive, Scope, Send

# Media type and charset pairs remembered per operation: clients send one or two; the bound
# keeps a client sending endless made-up ones from growing memory (those are still validated).
_MAX_MEDIA_TYPES = 16
_NO_BODY_VALIDATOR = object()


def declared_content_type(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The first Content-Type of ASGI headers, latin-1 decoded (header names are bytes)."""
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1")
    return None


class PreparedValidationOperation(RequestValidationOperation):  # type: ignore[misc]
    def __init__(
        self,
        next_app: ASGIApp,
        *,
        operation: AbstractOperation,
        strict_validation: bool = False,
        validator_map: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            next_app,
            operation=operation,
            strict_validation=strict_validation,
            validator_map=validator_map,
        )
        uri_parser = operation._uri_parser_class(operation.parameters, operation.body_definition())
        self._parameters = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=uri_parser,
            strict_validation=strict_validation,
            security_query_params=self.security_query_params,
        )
        self._bodies: dict[tuple[str, str], Any] = {}

    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        """Connexion's (mime type, charset) of the request, defaults included; the header found
        as connexion.utils.extract_content_type finds it, without the typing constructs it
        builds on every call."""
        mime_type, encoding = split_content_type(declared_content_type(headers))
        if mime_type is None:
            consumes = self._operation.consumes
            mime_type = consumes[0] if consumes else "application/octet-stream"
        return mime_type, encoding or "utf-8"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._parameters.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        validator = self._body_validator(mime_type, encoding)
        if validator is not None:
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)

    def _body_validator(self, mime_type: str, encoding: str) -> Any:
        """The body validator for this media type (None: nothing to validate); raises 415
        for a media type the operation does not consume, as Connexion does."""
        found = self._bodies.get((mime_type, encoding))
        if found is not None:
            return None if found is _NO_BODY_VALIDATOR else found
        self.validate_mime_type(mime_type)
        validator = self._build_body_validator(mime_type, encoding)
        if len(self._bodies) < _MAX_MEDIA_TYPES:
            self._bodies[mime_type, encoding] = (
                _NO_BODY_VALIDATOR if validator is None else validator
            )
        return validator

    def _build_body_validator(self, mime_type: str, encoding: str) -> Any:
        operation = self._operation
        schema = operation.body_schema(mime_type)
        if not schema:
            return None
        validator_class = self._validator_map["body"].get(mime_type)
        if validator_class is None:
            return None  # Connexion logs and skips these too: no validator for the media type
        return validator_class(
            schema=schema,
            required=operation.request_body.get("required", False),
            nullable=is_nullable(operation.body_definition(mime_type)),
            encoding=encoding,
            strict_validation=self.strict_validation,
            uri_parser=operation.uri_parser_class(
                operation.parameters, operation.body_definition()
            ),
        )


class PreparedValidationAPI(RequestValidationAPI):  # type: ignore[misc]  # untyped base
    def make_operation(self, operation: AbstractOperation) -> PreparedValidationOperation:
        return PreparedValidationOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class PreparedRequestValidation(RequestValidationMiddleware):  # type: ignore[misc]
    """Connexion's RequestValidationMiddleware over PreparedValidationOperation."""

    api_cls = PreparedValidationAPI
