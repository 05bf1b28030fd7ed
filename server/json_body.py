"""Strict JSON request bodies: what the standard library would let through, refused with 3.

Python's `json` accepts more than RFC 8259 interoperable JSON, and some of
what it accepts breaks later: nesting deep enough to exhaust the recursion
limit (in the parser, the schema validator or the handler's own parse),
integers past the interpreter's digit limit, `NaN` and `Infinity` literals,
numbers that overflow to infinity (`1e999`), lone surrogates that no UTF-8
database can store, U+0000 that PostgreSQL's text cannot hold, and duplicate
member names, of which one reader keeps the first and another the last. Each is refused here,
before the body reaches the spec's validator, with a message saying what and
where. Bodies are UTF-8 (RFC 8259 §8.1): another declared charset is refused
too, rather than decoded one way here and another way by the handler.
"""

import json
import math
import re
import sys
from collections.abc import AsyncGenerator
from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.validators import JSONRequestBodyValidator
from starlette.types import Scope

# Our deepest request is 4 levels (a chat completion's messages); 32 leaves room
# for free-form values and stays far below any recursion limit.
MAX_DEPTH = 32
# The interpreter's own bound (int() raises past it); the schemas bound the values
# of their fields, and free-form values (google.protobuf.Value) may be any integer.
MAX_INTEGER_DIGITS = sys.get_int_max_str_digits() or 4300

_SURROGATE = re.compile("[\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\x00-\x1f\ud800-\udfff]")


class BadJson(ValueError):
    """What is wrong with a body, as the client is told it."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise BadJson(f"number {text[:24]}... has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"number {text[:24]} is out of range")
    return value


def _constant(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number")


def _shown(name: str) -> str:
    """A member name as a message may quote it: control characters and surrogates escaped."""
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", name)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise BadJson(f"member '{_shown(key)}' appears twice in one object")
            seen.add(key)
    return result


def _string_fault(text: str) -> str | None:
    if "\x00" in text:
        return "holds U+0000, which this API does not accept"
    if _SURROGATE.search(text):
        return "holds a lone surrogate (not Unicode text)"
    return None


def _fault(value: Any, depth: int = 0) -> tuple[list[str], str] | None:
    """The first thing in a parsed body that no handler should see: nesting past
    MAX_DEPTH, or a string (member names included) that is no storable text. Where
    it is (path parts, built only on the way back from a fault) and what is wrong.
    The walk never goes deeper than MAX_DEPTH + 1, whatever the body."""
    if isinstance(value, str):
        fault = _string_fault(value)
        return ([], fault) if fault else None
    if isinstance(value, dict | list) and depth == MAX_DEPTH:
        return [], f"nests arrays and objects deeper than {MAX_DEPTH} levels"
    if isinstance(value, dict):
        for key, item in value.items():
            fault = _string_fault(key)
            found = ([], "names a member that " + fault) if fault else _fault(item, depth + 1)
            if found:
                return [f".{_shown(key)}", *found[0]], found[1]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _fault(item, depth + 1)
            if found:
                return [f"[{index}]", *found[0]], found[1]
    return None


def parse(raw: bytes, charset: str | None = None) -> Any:
    """The body as Python values; BadJson saying why when it is not strict UTF-8 JSON."""
    if charset is not None and charset.lower() not in ("utf-8", "utf8"):
        raise BadJson(f"charset {charset!r} is not accepted: request bodies are UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadJson(f"not UTF-8 text (byte {exc.start})") from None
    try:
        body = json.loads(
            text,
            object_pairs_hook=_object,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        raise BadJson(str(exc)) from None
    except RecursionError:  # nested past the interpreter's limit, far past ours
        raise BadJson(f"arrays and objects nest deeper than {MAX_DEPTH} levels") from None
    found = _fault(body)
    if found:
        path, fault = found
        raise BadJson(f"the value at ${''.join(path)} {fault}")
    return body


def content_charset(scope: Scope) -> str | None:
    """The charset parameter of the request's Content-Type, if it names one."""
    header: bytes
    for name, header in scope["headers"]:
        if name == b"content-type":
            for parameter in header.decode("latin-1").split(";")[1:]:
                key, _, charset = parameter.partition("=")
                if key.strip().lower() == "charset":
                    return charset.strip().strip('"')
    return None


# Where the parsed body waits in the request's ASGI scope for the handler's arguments
# (server.operations), so the same bytes are not parsed twice.
_PARSED_BODY = "privatellm.parsed_body"


def parsed_body(scope: Scope) -> tuple[bool, Any]:
    """(True, body) once the body validator parsed this request's JSON body, else (False, None)."""
    extensions = scope.get("extensions")
    if extensions is None or _PARSED_BODY not in extensions:
        return False, None
    return True, extensions[_PARSED_BODY]


class StrictJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]  # untyped base
    """Connexion's JSON body validator, parsing with `parse` instead of `json.loads`; the
    parsed body is left in the scope for the handler (see `parsed_body`)."""

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        if not raw:
            return None
        try:
            body = parse(raw, content_charset(scope))
        except BadJson as exc:
            raise BadRequestProblem(detail=f"request body: {exc}") from None
        scope.setdefault("extensions", {})[_PARSED_BODY] = body
        return body
