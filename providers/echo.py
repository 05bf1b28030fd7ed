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
                              the provider's `delay_seconds` (catch a stream mid-way).

Config (`providers: {<name>: {type: echo, ...}}`): `delay_seconds` (default 0)
between tokens, `prefix` (default "Echo: ").
"""

import asyncio
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
    FinishReason,
    ModelSpec,
    StreamEnd,
    StreamEvent,
    TextDelta,
    Usage,
)

_TOKEN = re.compile(r"\S+\s*")
_FAIL = re.compile(r"\[echo:fail=(\d{1,2})\]")
_FAIL_AFTER = re.compile(r"\[echo:fail-after=(\d{1,6})\]")
_DELAY = re.compile(r"\[echo:delay=(\d{1,6})\]")


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
    delay: float


class EchoProvider:
    """A `providers.base.Provider` that needs nothing and is always available."""

    def __init__(self, name: str, config: Mapping[str, Any] | None = None) -> None:
        config = config or {}
        self.name = name
        self.delay_seconds = float(config.get("delay_seconds", 0.0))
        self.prefix = str(config.get("prefix", "Echo: "))
        if self.delay_seconds < 0:
            raise ValueError(f"provider {name}: delay_seconds must be >= 0")

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
        for _ in script.tokens:
            if script.delay:
                await asyncio.sleep(script.delay)
        return Completion("".join(script.tokens), script.finish, script.usage)

    async def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        script = self._script(request)
        if script.fail_code is not None:
            raise _scripted_failure(script.fail_code)
        for index, token in enumerate(script.tokens):
            if script.fail_after is not None and index >= script.fail_after:
                raise _scripted_failure(Code.UNAVAILABLE)
            if script.delay:
                await asyncio.sleep(script.delay)
            yield TextDelta(token)
        if script.fail_after is not None and script.fail_after >= len(script.tokens):
            raise _scripted_failure(Code.UNAVAILABLE)
        yield StreamEnd(script.finish, script.usage)

    def _script(self, request: CompletionRequest) -> _Script:
        last_user = _last_user_message(request.messages)
        answer = self.prefix + last_user
        finish = FinishReason.STOP
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
        return _Script(
            tokens=tokens,
            finish=finish,
            usage=Usage(input_tokens=prompt_words, output_tokens=len(tokens)),
            fail_code=_code(int(fail.group(1))) if fail else None,
            fail_after=int(fail_after.group(1)) if fail_after else None,
            delay=int(delay.group(1)) / 1000 if delay else self.delay_seconds,
        )


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
