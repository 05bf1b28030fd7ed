"""An OpenAI chat request's messages, tools and formats as our provider values, checked.

Every refusal is INVALID_ARGUMENT (3) naming the field, raised before any
upstream is called (nothing is stored for a refused request). What the spec
cannot say is checked here: a tool message answers a call an earlier
assistant message made, `tool_choice` names a declared tool, schemas are JSON
Schema, images are images, the model can do what is asked (its capabilities),
and no parameter that would change the answer is silently dropped.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import jsonschema
import jsonschema.exceptions

from domain import images
from errors import ApiError, Code
from providers.base import ChatMessage, Image, ModelSpec, ResponseFormat, Tool, ToolCall, ToolChoice

# OpenAI parameters that change the answer and that no provider here honours.
REFUSED = {
    "logprobs": "log probabilities are not returned by this server",
    "top_logprobs": "log probabilities are not returned by this server",
    "audio": "audio output is not supported",
    "prediction": "predicted outputs are not supported",
    "logit_bias": "logit bias is not supported",
    "web_search_options": "web search is not supported",
    "functions": "the legacy `functions` parameter is not supported; use `tools`",
    "function_call": "the legacy `function_call` parameter is not supported; use `tool_choice`",
}
# ... and ones only OpenAI-compatible upstreams honour: passed to them, refused elsewhere.
PASSED_THROUGH = ("frequency_penalty", "presence_penalty", "reasoning_effort", "verbosity")


@dataclass(frozen=True, slots=True)
class ChatInput:
    system: str | None
    messages: list[ChatMessage]
    tools: tuple[Tool, ...]
    tool_choice: ToolChoice
    parallel_tool_calls: bool | None
    response_format: ResponseFormat | None
    passthrough: dict[str, Any]


def _bad(message: str) -> ApiError:
    return ApiError(Code.INVALID_ARGUMENT, message)


def refuse_unsupported(body: Mapping[str, Any], provider_type: str) -> dict[str, Any]:
    """3 naming the first parameter that would change the answer and cannot be honoured;
    else the parameters to pass through to an OpenAI-compatible upstream."""
    for name, why in REFUSED.items():
        value = body.get(name)
        if value is not None and value is not False and value != {}:
            raise _bad(f"{name} is not supported: {why}")
    modalities = body.get("modalities")
    if modalities is not None and modalities != ["text"]:
        raise _bad('modalities is not supported: only ["text"] answers are produced')
    n = body.get("n")
    if n is not None and n != 1:
        raise _bad("n is not supported above 1: one choice is returned")
    passthrough = {
        name: body[name]
        for name in PASSED_THROUGH
        if body.get(name) is not None and body.get(name) != 0
    }
    if passthrough and provider_type != "openai":
        name = next(iter(passthrough))
        raise _bad(f"{name} is not supported by this model's provider ({provider_type})")
    return passthrough


async def parse(
    body: Mapping[str, Any], model: ModelSpec, provider_type: str, policy: images.ImagePolicy
) -> ChatInput:
    passthrough = refuse_unsupported(body, provider_type)
    tools = _tools(body.get("tools") or [])
    if tools and "tools" not in model.capabilities:
        raise _bad(f"model {model.id!r} cannot call tools (its capabilities: {_caps(model)})")
    choice = _tool_choice(body.get("tool_choice"), tools)
    system_parts: list[str] = []
    messages: list[ChatMessage] = []
    called: set[str] = set()
    for index, raw in enumerate(body["messages"]):
        where = f"messages[{index}]"
        role = raw["role"]
        if role in ("system", "developer"):
            system_parts.append(_text_only(raw.get("content"), where))
            continue
        if role == "tool":
            call_id = raw.get("tool_call_id")
            if not call_id:
                raise _bad(f"{where}: a tool message needs tool_call_id (the call it answers)")
            if call_id not in called:
                raise _bad(
                    f"{where}.tool_call_id {call_id!r} answers no tool call of an earlier "
                    "assistant message"
                )
            content = _text_only(raw.get("content"), where)
            messages.append(ChatMessage("tool", content, tool_call_id=str(call_id)))
            continue
        calls = tuple(
            _tool_call(c, f"{where}.tool_calls[{i}]")
            for i, c in enumerate(raw.get("tool_calls") or [])
        )
        if calls and role != "assistant":
            raise _bad(f"{where}: only assistant messages have tool_calls")
        called.update(call.id for call in calls)
        text, pictures = await _content(raw.get("content"), where, role, model, policy)
        messages.append(ChatMessage(role, text, images=pictures, tool_calls=calls))
    if not any(m.role in ("user", "assistant", "tool") for m in messages):
        raise _bad("messages needs at least one user or assistant message")
    response_format = _response_format(body.get("response_format"))
    return ChatInput(
        system="\n\n".join(part for part in system_parts if part) or None,
        messages=messages,
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=body.get("parallel_tool_calls"),
        response_format=response_format,
        passthrough=passthrough,
    )


def _caps(model: ModelSpec) -> str:
    return ", ".join(sorted(model.capabilities)) or "none"


def _text_only(content: Any, where: str) -> str:
    """A string, or text parts joined (system, developer and tool messages); null is no text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for i, part in enumerate(content):
        if part.get("type") != "text":
            raise _bad(f"{where}.content[{i}]: only text parts are allowed in this message")
        texts.append(_part_text(part, f"{where}.content[{i}]"))
    return "\n".join(texts)


