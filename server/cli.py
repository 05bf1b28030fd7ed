"""`privatellm` / `python -m server`: serve, migrate, create-key."""

import argparse
import asyncio
import sys

from server.config import ConfigError, Settings, load_settings


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from server.serve import serve

    return serve(settings, host=args.host, port=args.port, workers=args.workers)


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from store.migrations import upgrade_to_head

    upgrade_to_head(settings.database_url)
    print(f"database at head: {settings.database_url.split('@')[-1]}")
    return 0


def _create_key(settings: Settings, args: argparse.Namespace) -> int:
    from domain import api_keys
    from domain.identity import Caller
    from providers.registry import ProviderRegistry
    from server.state import build_services
    from store.database import Database
    from store.migrations import upgrade_to_head

    async def create() -> str:
        if settings.run_migrations:
            upgrade_to_head(settings.database_url)
        db = await Database.connect(settings.database_url)
        try:
            # No providers: a key is made without reaching any model.
            svc = build_services(settings, db, ProviderRegistry.from_config({}, []))
            operator = Caller(user_id="operator", role="admin", key_id="cli")
            _, secret = await api_keys.create_api_key(
                svc, operator, display_name=args.name, user=args.user, role=args.role.upper()
            )
            return secret
        finally:
            await db.close()

    print(asyncio.run(create()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="privatellm", description="Private LLM Backend server")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP server (uvicorn)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: setting `workers`)"
    )
    serve.set_defaults(run=_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    key = commands.add_parser("create-key", help="create an API key and print its secret once")
    key.add_argument("--user", required=True)
    key.add_argument("--role", choices=["user", "admin"], default="user")
    key.add_argument("--name", default="")
    key.set_defaults(run=_create_key)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    return int(args.run(settings, args))
