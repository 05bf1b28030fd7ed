"""The Python client SDK in dist/python: openapi-python-client run on docs/openapi.yaml.

The generator's options live in codegen/python-sdk.yaml; the package metadata
(a PEP 621 pyproject.toml with the pdm build backend) is the generator's own,
so `pip install dist/python` works as for any published client.

One adaptation of the spec happens on the way in. Our spec describes a
Server-Sent Events answer as `text/event-stream` with the schema of one event
(OpenAPI 3.0 has no way to say "a stream of these"). openapi-python-client
reads every `text/*` body as a string and would hand that string to the event
model's `from_dict`, which raises on every successful call. So the generator
is shown those bodies as what they are on the wire, a string: the generated
function returns the raw event-stream text, and the event model
(`StreamMessageResponse`) is still generated for clients that parse events
themselves (the README shows how, with the SDK's own httpx client).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from codegen.errors import GenerationError
from codegen.spec_file import SPEC, operations

CODEGEN = Path(__file__).resolve().parent
CONFIG = CODEGEN / "python-sdk.yaml"
SDK = "dist/python"
EVENT_STREAM = "text/event-stream"


def event_streams_as_text(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of `spec` whose event-stream responses are described as a plain string body."""
    adapted = copy.deepcopy(spec)
    for _, _, operation in operations(adapted):
        for response in operation.get("responses", {}).values():
            media = response.get("content", {}).get(EVENT_STREAM)
            if media is None:
                continue
            event = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            media["schema"] = {
                "type": "string",
                "description": f"Server-Sent Events; the data of each is a field of {event}.",
            }
    return adapted


def generate_python_sdk(root: Path) -> None:
    """Write the SDK to root/dist/python, replacing whatever was there."""
    spec = yaml.safe_load((root / SPEC).read_text())
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "openapi.json"
        source.write_text(json.dumps(event_streams_as_text(spec), indent=1))
        project = Path(tmp) / "privatellm-client"
        args = [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path", str(source),
            "--config", str(CONFIG),
            "--meta", "pdm",
            "--output-path", str(project),
            "--fail-on-warning",
        ]  # fmt: skip
        # The post hooks call `ruff` by name: make it the one installed beside this interpreter.
        tools = str(Path(sys.executable).parent)
        env = {**os.environ, "PATH": os.pathsep.join([tools, os.environ.get("PATH", "")])}
        result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0 or not project.is_dir():
            output = "\n".join(s.strip() for s in (result.stdout, result.stderr) if s.strip())
            raise GenerationError(f"Python SDK: openapi-python-client failed:\n{output}")
        target = root / SDK
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(project, target)
