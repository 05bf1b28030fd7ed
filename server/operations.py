"""Connexion's AsyncApp with its operations' handler decorators built once, not per request.

Connexion's AsyncOperation rebuilds the whole decorator chain of its handler
on every request (`fn` is a property): the parameter decorator inspects the
handler's signature, the response and sync/async decorators wrap it again,
and the URI parser is made anew, though none of it depends on the request.
Here each operation builds the chain and its URI parser once, when the API
is added, from Connexion's own decorators, so the handler gets the same
arguments and its answer is turned into the same response. The request is
built over the ASGI scope and receive channel the operation is called with,
the very ones Connexion's context variables hold for the request. Two more
things are done once: a JSON body is parsed once (by the body validator,
server.json_body, which hands its result on), and the handler's arguments are
made with what depends on the operation worked out once (server.parameters).
"""

import collections.abc
import types
from collections.abc import Callable, Mapping
from typing import Any

from connexion import AsyncApp
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.context import operation
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator
from connexion.decorators.response import AsyncResponseDecorator
from connexion.exceptions import NonConformingResponseHeaders
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.jsonifier import Jsonifier
from connexion.lifecycle import ConnexionRequest
from connexion.operations import AbstractOperation
from starlette.types import Receive, Scope, Send

from server.json_body import parsed_body
from server.parameters import PreparedParameterDecorator


class ParsedBodyRequest(ConnexionRequest):  # type: ignore[misc]  # untyped base
    """Connexion's request, whose JSON body is the one the body validator parsed and passed,
    rather than the same bytes parsed again, and whose files are looked for in form bodies
    only."""

    async def json(self) -> Any:
        found, body = parsed_body(self.scope)
        return body if found else await super().json()

    async def files(self) -> Any:
        # Only a form body has files; for any other, Starlette's form parse finds none.
        if self.mimetype not in FORM_CONTENT_TYPES:
            return {}
        return await super().files()


def _declared_content_type(headers: Mapping[Any, Any]) -> str | None:
    for name, value in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else name
        if key.lower() == "content-type":
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


class ContentTypeResponseDecorator(AsyncResponseDecorator):  # type: ignore[misc]
    """Connexion's response decorator; the answer's content type inferred by Connexion's rule
    (3.3's BaseResponseDecorator._infer_content_type), its header looked up without the typing
    constructs connexion.utils.extract_content_type builds on every call."""

    @staticmethod
    def _infer_content_type(data: Any, headers: Mapping[Any, Any]) -> str | None:
        content_type = _declared_content_type(headers)
        produces = list(set(operation.produces))
        if data is not None and not produces:
            produces = ["application/json"]
        if content_type:
            if content_type not in produces:
                raise NonConformingResponseHeaders(
                    f"Returned content type ({content_type}) is not defined in operation spec "
                    f"({operation.produces})."
                )
            return content_type
        if len(produces) == 1:
            return str(produces[0])
        if not produces:
            return content_type
        wanted = None
        if isinstance(data, str):
            wanted = "text/plain"
        elif isinstance(data, bytes | types.GeneratorType | collections.abc.Iterator):
            wanted = "application/octet-stream"
        for kind in produces if wanted else ():
            if wanted in kind:
                content_type = kind  # the last that matches, as in Connexion
        if content_type is None:
            raise NonConformingResponseHeaders(
                "Multiple response content types are defined in the operation spec, but "
                "the handler response did not specify which one to return."
            )
        return content_type


class PreparedDecorator(StarletteDecorator):  # type: ignore[misc]  # untyped base
    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return PreparedParameterDecorator

    @property
    def _response_decorator_cls(self) -> type[AsyncResponseDecorator]:
        return ContentTypeResponseDecorator


class PreparedOperation(AsyncOperation):  # type: ignore[misc]  # untyped base
    """One operation: its handler wrapped in Connexion's decorators once, and its URI parser."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        jsonifier: Jsonifier,
        operation_id: str,
        pythonic_params: bool,
        uri_parser: Any,
    ) -> None:
        super().__init__(
            fn, jsonifier=jsonifier, operation_id=operation_id, pythonic_params=pythonic_params
        )
        decorator = PreparedDecorator(pythonic_params=pythonic_params, jsonifier=jsonifier)
        self._handler = decorator.decorate(fn)
        self._uri_parser = uri_parser

    @classmethod
    def from_operation(
        cls, operation: AbstractOperation, *, pythonic_params: bool, jsonifier: Jsonifier
    ) -> "PreparedOperation":
        return cls(
            operation.function,
            jsonifier=jsonifier,
            operation_id=operation.operation_id,
            pythonic_params=pythonic_params,
            uri_parser=operation.uri_parser_class(
                operation.parameters, operation.body_definition()
            ),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = ParsedBodyRequest(scope, receive, uri_parser=self._uri_parser)
        response = await self._handler(request)
        await response(scope, receive, send)


class PreparedApi(AsyncApi):  # type: ignore[misc]  # untyped base
    def make_operation(self, operation: AbstractOperation) -> PreparedOperation:
        return PreparedOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class PreparedASGIApp(AsyncASGIApp):  # type: ignore[misc]  # untyped base
    api_cls = PreparedApi


class PreparedAsyncApp(AsyncApp):  # type: ignore[misc]  # untyped base
    """AsyncApp (same arguments) over PreparedOperation."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        # What AsyncApp.__init__ does, with the operations' app swapped for ours.
        self._middleware_app = PreparedASGIApp()
        AbstractApp.__init__(self, import_name, **kwargs)
