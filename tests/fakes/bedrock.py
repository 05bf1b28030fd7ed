"""A scriptable fake of AWS Bedrock Runtime speaking the real wire protocol, for provider tests.

The real boto3 client talks to it (signing, restJson1 errors and the binary
`application/vnd.amazon.eventstream` framing included):

    with FakeBedrock() as fake:
        client = boto3.client("bedrock-runtime", endpoint_url=fake.url, region_name="us-east-1",
                              aws_access_key_id="x", aws_secret_access_key="y")

Each test queues `Turn` scripts; every Converse or ConverseStream call takes
the next one (an empty queue answers `Turn()`). Requests are recorded
(operation, decoded model id, headers, JSON body). `credentials_error` makes
every request fail as AWS does on a bad signature (taking no turn);
ListAsyncInvokes (readiness probes) answers an empty list and is counted in
`listings`, not recorded. `disconnected` is set
when a client drops a stream mid-way (noticed on the next write that fails, so
give such a turn several words and a `chunk_delay`).

Mid-stream failures, each "after N deltas" (N >= the number of words: after all
of them, before contentBlockStop):
- `stream_error_after`: an exception event, e.g.
  `Turn(stream_error_after=1, stream_error=throttling().error)`; botocore raises
  `EventStreamError` whose `Error.Code` is the lowerCamel type ("throttlingException").
- `malformed_after`: a frame whose message CRC is wrong; botocore raises
  `botocore.eventstream.ChecksumMismatch`.
- `cut_after`: the connection closes before the chunked body's end; the stream
  iteration raises `urllib3.exceptions.ProtocolError` ("Response ended prematurely").
  `cut_before_metadata` closes it the same way after messageStop.

boto3's retries: `Config(retries={"max_attempts": 1})` still allows one retry
(it counts retries); `{"total_max_attempts": 1}` turns them off, so an error
turn is not followed by a second call that takes the next turn.

Wire details, as Bedrock sends them:
- `POST /model/{modelId}/converse` answers a JSON ConverseResponse; tool use
  (`Turn.tool_uses`) as toolUse blocks after the text.
- `POST /model/{modelId}/invoke` (InvokeModel) answers an embeddings model: Titan
  Text Embeddings v2 for an `inputText` body, Cohere Embed for a `texts` body,
  with `embedding_of` vectors and the `X-Amzn-Bedrock-Input-Token-Count` header
  (words); it takes a turn, so a scripted error answers it too.
- `POST /model/{modelId}/converse-stream` answers HTTP/1.1 chunked
  `application/vnd.amazon.eventstream`: messageStart, one contentBlockDelta per
  word, contentBlockStop, messageStop, metadata. With `Turn.reasoning`, a
  reasoning block comes first (reasoningContent deltas, one per word, then its
  signature; contentBlockStop) and the text block is index 1. Each frame is prelude (total
  length, headers length, CRC32 of those 8 bytes), headers, JSON payload and
  the CRC32 of everything before it. Event payloads carry Bedrock's `p`
  padding field, which clients must ignore.
- Converse requests with toolUse/toolResult blocks but no `toolConfig`, or an image
  block of another format or without base64 bytes, answer ValidationException, as
  Bedrock's validation does (recorded, taking no turn).
- Errors before the answer starts: HTTP status + `x-amzn-ErrorType` header
  (`<type>:<namespace>`) + `{"message": ...}` (botocore raises `ClientError`
  with `Error.Code` == type).
- Errors mid-stream: a frame with `:message-type: exception` and
  `:exception-type: <lowerCamel type>` (botocore raises `EventStreamError`).
"""

import base64
import binascii
import hashlib
import json
import struct
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from tests.fakes.local_server import LocalServer, words

_PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_STRING_HEADER = 7  # event-stream header value type: UTF-8 string with a 2-byte length


@dataclass
class AwsError:
    """An AWS error: restJson1 type name (e.g. "ThrottlingException"), HTTP status, message."""

    type: str
    status: int
    message: str
    fields: dict[str, Any] = field(default_factory=dict)  # extra body members

    @property
    def event_type(self) -> str:
        """The `:exception-type` of this error as a stream event (lowerCamel)."""
        return self.type[:1].lower() + self.type[1:]

    def body(self) -> dict[str, Any]:
        return {"message": self.message, **self.fields}


