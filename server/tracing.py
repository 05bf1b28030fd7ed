"""OpenTelemetry traces: off by default; when on, exported over OTLP/HTTP.

Spans: one per HTTP request (continuing an incoming `traceparent`), one per
database statement (the SQL text with its placeholders, never its
parameters), one per upstream model call (model, provider, tokens in and
out, time to first token, the error code). The request's trace id goes into
its log line. Nothing here runs per request unless tracing is on.

`tracing_enabled: true` turns it on; `tracing_endpoint` (else the standard
OTEL_EXPORTER_OTLP_* variables) says where spans go.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from starlette.types import Scope

from domain.observe import UpstreamCall
from server.config import Settings
from server.request_log import RequestRecord

SERVICE_NAME = "privatellm"


def provider_from_settings(settings: Settings) -> TracerProvider | None:
    """The OTLP-exporting provider when tracing is on, else None (and no cost at all)."""
    if not settings.tracing_enabled:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    exporter = OTLPSpanExporter(endpoint=settings.tracing_endpoint or None)
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


class Tracing:
    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self._tracer = provider.get_tracer("privatellm.server")

    @contextmanager
    def request(self, scope: Scope, record: RequestRecord) -> Iterator[None]:
        """The request's span, current while the request runs; named once routing is known."""
        carrier = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        with self._tracer.start_as_current_span(
            f"{record.method}", context=propagate.extract(carrier), kind=SpanKind.SERVER
        ) as span:
            record.trace_id = format(span.get_span_context().trace_id, "032x")
            try:
                yield
            finally:
                span.update_name(f"{record.method} {record.path}")
                span.set_attributes(
                    {
                        "http.request.method": record.method,
                        "http.route": record.path,
                        "http.response.status_code": record.status,
                        "rpc.grpc.status_code": record.code,
                        "privatellm.operation": record.operation,
                        "privatellm.request_id": record.request_id,
                    }
                )
                if record.status >= 500:
                    span.set_status(Status(StatusCode.ERROR))

    def instrument_engine(self, role: str, engine: Any) -> None:
        """A span per statement of `engine` (registered on the engine: survives a new pool)."""
        sync_engine = engine  # a synchronous Engine (store.database.Database.engines)
        system = sync_engine.dialect.name
        tracer = self._tracer

        @event.listens_for(sync_engine, "before_cursor_execute")
        def _start(
            _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
        ) -> None:
            verb = statement.lstrip().split(" ", 1)[0].upper()
            context._privatellm_span = tracer.start_span(
                f"db {verb}",
                kind=SpanKind.CLIENT,
                attributes={"db.system": system, "db.statement": statement, "db.pool": role},
            )

        @event.listens_for(sync_engine, "after_cursor_execute")
        def _end(*args: Any) -> None:
            span = getattr(args[4], "_privatellm_span", None)
            if span is not None:
                span.end()

        @event.listens_for(sync_engine, "handle_error")
        def _failed(exception_context: Any) -> None:
            span = getattr(exception_context.execution_context, "_privatellm_span", None)
            if span is not None:
                failure = type(exception_context.original_exception).__name__
                span.set_status(Status(StatusCode.ERROR, failure))
                span.end()

    def upstream(self, call: UpstreamCall) -> None:
        """The upstream call's span, with the times it was measured at."""
        end = time.time_ns()
        attributes: dict[str, Any] = {
            "gen_ai.request.model": call.model,
            "privatellm.provider": call.provider,
        }
        if call.usage is not None:
            attributes["gen_ai.usage.input_tokens"] = call.usage.input_tokens
            attributes["gen_ai.usage.output_tokens"] = call.usage.output_tokens
        if call.first_token_seconds is not None:
            attributes["privatellm.time_to_first_token_s"] = call.first_token_seconds
        span = self._tracer.start_span(
            f"upstream {call.model}",
            kind=SpanKind.CLIENT,
            start_time=end - int(call.seconds * 1e9),
            attributes=attributes,
        )
        if call.error is not None:
            span.set_attribute("rpc.grpc.status_code", int(call.error))
            span.set_status(Status(StatusCode.ERROR, call.error.name))
        span.end(end_time=end)
