"""Schema names and field schemas, as gnostic's OpenAPIv3Reflector computes them.

Besides mapping a field to its schema, the reflector records every schema it
references (``required_schemas``) so that the generator can add exactly the
component schemas the document uses.
"""

from __future__ import annotations

from codegen import wellknown as wk
from codegen.config import Configuration
from codegen.openapi_model import MediaType, Ref, Schema, SchemaOrRef
from codegen.protos import FDP, Field, Message

VALUE_NAME = "GoogleProtobufValue"
ANY_NAME = "GoogleProtobufAny"

_INT32_KINDS = {
    FDP.TYPE_INT32: "int32",
    FDP.TYPE_SFIXED32: "sfixed32",
    FDP.TYPE_SINT32: "sint32",
    FDP.TYPE_UINT32: "uint32",
    FDP.TYPE_FIXED32: "fixed32",
}
_INT64_KINDS = {
    FDP.TYPE_INT64: "int64",
    FDP.TYPE_SFIXED64: "sfixed64",
    FDP.TYPE_SINT64: "sint64",
    FDP.TYPE_UINT64: "uint64",
    FDP.TYPE_FIXED64: "fixed64",
}
_FLOAT_KINDS = {FDP.TYPE_FLOAT: "float", FDP.TYPE_DOUBLE: "double"}

WRAPPERS = {
    "google.protobuf.BoolValue",
    "google.protobuf.BytesValue",
    "google.protobuf.Int32Value",
    "google.protobuf.UInt32Value",
    "google.protobuf.StringValue",
    "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value",
    "google.protobuf.FloatValue",
    "google.protobuf.DoubleValue",
}


class Reflector:
    def __init__(self, config: Configuration) -> None:
        self.config = config
        self.required_schemas: list[str] = []

    # --- names -------------------------------------------------------------------

    def message_name(self, message: Message) -> str:
        """Parent_Child name of a (nested) message, without package."""
        parts = [message.name]
        parent = message.parent
        while parent is not None:
            parts.insert(0, parent.name)
            parent = parent.parent
        return "_".join(parts)

    def schema_name(self, message: Message) -> str:
        type_name = message.full_name
        name = self.message_name(message)
        if not self.config.fq_schema_naming:
            if type_name == "google.protobuf.Value":
                name = VALUE_NAME
            elif type_name == "google.protobuf.Any":
                name = ANY_NAME
        if self.config.naming == "json":
            if len(name) > 1:
                name = name[0].upper() + name[1:]
            elif len(name) == 1:
                name = name.lower()
        if self.config.fq_schema_naming:
            name = f"{message.file.package}.{name}"
        return name

    def any_schema_name(self) -> str:
        return "google.protobuf.Any" if self.config.fq_schema_naming else ANY_NAME

    def status_schema_name(self) -> str:
        return "google.rpc.Status" if self.config.fq_schema_naming else "Status"

    def field_name(self, field: Field) -> str:
        return field.name if self.config.naming == "proto" else field.json_name

    # --- schemas -----------------------------------------------------------------

    def reference(self, message: Message) -> Ref:
        name = self.schema_name(message)
        self.require(name)
        return Ref("#/components/schemas/" + name)

    def require(self, name: str) -> None:
        if name not in self.required_schemas:
            self.required_schemas.append(name)

    def schema_for_message(self, message: Message) -> SchemaOrRef | None:
        """An inline schema for the types JSON maps to a scalar, else a reference."""
        type_name = message.full_name
        if type_name == "google.api.HttpBody":
            return wk.string()
        if type_name == "google.protobuf.Timestamp":
            return wk.timestamp()
        if type_name == "google.protobuf.Duration":
            return wk.duration()
        if type_name == "google.type.Date":
            return wk.date()
        if type_name == "google.type.DateTime":
            return wk.timestamp()
        if type_name == "google.protobuf.FieldMask":
            return wk.field_mask()
        if type_name == "google.protobuf.Struct":
            return wk.struct()
        if type_name == "google.protobuf.Empty":
            return None  # closer to JSON undefined than null: gnostic drops it
        if type_name == "google.protobuf.BoolValue":
            return wk.boolean()
        if type_name == "google.protobuf.BytesValue":
            return wk.bytes_()
        if type_name in ("google.protobuf.Int32Value", "google.protobuf.UInt32Value"):
            return wk.integer(_value_kind(message))
        if type_name == "google.protobuf.StringValue":
            return wk.string()
        if type_name in ("google.protobuf.Int64Value", "google.protobuf.UInt64Value"):
            return self._int64(_value_kind(message))
        if type_name in ("google.protobuf.FloatValue", "google.protobuf.DoubleValue"):
            return wk.number(_value_kind(message))
        return self.reference(message)

    def schema_for_field(self, field: Field) -> SchemaOrRef | None:
        kind = field.kind
        schema: SchemaOrRef | None
        if kind == FDP.TYPE_MESSAGE:
            assert field.message is not None
            if field.is_map:
                return wk.map_of(self.schema_for_field(field.map_value))
            schema = self.schema_for_message(field.message)
        elif kind == FDP.TYPE_STRING:
            schema = wk.string()
        elif kind in _INT32_KINDS:
            schema = wk.integer(_INT32_KINDS[kind])
        elif kind in _INT64_KINDS:
            schema = self._int64(_INT64_KINDS[kind])
        elif kind == FDP.TYPE_ENUM:
            assert field.enum is not None
            schema = wk.enum(field.enum.values, self.config.enum_type == "string")
        elif kind == FDP.TYPE_BOOL:
            schema = wk.boolean()
        elif kind in _FLOAT_KINDS:
            schema = wk.number(_FLOAT_KINDS[kind])
        elif kind == FDP.TYPE_BYTES:
            schema = wk.bytes_()
        else:  # groups: gnostic logs "unsupported" and writes nothing
            schema = None
        if field.is_list:
            schema = wk.array(schema)
        return schema

    def _int64(self, kind: str) -> Schema:
        """A 64-bit integer: a JSON string; its format only with our int64_format."""
        return Schema(type="string", format=kind if self.config.int64_format else "")

    def response_content(self, message: Message) -> dict[str, MediaType]:
        type_name = message.full_name
        if type_name == "google.protobuf.Empty":
            return {}
        if type_name == "google.api.HttpBody":
            return wk.http_body_content()
        return wk.json_content(self.schema_for_message(message))


def _value_kind(message: Message) -> str:
    """The kind of a wrapper's ``value`` field, e.g. "int32" (gnostic's getValueKind)."""
    value = message.field_by_name["value"]
    return {**_INT32_KINDS, **_INT64_KINDS, **_FLOAT_KINDS}.get(value.kind, "")