def _part_text(part: Mapping[str, Any], where: str) -> str:
    text = part.get("text")
    if not isinstance(text, str):
        raise _bad(f"{where}: a text part needs `text`")
    return text


async def _content(
    content: Any, where: str, role: str, model: ModelSpec, policy: images.ImagePolicy
) -> tuple[str, tuple[Image, ...]]:
    if content is None:
        return "", ()
    if isinstance(content, str):
        return content, ()
    texts: list[str] = []
    pictures: list[Image] = []
    for i, part in enumerate(content):
        here = f"{where}.content[{i}]"
        if part.get("type") == "text":
            texts.append(_part_text(part, here))
            continue
        if role != "user":
            raise _bad(f"{here}: images are allowed in user messages only")
        if "vision" not in model.capabilities:  # before any image is decoded or fetched
            raise _bad(
                f"model {model.id!r} does not take images (its capabilities: {_caps(model)})"
            )
        image_url = part.get("image_url")
        if not isinstance(image_url, Mapping) or not image_url.get("url"):
            raise _bad(f"{here}: an image_url part needs image_url.url")
        pictures.append(await images.load(str(image_url["url"]), policy, f"{here}.image_url.url"))
    return "\n".join(texts), tuple(pictures)


def _tool_call(raw: Mapping[str, Any], where: str) -> ToolCall:
    function = raw["function"]
    arguments = str(function.get("arguments") or "{}")
    try:
        parsed = json.loads(arguments)
    except ValueError as exc:
        raise _bad(f"{where}.function.arguments is not JSON") from exc
    if not isinstance(parsed, dict):
        raise _bad(f"{where}.function.arguments must be a JSON object")
    return ToolCall(str(raw["id"]), str(function["name"]), arguments)


def _check_schema(schema: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(schema, Mapping):
        raise _bad(f"{where} must be a JSON Schema object")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        raise _bad(f"{where} is not a valid JSON Schema: {exc.message}") from exc
    return cast(Mapping[str, Any], schema)


def _tools(raw: Sequence[Mapping[str, Any]]) -> tuple[Tool, ...]:
    tools: list[Tool] = []
    for index, entry in enumerate(raw):
        function = entry["function"]
        name = str(function["name"])
        if any(tool.name == name for tool in tools):
            raise _bad(f"tools[{index}]: function {name!r} is declared twice")
        parameters = function.get("parameters")
        where = f"tools[{index}].function.parameters"
        schema = _check_schema(parameters, where) if parameters is not None else {}
        if schema and schema.get("type", "object") != "object":
            raise _bad(f"{where} must describe an object (type: object)")
        tools.append(
            Tool(name, str(function.get("description") or ""), schema, function.get("strict"))
        )
    return tuple(tools)


def _tool_choice(raw: Any, tools: tuple[Tool, ...]) -> ToolChoice:
    if raw is None:
        return ToolChoice("auto" if tools else "none")
    if isinstance(raw, str):
        if raw == "required" and not tools:
            raise _bad("tool_choice 'required' needs tools")
        return ToolChoice(cast(Any, raw))
    name = str(raw["function"]["name"])
    if not any(tool.name == name for tool in tools):
        raise _bad(f"tool_choice names function {name!r}, which is not one of tools")
    return ToolChoice("function", name)


def _response_format(raw: Mapping[str, Any] | None) -> ResponseFormat | None:
    if raw is None or raw["type"] == "text":
        return None
    if raw["type"] == "json_object":
        return ResponseFormat("json_object")
    spec = raw.get("json_schema")
    if not isinstance(spec, Mapping):
        raise _bad("response_format json_schema needs json_schema (name and schema)")
    schema = _check_schema(spec.get("schema") or {}, "response_format.json_schema.schema")
    return ResponseFormat(
        "json_schema",
        name=str(spec["name"]),
        description=str(spec.get("description") or ""),
        schema=schema,
        strict=spec.get("strict"),
    )
