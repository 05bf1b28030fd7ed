"""A provider for any OpenAI-compatible `/chat/completions` server (Ollama, vLLM, llama.cpp, ...).

Config (`providers: {<name>: {type: openai, ...}}`):

- `base_url` (required): the API root, e.g. `http://127.0.0.1:11434/v1`;
  we call `{base_url}/chat/completions` and, for readiness, `{base_url}/models`.
- `api_key_env` (optional): the NAME of the environment variable holding the
  key, sent as `Authorization: Bearer <key>`. When set, the variable must exist
  or the provider reports itself unavailable. The key never sits in config.
- `timeout_seconds` (default 60): read/write timeout of one upstream call;
  a `CompletionRequest.timeout` overrides it per call.
- `connect_timeout_seconds` (default 5): TCP connect timeout.
- `max_attempts` (default 3): tries for retryable failures (429 without
  insufficient_quota, 5xx, connect errors, dropped connections).
- `retry_base_seconds` (default 0.5) and `retry_max_seconds` (default 8): the
  full-jitter backoff, `uniform(0, min(max, base * 2**n))`; an upstream
  `Retry-After` is honoured but capped at `retry_max_seconds`.

Retries happen only before any part of the answer was received: once a
stream has yielded text, a failure is reported, never silently replayed.

Error mapping (our gRPC codes): 429 -> retried, then UNAVAILABLE (14), but
429 insufficient_quota -> RESOURCE_EXHAUSTED (8); 400 context_length_exceeded
-> OUT_OF_RANGE (11); other 400/422 -> INVALID_ARGUMENT (3); 401/403/404 ->
FAILED_PRECONDITION (9: our credentials or model config is wrong, not the
caller's); 408 and timeouts -> DEADLINE_EXCEEDED (4); 5xx and transport
errors -> retried, then UNAVAILABLE (14); malformed or truncated SSE ->
UNAVAILABLE (14); any other status -> UNKNOWN (2).
"""

import asyncio
import json
import os
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import httpx

from errors import ApiError, Code
from providers.base import (
    Availability,
    Completion,
    CompletionRequest,
    FinishReason,
    ModelSpec,
    StreamEnd,
    StreamEvent,
    TextDelta,
    Usage,
    estimate_usage,
)
from providers.retry import Retryable, RetryPolicy

_FINISH = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
}
_READY_TIMEOUT_SECONDS = 2.0
_MAX_ERROR_TEXT = 300


