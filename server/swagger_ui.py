"""Connexion's Swagger UI middleware, which no longer routes requests that cannot be its own.

SwaggerUIMiddleware runs every request through a Starlette router of its own
(a mount and its routes, each a regular expression) before handing those it
does not serve to the next layer. Its routes are few and fixed once the API
is added (`/openapi.yaml`, `/ui`...): a path that starts with none of their
literal prefixes matches none of them, even with its trailing slash added or
removed (the router's slash redirect), so it goes straight to the next layer,
with the same copy of the scope the router's default would pass. What may be
the Swagger UI's is routed by Connexion's router as before.
"""

from typing import Any

from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send


def _prefixes(routes: list[BaseRoute], mounted: str = "") -> list[str]:
    """The literal start of every path the routes can match (before any `{parameter}`)."""
    found: list[str] = []
    for route in routes:
        if isinstance(route, Mount):
            children = getattr(route.app, "routes", None)
            if children is None:  # an app of its own (static files): anything below the mount
                found.append(mounted + route.path)
            else:
                found += _prefixes(children, mounted + route.path)
        elif isinstance(route, Route):
            found.append(mounted + route.path.split("{", 1)[0])
        else:
            found.append("")  # a kind of route not looked into: every path may be its
    return found


class OwnPathsSwaggerUI(SwaggerUIMiddleware):  # type: ignore[misc]  # untyped base
    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._own: tuple[str, ...] = ("",)

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        # No trailing slash: the router's slash redirect tries the path with and without one.
        self._own = tuple({prefix.rstrip("/") for prefix in _prefixes(self.router.routes)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(self._own):
            await self.app(dict(scope), receive, send)
            return
        await super().__call__(scope, receive, send)
