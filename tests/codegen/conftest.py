"""Helpers for the plugin tests: compile fixture protos with protoc, run the plugin.

protoc (grpc_tools, in-process) compiles the fixtures once per file set into
a descriptor set with imports and source info, which is what protoc hands a
plugin; the tests then call the plugin's ``generate`` on a
CodeGeneratorRequest built from it, with each test's options. That keeps
dozens of option combinations fast; test_plugin_cli.py runs the real
executable through protoc end to end.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import grpc_tools.protoc
import pytest
import yaml
from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from codegen.generate import include_paths
from codegen.plugin import generate
from codegen.protos import Request

FIXTURES = Path(__file__).parent / "fixtures"


def includes() -> list[Path]:
    return [FIXTURES, *include_paths()]


def compile_protos(files: tuple[str, ...], extra_include: Path | None = None) -> bytes:
    """protoc's descriptor set for ``files``: imports and source info, as a plugin sees."""
    paths = ([extra_include] if extra_include else []) + includes()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        args = [
            "protoc",
            *(f"-I{p}" for p in paths),
            "--include_imports",
            "--include_source_info",
            f"--descriptor_set_out={out}",
            *files,
        ]
        if grpc_tools.protoc.main(args) != 0:
            raise AssertionError(f"protoc failed on {files}")
        return out.read_bytes()


@functools.cache
def _descriptor_set(files: tuple[str, ...]) -> bytes:
    return compile_protos(files)


def request(
    files: tuple[str, ...], parameter: str, descriptor_set: bytes | None = None
) -> plugin_pb2.CodeGeneratorRequest:
    data = descriptor_set if descriptor_set is not None else _descriptor_set(files)
    fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    req = plugin_pb2.CodeGeneratorRequest(file_to_generate=list(files), parameter=parameter)
    req.proto_file.extend(fds.file)
    return req


def parameter(options: dict[str, Any]) -> str:
    def text(v: Any) -> str:
        return str(v).lower() if isinstance(v, bool) else str(v)

    return ",".join(f"{k}={text(v)}" for k, v in options.items())


class Plugin:
    """Runs the plugin on fixture files; ``files`` are paths under fixtures/."""

    def outputs(self, *files: str, **options: Any) -> dict[str, str]:
        response = generate(request(files, parameter(options)))
        assert not response.error, response.error
        return {f.name: f.content for f in response.file}

    def text(self, *files: str, **options: Any) -> str:
        outputs = self.outputs(*files, **options)
        assert list(outputs) == ["openapi.yaml"]
        return outputs["openapi.yaml"]

    def spec(self, *files: str, **options: Any) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load(self.text(*files, **options))
        return loaded

    def error(self, *files: str, **options: Any) -> str:
        response = generate(request(files, parameter(options)))
        assert response.error, "expected the plugin to report an error"
        assert not response.file
        return str(response.error)

    def text_in(self, directory: Path, file: str, **options: Any) -> str:
        """The document for ``file``, a proto written under ``directory`` by the test."""
        compiled = compile_protos((file,), extra_include=directory)
        response = generate(request((file,), parameter(options), compiled))
        assert not response.error, response.error
        return str(response.file[0].content)

    def error_in_source(self, directory: Path, source: str, **options: Any) -> str:
        """Write ``source`` as broken.proto under ``directory``; the plugin's error for it."""
        (directory / "broken.proto").write_text(source)
        compiled = compile_protos(("broken.proto",), extra_include=directory)
        response = generate(request(("broken.proto",), parameter(options), compiled))
        assert response.error, "expected the plugin to report an error"
        assert not response.file
        return str(response.error)

    def project_index(self) -> Request:
        """The project's own protos (proto/), compiled and indexed as the plugin sees them."""
        root = Path(__file__).resolve().parents[2] / "proto"
        files = tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*.proto")))
        return Request(request(files, "", compile_protos(files)))

    def error_with_parameter(self, parameter: str, *files: str) -> str:
        """The error for a raw parameter string (options the keyword form cannot spell)."""
        response = generate(request(files, parameter))
        assert response.error, "expected the plugin to report an error"
        return str(response.error)


@pytest.fixture(scope="session")
def plugin() -> Plugin:
    return Plugin()
