"""A protogen-like view of protoc's CodeGeneratorRequest.

gnostic walks protobuf-go's ``protogen`` objects (files, messages, fields,
services, methods, each with its comments and options). This module gives
the generator the same walk over the request's FileDescriptorProtos, with
type references resolved and custom options decoded.

Custom options (google.api.http, google.api.field_behavior and our
privatellm.options.v1 extensions) are decoded through a descriptor pool built
from the request itself: the request carries every imported .proto, so the
plugin needs no generated ``_pb2`` module for options a project defines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.compiler import plugin_pb2
from google.protobuf.message import Message as ProtoMessage

from codegen.errors import PluginError
from codegen.naming import go_camel_case, json_name

FDP = descriptor_pb2.FieldDescriptorProto

# google.api.FieldBehavior values gnostic (and we) act on.
REQUIRED, OUTPUT_ONLY, INPUT_ONLY = 2, 3, 4

# Source-code-info path components (descriptor.proto field numbers).
_FILE_MESSAGE, _FILE_ENUM, _FILE_SERVICE = 4, 5, 6
_MESSAGE_FIELD, _MESSAGE_NESTED, _MESSAGE_ENUM = 2, 3, 4
_SERVICE_METHOD = 2
_ENUM_VALUE = 2


@dataclass(eq=False)
class Enum:
    full_name: str
    values: list[str]


@dataclass(eq=False)
class Field:
    proto: descriptor_pb2.FieldDescriptorProto
    parent: Message
    comments: str
    options: ProtoMessage
    message: Message | None = None  # resolved for message (and map) fields
    enum: Enum | None = None

    @property
    def name(self) -> str:
        return str(self.proto.name)

    @property
    def full_name(self) -> str:
        return f"{self.parent.full_name}.{self.proto.name}"

    @property
    def json_name(self) -> str:
        return self.proto.json_name if self.proto.HasField("json_name") else json_name(self.name)

    @property
    def kind(self) -> int:
        return int(self.proto.type)

    @property
    def is_list(self) -> bool:
        return self.proto.label == FDP.LABEL_REPEATED and not self.is_map

    @property
    def is_map(self) -> bool:
        return (
            self.proto.label == FDP.LABEL_REPEATED
            and self.message is not None
            and self.message.is_map_entry
        )

    @property
    def map_value(self) -> Field:
        assert self.message is not None
        return self.message.field_by_name["value"]


@dataclass(eq=False)
class Message:
    proto: descriptor_pb2.DescriptorProto
    file: File
    parent: Message | None
    full_name: str
    comments: str
    options: ProtoMessage
    fields: list[Field] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.proto.name)

    @property
    def is_map_entry(self) -> bool:
        return bool(self.proto.options.map_entry)

    @property
    def field_by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}


@dataclass(eq=False)
class Method:
    proto: descriptor_pb2.MethodDescriptorProto
    service: Service
    input: Message
    output: Message
    comments: str
    options: ProtoMessage

    @property
    def name(self) -> str:
        return str(self.proto.name)

    @property
    def go_name(self) -> str:
        return go_camel_case(self.proto.name)

    @property
    def full_name(self) -> str:
        return f"{self.service.full_name}.{self.proto.name}"


@dataclass(eq=False)
class Service:
    proto: descriptor_pb2.ServiceDescriptorProto
    file: File
    comments: str
    options: ProtoMessage
    methods: list[Method] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.proto.name)

    @property
    def go_name(self) -> str:
        return go_camel_case(self.proto.name)

    @property
    def full_name(self) -> str:
        return f"{self.file.package}.{self.proto.name}" if self.file.package else self.name


@dataclass(eq=False)
class File:
    proto: descriptor_pb2.FileDescriptorProto
    generate: bool
    messages: list[Message] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.proto.name)

    @property
    def package(self) -> str:
        return str(self.proto.package)


class Options:
    """Decodes custom options through a pool built from the request's files."""

    def __init__(self, request: plugin_pb2.CodeGeneratorRequest) -> None:
        self._pool = descriptor_pool.DescriptorPool()
        for proto in request.proto_file:
            self._pool.Add(proto)
        self._classes: dict[str, Any] = {}

    def decode(self, options: ProtoMessage) -> ProtoMessage:
        """Re-read ``options`` (e.g. a MethodOptions) as the pool's type, extensions known."""
        name = options.DESCRIPTOR.full_name
        if name not in self._classes:
            try:
                descriptor = self._pool.FindMessageTypeByName(name)
            except KeyError:
                # descriptor.proto is not imported, so no file can set a custom option.
                self._classes[name] = None
            else:
                self._classes[name] = message_factory.GetMessageClass(descriptor)
        cls = self._classes[name]
        if cls is None:
            return options
        decoded: ProtoMessage = cls.FromString(options.SerializeToString())
        return decoded

    def extension(self, options: ProtoMessage, name: str) -> Any | None:
        """The value of extension ``name`` on decoded ``options``, or None if unset."""
        try:
            ext = self._pool.FindExtensionByName(name)
        except KeyError:
            return None  # the file defining it is not imported anywhere
        extensions: Any = options.Extensions
        if ext.is_repeated:
            values = list(extensions[ext])
            return values or None
        if not options.HasExtension(ext):
            return None
        return extensions[ext]


