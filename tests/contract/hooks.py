"""schemathesis hooks for the contract run (loaded through schemathesis.toml's `hooks`).

- `refusals_are_documented`: a custom check. On the operations where
  schemathesis.toml lets positive_data_acceptance take a 400, a schema-valid
  request answered 400 must carry one of that operation's documented reasons;
  any other 400 fails the run as a rejected valid request would.
- `before_call`: the run authenticates with keys it must not revoke, or every
  later request would answer 401 and the checks would pass on nothing.
  Revoking any other key (those the run creates) is tested as usual.
- `map_case`: valid requests that name a model name one of the catalog, and a
  valid chat completion request has a user turn.
"""

import os
import re
from typing import Any

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
