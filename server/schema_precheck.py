"""A compiled yes/no check of a request body against its schema, that never says yes where
Connexion's validator would say no.

Connexion validates bodies with jsonschema's Draft4 validator in Python
(Draft4RequestValidator: Draft 4 plus OpenAPI's `nullable`), about 60 µs for a
small chat request. jsonschema-rs checks the same body in well under 1 µs. It
is used on the accept path only: a body it passes is valid; a body it refuses
goes to Connexion's validator, whose verdict and message are the answer. So
every error reads exactly as before, and what matters is that this check is
never more permissive than Connexion's. The schema handed to jsonschema-rs is
rewritten so that both apply the same rules:

- `nullable: true` (and `x-nullable`), which Connexion applies to `type` and
  `enum` only, becomes `null` added to the node's `type` list and `enum`;
- `pattern` and `format` become one custom format per node, checked by a
  Python function: `re.search` for the pattern (jsonschema's own test, not
  Rust's regex dialect) and jsonschema's Draft 4 format checker for the
  formats it knows; formats it does not know are left out, as it ignores them;
- annotations (`description`, `example`, `readOnly`, ...) are dropped: neither
  validator checks them.

A schema that uses a Draft 4 keyword this rewrite does not handle (`$ref`,
`patternProperties`, `dependencies`, `uniqueItems`, `multipleOf`,
`additionalItems`, tuple `items`, an unknown type) gets no precheck at all:
Connexion's validator decides alone. tests/server/test_schema_precheck.py
compares both verdicts on every request body schema of the spec.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema_rs
from jsonschema import Draft4Validator

# Draft 4's keywords that jsonschema validates with (any other key is an annotation to it).
_DRAFT4_KEYWORDS = frozenset(Draft4Validator.VALIDATORS)
# Copied as they are: jsonschema-rs applies them as jsonschema does.
_AS_IS = frozenset(
    {
        "required",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    }
)
# Read by `minimum` and `maximum` in Draft 4 (not keywords of their own there).
_BOUND_FLAGS = (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum"))
_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})
_FORMATS = Draft4Validator.FORMAT_CHECKER

Check = Callable[[Any], bool]


class Unsupported(Exception):
    """The schema uses a keyword the rewrite does not carry over exactly."""


class _Rewrite:
    def __init__(self) -> None:
        self.formats: dict[str, Callable[[str], bool]] = {}

    def schema(self, node: Any) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, Mapping):
            raise Unsupported(f"schema {node!r}")
        out: dict[str, Any] = {}
        nullable = node.get("x-nullable") is True or bool(node.get("nullable"))
        for key, value in node.items():
            if key not in _DRAFT4_KEYWORDS or key in ("format", "pattern"):
                continue  # annotations (and the two handled below)
            if key in _AS_IS:
                out[key] = value
            elif key == "type":
                out[key] = self._type(value, nullable)
            elif key == "enum":
                out[key] = [*value, None] if nullable and None not in value else list(value)
            elif key == "properties":
                out[key] = {name: self.schema(sub) for name, sub in value.items()}
            elif key in ("additionalProperties", "not"):
                out[key] = self.schema(value)
            elif key == "items" and isinstance(value, Mapping):
                out[key] = self.schema(value)
            elif key in ("allOf", "anyOf", "oneOf"):
                out[key] = [self.schema(sub) for sub in value]
            else:
                raise Unsupported(key)
        for bound, flag in _BOUND_FLAGS:
            if bound in node and flag in node:
                out[flag] = node[flag]
        text_check = self._text_check(node.get("format"), node.get("pattern"))
        if text_check is not None:
            name = f"privatellm-{len(self.formats)}"
            self.formats[name] = text_check
            out["format"] = name
        return out

    @staticmethod
    def _type(value: Any, nullable: bool) -> Any:
        names = [value] if isinstance(value, str) else list(value)
        if not all(isinstance(name, str) and name in _TYPES for name in names):
            raise Unsupported(f"type {value!r}")
        if nullable and "null" not in names:
            names.append("null")
        return names[0] if len(names) == 1 else names

    @staticmethod
    def _text_check(fmt: Any, pattern: Any) -> Callable[[str], bool] | None:
        """One function for a node's format and pattern; jsonschema-rs calls it for strings
        only, which is where jsonschema applies both."""
        known = fmt if isinstance(fmt, str) and fmt in _FORMATS.checkers else None
        regex = re.compile(pattern) if pattern is not None else None
        if known is None and regex is None:
            return None

        def check(text: str) -> bool:
            if regex is not None and regex.search(text) is None:
                return False
            return known is None or _FORMATS.conforms(text, known)

        return check


def compile_precheck(schema: Mapping[str, Any]) -> Check | None:
    """`body -> True` when Connexion's request validator would accept it (False: ask that
    validator); None when the schema uses what the rewrite does not carry over."""
    rewrite = _Rewrite()
    try:
        fast_schema = rewrite.schema(schema)
    except (Unsupported, RecursionError, re.error):
        return None
    validator = jsonschema_rs.Draft4Validator(
        fast_schema, formats=rewrite.formats, validate_formats=True
    )

    def check(body: Any) -> bool:
        try:
            return bool(validator.is_valid(body))
        except Exception:  # a value it cannot take (such as a lone surrogate): not a yes
            return False

    return check
