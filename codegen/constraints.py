"""privatellm.options.v1.FieldConstraints → JSON Schema validation keywords.

A constraint only makes sense on a schema of the matching JSON type: length
and pattern on strings, bounds on numbers, item counts on arrays. A
constraint that cannot apply (a pattern on an int32, max_items on a singular
field, minimum above maximum, a pattern that does not compile, a format no
validator knows) is an error in
the proto, reported as such rather than written into a spec that a validator
would then silently ignore.
"""

from __future__ import annotations

import re
from typing import Any

from codegen.errors import PluginError
from codegen.openapi_model import Schema, SchemaOrRef

EXTENSION = "privatellm.options.v1.field"

_STRING_KEYS = ("min_length", "max_length", "pattern", "format")
# String formats that JSON Schema validators (the server's included) check.
KNOWN_FORMATS = ("date", "date-time", "time", "email", "hostname", "ipv4", "ipv6", "uri", "uuid")
_NUMBER_KEYS = ("minimum", "maximum", "exclusive_minimum", "exclusive_maximum")
_ARRAY_KEYS = ("min_items", "max_items", "items")


def _set_keys(constraints: Any) -> list[str]:
    return [f.name for f, _ in constraints.ListFields()]


def apply(schema: SchemaOrRef | None, constraints: Any, where: str) -> None:
    """Write ``constraints`` onto ``schema`` (the schema of the field ``where`` names)."""
    keys = _set_keys(constraints)
    if not keys:
        return
    if not isinstance(schema, Schema) or not schema.type:
        raise PluginError(
            f"{where}: constraints {', '.join(keys)} need a string, number or array "
            "schema, but the field's schema is an object or a reference"
        )
    for key in keys:
        wanted = (
            ("string",)
            if key in _STRING_KEYS
            else ("integer", "number")
            if key in _NUMBER_KEYS
            else ("array",)
        )
        if schema.type not in wanted:
            hint = (
                " (constraints on the elements go under `items`)" if schema.type == "array" else ""
            )
            raise PluginError(
                f"{where}: constraint {key} applies to {' or '.join(wanted)} schemas, "
                f"not to this {schema.type} field{hint}"
            )
    if schema.type == "string":
        _string(schema, constraints, where)
    elif schema.type in ("integer", "number"):
        _number(schema, constraints, where)
    else:
        _array(schema, constraints, where)


def _string(schema: Schema, c: Any, where: str) -> None:
    if c.HasField("min_length"):
        schema.min_length = c.min_length
    if c.HasField("max_length"):
        schema.max_length = c.max_length
    if schema.min_length is not None and schema.max_length is not None:
        if schema.min_length > schema.max_length:
            raise PluginError(
                f"{where}: min_length {schema.min_length} is greater than "
                f"max_length {schema.max_length}"
            )
    if c.pattern:
        try:
            re.compile(c.pattern)
        except re.error as exc:
            raise PluginError(f"{where}: pattern {c.pattern!r} does not compile: {exc}") from None
        schema.pattern = c.pattern
    if c.format:
        if c.format not in KNOWN_FORMATS:
            raise PluginError(
                f"{where}: format {c.format!r} is not one of {', '.join(KNOWN_FORMATS)}"
            )
        if schema.format and schema.format != c.format:
            raise PluginError(
                f"{where}: format {c.format!r} conflicts with the field's own {schema.format!r}"
            )
        schema.format = c.format


def _number(schema: Schema, c: Any, where: str) -> None:
    if c.HasField("minimum"):
        schema.minimum = c.minimum
    if c.HasField("maximum"):
        schema.maximum = c.maximum
    if c.exclusive_minimum:
        if schema.minimum is None:
            raise PluginError(f"{where}: exclusive_minimum is set but minimum is not")
        schema.exclusive_minimum = True
    if c.exclusive_maximum:
        if schema.maximum is None:
            raise PluginError(f"{where}: exclusive_maximum is set but maximum is not")
        schema.exclusive_maximum = True
    if schema.minimum is not None and schema.maximum is not None:
        if schema.minimum > schema.maximum:
            raise PluginError(
                f"{where}: minimum {schema.minimum:g} is greater than maximum {schema.maximum:g}"
            )


def _array(schema: Schema, c: Any, where: str) -> None:
    if c.HasField("min_items"):
        schema.min_items = c.min_items
    if c.HasField("max_items"):
        schema.max_items = c.max_items
    if schema.min_items is not None and schema.max_items is not None:
        if schema.min_items > schema.max_items:
            raise PluginError(
                f"{where}: min_items {schema.min_items} is greater than "
                f"max_items {schema.max_items}"
            )
    if c.HasField("items"):
        apply(schema.items, c.items, f"{where} (items)")