@dataclass
class Turn:
    """What the next Converse/ConverseStream call gets."""

    text: str = "Hello from Bedrock"
    # The model's reasoning before the answer (a reasoning model, thinking on): a
    # reasoningContent block at index 0, the text then at index 1.
    reasoning: str = ""
    input_tokens: int = 7
    output_tokens: int = 3
    # end_turn | max_tokens | stop_sequence | guardrail_intervened | content_filtered
    stop_reason: str = "end_turn"
    delay: float = 0.0  # seconds before answering (a slow model)
    chunk_delay: float = 0.0  # seconds between stream deltas
    # stream: after the first delta, wait until this is set (or the fake stops)
    hold: threading.Event | None = None
    error: AwsError | None = None  # answer with this AWS error instead (both operations)
    stream_error_after: int | None = None  # stream: after N deltas send an exception event
    stream_error: AwsError | None = None  # which exception event (default internalServerException)
    malformed_after: int | None = None  # stream: after N deltas send a frame with a bad CRC
    cut_after: int | None = None  # stream: close the connection after N deltas
    cut_before_metadata: bool = False  # stream: close the connection after messageStop
    latency_ms: int = 42  # metrics.latencyMs
    # toolUse blocks after the text, each {"toolUseId", "name", "input"}; give such a
    # turn stop_reason "tool_use". Streamed: contentBlockStart with the id and name,
    # then the input's JSON text in two contentBlockDelta pieces, then contentBlockStop.
    tool_uses: list[dict[str, Any]] = field(default_factory=list)

    def chunks(self) -> list[str]:
        """The answer in pieces of one word (with its trailing space)."""
        return words(self.text)

    def usage(self) -> dict[str, int]:
        return {
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "totalTokens": self.input_tokens + self.output_tokens,
        }


@dataclass
class Received:
    operation: str  # "converse" | "converse-stream" | "invoke"
    model_id: str  # decoded, e.g. "anthropic.claude-3-5-sonnet-20240620-v1:0"
    headers: dict[str, str]
    body: dict[str, Any]  # the request JSON: messages, system, inferenceConfig, ...

    @property
    def messages(self) -> list[tuple[str, str]]:
        """(role, text) per message, the text blocks of each joined."""
        return [
            (m.get("role", ""), "".join(b.get("text", "") for b in m.get("content", [])))
            for m in self.body.get("messages", [])
        ]

    @property
    def system(self) -> str:
        """The system prompt's text blocks joined; "" when none was sent."""
        return "".join(b.get("text", "") for b in self.body.get("system", []))

    def blocks(self, kind: str) -> list[dict[str, Any]]:
        """Every content block of `kind` (`image`, `toolUse`, `toolResult`) of the messages."""
        return [
            block[kind]
            for m in self.body.get("messages", [])
            for block in m.get("content", [])
            if kind in block
        ]

    @property
    def inference_config(self) -> dict[str, Any]:
        return dict(self.body.get("inferenceConfig", {}))


# Status codes as in botocore's service model for bedrock-runtime (2023-09-30).
def _error_turn(type_: str, status: int, message: str, **fields: Any) -> Turn:
    return Turn(error=AwsError(type_, status, message, dict(fields)))


def throttling(message: str = "Too many requests, please wait before trying again.") -> Turn:
    return _error_turn("ThrottlingException", 429, message)


def daily_tokens_exhausted() -> Turn:
    """The account's tokens-per-day quota: a ThrottlingException that no retry soon fixes."""
    return throttling("Too many tokens per day, please wait before trying again.")


def server_error() -> Turn:
    return _error_turn("InternalServerException", 500, "The server encountered an internal error.")


def validation(message: str = "Malformed input request, please reformat your input.") -> Turn:
    return _error_turn("ValidationException", 400, message)


def prompt_too_long() -> Turn:
    return validation("Input is too long for requested model.")


def access_denied() -> Turn:
    return _error_turn(
        "AccessDeniedException",
        403,
        "You don't have access to the model with the specified model ID.",
    )


def quota_exceeded() -> Turn:
    return _error_turn(
        "ServiceQuotaExceededException",
        400,
        "Your request exceeds the service quota for your account.",
    )


