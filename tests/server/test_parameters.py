"""Handlers get the same arguments from our prepared parameter decorator (server.parameters) as
from Connexion's own: one small spec served by both apps, handlers that answer with what
they were given, the same requests to each."""

import json
from typing import Any

import httpx
import pytest
from connexion import AsyncApp

from server.operations import PreparedAsyncApp
from server.parameter_validation import NamedParameterValidator


def _echo(**kwargs: Any) -> dict[str, Any]:
    return {key: value for key, value in sorted(kwargs.items()) if key != "context_"}


async def get_thing(thing_id: int, tags: list[str] | None = None, page_size: int = 0) -> Any:
    return _echo(thing_id=thing_id, tags=tags, page_size=page_size)


async def list_things(page_size: int | None = None, order: str = "", flag: bool = False) -> Any:
    return _echo(page_size=page_size, order=order, flag=flag)


async def create_thing(body: Any, dry_run: bool = False) -> Any:
    return _echo(body=body, dry_run=dry_run)


async def named_body(payload: Any) -> Any:
    return _echo(payload=payload)


async def person(name: str) -> Any:
    return _echo(name=name)


async def search(q: str) -> Any:
    return _echo(q=q)


async def anything(**kwargs: Any) -> Any:
    return _echo(**kwargs)


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


OK = {"200": {"description": "ok", **_json({"type": "object"})}}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": f"{__name__}.list_things",
                "parameters": [
                    {"name": "pageSize", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "order",
                        "in": "query",
                        "schema": {"type": "string", "default": "new"},
                    },
                    {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": OK,
            },
            "post": {
                "operationId": f"{__name__}.create_thing",
                "parameters": [{"name": "dryRun", "in": "query", "schema": {"type": "boolean"}}],
                "requestBody": {
                    "required": False,
                    **_json({"type": "object", "default": {"name": "unnamed"}}),
                },
                "responses": OK,
            },
        },
        "/things/{thingId}": {
            "get": {
                "operationId": f"{__name__}.get_thing",
                "parameters": [
                    {
                        "name": "thingId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {
                        "name": "tags",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string"}},
                        "style": "form",
                        "explode": False,
                    },
                    {"name": "pageSize", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": OK,
            },
        },
        "/search": {
            "get": {
                "operationId": f"{__name__}.search",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
                ],
                "responses": OK,
            }
        },
        "/people/{name}": {
            "get": {
                "operationId": f"{__name__}.person",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": OK,
            }
        },
        "/named": {
            "post": {
                "operationId": f"{__name__}.named_body",
                "requestBody": {
                    "required": True,
                    "x-body-name": "payload",
                    **_json({"type": "array", "items": {"type": "integer"}}),
                },
                "responses": OK,
            }
        },
        "/anything/{name}": {
            "put": {
                "operationId": f"{__name__}.anything",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "number"}},
                ],
                "requestBody": _json({"type": "object"}),
                "responses": OK,
            }
        },
    },
}

REQUESTS: list[tuple[str, str, Any]] = [
    ("GET", "/things", None),
    ("GET", "/things?pageSize=5", None),
    ("GET", "/things?pageSize=5&order=old&flag=true", None),
    ("GET", "/things?unknown=1", None),
    ("GET", "/things/42", None),
    ("GET", "/things/42?tags=a,b,c&pageSize=2", None),
    ("GET", "/things/42?tags=a&tags=b", None),
    ("POST", "/things", {"name": "x", "n": [1, 2]}),
    ("POST", "/things?dryRun=true", {"name": "y"}),
    ("POST", "/named", [3, 1, 2]),
    ("PUT", "/anything/some%20one?limit=2.5", {"k": "v"}),
]
# Where Connexion itself fails (a missing body handed on as b""; a required body left out),
# ours must fail the same way.
AS_CONNEXION_FAILS: list[tuple[str, str, Any]] = [
    ("POST", "/things", None),
    ("PUT", "/anything/x", None),
]


def _app(kind: type[AsyncApp]) -> AsyncApp:
    app = kind(__name__)
    app.add_api(SPEC, pythonic_params=True, strict_validation=False)
    return app


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS + AS_CONNEXION_FAILS)
async def test_the_handler_gets_what_connexion_gives(method: str, path: str, body: Any) -> None:
    answers = []
    for kind in (AsyncApp, PreparedAsyncApp):
        transport = httpx.ASGITransport(app=_app(kind))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            content = None if body is None else json.dumps(body)
            headers = {} if body is None else {"Content-Type": "application/json"}
            answer = await client.request(method, path, content=content, headers=headers)
        answers.append((answer.status_code, answer.json()))
    assert answers[0] == answers[1]
    assert (answers[1][0] == 200) == ((method, path, body) in REQUESTS), answers[1]


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/things", 200, None),  # nothing to check: optional query parameters only
        ("/search", 400, "missing query parameter q"),  # a required one, absent
        ("/search?q=x", 200, None),
        ("/people/%FF", 400, "the path is not UTF-8"),
        ("/people/ann", 200, None),
        ("/things?pageSize=x", 400, "query parameter pageSize"),
    ],
)
async def test_parameters_are_checked_with_or_without_a_query_string(
    path: str, status: int, detail: str | None
) -> None:
    app = PreparedAsyncApp(__name__)
    app.add_api(SPEC, pythonic_params=True, validator_map={"parameter": NamedParameterValidator})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get(path)
    assert answer.status_code == status, answer.text
    if detail is not None:
        assert detail in answer.json()["detail"]
