"""The two floors of the overhead benchmark: pass-through proxies with nothing of ours in them.

Both take `POST /openai/v1/chat/completions` and hand the body to the bench
upstream with one aiohttp session (its pool kept across requests), then
answer what the upstream answered, streamed through when it is an event
stream. No auth, no storage, no logging:

- `starlette`: a bare Starlette route, no validation at all;
- `connexion`: a minimal Connexion AsyncApp with one operation, the front
  door's own from docs/openapi.yaml (its request body schema and every
  schema it refers to), request validation on as in our server.

Each runs under uvicorn with the same defaults as our server.

    python -m bench.floors starlette|connexion PORT UPSTREAM_ROOT_URL
"""

import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

SPEC_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
FRONT_DOOR = "/openai/v1/chat/completions"


class PassThrough:
    """One aiohttp session to the upstream, opened and closed with the app's lifespan."""

    def __init__(self, upstream_root: str) -> None:
        self.url = upstream_root.rstrip("/") + "/v1/chat/completions"
        self.session: aiohttp.ClientSession | None = None

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        try:
            yield
        finally:
            await self.session.close()

    async def forward(self, body: bytes, streamed: bool) -> Response:
        assert self.session is not None
        upstream = await self.session.post(
            self.url, data=body, headers={"Content-Type": "application/json"}
        )
        if not streamed:
            try:
                payload = await upstream.read()
            finally:
                upstream.release()
            return Response(payload, upstream.status, media_type="application/json")

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in upstream.content.iter_any():
                    yield chunk
            finally:
                upstream.release()

        return StreamingResponse(relay(), upstream.status, media_type="text/event-stream")


def starlette_app(upstream_root: str) -> Any:
    proxy = PassThrough(upstream_root)

    async def chat(request: Request) -> Response:
        body = await request.body()
        return await proxy.forward(body, bool(json.loads(body).get("stream")))

    return Starlette(routes=[Route(FRONT_DOOR, chat, methods=["POST"])], lifespan=proxy.lifespan)


_connexion_proxy: PassThrough | None = None


async def connexion_chat(body: dict[str, Any]) -> Response:
    """The Connexion floor's one handler (operationId bench.floors.connexion_chat)."""
    assert _connexion_proxy is not None
    return await _connexion_proxy.forward(json.dumps(body).encode(), bool(body.get("stream")))


def front_door_spec() -> dict[str, Any]:
    """docs/openapi.yaml cut down to the front door's operation, without its security."""
    spec = yaml.safe_load(SPEC_PATH.read_text())
    operation = dict(spec["paths"][FRONT_DOOR]["post"])
    operation["operationId"] = "bench.floors.connexion_chat"
    operation.pop("security", None)
    return {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "paths": {FRONT_DOOR: {"post": operation}},
        "components": {"schemas": spec["components"]["schemas"]},
    }


def connexion_app(upstream_root: str) -> Any:
    from connexion import AsyncApp

    # Set on the module Connexion imports the handler from (not __main__ when run as a script).
    from bench import floors

    proxy = floors._connexion_proxy = PassThrough(upstream_root)
    app = AsyncApp(__name__, lifespan=proxy.lifespan)
    app.add_api(front_door_spec(), strict_validation=True, validate_responses=False)
    return app


if __name__ == "__main__":
    import uvicorn

    kind, port, upstream = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    build = {"starlette": starlette_app, "connexion": connexion_app}[kind]
    uvicorn.run(build(upstream), host="127.0.0.1", port=port, log_level="warning")
