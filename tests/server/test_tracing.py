"""Traces, through the SDK's in-memory exporter: the request, its database statements and its
upstream call in one trace, continuing the caller's `traceparent`; the trace id in the log line."""

import logging
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.testclient import TestClient

from server.app import create_app
from server.config import load_settings
from tests.conftest import ADMIN_SECRET

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_a_turn_is_one_trace(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(
        "test", {"PRIVATELLM_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'traced.db'}"}
    )
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    with TestClient(create_app(settings, tracer_provider=provider)) as client:
        conversation = client.post("/v1/conversations", json={}, headers=headers).json()["id"]
        exporter.clear()
        with caplog.at_level(logging.INFO, logger="privatellm.access"):
            sent = client.post(
                f"/v1/conversations/{conversation}/messages",
                json={"content": "one two three"},
                headers={**headers, "traceparent": f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"},
            )
    assert sent.status_code == 200
    usage = sent.json()["assistantMessage"]["usage"]
    spans = exporter.get_finished_spans()
    assert {format(span.context.trace_id, "032x") for span in spans} == {CALLER_TRACE}

    (request,) = [s for s in spans if s.kind.name == "SERVER"]
    assert request.name == "POST /v1/conversations/{conversation}/messages"
    assert attributes(request)["http.response.status_code"] == 200
    assert attributes(request)["privatellm.operation"] == "MessageService_SendMessage"

    statements = [s for s in spans if s.name.startswith("db ")]
    assert {"db SELECT", "db INSERT", "db UPDATE"} <= {s.name for s in statements}
    assert all(under(s, request, spans) for s in statements)
    # The statement with its placeholders; the message text is not in any span.
    assert not any("one two three" in str(attributes(s)) for s in spans)

    (upstream,) = [s for s in spans if s.name.startswith("upstream ")]
    assert under(upstream, request, spans)
    assert attributes(upstream)["gen_ai.request.model"] == "echo"
    assert attributes(upstream)["gen_ai.usage.input_tokens"] == usage["inputTokens"]
    assert attributes(upstream)["gen_ai.usage.output_tokens"] == usage["outputTokens"]

    (line,) = [
        r
        for r in caplog.records
        if getattr(r, "fields", {}).get("operation") == ("MessageService_SendMessage")
    ]
    assert line.fields["trace_id"] == CALLER_TRACE  # type: ignore[attr-defined]


def attributes(span: ReadableSpan) -> dict[str, object]:
    return dict(span.attributes or {})


def under(span: ReadableSpan, ancestor: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> bool:
    """Whether `ancestor` is `span`'s parent, or its parent's, and so on."""
    by_id = {s.context.span_id: s for s in spans}
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        found = by_id.get(parent.span_id)
        parent = found.parent if found is not None else None
    return False
