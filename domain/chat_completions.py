"""Stateless chat completions for the OpenAI-compatible surface.

Nothing is stored but usage, in batches (domain.usage_batcher): the client
sends the whole chat each time, as OpenAI's API expects. Requests are checked
before any byte of an answer is sent, so a streamed request that cannot run
fails with a plain error answer.
"""

import asyncio
import secrets
import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

from domain import catalog, chat_request, prompt, usage
from domain.admission import Ticket
from domain.identity import Caller
from domain.services import Services
from domain.storable import storable
from errors import ApiError, Code
from providers.base import (
    CompletionRequest,
    FinishReason,
    GenerationParams,
    Generator,
    ModelSpec,
    StreamEnd,
    TextDelta,
    ToolCall,
    ToolCallDelta,
)

_FINISH = {
    FinishReason.STOP: "stop",
    FinishReason.STOP_SEQUENCE: "stop",
    FinishReason.LENGTH: "length",
    FinishReason.CONTENT_FILTER: "content_filter",
    FinishReason.TOOL_CALLS: "tool_calls",
}
MAX_STOP_SEQUENCES = 4


@dataclass(frozen=True)
class PreparedChat:
    """A checked request: what to call, and how to answer."""

    id: str
    created: int
    model: ModelSpec
    provider: Generator
    request: CompletionRequest
    include_usage: bool
    # Prompt tokens plus the answer's max_tokens: what admission reserves.
    estimated_tokens: int = 0


def _stop_sequences(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or len(items) > MAX_STOP_SEQUENCES
        or not all(isinstance(item, str) and item for item in items)
    ):
        raise ApiError(
            Code.INVALID_ARGUMENT,
            f"stop must be a non-empty string or an array of up to {MAX_STOP_SEQUENCES} of them",
        )
    return tuple(items)


async def prepare(svc: Services, body: Mapping[str, Any]) -> PreparedChat:
    """Checks the request against the catalog, the model's limits and capabilities (5, 9, 3, 11)."""
    model_id = str(body["model"])
    spec = svc.providers.model(model_id)
    if spec is None:
        raise ApiError(Code.NOT_FOUND, f"model {model_id!r} is not in the catalog (see /models)")
    if "chat" not in spec.capabilities:
        raise ApiError(Code.INVALID_ARGUMENT, f"model {model_id!r} does not chat (it embeds)")
    provider = catalog.callable_model(svc.providers, spec, svc.observer)
    chat = await chat_request.parse(
        body, spec, svc.providers.provider_type(spec.provider), svc.images
    )
    requested = body.get("max_completion_tokens", body.get("max_tokens"))
    max_output = prompt.max_output_tokens(spec, requested)
    needed = prompt.prompt_tokens(chat.system, chat.messages) + max_output
    if needed > spec.context_window:
        raise ApiError(
            Code.OUT_OF_RANGE,
            f"the messages need about {needed} tokens with the answer ({max_output} tokens), "
            f"more than the {spec.context_window} tokens of model {spec.id!r}",
        )
    params = GenerationParams(
        max_tokens=max_output,
        temperature=body.get("temperature"),
        top_p=body.get("top_p"),
        stop=_stop_sequences(body.get("stop")),
    )
    return PreparedChat(
        id=f"chatcmpl-{secrets.token_hex(12)}",
        created=int(time.time()),
        model=spec,
        provider=provider,
        request=CompletionRequest(
            model=spec,
            messages=chat.messages,
            system=chat.system,
            params=params,
            timeout=svc.generation_timeout,
            tools=chat.tools,
            tool_choice=chat.tool_choice,
            parallel_tool_calls=chat.parallel_tool_calls,
            response_format=chat.response_format,
            passthrough=chat.passthrough,
        ),
        include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
        estimated_tokens=needed,
    )


async def admit(svc: Services, caller: Caller, chat: PreparedChat, *, stream: bool) -> Ticket:
    """The limits' admission (7, 8), before any byte of the answer; settled by complete/stream."""
    return await svc.limits.admit(
        caller,
        chat.model.id,
        estimated_tokens=chat.estimated_tokens,
        max_output=chat.request.params.max_tokens or 0,
        stream=stream,
    )


def _one_call_only(chat: PreparedChat) -> bool:
    """`parallel_tool_calls: false`: an answer keeps its first tool call only, whatever the
    upstream can be told (Converse has no such switch)."""
    return chat.request.parallel_tool_calls is False


