"""schemathesis against a live server: every check it has, stateful included, bounded.

The server is this module's own (the run creates, updates, deletes and revokes
freely, so it must not share a database with other tests). schemathesis runs
as its CLI would for a QA engineer, with `--checks all` and
tests/contract/schemathesis.toml, which loads tests/contract/hooks.py (our
custom check and the hook that keeps the run's keys alive) and says where a
schema-valid request may be refused and why; a schemathesis warning fails the run.
The stateful phase must follow every link the spec declares (its ndjson report
says which it followed), so a link that broke or stopped matching is noticed.

`make test` runs SCHEMATHESIS_EXAMPLES=15 per operation and draws the same cases
every time; `make fuzz` runs more (EXAMPLES=n) and draws new ones each time
(SCHEMATHESIS_SEED=random), or replays a run from the seed it printed (SEED=n).
Both print schemathesis' summary.
"""

import json
import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import ADMIN_SECRET, ROOT, LiveServer
from tests.contract.hooks import DOCUMENTED_REFUSALS, stream_problems

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
SEED = os.environ.get("SCHEMATHESIS_SEED", "")
# Seconds: fuzzing and stateful testing repeat until they are spent. More
# examples alone do not deepen the stateful phase (it stops after some 50 scenarios).
MAX_TIME = int(os.environ.get("SCHEMATHESIS_MAX_TIME") or 0)
CONFIG = Path(__file__).with_name("schemathesis.toml")
SPEC = ROOT / "docs" / "openapi.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("contract")) as live:
        yield live


def make_key(url: str, user: str, role: str) -> tuple[str, str]:
    """(id, secret) of a new key, made with the bootstrap key (which stays out of the run)."""
    response = httpx.post(
        url + "/v1/apiKeys",
        json={"user": user, "role": role, "displayName": "schemathesis"},
        headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return body["apiKey"]["id"], body["secret"]


def write_identities(path: Path, run_secret: str, peer_secret: str) -> Path:
    """The Web Fuzzing Commons auth file schemathesis.toml's [auth.wfc] reads.

    `run` (an admin) sends every request; `peer` (a plain user) is only used by
    object_level_authorization, which replays `run`'s reads of what it owns as
    `peer`. With one identity that check has no one to compare with and passes
    on nothing.
    """
    path.write_text(
        json.dumps(
            {
                "auth": [
                    {
                        "name": name,
                        "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {secret}"}],
                    }
                    for name, secret in (("run", run_secret), ("peer", peer_secret))
                ]
            }
        )
    )
    return path


def generation_options(seed: str) -> list[str]:
    """Unset: the same cases every run. `random`: new ones (schemathesis prints the seed)."""
    if not seed:
        return ["--generation-deterministic"]
    if seed == "random":
        return []
    if not seed.isdigit():
        raise ValueError(f"SCHEMATHESIS_SEED must be a number or 'random', not {seed!r}")
    return ["--seed", seed]


def schemathesis_command(
    url: str, examples: int, report_dir: Path, seed: str = "", max_time: int = 0
) -> list[str]:
    return [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        str(SPEC),
        "--url",
        url,
        "--max-examples",
        str(examples),
        "--checks",
        "all",
        *generation_options(seed),
        *(["--max-time", str(max_time)] if max_time else []),
        "--request-timeout",
        "10",
        "--report",
        "ndjson",
        "--report-dir",
        str(report_dir),
    ]


@dataclass
class RunReport:
    """What schemathesis' ndjson report says the run did."""

    requests: Counter[str] = field(default_factory=Counter)  # per phase
    scenarios: int = 0  # stateful scenarios that sent at least one request
    transitions: Counter[str] = field(default_factory=Counter)  # links followed, by id
    peer_reads: Counter[str] = field(default_factory=Counter)  # operations replayed as `peer`


