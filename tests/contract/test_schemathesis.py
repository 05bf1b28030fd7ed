"""schemathesis against the live server: every check but one, stateful included, bounded.

`positive_data_acceptance` is left out for now: it reads a schema-valid
request answered 400 as a failure, but some are rightly refused (a page token
the server never issued, a model id that is not in the catalog). Tuning it
per operation is the contract-testing issue's work. The OpenAI-compatible
operations are left out until they are implemented (they answer 12).
`make fuzz` runs the same with more examples (EXAMPLES=n).
"""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ADMIN_SECRET, ROOT

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
NOT_YET_IMPLEMENTED: tuple[str, ...] = ()


def schemathesis_command(url: str, examples: int) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(ROOT / "docs" / "openapi.yaml"),
        "--url",
        url,
        "-H",
        f"Authorization: Bearer {ADMIN_SECRET}",
        "--max-examples",
        str(examples),
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--generation-deterministic",
        "--request-timeout",
        "10",
    ]
    for operation_id in NOT_YET_IMPLEMENTED:
        command += ["--exclude-operation-id", operation_id]
    return command


def test_schemathesis_finds_nothing(live_url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        schemathesis_command(live_url, EXAMPLES),
        cwd=tmp_path,  # its .schemathesis/ cache stays out of the checkout
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = "\n".join(result.stdout.splitlines()[-25:])
    print(summary)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert " generated" in result.stdout
