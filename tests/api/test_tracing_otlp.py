"""Traces through the OTLP exporter the server ships, to a real OTLP/HTTP receiver on 127.0.0.1.

A live server with `tracing_enabled` and `tracing_endpoint` pointed at the
receiver (tests/fakes/otlp_receiver.py decodes each export as the protocol's
protobuf message) answers a chat completion through the OpenAI door and a
native send. Each request's trace id is read from its JSON log line, and that
trace must arrive: the request span, the database statements under it (the
native send writes; the front door's key is cached and its usage batched),
and the upstream call with its model and token counts. No message text is in
any span.
"""

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ADMIN_SECRET, LiveServer
from tests.fakes.otlp_receiver import OtlpReceiver, ReceivedSpan

ADMIN = {"Authorization": f"Bearer {ADMIN_SECRET}"}
SERVER_KIND, CLIENT_KIND = 2, 3  # opentelemetry.proto.trace.v1.Span.SpanKind
ARRIVAL_SECONDS = 60
SECRET_TEXT = "a text no span may carry"


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as running:
        yield running


@pytest.fixture(scope="module")
def server(
    receiver: OtlpReceiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    env = {
        "PRIVATELLM_TRACING_ENABLED": "true",
        "PRIVATELLM_TRACING_ENDPOINT": receiver.traces_url,
        "PRIVATELLM_LOG_FORMAT": "json",
        # The SDK's batch processor, exporting every 200 ms instead of every 5 s.
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    with LiveServer(tmp_path_factory.mktemp("otlp"), env) as live:
        yield live


def logged_trace_id(server: LiveServer, request_id: str) -> str:
    """The trace id in the JSON log line of the request `request_id`."""
    deadline = time.monotonic() + ARRIVAL_SECONDS
    while time.monotonic() < deadline:
        for line in server.log_path.read_text().splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("request_id") == request_id and entry.get("trace_id"):
                    return str(entry["trace_id"])
        time.sleep(0.1)
    raise AssertionError(f"no log line with a trace id for request {request_id}")


def the(spans: list[ReceivedSpan], name: str) -> ReceivedSpan:
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, (name, [s.name for s in spans])
    return found[0]


def under(span: ReceivedSpan, ancestor: ReceivedSpan, spans: list[ReceivedSpan]) -> bool:
    by_id = {s.span_id: s for s in spans}
    parent = span.parent_span_id
    while parent:
        if parent == ancestor.span_id:
            return True
        parent = by_id[parent].parent_span_id if parent in by_id else ""
    return False


def test_a_front_door_completion_arrives_as_one_trace(
    server: LiveServer, receiver: OtlpReceiver
) -> None:
    chat = {"model": "echo", "messages": [{"role": "user", "content": SECRET_TEXT}]}
    answer = httpx.post(
        server.url + "/openai/v1/chat/completions", json=chat, headers=ADMIN, timeout=30
    )
    assert answer.status_code == 200, answer.text
    usage = answer.json()["usage"]
    trace_id = logged_trace_id(server, answer.headers["x-request-id"])

    request_name = "POST /openai/v1/chat/completions"
    spans = receiver.wait_for(trace_id, {request_name, "upstream echo"}, ARRIVAL_SECONDS)
    request = the(spans, request_name)
    assert request.kind == SERVER_KIND and request.parent_span_id == ""
    assert request.attributes["http.response.status_code"] == 200
    assert request.attributes["privatellm.operation"] == "OpenAIService_CreateChatCompletion"
    assert request.attributes["privatellm.request_id"] == answer.headers["x-request-id"]
    assert request.resource["service.name"] == "privatellm"

    upstream = the(spans, "upstream echo")
    assert upstream.kind == CLIENT_KIND and under(upstream, request, spans)
    assert upstream.attributes["gen_ai.request.model"] == "echo"
    assert upstream.attributes["privatellm.provider"] == "echo"
    assert upstream.attributes["gen_ai.usage.input_tokens"] == usage["prompt_tokens"]
    assert upstream.attributes["gen_ai.usage.output_tokens"] == usage["completion_tokens"]
    assert not any(SECRET_TEXT in str(span.attributes) for span in spans)


def test_a_native_send_arrives_with_its_database_statements(
    server: LiveServer, receiver: OtlpReceiver
) -> None:
    with httpx.Client(base_url=server.url, headers=ADMIN, timeout=30) as http:
        conversation = http.post("/v1/conversations", json={}).json()["id"]
        sent = http.post(
            f"/v1/conversations/{conversation}/messages", json={"content": SECRET_TEXT}
        )
    assert sent.status_code == 200, sent.text
    usage = sent.json()["assistantMessage"]["usage"]
    trace_id = logged_trace_id(server, sent.headers["x-request-id"])

    request_name = "POST /v1/conversations/{conversation}/messages"
    wanted = {request_name, "upstream echo", "db SELECT", "db INSERT", "db UPDATE"}
    spans = receiver.wait_for(trace_id, wanted, ARRIVAL_SECONDS)
    assert wanted <= {span.name for span in spans}, [s.name for s in spans]
    request = the(spans, request_name)
    assert request.kind == SERVER_KIND
    assert request.attributes["privatellm.operation"] == "MessageService_SendMessage"

    statements = [span for span in spans if span.name.startswith("db ")]
    for statement in statements:
        assert statement.kind == CLIENT_KIND and under(statement, request, spans)
        assert statement.attributes["db.system"] == "sqlite"
        if statement.name in ("db INSERT", "db UPDATE"):  # values as placeholders, never inline
            assert "?" in statement.attributes["db.statement"], statement.attributes

    upstream = the(spans, "upstream echo")
    assert under(upstream, request, spans)
    assert upstream.attributes["gen_ai.request.model"] == "echo"
    assert upstream.attributes["gen_ai.usage.input_tokens"] == usage["inputTokens"]
    assert upstream.attributes["gen_ai.usage.output_tokens"] == usage["outputTokens"]
    assert not any(SECRET_TEXT in str(span.attributes) for span in spans)
