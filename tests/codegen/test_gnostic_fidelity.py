"""gnostic's output, rule by rule, for protos without our annotations or options.

Each fixture under fixtures/gnostic/ isolates one of the places where gnostic's
protoc-gen-openapi (generator/openapi_v3) behaves in a way that is easy to get
wrong. The tests assert what gnostic writes, then what each of our options
changes; the golden files pin the whole document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.plugin import generate
from tests.codegen.conftest import FIXTURES, parameter, request

GNOSTIC = FIXTURES / "gnostic"
DURATION_PATTERN = r"^-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,9})?s$"
DURATION_DESCRIPTION = (
    "Represents a a duration between -315,576,000,000s and 315,576,000,000s (around 10000"
    " years). Precision is in nanoseconds. 1 nanosecond is represented as 0.000000001s"
)
DURATION = {"pattern": DURATION_PATTERN, "type": "string", "description": DURATION_DESCRIPTION}


def params(spec: dict[str, Any], path: str, method: str) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = spec["paths"][path][method].get("parameters", [])
    return parameters


def by_name(parameters: list[dict[str, Any]], where: str = "query") -> dict[str, Any]:
    return {p["name"]: p for p in parameters if p["in"] == where}


def unresolved(variable: str) -> dict[str, Any]:
    """What gnostic writes for a path variable that names no field: as written, a string."""
    return {"name": variable, "in": "path", "required": True, "schema": {"type": "string"}}


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


@pytest.mark.parametrize(
    "name", ["unknown_fields", "path_templates", "int64", "dynamic", "required", "wkt_query"]
)
def test_fixture_matches_its_golden_file(plugin: Any, name: str) -> None:
    expected = (GNOSTIC / f"{name}.openapi.yaml").read_text()
    assert plugin.text(f"gnostic/{name}.proto") == expected


# --- a path variable or body that names no field -------------------------------------


def test_path_variable_naming_no_field_is_a_required_string(plugin: Any) -> None:
    spec = plugin.spec("gnostic/unknown_fields.proto")
    get = params(spec, "/v1/messages/{message_id}", "get")
    # As written (no field to format the name from), no description.
    assert get[0] == unresolved("message_id")
    # Every field of the request is still a query parameter.
    assert [p["name"] for p in get[1:]] == ["text", "count", "author.name"]


def test_template_variable_naming_no_field_still_rewrites_the_path(plugin: Any) -> None:
    spec = plugin.spec("gnostic/unknown_fields.proto")
    update = spec["paths"]["/v1/messages/{message}"]["patch"]
    assert update["parameters"][0] == {
        "name": "message",
        "in": "path",
        "description": "The message id.",
        "required": True,
        "schema": {"type": "string"},
    }
    # A body field that does not exist: the body is there, without a schema.
    assert update["requestBody"] == {"content": {"application/json": {}}, "required": True}


def test_scalar_body_field_has_no_schema(plugin: Any) -> None:
    spec = plugin.spec("gnostic/unknown_fields.proto")
    put = spec["paths"]["/v1/messages/{text}:count"]["put"]
    assert put["requestBody"] == {"content": {"application/json": {}}, "required": True}
    assert [p["name"] for p in put["parameters"]] == ["text", "author.name"]


def test_strict_refuses_what_names_no_field(plugin: Any) -> None:
    error = plugin.error("gnostic/unknown_fields.proto", strict=True)
    assert (
        'rpc fixtures.gnostic.v1.Messaging.GetMessage: path variable "message_id" is not a field'
        in error
    )


def test_strict_gives_a_scalar_body_field_its_schema(tmp_path: Path, plugin: Any) -> None:
    source = (GNOSTIC / "unknown_fields.proto").read_text()
    start = source.index("  // Gets a message")
    end = source.index("  // Sets the count")
    (tmp_path / "gnostic").mkdir()
    (tmp_path / "gnostic" / "scalar_body.proto").write_text(source[:start] + source[end:])
    spec = yaml.safe_load(plugin.text_in(tmp_path, "gnostic/scalar_body.proto", strict=True))
    body = spec["paths"]["/v1/messages/{text}:count"]["put"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"type": "integer", "format": "int32"}


# --- path templates as gnostic reads them ---------------------------------------------


def test_dotted_path_variable_is_not_resolved(plugin: Any) -> None:
    spec = plugin.spec("gnostic/path_templates.proto")
    get = params(spec, "/v1/{author.display_name}/books", "get")
    assert get[0] == unresolved("author.display_name")
    # `author` itself is not covered by "author.display_name": it is flattened too.
    assert [p["name"] for p in get[1:]] == ["parent", "book", "author.displayName"]


def test_one_greedy_template_match(plugin: Any) -> None:
    """gnostic's "{(.+)=(.+)}" swallows the first template into the variable name."""
    spec = plugin.spec("gnostic/path_templates.proto")
    assert "/v1/books/{book}" in spec["paths"]
    get = params(spec, "/v1/books/{book}", "get")
    assert [(p["name"], p["in"]) for p in get] == [
        ("book", "path"),
        ("parent", "query"),
        ("book", "query"),
        ("author.displayName", "query"),
    ]


