"""Configuration: `ENV` picks config/<ENV>.yaml; environment variables override single values.

Overrides: `PRIVATELLM_<KEY>` for a top-level key (PRIVATELLM_PORT=9000,
PRIVATELLM_DATABASE_URL=postgresql+asyncpg://…), `PRIVATELLM_<SECTION>__<KEY>`
for a nested one (PRIVATELLM_PROVIDERS__BEDROCK__REGION=eu-west-1). Values
are parsed as YAML scalars, so numbers and booleans keep their type.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
ENV_PREFIX = "PRIVATELLM_"
# Settings that are secrets: in prod they must come from the environment, never a committed file.
SECRET_KEYS = ("bootstrap_admin_key", "api_key_pepper")


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to change."""


@dataclass(frozen=True)
class Settings:
    env: str
    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str = "sqlite+aiosqlite:///var/local.db"
    run_migrations: bool = True
    max_body_bytes: int = 1_048_576
    validate_responses: bool = False
    default_model: str = "echo"
    api_key_pepper: str | None = None
    # Local only: create this admin key (or a random one when "generate") on start-up.
    bootstrap_admin_key: str | None = None
    bootstrap_key_file: str = "var/local-admin-key"
    # Test only: a request with `X-Test-Crash: 1` raises inside the app, to prove the 500 path.
    enable_test_routes: bool = False
    log_level: str = "info"
    # Seconds one answer may take, retries and fallbacks included; past it the
    # answer fails with DEADLINE_EXCEEDED (4) and the upstream call is dropped.
    generation_timeout_seconds: float = 300.0
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    models: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def api_key_pepper_bytes(self) -> bytes | None:
        """The pepper as hash input. str() first: an all-digit value arrives as a YAML int."""
        return str(self.api_key_pepper).encode() if self.api_key_pepper else None


def _override(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "ENV":
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        node = data
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{name}: {part} is not a section")
            node = child
        node[path[-1]] = yaml.safe_load(raw) if raw else ""


def load_settings(env: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    env = env or environ.get("ENV", "local")
    path = CONFIG_DIR / f"{env}.yaml"
    if not path.is_file():
        raise ConfigError(f"ENV={env}: no config file config/{env}.yaml")
    data = yaml.safe_load(path.read_text()) or {}
    if env == "prod":
        written = [key for key in SECRET_KEYS if data.get(key)]
        if urlsplit(str(data.get("database_url") or "")).password:
            written.append("a password in database_url")
        if written:
            raise ConfigError(
                f"config/prod.yaml holds secrets ({', '.join(written)}): "
                "set them through the environment instead"
            )
    _override(data, environ)
    if env == "prod" and data.get("bootstrap_admin_key"):
        raise ConfigError(
            "bootstrap_admin_key is for local and test only; use `create-key` in prod"
        )
    if env == "prod" and data.get("enable_test_routes"):
        raise ConfigError("enable_test_routes is for tests only")
    known = set(Settings.__dataclass_fields__) - {"env"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"config/{env}.yaml: unknown settings {unknown}")
    try:
        settings = Settings(env=env, **data)
    except TypeError as exc:
        raise ConfigError(f"config/{env}.yaml: {exc}") from exc
    timeout = settings.generation_timeout_seconds
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"generation_timeout_seconds must be a number > 0, not {timeout!r}")
    return settings
