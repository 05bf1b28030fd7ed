"""A handler's arguments from its request, as Connexion's parameter decorator makes them, with
what depends only on the operation worked out once.

Connexion's `prep_kwargs` rebuilds, on every request, the operation's path and
query parameter definitions and its query defaults (deep-copied), asks for the
request's content type and body name even for an operation that has no body,
and parses an empty query string: about 9 % of the CPU of an authenticated
listing, measured here. `PreparedParameterDecorator` keeps the definitions and
defaults of its one operation, made on its first request, and skips the body,
its files and the query string where there are none; each value is still
converted by Connexion's own functions, so a handler gets the same arguments.
"""

import asyncio
import functools
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from connexion.context import context, operation
from connexion.decorators.parameter import (
    CONTEXT_NAME,
    AsyncParameterDecorator,
    _get_body_argument,
    _get_file_arguments,
    _get_query_defaults,
    _get_val_from_param,
    _query_args_helper,
    pythonic,
    sanitized,
    unwrap_decorators,
)
from connexion.lifecycle import ConnexionRequest
from connexion.utils import deep_merge, inspect_function_arguments

# Distinct parameter names seen (the spec's, in practice); the bound is a safety net only.
_MAX_NAMES = 1024


@dataclass(frozen=True)
class _Operation:
    """What Connexion's prep_kwargs derives from the operation alone."""

    path: Mapping[str, Any]  # path parameter definitions by name
    query: Mapping[str, Any]  # query parameter definitions by name
    query_defaults: Mapping[str, Any]
    # No request body is defined and the handler could not take one, or the method is TRACE
    # (Connexion reads none into its arguments then): no body, no form, no files to look at.
    bodiless: bool

    @classmethod
    def of(cls, spec: Any, arguments: list[str], has_kwargs: bool) -> "_Operation":
        parameters = spec.parameters
        query = {p["name"]: p for p in parameters if p["in"] == "query"}
        return cls(
            path={p["name"]: p for p in parameters if p["in"] == "path"},
            query=query,
            query_defaults=_get_query_defaults(query),
            bodiless=spec.method.upper() == "TRACE"
            or (
                not spec.is_request_body_defined
                and not has_kwargs
                # the body's name when none is defined (OpenAPIOperation.body_name)
                and "body" not in arguments
            ),
        )


class PreparedParameterDecorator(AsyncParameterDecorator):  # type: ignore[misc]  # untyped base
    """Connexion's AsyncParameterDecorator, its per-operation work done once."""

    def __init__(self, *, framework: Any, pythonic_params: bool = False) -> None:
        super().__init__(framework=framework, pythonic_params=pythonic_params)
        # Connexion runs inflection's regular expressions over every name of every request.
        sanitize: Callable[[str], str] = pythonic if pythonic_params else sanitized
        self.sanitize_fn: Callable[[str], str] = functools.lru_cache(maxsize=_MAX_NAMES)(sanitize)

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        arguments, has_kwargs = inspect_function_arguments(unwrap_decorators(function))
        sanitize = self.sanitize_fn
        prepared: list[_Operation] = []  # one operation per decorated handler

        @functools.wraps(function)
        async def wrapper(request: ConnexionRequest) -> Any:
            spec = operation
            if not prepared:
                prepared.append(_Operation.of(spec, arguments, has_kwargs))
            plan = prepared[0]
            kwargs: dict[str, Any] = {}
            for name, value in request.path_params.items():
                definition = plan.path.get(name)
                kwargs[sanitize(name)] = (
                    value if definition is None else _get_val_from_param(value, definition)
                )
            query = request.query_params if request.scope.get("query_string") else {}
            if query or plan.query_defaults:
                merged = deep_merge(deepcopy(dict(plan.query_defaults)), query)
                kwargs.update(
                    _query_args_helper(plan.query, merged, arguments, has_kwargs, sanitize)
                )
            if not plan.bodiless:
                body = self._maybe_get_body(request, arguments=arguments, has_kwargs=has_kwargs)
                while asyncio.iscoroutine(body):
                    body = await body
                content_type = request.mimetype
                kwargs.update(
                    _get_body_argument(
                        body,
                        operation=spec,
                        arguments=arguments,
                        has_kwargs=has_kwargs,
                        sanitize=sanitize,
                        content_type=content_type,
                    )
                )
                files = await request.files()
                kwargs.update(
                    _get_file_arguments(
                        files, arguments, spec.body_schema(content_type), has_kwargs
                    )
                )
            kwargs = {sanitize(key): value for key, value in kwargs.items()}
            for key, value in context.items():
                if has_kwargs or key in arguments:
                    kwargs[key] = value
            if CONTEXT_NAME in arguments:
                kwargs[CONTEXT_NAME] = context
            return await function(**kwargs)

        return wrapper
