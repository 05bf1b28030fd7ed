"""Protos with an error in them: a clear message naming the culprit, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from codegen.plugin import generate


@pytest.mark.parametrize(
    ("proto", "expected"),
    [
        (
            "errors/bad_body.proto",
            'rpc fixtures.errors.v1.BadBodyService.Create: body field "thing" is not a field '
            "of fixtures.errors.v1.CreateRequest",
        ),
        (
            "errors/bad_path.proto",
            'rpc fixtures.errors.v1.BadPathService.Get: path variable "nmae" is not a field '
            "of fixtures.errors.v1.GetRequest",
        ),
        (
            "errors/bad_link.proto",
            'link "Get": link operation "BadLinkService.GetThing" is not an RPC with an HTTP '
            "binding; known: BadLinkService.Create",
        ),
        (
            "errors/bad_constraint.proto",
            "field fixtures.errors.v1.Counter.count: constraint pattern applies to string "
            "schemas, not to this integer field",
        ),
    ],
)
def test_error_protos(plugin: Any, proto: str, expected: str) -> None:
    error = plugin.error(proto, strict=True)
    assert error.startswith(proto + ": ")  # names the file first
    assert expected in error
    assert "Traceback" not in error and "\n" not in error


# A template for variations: one service, one note message; each test breaks one thing.
TEMPLATE = """
syntax = "proto3";
package fixtures.broken.v1;
import "google/api/annotations.proto";
import "privatellm/options/v1/openapi.proto";

service NoteService {
  rpc CreateNote(Note) returns (Note) {
    option (google.api.http) = {post: "/v1/notes" body: "*"};
    %(create_options)s
  }
  rpc GetNote(GetNoteRequest) returns (Note) {
    option (google.api.http) = {get: "/v1/{name=notes/*}"};
  }
  rpc WatchNote(GetNoteRequest) returns (stream Note) {
    option (google.api.http) = {get: "/v1/{name=notes/*}:watch"};
    %(watch_options)s
  }
}

message Author {
  string name = 1;
}

message Note {
  string id = 1;
  string text = 2 %(text_options)s;
  int32 priority = 3 %(priority_options)s;
  repeated string tags = 4 %(tags_options)s;
  Author author = 5 %(author_options)s;
}

