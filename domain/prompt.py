"""Building the prompt of a turn within the model's context window.

Token counts are providers.base's estimates (no tokenizer per model), the same
the providers fall back on for usage an upstream did not report.

History is whole turns (a user message and its answer), newest kept first:
the oldest turns are dropped until the rest fits. A turn whose answer failed
or was cancelled before any text is left out with its user message, so the
model sees alternating user/assistant messages (Bedrock requires it).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from errors import ApiError, Code
from providers.base import ChatMessage, ModelSpec
from providers.base import estimate_tokens as estimate_tokens
from providers.base import message_tokens as message_tokens
from providers.base import prompt_tokens as prompt_tokens

# A stored message as history needs it: (role, content, status), as store.messages.before reads.
HistoryEntry = tuple[str, str, str]


def max_output_tokens(model: ModelSpec, requested: int | None) -> int:
    """The answer's token limit: the request's, which may not exceed the model's (11 otherwise)."""
    if requested is None:
        return model.max_output_tokens
    if requested > model.max_output_tokens:
        raise ApiError(
            Code.OUT_OF_RANGE,
            f"maxTokens {requested} exceeds the {model.max_output_tokens} tokens "
            f"model {model.id!r} can write",
        )
    return requested


def history_budget(model: ModelSpec, system: str, new_message: str, max_output: int) -> int:
    """Tokens left for history; OUT_OF_RANGE (11) when even the new message alone does not fit."""
    needed = estimate_tokens(system) + message_tokens(new_message) + max_output
    if needed > model.context_window:
        raise ApiError(
            Code.OUT_OF_RANGE,
            f"the message needs about {needed} tokens with the system prompt and the answer "
            f"({max_output} tokens), more than the {model.context_window} tokens "
            f"of model {model.id!r}",
        )
    return model.context_window - needed


@dataclass
class HistoryBuilder:
    """Takes messages newest first (in batches) and keeps the newest whole turns that fit."""

    budget: int
    turns: list[tuple[str, str]] = field(default_factory=list)  # (user, assistant), newest first
    used: int = 0
    full: bool = False
    _answer: HistoryEntry | None = None

    def feed(self, newest_first: Iterable[HistoryEntry]) -> None:
        for entry in newest_first:
            if self.full:
                return
            role, content, _status = entry
            if role == "ASSISTANT":
                self._answer = entry
                continue
            answer, self._answer = self._answer, None
            if answer is None or not _usable(answer):
                continue  # an unanswered or failed turn: dropped whole
            cost = message_tokens(content) + message_tokens(answer[1])
            if self.used + cost > self.budget:
                self.full = True  # older turns are dropped, not skipped over
                return
            self.used += cost
            self.turns.append((content, answer[1]))

    def messages(self, new_message: str) -> list[ChatMessage]:
        """History oldest first, then the new user message."""
        chat: list[ChatMessage] = []
        for user, assistant in reversed(self.turns):
            chat.append(ChatMessage("user", user))
            chat.append(ChatMessage("assistant", assistant))
        chat.append(ChatMessage("user", new_message))
        return chat


def _usable(answer: HistoryEntry) -> bool:
    _role, content, status = answer
    if status == "COMPLETE":
        return True
    return status == "CANCELLED" and bool(content.strip())
