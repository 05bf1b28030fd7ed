"""Every HTTP request observed once: its metrics, its log line, and the draining gate.

`ObservedRequests` is pure ASGI, just inside the request-id middleware. Per
request it does what cannot be done at start-up and no more: a clock read at
each end, a dataclass, one counter and one histogram update, one log call.
The operation id is the one Connexion's router wrote into the ASGI scope;
the path template comes from a table built once from the spec.

`GenerationMetrics` is the domain's GenerationObserver: upstream latency,
time to first token, tokens, upstream errors and fallbacks, and the model and
tokens of the request's log line.
"""

import time
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.drain import Drain, shutting_down
from domain.observe import UpstreamCall
from errors import ApiError, Code
from server import metrics
from server.context import note_generation, request_id_var, request_record_var
from server.envelope import send_envelope
from server.request_log import RequestRecord, log_request
from server.tracing import Tracing

# Answered while draining: the load balancer's probes, and the scrape of a stopping process.
DRAIN_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
UNMATCHED = "unmatched"


def operation_table(spec: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """operationId -> (method, path template), from the spec's paths."""
    table: dict[str, tuple[str, str]] = {}
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, Mapping) and "operationId" in operation:
                table[operation["operationId"]] = (method.upper(), path)
    return table


class ObservedRequests:
    def __init__(
        self,
        app: ASGIApp,
        *,
        operations: Mapping[str, tuple[str, str]],
        endpoint: metrics.MetricsEndpoint,
        drain: Drain,
        record_metrics: bool = True,
        access_log: bool = True,
        tracing: Tracing | None = None,
    ) -> None:
        self.app = app
        self._paths = {operation: path for operation, (_method, path) in operations.items()}
        self._endpoint = endpoint
        self._drain = drain
        self._metrics = record_metrics
        self._log = access_log
        self._tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif self._tracing is None:
            await self._observe(scope, receive, send, RequestRecord(scope["method"], scope["path"]))
        else:
            record = RequestRecord(scope["method"], scope["path"])
            with self._tracing.request(scope, record):
                await self._observe(scope, receive, send, record)

    async def _observe(
        self, scope: Scope, receive: Receive, send: Send, record: RequestRecord
    ) -> None:
        started = time.perf_counter()
        record.request_id = request_id_var.get()
        token = request_record_var.set(record)
        # Connexion's router works on a shallow copy of the scope and writes the operation
        # id into its `extensions` dict: created here, that dict is shared with the copy.
        extensions = scope.setdefault("extensions", {})

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            await send(message)

        try:
            if scope["path"] == metrics.MetricsEndpoint.PATH:
                record.operation = "metrics"
                record.code = await self._endpoint(scope, receive, observed_send)
            elif self._drain.draining and scope["path"] not in DRAIN_EXEMPT:
                record.operation = "draining"
                await self._refuse(observed_send)
            else:
                self._drain.request_started()
                try:
                    await self.app(scope, receive, observed_send)
                finally:
                    self._drain.request_finished()
        except BaseException:
            record.status, record.code = record.status or 500, int(Code.UNKNOWN)
            raise
        finally:
            request_record_var.reset(token)
            self._finish(extensions, record, started)

    async def _refuse(self, send: Send) -> None:
        error = shutting_down()
        record = request_record_var.get()
        if record is not None:
            record.code, record.message = int(error.code), error.message
        closing = ApiError(
            error.code, error.message, headers={**error.headers, "Connection": "close"}
        )
        await send_envelope(send, closing)

    def _finish(self, extensions: dict[str, Any], record: RequestRecord, started: float) -> None:
        seconds = time.perf_counter() - started
        if not record.operation:
            routing = extensions.get("connexion_routing", {})
            record.operation = routing.get("operation_id") or UNMATCHED
            record.path = self._paths.get(record.operation, UNMATCHED)
        if self._metrics:
            operation = record.operation
            metrics.child(
                metrics.HTTP_REQUESTS, operation, str(record.code), str(record.status)
            ).inc()
            metrics.child(metrics.HTTP_LATENCY, operation).observe(seconds)
        if self._log:
            log_request(record, seconds * 1000)


class GenerationMetrics:
    """domain.observe.GenerationObserver feeding Prometheus, the log line and the trace."""

    def __init__(self, tracing: Tracing | None = None) -> None:
        self._tracing = tracing

    def upstream_finished(self, call: UpstreamCall) -> None:
        model, provider = call.model, call.provider
        metrics.child(metrics.UPSTREAM_LATENCY, model, provider).observe(call.seconds)
        if call.first_token_seconds is not None:
            metrics.child(metrics.TIME_TO_FIRST_TOKEN, model, provider).observe(
                call.first_token_seconds
            )
        if call.error is not None:
            metrics.child(metrics.UPSTREAM_ERRORS, model, provider, str(int(call.error))).inc()
        usage = call.usage
        if usage is not None:
            metrics.child(metrics.TOKENS, model, "in").inc(usage.input_tokens)
            metrics.child(metrics.TOKENS, model, "out").inc(usage.output_tokens)
        # A failed call names its model in the log line too.
        note_generation(
            model, usage.input_tokens if usage else 0, usage.output_tokens if usage else 0
        )
        if self._tracing is not None:
            self._tracing.upstream(call)

    def fallback(self, model: str, fallback: str) -> None:
        metrics.FALLBACKS.labels(model, fallback).inc()

    def limit_refused(self, limit: str) -> None:
        metrics.LIMIT_REFUSALS.labels(limit).inc()


def stream_gauge(delta: int) -> None:
    metrics.STREAMS_IN_FLIGHT.inc(delta)
