"""Prometheus metrics: the series, the protected `/metrics` endpoint, multiprocess mode.

Labels are bounded by construction: operation ids come from the spec, models
and providers from the catalog, codes from `errors.Code`. No user, key or
conversation id is ever a label.

With several worker processes (`serve --workers N`), `PROMETHEUS_MULTIPROC_DIR`
is set before any worker starts (server.serve), prometheus-client then keeps
each process's values in files there, and a scrape of any worker reads them
all. The variable must be set before prometheus_client is imported, which is
why the parent sets it, not the app.
"""

import hmac
import os
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from starlette.types import Receive, Scope, Send

from errors import ApiError, Code
from server.envelope import send_envelope

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Latency buckets in seconds: the gateway's own cost (ms) up to a long generation.
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

HTTP_REQUESTS = Counter(
    "privatellm_http_requests",
    "HTTP requests answered, by operation id, gRPC code (0: OK) and HTTP status.",
    ["operation", "code", "status"],
)
HTTP_LATENCY = Histogram(
    "privatellm_http_request_duration_seconds",
    "Time from the request's first byte to the response's last (streams: the whole stream).",
    ["operation"],
    buckets=_FAST,
)
UPSTREAM_LATENCY = Histogram(
    "privatellm_upstream_duration_seconds",
    "Time of one upstream model call, retries included, until its last token.",
    ["model", "provider"],
    buckets=_FAST,
)
TIME_TO_FIRST_TOKEN = Histogram(
    "privatellm_upstream_time_to_first_token_seconds",
    "Time from the upstream call to its first piece of text (streams only).",
    ["model", "provider"],
    buckets=_FAST,
)
TOKENS = Counter(
    "privatellm_tokens",
    "Tokens the upstream reported, by model and direction (in: prompt, out: answer).",
    ["model", "direction"],
)
UPSTREAM_ERRORS = Counter(
    "privatellm_upstream_errors",
    "Upstream calls that failed, by model, provider and the gRPC code they were mapped to.",
    ["model", "provider", "code"],
)
FALLBACKS = Counter(
    "privatellm_fallbacks",
    "Fallbacks taken: a model failed before any text and the next one was asked.",
    ["model", "fallback"],
)
STREAMS_IN_FLIGHT = Gauge(
    "privatellm_streams_in_flight",
    "Answers being streamed now.",
    multiprocess_mode="livesum",
)
LIMIT_REFUSALS = Counter(
    "privatellm_limit_refusals",
    "Requests refused by a limit or budget (code 8), by the kind of limit.",
    ["limit"],
)
DB_POOL_IN_USE = Gauge(
    "privatellm_db_pool_in_use",
    "Database connections checked out of the pool, by pool (reader, writer).",
    ["pool"],
    multiprocess_mode="livesum",
)
DB_POOL_WAITING = Gauge(
    "privatellm_db_pool_waiting",
    "Requests waiting for (or opening) a database connection, by pool.",
    ["pool"],
    multiprocess_mode="livesum",
)
PROVIDER_UP = Gauge(
    "privatellm_provider_up",
    "1 when the provider's last background health check passed, 0 when it failed.",
    ["provider"],
    multiprocess_mode="livemostrecent",
)


_CHILDREN: dict[tuple[object, tuple[str, ...]], Any] = {}


def child(metric: Counter | Gauge | Histogram, *labels: str) -> Any:
    """`metric.labels(*labels)`, looked up once per label set: prometheus-client checks and
    locks on every `labels()` call, five or six times a request here. The label sets are
    bounded (see the module docstring), so is this table."""
    key = (metric, labels)
    found = _CHILDREN.get(key)
    if found is None:
        found = _CHILDREN[key] = metric.labels(*labels)
    return found


def multiprocess_enabled() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def exposition() -> bytes:
    """The text format of every series; in multiprocess mode, of every worker's values."""
    if multiprocess_enabled():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return bytes(generate_latest(registry))
    return bytes(generate_latest(REGISTRY))


def process_exited() -> None:
    """A worker shutting down drops its live gauges from the shared directory."""
    if multiprocess_enabled():
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def instrument_pool(name: str, engine: Any) -> None:
    """Keeps DB_POOL_IN_USE and DB_POOL_WAITING for one engine's pool (call again after
    the engine's pool was replaced by `dispose()`: only the wait needs it).

    In use: the checkout/checkin events, registered on the engine once (they follow
    its pool when it is replaced). Waiting: around the pool's `_do_get`, where a
    checkout blocks until a connection is free or opened (SQLAlchemy has no event
    for that wait).
    """
    sync_engine = engine  # a synchronous Engine (store.database.Database.engines)
    if not getattr(sync_engine, "_privatellm_measured", False):
        in_use = DB_POOL_IN_USE.labels(name)
        event.listen(sync_engine, "checkout", lambda *_: in_use.inc())
        event.listen(sync_engine, "checkin", lambda *_: in_use.dec())
        sync_engine._privatellm_measured = True
    pool = sync_engine.pool
    if getattr(pool, "_privatellm_measured", False):
        return
    waiting = DB_POOL_WAITING.labels(name)
    get = pool._do_get

    def measured_get() -> Any:
        waiting.inc()
        try:
            return get()
        finally:
            waiting.dec()

    pool._do_get = measured_get
    pool._privatellm_measured = True


def instrument_direct_pool(name: str, pool: Any) -> None:
    """The same gauges for the connections compiled-only units keep out of `name`'s pool
    (store.driver_pool.DriverPool): the engine's checkout events count each of them in use
    for as long as it is kept, so one waiting idle for the next unit is taken off again."""
    in_use, waiting = DB_POOL_IN_USE.labels(name), DB_POOL_WAITING.labels(name)
    pool.on_idle = lambda change: in_use.dec(change)
    pool.on_waiting = lambda change: waiting.inc(change)


class MetricsEndpoint:
    """`GET /metrics`, outside the spec: a scrape token (setting `metrics_token`) or an admin key.

    Never open: with no token configured, only an admin API key reads it.
    """

    PATH = "/metrics"

    def __init__(self, token: str | None, authenticate: Callable[[str], Any]) -> None:
        self._token = token.encode() if token else None
        self._authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> int:
        """Answers the scrape; returns the gRPC code it answered (0 for the metrics)."""
        if scope["method"] not in ("GET", "HEAD"):
            await send_envelope(send, ApiError(Code.UNIMPLEMENTED, "/metrics answers GET"))
            return int(Code.UNIMPLEMENTED)
        secret = _bearer(scope)
        try:
            await self._allow(secret)
        except ApiError as error:
            await send_envelope(send, error)
            return int(error.code)
        body = exposition()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", CONTENT_TYPE_LATEST.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        head_only = scope["method"] == "HEAD"
        await send({"type": "http.response.body", "body": b"" if head_only else body})
        return 0

    async def _allow(self, secret: str) -> None:
        if not secret:
            raise ApiError(
                Code.UNAUTHENTICATED,
                "/metrics needs the scrape token or an admin API key",
                headers={"WWW-Authenticate": 'Bearer realm="privatellm"'},
            )
        if self._token is not None and hmac.compare_digest(secret.encode(), self._token):
            return
        caller = await self._authenticate(secret)
        if not caller.is_admin:
            raise ApiError(Code.PERMISSION_DENIED, "/metrics is for admins and the scrape token")


def _bearer(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, secret = value.decode("latin-1").partition(" ")
            return secret.strip() if scheme.lower() == "bearer" else ""
    return ""
