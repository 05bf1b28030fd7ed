"""Stateless chat completions for the OpenAI-compatible surface.

Nothing is stored but usage: the client sends the whole chat each time, as
OpenAI's API expects. Requests are checked before any byte of an answer is
sent, so a streamed request that cannot run fails with a plain error answer.
"""

import asyncio
import secrets
import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

from domain import catalog, prompt, usage
from domain.identity import Caller
from domain.services import Services
from domain.storable import storable
from errors import ApiError, Code
from providers.base import (
    ChatMessage,
    CompletionRequest,
    FinishReason,
    GenerationParams,
    Generator,
    ModelSpec,
    StreamEnd,
    TextDelta,
)

_FINISH = {
    FinishReason.STOP: "stop",
    FinishReason.STOP_SEQUENCE: "stop",
    FinishReason.LENGTH: "length",
    FinishReason.CONTENT_FILTER: "content_filter",
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


def prepare(svc: Services, body: Mapping[str, Any]) -> PreparedChat:
    """Checks the request against the catalog and the model's limits (5, 9, 3, 11)."""
    model_id = str(body["model"])
    spec = svc.providers.model(model_id)
    if spec is None:
        raise ApiError(Code.NOT_FOUND, f"model {model_id!r} is not in the catalog (see /models)")
    provider = catalog.callable_model(svc.providers, spec)
    system_parts: list[str] = []
    turns: list[ChatMessage] = []
    for message in body["messages"]:
        if message["role"] in ("system", "developer"):
            system_parts.append(message["content"])
        else:
            turns.append(ChatMessage(role=message["role"], content=message["content"]))
    if not turns:
        raise ApiError(
            Code.INVALID_ARGUMENT, "messages needs at least one user or assistant message"
        )
    system = "\n\n".join(system_parts) or None
    requested = body.get("max_completion_tokens", body.get("max_tokens"))
    max_output = prompt.max_output_tokens(spec, requested)
    needed = prompt.prompt_tokens(system, turns) + max_output
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
            messages=turns,
            system=system,
            params=params,
            timeout=svc.generation_timeout,
        ),
        include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
    )


def _usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": input_tokens,
        "completion_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }


async def complete(svc: Services, caller: Caller, chat: PreparedChat) -> dict[str, Any]:
    input_tokens = output_tokens = 0
    model = chat.model.id
    try:
        answer = await chat.provider.complete(chat.request)
        input_tokens, output_tokens = answer.usage.input_tokens, answer.usage.output_tokens
        model = answer.answered_by or model  # a fallback answered: say so, charge it
    finally:
        # Failed generations count as requests too (usage rows say so).
        await usage.record(
            svc.db,
            user_id=caller.user_id,
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
        )
    return {
        "id": chat.id,
        "object": "chat.completion",
        "created": chat.created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": storable(answer.text)},
                "finish_reason": _FINISH[answer.finish_reason],
            }
        ],
        "usage": _usage(input_tokens, output_tokens),
    }


async def stream(
    svc: Services, caller: Caller, chat: PreparedChat
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
    events = chat.provider.stream(chat.request)
    try:
        yield "chunk", {**head, "choices": [{"index": 0, "delta": {"role": "assistant"}}]}
        async for event in events:
            if isinstance(event, TextDelta):
                text = storable(event.text)  # no lone surrogate can reach the UTF-8 body
                written.append(text)
                yield "chunk", {**head, "choices": [{"index": 0, "delta": {"content": text}}]}
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
            usage.record(
                svc.db,
                user_id=caller.user_id,
                model=model,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
            )
        )


def list_models(svc: Services) -> dict[str, Any]:
    """The available models, in OpenAI's list shape."""
    data = [
        {"id": entry.spec.id, "object": "model", "created": 0, "owned_by": entry.spec.provider}
        for entry in catalog.list_models(svc.providers)
        if entry.availability.available
    ]
    return {"object": "list", "data": data}
