"""A CompletionRequest as Converse's (and ConverseStream's) parameters.

Images become `image` blocks, an assistant's tool calls `toolUse` blocks, tool
messages `toolResult` blocks of a user message, `tools` the `toolConfig`.
Structured output is done the way Converse can: one forced tool whose input
schema is the requested schema (STRUCTURED_TOOL), its input returned as the
message content (providers.bedrock.response).
"""

import json
from typing import Any

from errors import ApiError, Code
from providers.base import ChatMessage, CompletionRequest, Tool

# The forced tool of a request with a response_format.
STRUCTURED_TOOL = "structured_answer"
_ANY_OBJECT: dict[str, Any] = {"type": "object"}


def converse_kwargs(request: CompletionRequest) -> dict[str, Any]:
    """Converse's parameters; ConverseStream takes the same."""
    # Blank text (whitespace included) is left out: Bedrock rejects a blank block.
    system = [text for text in (request.system or "", *_system_turns(request)) if text.strip()]
    messages: list[dict[str, Any]] = []
    for message in request.messages:
        if message.role != "system":
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
    tool_config = _tool_config(request, messages)
    if tool_config is not None:
        kwargs["toolConfig"] = tool_config
    return kwargs


def structured(request: CompletionRequest) -> bool:
    """Whether the answer is the input of the forced STRUCTURED_TOOL."""
    return request.response_format is not None


def _tool_config(
    request: CompletionRequest, messages: list[dict[str, Any]]
) -> dict[str, Any] | None:
    format_ = request.response_format
    if format_ is not None:
        if request.tools:
            raise ApiError(
                Code.INVALID_ARGUMENT,
                "over Bedrock, response_format is a forced tool: it cannot be combined with tools",
            )
        description = format_.description or "Write the answer as this tool's input."
        schema = dict(format_.schema) if format_.schema else _ANY_OBJECT
        spec = Tool(STRUCTURED_TOOL, description, schema)
        return {"tools": [_tool_spec(spec)], "toolChoice": {"tool": {"name": STRUCTURED_TOOL}}}
    history_uses_tools = any(
        "toolUse" in block or "toolResult" in block for m in messages for block in m["content"]
    )
    choice = request.tool_choice
    if not request.tools or (choice.mode == "none" and not history_uses_tools):
        return None
    # Converse has no "none": with tool blocks in the history it needs the tools
    # declared, so the model is then left to decide (documented).
    config: dict[str, Any] = {"tools": [_tool_spec(tool) for tool in request.tools]}
    if choice.mode == "required":
        config["toolChoice"] = {"any": {}}
    elif choice.mode == "function":
        config["toolChoice"] = {"tool": {"name": choice.name}}
    elif choice.mode == "auto":
        config["toolChoice"] = {"auto": {}}
    return config


def _tool_spec(tool: Tool) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": tool.name,
        "inputSchema": {"json": dict(tool.parameters) if tool.parameters else _ANY_OBJECT},
    }
    if tool.description:
        spec["description"] = tool.description
    return {"toolSpec": spec}


def _system_turns(request: CompletionRequest) -> list[str]:
    """System turns inside the history (the OpenAI endpoint allows them): Converse takes
    them only in `system`."""
    return [m.content for m in request.messages if m.role == "system"]


def _blocks(message: ChatMessage) -> list[dict[str, Any]]:
    if message.role == "tool":
        result = {
            "toolUseId": message.tool_call_id,
            "content": [{"text": message.content or "(empty)"}],
        }
        return [{"toolResult": result}]
    blocks: list[dict[str, Any]] = []
    if message.content.strip():
        blocks.append({"text": message.content})
    blocks += [
        {"image": {"format": image.format, "source": {"bytes": image.data}}}
        for image in message.images
    ]
    blocks += [
        {"toolUse": {"toolUseId": call.id, "name": call.name, "input": json.loads(call.arguments)}}
        for call in message.tool_calls
    ]
    return blocks


def _append(messages: list[dict[str, Any]], message: ChatMessage) -> None:
    """Consecutive turns of one role become one message: Converse wants them alternating
    (tool results are a user's turn)."""
    blocks = _blocks(message)
    if not blocks:
        return
    role = "user" if message.role == "tool" else message.role
    if messages and messages[-1]["role"] == role:
        messages[-1]["content"].extend(blocks)
    else:
        messages.append({"role": role, "content": blocks})
