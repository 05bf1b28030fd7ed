"""Builds the OpenAPI 3.0.3 document, following gnostic's OpenAPIv3Generator step by step.

The order of work is gnostic's: operations first (recording which schemas
they reference), then component schemas for every referenced message until
none is missing, then tags, servers and sorting. Our additions hook in at the
points where the proto carries them: field constraints and SchemaOptions on
schemas, OperationOptions on operations, server streaming on responses, and
the security scheme on the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from codegen import constraints as field_constraints
from codegen import examples as field_examples
from codegen import links as operation_links
from codegen import wellknown as wk
from codegen.config import Configuration
from codegen.errors import PluginError
from codegen.naming import go_trim_space, singular
from codegen.openapi_model import (
    Document,
    Header,
    MediaType,
    Operation,
    Parameter,
    PathItem,
    Ref,
    RequestBody,
    Response,
    Schema,
    SchemaOrRef,
    SecurityScheme,
    Server,
    Tag,
)
from codegen.protos import (
    FDP,
    INPUT_ONLY,
    OUTPUT_ONLY,
    REQUIRED,
    Field,
    File,
    Message,
    Method,
    Request,
)
from codegen.reflector import WRAPPERS, Reflector

HEADER = (
    "Generated with protoc-gen-openapi",
    "https://github.com/google/gnostic/tree/master/cmd/protoc-gen-openapi",
)

_LINTER_RULE = re.compile(r"\(-- .* --\)")
_SIMPLE_VARIABLE = re.compile(r"{([^=}]+)}")
_NAMED_VARIABLE = re.compile(r"{([^=}]+)=([^}]+)}")
_GNOSTIC_NAMED_VARIABLE = re.compile(r"{(.+)=(.+)}")
_HTTP_METHODS = ("get", "put", "post", "delete", "patch")

BEARER_SCHEME = "bearerAuth"
SCHEMA_OPTIONS = "privatellm.options.v1.schema"
NULLABLE = "privatellm.options.v1.nullable"


def filter_comment(comment: str) -> str:
    """gnostic's filterCommentString: drop (-- linter rules --), trim."""
    return go_trim_space(_LINTER_RULE.sub("", comment))


def where(method: Method) -> str:
    return f"{method.service.file.name}: rpc {method.full_name}"


@dataclass
class _PendingLinks:
    method: Method
    options: Any
    response: Response
    parameters: list[tuple[str, str]]


