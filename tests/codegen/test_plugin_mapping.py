"""gnostic's mapping rules, on the library and types fixtures (default options unless said)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.codegen.conftest import FIXTURES

STATUS_REF = {"$ref": "#/components/schemas/Status"}


@pytest.fixture(scope="module")
def library(plugin: Any) -> dict[str, Any]:
    spec: dict[str, Any] = plugin.spec("library.proto")
    return spec


@pytest.fixture(scope="module")
def types(plugin: Any) -> dict[str, Any]:
    # quote_yaml11: PyYAML would read the enum values ON/OFF as booleans.
    spec: dict[str, Any] = plugin.spec("types.proto", enum_type="string", quote_yaml11=True)
    return spec


def op(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = spec["paths"][path][method]
    return operation


def params(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", [])}


def props(spec: dict[str, Any], schema: str) -> dict[str, Any]:
    properties: dict[str, Any] = spec["components"]["schemas"][schema]["properties"]
    return properties


def test_library_matches_the_golden_file(plugin: Any) -> None:
    """The whole document, byte for byte, as gnostic writes it for this input."""
    expected = (FIXTURES / "library.openapi.yaml").read_text()
    assert plugin.text("library.proto") == expected


def test_operation_ids_tags_and_descriptions(library: dict[str, Any]) -> None:
    create = op(library, "/v1/shelves", "post")
    assert create["operationId"] == "LibraryService_CreateShelf"
    assert create["tags"] == ["LibraryService"]
    assert create["description"] == "Creates a shelf."
    # Multi-line comments keep protoc's leading space on each following line.
    listing = op(library, "/v1/shelves", "get")
    assert listing["description"] == (
        "Lists shelves.\n\n The order is unspecified but deterministic."
    )


def test_rpc_without_http_rule_is_not_an_operation(library: dict[str, Any]) -> None:
    ids = [o["operationId"] for item in library["paths"].values() for o in item.values()]
    assert "LibraryService_Audit" not in ids


def test_named_path_template_becomes_singular_parameters(library: dict[str, Any]) -> None:
    get = op(library, "/v1/shelves/{shelf}", "get")
    assert get["parameters"] == [
        {
            "name": "shelf",
            "in": "path",
            "description": "The shelf id.",
            "required": True,
            "schema": {"type": "string"},
        }
    ]
    update = op(library, "/v1/shelves/{shelf}/books/{book}", "patch")
    assert [p["name"] for p in update["parameters"][:2]] == ["shelf", "book"]


def test_simple_path_variables_use_the_formatted_field(library: dict[str, Any]) -> None:
    get = op(library, "/v1/shelves/{shelfId}/books/{bookId}", "get")
    p = params(get)
    assert p["shelfId"]["description"] == "The shelf id."
    assert p["bookId"]["schema"] == {"type": "string"}  # int64: a string, no format
    assert p["bookId"]["required"] is True
    # The rest of the request becomes query parameters.
    assert p["withReviews"] == {
        "name": "withReviews",
        "in": "query",
        "description": "Also return the reviews.",
        "schema": {"type": "boolean"},
    }


def test_body_field_mapping_leaves_other_fields_as_query(library: dict[str, Any]) -> None:
    create = op(library, "/v1/shelves/{shelf}/books", "post")
    assert create["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Book"}}},
        "required": True,
    }
    assert [p["name"] for p in create["parameters"]] == ["shelf", "force"]


def test_body_star_sends_the_whole_request(library: dict[str, Any]) -> None:
    merge = op(library, "/v1/shelves/{shelf}:merge", "post")
    body = merge["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/MergeShelvesRequest"}
    assert [p["name"] for p in merge["parameters"]] == ["shelf"]  # no query parameters


def test_string_body_field_is_a_string_body(library: dict[str, Any]) -> None:
    rename = op(library, "/v1/shelves/{shelf}/books/{book}:rename", "post")
    assert rename["requestBody"]["content"]["application/json"]["schema"] == {"type": "string"}


def test_additional_bindings_add_operations(library: dict[str, Any]) -> None:
    item = library["paths"]["/v1/shelves/{shelf}/books/{book}"]
    assert set(item) == {"put", "patch"}
    assert item["put"]["operationId"] == item["patch"]["operationId"] == "LibraryService_UpdateBook"


def test_default_error_response_and_status_schema(library: dict[str, Any]) -> None:
    for item in library["paths"].values():
        for operation in item.values():
            default = operation["responses"]["default"]
            assert default["description"] == "Default error response"
            assert default["content"]["application/json"]["schema"] == STATUS_REF
    schemas = library["components"]["schemas"]
    assert list(schemas["Status"]["properties"]) == ["code", "message", "details"]
    assert schemas["Status"]["properties"]["details"]["items"] == {
        "$ref": "#/components/schemas/GoogleProtobufAny"
    }
    assert schemas["GoogleProtobufAny"]["additionalProperties"] is True


def test_empty_response_has_empty_content(library: dict[str, Any]) -> None:
    delete = op(library, "/v1/shelves/{shelf}", "delete")
    assert delete["responses"]["200"] == {"description": "OK", "content": {}}


def test_field_behavior_required_output_only_input_only(library: dict[str, Any]) -> None:
    schemas = library["components"]["schemas"]
    assert schemas["Shelf"]["required"] == ["theme"]
    assert schemas["Shelf"]["properties"]["name"]["readOnly"] is True
    assert schemas["Book"]["properties"]["accessCode"]["writeOnly"] is True
    assert schemas["Book"]["required"] == ["title"]


def test_single_service_names_the_document(library: dict[str, Any]) -> None:
    assert library["info"] == {
        "title": "LibraryService API",
        "description": "Manages shelves and the books on them.",
        "version": "0.0.1",
    }
    assert library["tags"] == [{"name": "LibraryService"}]


def test_linter_rules_are_removed_from_comments(types: dict[str, Any]) -> None:
    assert props(types, "Everything")["linted"]["description"] == (
        "Comment with a linter rule  removed."
    )


def test_default_host_becomes_the_server(library: dict[str, Any]) -> None:
    assert library["servers"] == [{"url": "https://library.example.com"}]


def test_paths_and_schemas_are_sorted(library: dict[str, Any]) -> None:
    assert list(library["paths"]) == sorted(library["paths"])
    schemas = list(library["components"]["schemas"])
    assert schemas == sorted(schemas)


# --- types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "schema"),
    [
        ("aString", {"type": "string"}),
        ("anInt32", {"type": "integer", "format": "int32"}),
        ("anInt64", {"type": "string"}),
        ("aUint32", {"type": "integer", "format": "uint32"}),
        ("aUint64", {"type": "string"}),
        ("aSint64", {"type": "string"}),
        ("aFixed64", {"type": "string"}),
        ("anSfixed32", {"type": "integer", "format": "sfixed32"}),
        ("aFloat", {"type": "number", "format": "float"}),
        ("aDouble", {"type": "number", "format": "double"}),
        ("aBool", {"type": "boolean"}),
        ("someBytes", {"type": "string", "format": "bytes"}),
        ("aTimestamp", {"type": "string", "format": "date-time"}),
        (
            "aDuration",
            # The field's comment replaces the description gnostic's Duration schema has.
            {"type": "string", "pattern": r"^-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,9})?s$"},
        ),
        ("aFieldMask", {"type": "string", "format": "field-mask"}),
        ("aStruct", {"type": "object"}),
        ("boolValue", {"type": "boolean"}),
        ("bytesValue", {"type": "string", "format": "bytes"}),
        ("int32Value", {"type": "integer", "format": "int32"}),
        ("uint32Value", {"type": "integer", "format": "uint32"}),
        ("stringValue", {"type": "string"}),
        ("int64Value", {"type": "string"}),
        ("uint64Value", {"type": "string"}),
        ("floatValue", {"type": "number", "format": "float"}),
        ("doubleValue", {"type": "number", "format": "double"}),
        ("maybe", {"type": "integer", "format": "int32"}),
        ("first", {"type": "string"}),
        ("alias", {"type": "string"}),
    ],
)
def test_scalar_and_well_known_types(
    types: dict[str, Any], field: str, schema: dict[str, Any]
) -> None:
    got = dict(props(types, "Everything")[field])
    assert got.pop("description")
    assert got == schema


def test_references_keep_their_description_through_all_of(types: dict[str, Any]) -> None:
    everything = props(types, "Everything")
    assert everything["inner"] == {
        "allOf": [{"$ref": "#/components/schemas/Everything_Inner"}],
        "description": "A nested message.",
    }
    assert everything["aValue"]["allOf"] == [{"$ref": "#/components/schemas/GoogleProtobufValue"}]
    assert everything["anAny"]["allOf"] == [{"$ref": "#/components/schemas/GoogleProtobufAny"}]
    assert everything["aListValue"]["allOf"] == [{"$ref": "#/components/schemas/ListValue"}]


def test_well_known_schemas(types: dict[str, Any]) -> None:
    schemas = types["components"]["schemas"]
    assert set(schemas["GoogleProtobufValue"]) == {"description"}
    assert schemas["ListValue"]["properties"]["values"]["items"] == {
        "$ref": "#/components/schemas/GoogleProtobufValue"
    }
    assert "Empty" not in schemas


def test_empty_field_is_left_out(types: dict[str, Any]) -> None:
    assert "anEmpty" not in props(types, "Everything")


def test_repeated_fields_are_arrays(types: dict[str, Any]) -> None:
    everything = props(types, "Everything")
    assert everything["strings"]["items"] == {"type": "string"}
    assert everything["inners"]["items"] == {"$ref": "#/components/schemas/Everything_Inner"}
    assert everything["states"]["items"]["enum"] == ["STATE_UNSPECIFIED", "ON", "OFF"]


def test_maps_are_objects_with_additional_properties(types: dict[str, Any]) -> None:
    everything = props(types, "Everything")
    assert everything["labels"]["additionalProperties"] == {"type": "string"}
    assert everything["innerByName"]["additionalProperties"] == {
        "$ref": "#/components/schemas/Everything_Inner"
    }
    assert everything["stateById"]["additionalProperties"]["format"] == "enum"


def test_oneof_members_are_plain_properties(types: dict[str, Any]) -> None:
    everything = props(types, "Everything")
    assert "first" in everything and "second" in everything
    assert "oneOf" not in types["components"]["schemas"]["Everything"]


def test_nested_messages_are_named_parent_child(types: dict[str, Any]) -> None:
    inner = types["components"]["schemas"]["Everything_Inner"]
    assert inner["properties"]["level"]["enum"] == ["LEVEL_UNSPECIFIED", "HIGH"]


def test_circular_messages_reference_themselves(types: dict[str, Any]) -> None:
    node = props(types, "Node")
    assert node["parent"]["allOf"] == [{"$ref": "#/components/schemas/Node"}]
    assert node["children"]["items"] == {"$ref": "#/components/schemas/Node"}


def test_query_parameters_of_every_kind(types: dict[str, Any]) -> None:
    search = params(op(types, "/v1/nodes:search", "get"))
    assert search["tags"]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert search["state"]["schema"]["enum"] == ["STATE_UNSPECIFIED", "ON", "OFF"]
    assert search["since"]["schema"] == {"type": "string", "format": "date-time"}
    assert search["within"]["schema"]["pattern"].endswith("s$")
    assert search["limit"]["schema"] == {"type": "string"}
    assert search["readMask"]["schema"] == {"type": "string", "format": "field-mask"}
    assert search["filter"]["schema"] == {"$ref": "#/components/schemas/GoogleProtobufValue"}
    # Maps and repeated messages cannot be query parameters.
    assert "labels" not in search and "nodes" not in search
    # A circular message is flattened with dotted names, to the default depth 2.
    assert [n for n in search if n.startswith("root.")] == ["root.label", "root.parent.label"]


def test_empty_request_and_response(types: dict[str, Any]) -> None:
    ping = op(types, "/v1/ping", "get")
    assert "parameters" not in ping
    assert ping["responses"]["200"]["content"] == {}


def test_two_services_keep_tag_descriptions(plugin: Any) -> None:
    spec = plugin.spec("library.proto", "types.proto")
    assert spec["tags"] == [
        {"name": "LibraryService", "description": "Manages shelves and the books on them."},
        {"name": "TypesService", "description": "Echoes values of every type."},
    ]
    assert spec["info"] == {"title": "", "version": "0.0.1"}
    # Both services' paths, one document.
    assert "/v1/shelves" in spec["paths"] and "/v1/ping" in spec["paths"]
