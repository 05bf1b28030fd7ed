"""The subset of the OpenAPI 3.0 object model the generator builds.

Each class lists its fields in the order of gnostic's OpenAPIv3 protobuf
model, because that order is the key order gnostic writes. ``to_yaml`` drops
what gnostic drops (empty strings, false booleans, empty lists, unset
objects) and keeps what OpenAPI requires (``title``, ``version``,
``description`` of a response, ``responses``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codegen.yaml_emitter import Plain, YamlValue

YamlMap = dict[str, YamlValue]


def _put(out: YamlMap, key: str, value: object) -> None:
    """Set ``key`` unless ``value`` is one of gnostic's empty values."""
    if value is None or value is False or value == "" or (isinstance(value, list) and not value):
        return
    out[key] = value  # type: ignore[assignment]


@dataclass
class Ref:
    """A JSON reference, ``$ref``."""

    ref: str

    def to_yaml(self) -> YamlMap:
        return {"$ref": self.ref}


@dataclass
class Schema:
    """A schema; field order is gnostic's. Unset numbers are ``None``."""

    nullable: bool = False
    read_only: bool = False
    write_only: bool = False
    # gnostic's Schema.example (an Any): a JSON scalar or an array of scalars here.
    example: str | int | float | bool | list[str | int | float | bool] | None = None
    maximum: float | None = None
    exclusive_maximum: bool = False
    minimum: float | None = None
    exclusive_minimum: bool = False
    max_length: int | None = None
    min_length: int | None = None
    pattern: str = ""
    max_items: int | None = None
    min_items: int | None = None
    required: list[str] = field(default_factory=list)
    enum: list[str] = field(default_factory=list)
    type: str = ""
    all_of: list[SchemaOrRef] = field(default_factory=list)
    one_of: list[SchemaOrRef] = field(default_factory=list)
    items: SchemaOrRef | None = None
    properties: dict[str, SchemaOrRef] | None = None
    additional_properties: bool | SchemaOrRef | None = None
    description: str = ""
    format: str = ""

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {}
        _put(out, "nullable", self.nullable)
        _put(out, "readOnly", self.read_only)
        _put(out, "writeOnly", self.write_only)
        if self.example is not None:
            out["example"] = self.example
        _number(out, "maximum", self.maximum)
        _put(out, "exclusiveMaximum", self.exclusive_maximum)
        _number(out, "minimum", self.minimum)
        _put(out, "exclusiveMinimum", self.exclusive_minimum)
        _number(out, "maxLength", self.max_length)
        _number(out, "minLength", self.min_length)
        _put(out, "pattern", self.pattern)
        _number(out, "maxItems", self.max_items)
        _number(out, "minItems", self.min_items)
        _put(out, "required", list(self.required))
        if self.enum:
            out["enum"] = [Plain(v) for v in self.enum]
        _put(out, "type", self.type)
        if self.all_of:
            out["allOf"] = [s.to_yaml() for s in self.all_of]
        if self.one_of:
            out["oneOf"] = [s.to_yaml() for s in self.one_of]
        if self.items is not None:
            out["items"] = self.items.to_yaml()
        if self.properties is not None:
            out["properties"] = {k: v.to_yaml() for k, v in self.properties.items()}
        if isinstance(self.additional_properties, bool):
            out["additionalProperties"] = self.additional_properties
        elif self.additional_properties is not None:
            out["additionalProperties"] = self.additional_properties.to_yaml()
        _put(out, "description", self.description)
        _put(out, "format", self.format)
        return out


SchemaOrRef = Schema | Ref


def _number(out: YamlMap, key: str, value: float | None) -> None:
    if value is not None:
        out[key] = value


@dataclass
class Parameter:
    name: str
    in_: str
    description: str = ""
    required: bool = False
    schema: SchemaOrRef | None = None

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {"name": self.name, "in": self.in_}
        _put(out, "description", self.description)
        _put(out, "required", self.required)
        if self.schema is not None:
            out["schema"] = self.schema.to_yaml()
        return out


@dataclass
class MediaType:
    schema: SchemaOrRef | None = None

    def to_yaml(self) -> YamlMap:
        return {} if self.schema is None else {"schema": self.schema.to_yaml()}


