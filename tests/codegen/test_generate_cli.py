"""`python -m codegen.generate` as `make` runs it: failures are one line on stderr, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from codegen.generate import REPO


def generate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen.generate", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_output_root_that_cannot_be_written_fails_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = generate("--out", str(blocker / "root"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("generate: "), result.stderr
    assert str(blocker / "root") in lines[0]