class Generator:
    """One OpenAPI document for the services of ``input_files``."""

    def __init__(
        self,
        request: Request,
        config: Configuration,
        input_files: list[File],
        operation_table: dict[str, operation_links.OperationInfo] | None = None,
    ) -> None:
        self.request = request
        self.config = config
        self.input_files = input_files
        self.reflect = Reflector(config)
        self.operation_table = operation_table or {}
        self.operations: dict[str, operation_links.OperationInfo] = {}
        self._pending_links: list[_PendingLinks] = []
        # (message full name, field name): REQUIRED fields a body:"*" rule takes
        # from the URL path, so the body need not carry them.
        self._path_bound: set[tuple[str, str]] = set()

    # --- document ------------------------------------------------------------------

    def build(self) -> Document:
        doc = Document(
            title=self.config.title,
            version=self.config.version,
            description=self.config.description,
        )
        for file in self.input_files:
            if file.generate:
                self.add_paths(doc, file)
        table = self.operation_table or self.operations
        for pending in self._pending_links:
            pending.response.links = operation_links.build_links(
                pending.options,
                pending.method,
                pending.parameters,
                table,
                self.reflect.field_name,
                where(pending.method),
            )
        while self.reflect.required_schemas:
            count = len(self.reflect.required_schemas)
            for file in self.request.files:
                self.add_schemas(doc, file.messages)
            self.reflect.required_schemas = self.reflect.required_schemas[count:]
        if len(doc.tags) == 1:
            if not doc.title and doc.tags[0].name:
                doc.title = doc.tags[0].name + " API"
            if not doc.description:
                doc.description = doc.tags[0].description
            doc.tags[0].description = ""
        self._hoist_servers(doc)
        if self.config.security == "bearer":
            doc.security_schemes[BEARER_SCHEME] = SecurityScheme(type="http", scheme="bearer")
            doc.security = [{BEARER_SCHEME: []}]
        doc.tags.sort(key=lambda t: t.name)
        doc.paths = dict(sorted(doc.paths.items()))
        doc.schemas = dict(sorted(doc.schemas.items()))
        return doc

    def _hoist_servers(self, doc: Document) -> None:
        all_servers: list[str] = []
        for item in doc.paths.values():
            servers: list[str] = []
            for op in item.operations.values():
                if len(op.servers) == 1:
                    url = op.servers[0].url
                    if url not in servers:
                        servers.append(url)
                    if url not in all_servers:
                        all_servers.append(url)
            if len(servers) == 1:
                item.servers = [Server(servers[0])]
                for op in item.operations.values():
                    op.servers = []
        if all_servers:
            doc.servers = [Server(url) for url in all_servers]
        if len(all_servers) == 1:
            for item in doc.paths.values():
                item.servers = []

    # --- paths ---------------------------------------------------------------------

    def add_paths(self, doc: Document, file: File) -> None:
        for service in file.services:
            annotated = 0
            for method in service.methods:
                rule = self.request.options.extension(method.options, "google.api.http")
                if rule is None:
                    continue
                annotated += 1
                for binding in [rule, *rule.additional_bindings]:
                    pattern = binding.WhichOneof("pattern")
                    if pattern not in _HTTP_METHODS:
                        continue  # custom verbs: gnostic skips them too
                    op, path = self.build_operation(
                        doc, method, getattr(binding, pattern), binding.body
                    )
                    item = doc.paths.setdefault(path, PathItem())
                    item.operations[pattern] = op
            if annotated:
                doc.tags.append(Tag(service.go_name, filter_comment(service.comments)))

    def build_operation(
        self, doc: Document, method: Method, path: str, body: str
    ) -> tuple[Operation, str]:
        here = where(method)
        message = method.input
        covered: list[str] = [body] if body else []
        parameters: list[Parameter] = []

        for variable in _SIMPLE_VARIABLE.findall(path):
            covered.append(variable)
            leaf, name = self._path_variable(message, variable, here)
            path = path.replace(variable, name, 1)
            if leaf is None:
                # gnostic: "safe to set it to string, as it is ignored downstream".
                parameters.append(Parameter(name, "path", "", True, wk.string()))
                continue
            schema = self.reflect.schema_for_field(leaf)
            self._constrain(leaf, schema, here)
            parameters.append(Parameter(name, "path", filter_comment(leaf.comments), True, schema))
            self._bind_to_path(message, leaf, body)

        for variable, template, whole in self._named_variables(path):
            covered.append(variable)
            leaf, _ = self._path_variable(message, variable, here)
            self._bind_to_path(message, leaf, body)
            parts = template.split("/")
            names: list[str] = []
            for i in range(0, len(parts) - 1, 2):
                section = parts[i]
                found = self._find_field(message, section)
                name = singular(self.reflect.field_name(found) if found else section)
                parts[i + 1] = "{" + name + "}"
                names.append(name)
            path = path.replace(whole, "/".join(parts), 1)
            for name in names:
                parameters.append(Parameter(name, "path", f"The {name} id.", True, wk.string()))

        if self.config.strict and body and body != "*" and body not in message.field_by_name:
            raise PluginError(
                f'{here}: body field "{body}" is not a field of {message.full_name}'
                + (" (the body must name a top-level field)" if "." in body else "")
            )

        if body != "*" and message.full_name != "google.api.HttpBody":
            for field in message.fields:
                if field.name not in covered and field.name != body:
                    parameters.extend(self._query_parameters(field, {}, here))

        content = self._response_content(method, here)
        responses = {"200": Response("OK", content)}
        if self.config.default_response:
            any_name = self.reflect.any_schema_name()
            self._add_schema(doc, any_name, wk.any_())
            status_name = self.reflect.status_schema_name()
            self._add_schema(doc, status_name, wk.status(any_name))
            responses["default"] = Response(
                "Default error response",
                wk.json_content(Ref("#/components/schemas/" + status_name)),
            )

        op = Operation(
            tags=[method.service.go_name],
            description=filter_comment(method.comments),
            operation_id=f"{method.service.go_name}_{method.go_name}",
            parameters=parameters,
            responses=responses,
        )
        host = self.request.options.extension(method.service.options, "google.api.default_host")
        if host:
            op.servers.append(Server(_https_url(host)))
        if body:
            op.request_body = RequestBody(
                {"application/json": MediaType(self._body_schema(message, body))}, required=True
            )

        options = self.request.options.extension(method.options, operation_links.EXTENSION)
        param_keys = [(p.in_, p.name) for p in parameters]
        if options is not None:
            self._documented_responses(doc, options, responses, here)
            if options.public and self.config.security == "bearer":
                op.security = []
            if options.links:
                self._pending_links.append(
                    _PendingLinks(method, options, responses["200"], param_keys)
                )
        self.operations.setdefault(
            method.full_name,
            operation_links.OperationInfo(method, op.operation_id, param_keys),
        )
        return op, path

    def _documented_responses(
        self, doc: Document, options: Any, responses: dict[str, Response], here: str
    ) -> None:
        """OperationOptions.headers on the 200 response, OperationOptions.errors beside it."""
        responses["200"].headers.update(self._headers(options.headers))
        for error in options.errors:
            status = str(error.status)
            if not 400 <= error.status <= 599 or status in responses:
                raise PluginError(f"{here}: error response {status} is not a new 4xx/5xx status")
            if error.schema:
                message = self.request.messages.get("." + error.schema.lstrip("."))
                if message is None:
                    raise PluginError(f'{here}: error schema "{error.schema}" does not exist')
                body = self.reflect.schema_for_message(message)
            else:
                any_name = self.reflect.any_schema_name()
                self._add_schema(doc, any_name, wk.any_())
                status_name = self.reflect.status_schema_name()
                self._add_schema(doc, status_name, wk.status(any_name))
                body = Ref("#/components/schemas/" + status_name)
            response = Response(error.description or status, wk.json_content(body))
            response.headers.update(self._headers(error.headers))
            # Error statuses sort before `default`, as OpenAPI readers expect.
            default = responses.pop("default", None)
            responses[status] = response
            if default is not None:
                responses["default"] = default

    @staticmethod
    def _headers(headers: Any) -> dict[str, Header]:
        return {
            header.name: Header(header.description, Schema(type=header.type or "string"))
            for header in headers
        }

    def _response_content(self, method: Method, here: str) -> dict[str, MediaType]:
        options = self.request.options.extension(method.options, operation_links.EXTENSION)
        event_stream = options.event_stream if options is not None else ""
        if method.proto.server_streaming and self.config.streaming == "sse":
            if event_stream:
                raise PluginError(
                    f"{here}: event_stream is for unary RPCs; a server-streaming RPC "
                    "already answers text/event-stream with its stream message"
                )
            return {"text/event-stream": MediaType(self.reflect.schema_for_message(method.output))}
        content = self.reflect.response_content(method.output)
        if event_stream:
            events = self.request.messages.get("." + event_stream.lstrip("."))
            if events is None:
                raise PluginError(f'{here}: event_stream message "{event_stream}" does not exist')
            content["text/event-stream"] = MediaType(self.reflect.schema_for_message(events))
        return content

    def _body_schema(self, message: Message, body: str) -> SchemaOrRef | None:
        if body == "*":
            return self.reflect.schema_for_message(message)
        field = message.field_by_name.get(body)
        if field is None:
            return None  # gnostic: a body without a schema (strict refused it earlier)
        if field.kind == FDP.TYPE_STRING:
            return wk.string()
        if field.kind == FDP.TYPE_MESSAGE:
            assert field.message is not None
            return self.reflect.schema_for_message(field.message)
        # gnostic logs "unsupported field type" and leaves the schema out;
        # strict describes the field instead.
        return self.reflect.schema_for_field(field) if self.config.strict else None

    @staticmethod
    def _find_field(message: Message, name: str) -> Field | None:
        """gnostic's findField: the first top-level field with this proto or JSON name."""
        return next((f for f in message.fields if name in (f.name, f.json_name)), None)

    def _path_variable(
        self, message: Message, variable: str, here: str
    ) -> tuple[Field | None, str]:
        """The field a path variable names (None: no such field) and the parameter name.

        gnostic looks the variable up among the top-level fields and keeps the
        variable as written when none matches; strict resolves "a.b" through
        nested fields and refuses a variable that names nothing.
        """
        if self.config.strict:
            fields = self._field_path(message, variable, here, "path variable")
            return fields[-1], ".".join(self.reflect.field_name(f) for f in fields)
        found = self._find_field(message, variable)
        return found, self.reflect.field_name(found) if found else variable

    def _named_variables(self, path: str) -> list[tuple[str, str, str]]:
        """(variable, template, matched text) of the {var=template}s a path has.

        gnostic matches its greedy "{(.+)=(.+)}" once, which garbles a path
        with two templates or a template and a plain variable; strict rewrites
        each template.
        """
        if self.config.strict:
            return [(m.group(1), m.group(2), m.group(0)) for m in _NAMED_VARIABLE.finditer(path)]
        match = _GNOSTIC_NAMED_VARIABLE.search(path)
        return [(match.group(1), match.group(2), match.group(0))] if match else []

    def _field_path(self, message: Message, dotted: str, here: str, what: str) -> list[Field]:
        """Resolve "a.b.c" (proto or JSON names) to fields, or fail clearly."""
        fields: list[Field] = []
        current: Message | None = message
        for part in dotted.split("."):
            found = self._find_field(current, part) if current is not None else None
            if found is None:
                owner = current.full_name if current is not None else fields[-1].full_name
                raise PluginError(f'{here}: {what} "{dotted}" is not a field of {owner}')
            fields.append(found)
            current = found.message
        return fields

    def _bind_to_path(self, message: Message, field: Field | None, body: str) -> None:
        if body == "*" and field is not None and field.parent is message:
            self._path_bound.add((message.full_name, field.name))

    def _query_parameters(
        self, field: Field, depths: dict[str, int], here: str, required: bool = True
    ) -> list[Parameter]:
        """gnostic's _buildQueryParamsV3: a field as query parameters, sub-messages flattened."""
        name = self.reflect.field_name(field)
        description = filter_comment(field.comments)
        required = required and self.config.required_query and REQUIRED in self._behaviors(field)
        if field.is_map:
            return []  # maps are not allowed in query parameters

        def scalar(schema: Any) -> Parameter:
            """A message that travels as one query value (Value, wrappers, times, masks)."""
            return self._query(name, description, required, field, schema, here)

        if field.kind == FDP.TYPE_MESSAGE:
            assert field.message is not None
            type_name = field.message.full_name
            if type_name == "google.protobuf.Value":
                return [scalar(self.reflect.schema_for_field(field))]
            if type_name in WRAPPERS:
                value = field.message.field_by_name["value"]
                return [scalar(self.reflect.schema_for_field(value))]
            if type_name in ("google.protobuf.Timestamp", "google.protobuf.Duration"):
                return [scalar(self.reflect.schema_for_message(field.message))]
            if field.is_list:
                return []  # only non-repeated messages can be query parameters
            if type_name == "google.protobuf.FieldMask":
                return [scalar(self.reflect.schema_for_field(field))]
            out: list[Parameter] = []
            for sub in field.message.fields:
                seen = depths.setdefault(sub.full_name, 0)
                if seen < self.config.depth:
                    depths[sub.full_name] += 1
                    for param in self._query_parameters(sub, depths, here, required):
                        param.name = f"{name}.{param.name}"
                        out.append(param)
            return out
        if field.kind == FDP.TYPE_GROUP:
            return []
        return [
            self._query(
                name, description, required, field, self.reflect.schema_for_field(field), here
            )
        ]

    def _query(
        self,
        name: str,
        description: str,
        required: bool,
        field: Field,
        schema: SchemaOrRef | None,
        here: str,
    ) -> Parameter:
        self._constrain(field, schema, here)
        return Parameter(name, "query", description, required, schema)

    # --- schemas -------------------------------------------------------------------

    def _add_schema(self, doc: Document, name: str, schema: SchemaOrRef) -> None:
        if name in doc.schemas:
            return
        doc.schemas[name] = schema

    def _behaviors(self, field: Field) -> list[int]:
        return list(
            self.request.options.extension(field.options, "google.api.field_behavior") or []
        )

    def _constrain(self, field: Field, schema: SchemaOrRef | None, here: str) -> None:
        """The field's constraints, then its example (checked against them)."""
        where = f"{here}: field {field.full_name}"
        options = self.request.options.extension(field.options, field_constraints.EXTENSION)
        if options is not None:
            field_constraints.apply(schema, options, where)
        example = self.request.options.extension(field.options, field_examples.EXTENSION)
        if example is not None:
            field_examples.apply(schema, example, where)
        if self.request.options.extension(field.options, NULLABLE) and isinstance(schema, Schema):
            schema.nullable = True

    def add_schemas(self, doc: Document, messages: list[Message]) -> None:
        for message in messages:
            if message.messages:
                self.add_schemas(doc, message.messages)
            name = self.reflect.schema_name(message)
            if name not in self.reflect.required_schemas or name in doc.schemas:
                continue
            type_name = message.full_name
            if type_name == "google.protobuf.Value":
                self._add_schema(doc, name, wk.value())
                continue
            if type_name == "google.protobuf.Any":
                self._add_schema(doc, name, wk.any_())
                continue
            if type_name == "google.rpc.Status":
                any_name = self.reflect.any_schema_name()
                self._add_schema(doc, any_name, wk.any_())
                self._add_schema(doc, name, wk.status(any_name))
                continue
            self._add_schema(doc, name, self._message_schema(message))

    def _message_schema(self, message: Message) -> Schema:
        options = self.request.options.extension(message.options, SCHEMA_OPTIONS)
        if options is not None and options.one_of:
            return self._one_of_schema(message)
        properties: dict[str, SchemaOrRef] = {}
        required: list[str] = []
        here = message.file.name
        for field in message.fields:
            description = filter_comment(field.comments)
            behaviors = self._behaviors(field)
            output_only = OUTPUT_ONLY in behaviors
            input_only = INPUT_ONLY in behaviors
            name = self.reflect.field_name(field)
            path_bound = (message.full_name, field.name) in self._path_bound
            if REQUIRED in behaviors and not (self.config.omit_path_required and path_bound):
                required.append(name)
            schema = self.reflect.schema_for_field(field)
            if schema is None:
                continue
            self._constrain(field, schema, here)
            if isinstance(schema, Schema):
                schema.description = description
                schema.read_only = output_only
                schema.write_only = input_only
            elif description or output_only or input_only:
                # OpenAPI 3.0 ignores siblings of $ref: wrap it to keep them.
                schema = Schema(
                    read_only=output_only,
                    write_only=input_only,
                    all_of=[schema],
                    description=description,
                )
            properties[name] = schema
        result = Schema(
            type="object",
            description=filter_comment(message.comments),
            properties=properties,
            required=required,
        )
        if options is not None and options.closed:
            result.additional_properties = False
        return result

    def _one_of_schema(self, message: Message) -> Schema:
        """A message of alternatives (SchemaOptions.one_of): `oneOf` its fields' schemas."""
        here = message.file.name
        alternatives: list[SchemaOrRef] = []
        for field in message.fields:
            schema = self.reflect.schema_for_field(field)
            if schema is None:
                continue
            self._constrain(field, schema, here)
            description = filter_comment(field.comments)
            if isinstance(schema, Schema):
                schema.description = description
            elif description:
                schema = Schema(all_of=[schema], description=description)
            alternatives.append(schema)
        return Schema(one_of=alternatives, description=filter_comment(message.comments))


def _https_url(host: str) -> str:
    """gnostic parses google.api.default_host as a URL and forces the https scheme."""
    _, sep, rest = host.partition("://")
    return "https://" + (rest if sep else host)


def operation_table(
    request: Request, config: Configuration
) -> dict[str, operation_links.OperationInfo]:
    """Every HTTP-bound RPC of the files to generate, for resolving links across files."""
    scratch = Generator(request, config, request.files)
    doc = Document(title="", version="")
    for file in request.files:
        if file.generate:
            scratch.add_paths(doc, file)
    return scratch.operations