class OpenAICompatibleProvider:
    """A `providers.base.Provider` over one httpx.AsyncClient (connection pool per provider)."""

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
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout_seconds, connect=self.connect_timeout_seconds)
        )

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
        try:
            response = await self._client.get(
                f"{self.base_url}/models",
                headers=self._headers(),
                timeout=httpx.Timeout(_READY_TIMEOUT_SECONDS),
            )
        except httpx.HTTPError as exc:
            return Availability(False, f"{type(exc).__name__}: {exc}")
        if response.status_code != 200:
            return Availability(False, f"GET /models answered {response.status_code}")
        return Availability(True)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def complete(self, request: CompletionRequest) -> Completion:
        response = await self._open(self._payload(request, stream=False), request.timeout)
        try:
            body = await response.aread()
        except httpx.TimeoutException as exc:
            raise self._timeout(exc) from exc
        except httpx.TransportError as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: connection lost: {exc}") from exc
        finally:
            await response.aclose()
        try:
            data = json.loads(body)
            choice = data["choices"][0]
            text = str(choice["message"].get("content") or "")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: malformed answer") from exc
        usage = _usage(data.get("usage")) or estimate_usage(request, text)
        return Completion(text, _finish(choice.get("finish_reason")), usage)

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
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, comments, `event:` lines
                    data = line[5:].strip()
                    if data == "[DONE]":
                        done = True
                        break
                    chunk_usage, choices = self._chunk(data)
                    usage = chunk_usage or usage
                    for content, reason in choices:
                        if content:
                            parts.append(content)
                            yield TextDelta(content)
                        if reason:
                            finish = _finish(reason)
            except httpx.TimeoutException as exc:
                raise self._timeout(exc) from exc
            except httpx.TransportError as exc:
                broken = f"{self._who()}: stream broken ({type(exc).__name__})"
                raise ApiError(Code.UNAVAILABLE, broken) from exc
            if not done:
                raise ApiError(Code.UNAVAILABLE, f"{self._who()}: stream ended early")
            yield StreamEnd(
                finish or FinishReason.STOP, usage or estimate_usage(request, "".join(parts))
            )
        finally:
            await response.aclose()

    # -- internals ---------------------------------------------------------

    def _chunk(self, data: str) -> tuple[Usage | None, list[tuple[str, str]]]:
        """(usage, [(content delta, finish_reason)]) of one SSE chunk; ApiError if malformed."""
        try:
            chunk = json.loads(data)
            choices = [
                (str(c.get("delta", {}).get("content") or ""), str(c.get("finish_reason") or ""))
                for c in chunk.get("choices") or []
            ]
        # RecursionError: JSON nested past the parser's limit is malformed too, not our crash.
        except (ValueError, AttributeError, TypeError, RecursionError) as exc:
            raise ApiError(Code.UNAVAILABLE, f"{self._who()}: malformed stream chunk") from exc
        return _usage(chunk.get("usage")), choices

    def _who(self) -> str:
        return f"upstream {self.name}"

    def _headers(self) -> dict[str, str]:
        # Read at call time so a rotated key is picked up without a restart.
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _payload(self, request: CompletionRequest, *, stream: bool) -> dict[str, Any]:
        messages: list[dict[str, str]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        messages.extend({"role": m.role, "content": m.content} for m in request.messages)
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
        if stream:
            payload["stream"] = True
            payload["stream_options"] = {"include_usage": True}
        return payload

    def _timeout(self, exc: Exception) -> ApiError:
        return ApiError(Code.DEADLINE_EXCEEDED, f"{self._who()}: timed out ({type(exc).__name__})")

    async def _open(self, payload: dict[str, Any], seconds: float | None) -> httpx.Response:
        """A 200 response with its body still unread, after bounded retries.

        `seconds` (the request's own budget) replaces the configured read timeout.
        """
        request_timeout = (
            httpx.Timeout(seconds, connect=self.connect_timeout_seconds)
            if seconds is not None
            else None
        )
        last: Retryable | None = None
        for attempt in range(self.retry.max_attempts):
            if last is not None:
                await asyncio.sleep(self.retry.backoff(attempt, last.retry_after))
            try:
                return await self._attempt(payload, request_timeout)
            except Retryable as exc:
                last = exc
        assert last is not None
        raise last.error

    async def _attempt(
        self, payload: dict[str, Any], limits: httpx.Timeout | None
    ) -> httpx.Response:
        http_request = self._client.build_request(
            "POST",
            f"{self.base_url}/chat/completions",
            json=payload,
            headers=self._headers(),
            timeout=limits if limits is not None else httpx.USE_CLIENT_DEFAULT,
        )
        try:
            response = await self._client.send(http_request, stream=True)
        except httpx.TimeoutException as exc:
            raise self._timeout(exc) from exc
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise Retryable(
                ApiError(Code.UNAVAILABLE, f"{self._who()} unreachable: {type(exc).__name__}")
            ) from exc
        if response.status_code == 200:
            return response
        try:
            body = await response.aread()
        except httpx.HTTPError:
            body = b""
        finally:
            await response.aclose()
        raise self._status_error(response, body)

    def _status_error(self, response: httpx.Response, body: bytes) -> Exception:
        status = response.status_code
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
        if status in (400, 422):
            return ApiError(Code.INVALID_ARGUMENT, detail)
        if status in (401, 403):
            return ApiError(Code.FAILED_PRECONDITION, f"{who}: upstream rejected our credentials")
        if status == 404:
            return ApiError(Code.FAILED_PRECONDITION, f"{who}: model not served upstream")
        if status == 408:
            return ApiError(Code.DEADLINE_EXCEEDED, detail)
        if status >= 500:
            return Retryable(ApiError(Code.UNAVAILABLE, detail))
        return ApiError(Code.UNKNOWN, detail)


def _error_fields(body: bytes) -> tuple[str, str]:
    """(`code` and `type` joined, `message`) of an OpenAI error body; tolerant of anything."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return "", body.decode("utf-8", "replace")[:_MAX_ERROR_TEXT]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str):
        return "", error[:_MAX_ERROR_TEXT]
    if not isinstance(error, dict):
        return "", ""
    codes = f"{error.get('code') or ''} {error.get('type') or ''}"
    message = str(error.get("message") or "")[:_MAX_ERROR_TEXT]
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
