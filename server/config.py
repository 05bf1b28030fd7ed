"""Configuration: `ENV` picks config/<ENV>.yaml; environment variables override single values.

Overrides: `PRIVATELLM_<KEY>` for a top-level key (PRIVATELLM_PORT=9000,
PRIVATELLM_DATABASE_URL=postgresql+asyncpg://…), `PRIVATELLM_<SECTION>__<KEY>`
for a nested one (PRIVATELLM_PROVIDERS__BEDROCK__REGION=eu-west-1). Values
are parsed as YAML scalars, so numbers and booleans keep their type.
"""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from domain.limits import load_config as load_limits_config

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
ENV_PREFIX = "PRIVATELLM_"
# Settings that are secrets: in prod they must come from the environment, never a committed file.
SECRET_KEYS = ("bootstrap_admin_key", "api_key_pepper", "metrics_token")


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
    # Server-side secret mixed into API key hashes. Required in prod; under ENV=local one
    # is generated on first start and kept in `local_pepper_file`.
    api_key_pepper: str | None = None
    local_pepper_file: str = "var/local-api-key-pepper"
    # Local only: create this admin key (or a random one when "generate") on start-up.
    bootstrap_admin_key: str | None = None
    bootstrap_key_file: str = "var/local-admin-key"
    # Test only: a request with `X-Test-Crash: 1` raises inside the app, to prove the 500 path.
    enable_test_routes: bool = False
    log_level: str = "info"
    # Seconds one answer may take, retries and fallbacks included; past it the
    # answer fails with DEADLINE_EXCEEDED (4) and the upstream call is dropped.
    generation_timeout_seconds: float = 300.0
    # Seconds a verified API key is trusted without reading the database again: a key
    # revoked on another process stops working here within this bound (0-2; 0: no cache).
    api_key_cache_seconds: float = 1.0
    # Seconds within which OpenAI-door usage is written in one batch (> 0, <= 1); a graceful
    # stop writes what is left, a kill -9 loses at most this window.
    usage_flush_seconds: float = 0.5
    # Operations (README "Operations"). Logs: `text` lines or `json` objects, one per line.
    log_format: str = "text"
    access_log: bool = True  # one line per request
    request_metrics: bool = True  # per-request Prometheus series
    # A bearer token that may read /metrics besides admin keys (a secret: env in prod).
    metrics_token: str | None = None
    # `serve` starts this many worker processes on one socket (`--workers` wins).
    workers: int = 1
    # A graceful stop waits this long for requests in flight; streams still running
    # then end with an SSE error event (14) and are stored FAILED with their text.
    drain_timeout_seconds: float = 30.0
    # Providers are health-checked in the background this often (never by /readyz).
    provider_health_interval_seconds: float = 30.0
    # PostgreSQL: bound on connecting, waiting for a pooled connection, one statement.
    database_timeout_seconds: float = 10.0
    # PostgreSQL: connections each of a process's two pools (reads, writes) keeps open; a
    # request finding them all busy waits for one (up to database_timeout_seconds).
    database_pool_size: int = 15
    # SQLite: keep the event loop's thread and the database worker on one CPU (Linux); they
    # never run at once, and hand-overs between CPUs cost more than the work they hand over.
    sqlite_one_cpu: bool = True
    # OpenTelemetry traces, exported over OTLP/HTTP when on (endpoint: the OTEL_* variables
    # when empty).
    tracing_enabled: bool = False
    tracing_endpoint: str = ""
    # Chat images: max_bytes, url_hosts (http(s) image URLs allowed from these only;
    # none by default), url_timeout_seconds. See domain.images.
    images: Mapping[str, Any] = field(default_factory=dict)
    # Limits: counters (memory | redis), Redis, fail-open/closed, role defaults (see README).
    limits: Mapping[str, Any] = field(default_factory=dict)
    # The currency of the models' prices (`models[].price`) and of costs in usage.
    currency: str = "USD"
    # The generation lock is a lease its writer renews every quarter of this; one not
    # renewed within it is stale: its answer is settled FAILED (14) and the conversation freed.
    generation_lease_seconds: float = 30.0
    # How often every process looks for leases that ran out (without waiting for a new message).
    generation_sweep_interval_seconds: float = 10.0
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
    try:
        load_limits_config(settings.limits, settings.models, settings.currency)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"config/{env}.yaml: {exc}") from None
    _number("generation_timeout_seconds", settings.generation_timeout_seconds, 0, None)
    _number("api_key_cache_seconds", settings.api_key_cache_seconds, None, 2)
    _number("usage_flush_seconds", settings.usage_flush_seconds, 0, 1)
    _number("drain_timeout_seconds", settings.drain_timeout_seconds, 0, None)
    _number("provider_health_interval_seconds", settings.provider_health_interval_seconds, 0, None)
    _number("database_timeout_seconds", settings.database_timeout_seconds, 0, None)
    _number("database_pool_size", settings.database_pool_size, 1, None)
    if settings.log_format not in ("text", "json"):
        raise ConfigError(f"log_format must be text or json, not {settings.log_format!r}")
    if isinstance(settings.workers, bool) or not isinstance(settings.workers, int):
        raise ConfigError(f"workers must be a whole number >= 1, not {settings.workers!r}")
    if settings.workers < 1:
        raise ConfigError(f"workers must be a whole number >= 1, not {settings.workers!r}")
    _number("generation_lease_seconds", settings.generation_lease_seconds, 0, None)
    _number(
        "generation_sweep_interval_seconds", settings.generation_sweep_interval_seconds, 0, None
    )
    if env == "prod" and not settings.api_key_pepper:
        raise ConfigError(
            "api_key_pepper is required in prod: set PRIVATELLM_API_KEY_PEPPER to a long random "
            "secret (e.g. `openssl rand -base64 32`), the same in every process"
        )
    if env == "local" and not settings.api_key_pepper:
        settings = replace(settings, api_key_pepper=local_pepper(ROOT / settings.local_pepper_file))
    return settings


def local_pepper(path: Path) -> str:
    """The local pepper kept in `path` (beside the local admin key), made on first use.

    Written whole to a file of its own, then linked into place: link() fails if
    the name exists, so two processes starting at once agree on one pepper and
    neither ever reads a half-written file.
    """
    try:
        return _read_pepper(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(32) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        draft.unlink()
    return _read_pepper(path)


def _read_pepper(path: Path) -> str:
    pepper = path.read_text().strip()
    if not pepper:
        raise ConfigError(f"{path.name} is empty: delete it to have a new pepper made")
    return pepper


def _number(name: str, value: object, above: float | None, at_most: float | None) -> None:
    """ConfigError unless `value` is a number > `above` (>= 0 when None) and <= `at_most`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number, not {value!r}")
    low_ok = value > above if above is not None else value >= 0
    if not low_ok or (at_most is not None and value > at_most):
        low = f"> {above:g}" if above is not None else ">= 0"
        high = f" and <= {at_most:g}" if at_most is not None else ""
        raise ConfigError(f"{name} must be a number {low}{high}, not {value!r}")
