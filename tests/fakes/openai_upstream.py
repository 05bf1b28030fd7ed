"""A scriptable fake OpenAI-compatible server for provider tests: real HTTP on 127.0.0.1.

Each test queues `Reply` scripts; every POST /v1/chat/completions takes the next
one (an empty queue answers "ok"); tool calls (`Reply.tool_calls`) come whole or
as OpenAI streams them. POST /v1/embeddings answers `embedding_of` vectors
(`dimensions` long, default 8), taking no reply. Requests are recorded (path, headers, JSON
body), and `disconnected` is set when a client drops a stream mid-way.
"""

import hashlib
import json
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local_server import LocalServer, words


@dataclass
class Reply:
    """What the next chat completion call gets."""

    text: str = "ok"
    usage: tuple[int, int] | None = (3, 1)  # (prompt, completion); None: no usage
    finish_reason: str = "stop"
    delay: float = 0.0  # seconds before answering
    chunk_delay: float = 0.0  # seconds between SSE chunks
    status: int = 200
    error: dict[str, Any] | None = None  # `{"error": ...}` body for status != 200
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None  # stream: close the connection after N chunks
    malformed_after: int | None = None  # stream: send `malformed` as a chunk after N chunks
    malformed: bytes = b"{not json"
    # stream: every chunk in one write, as a fast upstream's answer arrives in one network read
    together: bool = False
    # tool_calls of the answer, each {"id", "name", "arguments"}; give such a reply
    # finish_reason "tool_calls". Streamed as OpenAI does: a delta with index, id, type
    # and name (arguments ""), then the arguments in two deltas with the index only.
    tool_calls: list[dict[str, str]] = field(default_factory=list)

    def chunks(self) -> list[str]:
        """The answer in pieces of one word (with its trailing space)."""
        return words(self.text)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


def rate_limited(retry_after: str = "0") -> Reply:
    return Reply(
        status=429,
        headers={"Retry-After": retry_after},
        error={"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"},
    )


def insufficient_quota() -> Reply:
    return Reply(
        status=429,
        error={"message": "You exceeded your quota", "type": "insufficient_quota", "code": None},
    )


def context_too_long() -> Reply:
    return Reply(
        status=400,
        error={
            "message": "This model's maximum context length is 8192 tokens",
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        },
    )


def error(status: int, message: str = "boom") -> Reply:
    return Reply(status=status, error={"message": message, "type": "error", "code": None})


class FakeOpenAIUpstream(LocalServer):
    """Start with `with FakeOpenAIUpstream() as fake:`; `fake.base_url` ends in /v1."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Received] = []
        super().__init__(self._handler_class())

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def chat_requests(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == "/v1/chat/completions"]

    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            return self.replies.popleft() if self.replies else Reply()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.0: one request per connection; an SSE body ends when we close.
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                with fake._lock:
                    fake.requests.append(Received("GET", self.path, dict(self.headers), None))
                if self.path == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": "fake-model"}]})
                else:
                    self._json(404, {"error": {"message": "no such path"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                body = json.loads(raw) if raw else None
                if self.path == "/v1/embeddings" and body is not None:
                    with fake._lock:
                        fake.requests.append(Received("POST", self.path, dict(self.headers), body))
                    self._json(200, _embeddings(body))
                    return
                if self.path != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "no such path"}})
                    return
                reply = fake._next(Received("POST", self.path, dict(self.headers), body))
                if reply.delay:
                    fake._sleep(reply.delay)
                try:
                    if reply.status != 200:
                        self._json(reply.status, {"error": reply.error or {}}, reply.headers)
                    elif body and body.get("stream"):
                        self._sse(reply, body)
                    else:
                        self._json(200, _completion(reply))
                except (BrokenPipeError, ConnectionResetError):
                    fake.disconnected.set()

            def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _sse(self, reply: Reply, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.flush_each = not reply.together
                self.held: list[bytes] = []
                for index, piece in enumerate(reply.chunks()):
                    if reply.cut_after is not None and index >= reply.cut_after:
                        return  # the connection closes without [DONE]
                    if reply.malformed_after is not None and index >= reply.malformed_after:
                        self.wfile.write(b"data: " + reply.malformed + b"\n\n")
                        return
                    delta = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                    self._event(json.dumps(delta))
                    if reply.chunk_delay and not fake._pause(reply.chunk_delay, self.connection):
                        return
                for index, call in enumerate(reply.tool_calls):
                    head = {"index": index, "id": call["id"], "type": "function"}
                    head["function"] = {"name": call["name"], "arguments": ""}
                    self._event(json.dumps(_tool_delta(head)))
                    arguments = call["arguments"]
                    half = len(arguments) // 2
                    for piece in (arguments[:half], arguments[half:]):
                        more = {"index": index, "function": {"arguments": piece}}
                        self._event(json.dumps(_tool_delta(more)))
                final = {
                    "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]
                }
                self._event(json.dumps(final))
                wants_usage = (body.get("stream_options") or {}).get("include_usage")
                if reply.usage is not None and wants_usage:
                    usage = {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1]}
                    self._event(json.dumps({"choices": [], "usage": usage}))
                self._event("[DONE]")
                self.wfile.write(b"".join(self.held))
                self.wfile.flush()

            def _event(self, data: str) -> None:
                if not self.flush_each:
                    self.held.append(f"data: {data}\n\n".encode())
                    return
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()

        return Handler


def embedding_of(text: str, size: int) -> list[float]:
    """The fake's vector for `text`: deterministic, `size` numbers in [-1, 1]."""
    digest = b"".join(
        hashlib.sha256(f"{block}:{text}".encode()).digest() for block in range(size // 32 + 1)
    )
    return [round(byte / 127.5 - 1.0, 6) for byte in digest[:size]]


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    texts = [body["input"]] if isinstance(body["input"], str) else list(body["input"])
    size = int(body.get("dimensions") or 8)
    tokens = sum(len(str(t).split()) for t in texts)
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": embedding_of(str(t), size)}
            for i, t in enumerate(texts)
        ],
        "model": body.get("model"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def _tool_delta(piece: dict[str, Any]) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": {"tool_calls": [piece]}}]}


def _completion(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text or None},
                "finish_reason": reply.finish_reason,
            }
        ],
    }
    if reply.tool_calls:
        data["choices"][0]["message"]["tool_calls"] = [
            {
                "id": call["id"],
                "type": "function",
                "function": {"name": call["name"], "arguments": call["arguments"]},
            }
            for call in reply.tool_calls
        ]
    if reply.usage is not None:
        data["usage"] = {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1]}
    return data
