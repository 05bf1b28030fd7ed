"""Embeddings for the OpenAI-compatible surface: checked, admitted, computed, counted in usage.

Like chat completions, nothing is stored but usage (its input tokens, no output,
with their cost). A call costs money and tokens like a generation, so it is
admitted against the same limits first (domain.admission: the key's model
allow-list, requests and tokens per minute, token and cost budgets), reserving
the input's estimated tokens, and settled with what the model counted.
"""

import asyncio
import base64
import struct
from collections.abc import Mapping
from typing import Any

from domain import catalog, prompt, usage
from domain.deadline import deadline_error
from domain.identity import Caller
from domain.services import Services
from errors import ApiError, Code
from providers.base import Embedder, EmbeddingRequest


def _texts(raw: Any) -> list[str]:
    return [raw] if isinstance(raw, str) else [str(text) for text in raw]


async def create(
    svc: Services, caller: Caller, body: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """POST /openai/v1/embeddings: the answer and its x-ratelimit-* headers.

    5 unknown model, 3 a model that does not embed, 9 unavailable, 7 a model the
    key may not use, 8 a limit reached (nothing counted)."""
    model_id = str(body["model"])
    spec = svc.providers.model(model_id)
    if spec is None:
        raise ApiError(Code.NOT_FOUND, f"model {model_id!r} is not in the catalog (see /models)")
    if "embeddings" not in spec.capabilities:
        raise ApiError(
            Code.INVALID_ARGUMENT,
            f"model {model_id!r} does not make embeddings (its capabilities: "
            f"{', '.join(sorted(spec.capabilities))})",
        )
    catalog.callable_model(svc.providers, spec)  # 9 with the reason when it cannot be called
    provider = svc.providers.provider(spec.provider)
    if not isinstance(provider, Embedder):
        raise ApiError(
            Code.FAILED_PRECONDITION,
            f"provider {spec.provider!r} of model {model_id!r} cannot embed",
        )
    request = EmbeddingRequest(
        spec, _texts(body["input"]), body.get("dimensions"), svc.generation_timeout
    )
    estimated = sum(prompt.estimate_tokens(text) for text in request.texts)
    ticket = await svc.limits.admit(
        caller, spec.id, estimated_tokens=estimated, max_output=0, stream=False
    )
    input_tokens = 0
    try:
        if request.timeout is None:
            result = await provider.embed(request)
        else:
            try:
                async with asyncio.timeout(request.timeout):
                    result = await provider.embed(request)
            except TimeoutError:
                raise deadline_error(request.timeout) from None
        input_tokens = result.input_tokens
    finally:
        # Shielded: a client that leaves cancels this task, but the call still counts.
        await asyncio.shield(usage.count_and_settle(svc, caller, ticket, spec.id, input_tokens))
    as_base64 = body.get("encoding_format") == "base64"
    answer = {
        "object": "list",
        "data": [
            {
                "object": "embedding",
                "index": index,
                "embedding": _base64(vector) if as_base64 else vector,
            }
            for index, vector in enumerate(result.vectors)
        ],
        "model": spec.id,
        "usage": {"prompt_tokens": input_tokens, "total_tokens": input_tokens},
    }
    return answer, ticket.rate_headers()


def _base64(vector: list[float]) -> str:
    """OpenAI's base64 form: the vector as little-endian float32s."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
