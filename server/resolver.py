"""Binds operationId `Service_Method` to handlers/<service>.py:<method>, both snake_case.

An operation whose module or function does not exist answers UNIMPLEMENTED
(12) instead of stopping start-up; the list is logged once.
"""

import importlib
import re
from collections.abc import Callable
from typing import Any

from connexion.resolver import Resolver

from errors import ApiError, Code


def snake_case(name: str) -> str:
    """Acronym-aware: OpenAIService -> open_ai_service, ListApiKeys -> list_api_keys."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def handler_path(operation_id: str) -> tuple[str, str]:
    service, _, method = operation_id.partition("_")
    return f"handlers.{snake_case(service)}", snake_case(method)


def _unimplemented(operation_id: str) -> Callable[..., Any]:
    async def unimplemented(*_args: Any, **_kwargs: Any) -> None:
        raise ApiError(Code.UNIMPLEMENTED, f"{operation_id} is not implemented by this server")

    unimplemented.__name__ = f"unimplemented_{snake_case(operation_id)}"
    return unimplemented


class HandlerResolver(Resolver):  # type: ignore[misc]  # connexion ships no types
    def __init__(self) -> None:
        super().__init__(function_resolver=self.find_handler)
        self.missing: list[str] = []

    def find_handler(self, operation_id: str) -> Callable[..., Any]:
        module_name, function_name = handler_path(operation_id)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # the handler exists but imports something missing: a real bug
            module = None
        function = getattr(module, function_name, None) if module else None
        if function is None:
            self.missing.append(operation_id)  # logged once, all together, by create_app
            return _unimplemented(operation_id)
        return function  # type: ignore[no-any-return]
