"""protoc-gen-openapi: the protoc plugin entry point (``python -m codegen.plugin``).

protoc writes a CodeGeneratorRequest to our stdin and reads a
CodeGeneratorResponse from our stdout. Problems in the input come back as
the response's ``error`` (protoc prints it and fails); set
PROTOC_GEN_OPENAPI_TRACEBACK=1 to also see a traceback for a bug in the
plugin itself.
"""

from __future__ import annotations

import os
import sys
import traceback

from google.protobuf.compiler import plugin_pb2

from codegen.config import parse_parameter
from codegen.errors import PluginError
from codegen.generator import HEADER, Generator, operation_table
from codegen.protos import Request
from codegen.yaml_emitter import dump


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    """Answer one request; never raises for bad input."""
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    )
    try:
        config = parse_parameter(request.parameter)
        index = Request(request)
        if config.output_mode == "source_relative":
            table = operation_table(index, config)
            for file in index.files:
                if not file.generate:
                    continue
                stem = file.name
                base = stem.rsplit("/", 1)[-1]
                if "." in base:
                    stem = stem[: stem.rfind(".")]
                doc = Generator(index, config, [file], table).build()
                response.file.add(
                    name=stem + ".openapi.yaml",
                    content=dump(doc.to_yaml(), HEADER, config.quote_yaml11),
                )
        else:
            doc = Generator(index, config, index.files).build()
            response.file.add(
                name="openapi.yaml", content=dump(doc.to_yaml(), HEADER, config.quote_yaml11)
            )
    except PluginError as exc:
        del response.file[:]
        response.error = str(exc)
    except Exception as exc:  # a bug here, not in the input: still no traceback for protoc
        del response.file[:]
        response.error = f"protoc-gen-openapi: internal error: {type(exc).__name__}: {exc}"
        if os.environ.get("PROTOC_GEN_OPENAPI_TRACEBACK"):
            traceback.print_exc()
    return response


def main() -> None:
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())


if __name__ == "__main__":
    main()
