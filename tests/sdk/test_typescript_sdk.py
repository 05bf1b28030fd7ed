"""The TypeScript SDK (dist/backend) as a user gets it, against a live server.

The committed package is built with the pinned TypeScript (strict), packed with
`npm pack`, installed from the tarball into a fresh project (offline: it has no
runtime dependencies), and tests/sdk/typescript/flow.ts, compiled strictly
against the installed package's types, runs a session through it: create,
send, stream, list, update with the etag, delete, and the errors a user meets;
then the streaming helpers: events read while the answer is written, an answer
left early (break, abort) stored CANCELLED, a refused stream's ApiError, and
the event decoder on byte streams split at every position.
The script prints what it saw as JSON; the assertions are on that.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, services_required

SDK = ROOT / "dist" / "backend"
TSC = ROOT / "codegen" / "typescript" / "node_modules" / ".bin" / "tsc"
FLOW = Path(__file__).resolve().parent / "typescript"
COMMAND_TIMEOUT_SECONDS = 60

pytestmark = pytest.mark.slow


def run(args: Sequence[str | Path], cwd: Path) -> str:
    """Run a command; fail the test with its output when it fails."""
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def npm() -> str:
    """npm's path; a skip without Node (a failure where services are required, as in CI)."""
    found = shutil.which("npm")
    if found is None or shutil.which("node") is None:
        reason = "node and npm (Node 20+) are needed for the TypeScript SDK tests"
        if services_required():
            pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    if not TSC.exists():
        pytest.fail("the SDK tooling is not installed: run `make` (npm ci in codegen/typescript)")
    return found


