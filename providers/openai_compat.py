"""A provider for any OpenAI-compatible `/chat/completions` server (Ollama, vLLM, llama.cpp, ...).

Config (`providers: {<name>: {type: openai, ...}}`):

- `base_url` (required): the API root, e.g. `http://127.0.0.1:11434/v1`;
  we call `{base_url}/chat/completions` and, for readiness, `{base_url}/models`.
- `api_key_env` (optional): the NAME of the environment variable holding the
  key, sent as `Authorization: Bearer <key>`. When set, the variable must exist
  or the provider reports itself unavailable. The key never sits in config.
- `timeout_seconds` (default 60): how long the upstream may keep us waiting
  for its first byte, and then between two reads of its answer (a stream's
  chunks), before the call fails with DEADLINE_EXCEEDED (4). A shorter
  `CompletionRequest.timeout` (what is left of `generation_timeout_seconds`)
  lowers it for that call; the whole answer is held to that by domain.deadline.
- `connect_timeout_seconds` (default 5): TCP connect timeout.
- `max_attempts` (default 3): tries for retryable failures (429 without
  insufficient_quota, 5xx, connect errors, dropped connections).
- `retry_base_seconds` (default 0.5) and `retry_max_seconds` (default 8): the
  full-jitter backoff, `uniform(0, min(max, base * 2**n))`; an upstream
  `Retry-After` is honoured but capped at `retry_max_seconds`.

Retries happen only before any part of the answer was received: once a
stream has yielded text, a failure is reported, never silently replayed.
The text of chunks that arrive in one network read is passed on as one
delta (so as one event to the client): a client gets the answer as quickly,
in as many writes as the upstream made.

Error mapping (our gRPC codes): 429 -> retried, then UNAVAILABLE (14), but
429 insufficient_quota -> RESOURCE_EXHAUSTED (8); 400 context_length_exceeded
-> OUT_OF_RANGE (11); other 400/422 -> INVALID_ARGUMENT (3); 401/403/404 ->
FAILED_PRECONDITION (9: our credentials or model config is wrong, not the
caller's); 408 and timeouts -> DEADLINE_EXCEEDED (4); 5xx and transport
errors -> retried, then UNAVAILABLE (14); malformed or truncated SSE ->
UNAVAILABLE (14); any other status -> UNKNOWN (2).
"""

import asyncio
import base64
import json
import os
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import orjson

from errors import ApiError, Code
from providers.base import (
    Availability,
    ChatMessage,
    Completion,
    CompletionRequest,
    EmbeddingRequest,
    Embeddings,
    FinishReason,
    ModelSpec,
    StreamEnd,
    StreamEvent,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallDelta,
    Usage,
    estimate_usage,
)
from providers.http_client import (
    HTTPClient,
    Timeouts,
    TransportBroken,
    TransportError,
    TransportTimeout,
    TransportUnreachable,
    UpstreamResponse,
)
from providers.retry import Retryable, RetryPolicy
from providers.upstream_errors import MAX_ERROR_TEXT, status_error, transport_failure

_FINISH = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
    "tool_calls": FinishReason.TOOL_CALLS,
}
_READY_TIMEOUT_SECONDS = 2.0


