"""A local OTLP/HTTP trace receiver: what an OpenTelemetry collector does with `POST /v1/traces`,
real HTTP on 127.0.0.1, for tests of the exporter the server ships.

Each body is decoded as the protocol's `ExportTraceServiceRequest` (the
opentelemetry-proto package, which the OTLP exporter itself depends on),
gzip-compressed or not, and answered with an `ExportTraceServiceResponse`;
anything else is refused as a collector would (404 for another path, 415 for
another content type, 400 for a body that does not decode). The spans are kept
flattened, with their resource's attributes, for a test to search.
"""

import gzip
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from tests.fakes.local_server import LocalServer

PROTOBUF = "application/x-protobuf"


@dataclass(frozen=True)
class ReceivedSpan:
    name: str
    trace_id: str  # 32 hex digits, as logged
    span_id: str
    parent_span_id: str  # "" for a root span
    kind: int  # opentelemetry.proto.trace.v1.Span.SpanKind
    attributes: dict[str, Any]
    resource: dict[str, Any]


class OtlpReceiver(LocalServer):
    """Start with `with OtlpReceiver() as receiver:`; point the exporter at `traces_url`."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.arrived = threading.Condition()
        super().__init__(self._handler_class())

    @property
    def traces_url(self) -> str:
        return self.root_url + "/v1/traces"

    def wait_for(self, trace_id: str, names: set[str], timeout: float) -> list[ReceivedSpan]:
        """The trace's spans once every name in `names` has arrived (or what arrived by then)."""
        with self.arrived:
            self.arrived.wait_for(
                lambda: names <= {s.name for s in self.spans if s.trace_id == trace_id},
                timeout=timeout,
            )
            return [span for span in self.spans if span.trace_id == trace_id]

    def _receive(self, request: ExportTraceServiceRequest) -> None:
        spans = [
            ReceivedSpan(
                name=span.name,
                trace_id=span.trace_id.hex(),
                span_id=span.span_id.hex(),
                parent_span_id=span.parent_span_id.hex(),
                kind=span.kind,
                attributes=_attributes(span.attributes),
                resource=_attributes(resource_spans.resource.attributes),
            )
            for resource_spans in request.resource_spans
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        ]
        with self.arrived:
            self.spans.extend(spans)
            self.arrived.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the exporter keeps its connection

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/v1/traces":
                    self._answer(404, b"no such path", "text/plain")
                    return
                if self.headers.get("Content-Type", "").split(";")[0].strip() != PROTOBUF:
                    self._answer(415, b"OTLP/HTTP takes protobuf here", "text/plain")
                    return
                try:
                    if self.headers.get("Content-Encoding", "").lower() == "gzip":
                        body = gzip.decompress(body)
                    request = ExportTraceServiceRequest.FromString(body)
                except (DecodeError, OSError, EOFError):
                    self._answer(400, b"not an ExportTraceServiceRequest", "text/plain")
                    return
                receiver._receive(request)
                self._answer(200, ExportTraceServiceResponse().SerializeToString(), PROTOBUF)

            def _answer(self, status: int, payload: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def _attributes(pairs: "list[KeyValue] | Any") -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs}


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    return getattr(value, kind) if kind else None
