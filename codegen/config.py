"""Plugin options: gnostic's, with gnostic's defaults, plus ours (off by default).

protoc passes options as one string, ``--openapi_opt=a=1,b=2`` (or
``--openapi_out=a=1,b=2:DIR``). Like gnostic (protogen), we split it on
commas, so an option value cannot contain a comma.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from codegen.errors import PluginError

_TRUE = {"1", "t", "T", "true", "TRUE", "True"}
_FALSE = {"0", "f", "F", "false", "FALSE", "False"}

# Allowed values of the options that take one of a fixed set.
_CHOICES = {
    "naming": ("json", "proto"),
    "enum_type": ("integer", "string"),
    "output_mode": ("merged", "source_relative"),
    "security": ("none", "bearer"),
    "streaming": ("json", "sse"),
}


@dataclass
class Configuration:
    """What the generator is asked to do. Field names are the option names."""

    # gnostic's options and defaults.
    version: str = "0.0.1"
    title: str = ""
    description: str = ""
    naming: str = "json"
    fq_schema_naming: bool = False
    enum_type: str = "integer"
    depth: int = 2
    default_response: bool = True
    output_mode: str = "merged"
    # Ours, all off by default so that a proto without our annotations comes
    # out as gnostic writes it (codegen/README.md, "Options", says what each does).
    # `security=bearer`: an HTTP bearer scheme required by every operation
    # but those marked public. `streaming=sse`: server-streaming RPCs answer
    # `text/event-stream` instead of gnostic's single JSON message.
    security: str = "none"
    streaming: str = "json"
    # 64-bit integers keep `format: int64` (…) next to gnostic's `type: string`.
    int64_format: bool = False
    # REQUIRED fields that travel as query parameters get `required: true`.
    required_query: bool = False
    # A REQUIRED field a `body: "*"` rule takes from the URL path leaves the
    # body schema's `required` list (the body need not repeat it).
    omit_path_required: bool = False
    # Paths and bodies resolved as written or refused: unknown path variables
    # and body fields are errors, dotted variables resolve through nested
    # fields, every `{var=template}` is rewritten, scalar body fields get a schema.
    strict: bool = False
    # Strings YAML 1.1 reads as booleans or sexagesimal numbers are quoted.
    quote_yaml11: bool = False


def parse_parameter(parameter: str) -> Configuration:
    """Parse protoc's parameter string into a Configuration, or fail clearly."""
    config = Configuration()
    known = {f.name: f for f in fields(Configuration)}
    for item in parameter.split(","):
        if not item:
            continue
        name, _, value = item.partition("=")
        if name not in known:
            raise PluginError(f'unknown option "{name}"; known options: {", ".join(sorted(known))}')
        current = getattr(config, name)
        if isinstance(current, bool):
            if value not in _TRUE | _FALSE:
                raise PluginError(f'option {name}: "{value}" is not a boolean (true or false)')
            setattr(config, name, value in _TRUE)
        elif isinstance(current, int):
            try:
                setattr(config, name, int(value, 0))
            except ValueError:
                raise PluginError(f'option {name}: "{value}" is not an integer') from None
        else:
            choices = _CHOICES.get(name)
            if choices is not None and value not in choices:
                raise PluginError(f'option {name}: "{value}" is not one of {", ".join(choices)}')
            setattr(config, name, value)
    return config
