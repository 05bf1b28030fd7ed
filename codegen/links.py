"""OperationOptions.links → OpenAPI links on an operation's 200 response.

A link names its target RPC as "Service.Method" or "package.Service.Method";
the generator resolves it to gnostic's operationId (``Service_Method``) and
checks everything a typo could break: the target exists and has an HTTP
binding, each link parameter is a parameter of the target, and each runtime
expression points at something the source operation really has (a path or
query parameter, or a field of the response body).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codegen.errors import PluginError
from codegen.openapi_model import Link
from codegen.protos import Field, Message, Method

EXTENSION = "privatellm.options.v1.operation"


@dataclass
class OperationInfo:
    """What a link needs to know about an operation: its id and parameters."""

    method: Method
    operation_id: str
    parameters: list[tuple[str, str]]  # (in, name)


def resolve_target(
    spec: str, source: Method, table: dict[str, OperationInfo], where: str
) -> OperationInfo:
    """Find the operation a link's ``operation`` names."""
    name = spec.lstrip(".")
    if not name:
        raise PluginError(f"{where}: a link has no operation")
    if name in table:
        return table[name]
    matches = [info for full, info in table.items() if full.endswith("." + name)]
    if len(matches) > 1:
        package = source.service.file.package
        local = [m for m in matches if m.method.service.file.package == package]
        matches = local if len(local) == 1 else matches
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(sorted(m.method.full_name for m in matches))
        raise PluginError(f'{where}: link operation "{spec}" is ambiguous: {names}')
    known = ", ".join(sorted(f"{i.method.service.name}.{i.method.name}" for i in table.values()))
    raise PluginError(
        f'{where}: link operation "{spec}" is not an RPC with an HTTP binding; known: {known}'
    )


def build_links(
    options: Any,
    source: Method,
    source_parameters: list[tuple[str, str]],
    table: dict[str, OperationInfo],
    field_name: Callable[[Field], str],
    where: str,
) -> dict[str, Link]:
    links: dict[str, Link] = {}
    for spec in options.links:
        if not spec.name:
            raise PluginError(f"{where}: a link has no name")
        if spec.name in links:
            raise PluginError(f'{where}: two links are named "{spec.name}"')
        here = f'{where}: link "{spec.name}"'
        target = resolve_target(spec.operation, source, table, here)
        target_names = {n for _, n in target.parameters} | {
            f"{i}.{n}" for i, n in target.parameters
        }
        parameters: dict[str, str] = {}
        for key in sorted(spec.parameters):
            value = spec.parameters[key]
            if key not in target_names:
                known = ", ".join(n for _, n in target.parameters) or "none"
                raise PluginError(
                    f'{here}: "{key}" is not a parameter of {target.operation_id} '
                    f"(its parameters: {known})"
                )
            _check_expression(value, source, source_parameters, field_name, f'{here}: "{key}"')
            parameters[key] = value
        links[spec.name] = Link(
            operation_id=target.operation_id, parameters=parameters, description=spec.description
        )
    return links


def _check_expression(
    value: str,
    source: Method,
    parameters: list[tuple[str, str]],
    field_name: Callable[[Field], str],
    where: str,
) -> None:
    if not value:
        raise PluginError(f"{where}: empty expression")
    for location in ("path", "query"):
        prefix = f"$request.{location}."
        if value.startswith(prefix):
            name = value[len(prefix) :]
            if (location, name) not in parameters:
                raise PluginError(
                    f"{where}: {value} names no {location} parameter of this operation"
                )
            return
    prefix = "$response.body#/"
    if value.startswith(prefix):
        pointer = value[len(prefix) :].split("/")
        _walk(source.output, pointer, field_name, f"{where}: {value}")


def _walk(
    message: Message, pointer: list[str], field_name: Callable[[Field], str], where: str
) -> None:
    """Check that a JSON pointer into a message's JSON form names a field."""
    current: Message | None = message
    index = 0
    while index < len(pointer):
        token = pointer[index].replace("~1", "/").replace("~0", "~")
        if current is None:
            raise PluginError(f"{where}: points inside a value that has no fields")
        by_name = {field_name(f): f for f in current.fields}
        field = by_name.get(token)
        if field is None:
            raise PluginError(f'{where}: {current.full_name} has no field "{token}"')
        index += 1
        if (field.is_list or field.is_map) and index < len(pointer):
            index += 1  # an array index or a map key
            current = field.map_value.message if field.is_map else field.message
        else:
            current = field.message
        if current is not None and current.file.package == "google.protobuf":
            current = None  # well-known types have their own JSON forms
