"""The real thing end to end: `python -m grpc_tools.protoc --plugin=codegen/protoc-gen-openapi`."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.errors import GenerationError
from codegen.generate import drift, run_protoc
from tests.codegen.conftest import FIXTURES, includes


def test_protoc_runs_the_plugin_executable(tmp_path: Path) -> None:
    run_protoc(["library.proto"], tmp_path, "", includes())
    expected = (FIXTURES / "library.openapi.yaml").read_text()
    assert (tmp_path / "openapi.yaml").read_text() == expected


def test_source_relative_files_land_beside_their_protos(tmp_path: Path) -> None:
    run_protoc(
        ["library.proto", "types.proto"], tmp_path, "output_mode=source_relative", includes()
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "library.openapi.yaml",
        "types.openapi.yaml",
    ]


def test_protoc_reports_the_plugin_error_without_traceback(tmp_path: Path) -> None:
    with pytest.raises(GenerationError) as raised:
        run_protoc(["errors/bad_body.proto"], tmp_path, "strict=true", includes())
    message = str(raised.value)
    assert message == (
        "--openapi_out: errors/bad_body.proto: rpc fixtures.errors.v1.BadBodyService.Create: "
        'body field "thing" is not a field of fixtures.errors.v1.CreateRequest'
    )
    assert not (tmp_path / "openapi.yaml").exists()


def test_protoc_reports_a_bad_option(tmp_path: Path) -> None:
    with pytest.raises(GenerationError, match='--openapi_out: unknown option "colour"'):
        run_protoc(["library.proto"], tmp_path, "colour=blue", includes())


def test_drift_shows_a_unified_diff(tmp_path: Path) -> None:
    fresh, committed = tmp_path / "fresh", tmp_path / "committed"
    for root, title in ((fresh, "New"), (committed, "Old")):
        (root / "docs").mkdir(parents=True)
        (root / "docs" / "openapi.yaml").write_text(f"info:\n    title: {title}\n")
        (root / "handlers").mkdir()
        (root / "handlers" / "api_types.py").write_text("x = 1\n")
    diff = drift(fresh, committed)
    assert "--- a/docs/openapi.yaml\n+++ b/docs/openapi.yaml\n" in diff
    assert "-    title: Old\n+    title: New\n" in diff
    assert "api_types" not in diff
    (committed / "docs" / "openapi.yaml").write_text("info:\n    title: New\n")
    assert drift(fresh, committed) == ""


def test_a_stray_file_in_a_generated_folder_is_drift_even_when_empty(tmp_path: Path) -> None:
    fresh, committed = tmp_path / "fresh", tmp_path / "committed"
    for root in (fresh, committed):
        (root / "dist" / "python").mkdir(parents=True)
        (root / "dist" / "python" / "README.md").write_text("generated\n")
    assert drift(fresh, committed) == ""
    (committed / "dist" / "python" / "notes.txt").write_text("")
    assert drift(fresh, committed) == "dist/python/notes.txt: not generated; delete it\n"
