"""SIGTERM drains: readiness fails at once and is seen failing, new requests answer 14, a stream
that can finish does, one that cannot ends with an SSE error (14) and is stored FAILED with its
text; then the process exits, and a new one finds everything that was committed.
"""

import signal
import threading
import time
from typing import Any

import httpx
import pytest

from tests.api.resource_client import assert_error, new_conversation, sse_events
from tests.conftest import ADMIN_SECRET, LiveServer

DRAIN_SECONDS = 4
# 100 words 300 ms apart: 30 s of answer, far past the drain timeout.
LONG = "[echo:delay=300] " + " ".join(f"w{i}" for i in range(100))
# 5 words 200 ms apart: done a second after the signal.
SHORT = "[echo:delay=200] a b c d e"


class Reader(threading.Thread):
    """Reads one stream to its end in a thread; `started` is set at its first delta."""

    def __init__(self, url: str, conversation: str, content: str) -> None:
        super().__init__(daemon=True)
        self.url, self.conversation, self.content = url, conversation, content
        self.started = threading.Event()
        self.events: list[tuple[str, dict[str, Any]]] = []

    def run(self) -> None:
        path = f"{self.url}/v1/conversations/{self.conversation}/messages:stream"
        headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
        with httpx.stream(
            "POST", path, json={"content": self.content}, headers=headers, timeout=60
        ) as response:
            for event in sse_events(response.iter_lines()):
                self.events.append(event)
                if event[0] == "delta":
                    self.started.set()


def stop_and_see_draining(server: LiveServer) -> None:
    """SIGTERM to the server's process, then readiness answers 14 (draining), within 10 s."""
    server.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while (ready := httpx.get(server.url + "/readyz", timeout=10)).status_code == 200:
        assert time.monotonic() < deadline, "readiness never failed"
    assert "draining" in assert_error(ready, 14)["message"]


def test_sigterm_drains_then_stops(tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("drain")
    env = {"PRIVATELLM_DRAIN_TIMEOUT_SECONDS": str(DRAIN_SECONDS)}
    admin_headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    with LiveServer(workdir, env) as server:
        with httpx.Client(base_url=server.url, headers=admin_headers, timeout=15) as admin:
            long_id = new_conversation(admin)["id"]
            short_id = new_conversation(admin)["id"]
        long, short = Reader(server.url, long_id, LONG), Reader(server.url, short_id, SHORT)
        long.start()
        assert long.started.wait(15)
        short.start()
        assert short.started.wait(15)

        stop_and_see_draining(server)
        refused = httpx.get(server.url + "/v1/models", headers=admin_headers, timeout=10)
        assert_error(refused, 14)
        assert refused.headers["retry-after"] and refused.headers["connection"] == "close"

        short.join(30)
        long.join(30)
        assert not short.is_alive() and not long.is_alive()
        assert short.events[-1][0] == "assistantMessage"
        assert short.events[-1][1]["status"] == "COMPLETE"
        name, error = long.events[-1]
        assert name == "error" and error["code"] == 14, long.events[-1]
        streamed = "".join(data["content"] for kind, data in long.events if kind == "delta")
        assert streamed and not streamed.endswith("w99")
        assert server.process.wait(timeout=30) is not None  # it stopped by itself

    with (
        LiveServer(workdir) as again,
        httpx.Client(base_url=again.url, headers=admin_headers, timeout=15) as admin,
    ):
        long_thread = admin.get(f"/v1/conversations/{long_id}/messages").json()["messages"]
        assert [m["role"] for m in long_thread] == ["USER", "ASSISTANT"]
        interrupted = long_thread[1]
        assert interrupted["status"] == "FAILED"
        assert interrupted["error"]["code"] == 14
        assert interrupted["content"] == streamed  # the text so far, kept
        short_thread = admin.get(f"/v1/conversations/{short_id}/messages").json()["messages"]
        assert short_thread[1]["status"] == "COMPLETE"
        assert short_thread[1]["content"] == "".join(
            data["content"] for kind, data in short.events if kind == "delta"
        )
        # The conversation takes new messages: the interrupted answer's lock was released.
        more = admin.post(f"/v1/conversations/{long_id}/messages", json={"content": "again"})
        assert more.status_code == 200, more.text


def test_sigterm_to_the_supervisor_drains_every_worker(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """With `--workers 2`, SIGTERM reaches the supervisor only (as systemd sends it): it passes
    it on, and the workers drain as one process does: readiness fails while they still
    listen, a stream past the drain timeout ends with an SSE error (14), and everything stops
    by itself."""
    workdir = tmp_path_factory.mktemp("drain-workers")
    env = {"PRIVATELLM_DRAIN_TIMEOUT_SECONDS": str(DRAIN_SECONDS), "PRIVATELLM_WORKERS": "2"}
    admin_headers = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    with LiveServer(workdir, env) as server:
        with httpx.Client(base_url=server.url, headers=admin_headers, timeout=15) as admin:
            long_id = new_conversation(admin)["id"]
        long = Reader(server.url, long_id, LONG)
        long.start()
        assert long.started.wait(15)

        # The worker holding the stream drains for DRAIN_SECONDS, listening all along.
        stop_and_see_draining(server)

        long.join(30)
        assert not long.is_alive()
        name, error = long.events[-1]
        assert name == "error" and error["code"] == 14, long.events[-1]
        assert server.process.wait(timeout=30) == 0  # it stopped by itself, every worker too