def test_strict_resolves_dotted_variables_and_every_template(plugin: Any) -> None:
    spec = plugin.spec("gnostic/path_templates.proto", strict=True)
    dotted = params(spec, "/v1/{author.displayName}/books", "get")
    assert dotted[0]["description"] == "The author's display name."
    two = params(spec, "/v1/shelves/{shelf}/books/books/{book}", "get")
    assert [(p["name"], p["in"]) for p in two] == [
        ("shelf", "path"),
        ("book", "path"),
        ("author.displayName", "query"),
    ]


# --- 64-bit integers --------------------------------------------------------------------


def test_64_bit_integers_are_strings_without_format(plugin: Any) -> None:
    spec = plugin.spec("gnostic/int64.proto")
    counter = schema(spec, "Counter")["properties"]
    for name in ("anInt64", "aUint64", "aSint64", "aFixed64", "anSfixed64"):
        assert {k: v for k, v in counter[name].items() if k != "description"} == {"type": "string"}
    assert counter["anInt64Value"]["type"] == "string" and "format" not in counter["anInt64Value"]
    assert counter["aUint64Value"]["type"] == "string" and "format" not in counter["aUint64Value"]
    assert counter["int64s"]["items"] == {"type": "string"}
    assert counter["int64ByName"]["additionalProperties"] == {"type": "string"}
    parameters = params(spec, "/v1/counters/{id}", "get")
    assert by_name(parameters, "path")["id"]["schema"] == {"type": "string"}
    query = by_name(parameters)
    for name in ("aUint64", "aSint64", "aFixed64", "anSfixed64", "anInt64Value", "aUint64Value"):
        assert query[name]["schema"] == {"type": "string"}, name
    assert query["int64s"]["schema"] == {"type": "array", "items": {"type": "string"}}


def test_int64_format_names_the_kind(plugin: Any) -> None:
    spec = plugin.spec("gnostic/int64.proto", int64_format=True)
    counter = schema(spec, "Counter")["properties"]
    formats = {name: counter[name]["format"] for name in counter if "format" in counter[name]}
    assert formats == {
        "anInt64": "int64",
        "aUint64": "uint64",
        "aSint64": "sint64",
        "aFixed64": "fixed64",
        "anSfixed64": "sfixed64",
        "anInt64Value": "int64",
        "aUint64Value": "uint64",
    }
    assert counter["int64s"]["items"] == {"type": "string", "format": "int64"}
    parameters = params(spec, "/v1/counters/{id}", "get")
    assert by_name(parameters, "path")["id"]["schema"] == {"type": "string", "format": "int64"}
    assert by_name(parameters)["aUint64Value"]["schema"] == {"type": "string", "format": "uint64"}


# --- Struct, Value, ListValue, HttpBody --------------------------------------------------


def _additional_properties(node: Any, at: str = "") -> list[str]:
    if isinstance(node, dict):
        found = [at] if "additionalProperties" in node else []
        for key, value in node.items():
            found += _additional_properties(value, f"{at}/{key}")
        return found
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in _additional_properties(item, f"{at}/{i}")]
    return []


def test_dynamic_types_have_no_additional_properties(plugin: Any) -> None:
    spec = plugin.spec("gnostic/dynamic.proto")
    struct = {"type": "object"}
    for path in ("/v1/struct",):
        post = spec["paths"][path]["post"]
        assert post["requestBody"]["content"]["application/json"]["schema"] == struct
        assert post["responses"]["200"]["content"]["application/json"]["schema"] == struct
    upload = spec["paths"]["/v1/upload"]["post"]
    assert upload["requestBody"]["content"] == {"application/json": {"schema": {"type": "string"}}}
    assert upload["responses"]["200"]["content"] == {"*/*": {}}
    holder = schema(spec, "Holder")["properties"]
    assert holder["aStruct"] == {"type": "object", "description": "A Struct."}
    assert holder["structs"]["items"] == struct
    assert holder["aBody"] == {"type": "string", "description": "An HttpBody."}
    assert holder["bodies"]["items"] == {"type": "string"}
    assert set(schema(spec, "GoogleProtobufValue")) == {"description"}
    # Only the map's own additionalProperties and GoogleProtobufAny's remain.
    assert sorted(_additional_properties(spec)) == [
        "/components/schemas/GoogleProtobufAny",
        "/components/schemas/Holder/properties/structByName",
    ]
    assert holder["structByName"]["additionalProperties"] == struct


# --- required -------------------------------------------------------------------------------


def test_path_bound_required_fields_stay_required_in_the_body(plugin: Any) -> None:
    spec = plugin.spec("gnostic/required.proto")
    assert schema(spec, "MergeShelvesRequest")["required"] == ["name", "otherShelfName"]
    assert schema(spec, "RenameShelfRequest")["required"] == ["shelfId", "newName"]
    assert schema(spec, "Book")["required"] == ["name", "title"]


