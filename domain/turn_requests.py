"""A SendMessageRequest as the domain's TurnInput: the inference settings it carries."""

from domain.turns import TurnInput
from handlers.api_types import SendMessageRequest
from providers.base import GenerationParams


def turn_input(request: SendMessageRequest) -> TurnInput:
    """What one turn asks for; unset settings stay None (the model's defaults)."""
    return TurnInput(
        content=request.get("content") or "",
        model=request.get("model") or "",
        params=GenerationParams(
            max_tokens=request.get("maxTokens"),
            temperature=request.get("temperature"),
            top_p=request.get("topP"),
            stop=tuple(request.get("stop") or ()),
        ),
    )
