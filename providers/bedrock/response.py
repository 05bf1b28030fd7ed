"""Converse's answer and ConverseStream's events as our Completion and StreamEvents."""

import json
from collections.abc import Mapping
from typing import Any

from errors import ApiError, Code
from providers.base import (
    Completion,
    CompletionRequest,
    FinishReason,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
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
    "tool_use": FinishReason.TOOL_CALLS,
}


def completion(
    who: str, request: CompletionRequest, answer: Mapping[str, Any], structured: bool = False
) -> Completion:
    """A Converse answer; UNAVAILABLE (14) when it is not shaped as Converse's.

    `structured`: the answer is the forced tool's input, returned as the text.
    """
    try:
        blocks = answer["output"]["message"]["content"]
        text = "".join(str(block["text"]) for block in blocks if "text" in block)
        calls = tuple(
            ToolCall(
                str(block["toolUse"]["toolUseId"]),
                str(block["toolUse"]["name"]),
                json.dumps(block["toolUse"].get("input") or {}),
            )
            for block in blocks
            if "toolUse" in block
        )
    except (KeyError, TypeError) as exc:
        raise ApiError(Code.UNAVAILABLE, f"{who}: malformed answer") from exc
    finish = read_finish(answer.get("stopReason"))
    if structured:
        if not calls:
            raise ApiError(Code.UNAVAILABLE, f"{who}: the structured answer is missing")
        text, calls = calls[0].arguments, ()
        finish = FinishReason.STOP if finish is FinishReason.TOOL_CALLS else finish
    usage = read_usage(answer.get("usage")) or estimate_usage(request, text)
    return Completion(text, finish, usage, tool_calls=calls)


class StreamMapping:
    """ConverseStream's events, one at a time, as our stream events (and how it ended).

    A toolUse block's contentBlockStart opens tool call number n (its id and
    name), its contentBlockDeltas carry the input's JSON text in pieces. With
    `structured`, those pieces are the answer's text instead.
    """

    def __init__(self, structured: bool = False) -> None:
        self.structured = structured
        self.parts: list[str] = []
        self.finish: FinishReason | None = None  # set by messageStop
        self.usage: Usage | None = None  # set by metadata
        self._calls: dict[int, int] = {}  # contentBlockIndex -> tool call index

    def events(self, event: Mapping[str, Any]) -> list[StreamEvent]:
        """What one ConverseStream event adds to the answer."""
        if "contentBlockStart" in event:
            start = event["contentBlockStart"]
            tool_use = start.get("start", {}).get("toolUse")
            if tool_use is not None:
                index = self._calls.setdefault(start.get("contentBlockIndex", 0), len(self._calls))
                if not self.structured:
                    return [
                        ToolCallDelta(index, "", str(tool_use["toolUseId"]), str(tool_use["name"]))
                    ]
        elif "contentBlockDelta" in event:
            block = event["contentBlockDelta"]
            delta = block.get("delta", {})
            # Text and tool input: reasoningContent deltas are not mapped.
            text = delta.get("text")
            if text:
                self.parts.append(text)
                return [TextDelta(text)]
            tool_input = (delta.get("toolUse") or {}).get("input")
            if tool_input:
                self.parts.append(tool_input)
                if self.structured:
                    return [TextDelta(tool_input)]
                index = self._calls.get(block.get("contentBlockIndex", 0), 0)
                return [ToolCallDelta(index, tool_input)]
        elif "messageStop" in event:
            self.finish = read_finish(event["messageStop"].get("stopReason"))
            if self.structured and self.finish is FinishReason.TOOL_CALLS:
                self.finish = FinishReason.STOP
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