@dataclass
class Link:
    operation_id: str
    parameters: dict[str, str] = field(default_factory=dict)
    description: str = ""

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {"operationId": self.operation_id}
        if self.parameters:
            out["parameters"] = dict(self.parameters)
        _put(out, "description", self.description)
        return out


@dataclass
class Header:
    description: str
    schema: SchemaOrRef

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {}
        _put(out, "description", self.description)
        out["schema"] = self.schema.to_yaml()
        return out


@dataclass
class Response:
    description: str
    content: dict[str, MediaType] | None = None
    links: dict[str, Link] = field(default_factory=dict)
    headers: dict[str, Header] = field(default_factory=dict)

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {"description": self.description}
        if self.headers:
            out["headers"] = {k: v.to_yaml() for k, v in self.headers.items()}
        if self.content is not None:
            out["content"] = {k: v.to_yaml() for k, v in self.content.items()}
        if self.links:
            out["links"] = {k: v.to_yaml() for k, v in self.links.items()}
        return out


@dataclass
class RequestBody:
    content: dict[str, MediaType]
    required: bool = False

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {"content": {k: v.to_yaml() for k, v in self.content.items()}}
        _put(out, "required", self.required)
        return out


@dataclass
class Server:
    url: str

    def to_yaml(self) -> YamlMap:
        return {"url": self.url}


@dataclass
class Operation:
    tags: list[str]
    description: str
    operation_id: str
    parameters: list[Parameter]
    responses: dict[str, Response]
    request_body: RequestBody | None = None
    # None: inherit the document's security; []: public (no credentials).
    security: list[dict[str, list[str]]] | None = None
    servers: list[Server] = field(default_factory=list)

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {}
        _put(out, "tags", list(self.tags))
        _put(out, "description", self.description)
        _put(out, "operationId", self.operation_id)
        if self.parameters:
            out["parameters"] = [p.to_yaml() for p in self.parameters]
        if self.request_body is not None:
            out["requestBody"] = self.request_body.to_yaml()
        out["responses"] = {k: v.to_yaml() for k, v in self.responses.items()}
        if self.security is not None:
            out["security"] = [dict(s) for s in self.security]
        if self.servers:
            out["servers"] = [s.to_yaml() for s in self.servers]
        return out


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class PathItem:
    operations: dict[str, Operation] = field(default_factory=dict)
    servers: list[Server] = field(default_factory=list)

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {}
        for method in HTTP_METHODS:
            if method in self.operations:
                out[method] = self.operations[method].to_yaml()
        if self.servers:
            out["servers"] = [s.to_yaml() for s in self.servers]
        return out


@dataclass
class Tag:
    name: str
    description: str = ""

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {"name": self.name}
        _put(out, "description", self.description)
        return out


@dataclass
class SecurityScheme:
    type: str
    scheme: str = ""
    description: str = ""

    def to_yaml(self) -> YamlMap:
        out: YamlMap = {"type": self.type}
        _put(out, "description", self.description)
        _put(out, "scheme", self.scheme)
        return out


@dataclass
class Document:
    title: str
    version: str
    description: str = ""
    servers: list[Server] = field(default_factory=list)
    paths: dict[str, PathItem] = field(default_factory=dict)
    schemas: dict[str, SchemaOrRef] = field(default_factory=dict)
    security_schemes: dict[str, SecurityScheme] = field(default_factory=dict)
    security: list[dict[str, list[str]]] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)

    def to_yaml(self) -> YamlMap:
        info: YamlMap = {"title": self.title}
        _put(info, "description", self.description)
        info["version"] = self.version
        out: YamlMap = {"openapi": "3.0.3", "info": info}
        if self.servers:
            out["servers"] = [s.to_yaml() for s in self.servers]
        out["paths"] = {k: v.to_yaml() for k, v in self.paths.items()}
        components: YamlMap = {"schemas": {k: v.to_yaml() for k, v in self.schemas.items()}}
        if self.security_schemes:
            components["securitySchemes"] = {
                k: v.to_yaml() for k, v in self.security_schemes.items()
            }
        out["components"] = components
        if self.security:
            out["security"] = [dict(s) for s in self.security]
        if self.tags:
            out["tags"] = [t.to_yaml() for t in self.tags]
        return out
