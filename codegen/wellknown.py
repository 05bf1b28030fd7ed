"""Schemas gnostic writes for well-known types, word for word (gnostic's wellknown package)."""

from __future__ import annotations

from codegen.openapi_model import MediaType, Ref, Schema, SchemaOrRef

VALUE_DESCRIPTION = (
    "Represents a dynamically typed value which can be either null, a number, a string, "
    "a boolean, a recursive struct value, or a list of values."
)
ANY_DESCRIPTION = (
    "Contains an arbitrary serialized message along with a @type that describes the type "
    "of the serialized message."
)
STATUS_DESCRIPTION = (
    "The `Status` type defines a logical error model that is suitable for different "
    "programming environments, including REST APIs and RPC APIs. It is used by "
    "[gRPC](https://github.com/grpc). Each `Status` message contains three pieces of data: "
    "error code, error message, and error details. You can find out more about this error "
    "model and how to work with it in the [API Design Guide](https://cloud.google.com/apis/design/errors)."
)
# gnostic's Duration schema carries this description (typo included). It shows
# wherever the schema is used as is: query and path parameters, array items, map
# values, bodies; a message property replaces it with the field's own comment.
DURATION_DESCRIPTION = (
    "Represents a a duration between -315,576,000,000s and 315,576,000,000s (around 10000"
    " years). Precision is in nanoseconds. 1 nanosecond is represented as 0.000000001s"
)
DURATION_PATTERN = r"^-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,9})?s$"


def string() -> Schema:
    return Schema(type="string")


def boolean() -> Schema:
    return Schema(type="boolean")


def bytes_() -> Schema:
    return Schema(type="string", format="bytes")


def integer(fmt: str) -> Schema:
    return Schema(type="integer", format=fmt)


def number(fmt: str) -> Schema:
    return Schema(type="number", format=fmt)


def enum(values: list[str], as_string: bool) -> Schema:
    if as_string:
        return Schema(type="string", enum=list(values), format="enum")
    return Schema(type="integer", format="enum")


def array(items: SchemaOrRef | None) -> Schema:
    return Schema(type="array", items=items)


def map_of(values: SchemaOrRef | None) -> Schema:
    return Schema(type="object", additional_properties=values)


def timestamp() -> Schema:
    return Schema(type="string", format="date-time")


def date() -> Schema:
    return Schema(type="string", format="date")


def duration() -> Schema:
    return Schema(type="string", pattern=DURATION_PATTERN, description=DURATION_DESCRIPTION)


def field_mask() -> Schema:
    return Schema(type="string", format="field-mask")


def struct() -> Schema:
    # Any JSON object; gnostic writes no additionalProperties (true is OpenAPI's default).
    return Schema(type="object")


def value() -> Schema:
    return Schema(description=VALUE_DESCRIPTION)


def any_() -> Schema:
    return Schema(
        type="object",
        properties={
            "@type": Schema(type="string", description="The type of the serialized message.")
        },
        additional_properties=True,
        description=ANY_DESCRIPTION,
    )


def status(any_schema_name: str) -> Schema:
    return Schema(
        type="object",
        properties={
            "code": Schema(
                type="integer",
                format="int32",
                description=(
                    "The status code, which should be an enum value of "
                    "[google.rpc.Code][google.rpc.Code]."
                ),
            ),
            "message": Schema(
                type="string",
                description=(
                    "A developer-facing error message, which should be in English. Any "
                    "user-facing error message should be localized and sent in the "
                    "[google.rpc.Status.details][google.rpc.Status.details] field, or "
                    "localized by the client."
                ),
            ),
            "details": Schema(
                type="array",
                items=Ref("#/components/schemas/" + any_schema_name),
                description=(
                    "A list of messages that carry the error details.  There is a common "
                    "set of message types for APIs to use."
                ),
            ),
        },
        description=STATUS_DESCRIPTION,
    )


def json_content(schema: SchemaOrRef | None) -> dict[str, MediaType]:
    return {"application/json": MediaType(schema)}


def http_body_content() -> dict[str, MediaType]:
    return {"*/*": MediaType()}