def read_report(report_dir: Path) -> RunReport:
    run = RunReport()
    for report in report_dir.glob("*.ndjson"):
        with report.open() as lines:
            for line in lines:
                if not line.startswith('{"ScenarioFinished"'):
                    continue
                event = json.loads(line)["ScenarioFinished"]
                cases = event["recorder"].get("cases", {})
                run.requests[event["phase"]] += len(cases)
                for case in cases.values():
                    if case["value"].get("auth_identity") == "peer":
                        run.peer_reads[f"{case['value']['method']} {case['value']['path']}"] += 1
                if event["phase"] != "stateful" or not cases:
                    continue  # hypothesis also reports the scenarios it skipped
                run.scenarios += 1
                for case in cases.values():
                    if case.get("transition"):
                        run.transitions[case["transition"]["id"]] += 1
    return run


def operation_labels(spec_path: Path) -> dict[str, str]:
    """operationId → schemathesis' label of the operation ("POST /v1/conversations")."""
    spec = yaml.safe_load(spec_path.read_text())
    return {
        op["operationId"]: f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


def test_every_operation_allowed_a_400_has_documented_reasons() -> None:
    """schemathesis.toml's list and hooks.py's reasons name the same operations.

    An operation listed in the toml without reasons in hooks.py would take any
    400 to a valid request; reasons without the toml entry would never be used.
    """
    config = tomllib.loads(CONFIG.read_text())
    labels = operation_labels(SPEC)
    allowed = {
        labels[operation_id]
        for entry in config["operations"]
        if "400" in entry["checks"]["positive_data_acceptance"]["expected-statuses"]
        for operation_id in entry["include-operation-id"]
    }
    assert allowed == set(DOCUMENTED_REFUSALS)


def spec_links(spec_path: Path) -> set[str]:
    """The ids schemathesis gives the spec's `links:` when it follows them."""
    spec = yaml.safe_load(spec_path.read_text())
    operations = operation_labels(spec_path)
    return {
        f"{operations[op['operationId']]} -> [{status}] {name} -> {operations[link['operationId']]}"
        for op in (o for item in spec["paths"].values() for o in item.values())
        if isinstance(op, dict)
        for status, response in op.get("responses", {}).items()
        for name, link in (response.get("links") or {}).items()
    }


def test_fuzz_runs_draw_new_cases_or_replay_a_seed() -> None:
    assert "--generation-deterministic" in generation_options("")
    random_run = generation_options("random")
    assert "--generation-deterministic" not in random_run and "--seed" not in random_run
    assert generation_options("1234") == ["--seed", "1234"]
    with pytest.raises(ValueError, match="SCHEMATHESIS_SEED"):
        generation_options("12ab")


def test_fuzz_runs_can_be_given_a_duration(tmp_path: Path) -> None:
    timed = schemathesis_command("http://127.0.0.1:1", 5, tmp_path, max_time=600)
    assert timed[timed.index("--max-time") + 1] == "600"
    assert "--max-time" not in schemathesis_command("http://127.0.0.1:1", 5, tmp_path)


def test_the_event_stream_check_reads_real_streams_and_catches_broken_ones(
    server: LiveServer,
) -> None:
    """schemathesis validates nothing in our event streams; hooks.py's check does."""
    spec = yaml.safe_load(SPEC.read_text())
    _, secret = make_key(server.url, "contract-streams", "USER")
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {secret}"}, timeout=10
    ) as client:
        chat = client.post("/v1/conversations", json={"title": "streams"}).json()
        streamed = client.post(
            f"/v1/conversations/{chat['id']}/messages:stream",
            json={"content": "a b\u0085c\u2028d"},  # line ends to Python, not to SSE
        ).text
        completion = client.post(
            "/openai/v1/chat/completions",
            json={"model": "echo", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
        ).text
        tool = {"type": "function", "function": {"name": "lookup", "parameters": {}}}
        tool_calls = client.post(
            "/openai/v1/chat/completions",
            json={
                "model": "echo",
                "stream": True,
                "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
                "tools": [tool],
            },
        ).text
    assert stream_problems(spec, "StreamMessageResponse", streamed) == []
    assert stream_problems(spec, "ChatCompletionChunk", completion) == []
    # A streamed tool call: its pieces (index, id, name, argument fragments) are checked too.
    assert '"tool_calls":[{"index":0,"id":"call_echo_' in tool_calls.replace(" ", "")
    assert '"finish_reason":"tool_calls"' in tool_calls.replace(" ", "")
    assert stream_problems(spec, "ChatCompletionChunk", tool_calls) == []
    misindexed = tool_calls.replace('"index": 0, "id"', '"index": "0", "id"', 1).replace(
        '"index":0,"id"', '"index":"0","id"', 1
    )
    assert any(
        "is not of type 'integer'" in p
        for p in stream_problems(spec, "ChatCompletionChunk", misindexed)
    )

    mistyped = streamed.replace('"content":"Echo: "', '"content":7', 1)
    assert any(
        "is not of type 'string'" in p
        for p in stream_problems(spec, "StreamMessageResponse", mistyped)
    )
    unknown = "event: bogus\ndata: {}\n\n" + streamed
    assert any(
        "not a field of" in p for p in stream_problems(spec, "StreamMessageResponse", unknown)
    )
    cut = streamed[: streamed.index("event: assistantMessage")]
    assert any(
        "not assistantMessage or error" in p
        for p in stream_problems(spec, "StreamMessageResponse", cut)
    )
    unfinished = completion.replace("data: [DONE]", "")
    assert stream_problems(spec, "ChatCompletionChunk", unfinished) == [
        "the stream does not end with data: [DONE]"
    ]
    assert stream_problems(spec, "ChatCompletionChunk", "data: {not json}\n\n")


def test_schemathesis_finds_nothing(server: LiveServer, tmp_path: Path) -> None:
    key_id, secret = make_key(server.url, "contract", "ADMIN")
    peer_id, peer_secret = make_key(server.url, "contract-peer", "USER")
    identities = write_identities(tmp_path / "identities.json", secret, peer_secret)
    report_dir = tmp_path / "report"
    result = subprocess.run(
        schemathesis_command(server.url, EXAMPLES, report_dir, SEED, MAX_TIME),
        cwd=tmp_path,  # its .schemathesis/ cache stays out of the checkout
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CONTRACT_KEY_IDS": f"{key_id},{peer_id}",
            "CONTRACT_IDENTITIES": str(identities),
        },
        capture_output=True,
        text=True,
        timeout=900 + MAX_TIME,
    )
    out = result.stdout
    print("\n".join(out.splitlines()[-30:]))
    assert result.returncode == 0, out[-8000:] + result.stderr[-2000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", out)
    assert selected and selected[1] == selected[2], "every operation of the spec is tested"
    run = read_report(report_dir)
    links = spec_links(SPEC)
    print(
        f"schemathesis ran {selected[1]} operations, {EXAMPLES} examples each: "
        + ", ".join(f"{phase} {count} requests" for phase, count in sorted(run.requests.items()))
        + f"; {run.scenarios} stateful scenarios followed a link {sum(run.transitions.values())}"
        + f" times, using {len(links & run.transitions.keys())} of the spec's {len(links)} links;"
        + f" {sum(run.peer_reads.values())} requests as another user"
    )
    # The spec's examples are sent as they are (the Examples phase), then generated data.
    assert run.requests["examples"] and run.requests["coverage"] and run.requests["fuzzing"]
    assert run.requests["stateful"] >= 100
    assert links, "the spec declares links for stateful testing"
    unused = sorted(links - run.transitions.keys())
    assert not unused, f"stateful testing never followed these links of the spec: {unused}"
    # object_level_authorization really asked for another user's objects.
    owned = (
        "GET /v1/conversations/{conversation}",
        "GET /v1/conversations/{conversation}/messages/{message}",
    )
    assert all(run.peer_reads[label] for label in owned), run.peer_reads
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in out, f"the {phase} phase did not run clean"
    # The run's keys stayed valid to the end: no operation answered only 401.
    assert "Authentication failed" not in out
    for still_valid in (secret, peer_secret):
        still = httpx.get(
            server.url + "/v1/apiKeys",
            headers={"Authorization": f"Bearer {still_valid}"},
            timeout=10,
        )
        assert still.status_code == 200, still.text
