"""Every operation of the spec has its handler, and each handler's signature is its operation's.

The resolver answers 12 for an operation without a handler rather than refuse
to start (see server/resolver.py), so a misnamed handler would otherwise only
show as one log line. Here it fails: each operationId must bind to a function
whose parameters are the operation's (Connexion's pythonic names: path and query
parameters, `body` for a request body), required ones without a default and
optional ones with one, typed with the generated schema types of
handlers/api_types.py for the request body and the JSON answer; and every public
function of a handler module must be some operation's.
"""

import importlib
import inspect
import types
from collections.abc import Callable
from typing import Any, get_type_hints, is_typeddict

import pytest
import yaml
from connexion.decorators.parameter import pythonic

from handlers import api_types
from server.resolver import handler_path
from tests.conftest import ROOT

SPEC = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
METHODS = ("get", "put", "post", "delete", "patch")
OPERATIONS = {
    operation["operationId"]: operation
    for item in SPEC["paths"].values()
    for method, operation in item.items()
    if method in METHODS
}
# Query parameters read from the request itself, not passed: Connexion gives handlers its
# security context under the name `user`, which would hide a query parameter of that name
# (a path parameter of that name is passed, and overwritten the same way).
NOT_PASSED = {"user"}
# Their bodies go to domain.chat_completions and domain.embeddings whole, as the OpenAI
# door defines them.
UNTYPED = {
    "OpenAIService_CreateChatCompletion",
    "OpenAIService_CreateEmbedding",
    "OpenAIService_ListOpenAIModels",
}


def handler(operation_id: str) -> Callable[..., Any]:
    module_name, function_name = handler_path(operation_id)
    module = importlib.import_module(module_name)
    function: Callable[..., Any] | None = getattr(module, function_name, None)
    assert callable(function), f"{operation_id}: no function {function_name} in {module_name}"
    return function


def schema_type(schema: dict[str, Any]) -> object:
    name = schema["$ref"].rsplit("/", 1)[-1]
    generated = getattr(api_types, name)
    if not is_typeddict(generated):
        # datamodel-codegen gave the name to an alias (an array's item type) and renamed the
        # schema's class with a `Model` suffix (domain.views says which).
        generated = getattr(api_types, name + "Model")
    return generated


def without_none(hint: object) -> object:
    if isinstance(hint, types.UnionType):
        rest = [arg for arg in hint.__args__ if arg is not type(None)]
        return rest[0] if len(rest) == 1 else hint
    return hint


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_the_handler_takes_the_operations_parameters(operation_id: str) -> None:
    operation = OPERATIONS[operation_id]
    function = handler(operation_id)
    assert inspect.iscoroutinefunction(function), f"{operation_id}: handlers are async"
    wanted: dict[str, bool] = {
        pythonic(p["name"]): bool(p.get("required"))
        for p in operation.get("parameters", [])
        if p["in"] == "path" or (p["in"] == "query" and p["name"] not in NOT_PASSED)
    }
    if "requestBody" in operation:
        wanted["body"] = bool(operation["requestBody"].get("required"))
    signature = inspect.signature(function)
    assert set(signature.parameters) == set(wanted), operation_id
    for name, required in wanted.items():
        has_default = signature.parameters[name].default is not inspect.Parameter.empty
        assert has_default != required, f"{operation_id}: {name} required={required}"


@pytest.mark.parametrize("operation_id", sorted(set(OPERATIONS) - UNTYPED))
def test_the_handler_speaks_the_generated_types(operation_id: str) -> None:
    operation = OPERATIONS[operation_id]
    hints = get_type_hints(handler(operation_id))
    if "requestBody" in operation:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert without_none(hints["body"]) is schema_type(schema), operation_id
    answer = operation["responses"]["200"]["content"]
    if set(answer) == {"application/json"}:
        schema = answer["application/json"]["schema"]
        if "$ref" in schema:
            assert hints["return"] is schema_type(schema), operation_id


def test_every_handler_function_is_an_operations() -> None:
    bound = {handler_path(operation_id) for operation_id in OPERATIONS}
    for path in sorted((ROOT / "handlers").glob("*_service.py")):
        module_name = f"handlers.{path.stem}"
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if inspect.iscoroutinefunction(value) and value.__module__ == module_name:
                if not name.startswith("_"):
                    assert (module_name, name) in bound, f"{module_name}.{name} serves no operation"


def test_a_misnamed_handler_fails_here(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the checks above see when a handler's name drifts from its operation.
    from handlers import conversation_service

    monkeypatch.delattr(conversation_service, "get_conversation")
    with pytest.raises(AssertionError, match="no function get_conversation"):
        handler("ConversationService_GetConversation")