def model_timeout() -> Turn:
    return _error_turn("ModelTimeoutException", 408, "Model has timed out in processing request.")


def model_not_ready() -> Turn:
    return _error_turn("ModelNotReadyException", 429, "Model is not ready to serve inference.")


def model_error() -> Turn:
    return _error_turn(
        "ModelErrorException",
        424,
        "The system encountered an unexpected error during processing. Try your request again.",
        originalStatusCode=500,
        resourceName="anthropic.claude-3-5-sonnet-20240620-v1:0",
    )


def expired_token() -> Turn:
    """Temporary credentials past their expiry (AWS's common auth error, not in Bedrock's model)."""
    return _error_turn(
        "ExpiredTokenException", 403, "The security token included in the request is expired"
    )


def unrecognized_client() -> Turn:
    return _error_turn(
        "UnrecognizedClientException", 403, "The security token included in the request is invalid."
    )


def service_unavailable() -> Turn:
    return _error_turn("ServiceUnavailableException", 503, "Service is unavailable.")


def not_found() -> Turn:
    return _error_turn(
        "ResourceNotFoundException", 404, "The specified model ID is not found or not supported."
    )


def encode_frame(headers: dict[str, str], payload: bytes, *, corrupt: bool = False) -> bytes:
    """One event-stream message; `corrupt` spoils the message CRC (the prelude stays valid)."""
    encoded = b""
    for name, value in headers.items():
        raw_name, raw_value = name.encode(), value.encode()
        encoded += struct.pack(">B", len(raw_name)) + raw_name
        encoded += struct.pack(">BH", _STRING_HEADER, len(raw_value)) + raw_value
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    prelude += struct.pack(">I", binascii.crc32(prelude))
    message = prelude + encoded + payload
    crc = binascii.crc32(message)
    if corrupt:
        crc ^= 0xFFFFFFFF
    return message + struct.pack(">I", crc)


