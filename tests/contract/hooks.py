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
- `map_case`: valid requests that name a model name one of the catalog, and a
  valid chat completion request has a user turn.
"""

import json
import os
import re
from typing import Any

import jsonschema
import schemathesis
from schemathesis import Case, CheckContext, HookContext, Response

# The ids of the keys the run authenticates with, comma-separated (set by the test).
PROTECTED_KEY_IDS = frozenset(filter(None, os.environ.get("CONTRACT_KEY_IDS", "").split(",")))
REVOKE = "POST /v1/apiKeys/{apiKey}:revoke"
CHAT_COMPLETIONS = "POST /openai/v1/chat/completions"
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
    return case


def answerable(body: dict[str, Any]) -> None:
    """Give a chat with only system/developer messages a user turn, as a client would.

    The spec cannot say "at least one user or assistant message" (roles are a
    pattern per item), and the coverage phase draws `system` every time: without
    this, nearly every valid completion request met that refusal and the
    generation behind it went untested.
    """
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return
    turns = [m for m in messages if isinstance(m, dict)]
    if turns and not any(m.get("role") in ("user", "assistant") for m in turns):
        turns[-1]["role"] = "user"