@pytest.fixture(scope="module")
def tarball(npm: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SDK built from a copy of dist/backend and packed as npm would publish it."""
    work = tmp_path_factory.mktemp("typescript-sdk")
    package = work / "backend"
    shutil.copytree(SDK, package, ignore=shutil.ignore_patterns("lib", "node_modules"))
    run([TSC, "-p", "tsconfig.json"], cwd=package)
    packed = json.loads(run([npm, "pack", "--json", "--pack-destination", work], cwd=package))
    filename: str = packed[0]["filename"]
    return work / filename


def test_the_package_builds_strict_and_ships_its_types(npm: str, tarball: Path) -> None:
    listing = run(["tar", "-tzf", tarball], cwd=tarball.parent).split()
    assert {"package/lib/index.js", "package/lib/index.d.ts"} <= set(listing)
    assert "package/lib/generated/BackendClient.d.ts" in listing
    tsconfig = json.loads((SDK / "tsconfig.json").read_text())
    assert tsconfig["compilerOptions"]["strict"] is True
    manifest = json.loads((SDK / "package.json").read_text())
    spec = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    assert manifest["name"] == "@privatellm/backend"
    assert manifest["version"] == spec["info"]["version"]


@pytest.fixture(scope="module")
def flow_result(npm: str, tarball: Path, live_url: str, user_key: str) -> dict[str, Any]:
    app = tarball.parent / "app"
    app.mkdir()
    (app / "package.json").write_text(json.dumps({"name": "sdk-flow", "private": True}))
    run([npm, "install", "--offline", "--no-audit", "--no-package-lock", tarball], cwd=app)
    for name in ("flow.ts", "tsconfig.json"):
        shutil.copyfile(FLOW / name, app / name)
    run([TSC, "-p", "tsconfig.json"], cwd=app)
    output = run(["node", app / "out" / "flow.js", live_url, user_key], cwd=app)
    result: dict[str, Any] = json.loads(output)
    return result


def test_create_send_stream_and_list_through_the_sdk(flow_result: dict[str, Any]) -> None:
    created = flow_result["created"]
    assert created["id"] and created["etag"]
    assert (created["title"], created["model"]) == ("From TypeScript", "echo")
    sent = flow_result["sent"]
    assert sent["user"] == ["USER", "Hello from TypeScript"]
    assert sent["assistant"] == ["ASSISTANT", "Echo: Hello from TypeScript"]
    streamed = flow_result["streamed"]
    assert streamed["events"][0] == "userMessage" and streamed["events"][-1] == "assistantMessage"
    assert "delta" in streamed["events"]
    assert streamed["answer"] == [streamed["text"]] == ["Echo: one two three"]
    listed = flow_result["listed"]
    assert [(m["role"], m["content"]) for m in listed] == [
        ("USER", "Hello from TypeScript"),
        ("ASSISTANT", "Echo: Hello from TypeScript"),
        ("USER", "one two three"),
        ("ASSISTANT", "Echo: one two three"),
    ]
    assert listed[1]["id"] == sent["assistantId"]


def test_a_keys_limits_set_updated_and_read_by_the_key(flow_result: dict[str, Any]) -> None:
    limits = flow_result["limits"]
    assert limits["created"] == {"requestsPerMinute": 5}
    assert limits["updated"] == {"requestsPerMinute": 8}
    assert limits["effective"] == [[f"apiKeys/{limits['keyId']}", "requests_per_minute", 8, 8]]


def test_update_with_the_etag_then_delete(flow_result: dict[str, Any]) -> None:
    updated = flow_result["updated"]
    assert updated == {
        "id": flow_result["created"]["id"],
        "title": "Renamed from TypeScript",
        "etagChanged": True,
    }
    stale = flow_result["staleUpdate"]
    assert (stale["isApiError"], stale["httpStatus"], stale["code"]) == (True, 409, 10)


def test_errors_carry_the_grpc_code(flow_result: dict[str, Any]) -> None:
    gone = flow_result["afterDelete"]
    assert gone["isApiError"] is True
    assert (gone["httpStatus"], gone["bodyCode"], gone["code"]) == (404, 5, 5)
    assert gone["message"]
    bad_key = flow_result["badKey"]
    assert (bad_key["httpStatus"], bad_key["bodyCode"], bad_key["code"]) == (401, 16, 16)
    assert flow_result["codes"] == {"NOT_FOUND": 5, "ABORTED": 10}


SLOW_ANSWER = "Echo: [echo:delay=200] one two three four five six seven eight"


def test_stream_message_events_yields_the_answer_as_it_is_written(
    flow_result: dict[str, Any],
) -> None:
    live = flow_result["streaming"]["live"]
    assert live["events"][0] == "userMessage" and live["events"][-1] == "assistantMessage"
    assert set(live["events"][1:-1]) == {"delta"} and len(live["events"]) >= 4
    assert live["answer"] == [live["text"]] == ["Echo: four five six"]
    assert flow_result["streaming"]["openAi"]["text"] == "Echo: seven eight nine"


@pytest.mark.parametrize("how", ["broken", "aborted"])
def test_leaving_the_stream_early_cancels_the_answer(flow_result: dict[str, Any], how: str) -> None:
    # The first delta came while the answer was still being written: the stored answer is the
    # text sent before the connection closed, not the whole answer (a client that read the whole
    # body before yielding would leave it COMPLETE).
    stopped = flow_result["streaming"][how]
    assert stopped["events"] == ["userMessage", "delta"]
    stored = stopped["stored"]
    assert stored["status"] == "CANCELLED"
    assert stored["content"].startswith(stopped["delta"]) and stopped["delta"]
    assert SLOW_ANSWER.startswith(stored["content"]) and stored["content"] != SLOW_ANSWER
    if how == "aborted":
        assert stopped["error"] == "AbortError"


def test_a_refused_stream_throws_api_error_with_the_code(flow_result: dict[str, Any]) -> None:
    unknown = flow_result["streaming"]["unknownConversation"]
    assert (unknown["isApiError"], unknown["httpStatus"], unknown["code"]) == (True, 404, 5)
    bad_key = flow_result["streaming"]["badKey"]
    assert (bad_key["isApiError"], bad_key["httpStatus"], bad_key["code"]) == (True, 401, 16)


def test_events_are_decoded_however_the_bytes_are_split(flow_result: dict[str, Any]) -> None:
    decoding = flow_result["decoding"]
    assert decoding["events"] == [
        {"event": "delta", "data": {"content": "é€ 🙂"}},
        {"event": "userMessage", "data": 1},
    ]
    assert decoding["splitsMatching"] == decoding["splits"] > 0
    assert decoding["byteByByte"] is True
    # A block the stream ends in the middle of is dropped live, kept by parseEvents on a whole body.
    assert (decoding["cutOff"], decoding["parsedCutOff"]) == ([1], [1, 2])
    assert decoding["lastCarriageReturn"] == [3]  # a `\r` as the very last byte ends its line
    assert decoding["beforeBreak"] == [0, 1, 2] and decoding["cancelledOnBreak"] is True
