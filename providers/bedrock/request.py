"""A CompletionRequest as Converse's (and ConverseStream's) parameters."""

from typing import Any

from providers.base import ChatMessage, CompletionRequest


def converse_kwargs(request: CompletionRequest) -> dict[str, Any]:
    """Converse's parameters; ConverseStream takes the same."""
    # Blank text (whitespace included) is left out: Bedrock rejects a blank block.
    system = [text for text in (request.system or "", *_system_turns(request)) if text.strip()]
    messages: list[dict[str, Any]] = []
    for message in request.messages:
        if message.role != "system" and message.content.strip():
            _append(messages, message)
    params = request.params
    inference: dict[str, Any] = {"maxTokens": params.max_tokens or request.model.max_output_tokens}
    # Unset values are left out so the model applies its own defaults.
    if params.temperature is not None:
        inference["temperature"] = params.temperature
    if params.top_p is not None:
        inference["topP"] = params.top_p
    if params.stop:
        inference["stopSequences"] = list(params.stop)
    kwargs: dict[str, Any] = {
        "modelId": request.model.upstream_id,
        "messages": messages,
        "inferenceConfig": inference,
    }
    if system:
        kwargs["system"] = [{"text": text} for text in system]
    return kwargs


def _system_turns(request: CompletionRequest) -> list[str]:
    """System turns inside the history (the OpenAI endpoint allows them): Converse takes
    them only in `system`."""
    return [m.content for m in request.messages if m.role == "system"]


def _append(messages: list[dict[str, Any]], message: ChatMessage) -> None:
    """Consecutive turns of one role become one message: Converse wants them alternating."""
    block = {"text": message.content}
    if messages and messages[-1]["role"] == message.role:
        messages[-1]["content"].append(block)
    else:
        messages.append({"role": message.role, "content": [block]})
