"""The compiled precheck of request bodies says yes exactly where Connexion's validator does.

server.schema_precheck passes bodies before Connexion's Draft4RequestValidator
is asked; a yes it gives where Connexion would refuse would let a bad body
through. Every request body schema of the spec (resolved as Connexion resolves
it) is checked here against many bodies: ones built to be valid, and the same
mutated at random places with the values where validators tend to differ
(a float where an integer goes, a bool for a number, integers past 64 bits,
bounds and one past them, a newline after a pattern's match, nulls where the
schema says nullable or not, missing and extra members). Both verdicts must be
equal on every body, and enough of the bodies must be valid for the accept
path to be exercised. The bodies come from a seeded generator: every run
checks the same ones.
"""

import random
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import yaml
from connexion.spec import Specification
from jsonschema import Draft4Validator

from server.body_validation import cached_validator
from server.schema_precheck import compile_precheck
from tests.conftest import ROOT

BODIES_PER_SCHEMA = 600
VALUES_PER_PARAMETER = 200
SPEC = Specification.load(yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text()))


def _request_body_schemas() -> Iterator[tuple[str, Mapping[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for media_type, content in operation["requestBody"]["content"].items():
                yield f"{method.upper()} {path} {media_type}", content["schema"]


SCHEMAS = dict(_request_body_schemas())


def _parameter_schemas() -> Iterator[tuple[str, Mapping[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                name = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                yield name, parameter.get("schema", parameter)


PARAMETERS = dict(_parameter_schemas())

# Strings tried where a pattern or format applies: some match, some nearly do.
_TEXTS = [
    "",
    "a",
    "abc",
    "A.b:c/d-e",
    "a_b-c",
    "aa@b.c",
    "0",
    "123",
    "1234567890123456",
    "x" * 65,
    " leading",
    "ünïcode",
    "2024-05-01T12:00:00Z",
    "2024-13-01T12:00:00Z",
    "not a date",
    "user",
    "text",
    "function",
]
_ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.0,
    1.5,
    -0.0,
    2**31,
    2**31 - 1,
    2**63,
    2**64 + 1,
    -(2**63) - 1,
    10**30,
    1e300,
    "",
    "x",
    [],
    {},
    [None],
    {"unknownMember": 1},
]


class Bodies:
    """Bodies for one schema: valid ones, then mutated ones."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # -- valid values ------------------------------------------------------------------

    def value(self, schema: Any, depth: int = 0) -> Any:
        rng = self.rng
        if not isinstance(schema, Mapping):
            return {}
        if schema.get("nullable") and rng.random() < 0.1:
            return None
        if "example" in schema and rng.random() < 0.3:
            return schema["example"]
        if "enum" in schema:
            return rng.choice(schema["enum"])
        for combined in ("oneOf", "anyOf"):
            if combined in schema:
                return self.value(rng.choice(schema[combined]), depth + 1)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(part)
            merged.update({k: v for k, v in schema.items() if k != "allOf"})
            return self.value(merged, depth + 1)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            low, high = schema.get("minItems", 0), min(schema.get("maxItems", 3), 3)
            count = rng.randint(low, max(low, high))
            return [self.value(schema.get("items", {}), depth + 1) for _ in range(count)]
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            low = schema.get("minimum", -1000)
            high = schema.get("maximum", 1000)
            return rng.randint(int(low), int(max(low, min(high, low + 10**6))))
        if kind == "number":
            low = schema.get("minimum", -1000.0)
            high = schema.get("maximum", 1000.0)
            return rng.uniform(low, min(high, low + 1e6))
        if kind == "boolean":
            return rng.random() < 0.5
        return rng.choice(["free", 1, None, {"a": [1, "b"]}])

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        required = set(schema.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            if name in required or (depth < 4 and self.rng.random() < 0.6):
                out[name] = self.value(sub, depth + 1)
        return out

    def _string(self, schema: Mapping[str, Any]) -> str:
        pattern = schema.get("pattern")
        low, high = schema.get("minLength", 0), schema.get("maxLength", 40)
        candidates = list(_TEXTS)
        if pattern:
            alternatives = re.fullmatch(r"\^\(([\w|]+)\)\$", pattern)
            if alternatives:
                candidates += alternatives.group(1).split("|") * 4
            candidates = [text for text in candidates if re.search(pattern, text)] or candidates
        if schema.get("format") == "date-time":
            candidates = ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.5+02:00"]
        fitting = [text for text in candidates if low <= len(text) <= high]
        if fitting and self.rng.random() < 0.9:
            return self.rng.choice(fitting)
        return "y" * self.rng.randint(low, max(low, min(high, low + 50)))

    # -- mutations ---------------------------------------------------------------------

    def mutated(self, body: Any, schema: Any) -> Any:
        for _ in range(self.rng.randint(1, 3)):
            body = self._mutate(body, schema)
        return body

    def _mutate(self, value: Any, schema: Any) -> Any:
        rng = self.rng
        children = self._children(value, schema)
        if children and rng.random() < 0.7:
            key, child, child_schema = rng.choice(children)
            value[key] = self._mutate(child, child_schema)
            return value
        if isinstance(value, dict) and rng.random() < 0.3:
            if value and rng.random() < 0.5:
                value.pop(rng.choice(list(value)))
            else:
                value[rng.choice(["extra", "model", "role", "content"])] = rng.choice(_ODD_VALUES)
            return value
        return self._odd_near(value, schema)

    def _odd_near(self, value: Any, schema: Any) -> Any:
        """A value just past the schema's bounds, of another type, or a known odd one."""
        rng = self.rng
        schema = schema if isinstance(schema, Mapping) else {}
        choices: list[Any] = list(_ODD_VALUES)
        for bound in ("minimum", "maximum"):
            if bound in schema:
                edge = schema[bound]
                choices += [edge, edge - 1, edge + 1, float(edge), edge + 0.5, edge - 0.5]
        for bound in ("minLength", "maxLength"):
            if bound in schema:
                length = schema[bound]
                choices += ["z" * length, "z" * (length + 1), "z" * max(0, length - 1)]
        if isinstance(value, str):
            choices += [value + "\n", value + " ", "\n" + value, value.upper(), value + "\x85"]
        if isinstance(value, int) and not isinstance(value, bool):
            choices += [float(value), value + 2**64, str(value)]
        if isinstance(value, list):
            choices += [value * 40, value[:0]]
        return rng.choice(choices)

    def _children(self, value: Any, schema: Any) -> list[tuple[Any, Any, Any]]:
        schema = schema if isinstance(schema, Mapping) else {}
        for combined in ("allOf", "oneOf", "anyOf"):
            if schema.get(combined):
                schema = {**schema[combined][0], **schema}
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            return [(key, item, properties.get(key, {})) for key, item in value.items()]
        if isinstance(value, list):
            return [(index, item, schema.get("items", {})) for index, item in enumerate(value)]
        return []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_request_body_schema_has_a_precheck(name: str) -> None:
    assert compile_precheck(SCHEMAS[name]) is not None, f"{name}: Connexion alone validates it"


def _agreement(name: str, schema: Any, validator: Any, count: int, *, skip_null: bool) -> int:
    """The precheck's verdict against `validator`'s on `count` values made for `schema`
    (None left out with `skip_null`); how many of them were valid."""
    precheck = compile_precheck(schema)
    assert precheck is not None, f"{name}: the validator alone decides"
    values = Bodies(seed=sum(map(ord, name)))
    valid = 0
    for index in range(count):
        value = values.value(schema)
        if index % 3:
            value = values.mutated(value, schema)
        if value is None and skip_null:
            continue
        verdict = validator.is_valid(value)
        valid += verdict
        assert precheck(value) == verdict, f"{name}: precheck says {not verdict} for {value!r}"
    return valid


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_precheck_and_connexion_agree_on_every_body(name: str) -> None:
    schema = SCHEMAS[name]
    connexion = cached_validator(schema)  # Draft4RequestValidator with the format checker
    valid = _agreement(name, schema, connexion, BODIES_PER_SCHEMA, skip_null=False)
    assert valid >= BODIES_PER_SCHEMA // 6, f"{name}: only {valid} valid bodies were tried"
    assert valid <= BODIES_PER_SCHEMA - BODIES_PER_SCHEMA // 6, f"{name}: too few invalid ones"


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_precheck_and_jsonschema_agree_on_every_parameter_value(name: str) -> None:
    """server.parameter_validation passes a value the precheck passes (None never gets
    there): jsonschema's Draft 4, which checks parameters, must agree on each."""
    schema = PARAMETERS[name]
    jsonschema = cached_validator(schema, Draft4Validator)
    valid = _agreement(name, schema, jsonschema, VALUES_PER_PARAMETER, skip_null=True)
    assert valid >= VALUES_PER_PARAMETER // 6, f"{name}: only {valid} valid values were tried"


CASES: list[tuple[dict[str, Any], Any]] = [
    # Connexion's `nullable`: null passes `type` and `enum`, and nothing else.
    ({"type": "string", "nullable": True}, None),
    ({"type": "string", "nullable": True, "enum": ["a"]}, None),
    ({"type": "string", "enum": ["a"]}, None),
    ({"type": "string", "x-nullable": True}, None),
    ({"allOf": [{"type": "object"}], "nullable": True}, None),
    # Patterns are Python's re.search: `$` matches before a final newline there.
    ({"type": "string", "pattern": "^a$"}, "a\n"),
    ({"type": "string", "pattern": "^a$"}, "ab"),
    ({"pattern": "^a$"}, 5),
    ({"type": "string", "pattern": "\\d"}, "\u0663"),  # Arabic-Indic three is \d in Python
    # Formats jsonschema checks, and ones it does not (int32 is an annotation to it).
    ({"type": "string", "format": "date-time"}, "2024-05-01T12:00:00Z"),
    ({"type": "string", "format": "date-time"}, "yesterday"),
    ({"type": "string", "format": "int32"}, "not a number"),
    ({"type": "string", "format": "email"}, "nobody"),
    # Draft 4 numbers: 1.0 is no integer, a bool is no number, bounds are exact past 2**53.
    ({"type": "integer"}, 1.0),
    ({"type": "number"}, True),
    ({"type": "integer", "maximum": 9223372036854775807}, 9223372036854775808),
    ({"type": "integer", "minimum": 0, "exclusiveMinimum": True}, 0),
    ({"type": "integer", "exclusiveMinimum": True}, 0),
    ({"type": "integer", "maximum": 2**53}, 2**53 + 1),
    # Lengths count code points.
    ({"type": "string", "maxLength": 1}, "\U0001f600"),
    ({"type": "object", "additionalProperties": False, "properties": {"a": {}}}, {"b": 1}),
    ({"type": "array", "items": {"type": "string"}, "maxItems": 1}, ["a", 1]),
]


@pytest.mark.parametrize(("schema", "body"), CASES)
def test_precheck_follows_connexions_rules(schema: dict[str, Any], body: Any) -> None:
    precheck = compile_precheck(schema)
    assert precheck is not None
    assert precheck(body) == cached_validator(schema).is_valid(body)


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/components/schemas/Thing"},
        {"type": "array", "uniqueItems": True},
        {"type": "number", "multipleOf": 0.1},
        {"type": "object", "patternProperties": {"^x": {}}},
        {"type": "array", "items": [{"type": "string"}]},
        {"type": "file"},
        {"properties": {"a": {"dependencies": {"b": ["c"]}}}},
    ],
)
def test_a_schema_the_rewrite_does_not_cover_gets_no_precheck(schema: dict[str, Any]) -> None:
    assert compile_precheck(schema) is None


def test_a_value_the_precheck_cannot_take_is_no_yes() -> None:
    precheck = compile_precheck({"type": "string"})
    assert precheck is not None
    assert precheck("\ud800") is False  # a lone surrogate: Connexion's validator decides
