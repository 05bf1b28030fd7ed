"""The built-in echo model: deterministic, no network; for tests and a server that just works.

It answers `Echo: <the last user message>`, one token per whitespace-separated
word (a token is a word and the whitespace after it, so the deltas concatenate
to exactly the answer). It honours `max_tokens` (finish LENGTH) and stop
sequences (finish STOP_SEQUENCE; the stop text itself is not returned, as with
OpenAI), and counts usage in words: the prompt's words (system prompt and every
message) in, the answer's tokens out.

Tests script it through markers in the last user message:

- `[echo:fail=<code>]`        fails at once with ApiError(<code>) (a gRPC code, 1-16);
- `[echo:fail-after=<n>]`     streams n tokens then fails with UNAVAILABLE (14);
                              `complete` fails with UNAVAILABLE without an answer;
- `[echo:delay=<ms>]`         waits <ms> milliseconds before each token, overriding
                              the provider's `delay_seconds` (catch a stream mid-way);
- `[echo:stall-after=<n>]`    streams n tokens then goes silent, as a hung upstream
                              does (`complete` goes silent at once).

Tools and formats, deterministically:

- with `tools` and a `tool_choice` other than `none`, when the last message is
  a user message, it calls one tool and writes no text (finish TOOL_CALLS):
  the named one (`tool_choice`), else the first. Its arguments are built from
  the tool's parameters schema: each required property (every property when
  none is required) gets the last user message for a string (an enum's first
  value), 1 for a number or integer, true for a boolean, [] for an array,
  {} for an object. The call's id is `call_echo_` and 12 hex digits of
  SHA-256 over the name and arguments. Streamed, the first ToolCallDelta has
  the id and name, the arguments follow in two pieces;
- after `tool` messages (the results of its calls) it answers
  `Echo: <the last tool result>`;
- `response_format` `json_object` answers `{"echo": "<the last user message>"}`,
  `json_schema` an instance of the schema built as tool arguments are.

Embeddings, deterministically: each text's vector (`dimensions` long, default
16) is SHA-256 over the text and a block counter, read as bytes mapped to
[-1, 1], scaled to unit length; the same text always gets the same vector.
Input tokens are the texts' words.

Config (`providers: {<name>: {type: echo, ...}}`): `delay_seconds` (default 0)
between tokens, `prefix` (default "Echo: "), `timeout_seconds` (default 60):
as for the network providers, the longest wait for the first token and between
two tokens; a longer delay (or a stall) fails with DEADLINE_EXCEEDED (4) once
it has waited that long.
"""

import asyncio
import hashlib
import json
import math
import re
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
    ToolCall,
    ToolCallDelta,
    Usage,
)

_TOKEN = re.compile(r"\S+\s*")
_FAIL = re.compile(r"\[echo:fail=(\d{1,2})\]")
_FAIL_AFTER = re.compile(r"\[echo:fail-after=(\d{1,6})\]")
_DELAY = re.compile(r"\[echo:delay=(\d{1,6})\]")
_STALL_AFTER = re.compile(r"\[echo:stall-after=(\d{1,6})\]")


def count_words(text: str) -> int:
    return len(text.split())


def tokens_of(text: str) -> list[str]:
    """The echo tokenisation: each word with the whitespace that follows it."""
    return _TOKEN.findall(text)


@dataclass(frozen=True, slots=True)
class _Script:
    """What one request will do: the tokens to emit, how it ends, and scripted trouble."""

    tokens: list[str]
    finish: FinishReason
    usage: Usage
    fail_code: Code | None
    fail_after: int | None
    stall_after: int | None
    delay: float
    tool_call: ToolCall | None = None