class Request:
    """The files of a CodeGeneratorRequest, resolved and indexed."""

    def __init__(self, request: plugin_pb2.CodeGeneratorRequest) -> None:
        self.options = Options(request)
        to_generate = set(request.file_to_generate)
        self.files: list[File] = []
        self.messages: dict[str, Message] = {}
        self.enums: dict[str, Enum] = {}
        for proto in request.proto_file:
            file = File(proto=proto, generate=proto.name in to_generate)
            self.files.append(file)
            comments = _comments(proto)
            prefix = f".{proto.package}" if proto.package else ""
            for enum in proto.enum_type:
                self._add_enum(enum, f"{prefix}.{enum.name}")
            for i, msg in enumerate(proto.message_type):
                file.messages.append(
                    self._add_message(msg, file, None, prefix, (_FILE_MESSAGE, i), comments)
                )
        for file in self.files:
            comments = _comments(file.proto)
            for i, svc in enumerate(file.proto.service):
                file.services.append(self._service(svc, file, (_FILE_SERVICE, i), comments))
        for message in self.messages.values():
            for f in message.fields:
                self._resolve(f)

    def _add_enum(self, enum: descriptor_pb2.EnumDescriptorProto, full_name: str) -> None:
        self.enums[full_name] = Enum(full_name[1:], [v.name for v in enum.value])

    def _add_message(
        self,
        proto: descriptor_pb2.DescriptorProto,
        file: File,
        parent: Message | None,
        prefix: str,
        path: tuple[int, ...],
        comments: dict[tuple[int, ...], str],
    ) -> Message:
        full = f"{prefix}.{proto.name}"
        message = Message(
            proto=proto,
            file=file,
            parent=parent,
            full_name=full[1:],
            comments=comments.get(path, ""),
            options=self.options.decode(proto.options),
        )
        self.messages[full] = message
        for enum in proto.enum_type:
            self._add_enum(enum, f"{full}.{enum.name}")
        for i, nested in enumerate(proto.nested_type):
            message.messages.append(
                self._add_message(
                    nested, file, message, full, (*path, _MESSAGE_NESTED, i), comments
                )
            )
        for i, fproto in enumerate(proto.field):
            message.fields.append(
                Field(
                    proto=fproto,
                    parent=message,
                    comments=comments.get((*path, _MESSAGE_FIELD, i), ""),
                    options=self.options.decode(fproto.options),
                )
            )
        return message

    def _resolve(self, f: Field) -> None:
        if f.kind in (FDP.TYPE_MESSAGE, FDP.TYPE_GROUP):
            f.message = self.messages.get(f.proto.type_name)
        elif f.kind == FDP.TYPE_ENUM:
            f.enum = self.enums.get(f.proto.type_name)
        if (f.kind in (FDP.TYPE_MESSAGE, FDP.TYPE_GROUP) and f.message is None) or (
            f.kind == FDP.TYPE_ENUM and f.enum is None
        ):
            raise PluginError(f"{f.full_name}: unknown type {f.proto.type_name}")

    def _service(
        self,
        proto: descriptor_pb2.ServiceDescriptorProto,
        file: File,
        path: tuple[int, ...],
        comments: dict[tuple[int, ...], str],
    ) -> Service:
        service = Service(
            proto=proto,
            file=file,
            comments=comments.get(path, ""),
            options=self.options.decode(proto.options),
        )
        for i, mproto in enumerate(proto.method):
            service.methods.append(
                Method(
                    proto=mproto,
                    service=service,
                    input=self._message(mproto.input_type),
                    output=self._message(mproto.output_type),
                    comments=comments.get((*path, _SERVICE_METHOD, i), ""),
                    options=self.options.decode(mproto.options),
                )
            )
        return service

    def _message(self, type_name: str) -> Message:
        message = self.messages.get(type_name)
        if message is None:
            raise PluginError(f"unknown message type {type_name}")
        return message

    def all_messages(self) -> list[Message]:
        return list(self.messages.values())


def _comments(proto: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    """Leading comments by source path, as protogen's Comments.Leading."""
    return {
        tuple(loc.path): loc.leading_comments
        for loc in proto.source_code_info.location
        if loc.HasField("leading_comments")
    }