def test_query_parameters_are_never_required(plugin: Any) -> None:
    spec = plugin.spec("gnostic/required.proto")
    query = by_name(params(spec, "/v1/shelves/{shelf}/books", "get"))
    assert list(query) == ["filter", "range.first"]
    assert not any("required" in p for p in query.values())
    update = by_name(params(spec, "/v1/shelves/{shelf}/books/{book}", "patch"))
    assert "required" not in update["allowMissing"]


def test_omit_path_required_drops_what_a_star_body_takes_from_the_path(plugin: Any) -> None:
    spec = plugin.spec("gnostic/required.proto", omit_path_required=True)
    assert schema(spec, "MergeShelvesRequest")["required"] == ["otherShelfName"]
    assert schema(spec, "RenameShelfRequest")["required"] == ["newName"]
    # Only body "*" does: a body field's message is the body, name and all.
    assert schema(spec, "Book")["required"] == ["name", "title"]


def test_required_query_marks_required_fields(plugin: Any) -> None:
    spec = plugin.spec("gnostic/required.proto", required_query=True)
    query = by_name(params(spec, "/v1/shelves/{shelf}/books", "get"))
    assert query["filter"]["required"] is True
    assert query["range.first"]["required"] is True


# --- well-known types as parameters -----------------------------------------------------


def test_duration_parameters_carry_the_type_s_description(plugin: Any) -> None:
    spec = plugin.spec("gnostic/wkt_query.proto")
    parameters = params(spec, "/v1/windows/{window}/events", "get")
    assert by_name(parameters, "path")["window"] == {
        "name": "window",
        "in": "path",
        "description": "The window.",
        "required": True,
        "schema": DURATION,
    }
    query = by_name(parameters)
    assert query["olderThan"] == {
        "name": "olderThan",
        "in": "query",
        "description": "Only events older than this.",
        "schema": DURATION,
    }
    # A repeated Duration is one Duration value: gnostic matches the type first.
    assert query["durations"]["schema"] == DURATION
    assert query["undocumented"] == {"name": "undocumented", "in": "query", "schema": DURATION}
    assert query["since"]["schema"] == {"type": "string", "format": "date-time"}
    assert query["readMask"]["schema"] == {"type": "string", "format": "field-mask"}
    assert query["minCount"]["schema"] == {"type": "integer", "format": "int32"}


def test_a_duration_property_takes_the_field_s_comment_instead(plugin: Any) -> None:
    spec = plugin.spec("gnostic/wkt_query.proto")
    response = schema(spec, "ListEventsResponse")["properties"]
    assert response["one"] == {**DURATION, "description": "One duration."}
    assert response["undocumented"] == {"pattern": DURATION_PATTERN, "type": "string"}
    # Items and map values are the type's schema as is.
    assert response["durations"]["items"] == DURATION
    assert response["durationByName"]["additionalProperties"] == DURATION


# --- a proto gnostic accepts never fails ------------------------------------------------

# gnostic's golden option sets (its plugin tests run each example with these).
GNOSTIC_OPTION_SETS = [
    {},
    {"naming": "proto"},
    {"fq_schema_naming": True},
    {"version": "1.2.3"},
    {"enum_type": "string"},
    {"default_response": False},
    {"output_mode": "source_relative"},
]


def _plain_protos() -> list[str]:
    """Fixture protos that use none of our annotations: protos gnostic accepts."""
    protos = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.proto"))
    return [p for p in protos if "privatellm/options" not in (FIXTURES / p).read_text()]


def test_the_plain_fixtures_are_all_there() -> None:
    protos = _plain_protos()
    assert "errors/bad_path.proto" in protos and "gnostic/unknown_fields.proto" in protos
    assert len(protos) >= 10


@pytest.mark.parametrize("options", GNOSTIC_OPTION_SETS, ids=lambda o: ",".join(o) or "defaults")
@pytest.mark.parametrize("proto", _plain_protos())
def test_a_proto_gnostic_accepts_never_fails(
    plugin: Any, proto: str, options: dict[str, Any]
) -> None:
    outputs = plugin.outputs(proto, **options)
    assert outputs
    for text in outputs.values():
        assert yaml.safe_load(text)["openapi"] == "3.0.3"


OURS = {
    "strict": True,
    "int64_format": True,
    "required_query": True,
    "omit_path_required": True,
    "quote_yaml11": True,
    "security": "bearer",
    "streaming": "sse",
}


@pytest.mark.parametrize("proto", _plain_protos())
def test_with_our_options_a_plain_proto_gives_a_document_or_a_clear_error(
    plugin: Any, proto: str
) -> None:
    response = generate(request((proto,), parameter(OURS)))
    if response.error:
        assert response.error.startswith(proto + ": rpc ")
        assert "internal error" not in response.error
    else:
        assert yaml.safe_load(response.file[0].content)["openapi"] == "3.0.3"