class EchoProvider:
    """A `providers.base.Provider` that needs nothing and is always available."""

    def __init__(self, name: str, config: Mapping[str, Any] | None = None) -> None:
        config = config or {}
        self.name = name
        self.delay_seconds = float(config.get("delay_seconds", 0.0))
        self.prefix = str(config.get("prefix", "Echo: "))
        self.timeout_seconds = float(config.get("timeout_seconds", 60.0))
        if self.delay_seconds < 0:
            raise ValueError(f"provider {name}: delay_seconds must be >= 0")
        if self.timeout_seconds <= 0:
            raise ValueError(f"provider {name}: timeout_seconds must be > 0")

    def availability(self, model: ModelSpec) -> Availability:
        return Availability(True)

    async def check_ready(self) -> Availability:
        return Availability(True)

    async def aclose(self) -> None:
        return None

    async def complete(self, request: CompletionRequest) -> Completion:
        script = self._script(request)
        if script.fail_code is not None:
            raise _scripted_failure(script.fail_code)
        if script.fail_after is not None:
            raise _scripted_failure(Code.UNAVAILABLE)
        if script.stall_after is not None:
            await self._wait(None)
        for _ in script.tokens:
            await self._wait(script.delay)
        calls = (script.tool_call,) if script.tool_call else ()
        return Completion("".join(script.tokens), script.finish, script.usage, tool_calls=calls)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        script = self._script(request)
        if script.fail_code is not None:
            raise _scripted_failure(script.fail_code)
        if script.tool_call is not None:
            call = script.tool_call
            half = len(call.arguments) // 2
            yield ToolCallDelta(0, "", id=call.id, name=call.name)
            yield ToolCallDelta(0, call.arguments[:half])
            yield ToolCallDelta(0, call.arguments[half:])
        for index, token in enumerate(script.tokens):
            if script.fail_after is not None and index >= script.fail_after:
                raise _scripted_failure(Code.UNAVAILABLE)
            if script.stall_after is not None and index >= script.stall_after:
                await self._wait(None)
            await self._wait(script.delay)
            yield TextDelta(token)
        if script.fail_after is not None and script.fail_after >= len(script.tokens):
            raise _scripted_failure(Code.UNAVAILABLE)
        yield StreamEnd(script.finish, script.usage)

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        size = request.dimensions or 16
        vectors = [_vector(text, size) for text in request.texts]
        return Embeddings(vectors, sum(count_words(text) for text in request.texts))

    async def _wait(self, seconds: float | None) -> None:
        """Waits `seconds` (None: forever) before a token, up to `timeout_seconds`."""
        if seconds is not None and seconds <= self.timeout_seconds:
            if seconds:
                await asyncio.sleep(seconds)
            return
        await asyncio.sleep(self.timeout_seconds)
        raise ApiError(
            Code.DEADLINE_EXCEEDED,
            f"echo: no token within {self.timeout_seconds:g} s (timeout_seconds)",
        )

    def _script(self, request: CompletionRequest) -> _Script:
        last_user = _last_user_message(request.messages)
        answer = self.prefix + last_user
        last = request.messages[-1] if request.messages else None
        tool_call = None
        if last is not None and last.role == "tool":
            answer = self.prefix + last.content
        elif request.tools and request.tool_choice.mode != "none" and last is not None:
            tool_call = _call(request, last_user)
            answer = ""
        elif request.response_format is not None:
            schema = request.response_format.schema
            if request.response_format.type == "json_object" or schema is None:
                answer = json.dumps({"echo": last_user})
            else:
                answer = json.dumps(_instance(schema, last_user))
        finish = FinishReason.TOOL_CALLS if tool_call else FinishReason.STOP
        stop_at = _first_stop(answer, request.params.stop)
        if stop_at is not None:
            answer = answer[:stop_at]
            finish = FinishReason.STOP_SEQUENCE
        tokens = tokens_of(answer)
        limit = request.params.max_tokens or request.model.max_output_tokens
        if limit and len(tokens) > limit:
            tokens = tokens[:limit]
            finish = FinishReason.LENGTH
        prompt_words = count_words(request.system or "") + sum(
            count_words(m.content) for m in request.messages
        )
        fail = _FAIL.search(last_user)
        fail_after = _FAIL_AFTER.search(last_user)
        delay = _DELAY.search(last_user)
        stall_after = _STALL_AFTER.search(last_user)
        return _Script(
            tokens=tokens,
            finish=finish,
            usage=Usage(input_tokens=prompt_words, output_tokens=len(tokens)),
            fail_code=_code(int(fail.group(1))) if fail else None,
            fail_after=int(fail_after.group(1)) if fail_after else None,
            stall_after=int(stall_after.group(1)) if stall_after else None,
            delay=int(delay.group(1)) / 1000 if delay else self.delay_seconds,
            tool_call=tool_call,
        )


def _vector(text: str, size: int) -> list[float]:
    raw = b"".join(
        hashlib.sha256(f"{block}\n{text}".encode()).digest() for block in range(size // 32 + 1)
    )
    values = [byte / 127.5 - 1.0 for byte in raw[:size]]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def _call(request: CompletionRequest, last_user: str) -> ToolCall:
    wanted = request.tool_choice.name
    tool = next((t for t in request.tools if t.name == wanted), request.tools[0])
    arguments = json.dumps(_instance(tool.parameters or {"type": "object"}, last_user))
    digest = hashlib.sha256(f"{tool.name}\n{arguments}".encode()).hexdigest()[:12]
    return ToolCall(f"call_echo_{digest}", tool.name, arguments)


def _instance(schema: Mapping[str, Any], text: str) -> Any:
    """A value of `schema`, deterministically: strings are `text` (see the module docstring)."""
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "string":
        return text
    if kind in ("number", "integer"):
        return 1
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "null":
        return None
    properties = schema.get("properties") or {}
    required = schema.get("required") or list(properties)
    return {name: _instance(properties.get(name) or {"type": "string"}, text) for name in required}


def _last_user_message(messages: Sequence[ChatMessage]) -> str:
    for message in reversed(messages):
        if message.role == "user":
            return message.content
    return ""


def _first_stop(text: str, stops: Sequence[str]) -> int | None:
    found = [index for index in (text.find(s) for s in stops if s) if index >= 0]
    return min(found) if found else None


def _code(value: int) -> Code:
    if not 1 <= value <= 16:
        return Code.UNKNOWN
    return Code(value)


def _scripted_failure(code: Code) -> ApiError:
    return ApiError(code, f"echo: scripted failure ({code.name})")
