"""/metrics after a real flow: every series with the right counts, one process and two workers.

The server runs the echo model, and a model `flaky` on an OpenAI-compatible
provider whose port answers nothing, with echo as its fallback: its calls
fail with 14 and fall back, which the upstream-error and fallback series
show; the same dead provider shows what readiness does with a down upstream.
"""

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api.resource_client import assert_error, new_conversation, sse_events
from tests.conftest import ADMIN_SECRET, LiveServer, free_port

SCRAPE_TOKEN = "scrape-token-for-tests"
WINDOW = {"context_window": 4096, "max_output_tokens": 1024}
MODELS = [
    {"id": "echo", "provider": "echo", **WINDOW},
    {"id": "flaky", "provider": "down", "fallbacks": ["echo"], **WINDOW},
]


def server_env(**extra: str) -> dict[str, str]:
    return {
        "PRIVATELLM_METRICS_TOKEN": SCRAPE_TOKEN,
        "PRIVATELLM_LOG_FORMAT": "json",
        "PRIVATELLM_PROVIDERS__DOWN__TYPE": "openai",
        "PRIVATELLM_PROVIDERS__DOWN__BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
        "PRIVATELLM_PROVIDERS__DOWN__MAX_ATTEMPTS": "1",
        "PRIVATELLM_MODELS": json.dumps(MODELS),
        **extra,
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("metrics"), server_env()) as live:
        yield live


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(url: str, token: str = SCRAPE_TOKEN) -> tuple[Samples, set[str]]:
    """Every sample by (name, sorted labels), and the metric families present."""
    response = httpx.get(url + "/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    families = set()
    for family in text_string_to_metric_families(response.text):
        families.add(family.name)
        for sample in family.samples:
            labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "pid"))
            samples[(sample.name, labels)] = samples.get((sample.name, labels), 0) + sample.value
    return samples, families


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_never_open(server: LiveServer) -> None:
    assert_error(httpx.get(server.url + "/metrics"), 16)
    assert_error(httpx.get(server.url + "/metrics", headers={"Authorization": "Bearer wrong"}), 16)
    admin = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    user_key = httpx.post(server.url + "/v1/apiKeys", json={"user": "carol"}, headers=admin).json()[
        "secret"
    ]
    assert_error(
        httpx.get(server.url + "/metrics", headers={"Authorization": f"Bearer {user_key}"}), 7
    )
    as_admin = httpx.get(server.url + "/metrics", headers=admin)
    assert as_admin.status_code == 200 and "privatellm_http_requests_total" in as_admin.text
    assert scrape(server.url)[1]  # the scrape token works too


def test_a_flow_shows_in_every_series(server: LiveServer) -> None:
    before, _ = scrape(server.url)
    admin = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_SECRET}"}, timeout=15
    )
    conversation = new_conversation(admin)["id"]
    messages = f"/v1/conversations/{conversation}/messages"
    sent = admin.post(messages, json={"content": "one two three"})
    assert sent.status_code == 200
    with admin.stream("POST", messages + ":stream", json={"content": "four five"}) as stream:
        events = list(sse_events(stream.iter_lines()))
    assert events[-1][0] == "assistantMessage"
    streamed = events[-1][1]
    assert_error(admin.post(messages, json={"content": "[echo:fail=14] no"}), 14)
    fell_back = admin.post(messages, json={"content": "six", "model": "flaky"})
    assert fell_back.status_code == 200 and fell_back.json()["assistantMessage"]["model"] == "echo"
    assert_error(httpx.get(server.url + "/v1/conversations"), 16)
    unknown = admin.get("/no/such/path")
    assert unknown.status_code == 404 and unknown.json()["code"] == 12
    admin.close()

    after, families = scrape(server.url)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "privatellm_http_requests_total"
    send = "MessageService_SendMessage"
    assert delta(requests, operation=send, code="0", status="200") == 2
    assert delta(requests, operation=send, code="14", status="503") == 1
    assert delta(requests, operation="MessageService_StreamMessage", code="0", status="200") == 1
    create = "ConversationService_CreateConversation"
    assert delta(requests, operation=create, code="0", status="200") == 1
    listing = "ConversationService_ListConversations"
    assert delta(requests, operation=listing, code="16", status="401") == 1
    assert delta(requests, operation="unmatched", code="12", status="404") == 1
    latency = "privatellm_http_request_duration_seconds_count"
    assert delta(latency, operation=send) == 3

    # Upstream calls: send, stream, the scripted failure and the fallback's answer on echo;
    # the dead provider once, failed with 14, then the fallback taken.
    upstream = "privatellm_upstream_duration_seconds_count"
    assert delta(upstream, model="echo", provider="echo") == 4
    assert delta(upstream, model="flaky", provider="down") == 1
    errors = "privatellm_upstream_errors_total"
    assert delta(errors, model="echo", provider="echo", code="14") == 1
    assert delta(errors, model="flaky", provider="down", code="14") == 1
    assert delta("privatellm_fallbacks_total", model="flaky", fallback="echo") == 1
    first_token = "privatellm_upstream_time_to_first_token_seconds_count"
    assert delta(first_token, model="echo", provider="echo") == 1

    answers = [sent.json()["assistantMessage"], streamed, fell_back.json()["assistantMessage"]]
    tokens_in = sum(a["usage"]["inputTokens"] for a in answers)
    tokens_out = sum(a["usage"]["outputTokens"] for a in answers)
    assert tokens_in > 0 and tokens_out > 0
    assert delta("privatellm_tokens_total", model="echo", direction="in") == tokens_in
    assert delta("privatellm_tokens_total", model="echo", direction="out") == tokens_out

    assert value(after, "privatellm_streams_in_flight") == 0
    for pool in ("reader", "writer"):
        assert value(after, "privatellm_db_pool_in_use", pool=pool) >= 0
        assert ("privatellm_db_pool_waiting", (("pool", pool),)) in after
    assert "privatellm_limit_refusals" in families
    # No series carries a user, key or conversation id.
    assert all(conversation not in str(labels) for _name, labels in after)
    assert all("admin" not in str(labels) for _name, labels in after)