def event_frame(event_type: str, data: dict[str, Any], *, corrupt: bool = False) -> bytes:
    headers = {
        ":event-type": event_type,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return encode_frame(headers, json.dumps(data).encode(), corrupt=corrupt)


def exception_frame(error: AwsError) -> bytes:
    headers = {
        ":exception-type": error.event_type,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return encode_frame(headers, json.dumps(error.body()).encode())


class FakeBedrock(LocalServer):
    """Start with `with FakeBedrock() as fake:`; `fake.url` is boto3's `endpoint_url`."""

    def __init__(self) -> None:
        self.turns: deque[Turn] = deque()
        self.received: list[Received] = []
        # Set: AWS rejects every request's signature with this (e.g. an expired token),
        # before any operation runs; such requests take no turn.
        self.credentials_error: AwsError | None = None
        self.listings = 0  # ListAsyncInvokes calls (the provider's readiness probe)
        super().__init__(self._handler_class())

    @property
    def url(self) -> str:
        return self.root_url

    def script(self, *turns: Turn) -> None:
        """Queue turns; each call takes the next one, an empty queue answers `Turn()`."""
        with self._lock:
            self.turns.extend(turns)

    def reset(self) -> None:
        """Forget queued turns, recorded requests, credentials_error and the disconnected flag."""
        with self._lock:
            self.turns.clear()
            self.received.clear()
            self.credentials_error = None
            self.listings = 0
            self.disconnected.clear()

    def _next(self, received: Received) -> Turn:
        with self._lock:
            self.received.append(received)
            return self.turns.popleft() if self.turns else Turn()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1 so the stream goes chunked as Bedrock's does; one request per
            # connection (Connection: close) so no thread lingers on a kept-alive socket.
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                # ListAsyncInvokes (GET /async-invoke): read-only, no model runs.
                self.close_connection = True
                if self.path.split("?")[0] != "/async-invoke":
                    self._error(AwsError("UnknownOperationException", 404, "Unknown operation"))
                    return
                with fake._lock:
                    fake.listings += 1
                if fake.credentials_error is not None:
                    self._error(fake.credentials_error)
                    return
                self._json(200, {"asyncInvokeSummaries": []})

            def do_POST(self) -> None:
                self.close_connection = True
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                parts = self.path.split("?")[0].split("/")
                # ["", "model", "<modelId, URL-encoded>", "converse" | "converse-stream"]
                if len(parts) != 4 or parts[1] != "model" or parts[3] not in _OPERATIONS:
                    self._error(AwsError("UnknownOperationException", 404, "Unknown operation"))
                    return
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    self._error(AwsError("SerializationException", 400, "Malformed JSON"))
                    return
                operation = parts[3]
                received = Received(operation, unquote(parts[2]), dict(self.headers), body)
                if fake.credentials_error is not None:
                    with fake._lock:
                        fake.received.append(received)
                    self._error(fake.credentials_error)
                    return
                refusal = _invalid_converse(body) if operation != "invoke" else None
                if refusal is not None:  # as Bedrock validates, before any model runs
                    with fake._lock:
                        fake.received.append(received)
                    self._error(AwsError("ValidationException", 400, refusal))
                    return
                turn = fake._next(received)
                fake._sleep(turn.delay)
                try:
                    if turn.error is not None:
                        self._error(turn.error)
                    elif operation == "converse":
                        self._json(200, _converse_response(turn))
                    elif operation == "invoke":
                        self._json(200, _embeddings(body), _token_header(body))
                    else:
                        self._stream(turn)
                except (BrokenPipeError, ConnectionResetError):
                    fake.disconnected.set()

            def _headers(self, status: int, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
                self.send_header("Connection", "close")

            def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(data).encode()
                self._headers(status, "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _error(self, error: AwsError) -> None:
                payload = json.dumps(error.body()).encode()
                self._headers(error.status, "application/json")
                self.send_header("x-amzn-ErrorType", error.type + _ERROR_NAMESPACE)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, turn: Turn) -> None:
                self._headers(200, "application/vnd.amazon.eventstream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                started = time.monotonic()
                self._chunk(event_frame("messageStart", _padded({"role": "assistant"}, 2)))
                block = 0
                if turn.reasoning:
                    thoughts = [{"text": word} for word in words(turn.reasoning)]
                    for index, thought in enumerate([*thoughts, {"signature": _SIGNATURE}]):
                        delta = {"contentBlockIndex": 0, "delta": {"reasoningContent": thought}}
                        self._chunk(event_frame("contentBlockDelta", _padded(delta, index)))
                    self._chunk(
                        event_frame("contentBlockStop", _padded({"contentBlockIndex": 0}, 4))
                    )
                    block = 1
                pieces = turn.chunks()
                for index, piece in enumerate(pieces):
                    if self._interrupted(turn, index):
                        return
                    if index == 1 and turn.hold is not None:
                        while not turn.hold.is_set() and not fake._stopping.is_set():
                            if not fake._pause(0.05, self.connection):
                                return
                    if index and turn.chunk_delay:
                        if not fake._pause(turn.chunk_delay, self.connection):
                            return
                    delta = _padded({"contentBlockIndex": block, "delta": {"text": piece}}, index)
                    self._chunk(event_frame("contentBlockDelta", delta))
                if self._interrupted(turn, len(pieces), at_end=True):
                    return
                stop = _padded({"contentBlockIndex": block}, 5)
                self._chunk(event_frame("contentBlockStop", stop))
                for use in turn.tool_uses:
                    block += 1
                    start = {"toolUseId": use["toolUseId"], "name": use["name"]}
                    opened = {"contentBlockIndex": block, "start": {"toolUse": start}}
                    self._chunk(event_frame("contentBlockStart", _padded(opened, block)))
                    text = json.dumps(use["input"])
                    for piece in (text[: len(text) // 2], text[len(text) // 2 :]):
                        delta = {"contentBlockIndex": block, "delta": {"toolUse": {"input": piece}}}
                        self._chunk(event_frame("contentBlockDelta", _padded(delta, block)))
                    closed = _padded({"contentBlockIndex": block}, 5)
                    self._chunk(event_frame("contentBlockStop", closed))
                stop = {"stopReason": turn.stop_reason}
                self._chunk(event_frame("messageStop", _padded(stop, 3)))
                if turn.cut_before_metadata:
                    return  # the answer is complete; its usage (metadata) is lost
                latency = max(turn.latency_ms, int((time.monotonic() - started) * 1000))
                metadata = {"usage": turn.usage(), "metrics": {"latencyMs": latency}}
                self._chunk(event_frame("metadata", _padded(metadata, 7)))
                self._end()

            def _interrupted(self, turn: Turn, sent: int, at_end: bool = False) -> bool:
                """Break the stream here if the turn says so, `sent` deltas in.

                At the end of the deltas any scripted break happens, whatever its N.
                """

                def due(after: int | None) -> bool:
                    return after is not None and (at_end or sent >= after)

                if due(turn.cut_after):
                    return True  # the connection closes without the terminating chunk
                if due(turn.stream_error_after):
                    self._chunk(exception_frame(turn.stream_error or _DEFAULT_STREAM_ERROR))
                    self._end()
                    return True
                if due(turn.malformed_after):
                    delta = {"contentBlockIndex": 0, "delta": {"text": "garbled"}}
                    self._chunk(event_frame("contentBlockDelta", delta, corrupt=True))
                    self._end()
                    return True
                return False

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()

            def _end(self) -> None:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        return Handler


_OPERATIONS = ("converse", "converse-stream", "invoke")
_SIGNATURE = "EqoBCkgIARABGAIiQL2f"  # the opaque signature a reasoning block ends with
# Bedrock's x-amzn-ErrorType carries a namespace after the type; botocore drops it.
_ERROR_NAMESPACE = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
_DEFAULT_STREAM_ERROR = AwsError(
    "InternalServerException", 500, "The server encountered an internal error."
)


def _invalid_converse(body: dict[str, Any]) -> str | None:
    """What Bedrock's validation says of a Converse request with bad tool or image blocks."""
    blocks = [b for m in body.get("messages", []) for b in m.get("content", [])]
    if any("toolUse" in b or "toolResult" in b for b in blocks) and "toolConfig" not in body:
        return (
            "The toolConfig field must be defined when using toolUse and toolResult content blocks."
        )
    for block in blocks:
        image = block.get("image")
        if image is None:
            continue
        if image.get("format") not in ("png", "jpeg", "gif", "webp"):
            return "The model returned the following errors: image format is not supported"
        try:
            base64.b64decode(image["source"]["bytes"], validate=True)
        except (KeyError, TypeError, ValueError):
            return "Malformed input request: image source bytes are not base64"
    return None


def embedding_of(text: str, size: int) -> list[float]:
    """The fake's vector for `text`: deterministic, `size` numbers in [-1, 1]."""
    digest = b"".join(
        hashlib.sha256(f"{block}:{text}".encode()).digest() for block in range(size // 32 + 1)
    )
    return [round(byte / 127.5 - 1.0, 6) for byte in digest[:size]]


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    """InvokeModel of an embeddings model: Titan v2 (`inputText`) or Cohere Embed (`texts`)."""
    if "inputText" in body:
        text = str(body["inputText"])
        size = int(body.get("dimensions", 1024))
        return {"embedding": embedding_of(text, size), "inputTextTokenCount": len(text.split())}
    texts = [str(t) for t in body.get("texts", [])]
    return {
        "id": str(uuid.uuid4()),
        "response_type": "embeddings_floats",
        "texts": texts,
        "embeddings": [embedding_of(text, 1024) for text in texts],
    }


def _token_header(body: dict[str, Any]) -> dict[str, str]:
    texts = [body["inputText"]] if "inputText" in body else body.get("texts", [])
    count = sum(len(str(t).split()) for t in texts)
    return {"X-Amzn-Bedrock-Input-Token-Count": str(count)}


def _padded(data: dict[str, Any], length: int) -> dict[str, Any]:
    """Bedrock pads stream events with a `p` field of varying length; clients ignore it."""
    return {**data, "p": _PADDING[: (length % len(_PADDING)) + 1]}


def _converse_response(turn: Turn) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"text": turn.text}] if turn.text else []
    content += [{"toolUse": use} for use in turn.tool_uses]
    if turn.reasoning:
        reasoning = {"reasoningText": {"text": turn.reasoning, "signature": _SIGNATURE}}
        content.insert(0, {"reasoningContent": reasoning})
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": turn.stop_reason,
        "usage": turn.usage(),
        "metrics": {"latencyMs": turn.latency_ms},
    }