class OpenAICompatibleProvider:
    """A `providers.base.Provider` over one HTTPClient (connection pool per provider)."""

    def __init__(self, name: str, config: Mapping[str, Any]) -> None:
        self.name = name
        self.base_url = str(config.get("base_url", "") or "").rstrip("/")
        api_key_env = config.get("api_key_env")
        self.api_key_env = str(api_key_env) if api_key_env else None
        self.timeout_seconds = float(config.get("timeout_seconds", 60.0))
        self.connect_timeout_seconds = float(config.get("connect_timeout_seconds", 5.0))
        self.retry = RetryPolicy.from_config(name, config)  # max_attempts, backoff
        if self.timeout_seconds <= 0 or self.connect_timeout_seconds <= 0:
            raise ValueError(f"provider {name}: timeouts must be > 0")
        self._client = HTTPClient(Timeouts(self.connect_timeout_seconds, self.timeout_seconds))

    # -- Provider protocol -------------------------------------------------

    def availability(self, model: ModelSpec) -> Availability:
        if not self.base_url:
            return Availability(False, f"provider {self.name}: base_url is not set")
        if self.api_key_env and not os.environ.get(self.api_key_env):
            return Availability(
                False, f"provider {self.name}: environment variable {self.api_key_env} is not set"
            )
        return Availability(True)

    async def check_ready(self) -> Availability:
        ready = Timeouts(_READY_TIMEOUT_SECONDS, _READY_TIMEOUT_SECONDS)
        try:
            response = await self._client.request(
                "GET", f"{self.base_url}/models", headers=self._headers(), timeouts=ready
            )
            try:
                await response.read()
            finally:
                response.release()
        except TransportError as exc:
            return Availability(False, f"{type(exc).__name__}: {exc}")
        if response.status != 200:
            return Availability(False, f"GET /models answered {response.status}")
        return Availability(True)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def complete(self, request: CompletionRequest) -> Completion:
        response = await self._open(self._payload(request, stream=False), request.timeout)
        body = await self._body(response)
        try:
            data = _loads(body)
            choice = data["choices"][0]
            text = str(choice["message"].get("content") or "")
            calls = tuple(
                ToolCall(str(c["id"]), str(c["function"]["name"]), str(c["function"]["arguments"]))
                for c in choice["message"].get("tool_calls") or []
            )
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: malformed answer") from exc
        usage = _usage(data.get("usage")) or estimate_usage(request, text)
        return Completion(text, _finish(choice.get("finish_reason")), usage, tool_calls=calls)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        response = await self._open(self._payload(request, stream=True), request.timeout)
        # `finally` runs on aclose()/cancellation too: closing the response drops the
        # connection, so the upstream stops generating.
        try:
            parts: list[str] = []
            finish: FinishReason | None = None
            usage: Usage | None = None
            done = False
            try:
                async for batch in response.line_batches():
                    # The text of chunks that arrived together goes on as one delta: what a
                    # client is sent per write is what the upstream sent per write.
                    text: list[str] = []
                    try:
                        for line in batch:
                            if not line.startswith("data:"):
                                continue  # blank separators, comments, `event:` lines
                            data = line[5:].strip()
                            if data == "[DONE]":
                                done = True
                                break
                            chunk_usage, choices = self._chunk(data)
                            usage = chunk_usage or usage
                            for content, calls, reason in choices:
                                if content:
                                    parts.append(content)
                                    text.append(content)
                                if calls and text:
                                    joined, text = "".join(text), []
                                    yield TextDelta(joined)
                                for call in calls:
                                    parts.append(call.arguments)
                                    yield call
                                if reason:
                                    finish = _finish(reason)
                    except ApiError:  # a malformed chunk: what came before it is delivered first
                        if text:
                            yield TextDelta("".join(text))
                        raise
                    if text:
                        yield TextDelta("".join(text))
                    if done:
                        break
            except TransportTimeout as exc:
                raise self._timeout(exc) from exc
            except TransportError as exc:
                raise transport_failure(self._who(), "stream broken", exc).error from exc
            if not done:
                raise ApiError(Code.UNAVAILABLE, f"{self._who()}: stream ended early")
            yield StreamEnd(
                finish or FinishReason.STOP, usage or estimate_usage(request, "".join(parts))
            )
        finally:
            # Read to [DONE]: the connection goes back to the pool. Left early (aclose,
            # cancellation, an error): it is dropped, so the upstream stops generating.
            if done:
                response.release()
            else:
                response.close()

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        payload: dict[str, Any] = {
            "model": request.model.upstream_id,
            "input": list(request.texts),
            "encoding_format": "float",
        }
        if request.dimensions is not None:
            payload["dimensions"] = request.dimensions
        response = await self._open(payload, request.timeout, "/embeddings")
        body = await self._body(response)
        try:
            data = _loads(body)
            rows = sorted(data["data"], key=lambda row: int(row.get("index", 0)))
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
            tokens = int((data.get("usage") or {}).get("prompt_tokens") or 0)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: malformed embeddings") from exc
        if len(vectors) != len(request.texts):
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: one embedding per text expected")
        return Embeddings(vectors, tokens or sum(len(t) // 4 + 1 for t in request.texts))

    # -- internals ---------------------------------------------------------

    async def _body(self, response: UpstreamResponse) -> bytes:
        """A whole (non-streamed) answer's body; the connection goes back to the pool."""
        try:
            return await response.read()
        except TransportTimeout as exc:
            raise self._timeout(exc) from exc
        except TransportError as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: connection lost: {exc}") from exc
        finally:
            response.release()

    def _chunk(self, data: str) -> tuple[Usage | None, list[tuple[str, list[ToolCallDelta], str]]]:
        """(usage, [(content delta, tool call pieces, finish_reason)]) of one SSE chunk;
        ApiError if malformed."""
        try:
            chunk = _loads(data)
            choices = [
                (
                    str(c.get("delta", {}).get("content") or ""),
                    [_call_delta(d) for d in c.get("delta", {}).get("tool_calls") or []],
                    str(c.get("finish_reason") or ""),
                )
                for c in chunk.get("choices") or []
            ]
        except (ValueError, AttributeError, TypeError, KeyError, RecursionError) as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: malformed stream chunk") from exc
        return _usage(chunk.get("usage")), choices

    def _who(self) -> str:
        return f"upstream {self.name}"

    def _headers(self) -> dict[str, str]:
        # Read at call time so a rotated key is picked up without a restart.
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _payload(self, request: CompletionRequest, *, stream: bool) -> dict[str, Any]:
        messages: list[dict[str, Any]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        messages.extend(_message(m) for m in request.messages)
        params = request.params
        payload: dict[str, Any] = {
            "model": request.model.upstream_id,
            "messages": messages,
            "max_tokens": params.max_tokens or request.model.max_output_tokens,
        }
        # Unset values are left out so the upstream applies its own defaults;
        # some servers reject `stop: []`.
        if params.temperature is not None:
            payload["temperature"] = params.temperature
        if params.top_p is not None:
            payload["top_p"] = params.top_p
        if params.stop:
            payload["stop"] = list(params.stop)
        if request.tools:
            payload["tools"] = [_tool(tool) for tool in request.tools]
            choice = request.tool_choice
            payload["tool_choice"] = (
                {"type": "function", "function": {"name": choice.name}}
                if choice.mode == "function"
                else choice.mode
            )
            if request.parallel_tool_calls is not None:
                payload["parallel_tool_calls"] = request.parallel_tool_calls
        response_format = request.response_format
        if response_format is not None and response_format.type == "json_object":
            payload["response_format"] = {"type": "json_object"}
        elif response_format is not None:
            schema: dict[str, Any] = {"name": response_format.name}
            if response_format.description:
                schema["description"] = response_format.description
            if response_format.schema is not None:
                schema["schema"] = dict(response_format.schema)
            if response_format.strict is not None:
                schema["strict"] = response_format.strict
            payload["response_format"] = {"type": "json_schema", "json_schema": schema}
        payload.update(request.passthrough)
        if stream:
            payload["stream"] = True
            payload["stream_options"] = {"include_usage": True}
        return payload

    def _timeout(self, exc: Exception) -> ApiError:
        return ApiError(
            Code.DEADLINE_EXCEEDED,
            f"{self._who()}: no answer within {self.timeout_seconds:g} s "
            f"(timeout_seconds; {type(exc).__name__})",
        )

    async def _open(
        self, payload: dict[str, Any], seconds: float | None, path: str = "/chat/completions"
    ) -> UpstreamResponse:
        """A 200 response with its body still unread, after bounded retries.

        httpx's read timeout bounds each wait for bytes: the first one and each
        after it. It is `timeout_seconds`, or the request's own budget when shorter.
        """
        read = self.timeout_seconds if seconds is None else min(self.timeout_seconds, seconds)
        request_timeout = Timeouts(self.connect_timeout_seconds, read)
        last: Retryable | None = None
        for attempt in range(self.retry.max_attempts):
            if last is not None:
                await asyncio.sleep(self.retry.backoff(attempt, last.retry_after))
            try:
                return await self._attempt(payload, request_timeout, path)
            except Retryable as exc:
                last = exc
        assert last is not None
        raise last.error

    async def _attempt(
        self, payload: dict[str, Any], limits: Timeouts | None, path: str
    ) -> UpstreamResponse:
        headers = {**self._headers(), "Content-Type": "application/json"}
        try:
            response = await self._client.request(
                "POST",
                f"{self.base_url}{path}",
                body=orjson.dumps(payload),
                headers=headers,
                timeouts=limits,
            )
        except TransportTimeout as exc:
            raise self._timeout(exc) from exc
        except (TransportUnreachable, TransportBroken) as exc:
            raise transport_failure(self._who(), "unreachable", exc) from exc
        if response.status == 200:
            return response
        try:
            body = await response.read()
        except TransportError:
            body = b""
        finally:
            response.release()
        raise self._status_error(response, body)

    def _status_error(self, response: UpstreamResponse, body: bytes) -> Exception:
        status = response.status
        code_text, message = _error_fields(body)
        who = f"{self._who()} answered {status}"
        detail = f"{who}: {message}" if message else who
        if status == 429:
            if "insufficient_quota" in code_text:
                return ApiError(Code.RESOURCE_EXHAUSTED, f"{who}: upstream quota exhausted")
            retry_after = _retry_after(response.headers.get("retry-after"))
            headers = {"Retry-After": str(round(retry_after))} if retry_after else None
            return Retryable(
                ApiError(Code.UNAVAILABLE, f"{who}: rate limited", headers=headers), retry_after
            )
        if status == 400 and (
            "context_length_exceeded" in code_text or "context length" in message.lower()
        ):
            return ApiError(Code.OUT_OF_RANGE, f"{who}: the prompt exceeds the context window")
        if status in (401, 403):
            return ApiError(Code.FAILED_PRECONDITION, f"{who}: upstream rejected our credentials")
        if status == 404:
            return ApiError(Code.FAILED_PRECONDITION, f"{who}: model not served upstream")
        return status_error(status, detail)


def _message(message: ChatMessage) -> dict[str, Any]:
    """A message in OpenAI's shape: images as data URLs, tool calls and results as they were."""
    content: Any = message.content
    if message.images:
        content = [{"type": "text", "text": message.content}] if message.content else []
        content += [
            {
                "type": "image_url",
                "image_url": {
                    "url": f"data:{image.media_type};base64,"
                    + base64.b64encode(image.data).decode()
                },
            }
            for image in message.images
        ]
    out: dict[str, Any] = {"role": message.role, "content": content}
    if message.tool_calls:
        out["content"] = content or None
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in message.tool_calls
        ]
    if message.tool_call_id is not None:
        out["tool_call_id"] = message.tool_call_id
    return out


def _tool(tool: Tool) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name}
    if tool.description:
        function["description"] = tool.description
    if tool.parameters:
        function["parameters"] = dict(tool.parameters)
    if tool.strict is not None:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def _call_delta(piece: dict[str, Any]) -> ToolCallDelta:
    function = piece.get("function") or {}
    return ToolCallDelta(
        index=int(piece.get("index") or 0),
        arguments=str(function.get("arguments") or ""),
        id=str(piece["id"]) if piece.get("id") else None,
        name=str(function["name"]) if function.get("name") else None,
    )


def _loads(data: str | bytes) -> Any:
    """JSON from an upstream: orjson, and where it refuses what JSON allows (an escaped lone
    surrogate, which domain.storable later maps to U+FFFD) the standard parser.
    ValueError (or RecursionError, nested too deep) when it is not JSON at all."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def _error_fields(body: bytes) -> tuple[str, str]:
    """(`code` and `type` joined, `message`) of an OpenAI error body; tolerant of anything."""
    try:
        data = _loads(body)
    except (ValueError, RecursionError):
        return "", body.decode("utf-8", "replace")[:MAX_ERROR_TEXT]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str):
        return "", error[:MAX_ERROR_TEXT]
    if not isinstance(error, dict):
        return "", ""
    codes = f"{error.get('code') or ''} {error.get('type') or ''}"
    message = str(error.get("message") or "")[:MAX_ERROR_TEXT]
    if "context_length_exceeded" in message:
        codes += " context_length_exceeded"
    return codes, message


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff


def _finish(value: object) -> FinishReason:
    return _FINISH.get(str(value), FinishReason.STOP)


def _usage(value: object) -> Usage | None:
    if not isinstance(value, dict):
        return None
    try:
        return Usage(int(value["prompt_tokens"]), int(value["completion_tokens"]))
    except (KeyError, TypeError, ValueError):
        return None
