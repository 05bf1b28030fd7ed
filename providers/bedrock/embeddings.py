"""Embeddings over Bedrock's InvokeModel, for the two families it serves: Amazon Titan Text
Embeddings v2 (one text per call, `dimensions` 256, 512 or 1024) and Cohere Embed v3
(up to 96 texts per call, 1024 numbers each, no other length).

The family is read from the upstream model id (`amazon.titan-embed-text-v2:0`,
`cohere.embed-english-v3`, inference profiles and ARNs that contain them).
"""

import json
from collections.abc import Mapping
from typing import Any

from errors import ApiError, Code
from providers.base import EmbeddingRequest

TITAN_DIMENSIONS = (256, 512, 1024)
COHERE_DIMENSIONS = 1024
COHERE_BATCH = 96


def family(upstream_id: str) -> str:
    if "titan-embed" in upstream_id:
        return "titan"
    if "cohere.embed" in upstream_id:
        return "cohere"
    raise ApiError(
        Code.INVALID_ARGUMENT,
        f"upstream model {upstream_id!r} is neither Titan Text Embeddings nor Cohere Embed",
    )


def bodies(request: EmbeddingRequest) -> list[dict[str, Any]]:
    """The InvokeModel bodies for `request`, in order; 3 for a length the model cannot give."""
    kind = family(request.model.upstream_id)
    size = request.dimensions
    if kind == "titan":
        if size is not None and size not in TITAN_DIMENSIONS:
            raise ApiError(
                Code.INVALID_ARGUMENT,
                f"dimensions {size} is not one Titan Text Embeddings v2 gives (256, 512, 1024)",
            )
        extra = {"dimensions": size} if size is not None else {}
        return [{"inputText": text, "normalize": True, **extra} for text in request.texts]
    if size is not None and size != COHERE_DIMENSIONS:
        raise ApiError(
            Code.INVALID_ARGUMENT,
            f"dimensions {size}: Cohere Embed gives {COHERE_DIMENSIONS} numbers, no other length",
        )
    texts = list(request.texts)
    return [
        {"texts": texts[i : i + COHERE_BATCH], "input_type": "search_document", "truncate": "END"}
        for i in range(0, len(texts), COHERE_BATCH)
    ]


def read(
    who: str, answer: Mapping[str, Any], header_tokens: str | None
) -> tuple[list[list[float]], int]:
    """(vectors, input tokens) of one InvokeModel answer, Titan's or Cohere's."""
    try:
        if "embedding" in answer:
            vectors = [[float(x) for x in answer["embedding"]]]
            tokens = int(answer.get("inputTextTokenCount") or header_tokens or 0)
        else:
            found = answer["embeddings"]
            if isinstance(found, Mapping):  # embedding_types given: {"float": [...]}
                found = found["float"]
            vectors = [[float(x) for x in vector] for vector in found]
            tokens = int(header_tokens or 0)
    except (KeyError, TypeError, ValueError) as exc:
        raise ApiError(Code.UNAVAILABLE, f"{who}: malformed embeddings answer") from exc
    return vectors, tokens


def encode(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body).encode()
