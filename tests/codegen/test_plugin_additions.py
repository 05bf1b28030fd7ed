"""Our additions: constraints, closed schemas, public operations, event streams, links."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def spec(plugin: Any) -> dict[str, Any]:
    result: dict[str, Any] = plugin.spec("additions.proto", **OURS)
    return result


# Our options that change what gnostic would write for the same proto.
OURS = {
    "security": "bearer",
    "streaming": "sse",
    "required_query": True,
    "omit_path_required": True,
}


def note(spec: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = spec["components"]["schemas"]["Note"]
    return schema


def test_string_constraints(spec: dict[str, Any]) -> None:
    assert note(spec)["properties"]["text"] == {
        "example": "Buy milk",
        "maxLength": 500,
        "minLength": 1,
        "pattern": r"^\S",
        "type": "string",
        "description": "The text.",
    }


def test_examples_are_json_values_in_gnostic_order(spec: dict[str, Any], plugin: Any) -> None:
    props = note(spec)["properties"]
    assert props["priority"]["example"] == 3
    assert props["tags"]["example"] == ["home", "errands"]
    # After readOnly/writeOnly, before the bounds, as gnostic's Schema orders its fields.
    text = plugin.text("additions.proto")
    assert "                    example: 3\n                    maximum: 5\n" in text


def test_number_constraints(spec: dict[str, Any]) -> None:
    props = note(spec)["properties"]
    assert props["priority"]["minimum"] == 1 and props["priority"]["maximum"] == 5
    assert props["weight"] == {
        "maximum": 1,
        "exclusiveMaximum": True,
        "minimum": 0,
        "exclusiveMinimum": True,
        "type": "number",
        "description": "A weight strictly between 0 and 1.",
        "format": "double",
    }
    assert props["ratio"]["minimum"] == 0.25 and props["ratio"]["maximum"] == 1.5


def test_array_and_item_constraints(spec: dict[str, Any]) -> None:
    assert note(spec)["properties"]["tags"] == {
        "example": ["home", "errands"],
        "maxItems": 3,
        "minItems": 1,
        "type": "array",
        "items": {"maxLength": 20, "minLength": 1, "type": "string"},
        "description": "Up to 3 tags of 1 to 20 characters.",
    }


def test_constraint_keyword_order_and_number_format(plugin: Any) -> None:
    text = plugin.text("additions.proto")
    assert (
        "                weight:\n"
        "                    maximum: 1\n"
        "                    exclusiveMaximum: true\n"
        "                    minimum: 0\n"
        "                    exclusiveMinimum: true\n"
        "                    type: number\n"
    ) in text
    assert "maximum: 1.5\n                    minimum: 0.25\n" in text


def test_query_parameters_get_constraints_and_required(spec: dict[str, Any]) -> None:
    listing = {p["name"]: p for p in spec["paths"]["/v1/notes"]["get"]["parameters"]}
    assert listing["pageSize"]["schema"] == {
        "maximum": 100,
        "minimum": 1,
        "type": "integer",
        "format": "int32",
    }
    assert listing["text"]["required"] is True
    assert listing["text"]["schema"] == {"maxLength": 50, "type": "string"}
    assert listing["tags"]["schema"]["items"] == {"pattern": "^[a-z]+$", "type": "string"}
    assert "required" not in listing["pageSize"]
    assert listing["since"]["schema"] == {"type": "string", "format": "date"}


def test_required_read_only_write_only(spec: dict[str, Any]) -> None:
    schema = note(spec)
    assert schema["required"] == ["text"]
    assert schema["properties"]["name"]["readOnly"] is True
    assert schema["properties"]["password"]["writeOnly"] is True
    # A message-typed OUTPUT_ONLY field keeps readOnly beside its reference.
    assert schema["properties"]["author"] == {
        "readOnly": True,
        "allOf": [{"$ref": "#/components/schemas/Author"}],
        "description": "The author, written by the server.",
    }


def test_path_bound_required_field_is_not_required_in_a_star_body(spec: dict[str, Any]) -> None:
    complete = spec["components"]["schemas"]["CompleteNoteRequest"]
    assert "required" not in complete
    assert "name" in complete["properties"]


def test_without_our_options_required_is_gnostic_s(plugin: Any) -> None:
    """The same proto without required_query / omit_path_required: gnostic's lists."""
    spec = plugin.spec("additions.proto", security="bearer", streaming="sse")
    listing = {p["name"]: p for p in spec["paths"]["/v1/notes"]["get"]["parameters"]}
    assert "required" not in listing["text"]
    assert spec["components"]["schemas"]["CompleteNoteRequest"]["required"] == ["name"]


def test_closed_schema(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert note(spec)["additionalProperties"] is False
    assert schemas["CompleteNoteRequest"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["Author"]


def test_one_of_schema_and_nullable_fields(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["NoteBody"] == {
        "oneOf": [
            {"nullable": True, "maxLength": 80, "type": "string", "description": "One line."},
            {
                "minItems": 1,
                "type": "array",
                "items": {"type": "string"},
                "description": "Several lines.",
            },
            {
                "allOf": [{"$ref": "#/components/schemas/Author"}],
                "description": "An author's note.",
            },
        ],
        "description": "A note's body: one line, or several.",
    }
    assert note(spec)["properties"]["body"] == {
        "allOf": [{"$ref": "#/components/schemas/NoteBody"}],
        "description": "What the note says: a line, or several.",
    }
    assert note(spec)["properties"]["due"] == {
        "nullable": True,
        "type": "string",
        "description": "When it is due; null when it is not.",
    }


def test_public_operation(spec: dict[str, Any]) -> None:
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    assert spec["security"] == [{"bearerAuth": []}]


def test_server_streaming_answers_an_event_stream_only(spec: dict[str, Any]) -> None:
    watch = spec["paths"]["/v1/notes/{note}:watch"]["get"]["responses"]
    assert watch["200"]["content"] == {
        "text/event-stream": {"schema": {"$ref": "#/components/schemas/NoteEvent"}}
    }
    assert "default" in watch
    assert "NoteEvent" in spec["components"]["schemas"]


def test_event_stream_option_adds_a_second_content_type(spec: dict[str, Any]) -> None:
    complete = spec["paths"]["/v1/notes/{note}:complete"]["post"]["responses"]["200"]
    assert list(complete["content"]) == ["application/json", "text/event-stream"]
    assert complete["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Note"
    }
    assert complete["content"]["text/event-stream"]["schema"] == {
        "$ref": "#/components/schemas/NoteEvent"
    }


def test_links_resolve_to_operation_ids(spec: dict[str, Any]) -> None:
    created = spec["paths"]["/v1/notes"]["post"]["responses"]["200"]
    assert created["links"] == {
        "GetNote": {
            "operationId": "NoteService_GetNote",
            "parameters": {"note": "$response.body#/id"},
            "description": "Read the note just created.",
        },
        "WatchNote": {
            "operationId": "NoteService_WatchNote",
            "parameters": {"note": "$response.body#/id"},
        },
    }
    got = spec["paths"]["/v1/notes/{note}"]["get"]["responses"]["200"]["links"]
    assert got["Self"]["parameters"] == {"note": "$request.path.note"}


def test_additions_do_not_change_gnostic_output_of_plain_protos(plugin: Any) -> None:
    """Without our options in the proto, our option values change nothing but security."""
    plain = plugin.text("library.proto")
    assert plugin.text("library.proto", streaming="sse") == plain
    assert "bearerAuth" not in plain
