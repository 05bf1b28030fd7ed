"""The `(privatellm.options.v1.example)` field option → the schema's `example`.

The option holds JSON text, so one string option can carry any value the
spec needs: a string, a number, a boolean, or an array of those (what our
request fields are). The value is checked against the field's schema, its
constraints included, so the spec never shows an example its own validation
would refuse; a bad one is an error in the proto, named as such.
"""

from __future__ import annotations

import json

from jsonschema import Draft4Validator

from codegen.errors import PluginError
from codegen.openapi_model import Schema, SchemaOrRef

EXTENSION = "privatellm.options.v1.example"

_SCALARS = (str, int, float, bool)


def apply(schema: SchemaOrRef | None, text: str, where: str) -> None:
    """Parse ``text`` and set it as ``schema``'s example (``where`` names the field)."""
    if not isinstance(schema, Schema) or not schema.type:
        raise PluginError(f"{where}: an example needs a scalar or array field, not a message")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise PluginError(f"{where}: example {text!r} is not JSON: {exc}") from None
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, _SCALARS) for item in items):
        raise PluginError(
            f"{where}: example {text!r} must be a string, number, boolean or an array of those"
        )
    # The server's validator checks formats too (server/parameter_validation.py).
    validator = Draft4Validator(schema.to_yaml(), format_checker=Draft4Validator.FORMAT_CHECKER)
    error = next(iter(validator.iter_errors(value)), None)
    if error is not None:
        raise PluginError(f"{where}: example {text!r} does not fit the field: {error.message}")
    schema.example = value
