"""Each plugin option: gnostic's (with gnostic's defaults) and ours (off by default)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml


def test_version_title_description(plugin: Any) -> None:
    spec = plugin.spec(
        "library.proto", version="2.1.0", title="Library", description="All the books."
    )
    assert spec["info"] == {"title": "Library", "description": "All the books.", "version": "2.1.0"}


def test_title_is_always_written(plugin: Any) -> None:
    text = plugin.text("library.proto", "types.proto")
    assert 'info:\n    title: ""\n    version: 0.0.1\n' in text


def test_naming_json_is_the_default(plugin: Any) -> None:
    spec = plugin.spec("library.proto")
    assert "bookCount" in spec["components"]["schemas"]["Shelf"]["properties"]


def test_naming_proto_keeps_proto_names(plugin: Any) -> None:
    spec = plugin.spec("library.proto", naming="proto")
    assert "book_count" in spec["components"]["schemas"]["Shelf"]["properties"]
    assert "/v1/shelves/{shelf_id}/books/{book_id}" in spec["paths"]
    listing = spec["paths"]["/v1/shelves"]["get"]
    assert [p["name"] for p in listing["parameters"]] == ["page_size", "page_token"]
    # json_name options are ignored under proto naming.
    types = plugin.spec("types.proto", naming="proto")
    assert "renamed" in types["components"]["schemas"]["Everything"]["properties"]


def test_fq_schema_naming(plugin: Any) -> None:
    spec = plugin.spec("types.proto", fq_schema_naming=True)
    names = set(spec["components"]["schemas"])
    assert {
        "fixtures.types.v1.Everything",
        "fixtures.types.v1.Everything_Inner",
        "google.protobuf.Value",
        "google.protobuf.Any",
        "google.protobuf.ListValue",
        "google.rpc.Status",
    } <= names
    default = spec["paths"]["/v1/ping"]["get"]["responses"]["default"]
    assert default["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/google.rpc.Status"
    }


def test_enum_type_integer_is_the_default(plugin: Any) -> None:
    state = plugin.spec("types.proto")["components"]["schemas"]["Everything"]["properties"]["state"]
    assert state == {"type": "integer", "description": "An enum.", "format": "enum"}


def test_enum_type_string_lists_the_values(plugin: Any) -> None:
    # gnostic writes the values plain (yaml.v3 reads `ON` as a string) ...
    assert "                        - ON\n" in plugin.text("types.proto", enum_type="string")
    # ... which PyYAML, a YAML 1.1 reader, loads as true: quote_yaml11 quotes it.
    spec = plugin.spec("types.proto", enum_type="string", quote_yaml11=True)
    state = spec["components"]["schemas"]["Everything"]["properties"]["state"]
    assert state == {
        "enum": ["STATE_UNSPECIFIED", "ON", "OFF"],
        "type": "string",
        "description": "An enum.",
        "format": "enum",
    }


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (0, []),
        (1, ["root.label"]),
        (2, ["root.label", "root.parent.label"]),
        (3, ["root.label", "root.parent.label", "root.parent.parent.label"]),
        (-1, []),  # gnostic takes a negative depth too: nothing is flattened
    ],
)
def test_depth_limits_circular_query_parameters(
    plugin: Any, depth: int, expected: list[str]
) -> None:
    spec = plugin.spec("types.proto", depth=depth)
    names = [p["name"] for p in spec["paths"]["/v1/nodes:search"]["get"]["parameters"]]
    assert [n for n in names if n.startswith("root.")] == expected


def test_default_response_false(plugin: Any) -> None:
    spec = plugin.spec("library.proto", default_response=False)
    for item in spec["paths"].values():
        for operation in item.values():
            assert list(operation["responses"]) == ["200"]
    assert "Status" not in spec["components"]["schemas"]
    assert "GoogleProtobufAny" not in spec["components"]["schemas"]


def test_output_mode_merged_is_one_file(plugin: Any) -> None:
    outputs = plugin.outputs("library.proto", "types.proto")
    assert list(outputs) == ["openapi.yaml"]


def test_output_mode_source_relative_is_one_file_per_proto(plugin: Any) -> None:
    outputs = plugin.outputs("library.proto", "types.proto", output_mode="source_relative")
    assert sorted(outputs) == ["library.openapi.yaml", "types.openapi.yaml"]
    library = yaml.safe_load(outputs["library.openapi.yaml"])
    types = yaml.safe_load(outputs["types.openapi.yaml"])
    assert library["info"]["title"] == "LibraryService API"
    assert all(p.startswith("/v1/shelves") for p in library["paths"])
    assert "/v1/ping" in types["paths"]
    # The single-file document equals the merged document of that file alone.
    assert outputs["library.openapi.yaml"] == plugin.text("library.proto")


def test_security_is_off_by_default(plugin: Any) -> None:
    spec = plugin.spec("additions.proto")
    assert "security" not in spec
    assert "securitySchemes" not in spec["components"]
    assert "security" not in spec["paths"]["/healthz"]["get"]


def test_security_bearer(plugin: Any) -> None:
    spec = plugin.spec("additions.proto", security="bearer")
    assert spec["components"]["securitySchemes"] == {
        "bearerAuth": {"type": "http", "scheme": "bearer"}
    }
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    assert "security" not in spec["paths"]["/v1/notes"]["post"]
    # No 401 or other extra responses are invented for either kind of operation.
    assert list(spec["paths"]["/healthz"]["get"]["responses"]) == ["200", "default"]


def test_streaming_json_is_the_default(plugin: Any) -> None:
    spec = plugin.spec("additions.proto")
    watch = spec["paths"]["/v1/notes/{note}:watch"]["get"]["responses"]["200"]
    assert watch["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/NoteEvent"}}
    }


def test_streaming_sse(plugin: Any) -> None:
    spec = plugin.spec("additions.proto", streaming="sse")
    watch = spec["paths"]["/v1/notes/{note}:watch"]["get"]["responses"]["200"]
    assert watch["content"] == {
        "text/event-stream": {"schema": {"$ref": "#/components/schemas/NoteEvent"}}
    }


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ("colour=blue", 'unknown option "colour"'),
        ("naming=camel", 'option naming: "camel" is not one of json, proto'),
        ("enum_type=name", 'option enum_type: "name" is not one of integer, string'),
        ("depth=deep", 'option depth: "deep" is not an integer'),
        ("default_response=maybe", 'option default_response: "maybe" is not a boolean'),
        ("fq_schema_naming", 'option fq_schema_naming: "" is not a boolean'),
        ("output_mode=split", 'option output_mode: "split" is not one of'),
        ("security=basic", 'option security: "basic" is not one of none, bearer'),
        ("streaming=ndjson", 'option streaming: "ndjson" is not one of json, sse'),
    ],
)
def test_bad_options_are_clear_errors(plugin: Any, parameter: str, message: str) -> None:
    error = plugin.error_with_parameter(parameter, "library.proto")
    assert message in error
    assert "Traceback" not in error


def test_boolean_option_spellings(plugin: Any) -> None:
    for value in ("false", "False", "0", "f"):
        spec = plugin.spec("library.proto", default_response=value)
        assert "Status" not in spec["components"]["schemas"]
