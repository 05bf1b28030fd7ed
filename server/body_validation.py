"""Connexion's JSON handling made cheap: request bodies checked by a compiled precheck before
Connexion's validator (built once per schema) is asked, and orjson to serialize answers (bodies
are parsed strictly by server.json_body).

Connexion builds a new jsonschema validator for every request (its
`_validator` is a property), which re-walks the schema and its `$ref`s each
time. The rules are Connexion's own (Draft4RequestValidator: `nullable`,
`readOnly` fields and all), so the answers and error messages are the same;
only the building is done once per operation's schema. Most bodies never reach it:
server.schema_precheck passes a valid one first, in a fraction of the time, and
hands the others to it. Registered through `validator_map` and `jsonifier`
(server.app).
"""

import uuid
from decimal import Decimal
from typing import Any

import orjson
from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator
from connexion.jsonifier import Jsonifier
from connexion.validators import VALIDATOR_MAP
from jsonschema import Draft4Validator

from server.json_body import StrictJSONBodyValidator
from server.schema_precheck import Check, compile_precheck

# (id(schema), class) -> (schema, validator). The schemas are the parsed spec's own dicts, which
# live as long as the app; the schema is kept with its validator so an id is never reused.
_VALIDATORS: dict[tuple[int, Any], tuple[Any, Any]] = {}
_MAX_SCHEMAS = 1024  # far more than the spec has operations; a bound, not an expected size


def cached_validator(schema: Any, validator_class: Any = Draft4RequestValidator) -> Any:
    """`validator_class(schema)` with the format checker, built on first use of `schema`."""
    key = (id(schema), validator_class)
    cached = _VALIDATORS.get(key)
    if cached is not None and cached[0] is schema:
        return cached[1]
    validator = validator_class(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    if len(_VALIDATORS) >= _MAX_SCHEMAS:
        _VALIDATORS.clear()
    _VALIDATORS[key] = (schema, validator)
    return validator


def body_validators() -> MediaTypeDict:
    """Connexion's body validators by media type, JSON's replaced by ours."""
    return MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": CompiledJSONBodyValidator})


# id(schema) -> (schema, its precheck or None), kept like _VALIDATORS.
_PRECHECKS: dict[int, tuple[Any, Check | None]] = {}


def cached_precheck(schema: Any) -> Check | None:
    """server.schema_precheck's check of `schema`, compiled on first use."""
    cached = _PRECHECKS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    check = compile_precheck(schema)
    if len(_PRECHECKS) >= _MAX_SCHEMAS:
        _PRECHECKS.clear()
    _PRECHECKS[id(schema)] = (schema, check)
    return check


class CompiledJSONBodyValidator(StrictJSONBodyValidator):
    """The strict parse (nesting, numbers, duplicates, U+0000, UTF-8), then the compiled
    precheck; what it does not pass goes to Connexion's validator (built once), whose
    verdict and message are the answer."""

    def _validate(self, body: Any) -> dict[str, Any] | None:
        check = cached_precheck(self._schema)
        if check is not None and check(body):
            return None
        return super()._validate(body)  # type: ignore[no-any-return]

    @property
    def _validator(self) -> Any:
        return cached_validator(self._schema)


class OrjsonJsonifier(Jsonifier):  # type: ignore[misc]  # untyped base
    """Connexion's serializer of handler answers, with orjson: same JSON, a fraction of the
    time. Dates and datetimes as ISO 8601, as Connexion's own encoder writes them."""

    def __init__(self) -> None:
        super().__init__(orjson)

    def dumps(self, data: Any, **_kwargs: Any) -> str:
        return orjson.dumps(data, default=_encode_other).decode() + "\n"

    def loads(self, data: Any) -> Any:
        if isinstance(data, bytes | bytearray):
            data = data.decode("utf-8", "replace")
        return orjson.loads(data) if data else None


def _encode_other(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
