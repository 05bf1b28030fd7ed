"""The generated spec as the later Steps read it: where it is, and its operations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codegen.openapi_model import HTTP_METHODS

REPO = Path(__file__).resolve().parent.parent
SPEC = "docs/openapi.yaml"  # written by the spec Step, read by the Steps after it


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for each operation of a loaded spec, in document order."""
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]
