"""schemathesis hooks for the contract run (loaded through schemathesis.toml's `hooks`).

- `refusals_are_documented`: a custom check. On the operations where
  schemathesis.toml lets positive_data_acceptance take a 400, a schema-valid
  request answered 400 must carry one of that operation's documented reasons;
  any other 400 fails the run as a rejected valid request would.
- `event_streams_conform`: a custom check. schemathesis reads an OpenAPI 3.0
  `text/event-stream` schema as the schema of each event *object* (`event`,
  `data`, `id`), which our open event schemas accept whatever the stream says,
  so it validates nothing there. This check parses every event stream answer
  and validates each event's data against the spec (see `stream_problems`).
- `before_call`: the run authenticates with keys it must not revoke, or every
  later request would answer 401 and the checks would pass on nothing.
  Revoking any other key (those the run creates) is tested as usual.
- `map_case`: valid requests that name a model name one of the catalog (an
  embeddings model for embeddings), and a valid chat completion request has a
  user turn.
"""

import json
import os
import re
from typing import Any

import jsonschema
import jsonschema.exceptions
import schemathesis
from schemathesis import Case, CheckContext, HookContext, Response

# The ids of the keys the run authenticates with, comma-separated (set by the test).
PROTECTED_KEY_IDS = frozenset(filter(None, os.environ.get("CONTRACT_KEY_IDS", "").split(",")))
REVOKE = "POST /v1/apiKeys/{apiKey}:revoke"
CHAT_COMPLETIONS = "POST /openai/v1/chat/completions"
EMBEDDINGS = "POST /openai/v1/embeddings"
# A 1x1 PNG: what a valid request's image parts carry (a generated string is no image).
PNG_DATA_URL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
NAMES_A_MODEL = (
    CHAT_COMPLETIONS,
    "POST /v1/conversations",
    "PATCH /v1/conversations/{conversation}",
    "POST /v1/conversations/{conversation}/messages",
    "POST /v1/conversations/{conversation}/messages:stream",
)

_PAGE_TOKEN = (3, re.compile(r"^page_token is not a token this server issued$"))
_MAX_TOKENS = (11, re.compile(r"^maxTokens \d+ exceeds the \d+ tokens model '.*' can write$"))
_BUSY = (9, re.compile(r"^an answer is already being generated in conversation '.*'; "))
_CONTEXT = (
    11,
    re.compile(
        r"^the messages? needs? about \d+ tokens .*, more than the \d+ tokens of model '.*'$"
    ),
)
_MODEL_OFF = (9, re.compile(r"^model '.*' is not available: "))
_UNKNOWN_MODEL = (3, re.compile(r"^model '.*' is not in the catalog \(see GET /v1/models\)$"))
_SEND = (_MAX_TOKENS, _CONTEXT, _BUSY, _MODEL_OFF, _UNKNOWN_MODEL)
# OpenAI's `stop` is a string or an array of strings; the spec can only say "any
# JSON value" (google.protobuf.Value). Bedrock needs a user turn to answer.
_CHAT = (
    _MAX_TOKENS,
    _CONTEXT,
    _MODEL_OFF,
    (3, re.compile(r"^stop must be a non-empty string or an array of up to \d+ of them$")),
    (3, re.compile(r"^messages needs at least one user or assistant message$")),
    # What the spec cannot say about messages, tools and formats (domain.chat_request).
    (
        3,
        re.compile(
            r"^messages\[\d+\](: a tool message needs tool_call_id \(the call it answers\)"
            r"|\.tool_call_id '.*' answers no tool call of an earlier assistant message"
            r"|: only assistant messages have tool_calls"
            r"|\.content\[\d+\]: (only text parts are allowed in this message"
            r"|a text part needs `text`|images are allowed in user messages only"
            r"|an image_url part needs image_url\.url)"
            r"|\.content\[\d+\]\.image_url\.url: .+"
            r"|\.tool_calls\[\d+\]\.function\.arguments (is not JSON|must be a JSON object))$",
            re.DOTALL,
        ),
    ),
    (
        3,
        re.compile(
            r"^(tools\[\d+\]: function '.*' is declared twice"
            r"|tools\[\d+\]\.function\.parameters (is not a valid JSON Schema: .*"
            r"|must describe an object \(type: object\)|must be a JSON Schema object)"
            r"|tool_choice names function '.*', which is not one of tools"
            r"|tool_choice 'required' needs tools"
            r"|response_format json_schema needs json_schema \(name and schema\)"
            r"|response_format\.json_schema\.schema (is not a valid JSON Schema: .*"
            r"|must be a JSON Schema object))$",
            re.DOTALL,
        ),
    ),
)

