"""Connexion's parameter validator, with error messages a client can act on.

Connexion answers a bad query, path or header value with jsonschema's whole
report: the schema dumped over several lines and no word of which parameter
it was. This validator checks the same way and names the parameter in one
line: `query parameter updateMask: 'title, model' does not match '^…$'`.
Each parameter's schema validator is built once (server.body_validation).

It also refuses what the parsers below it would silently change: percent-
escapes that are not UTF-8 (Starlette turns them into U+FFFD), U+0000 (which
PostgreSQL cannot compare against), and a single-valued query parameter given
twice (of which Connexion would keep one).
"""

from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from connexion.exceptions import BadRequestProblem
from connexion.utils import is_null, is_nullable
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match
from starlette.types import Scope

from server.body_validation import cached_precheck, cached_validator


def _text_fault(raw: bytes) -> str | None:
    """What makes a percent-encoded path or query no text we accept, if anything."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8 text once percent-decoded"
    if b"\x00" in decoded:
        return "holds U+0000, which this API does not accept"
    return None


class NamedParameterValidator(ParameterValidator):  # type: ignore[misc]
    """Same rules as Connexion's; the message says which parameter failed and why."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An operation whose parameters are all optional query parameters has nothing to
        # check in a request without a query string (a listing's first page, mostly).
        self._nothing_to_check_without_query = not any(
            self.parameters.get(kind) for kind in ("path", "header", "cookie")
        ) and not any(param.get("required") for param in self.parameters.get("query", []))

    def validate(self, scope: Scope) -> None:
        for part, raw in (
            ("path", scope.get("raw_path") or b""),
            ("query string", scope["query_string"]),
        ):
            fault = _text_fault(raw)
            if fault:
                raise BadRequestProblem(detail=f"the {part} {fault}")
        if not scope["query_string"] and self._nothing_to_check_without_query:
            return  # Connexion's checks would each find an optional parameter absent
        names = Counter(name for name, _ in parse_qsl(scope["query_string"].decode("latin-1")))
        for param in self.parameters.get("query", []):
            given = names[param["name"]]
            if given > 1 and param.get("schema", {}).get("type") != "array":
                raise BadRequestProblem(
                    detail=f"query parameter {param['name']} is given {given} times; it takes one"
                )
        super().validate(scope)

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        name = param_name or param.get("name", "?")
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            if param.get("required"):
                return f"missing {parameter_type} parameter {name}"
            return None
        schema = param.get("schema", param)
        # A value the compiled precheck passes is valid (it never passes what jsonschema
        # refuses; None was handled above, so its `nullable` reading cannot differ): the
        # success path skips jsonschema's error generator (2.1 -> 0.4 µs for a path id).
        check = cached_precheck(schema)
        if check is not None and check(value):
            return None
        error = best_match(cached_validator(schema, Draft4Validator).iter_errors(value))
        if error is None:
            return None
        return f"{parameter_type} parameter {name}: {error.message}"