message GetNoteRequest {
  string name = 1;
}
"""


def source(**parts: str) -> str:
    defaults = {
        "create_options": "",
        "watch_options": "",
        "text_options": "",
        "priority_options": "",
        "tags_options": "",
        "author_options": "",
    }
    return TEMPLATE % (defaults | parts)


def link(parameter: str, value: str, operation: str = "NoteService.GetNote") -> str:
    return (
        'option (privatellm.options.v1.operation) = {links: [{name: "L" '
        f'operation: "{operation}" parameters: {{key: "{parameter}" value: "{value}"}}}}]}};'
    )


def test_template_is_valid(plugin: Any, tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="expected the plugin to report an error"):
        plugin.error_in_source(tmp_path, source(create_options=link("note", "$response.body#/id")))


@pytest.mark.parametrize(
    ("parameter", "value", "operation", "expected"),
    [
        ("nope", "$response.body#/id", "NoteService.GetNote",
         '"nope" is not a parameter of NoteService_GetNote (its parameters: note)'),
        ("note", "$response.body#/idd", "NoteService.GetNote",
         'fixtures.broken.v1.Note has no field "idd"'),
        ("note", "$response.body#/author/nick", "NoteService.GetNote",
         'fixtures.broken.v1.Author has no field "nick"'),
        ("note", "$request.path.note", "NoteService.GetNote",
         "$request.path.note names no path parameter of this operation"),
        ("note", "$response.body#/id", "Nowhere.Nothing",
         'link operation "Nowhere.Nothing" is not an RPC with an HTTP binding'),
        ("note", "", "NoteService.GetNote", "empty expression"),
    ],
)  # fmt: skip
def test_link_errors(
    plugin: Any, tmp_path: Path, parameter: str, value: str, operation: str, expected: str
) -> None:
    error = plugin.error_in_source(
        tmp_path, source(create_options=link(parameter, value, operation))
    )
    assert error.startswith("broken.proto: rpc fixtures.broken.v1.NoteService.CreateNote: ")
    assert expected in error


def test_duplicate_link_names(plugin: Any, tmp_path: Path) -> None:
    one = '{name: "Same" operation: "NoteService.GetNote"}'
    options = f"option (privatellm.options.v1.operation) = {{links: [{one}, {one}]}};"
    error = plugin.error_in_source(tmp_path, source(create_options=options))
    assert 'two links are named "Same"' in error


def field_option(text: str) -> str:
    return f"[(privatellm.options.v1.field) = {{{text}}}]"


@pytest.mark.parametrize(
    ("field", "constraints", "expected"),
    [
        ("text", "min_length: 5 max_length: 2", "min_length 5 is greater than max_length 2"),
        ("priority", "minimum: 9 maximum: 1", "minimum 9 is greater than maximum 1"),
        ("priority", "exclusive_minimum: true", "exclusive_minimum is set but minimum is not"),
        ("priority", "max_length: 3", "constraint max_length applies to string schemas"),
        ("tags", "max_length: 3", "(constraints on the elements go under `items`)"),
        ("tags", "min_items: 4 max_items: 2", "min_items 4 is greater than max_items 2"),
        ("text", "max_items: 2", "constraint max_items applies to array schemas"),
        ("text", 'pattern: "(unclosed"', "pattern '(unclosed' does not compile"),
        ("text", 'format: "colour"', "format 'colour' is not one of date, date-time"),
        ("author", "max_length: 2", "the field's schema is an object or a reference"),
        ("tags", "items {minimum: 1}", "field fixtures.broken.v1.Note.tags (items): constraint"),
    ],
)
def test_constraint_errors(
    plugin: Any, tmp_path: Path, field: str, constraints: str, expected: str
) -> None:
    error = plugin.error_in_source(
        tmp_path, source(**{f"{field}_options": field_option(constraints)})
    )
    assert f"field fixtures.broken.v1.Note.{field}" in error
    assert expected in error


@pytest.mark.parametrize(
    ("field", "example", "expected"),
    [
        ("text", "Buy milk", "example 'Buy milk' is not JSON"),
        ("text", "3", "example '3' does not fit the field: 3 is not of type 'string'"),
        ("priority", "9", "example '9' does not fit the field: 9 is greater than the maximum of 5"),
        ("priority", '{"a": 1}', "must be a string, number, boolean or an array of those"),
        ("author", '"x"', "an example needs a scalar or array field, not a message"),
    ],
)
def test_example_errors(
    plugin: Any, tmp_path: Path, field: str, example: str, expected: str
) -> None:
    quoted = example.replace('"', '\\"')  # a proto string literal holding the JSON
    options = f'[(privatellm.options.v1.example) = "{quoted}"]'
    if field == "priority":
        options = options.replace("[", "[(privatellm.options.v1.field) = {maximum: 5}, ", 1)
    error = plugin.error_in_source(tmp_path, source(**{f"{field}_options": options}))
    assert f"field fixtures.broken.v1.Note.{field}" in error
    assert expected in error


def test_unknown_event_stream_message(plugin: Any, tmp_path: Path) -> None:
    options = (
        'option (privatellm.options.v1.operation) = {event_stream: "fixtures.broken.v1.Nope"};'
    )
    error = plugin.error_in_source(tmp_path, source(create_options=options))
    assert 'event_stream message "fixtures.broken.v1.Nope" does not exist' in error


def test_event_stream_on_a_streaming_rpc(plugin: Any, tmp_path: Path) -> None:
    options = (
        'option (privatellm.options.v1.operation) = {event_stream: "fixtures.broken.v1.Note"};'
    )
    error = plugin.error_in_source(tmp_path, source(watch_options=options), streaming="sse")
    assert "event_stream is for unary RPCs" in error


def test_internal_errors_are_reported_without_traceback() -> None:
    """Even a malformed request (a field of an unknown type) gives one clear line."""
    broken = descriptor_pb2.FileDescriptorProto(name="x.proto", package="x", syntax="proto3")
    message = broken.message_type.add(name="M")
    message.field.add(
        name="f", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
        type_name=".x.Missing", label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
    )  # fmt: skip
    request = plugin_pb2.CodeGeneratorRequest(file_to_generate=["x.proto"], proto_file=[broken])
    response = generate(request)
    assert response.error
    assert "Traceback" not in response.error and "\n" not in response.error