# Operation label → (envelope code, message pattern) of each 400 it may give to
# a request its schema allows.
DOCUMENTED_REFUSALS: dict[str, tuple[tuple[int, re.Pattern[str]], ...]] = {
    "GET /v1/apiKeys": (_PAGE_TOKEN,),
    "GET /v1/conversations": (_PAGE_TOKEN,),
    "GET /v1/conversations/{conversation}/messages": (_PAGE_TOKEN,),
    "GET /v1/usage": ((3, re.compile(r"^startDate is after endDate$")),),
    # The catalog is configuration: the spec cannot list its model ids.
    "POST /v1/conversations": (_UNKNOWN_MODEL,),
    "PATCH /v1/conversations/{conversation}": (_UNKNOWN_MODEL,),
    "POST /v1/conversations/{conversation}/messages": _SEND,
    "POST /v1/conversations/{conversation}/messages:stream": _SEND,
    CHAT_COMPLETIONS: _CHAT,
}


@schemathesis.check
def refusals_are_documented(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    if response.status_code != 400 or case.meta is None:
        return None
    if not case.meta.generation.mode.is_positive:
        return None
    reasons = DOCUMENTED_REFUSALS.get(case.operation.label)
    if reasons is None:
        return None  # positive_data_acceptance already fails this one
    try:
        envelope: Any = response.json()
        code, message = envelope["code"], envelope["message"]
    except (ValueError, KeyError, TypeError):
        raise AssertionError("a 400 without our error envelope") from None
    if not any(code == want and pattern.search(message) for want, pattern in reasons):
        raise AssertionError(
            f"schema-valid request refused with code {code} for an undocumented reason: {message}"
        )
    return None


EVENT_STREAM = "text/event-stream"
DONE = "[DONE]"  # the OpenAI stream's last data line


def sse_events(text: str) -> list[tuple[str, str]]:
    """(event name, data) of each event of a Server-Sent Events body."""
    events = []
    for block in re.split(r"\r\n\r\n|\n\n|\r\r", text):
        name, data = "message", []
        # Only CR, LF and CRLF end an SSE line (str.splitlines also splits on U+0085, U+2028...).
        for line in re.split(r"\r\n|\r|\n", block):
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if data:
            events.append((name, "\n".join(data)))
    return events


_VALIDATORS: dict[str, jsonschema.Draft4Validator] = {}  # by JSON pointer into the spec


def _invalid(spec: dict[str, Any], pointer: str, data: Any) -> str | None:
    validator = _VALIDATORS.get(pointer)
    if validator is None:
        root = {"$ref": pointer, "components": spec["components"]}
        validator = _VALIDATORS[pointer] = jsonschema.Draft4Validator(root)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    return None if error is None else f"{error.message} at {list(error.absolute_path)}"


def stream_problems(spec: dict[str, Any], schema_name: str, text: str) -> list[str]:
    """What is wrong with an event stream whose events the spec calls `schema_name`.

    Two shapes: named events, each the field of that name of the schema
    (StreamMessage: userMessage, delta..., then assistantMessage or error); or
    unnamed events, each the whole schema, ended by `data: [DONE]` (OpenAI).
    """
    events = sse_events(text)
    if not events:
        return ["an event stream without events"]
    schema = spec["components"]["schemas"][schema_name]
    named = events[0][0] != "message"
    problems = []
    for index, (name, data) in enumerate(events):
        where = f"event #{index} ({name})"
        if not named and data == DONE:
            if index != len(events) - 1:
                problems.append(f"{where}: {DONE} before the last event")
            continue
        if named and name not in schema.get("properties", {}):
            problems.append(f"{where}: not a field of {schema_name}")
            continue
        try:
            payload = json.loads(data)
        except ValueError:
            problems.append(f"{where}: data is not JSON: {data[:80]!r}")
            continue
        pointer = f"#/components/schemas/{schema_name}"
        invalid = _invalid(spec, f"{pointer}/properties/{name}" if named else pointer, payload)
        if invalid:
            problems.append(f"{where}: {invalid}")
    if not named and events[-1][1] != DONE:
        problems.append(f"the stream does not end with data: {DONE}")
    if named and events[-1][0] not in ("assistantMessage", "error"):
        problems.append(f"the stream ends with {events[-1][0]}, not assistantMessage or error")
    return problems


@schemathesis.check
def event_streams_conform(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    content_type = next(iter(response.headers.get("content-type", [])), "")
    if response.status_code != 200 or not content_type.startswith(EVENT_STREAM):
        return None
    if response.stream_cut_short:
        return None  # schemathesis kept only the start of it
    spec = case.operation.schema.raw_schema
    media = case.operation.definition.raw["responses"]["200"]["content"][EVENT_STREAM]
    schema_name = media["schema"]["$ref"].rsplit("/", 1)[-1]
    problems = stream_problems(spec, schema_name, response.content.decode("utf-8"))
    if problems:
        raise AssertionError("event stream breaks the spec: " + "; ".join(problems[:5]))
    return None


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    if case.operation.label == REVOKE and case.path_parameters.get("apiKey") in PROTECTED_KEY_IDS:
        case.path_parameters["apiKey"] = "knot-the-run-key"


@schemathesis.hook
def map_case(context: HookContext, case: Case[Any]) -> Case[Any]:
    """Valid requests name a model of the catalog, so they reach what comes after.

    A model id is free text in the spec (the catalog is configuration), and
    random ids only ever meet "not in the catalog". Invalid cases keep theirs.
    """
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if case.operation.label in NAMES_A_MODEL and positive and isinstance(case.body, dict):
        if "model" in case.body or case.operation.label == CHAT_COMPLETIONS:
            case.body["model"] = "echo"
        if case.operation.label == CHAT_COMPLETIONS:
            answerable(case.body)
    if case.operation.label == EMBEDDINGS and positive and isinstance(case.body, dict):
        case.body["model"] = "echo-embed"
    return case


def answerable(body: dict[str, Any]) -> None:
    """Make a schema-valid chat request one the server can answer, as a client would send it.

    The spec cannot say "at least one user or assistant message" (roles are a
    pattern per item), that a tool message answers an earlier call, that a
    part's `text` or an image's data must be there, that `tool_choice` names a
    declared tool or that a schema is JSON Schema: the generated requests break
    one of these nearly every time, and the generation behind them (tool calls
    streamed included) would go untested. The refusals themselves are tested
    in tests/api (and documented for this check in DOCUMENTED_REFUSALS).
    """
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return
    turns = [m for m in messages if isinstance(m, dict)]
    called: set[str] = set()
    for turn in turns:
        _answerable_message(turn, called)
    if turns and not any(m.get("role") in ("user", "assistant") for m in turns):
        turns[-1]["role"] = "user"
    tools = body.get("tools")
    names: list[str] = []
    if isinstance(tools, list):
        kept = []
        for tool in tools:
            function = tool.get("function") if isinstance(tool, dict) else None
            if not isinstance(function, dict) or function.get("name") in names:
                continue
            names.append(str(function.get("name")))
            if not _json_schema(function.get("parameters"), object_only=True):
                function.pop("parameters", None)
            kept.append(tool)
        body["tools"] = kept
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        named = (choice.get("function") or {}).get("name")
        if named not in names:
            body["tool_choice"] = "auto"
    elif choice == "required" and not names:
        body["tool_choice"] = "auto"
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict):
            response_format["type"] = "json_object"
        elif not _json_schema(spec.get("schema")):
            spec["schema"] = {"type": "object"}


def _answerable_message(turn: dict[str, Any], called: set[str]) -> None:
    role = turn.get("role")
    calls = turn.get("tool_calls")
    if role != "assistant":
        turn.pop("tool_calls", None)
        calls = None
    for call in calls or []:
        if isinstance(call, dict) and isinstance(call.get("function"), dict):
            call["function"]["arguments"] = "{}"
            called.add(str(call.get("id")))
    if role == "tool" and turn.get("tool_call_id") not in called:
        turn["role"] = role = "user"
    content = turn.get("content")
    if content is None and not calls:
        turn["content"] = "hi"
    elif isinstance(content, list):
        for part in content:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "image_url" and role == "user":
                part["image_url"] = {"url": PNG_DATA_URL}
            else:
                part["type"] = "text"
                if not isinstance(part.get("text"), str):
                    part["text"] = "hi"


def _json_schema(schema: Any, object_only: bool = False) -> bool:
    if not isinstance(schema, dict):
        return False
    if object_only and schema.get("type", "object") != "object":
        return False
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.exceptions.SchemaError:
        return False
    return True
