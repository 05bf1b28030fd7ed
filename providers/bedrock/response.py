"""Converse's answer and ConverseStream's events as our Completion and StreamEvents."""

from collections.abc import Mapping
from typing import Any

from errors import ApiError, Code
from providers.base import (
    Completion,
    CompletionRequest,
    FinishReason,
    StreamEvent,
    TextDelta,
    Usage,
    estimate_usage,
)

_FINISH = {
    "end_turn": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "model_context_window_exceeded": FinishReason.LENGTH,
    "stop_sequence": FinishReason.STOP_SEQUENCE,
    "guardrail_intervened": FinishReason.CONTENT_FILTER,
    "content_filtered": FinishReason.CONTENT_FILTER,
}


def completion(who: str, request: CompletionRequest, answer: Mapping[str, Any]) -> Completion:
    """A Converse answer; UNAVAILABLE (14) when it is not shaped as Converse's."""
    try:
        blocks = answer["output"]["message"]["content"]
        text = "".join(str(block["text"]) for block in blocks if "text" in block)
    except (KeyError, TypeError) as exc:
        raise ApiError(Code.UNAVAILABLE, f"{who}: malformed answer") from exc
    usage = read_usage(answer.get("usage")) or estimate_usage(request, text)
    return Completion(text, read_finish(answer.get("stopReason")), usage)


class StreamMapping:
    """ConverseStream's events, one at a time, as our stream events (and how it ended)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.finish: FinishReason | None = None  # set by messageStop
        self.usage: Usage | None = None  # set by metadata

    def events(self, event: Mapping[str, Any]) -> list[StreamEvent]:
        """What one ConverseStream event adds to the answer."""
        if "contentBlockDelta" in event:
            # Only text: reasoningContent deltas are not mapped.
            text = event["contentBlockDelta"].get("delta", {}).get("text")
            if text:
                self.parts.append(text)
                return [TextDelta(text)]
        elif "messageStop" in event:
            self.finish = read_finish(event["messageStop"].get("stopReason"))
        elif "metadata" in event:
            self.usage = read_usage(event["metadata"].get("usage"))
        return []

    @property
    def text(self) -> str:
        return "".join(self.parts)


def read_finish(value: object) -> FinishReason:
    return _FINISH.get(str(value), FinishReason.STOP)


def read_usage(value: object) -> Usage | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return Usage(int(value["inputTokens"]), int(value["outputTokens"]))
    except (KeyError, TypeError, ValueError):
        return None