def test_limit_refusals_are_counted_by_the_limit_that_refused(server: LiveServer) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    created = httpx.post(
        server.url + "/v1/apiKeys",
        json={"user": "dave", "limits": {"requestsPerMinute": 1}},
        headers=admin,
    )
    assert created.status_code == 200, created.text
    key = {"Authorization": f"Bearer {created.json()['secret']}"}
    before, _ = scrape(server.url)
    chat = {"model": "echo", "messages": [{"role": "user", "content": "hi"}]}
    first = httpx.post(server.url + "/openai/v1/chat/completions", json=chat, headers=key)
    assert first.status_code == 200, first.text
    second = httpx.post(server.url + "/openai/v1/chat/completions", json=chat, headers=key)
    assert_error(second, 8)
    after, _ = scrape(server.url)
    refusals = "privatellm_limit_refusals_total"
    assert (
        value(after, refusals, limit="requests_per_minute")
        - value(before, refusals, limit="requests_per_minute")
        == 1
    )


def ready_checks(url: str) -> dict[str, dict[str, Any]]:
    """/readyz's checks once the background health round has reported every provider."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        response = httpx.get(url + "/readyz", timeout=10)
        assert response.status_code == 200, response.text
        checks = {c["name"]: c for c in response.json()["checks"]}
        if all(c["message"] != "not checked yet" for c in checks.values()):
            return checks
        time.sleep(0.05)
    raise AssertionError("the providers were never checked")


def test_a_down_upstream_is_reported_but_does_not_fail_readiness(server: LiveServer) -> None:
    checks = ready_checks(server.url)
    assert checks["database"]["ok"] is True
    assert checks["provider:echo"]["ok"] is True
    assert checks["provider:down"]["ok"] is False and checks["provider:down"]["message"]
    models = httpx.get(
        server.url + "/v1/models", headers={"Authorization": f"Bearer {ADMIN_SECRET}"}
    ).json()["models"]
    listed = {m["id"]: m for m in models}
    assert listed["echo"]["available"] is True
    assert listed["flaky"]["available"] is False
    assert "unreachable" in listed["flaky"]["unavailableReason"]
    samples, _ = scrape(server.url)
    assert value(samples, "privatellm_provider_up", provider="echo") == 1
    assert value(samples, "privatellm_provider_up", provider="down") == 0


def test_two_workers_report_together(tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("metrics-workers")
    with LiveServer(workdir, server_env(PRIVATELLM_WORKERS="2")) as live:
        admin = {"Authorization": f"Bearer {ADMIN_SECRET}"}
        sent = 0
        pids: set[int] = set()
        # Fresh connections until both workers have answered (the kernel spreads them). The
        # second worker may still be starting when the first answers: bounded in time, not
        # in a count a loaded machine could use up before that worker listens.
        deadline = time.monotonic() + 60
        while len(pids) < 2 and time.monotonic() < deadline and sent < 20_000:
            response = httpx.get(live.url + "/v1/models", headers=admin, timeout=15)
            assert response.status_code == 200
            sent += 1
            if sent % 25 == 0:  # the log is read now and then, not after every request
                pids = logged_pids(live, "ModelService_ListModels")
        assert len(pids) == 2, f"one worker answered all {sent} requests"
        for _ in range(4):  # whichever worker takes the scrape reports both
            samples, _ = scrape(live.url)
            count = value(
                samples,
                "privatellm_http_requests_total",
                operation="ModelService_ListModels",
                code="0",
                status="200",
            )
            assert count == sent


def logged_pids(server: LiveServer, operation: str) -> set[int]:
    pids = set()
    for line in server.log_path.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("operation") == operation:
                pids.add(entry["pid"])
    return pids
