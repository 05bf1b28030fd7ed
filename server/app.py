"""The Connexion app, built once from docs/openapi.yaml: routing, validation, auth, errors."""

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import yaml
from connexion import AsyncApp
from connexion.datastructures import MediaTypeDict
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.security import BearerSecurityHandler
from starlette.types import ASGIApp, Receive, Scope, Send

from domain import api_keys
from domain.turns import drain_settlements
from errors import Code
from providers.registry import ProviderRegistry
from server import middleware, problem_handlers
from server.allowed_methods import AllowedMethods
from server.config import ROOT, Settings
from server.context import caller_var
from server.json_body import StrictJSONBodyValidator
from server.parameter_validation import NamedParameterValidator
from server.resolver import HandlerResolver
from server.state import AppState, app_state, build_services, set_app_state
from store.database import Database
from store.migrations import upgrade_to_head

SPEC_PATH = ROOT / "docs" / "openapi.yaml"
log = logging.getLogger("privatellm.server")


async def bearer_info(token: str) -> dict[str, Any]:
    """Connexion's bearer check: the key's caller, for handlers (server.context) and Connexion."""
    state = app_state()
    caller = await api_keys.authenticate(state.db, token, state.services.api_key_pepper)
    caller_var.set(caller)
    return {"sub": caller.user_id, "role": caller.role, "key_id": caller.key_id}


class ApiKeyBearerHandler(BearerSecurityHandler):  # type: ignore[misc]  # untyped base
    """Bearer auth bound to our key lookup, so the generated spec needs no x-bearerInfoFunc."""

    def _resolve_func(self, security_scheme: dict[str, Any]) -> Any:
        return bearer_info


class CrashOnHeader:
    """Test config only: `X-Test-Crash: 1` raises inside the app, to prove the code-2 path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (b"x-test-crash", b"1") in scope["headers"]:
            raise RuntimeError("crash injected by X-Test-Crash")
        await self.app(scope, receive, send)


async def bootstrap_local_key(settings: Settings, db: Database) -> None:
    """Local/test only: the admin key a developer starts with (see README)."""
    wanted = settings.bootstrap_admin_key
    if not wanted or settings.env == "prod":
        return
    key_file = ROOT / settings.bootstrap_key_file
    if wanted == "generate":
        if key_file.is_file():
            secret = key_file.read_text().strip()
        else:
            secret = api_keys.new_secret()
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.touch(mode=0o600)
            key_file.write_text(secret + "\n")
            print(f"Local admin key (also in {settings.bootstrap_key_file}): {secret}", flush=True)
    else:
        secret = wanted
    await api_keys.ensure_bootstrap_key(db, secret, "admin", settings.api_key_pepper_bytes)


def create_app(settings: Settings, spec_path: Path = SPEC_PATH) -> ASGIApp:
    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        if settings.run_migrations:
            upgrade_to_head(settings.database_url)
        db = await Database.connect(settings.database_url)
        registry = ProviderRegistry.from_config(settings.providers, settings.models)
        state = AppState(settings=settings, services=build_services(settings, db, registry))
        set_app_state(state)
        await bootstrap_local_key(settings, db)
        try:
            yield
        finally:
            state.draining = True
            await drain_settlements()
            await registry.aclose()
            await db.close()
            set_app_state(None)

    resolver = HandlerResolver()
    app = AsyncApp(__name__, lifespan=lifespan, security_map={"bearer": ApiKeyBearerHandler})
    # Parsed once: Connexion takes the document, and the Allow table is built from it.
    spec = yaml.safe_load(spec_path.read_text())
    app.add_api(
        spec,
        resolver=resolver,
        strict_validation=True,
        validate_responses=settings.validate_responses,
        pythonic_params=True,
        validator_map={
            "parameter": NamedParameterValidator,
            "body": MediaTypeDict({"*/*json": StrictJSONBodyValidator}),
        },
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path="/ui", spec_path="/openapi.yaml"),
    )
    problem_handlers.install(app, AllowedMethods(spec["paths"]).for_path)
    if settings.enable_test_routes and settings.env != "prod":
        app.add_middleware(CrashOnHeader, position=MiddlewarePosition.BEFORE_SECURITY)
    if resolver.missing:
        log.warning("operations answering %d: %s", Code.UNIMPLEMENTED, ", ".join(resolver.missing))
    return middleware.wrap(app, settings.max_body_bytes)
