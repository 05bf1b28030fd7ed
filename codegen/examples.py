"""The `(privatellm.options.v1.example)` field option → the schema's `example`.

The option holds JSON text, so one string option can carry any value the
spec needs: a string, a number, a boolean, or an array of those (what our
request fields are). The value is checked against the field's schema, its
constraints included, so the spec never shows an example its own validation
would refuse; a bad one is an error in the proto, named as such.
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft4Validator

from codegen.errors import PluginError
from codegen.openapi_model import Schema, SchemaOrRef
from codegen.yaml_emitter import Plain

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
    error = next(iter(Draft4Validator(_plain(schema.to_yaml())).iter_errors(value)), None)
    if error is not None:
        raise PluginError(f"{where}: example {text!r} does not fit the field: {error.message}")
    schema.example = value


def _plain(node: Any) -> Any:
    """The emitter's values as plain JSON Schema (Plain strings back to str)."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return str(node) if isinstance(node, Plain) else node
