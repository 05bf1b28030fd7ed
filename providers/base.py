"""The provider interface every LLM back end implements, and the values it speaks in.

A provider turns a `CompletionRequest` into a `Completion` (or a stream of
`StreamEvent`s). It raises `errors.ApiError` with our gRPC code for every
upstream failure, so callers never see an SDK's own exception types.
"""

import math
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class Image:
    """An image of a user message, already decoded and checked (domain.images)."""

    media_type: str  # image/png | image/jpeg | image/gif | image/webp
    data: bytes

    @property
    def format(self) -> str:
        """`png`, `jpeg`, `gif` or `webp`, as Bedrock names them."""
        return self.media_type.removeprefix("image/")


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A call the model made of one of the request's tools."""

    id: str
    name: str
    arguments: str  # a JSON object, as text


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One turn of the conversation as the model sees it.

    A `tool` message carries the result of the call `tool_call_id` names; an
    assistant message may carry `tool_calls` (and no text).
    """

    role: Role
    content: str
    images: tuple[Image, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True, slots=True)
class Tool:
    """A function the model may call, with the JSON Schema of its arguments."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    strict: bool | None = None


@dataclass(frozen=True, slots=True)
class ToolChoice:
    """`auto`, `none`, `required`, or `function` (then `name` says which)."""

    mode: Literal["auto", "none", "required", "function"] = "auto"
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ResponseFormat:
    """The answer's shape: `json_object` (any JSON object) or `json_schema` (matching `schema`)."""

    type: Literal["json_object", "json_schema"]
    name: str = "response"
    description: str = ""
    schema: Mapping[str, Any] | None = None
    strict: bool | None = None


@dataclass(frozen=True, slots=True)
class GenerationParams:
    """Inference settings; None means the model's own default."""

    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A catalog entry (config `models:`): our model id and how to reach it upstream."""

    id: str
    provider: str  # name of a `providers:` entry in the config
    upstream_id: str
    context_window: int
    max_output_tokens: int
    display_name: str = ""
    description: str = ""
    enabled: bool = True
    test_model: bool = False
    fallbacks: tuple[str, ...] = ()
    # What it can do: chat, embeddings, tools, vision (config `capabilities`).
    capabilities: frozenset[str] = frozenset({"chat"})
    # Provider-specific per-model overrides (endpoint_url, timeouts, ...).
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    model: ModelSpec
    messages: Sequence[ChatMessage]  # user/assistant turns, oldest first
    system: str | None = None
    params: GenerationParams = GenerationParams()
    # Seconds the caller will wait for the whole answer; None: provider default.
    timeout: float | None = None
    tools: tuple[Tool, ...] = ()
    tool_choice: ToolChoice = ToolChoice()
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None  # None: plain text
    # OpenAI parameters only an OpenAI-compatible upstream honours (penalties, ...),
    # sent to it as they are; other providers never get a request that has any.
    passthrough: Mapping[str, Any] = field(default_factory=dict)


class FinishReason(StrEnum):
    STOP = "stop"  # the model ended its answer
    LENGTH = "length"  # max_tokens or the context window was reached
    STOP_SEQUENCE = "stop_sequence"  # one of the stop sequences was produced
    CONTENT_FILTER = "content_filter"  # the upstream's guardrail stopped it
    TOOL_CALLS = "tool_calls"  # the model called tools and waits for their results


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int
    output_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


# Token counts estimated without a tokenizer (none per model): the larger of the word
# count and a quarter of the characters, plus a few tokens per message for the role
# markers. Overestimating is the safe side: the domain sizes prompts with these, and an
# upstream refuses a prompt that does not fit only after the user waited.
MESSAGE_OVERHEAD_TOKENS = 4


def estimate_tokens(text: str) -> int:
    if not text:
        return 0
    return max(len(text.split()), math.ceil(len(text) / 4))


def message_tokens(text: str) -> int:
    return estimate_tokens(text) + MESSAGE_OVERHEAD_TOKENS


def prompt_tokens(system: str | None, messages: Iterable[ChatMessage]) -> int:
    """Tokens of a whole prompt: the system prompt and each message with its overhead."""
    return estimate_tokens(system or "") + sum(message_tokens(m.content) for m in messages)


def estimate_usage(request: "CompletionRequest", text: str) -> Usage:
    """Usage for an upstream that reported none (a stream without its final usage),
    by the same estimate the domain sizes prompts with, so accounting is never zero."""
    return Usage(max(1, prompt_tokens(request.system, request.messages)), estimate_tokens(text))


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    finish_reason: FinishReason
    usage: Usage
    # The model that answered when it was not the one asked (a fallback); None: that one.
    answered_by: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer, in order."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of a tool call: the first of call `index` has its id and name, the next
    ones more of its arguments' JSON text."""

    index: int
    arguments: str = ""
    id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """The last event of a successful stream."""

    finish_reason: FinishReason
    usage: Usage
    answered_by: str | None = None  # as in Completion


StreamEvent = TextDelta | ToolCallDelta | StreamEnd


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether a model can be called now, and if not, why (shown in the catalog)."""

    available: bool
    reason: str = ""


class Generator(Protocol):
    """What a caller needs to get one answer from a model: whole, or streamed."""

    async def complete(self, request: CompletionRequest) -> Completion:
        """The whole answer. Raises ApiError with a mapped code on failure."""
        ...

    def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent, None]:
        """An async generator of TextDelta (and ToolCallDelta) events ending with one StreamEnd.

        Closing the generator early (`aclose()`, or the consuming task being
        cancelled) must stop the upstream call: no tokens keep flowing.
        Raises ApiError with a mapped code when the stream fails midway.
        """
        ...


class Provider(Generator, Protocol):
    """An LLM back end. One instance per `providers:` config entry, built at start-up."""

    name: str

    def availability(self, model: ModelSpec) -> Availability:
        """Cheap, no network: is the provider configured (credentials present, URL set)?"""
        ...

    async def check_ready(self) -> Availability:
        """For /readyz: may touch the network, bounded by a short timeout."""
        ...

    async def aclose(self) -> None:
        """Release clients and connection pools at shutdown."""
        ...


@dataclass(frozen=True, slots=True)
class EmbeddingRequest:
    model: ModelSpec
    texts: Sequence[str]
    dimensions: int | None = None  # None: the model's own length
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Embeddings:
    vectors: list[list[float]]  # one per text, in order
    input_tokens: int


@runtime_checkable
class Embedder(Protocol):
    """A provider that can embed texts (models with the `embeddings` capability)."""

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        """One vector per text; ApiError with a mapped code on failure (3 for a
        `dimensions` the model cannot produce)."""
        ...