def _tool_call(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


def _tool_call_delta(delta: ToolCallDelta) -> dict[str, Any]:
    piece: dict[str, Any] = {"index": delta.index}
    function: dict[str, Any] = {"arguments": delta.arguments}
    if delta.id is not None:
        piece["id"] = delta.id
        piece["type"] = "function"
    if delta.name is not None:
        function["name"] = delta.name
    piece["function"] = function
    return piece


def _usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": input_tokens,
        "completion_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }


async def complete(
    svc: Services, caller: Caller, chat: PreparedChat, ticket: Ticket
) -> dict[str, Any]:
    input_tokens = output_tokens = 0
    model = chat.model.id
    try:
        answer = await chat.provider.complete(chat.request)
        input_tokens, output_tokens = answer.usage.input_tokens, answer.usage.output_tokens
        model = answer.answered_by or model  # a fallback answered: say so, charge it
    finally:
        # Failed generations count as requests too (usage rows say so).
        await asyncio.shield(
            usage.count_and_settle(svc, caller, ticket, model, input_tokens, output_tokens)
        )
    calls = answer.tool_calls[:1] if _one_call_only(chat) else answer.tool_calls
    text = storable(answer.text)  # no lone surrogate can reach the UTF-8 body
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = [_tool_call(call) for call in calls]
        message["content"] = text or None
    return {
        "id": chat.id,
        "object": "chat.completion",
        "created": chat.created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": _FINISH[answer.finish_reason],
            }
        ],
        "usage": _usage(input_tokens, output_tokens),
    }


async def stream(
    svc: Services, caller: Caller, chat: PreparedChat, ticket: Ticket
) -> AsyncGenerator[tuple[str, dict[str, Any]], None]:
    """("chunk", ChatCompletionChunk) events; ("error", envelope) if the upstream fails midway.

    Closing the iterator (client gone) closes the provider's stream, which
    stops the upstream; the tokens written so far are still counted.
    """
    head = {
        "id": chat.id,
        "object": "chat.completion.chunk",
        "created": chat.created,
        "model": chat.model.id,
    }
    input_tokens = output_tokens = 0
    model = chat.model.id
    written: list[str] = []
    events = svc.drain.guard(chat.provider.stream(chat.request))  # a graceful stop may end it
    try:
        yield "chunk", {**head, "choices": [{"index": 0, "delta": {"role": "assistant"}}]}
        async for event in events:
            if isinstance(event, TextDelta):
                text = storable(event.text)  # no lone surrogate can reach the UTF-8 body
                written.append(text)
                yield "chunk", {**head, "choices": [{"index": 0, "delta": {"content": text}}]}
            elif isinstance(event, ToolCallDelta):
                if event.index and _one_call_only(chat):
                    continue
                written.append(event.arguments)
                delta = {"tool_calls": [_tool_call_delta(event)]}
                yield "chunk", {**head, "choices": [{"index": 0, "delta": delta}]}
            elif isinstance(event, StreamEnd):
                input_tokens = event.usage.input_tokens
                output_tokens = event.usage.output_tokens
                if event.answered_by:  # a fallback answered; later chunks name it
                    head["model"] = model = event.answered_by
                yield (
                    "chunk",
                    {
                        **head,
                        "choices": [
                            {"index": 0, "delta": {}, "finish_reason": _FINISH[event.finish_reason]}
                        ],
                    },
                )
        if chat.include_usage:
            yield "chunk", {**head, "choices": [], "usage": _usage(input_tokens, output_tokens)}
    except ApiError as exc:
        yield "error", exc.to_envelope()
    finally:
        await events.aclose()
        if not output_tokens and written:
            output_tokens = prompt.estimate_tokens("".join(written))
        # Shielded: a client that leaves cancels this task, but its tokens still count.
        await asyncio.shield(
            usage.count_and_settle(svc, caller, ticket, model, input_tokens, output_tokens)
        )


def list_models(svc: Services) -> dict[str, Any]:
    """The available models, in OpenAI's list shape."""
    data = [
        {
            "id": entry.spec.id,
            "object": "model",
            "created": 0,
            "owned_by": entry.spec.provider,
            "capabilities": sorted(entry.spec.capabilities),
        }
        for entry in catalog.list_models(svc.providers)
        if entry.availability.available
    ]
    return {"object": "list", "data": data}
