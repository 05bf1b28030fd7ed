"""Connexion's parameter validator, with error messages a client can act on.

Connexion answers a bad query, path or header value with jsonschema's whole
report: the schema dumped over several lines and no word of which parameter
it was. This validator checks the same way and names the parameter in one
line: `query parameter updateMask: 'title, model' does not match '^…$'`.
Each parameter's schema validator is built once (server.body_validation).
"""

from typing import Any

from connexion.utils import is_null, is_nullable
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

from server.body_validation import cached_validator


class NamedParameterValidator(ParameterValidator):  # type: ignore[misc]
    """Same rules as Connexion's; the message says which parameter failed and why."""

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
        error = best_match(cached_validator(schema, Draft4Validator).iter_errors(value))
        if error is None:
            return None
        return f"{parameter_type} parameter {name}: {error.message}"
